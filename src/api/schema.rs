//! The OpenAPI schemas of the kinds podflow serves: the real Kubernetes 1.32 definitions
//! (`assets/openapi/definitions.json`, see `tools/gen-openapi-definitions.py`), embedded in the
//! binary. Strict field validation, strategic merge patch (its merge keys come from
//! `x-kubernetes-patch-merge-key`), server-side apply and the `/openapi/v3` documents all read
//! them from here, so they agree with each other and with a real cluster.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

const DEFINITIONS: &str = include_str!("../../assets/openapi/definitions.json");
const REF_PREFIX: &str = "#/components/schemas/";

/// All definitions, keyed by their OpenAPI name (`io.k8s.api.core.v1.Pod`).
pub struct Schema {
    definitions: Map<String, Value>,
}

/// A definition named by `x-kubernetes-group-version-kind`.
struct KindDefinition {
    group: &'static str,
    version: &'static str,
    name: &'static str,
    definition: &'static Value,
}

impl Schema {
    /// The embedded schema, parsed once.
    pub fn get() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let definitions: Map<String, Value> = match serde_json::from_str(DEFINITIONS) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            };
            Schema { definitions }
        })
    }

    /// Kind → the definitions naming it, per group and version; the first definition (by
    /// name) naming a group-version-kind wins. Looked up on every request, so keyed by kind
    /// alone and without building a key.
    fn by_kind() -> &'static HashMap<&'static str, Vec<KindDefinition>> {
        static BY_KIND: OnceLock<HashMap<&'static str, Vec<KindDefinition>>> = OnceLock::new();
        BY_KIND.get_or_init(|| {
            let mut by_kind: HashMap<&'static str, Vec<KindDefinition>> = HashMap::new();
            for (name, definition) in &Schema::get().definitions {
                let gvks = definition
                    .get("x-kubernetes-group-version-kind")
                    .and_then(Value::as_array);
                for gvk in gvks.into_iter().flatten() {
                    let part = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or("");
                    let (group, version) = (part("group"), part("version"));
                    let named = by_kind.entry(part("kind")).or_default();
                    if !named
                        .iter()
                        .any(|d| d.group == group && d.version == version)
                    {
                        named.push(KindDefinition {
                            group,
                            version,
                            name,
                            definition,
                        });
                    }
                }
            }
            by_kind
        })
    }

    pub fn definitions(&self) -> &Map<String, Value> {
        &self.definitions
    }

    pub fn definition(&self, name: &str) -> Option<&Value> {
        self.definitions.get(name)
    }

    /// The definition whose `x-kubernetes-group-version-kind` names this kind.
    pub fn for_kind(&self, group: &str, version: &str, kind: &str) -> Option<(&str, &Value)> {
        Self::by_kind()
            .get(kind)?
            .iter()
            .find(|d| d.group == group && d.version == version)
            .map(|d| (d.name, d.definition))
    }

    /// The definition name a `$ref` points at.
    pub fn ref_name(node: &Value) -> Option<&str> {
        node.get("$ref")?.as_str()?.strip_prefix(REF_PREFIX)
    }

    /// Follows `$ref` (and a single-element `allOf` wrapping one) until a concrete schema.
    /// Unknown references resolve to the node itself.
    pub fn resolve<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let target = if let Some(name) = Self::ref_name(node) {
                self.definitions.get(name)
            } else if let Some([only]) = node
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some(only)
            } else {
                None
            };
            match target {
                Some(next) => node = next,
                None => return node,
            }
        }
        node
    }

    /// The (resolved) schema of property `field` of an object schema.
    pub fn property<'a>(&'a self, node: &'a Value, field: &str) -> Option<&'a Value> {
        let node = self.resolve(node);
        node.get("properties")?.get(field).map(|p| self.resolve(p))
    }

    /// The raw (unresolved) property node, which carries the field's own extensions such as
    /// `x-kubernetes-patch-merge-key` next to its `$ref`.
    pub fn property_raw<'a>(&'a self, node: &'a Value, field: &str) -> Option<&'a Value> {
        self.resolve(node).get("properties")?.get(field)
    }

    /// The (resolved) schema of an array's items.
    pub fn items<'a>(&'a self, node: &'a Value) -> Option<&'a Value> {
        self.resolve(node).get("items").map(|i| self.resolve(i))
    }

    /// The (resolved) schema of a map's values (`additionalProperties`).
    pub fn additional_properties<'a>(&'a self, node: &'a Value) -> Option<&'a Value> {
        match self.resolve(node).get("additionalProperties") {
            Some(v @ Value::Object(_)) => Some(self.resolve(v)),
            _ => None,
        }
    }

    /// The schema's `type` (`object`, `array`, `string`, `integer`, `number`, `boolean`), if it
    /// names one.
    pub fn type_of<'a>(&'a self, node: &'a Value) -> Option<&'a str> {
        self.resolve(node).get("type").and_then(Value::as_str)
    }
}

/// Facts derived from the nodes of the embedded schema, computed once per node and looked up by
/// the node's address: the walks over objects ask the same questions of the same few hundred
/// nodes on every request. Only nodes of [`Schema::get`] (which lives as long as the process)
/// are keys, so a node of any other value can never be mistaken for one; its lookup misses and
/// the caller computes the answer itself.
pub struct NodeTable<T> {
    by_address: HashMap<usize, T, BuildHasherDefault<AddressHasher>>,
}

impl<T> NodeTable<T> {
    /// `derive(node)` for every JSON object inside the embedded definitions.
    pub fn build(derive: impl Fn(&'static Value) -> T) -> NodeTable<T> {
        fn walk<T>(
            node: &'static Value,
            derive: &dyn Fn(&'static Value) -> T,
            out: &mut HashMap<usize, T, BuildHasherDefault<AddressHasher>>,
        ) {
            match node {
                Value::Object(map) => {
                    out.insert(address(node), derive(node));
                    for child in map.values() {
                        walk(child, derive, out);
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        walk(item, derive, out);
                    }
                }
                _ => {}
            }
        }
        let mut by_address = HashMap::default();
        for definition in Schema::get().definitions.values() {
            walk(definition, &derive, &mut by_address);
        }
        NodeTable { by_address }
    }

    /// What was derived for `node`, when it is a node of the embedded schema.
    pub fn get(&self, node: &Value) -> Option<&T> {
        self.by_address.get(&address(node))
    }
}

fn address(node: &Value) -> usize {
    std::ptr::from_ref(node) as usize
}

/// Hashes an address (a `usize` written once): Fibonacci hashing spreads the aligned, clustered
/// addresses of one allocation over the table.
#[derive(Default)]
pub struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_schema_knows_containers_and_their_merge_key() {
        let schema = Schema::get();
        let (name, pod) = schema.for_kind("", "v1", "Pod").expect("Pod schema");
        assert_eq!(name, "io.k8s.api.core.v1.Pod");
        let spec = schema.property(pod, "spec").expect("spec");
        let raw = schema.property_raw(spec, "containers").expect("containers");
        assert_eq!(raw["x-kubernetes-patch-merge-key"], "name");
        let container = schema
            .items(schema.property(spec, "containers").unwrap())
            .unwrap();
        assert!(schema.property(container, "imagePullPolicy").is_some());
        assert!(schema.property(container, "imagePullPolcy").is_none());
    }

    #[test]
    fn deployment_schema_is_found_by_group_version_kind() {
        let schema = Schema::get();
        let (name, _) = schema
            .for_kind("apps", "v1", "Deployment")
            .expect("Deployment");
        assert_eq!(name, "io.k8s.api.apps.v1.Deployment");
    }
}
