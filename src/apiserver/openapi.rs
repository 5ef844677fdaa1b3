//! The OpenAPI v3 documents kube-apiserver publishes, built from the kinds registry
//! (`api::kinds`) and the real 1.32 schemas (`api::schema`). kubectl reads them for three things:
//! - `create`/`apply`/`replace`/`edit` with the default `--validate=strict` look, in the
//!   group-version document, for the kind's PATCH operation (`x-kubernetes-group-version-kind`)
//!   and its `fieldValidation` parameter; finding it, they leave validation to the server
//!   (`?fieldValidation=Strict`, see `api::fields`).
//! - client-side `apply` of an existing object builds its strategic merge patch from the kind's
//!   schema in `components.schemas` (`x-kubernetes-patch-merge-key` / `-strategy`), provided the
//!   PATCH operation accepts `application/strategic-merge-patch+json`.
//! - `explain` takes the GVK from the resource's list/item operations and prints the schema's
//!   descriptions, following `allOf` and `$ref`.
//!
//! `GET /openapi/v3` answers [`v3_root`]; `GET /openapi/v3/<path>` answers
//! [`v3_document_bytes`] (`application/json`). The `?hash=` of each `serverRelativeURL` is a
//! fingerprint of the document's bytes: clients use the URL as a cache key only, so the server
//! may ignore the query (kube-apiserver also sends `Cache-Control: public, immutable` and an
//! `Etag` of the hash when it matches).
//!
//! `/openapi/v2` is not served (404): kubectl 1.32 reads v2 only as a fallback — when v3 fails,
//! when v3 says `fieldValidation` is unsupported, when the v3 schema yields no patch, or for
//! `explain --output=plaintext-openapiv2` — and apply falls back to its compiled-in types if v2
//! fails too. Checked with kubectl 1.32.4 against these documents: `create`, `apply` (client- and
//! server-side), `replace`, `edit`, `patch`, `diff`, `run` and `explain` never ask for v2.
//!
//! IntOrString and Quantity are published in their v3 form (`oneOf`, no `type`), as the real
//! server does, so `explain` prints `<IntOrString>` and `<map[string]Quantity>`.
//!
//! Pure data, built once (OnceLock); no I/O.

use crate::api::kinds::{self, ResourceType, Subresource};
use crate::api::schema::Schema;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// `info.version`, as `/version` reports the server.
const KUBERNETES_VERSION: &str = "v1.32.4";
const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
const WATCH_EVENT: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";
const API_RESOURCE_LIST: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList";
const API_VERSIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions";
const API_GROUP_LIST: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList";
const API_GROUP: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup";
const VERSION_INFO: &str = "io.k8s.apimachinery.pkg.version.Info";
const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";

const OBJECT_MEDIA: &[&str] = &[
    "application/json",
    "application/vnd.kubernetes.protobuf",
    "application/yaml",
];
const STREAM_MEDIA: &[&str] = &[
    "application/json",
    "application/json;stream=watch",
    "application/vnd.kubernetes.protobuf",
    "application/vnd.kubernetes.protobuf;stream=watch",
    "application/yaml",
];
const LOG_MEDIA: &[&str] = &[
    "text/plain",
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];
const PATCH_MEDIA: &[&str] = &[
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
];

/// One served document, serialized once.
struct Document {
    bytes: Vec<u8>,
    hash: String,
}

fn documents() -> &'static BTreeMap<String, Document> {
    static DOCUMENTS: OnceLock<BTreeMap<String, Document>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        document_paths()
            .into_iter()
            .filter_map(|path| {
                let value = build_document(&path)?;
                // Serializing a Value cannot fail; an empty body would only hide a bug.
                let bytes = serde_json::to_vec(&value).unwrap_or_default();
                let hash = fingerprint(&bytes);
                Some((path, Document { bytes, hash }))
            })
            .collect()
    })
}

