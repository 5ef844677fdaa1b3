//! What kubectl does with a manifest before it sends anything: read the file, turn each YAML
//! document into a JSON object (a `kind: List` into its items), and map each kind to its
//! resource — with the messages kubectl prints when one of those fails.

use crate::api::kinds::{self, ResourceType};
use serde_json::Value;
use std::path::Path;

/// One object of a manifest, mapped to its resource.
#[derive(Debug, Clone)]
pub struct ManifestObject {
    pub object: Value,
    pub rt: &'static ResourceType,
    /// Where it goes: the object's namespace, else `default` (for namespaced kinds).
    pub namespace: Option<String>,
    pub name: String,
}

impl ManifestObject {
    /// The collection URL (`/api/v1/namespaces/default/pods`).
    pub fn collection_path(&self) -> String {
        let base = if self.rt.group.is_empty() {
            format!("/api/{}", self.rt.version)
        } else {
            format!("/apis/{}/{}", self.rt.group, self.rt.version)
        };
        match &self.namespace {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.rt.plural),
            None => format!("{base}/{}", self.rt.plural),
        }
    }

    /// The object's URL.
    pub fn path(&self) -> String {
        format!("{}/{}", self.collection_path(), self.name)
    }

    /// How kubectl names it in its output: `pod/web`, `deployment.apps/web`.
    pub fn display(&self) -> String {
        if self.rt.group.is_empty() {
            format!("{}/{}", self.rt.singular, self.name)
        } else {
            format!("{}.{}/{}", self.rt.singular, self.rt.group, self.name)
        }
    }

    /// `Pod default/web`, for hops.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.rt.kind, self.name),
            None => format!("{} {}", self.rt.kind, self.name),
        }
    }
}

/// Reads and maps every object of `path`. Errors read as kubectl's.
pub fn read(path: &Path) -> Result<Vec<ManifestObject>, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("error: the path \"{shown}\" does not exist"),
        _ => format!("error: reading \"{shown}\": {e}"),
    })?;
    parse(&text, &shown.to_string())
}

/// Maps every object of a manifest's text; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Vec<ManifestObject>, String> {
    let mut objects = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value: Value = serde::Deserialize::deserialize(document).map_err(|e| {
            format!("error: error parsing {source}: error converting YAML to JSON: yaml: {e}")
        })?;
        match value {
            Value::Null => continue,
            Value::Object(_) => {}
            _ => {
                return Err(format!(
                    "error: error parsing {source}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_type(&value)
                ));
            }
        }
        if value.get("kind").and_then(Value::as_str) == Some("List") {
            for item in value
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                objects.push(map(item.clone(), source)?);
            }
        } else {
            objects.push(map(value, source)?);
        }
    }
    if objects.is_empty() {
        return Err(format!("error: no objects passed to apply ({source})"));
    }
    Ok(objects)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "object",
    }
}

fn map(object: Value, source: &str) -> Result<ManifestObject, String> {
    let text = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
    let api_version = text("/apiVersion");
    let kind = text("/kind");
    if api_version.is_empty() || kind.is_empty() {
        let missing = if api_version.is_empty() {
            "apiVersion"
        } else {
            "kind"
        };
        return Err(format!(
            "error: error validating \"{source}\": error validating data: {missing} not set; if you choose to ignore these errors, turn validation off with --validate=false"
        ));
    }
    let name = text("/metadata/name").to_string();
    let namespace = text("/metadata/namespace").to_string();
    let (group, version) = kinds::split_api_version(api_version);
    let Some(rt) = kinds::by_kind(group, version, kind) else {
        return Err(format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first"
        ));
    };
    let namespace = rt.namespaced.then(|| {
        if namespace.is_empty() {
            "default".to_string()
        } else {
            namespace
        }
    });
    if name.is_empty() {
        return Err(format!(
            "error: {}",
            retrieving(
                rt,
                &name,
                namespace.as_deref(),
                source,
                "resource name may not be empty"
            )
        ));
    }
    Ok(ManifestObject {
        object,
        rt,
        namespace,
        name,
    })
}

/// kubectl's words when it could not read an object before applying it.
pub fn retrieving(
    rt: &ResourceType,
    name: &str,
    namespace: Option<&str>,
    source: &str,
    why: &str,
) -> String {
    format!(
        "error when retrieving current configuration of:\nResource: \"{}\", GroupVersionKind: \"{}\"\nName: \"{name}\", Namespace: \"{}\"\nfrom server for: \"{source}\": {why}",
        resource_with_group(rt),
        gvk(rt),
        namespace.unwrap_or("")
    )
}

/// `/v1, Resource=pods` or `apps/v1, Resource=deployments`, as kubectl's errors write it.
pub fn resource_with_group(rt: &ResourceType) -> String {
    format!("{}, Resource={}", group_version(rt), rt.plural)
}

/// `/v1, Kind=Pod`.
pub fn gvk(rt: &ResourceType) -> String {
    format!("{}, Kind={}", group_version(rt), rt.kind)
}

fn group_version(rt: &ResourceType) -> String {
    format!("{}/{}", rt.group, rt.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_lists_become_mapped_objects() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: team}}\n";
        let objects = parse(text, "x.yaml").unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].path(), "/api/v1/namespaces/default/pods/a");
        assert_eq!(objects[0].display(), "pod/a");
        assert_eq!(
            objects[1].path(),
            "/apis/apps/v1/namespaces/team/deployments/d"
        );
        assert_eq!(objects[1].display(), "deployment.apps/d");
    }

    #[test]
    fn failures_read_as_kubectl_prints_them() {
        let unknown = parse(
            "apiVersion: v1\nkind: Pood\nmetadata: {name: a}\n",
            "x.yaml",
        )
        .unwrap_err();
        assert!(
            unknown.contains("no matches for kind \"Pood\" in version \"v1\""),
            "{unknown}"
        );
        let no_kind = parse("apiVersion: v1\nmetadata: {name: a}\n", "x.yaml").unwrap_err();
        assert!(no_kind.contains("kind not set"), "{no_kind}");
        let bad = parse("a: b: c\n", "x.yaml").unwrap_err();
        assert!(bad.starts_with("error: error parsing x.yaml"), "{bad}");
        assert!(parse("", "x.yaml").is_err());
        assert!(
            read(Path::new("/no/such/file.yaml"))
                .unwrap_err()
                .contains("does not exist")
        );
    }
}
