//! Discovery: how clients learn what the server serves. `/api` and `/apis` in the aggregated
//! v2 form (`APIGroupDiscoveryList`, chosen by the Accept header) or the legacy `APIVersions` /
//! `APIGroupList`; `/api/v1` and `/apis/<group>/<version>` as `APIResourceList` (kubectl's
//! `drain` and `auth can-i` read these directly); `/version`.

use crate::api::kinds::{self, ResourceType};
use serde_json::{Value, json};

/// `/version`: Kubernetes 1.32.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.4",
        "gitCommit": "podflow",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.8",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn scope(rt: &ResourceType) -> &'static str {
    if rt.namespaced {
        "Namespaced"
    } else {
        "Cluster"
    }
}

fn resources_of(group: &str, version: &str) -> impl Iterator<Item = &'static ResourceType> {
    let group = group.to_string();
    let version = version.to_string();
    kinds::ALL
        .iter()
        .filter(move |rt| rt.group == group && rt.version == version)
}

fn aggregated_resource(rt: &ResourceType) -> Value {
    let mut resource = json!({
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": scope(rt),
        "singularResource": rt.singular,
        "verbs": rt.verbs,
    });
    if !rt.short_names.is_empty() {
        resource["shortNames"] = json!(rt.short_names);
    }
    if !rt.categories.is_empty() {
        resource["categories"] = json!(rt.categories);
    }
    if !rt.subresources.is_empty() {
        let subs: Vec<Value> = rt
            .subresources
            .iter()
            .map(|s| {
                json!({
                    "subresource": s.name,
                    "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
                    "verbs": s.verbs,
                })
            })
            .collect();
        resource["subresources"] = json!(subs);
    }
    resource
}

fn aggregated_group(group: &str, version: &str) -> Value {
    let resources: Vec<Value> = resources_of(group, version)
        .map(aggregated_resource)
        .collect();
    let metadata = if group.is_empty() {
        json!({"creationTimestamp": null})
    } else {
        json!({"name": group, "creationTimestamp": null})
    };
    json!({
        "metadata": metadata,
        "versions": [{"version": version, "resources": resources, "freshness": "Current"}],
    })
}

/// The aggregated discovery document of `/api` (legacy group) or `/apis` (named groups).
pub fn aggregated(legacy: bool) -> Value {
    let items: Vec<Value> = kinds::GROUPS
        .iter()
        .filter(|(group, _)| group.is_empty() == legacy)
        .map(|(group, version)| aggregated_group(group, version))
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

/// Legacy `/api`.
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_entry(group: &str, version: &str) -> Value {
    let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
}

/// Legacy `/apis`.
pub fn api_group_list() -> Value {
    let groups: Vec<Value> = kinds::GROUPS
        .iter()
        .filter(|(group, _)| !group.is_empty())
        .map(|(group, version)| group_entry(group, version))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// Legacy `/apis/<group>`.
pub fn api_group(group: &str) -> Option<Value> {
    let (_, version) = kinds::GROUPS
        .iter()
        .find(|(g, _)| *g == group && !g.is_empty())?;
    let mut entry = group_entry(group, version);
    entry["kind"] = json!("APIGroup");
    entry["apiVersion"] = json!("v1");
    Some(entry)
}

/// `/api/v1`, `/apis/<group>/<version>`: the APIResourceList, subresources as `pods/status`.
pub fn api_resource_list(group: &str, version: &str) -> Option<Value> {
    if !kinds::GROUPS
        .iter()
        .any(|(g, v)| *g == group && *v == version)
    {
        return None;
    }
    let mut resources = Vec::new();
    for rt in resources_of(group, version) {
        let mut resource = json!({
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": rt.verbs,
        });
        if !rt.short_names.is_empty() {
            resource["shortNames"] = json!(rt.short_names);
        }
        if !rt.categories.is_empty() {
            resource["categories"] = json!(rt.categories);
        }
        resources.push(resource);
        for sub in rt.subresources {
            let mut entry = json!({
                "name": format!("{}/{}", rt.plural, sub.name),
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": sub.kind,
                "verbs": sub.verbs,
            });
            if sub.group != rt.group {
                entry["group"] = json!(sub.group);
            }
            if sub.version != rt.version || sub.group != rt.group {
                entry["version"] = json!(sub.version);
            }
            resources.push(entry);
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_v1_lists_pod_eviction_in_group_policy() {
        let list = api_resource_list("", "v1").expect("v1");
        let eviction = list["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "pods/eviction")
            .expect("pods/eviction");
        assert_eq!(eviction["group"], "policy");
        assert_eq!(eviction["version"], "v1");
        assert_eq!(eviction["kind"], "Eviction");
        assert_eq!(eviction["verbs"], json!(["create"]));
    }

    #[test]
    fn aggregated_apis_has_apps_with_short_names() {
        let doc = aggregated(false);
        let apps = doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["metadata"]["name"] == "apps")
            .unwrap();
        let deploy = apps["versions"][0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "deployments")
            .unwrap();
        assert_eq!(deploy["shortNames"], json!(["deploy"]));
        assert_eq!(deploy["scope"], "Namespaced");
        assert_eq!(deploy["subresources"][0]["responseKind"]["kind"], "Scale");
        assert!(api_resource_list("nope", "v1").is_none());
    }
}