/// The documents' paths, as the root lists them: `api`, `api/v1`, `apis`, `apis/apps`,
/// `apis/apps/v1`, …, `version`.
fn document_paths() -> Vec<String> {
    let mut paths = vec!["api".to_string(), "apis".to_string(), "version".to_string()];
    for &(group, version) in kinds::GROUPS {
        paths.push(group_version_path(group, version));
        if !group.is_empty() {
            paths.push(format!("apis/{group}"));
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// `api/v1` or `apis/<group>/<version>`: the key of a group-version in the root.
fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `GET /openapi/v3`: every document with its `serverRelativeURL`
/// (`/openapi/v3/apis/apps/v1?hash=…`).
pub fn v3_root() -> Value {
    let paths: Map<String, Value> = documents()
        .iter()
        .map(|(path, doc)| {
            let url = format!("/openapi/v3/{path}?hash={}", doc.hash);
            (path.clone(), json!({ "serverRelativeURL": url }))
        })
        .collect();
    json!({ "paths": paths })
}

/// The document at `path` (`api/v1`, `apis/apps/v1`, `apis/coordination.k8s.io/v1`, or one of
/// the small `api`, `apis`, `apis/<group>`, `version` documents), as a value.
pub fn v3_group_version(path: &str) -> Option<Value> {
    let doc = documents().get(path.trim_matches('/'))?;
    serde_json::from_slice(&doc.bytes).ok()
}

/// The serialized document at `path` and its hash, for `GET /openapi/v3/<path>`.
pub fn v3_document_bytes(path: &str) -> Option<(&'static [u8], &'static str)> {
    documents()
        .get(path.trim_matches('/'))
        .map(|doc| (doc.bytes.as_slice(), doc.hash.as_str()))
}

fn build_document(path: &str) -> Option<Value> {
    let paths = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["api"] => single_get(
            "/api/",
            "core",
            "get available API versions",
            "getCoreAPIVersions",
            API_VERSIONS,
        ),
        ["apis"] => single_get(
            "/apis/",
            "apis",
            "get available API versions",
            "getAPIVersions",
            API_GROUP_LIST,
        ),
        ["version"] => single_get(
            "/version/",
            "version",
            "get the code version",
            "getCodeVersion",
            VERSION_INFO,
        ),
        ["apis", group] => {
            let names = GroupNames::new(group, "");
            let description = "get information of a group";
            let id = format!("get{}APIGroup", names.camel);
            single_get(
                &format!("/apis/{group}/"),
                &names.lower_camel,
                description,
                &id,
                API_GROUP,
            )
        }
        ["api", version] => group_version_paths("", version)?,
        ["apis", group, version] => group_version_paths(group, version)?,
        _ => return None,
    };
    Some(with_components(paths))
}

/// A document of one GET operation (`/api/`, `/version/`, …).
fn single_get(
    path: &str,
    tag: &str,
    description: &str,
    id: &str,
    schema: &str,
) -> Map<String, Value> {
    let op = json!({
        "tags": [tag],
        "description": description,
        "operationId": id,
        "responses": responses(&[("200", "OK")], schema, OBJECT_MEDIA),
    });
    let mut paths = Map::new();
    paths.insert(path.to_string(), json!({ "get": op }));
    paths
}

/// The paths of a served group-version: its resource list and every resource's operations.
fn group_version_paths(group: &str, version: &str) -> Option<Map<String, Value>> {
    if !kinds::GROUPS.contains(&(group, version)) {
        return None;
    }
    let names = GroupNames::new(group, version);
    let mut paths = Map::new();
    let resources_op = json!({
        "tags": [names.tag],
        "description": "get available resources",
        "operationId": format!("get{}APIResources", names.camel),
        "responses": responses(&[("200", "OK")], API_RESOURCE_LIST, OBJECT_MEDIA),
    });
    paths.insert(format!("{}/", names.prefix), json!({ "get": resources_op }));
    for rt in kinds::ALL
        .iter()
        .filter(|rt| rt.group == group && rt.version == version)
    {
        add_resource(&mut paths, &names, rt);
    }
    Some(paths)
}

/// How a group-version is named in paths, tags and operation ids.
struct GroupNames {
    /// `/api/v1`, `/apis/apps/v1`.
    prefix: String,
    /// `core_v1`, `coordination_v1`.
    tag: String,
    /// `CoreV1`, `CoordinationV1` (operation ids).
    camel: String,
    /// `core`, `coordination` (the group's own tag).
    lower_camel: String,
}

impl GroupNames {
    fn new(group: &str, version: &str) -> GroupNames {
        // `coordination.k8s.io` → `Coordination`; `rbac.authorization.k8s.io` → `RbacAuthorization`.
        let base = if group.is_empty() {
            "core"
        } else {
            group.trim_end_matches(".k8s.io")
        };
        let camel_group: String = base.split('.').map(capitalize).collect();
        let mut lower_camel = camel_group.clone();
        if let Some(first) = lower_camel.get_mut(0..1) {
            first.make_ascii_lowercase();
        }
        let prefix = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        GroupNames {
            prefix,
            tag: format!("{lower_camel}_{version}"),
            camel: format!("{camel_group}{}", capitalize(version)),
            lower_camel,
        }
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// The definition name of a kind's schema (`io.k8s.api.core.v1.Pod`).
fn kind_schema(group: &str, version: &str, kind: &str) -> Option<&'static str> {
    Schema::get()
        .for_kind(group, version, kind)
        .map(|(name, _)| name)
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({ "group": group, "version": version, "kind": kind })
}

/// What one operation says; rendered by [`Operation::render`].
struct Operation<'a> {
    tag: &'a str,
    description: String,
    id: String,
    parameters: Vec<Value>,
    request: Option<Value>,
    responses: Value,
    action: &'static str,
    gvk: Value,
}

impl Operation<'_> {
    fn render(self) -> Value {
        let mut op = Map::new();
        op.insert("tags".into(), json!([self.tag]));
        op.insert("description".into(), Value::String(self.description));
        op.insert("operationId".into(), Value::String(self.id));
        if !self.parameters.is_empty() {
            op.insert("parameters".into(), Value::Array(self.parameters));
        }
        if let Some(request) = self.request {
            op.insert("requestBody".into(), request);
        }
        op.insert("responses".into(), self.responses);
        op.insert("x-kubernetes-action".into(), json!(self.action));
        op.insert("x-kubernetes-group-version-kind".into(), self.gvk);
        Value::Object(op)
    }
}

/// Adds the paths of one resource: collection, item, all-namespaces list, watch paths and
/// subresources, with the operations its verbs allow.
fn add_resource(paths: &mut Map<String, Value>, names: &GroupNames, rt: &ResourceType) {
    let Some(kind_ref) = kind_schema(rt.group, rt.version, rt.kind) else {
        return;
    };
    let list_ref = kind_schema(rt.group, rt.version, rt.list_kind);
    let has = |verb: &str| rt.verbs.contains(&verb);
    let kind = rt.kind;
    let scope = if rt.namespaced { "Namespaced" } else { "" };
    let id = |verb: &str, suffix: &str| format!("{verb}{}{scope}{kind}{suffix}", names.camel);
    let op = |description: String, id: String, action: &'static str| Operation {
        tag: &names.tag,
        description,
        id,
        parameters: Vec::new(),
        request: None,
        responses: Value::Null,
        action,
        gvk: gvk(rt.group, rt.version, kind),
    };
    let collection = if rt.namespaced {
        format!("{}/namespaces/{{namespace}}/{}", names.prefix, rt.plural)
    } else {
        format!("{}/{}", names.prefix, rt.plural)
    };
    let item = format!("{collection}/{{name}}");
    let scope_params: Vec<Value> = if rt.namespaced {
        vec![namespace_param()]
    } else {
        Vec::new()
    };

    let mut ops = Map::new();
    if let (true, Some(list_ref)) = (has("list"), list_ref) {
        let mut list = op(
            format!("list or watch objects of kind {kind}"),
            id("list", ""),
            "list",
        );
        list.parameters = list_params();
        list.responses = responses(&[("200", "OK")], list_ref, STREAM_MEDIA);
        ops.insert("get".into(), list.render());
    }
    if has("create") {
        let mut create = op(
            format!("create {} {kind}", article(kind)),
            id("create", ""),
            "post",
        );
        create.parameters = write_params(false);
        create.request = Some(body(kind_ref, true));
        create.responses = responses(
            &[("200", "OK"), ("201", "Created"), ("202", "Accepted")],
            kind_ref,
            OBJECT_MEDIA,
        );
        ops.insert("post".into(), create.render());
    }
    if has("deletecollection") {
        let collection_id = format!("delete{}Collection{scope}{kind}", names.camel);
        let mut delete = op(
            format!("delete collection of {kind}"),
            collection_id,
            "deletecollection",
        );
        delete.parameters = delete_collection_params();
        delete.request = Some(body(DELETE_OPTIONS, false));
        delete.responses = responses(&[("200", "OK")], STATUS, OBJECT_MEDIA);
        ops.insert("delete".into(), delete.render());
    }
    insert_path(
        paths,
        &collection,
        ops,
        scope_params
            .iter()
            .cloned()
            .chain([pretty_param()])
            .collect(),
    );

    let item_params: Vec<Value> = [name_param(kind)]
        .into_iter()
        .chain(scope_params.iter().cloned())
        .chain([pretty_param()])
        .collect();
    let mut ops = Map::new();
    if has("get") {
        let mut read = op(format!("read the specified {kind}"), id("read", ""), "get");
        read.responses = responses(&[("200", "OK")], kind_ref, OBJECT_MEDIA);
        ops.insert("get".into(), read.render());
    }
    if has("update") {
        let mut replace = op(
            format!("replace the specified {kind}"),
            id("replace", ""),
            "put",
        );
        replace.parameters = write_params(false);
        replace.request = Some(body(kind_ref, true));
        replace.responses = responses(&[("200", "OK"), ("201", "Created")], kind_ref, OBJECT_MEDIA);
        ops.insert("put".into(), replace.render());
    }
    if has("delete") {
        let mut delete = op(
            format!("delete {} {kind}", article(kind)),
            id("delete", ""),
            "delete",
        );
        delete.parameters = delete_params();
        delete.request = Some(body(DELETE_OPTIONS, false));
        // Pods answer with the pod being deleted gracefully; other kinds with a Status.
        let answer = if kind == "Pod" { kind_ref } else { STATUS };
        delete.responses = responses(&[("200", "OK"), ("202", "Accepted")], answer, OBJECT_MEDIA);
        ops.insert("delete".into(), delete.render());
    }
    if has("patch") {
        let mut patch = op(
            format!("partially update the specified {kind}"),
            id("patch", ""),
            "patch",
        );
        patch.parameters = write_params(true);
        patch.request = Some(patch_body());
        patch.responses = responses(&[("200", "OK"), ("201", "Created")], kind_ref, OBJECT_MEDIA);
        ops.insert("patch".into(), patch.render());
    }
    insert_path(paths, &item, ops, item_params.clone());

    if let (true, true, Some(list_ref)) = (rt.namespaced, has("list"), list_ref) {
        let all_id = format!("list{}{kind}ForAllNamespaces", names.camel);
        let mut list = op(
            format!("list or watch objects of kind {kind}"),
            all_id,
            "list",
        );
        list.responses = responses(&[("200", "OK")], list_ref, STREAM_MEDIA);
        let mut ops = Map::new();
        ops.insert("get".into(), list.render());
        insert_path(
            paths,
            &format!("{}/{}", names.prefix, rt.plural),
            ops,
            with_pretty(list_params()),
        );
    }

    if has("watch") {
        let watch_collection = if rt.namespaced {
            format!(
                "{}/watch/namespaces/{{namespace}}/{}",
                names.prefix, rt.plural
            )
        } else {
            format!("{}/watch/{}", names.prefix, rt.plural)
        };
        let list_description = format!(
            "watch individual changes to a list of {kind}. deprecated: use the 'watch' parameter with a list operation instead."
        );
        let mut watch_list = op(list_description.clone(), id("watch", "List"), "watchlist");
        watch_list.responses = responses(&[("200", "OK")], WATCH_EVENT, STREAM_MEDIA);
        let mut ops = Map::new();
        ops.insert("get".into(), watch_list.render());
        let params = list_params()
            .into_iter()
            .chain(scope_params.iter().cloned())
            .collect();
        insert_path(paths, &watch_collection, ops, with_pretty(params));

        let item_description = format!(
            "watch changes to an object of kind {kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter."
        );
        let mut watch = op(item_description, id("watch", ""), "watch");
        watch.responses = responses(&[("200", "OK")], WATCH_EVENT, STREAM_MEDIA);
        let mut ops = Map::new();
        ops.insert("get".into(), watch.render());
        let params = list_params()
            .into_iter()
            .chain([name_param(kind)])
            .chain(scope_params.iter().cloned())
            .collect();
        insert_path(
            paths,
            &format!("{watch_collection}/{{name}}"),
            ops,
            with_pretty(params),
        );

        if rt.namespaced {
            let all_id = format!("watch{}{kind}ListForAllNamespaces", names.camel);
            let mut watch_all = op(list_description, all_id, "watchlist");
            watch_all.responses = responses(&[("200", "OK")], WATCH_EVENT, STREAM_MEDIA);
            let mut ops = Map::new();
            ops.insert("get".into(), watch_all.render());
            insert_path(
                paths,
                &format!("{}/watch/{}", names.prefix, rt.plural),
                ops,
                with_pretty(list_params()),
            );
        }
    }

    for sub in rt.subresources {
        add_subresource(paths, names, rt, sub, &item, &item_params);
    }
}

