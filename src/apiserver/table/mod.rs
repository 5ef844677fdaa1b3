//! Server-side printing: the `meta.k8s.io/v1` Tables that `kubectl get` asks for
//! (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Ports the column definitions and
//! cell logic of `pkg/printers/internalversion/printers.go` for the served kinds (one file per
//! family: `pods`, `core`, `apps`, `coordination`), and the default Name / Created At table of
//! `k8s.io/apiserver/pkg/registry/rest/table.go` for anything else. As in kube-apiserver, cells
//! are always generated wide (kubectl hides `priority: 1` columns unless `-o wide`), and each
//! row carries the object as `?includeObject=` asks. Pure functions over JSON objects and a
//! clock reading; calls `api::time`, `api::label_selector` and `api::kinds`.

mod apps;
mod coordination;
mod core;
mod pods;
mod rbac;

use crate::api::kinds;
use crate::api::time::{ZERO_TIME_MS, format_time, human_duration, parse_time};
use serde_json::{Map, Value, json};

/// `?includeObject=`: what each row's `object` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    /// `None`: no object (`"object": null`).
    None,
    /// `Metadata` (the default): a `PartialObjectMetadata` with the object's `metadata`.
    #[default]
    Metadata,
    /// `Object`: the whole object.
    Object,
}

impl IncludeObject {
    /// Reads the query parameter as kube-apiserver does: absent or empty means `Metadata`;
    /// anything unknown is a 400 with this message.
    pub fn parse(value: Option<&str>) -> Result<IncludeObject, String> {
        match value.unwrap_or_default() {
            "" | "Metadata" => Ok(IncludeObject::Metadata),
            "None" => Ok(IncludeObject::None),
            "Object" => Ok(IncludeObject::Object),
            other => Err(format!("unrecognized includeObject value: {other:?}")),
        }
    }
}

/// How to build one Table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableOptions {
    pub include_object: IncludeObject,
    /// Leaves `columnDefinitions` out (`null`), as a watch does after its first Table event.
    pub no_headers: bool,
}

/// One `TableColumnDefinition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// `string`, `integer`, `number`, `boolean` or `date`.
    pub type_: &'static str,
    /// `name` for the object's name column, otherwise empty.
    pub format: &'static str,
    pub description: &'static str,
    /// 0 always shown; 1 only with `-o wide`.
    pub priority: u8,
}