/// `…/{name}/status`, `/scale`, `/binding`, `/eviction`, `/log`, `/finalize`.
fn add_subresource(
    paths: &mut Map<String, Value>,
    names: &GroupNames,
    rt: &ResourceType,
    sub: &Subresource,
    item: &str,
    item_params: &[Value],
) {
    let Some(sub_ref) = kind_schema(sub.group, sub.version, sub.kind) else {
        return;
    };
    let kind = rt.kind;
    let scope = if rt.namespaced { "Namespaced" } else { "" };
    let title = capitalize(sub.name);
    let id = |verb: &str| format!("{verb}{}{scope}{kind}{title}", names.camel);
    let op = |description: String, id: String, action: &'static str| Operation {
        tag: &names.tag,
        description,
        id,
        parameters: Vec::new(),
        request: None,
        responses: Value::Null,
        action,
        gvk: gvk(sub.group, sub.version, sub.kind),
    };
    let mut ops = Map::new();
    for verb in sub.verbs {
        match *verb {
            "get" if sub.name == "log" => {
                let mut read = op(
                    format!("read log of the specified {kind}"),
                    id("read"),
                    "get",
                );
                read.parameters = log_params();
                read.responses = json!({
                    "200": { "description": "OK", "content": media(LOG_MEDIA, json!({ "type": "string" })) },
                    "401": { "description": "Unauthorized" },
                });
                ops.insert("get".into(), read.render());
            }
            "get" => {
                let mut read = op(
                    format!("read {} of the specified {kind}", sub.name),
                    id("read"),
                    "get",
                );
                read.responses = responses(&[("200", "OK")], sub_ref, OBJECT_MEDIA);
                ops.insert("get".into(), read.render());
            }
            "update" => {
                let mut replace = op(
                    format!("replace {} of the specified {kind}", sub.name),
                    id("replace"),
                    "put",
                );
                replace.parameters = write_params(false);
                replace.request = Some(body(sub_ref, true));
                replace.responses =
                    responses(&[("200", "OK"), ("201", "Created")], sub_ref, OBJECT_MEDIA);
                ops.insert("put".into(), replace.render());
            }
            "patch" => {
                let description = format!("partially update {} of the specified {kind}", sub.name);
                let mut patch = op(description, id("patch"), "patch");
                patch.parameters = write_params(true);
                patch.request = Some(patch_body());
                patch.responses =
                    responses(&[("200", "OK"), ("201", "Created")], sub_ref, OBJECT_MEDIA);
                ops.insert("patch".into(), patch.render());
            }
            "create" => {
                let description = format!("create {} of {} {kind}", sub.name, article(kind));
                let mut create = op(description, id("create"), "post");
                create.parameters = write_params(false);
                create.request = Some(body(sub_ref, true));
                let codes = [("200", "OK"), ("201", "Created"), ("202", "Accepted")];
                create.responses = responses(&codes, sub_ref, OBJECT_MEDIA);
                ops.insert("post".into(), create.render());
            }
            _ => {}
        }
    }
    let mut params = item_params.to_vec();
    if let Some(name) = params.first_mut() {
        // The subresource's `name` names the parent: "name of the Binding" for pods/binding.
        *name = name_param(sub.kind);
    }
    insert_path(paths, &format!("{item}/{}", sub.name), ops, params);
}

fn insert_path(
    paths: &mut Map<String, Value>,
    path: &str,
    mut ops: Map<String, Value>,
    params: Vec<Value>,
) {
    if ops.is_empty() {
        return;
    }
    ops.insert("parameters".into(), Value::Array(params));
    paths.insert(path.to_string(), Value::Object(ops));
}

fn with_pretty(mut params: Vec<Value>) -> Vec<Value> {
    params.push(pretty_param());
    params.sort_by(|a, b| param_name(a).cmp(param_name(b)));
    params
}

fn param_name(param: &Value) -> &str {
    param.get("name").and_then(Value::as_str).unwrap_or("")
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("{SCHEMA_REF_PREFIX}{name}") })
}

fn media(types: &[&str], schema: Value) -> Value {
    Value::Object(
        types
            .iter()
            .map(|t| (t.to_string(), json!({ "schema": schema.clone() })))
            .collect(),
    )
}

/// The responses of an operation: the given codes answer `schema` in `types`; 401 always.
fn responses(codes: &[(&str, &str)], schema: &str, types: &[&str]) -> Value {
    let mut out = Map::new();
    for (code, description) in codes {
        out.insert(
            code.to_string(),
            json!({ "description": description, "content": media(types, schema_ref(schema)) }),
        );
    }
    out.insert("401".into(), json!({ "description": "Unauthorized" }));
    Value::Object(out)
}

fn body(schema: &str, required: bool) -> Value {
    let mut request = json!({ "content": media(&["*/*"], schema_ref(schema)) });
    if required {
        request["required"] = Value::Bool(true);
    }
    request
}

fn patch_body() -> Value {
    json!({ "content": media(PATCH_MEDIA, schema_ref(PATCH)), "required": true })
}

fn param(name: &str, location: &str, description: &str, kind: &str) -> Value {
    let mut p = json!({
        "name": name,
        "in": location,
        "description": description,
        "schema": { "type": kind, "uniqueItems": true },
    });
    if location == "path" {
        p["required"] = Value::Bool(true);
    }
    p
}

fn name_param(kind: &str) -> Value {
    param("name", "path", &format!("name of the {kind}"), "string")
}

fn namespace_param() -> Value {
    param(
        "namespace",
        "path",
        "object name and auth scope, such as for teams and projects",
        "string",
    )
}

fn pretty_param() -> Value {
    param(
        "pretty",
        "query",
        "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
        "string",
    )
}