impl Column {
    fn to_json(self) -> Value {
        json!({
            "name": self.name,
            "type": self.type_,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

/// A printed row: its cells and, for finished pods, its `conditions`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Row {
    pub cells: Vec<Value>,
    pub conditions: Vec<Value>,
}

impl Row {
    pub(crate) fn new(cells: Vec<Value>) -> Row {
        Row {
            cells,
            conditions: Vec::new(),
        }
    }
}

/// A printer: the columns of a kind and how one object becomes a row.
struct Printer {
    columns: &'static [Column],
    print: fn(&Value, i64) -> Row,
}

/// `metav1.ObjectMeta{}.SwaggerDoc()["name"]`.
pub(crate) const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
/// `metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"]`.
pub(crate) const CREATION_TIMESTAMP_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
pub(crate) const CONTAINERS_DESCRIPTION: &str = "Names of each container in the template.";
pub(crate) const IMAGES_DESCRIPTION: &str = "Images referenced by each container in the template.";

/// The object's name column, as every printer starts.
pub(crate) const NAME_COLUMN: Column = Column {
    name: "Name",
    type_: "string",
    format: "name",
    description: NAME_DESCRIPTION,
    priority: 0,
};
/// The AGE column.
pub(crate) const AGE_COLUMN: Column = Column {
    name: "Age",
    type_: "string",
    format: "",
    description: CREATION_TIMESTAMP_DESCRIPTION,
    priority: 0,
};

/// `rest.NewDefaultTableConvertor`: what a kind without a printer shows.
const DEFAULT_COLUMNS: &[Column] = &[
    NAME_COLUMN,
    Column {
        name: "Created At",
        type_: "date",
        format: "",
        description: CREATION_TIMESTAMP_DESCRIPTION,
        priority: 0,
    },
];

fn print_default(object: &Value, _now_ms: i64) -> Row {
    let created = time_at(object, "/metadata/creationTimestamp");
    Row::new(vec![json!(name(object)), json!(format_time(created))])
}

fn printer(group: &str, kind: &str) -> Printer {
    match (group, kind) {
        ("rbac.authorization.k8s.io", "RoleBinding") => Printer {
            columns: rbac::ROLE_BINDING_COLUMNS,
            print: rbac::print_role_binding,
        },
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => Printer {
            columns: rbac::CLUSTER_ROLE_BINDING_COLUMNS,
            print: rbac::print_role_binding,
        },
        ("", "ResourceQuota") => Printer {
            columns: rbac::RESOURCE_QUOTA_COLUMNS,
            print: rbac::print_resource_quota,
        },
        ("", "Pod") => Printer {
            columns: pods::COLUMNS,
            print: pods::print_pod,
        },
        ("", "Node") => Printer {
            columns: core::NODE_COLUMNS,
            print: core::print_node,
        },
        ("", "Namespace") => Printer {
            columns: core::NAMESPACE_COLUMNS,
            print: core::print_namespace,
        },
        ("", "Event") => Printer {
            columns: core::EVENT_COLUMNS,
            print: core::print_event,
        },
        ("", "ConfigMap") => Printer {
            columns: core::CONFIG_MAP_COLUMNS,
            print: core::print_config_map,
        },
        ("", "ServiceAccount") => Printer {
            columns: core::SERVICE_ACCOUNT_COLUMNS,
            print: core::print_service_account,
        },
        ("apps", "Deployment") => Printer {
            columns: apps::DEPLOYMENT_COLUMNS,
            print: apps::print_deployment,
        },
        ("apps", "ReplicaSet") => Printer {
            columns: apps::REPLICA_SET_COLUMNS,
            print: apps::print_replica_set,
        },
        ("coordination.k8s.io", "Lease") => Printer {
            columns: coordination::LEASE_COLUMNS,
            print: coordination::print_lease,
        },
        _ => Printer {
            columns: DEFAULT_COLUMNS,
            print: print_default,
        },
    }
}

/// The column definitions `kubectl get` receives for a kind.
pub fn column_definitions(group: &str, kind: &str) -> &'static [Column] {
    printer(group, kind).columns
}

/// The Table of `objects` (one for a GET, the items for a LIST or a watch event) with headers.
/// `metadata` is left empty for the caller to fill (`resourceVersion`, `continue`).
pub fn table(
    group: &str,
    kind: &str,
    objects: &[Value],
    now_ms: i64,
    include_object: IncludeObject,
) -> Value {
    table_with(
        group,
        kind,
        objects,
        now_ms,
        TableOptions {
            include_object,
            no_headers: false,
        },
    )
}

/// [`table`] with every option.
pub fn table_with(
    group: &str,
    kind: &str,
    objects: &[Value],
    now_ms: i64,
    options: TableOptions,
) -> Value {
    let printer = printer(group, kind);
    let columns = if options.no_headers {
        Value::Null
    } else {
        Value::Array(printer.columns.iter().map(|c| c.to_json()).collect())
    };
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let row = (printer.print)(object, now_ms);
            let mut out = Map::new();
            out.insert("cells".to_string(), Value::Array(row.cells));
            if !row.conditions.is_empty() {
                out.insert("conditions".to_string(), Value::Array(row.conditions));
            }
            out.insert(
                "object".to_string(),
                row_object(group, kind, object, options.include_object),
            );
            Value::Object(out)
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": columns,
        "rows": rows,
    })
}

/// What a row carries for `?includeObject=`.
fn row_object(group: &str, kind: &str, object: &Value, include: IncludeObject) -> Value {
    match include {
        IncludeObject::None => Value::Null,
        IncludeObject::Metadata => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
        }),
        IncludeObject::Object => {
            let mut full = object.clone();
            // The real server converts the object to its version, which sets kind and apiVersion.
            if let (Value::Object(map), Some(resource)) = (
                &mut full,
                kinds::ALL
                    .iter()
                    .find(|r| r.group == group && r.kind == kind),
            ) {
                map.entry("kind").or_insert_with(|| json!(resource.kind));
                map.entry("apiVersion")
                    .or_insert_with(|| json!(resource.api_version()));
            }
            full
        }
    }
}

pub(crate) use crate::api::pointer::str_at;

/// The integer at a JSON pointer, or 0 (Go's zero value for an absent field).
pub(crate) fn int_at(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// The array at a JSON pointer, or an empty slice.
pub(crate) fn array_at<'a>(object: &'a Value, pointer: &str) -> &'a [Value] {
    object
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The number of entries of a map or list at a JSON pointer (`len()` in Go).
pub(crate) fn len_at(object: &Value, pointer: &str) -> i64 {
    match object.pointer(pointer) {
        Some(Value::Object(m)) => m.len() as i64,
        Some(Value::Array(a)) => a.len() as i64,
        _ => 0,
    }
}

pub(crate) fn name(object: &Value) -> &str {
    str_at(object, "/metadata/name")
}