const ALLOW_WATCH_BOOKMARKS: &str = "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.";
const CONTINUE: &str = "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize. If the specified continue value is no longer valid whether due to expiration (generally five to fifteen minutes) or a configuration change on the server, the server will respond with a 410 ResourceExpired error together with a continue token. If the client needs a consistent list, it must restart their list without the continue field. Otherwise, the client may send another list request with the token received with the 410 error, the server will respond with a list starting from the next key, but from the latest snapshot, which is inconsistent from the previous list results - objects that are created, modified, or deleted after the first list request will be included in the response, as long as their keys are after the \"next key\".\n\nThis field is not supported when watch is true. Clients may start a watch from the last resourceVersion value returned by the server and not miss any modifications.";
const FIELD_SELECTOR: &str =
    "A selector to restrict the list of returned objects by their fields. Defaults to everything.";
const LABEL_SELECTOR: &str =
    "A selector to restrict the list of returned objects by their labels. Defaults to everything.";
const LIMIT: &str = "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results. Setting a limit may return fewer than the requested amount of items (up to zero items) in the event all requested objects are filtered out and clients should only use the presence of the continue field to determine whether more results are available. Servers may choose not to support the limit argument and will return all of the available results. If limit is specified and the continue field is empty, clients may assume that no more results are available. This field is not supported if watch is true.\n\nThe server guarantees that the objects returned when using continue will be identical to issuing a single list call without a limit - that is, no objects created, modified, or deleted after the first request is issued will be included in any subsequent continued requests. This is sometimes referred to as a consistent snapshot, and ensures that a client that is using limit to receive smaller chunks of a very large result can ensure they see all possible objects. If objects are updated during a chunked list the version of the object that was present at the time the first list result was calculated is returned.";
const RESOURCE_VERSION: &str = "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset";
const RESOURCE_VERSION_MATCH: &str = "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset";
const SEND_INITIAL_EVENTS: &str = "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic \"Bookmark\" event  will be sent. The bookmark will report the ResourceVersion (RV) corresponding to the set of objects, and be marked with `\"k8s.io/initial-events-end\": \"true\"` annotation. Afterwards, the watch stream will proceed as usual, sending watch events corresponding to changes (subsequent to the RV) to objects watched.\n\nWhen `sendInitialEvents` option is set, we require `resourceVersionMatch` option to also be set. The semantic of the watch request is as following: - `resourceVersionMatch` = NotOlderThan\n  is interpreted as \"data at least as new as the provided `resourceVersion`\"\n  and the bookmark event is send when the state is synced\n  to a `resourceVersion` at least as fresh as the one provided by the ListOptions.\n  If `resourceVersion` is unset, this is interpreted as \"consistent read\" and the\n  bookmark event is send when the state is synced at least to the moment\n  when request started being processed.\n- `resourceVersionMatch` set to any other value or unset\n  Invalid error is returned.\n\nDefaults to true if `resourceVersion=\"\"` or `resourceVersion=\"0\"` (for backward compatibility reasons) and to false otherwise.";
const TIMEOUT_SECONDS: &str = "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.";
const WATCH: &str = "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.";
const DRY_RUN: &str = "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed";
const FIELD_MANAGER: &str = "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.";
const FIELD_MANAGER_PATCH: &str = "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).";
const FIELD_VALIDATION: &str = "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.";
const FORCE: &str = "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.";
const GRACE_PERIOD_SECONDS: &str = "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.";
const IGNORE_STORE_READ_ERROR: &str = "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it";
const ORPHAN_DEPENDENTS: &str = "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, but not both.";
const PROPAGATION_POLICY: &str = "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.";

fn list_params() -> Vec<Value> {
    vec![
        param(
            "allowWatchBookmarks",
            "query",
            ALLOW_WATCH_BOOKMARKS,
            "boolean",
        ),
        param("continue", "query", CONTINUE, "string"),
        param("fieldSelector", "query", FIELD_SELECTOR, "string"),
        param("labelSelector", "query", LABEL_SELECTOR, "string"),
        param("limit", "query", LIMIT, "integer"),
        param("resourceVersion", "query", RESOURCE_VERSION, "string"),
        param(
            "resourceVersionMatch",
            "query",
            RESOURCE_VERSION_MATCH,
            "string",
        ),
        param("sendInitialEvents", "query", SEND_INITIAL_EVENTS, "boolean"),
        param("timeoutSeconds", "query", TIMEOUT_SECONDS, "integer"),
        param("watch", "query", WATCH, "boolean"),
    ]
}

/// create/update/patch: dryRun, fieldManager, fieldValidation (the one kubectl checks for),
/// and force for patch.
fn write_params(patch: bool) -> Vec<Value> {
    let mut params = vec![
        param("dryRun", "query", DRY_RUN, "string"),
        param(
            "fieldManager",
            "query",
            if patch {
                FIELD_MANAGER_PATCH
            } else {
                FIELD_MANAGER
            },
            "string",
        ),
        param("fieldValidation", "query", FIELD_VALIDATION, "string"),
    ];
    if patch {
        params.push(param("force", "query", FORCE, "boolean"));
    }
    params
}

fn delete_params() -> Vec<Value> {
    vec![
        param("dryRun", "query", DRY_RUN, "string"),
        param(
            "gracePeriodSeconds",
            "query",
            GRACE_PERIOD_SECONDS,
            "integer",
        ),
        param(
            "ignoreStoreReadErrorWithClusterBreakingPotential",
            "query",
            IGNORE_STORE_READ_ERROR,
            "boolean",
        ),
        param("orphanDependents", "query", ORPHAN_DEPENDENTS, "boolean"),
        param("propagationPolicy", "query", PROPAGATION_POLICY, "string"),
    ]
}

fn delete_collection_params() -> Vec<Value> {
    let mut params = delete_params();
    params.extend(
        list_params()
            .into_iter()
            .filter(|p| !matches!(param_name(p), "allowWatchBookmarks" | "watch")),
    );
    params.sort_by(|a, b| param_name(a).cmp(param_name(b)));
    params
}

fn log_params() -> Vec<Value> {
    vec![
        param(
            "container",
            "query",
            "The container for which to stream logs. Defaults to only container if there is one container in the pod.",
            "string",
        ),
        param(
            "follow",
            "query",
            "Follow the log stream of the pod. Defaults to false.",
            "boolean",
        ),
        param(
            "insecureSkipTLSVerifyBackend",
            "query",
            "insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to.  This will make the HTTPS connection between the apiserver and the backend insecure. This means the apiserver cannot verify the log data it is receiving came from the real kubelet.  If the kubelet is configured to verify the apiserver's TLS credentials, it does not mean the connection to the real kubelet is vulnerable to a man in the middle attack (e.g. an attacker could not intercept the actual log data coming from the real kubelet).",
            "boolean",
        ),
        param(
            "limitBytes",
            "query",
            "If set, the number of bytes to read from the server before terminating the log output. This may not display a complete final line of logging, and may return slightly more or slightly less than the specified limit.",
            "integer",
        ),
        param(
            "previous",
            "query",
            "Return previous terminated container logs. Defaults to false.",
            "boolean",
        ),
        param(
            "sinceSeconds",
            "query",
            "A relative time in seconds before the current time from which to show logs. If this value precedes the time a pod was started, only logs since the pod start will be returned. If this value is in the future, no logs will be returned. Only one of sinceSeconds or sinceTime may be specified.",
            "integer",
        ),
        param(
            "stream",
            "query",
            "Specify which container log stream to return to the client. Acceptable values are \"All\", \"Stdout\" and \"Stderr\". If not specified, \"All\" is used, and both stdout and stderr are returned interleaved. Note that when \"TailLines\" is specified, \"Stream\" can only be set to nil or \"All\".",
            "string",
        ),
        param(
            "tailLines",
            "query",
            "If set, the number of lines from the end of the logs to show. If not specified, logs are shown from the creation of the container or sinceSeconds or sinceTime",
            "integer",
        ),
        param(
            "timestamps",
            "query",
            "If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.",
            "boolean",
        ),
    ]
}

/// Wraps the paths into a document whose `components.schemas` holds every definition the paths
/// reference, transitively.
fn with_components(paths: Map<String, Value>) -> Value {
    let schema = Schema::get();
    let mut pending: Vec<String> = Vec::new();
    collect_refs(&Value::Object(paths.clone()), &mut pending);
    let mut included: BTreeSet<String> = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !included.insert(name.clone()) {
            continue;
        }
        if let Some(definition) = schema.definition(&name) {
            collect_refs(definition, &mut pending);
        }
    }
    let schemas: Map<String, Value> = included
        .into_iter()
        .filter_map(|name| {
            let published = match name.as_str() {
                INT_OR_STRING => int_or_string_v3(),
                QUANTITY => quantity_v3(),
                _ => v3_form(schema.definition(&name)?),
            };
            Some((name, published))
        })
        .collect();
    json!({
        "openapi": "3.0.0",
        "info": { "title": "Kubernetes", "version": KUBERNETES_VERSION },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "BearerToken": {
                    "type": "apiKey",
                    "description": "Bearer Token authentication",
                    "name": "authorization",
                    "in": "header",
                },
            },
        },
    })
}

fn collect_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMA_REF_PREFIX))
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// A definition as kube-apiserver publishes it in v3: a `$ref` with sibling keywords (the
/// field's description, its patch strategy) becomes `allOf: [{$ref}]` next to them, because
/// OpenAPI 3.0 ignores siblings of `$ref` — and `kubectl explain` prints both the field's and
/// the type's descriptions from that shape.
fn v3_form(node: &Value) -> Value {
    match node {
        Value::Object(map) => {
            let mut out: Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), v3_form(v))).collect();
            if out.len() > 1
                && let Some(reference) = out.remove("$ref")
            {
                out.insert("allOf".into(), json!([{ "$ref": reference }]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(v3_form).collect()),
        other => other.clone(),
    }
}

/// IntOrString as v3 publishes it: no `type` but `oneOf` integer/string, so `explain` names it
/// `<IntOrString>` (the embedded definitions carry the v2 form, `type: string`).
fn int_or_string_v3() -> Value {
    json!({
        "description": "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
        "format": "int-or-string",
        "oneOf": [{ "type": "integer" }, { "type": "string" }],
    })
}

/// Quantity as v3 publishes it (`oneOf` string/number: `explain` shows `<map[string]Quantity>`).
fn quantity_v3() -> Value {
    json!({ "description": QUANTITY_DESCRIPTION, "oneOf": [{ "type": "string" }, { "type": "number" }] })
}

const QUANTITY_DESCRIPTION: &str = "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | \"\" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```\n\nNo matter which of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller quantities.\n\nWhen a Quantity is parsed from a string, it will remember the type of suffix it had, and will use the same type again when it is serialized.\n\nBefore serializing, Quantity will be put in \"canonical form\". This means that Exponent/suffix will be adjusted up or down (with a corresponding increase or decrease in Mantissa) such that:\n\n- No precision is lost - No fractional digits will be emitted - The exponent (or suffix) is as large as possible.\n\nThe sign will be omitted unless the number is negative.\n\nExamples:\n\n- 1.5 will be serialized as \"1500m\" - 1.5Gi will be serialized as \"1536Mi\"\n\nNote that the quantity will NEVER be internally represented by a floating point number. That is the whole point of this exercise.\n\nNon-canonical values will still parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use canonical form, or don't diff.)\n\nThis format is intended to make it difficult to use these numbers without writing some sort of special handling code in the hopes that that will cause implementors to also use a fixed point implementation.";