/// A `metav1.Time`/`MicroTime` field as Unix ms; absent, null or unreadable is Go's zero time.
pub(crate) fn time_at(object: &Value, pointer: &str) -> i64 {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(parse_time)
        .unwrap_or(ZERO_TIME_MS)
}

/// `translateTimestampSince`: the age of an instant, `<unknown>` for the zero time.
pub(crate) fn since(time_ms: i64, now_ms: i64) -> String {
    if time_ms == ZERO_TIME_MS {
        return "<unknown>".to_string();
    }
    human_duration(now_ms.saturating_sub(time_ms))
}

/// The AGE cell of an object.
pub(crate) fn age(object: &Value, now_ms: i64) -> String {
    since(time_at(object, "/metadata/creationTimestamp"), now_ms)
}

/// `layoutContainerCells`: container names and images, each comma-joined.
pub(crate) fn layout_container_cells(containers: &[Value]) -> (String, String) {
    let names: Vec<&str> = containers.iter().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = containers.iter().map(|c| str_at(c, "/image")).collect();
    (names.join(","), images.join(","))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// 2026-11-23T00:43:19Z, the clock of every table test.
    pub(crate) const NOW: i64 = 1_795_394_599_000;

    /// An RFC 3339 instant `seconds` before [`NOW`].
    pub(crate) fn ago(seconds: i64) -> String {
        format_time(NOW - seconds * 1000)
    }

    /// The cells of the single row of a one-object table.
    pub(crate) fn cells(group: &str, kind: &str, object: Value) -> Vec<Value> {
        let t = table(group, kind, &[object], NOW, IncludeObject::None);
        t.pointer("/rows/0/cells")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The `(name, type, format, priority)` of each column.
    pub(crate) fn column_shapes(
        group: &str,
        kind: &str,
    ) -> Vec<(&'static str, &'static str, &'static str, u8)> {
        column_definitions(group, kind)
            .iter()
            .map(|c| (c.name, c.type_, c.format, c.priority))
            .collect()
    }

    #[test]
    fn include_object_parses_like_the_query_parameter() {
        assert_eq!(IncludeObject::parse(None), Ok(IncludeObject::Metadata));
        assert_eq!(IncludeObject::parse(Some("")), Ok(IncludeObject::Metadata));
        assert_eq!(
            IncludeObject::parse(Some("Metadata")),
            Ok(IncludeObject::Metadata)
        );
        assert_eq!(IncludeObject::parse(Some("None")), Ok(IncludeObject::None));
        assert_eq!(
            IncludeObject::parse(Some("Object")),
            Ok(IncludeObject::Object)
        );
        assert_eq!(
            IncludeObject::parse(Some("all")),
            Err("unrecognized includeObject value: \"all\"".to_string())
        );
    }

    #[test]
    fn table_has_the_wire_shape_kubectl_reads() {
        let ns = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "default", "uid": "u1", "resourceVersion": "33",
                         "creationTimestamp": ago(13 * 86400), "labels": {"kubernetes.io/metadata.name": "default"}},
            "status": {"phase": "Active"}
        });
        let t = table(
            "",
            "Namespace",
            std::slice::from_ref(&ns),
            NOW,
            IncludeObject::Metadata,
        );
        let want = json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {},
            "columnDefinitions": [
                {"name": "Name", "type": "string", "format": "name", "description": NAME_DESCRIPTION, "priority": 0},
                {"name": "Status", "type": "string", "format": "", "description": "The status of the namespace", "priority": 0},
                {"name": "Age", "type": "string", "format": "", "description": CREATION_TIMESTAMP_DESCRIPTION, "priority": 0}
            ],
            "rows": [{
                "cells": ["default", "Active", "13d"],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": ns["metadata"].clone()}
            }]
        });
        assert_eq!(t, want);
    }

    #[test]
    fn include_object_none_and_object() {
        let cm = json!({"metadata": {"name": "c", "namespace": "default"}, "data": {"a": "1"}});
        let none = table(
            "",
            "ConfigMap",
            std::slice::from_ref(&cm),
            NOW,
            IncludeObject::None,
        );
        assert_eq!(none.pointer("/rows/0/object"), Some(&Value::Null));
        let full = table(
            "",
            "ConfigMap",
            std::slice::from_ref(&cm),
            NOW,
            IncludeObject::Object,
        );
        let obj = full.pointer("/rows/0/object").cloned().unwrap_or_default();
        assert_eq!(obj["kind"], "ConfigMap");
        assert_eq!(obj["apiVersion"], "v1");
        assert_eq!(obj["data"]["a"], "1");
        let dep = json!({"metadata": {"name": "d"}});
        let full = table("apps", "Deployment", &[dep], NOW, IncludeObject::Object);
        assert_eq!(
            full.pointer("/rows/0/object/apiVersion"),
            Some(&json!("apps/v1"))
        );
        // An object without metadata still gets a PartialObjectMetadata.
        let bare = table("", "ConfigMap", &[json!({})], NOW, IncludeObject::Metadata);
        assert_eq!(bare.pointer("/rows/0/object/metadata"), Some(&json!({})));
    }

    #[test]
    fn no_headers_and_empty_lists() {
        let t = table_with(
            "",
            "Pod",
            &[json!({"metadata": {"name": "p"}})],
            NOW,
            TableOptions {
                include_object: IncludeObject::None,
                no_headers: true,
            },
        );
        assert_eq!(t["columnDefinitions"], Value::Null);
        assert_eq!(t["rows"].as_array().map(Vec::len), Some(1));
        let empty = table("", "Pod", &[], NOW, IncludeObject::Metadata);
        assert_eq!(empty["rows"], json!([]));
        assert_eq!(empty["columnDefinitions"].as_array().map(Vec::len), Some(9));
    }

    #[test]
    fn default_table_for_kinds_without_a_printer() {
        assert_eq!(
            column_shapes("rbac.authorization.k8s.io", "Role"),
            vec![("Name", "string", "name", 0), ("Created At", "date", "", 0)]
        );
        let role = json!({"metadata": {"name": "r", "creationTimestamp": "2026-11-23T00:43:19Z"}});
        assert_eq!(
            cells("rbac.authorization.k8s.io", "Role", role),
            vec![json!("r"), json!("2026-11-23T00:43:19Z")]
        );
        // A missing creationTimestamp is Go's zero time, formatted as such.
        assert_eq!(
            cells("x", "Y", json!({"metadata": {"name": "y"}})),
            vec![json!("y"), json!("0001-01-01T00:00:00Z")]
        );
    }

    #[test]
    fn age_of_missing_or_zero_timestamps_is_unknown() {
        assert_eq!(age(&json!({}), NOW), "<unknown>");
        assert_eq!(
            age(&json!({"metadata": {"creationTimestamp": null}}), NOW),
            "<unknown>"
        );
        assert_eq!(
            age(
                &json!({"metadata": {"creationTimestamp": "0001-01-01T00:00:00Z"}}),
                NOW
            ),
            "<unknown>"
        );
        assert_eq!(
            age(&json!({"metadata": {"creationTimestamp": "garbage"}}), NOW),
            "<unknown>"
        );
        assert_eq!(
            age(&json!({"metadata": {"creationTimestamp": ago(125)}}), NOW),
            "2m5s"
        );
        // A clock skewed into the future by more than 2 s reads as the real printer shows it.
        assert_eq!(
            age(&json!({"metadata": {"creationTimestamp": ago(-10)}}), NOW),
            "<invalid>"
        );
    }

    #[test]
    fn every_printer_survives_junk_objects() {
        let kinds = [
            ("", "Pod"),
            ("", "Node"),
            ("", "Namespace"),
            ("", "Event"),
            ("", "ConfigMap"),
            ("", "ServiceAccount"),
            ("apps", "Deployment"),
            ("apps", "ReplicaSet"),
            ("coordination.k8s.io", "Lease"),
            ("x", "Other"),
        ];
        let junk = [
            json!(null),
            json!(5),
            json!("pod"),
            json!([1, 2]),
            json!({"metadata": "x", "spec": [], "status": 7}),
            json!({"spec": {"containers": "x", "initContainers": [null, 1]}, "status": {"containerStatuses": [null, {"state": 5}], "initContainerStatuses": [{}]}}),
            json!({"status": {"conditions": [null, {"type": 1}], "addresses": "x", "nodeInfo": null}, "metadata": {"labels": {"node-role.kubernetes.io/": "", "kubernetes.io/role": 3}}}),
            json!({"involvedObject": null, "series": {"count": "x"}, "count": -1, "spec": {"selector": {"matchExpressions": [{}]}, "template": {"spec": {"containers": [{}]}}}}),
        ];
        for (group, kind) in kinds {
            for object in &junk {
                let t = table(
                    group,
                    kind,
                    std::slice::from_ref(object),
                    NOW,
                    IncludeObject::Metadata,
                );
                let columns = column_definitions(group, kind).len();
                assert_eq!(
                    t.pointer("/rows/0/cells")
                        .and_then(Value::as_array)
                        .map(Vec::len),
                    Some(columns),
                    "{kind} {object}"
                );
            }
        }
    }
}