/// A stable 128-bit hex fingerprint (two FNV-1a 64 passes with different offsets); clients
/// only use it as a cache key.
fn fingerprint(bytes: &[u8]) -> String {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let fnv = |offset: u64| {
        bytes
            .iter()
            .fold(offset, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
    };
    let first = fnv(0xcbf2_9ce4_8422_2325);
    let second = fnv(first ^ 0x9e37_79b9_7f4a_7c15);
    format!("{first:016X}{second:016X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str) -> Value {
        v3_group_version(path).unwrap_or_else(|| panic!("document {path}"))
    }

    fn operations(document: &Value) -> impl Iterator<Item = (&String, &String, &Value)> {
        document["paths"].as_object().into_iter().flat_map(|paths| {
            paths.iter().flat_map(|(path, item)| {
                item.as_object().into_iter().flat_map(move |ops| {
                    ops.iter()
                        .filter(|(m, _)| *m != "parameters")
                        .map(move |(m, op)| (path, m, op))
                })
            })
        })
    }

    #[test]
    fn root_lists_every_served_group_version_and_resolves() {
        let root = v3_root();
        let paths = root["paths"].as_object().expect("paths");
        for &(group, version) in kinds::GROUPS {
            let key = group_version_path(group, version);
            let url = paths[&key]["serverRelativeURL"].as_str().expect("url");
            let (path, hash) = url
                .strip_prefix("/openapi/v3/")
                .and_then(|u| u.split_once("?hash="))
                .expect("form");
            assert_eq!(path, key);
            assert_eq!(hash.len(), 32);
            let (bytes, served_hash) = v3_document_bytes(path).expect("served");
            assert_eq!(served_hash, hash);
            assert_eq!(fingerprint(bytes), hash);
            assert!(v3_group_version(path).is_some());
        }
        for extra in [
            "api",
            "apis",
            "apis/apps",
            "apis/coordination.k8s.io",
            "version",
        ] {
            assert!(paths.contains_key(extra), "{extra}");
            assert!(v3_document_bytes(extra).is_some(), "{extra}");
        }
        assert!(v3_document_bytes("apis/batch/v1").is_none());
        assert!(v3_group_version("nope").is_none());
        // Stable across calls: hashes are cache keys.
        assert_eq!(v3_root(), root);
    }

    #[test]
    fn pod_patch_carries_gvk_field_validation_and_strategic_merge() {
        let core = doc("api/v1");
        let item = &core["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"];
        let patch = &item["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"],
            json!({"group": "", "version": "v1", "kind": "Pod"})
        );
        assert_eq!(patch["x-kubernetes-action"], "patch");
        assert_eq!(patch["operationId"], "patchCoreV1NamespacedPod");
        let names: Vec<&str> = patch["parameters"]
            .as_array()
            .expect("params")
            .iter()
            .map(param_name)
            .collect();
        assert_eq!(
            names,
            ["dryRun", "fieldManager", "fieldValidation", "force"]
        );
        assert!(
            patch["requestBody"]["content"]
                .get("application/strategic-merge-patch+json")
                .is_some()
        );
        let path_params: Vec<&str> = item["parameters"]
            .as_array()
            .expect("params")
            .iter()
            .map(param_name)
            .collect();
        assert_eq!(path_params, ["name", "namespace", "pretty"]);
    }

    #[test]
    fn every_kind_has_a_patch_operation_kubectl_accepts() {
        // What QueryParamVerifierV3 and the apply patcher look for, kind by kind (reviews are
        // create-only: there is nothing to patch).
        for rt in kinds::ALL.iter().filter(|rt| rt.verbs.contains(&"patch")) {
            let document = doc(&group_version_path(rt.group, rt.version));
            let want = gvk(rt.group, rt.version, rt.kind);
            let found = operations(&document).any(|(_, method, op)| {
                method == "patch"
                    && op["x-kubernetes-group-version-kind"] == want
                    && op["parameters"]
                        .as_array()
                        .is_some_and(|ps| ps.iter().any(|p| param_name(p) == "fieldValidation"))
                    && op["requestBody"]["content"]
                        .get("application/strategic-merge-patch+json")
                        .is_some()
            });
            assert!(found, "{}", rt.kind);
            let schemas = document["components"]["schemas"]
                .as_object()
                .expect("schemas");
            let listed = schemas.values().any(|s| {
                s["x-kubernetes-group-version-kind"]
                    .as_array()
                    .is_some_and(|gvks| gvks.contains(&want))
            });
            assert!(listed, "{} schema", rt.kind);
        }
    }

    #[test]
    fn explain_finds_the_gvk_on_the_resource_paths() {
        // plaintext.tmpl looks at /<prefix>/<plural>, …/{name}, and the namespaced forms.
        for rt in kinds::ALL {
            let document = doc(&group_version_path(rt.group, rt.version));
            let prefix = if rt.group.is_empty() {
                "/api".to_string()
            } else {
                format!("/apis/{}", rt.group)
            };
            let candidates = [
                format!("{prefix}/{}/{}", rt.version, rt.plural),
                format!("{prefix}/{}/{}/{{name}}", rt.version, rt.plural),
                format!(
                    "{prefix}/{}/namespaces/{{namespace}}/{}",
                    rt.version, rt.plural
                ),
                format!(
                    "{prefix}/{}/namespaces/{{namespace}}/{}/{{name}}",
                    rt.version, rt.plural
                ),
            ];
            let found = candidates.iter().find_map(|p| {
                let item = document["paths"].get(p)?;
                ["get", "post", "put", "patch", "delete"]
                    .iter()
                    .find_map(|m| {
                        item.get(*m)?
                            .get("x-kubernetes-group-version-kind")
                            .cloned()
                    })
            });
            assert_eq!(
                found,
                Some(gvk(rt.group, rt.version, rt.kind)),
                "{}",
                rt.plural
            );
        }
    }

    #[test]
    fn every_ref_resolves_inside_its_document() {
        for path in documents().keys() {
            let document = doc(path);
            let schemas = document["components"]["schemas"]
                .as_object()
                .expect("schemas");
            let mut refs = Vec::new();
            collect_refs(&document, &mut refs);
            assert!(!refs.is_empty(), "{path}");
            for name in refs {
                assert!(schemas.contains_key(&name), "{path}: {name}");
            }
            let mut raw_refs = Vec::new();
            collect_all_refs(&document, &mut raw_refs);
            assert!(
                raw_refs.iter().all(|r| r.starts_with(SCHEMA_REF_PREFIX)),
                "{path}"
            );
        }
    }

    fn collect_all_refs(node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    out.push(r.to_string());
                    assert_eq!(map.len(), 1, "$ref with siblings: {r}");
                }
                map.values().for_each(|v| collect_all_refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_all_refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn schemas_keep_descriptions_and_patch_metadata() {
        let core = doc("api/v1");
        let schemas = &core["components"]["schemas"];
        let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
        assert!(
            containers["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("List of containers"))
        );
        assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
        assert_eq!(containers["x-kubernetes-patch-strategy"], "merge");
        assert_eq!(
            containers["items"]["$ref"],
            "#/components/schemas/io.k8s.api.core.v1.Container"
        );
        let spec = &schemas["io.k8s.api.core.v1.Pod"]["properties"]["spec"];
        assert!(
            spec["description"]
                .as_str()
                .is_some_and(|d| d.contains("desired behavior of the pod"))
        );
        assert_eq!(
            spec["allOf"],
            json!([{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}])
        );
        assert!(
            schemas["io.k8s.api.core.v1.Container"]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
        let ports = &schemas["io.k8s.api.core.v1.Container"]["properties"]["ports"];
        assert_eq!(ports["x-kubernetes-patch-merge-key"], "containerPort");
        assert!(schemas.get("io.k8s.api.policy.v1.Eviction").is_some());
        assert_eq!(
            schemas[QUANTITY]["oneOf"],
            json!([{"type": "string"}, {"type": "number"}])
        );
        assert!(schemas[QUANTITY].get("type").is_none());
        assert!(
            schemas[QUANTITY]["description"]
                .as_str()
                .is_some_and(|d| d.contains("fixed-point"))
        );
        assert!(core["components"]["securitySchemes"]["BearerToken"].is_object());
        assert!(
            schemas.get("io.k8s.api.apps.v1.Deployment").is_none(),
            "api/v1 holds only what it references"
        );

        let apps = doc("apis/apps/v1");
        let strategy = &apps["components"]["schemas"]["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]
            ["strategy"];
        assert_eq!(strategy["x-kubernetes-patch-strategy"], "retainKeys");
        assert!(strategy["allOf"].is_array());
        assert!(
            apps["components"]["schemas"]
                .get("io.k8s.api.autoscaling.v1.Scale")
                .is_some()
        );
        let int_or_string = &apps["components"]["schemas"][INT_OR_STRING];
        assert_eq!(int_or_string["format"], "int-or-string");
        assert!(int_or_string.get("type").is_none() && int_or_string["oneOf"].is_array());
    }

    #[test]
    fn operations_follow_verbs_and_real_names() {
        let core = doc("api/v1");
        let paths = &core["paths"];
        assert_eq!(
            paths["/api/v1/pods"]["get"]["operationId"],
            "listCoreV1PodForAllNamespaces"
        );
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/pods"]["post"]["operationId"],
            "createCoreV1NamespacedPod"
        );
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/pods"]["delete"]["operationId"],
            "deleteCoreV1CollectionNamespacedPod"
        );
        // Namespaces have no deletecollection, as in kinds.rs and the real server.
        assert!(paths["/api/v1/namespaces"].get("delete").is_none());
        assert_eq!(
            paths["/api/v1/namespaces/{name}/finalize"]["put"]["operationId"],
            "replaceCoreV1NamespaceFinalize"
        );
        let eviction = &paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"]["post"];
        assert_eq!(
            eviction["x-kubernetes-group-version-kind"],
            gvk("policy", "v1", "Eviction")
        );
        assert_eq!(eviction["operationId"], "createCoreV1NamespacedPodEviction");
        let log = &paths["/api/v1/namespaces/{namespace}/pods/{name}/log"]["get"];
        assert_eq!(
            log["responses"]["200"]["content"]["text/plain"]["schema"]["type"],
            "string"
        );
        assert!(
            paths
                .get("/api/v1/watch/namespaces/{namespace}/pods/{name}")
                .is_some()
        );
        assert_eq!(
            paths["/api/v1/nodes/{name}/status"]["patch"]["operationId"],
            "patchCoreV1NodeStatus"
        );

        let apps = doc("apis/apps/v1");
        let scale = &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]
            ["patch"];
        assert_eq!(
            scale["x-kubernetes-group-version-kind"],
            gvk("autoscaling", "v1", "Scale")
        );
        assert_eq!(scale["operationId"], "patchAppsV1NamespacedDeploymentScale");
        assert_eq!(
            apps["paths"]["/apis/apps/v1/"]["get"]["operationId"],
            "getAppsV1APIResources"
        );
        let lease = doc("apis/coordination.k8s.io/v1");
        let leases =
            &lease["paths"]["/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"];
        assert_eq!(leases["put"]["tags"], json!(["coordination_v1"]));
        assert_eq!(
            leases["put"]["operationId"],
            "replaceCoordinationV1NamespacedLease"
        );
        assert_eq!(
            doc("apis/apps")["paths"]["/apis/apps/"]["get"]["operationId"],
            "getAppsAPIGroup"
        );
        assert_eq!(doc("version")["info"]["version"], KUBERNETES_VERSION);
    }

    #[test]
    fn documents_are_openapi_3() {
        for path in documents().keys() {
            let document = doc(path);
            assert_eq!(document["openapi"], "3.0.0");
            assert_eq!(document["info"]["title"], "Kubernetes");
            for (p, method, op) in operations(&document) {
                assert!(p.starts_with('/'), "{p}");
                assert!(
                    ["get", "put", "post", "delete", "patch"].contains(&method.as_str()),
                    "{p} {method}"
                );
                assert!(
                    op["operationId"].is_string() && op["responses"]["401"].is_object(),
                    "{p} {method}"
                );
                for param in op["parameters"].as_array().into_iter().flatten() {
                    assert!(
                        param["name"].is_string() && param["in"] == "query",
                        "{p} {method}"
                    );
                }
            }
        }
    }
}
