//! The registry strategies of kube-apiserver (`pkg/registry/<group>/<kind>/strategy.go`) and the
//! generic steps of `rest.BeforeCreate` / `rest.BeforeUpdate` around them: what the server
//! resets or carries over before validating and storing a write. A Pod gets `status.phase:
//! Pending` and its QoS class; Deployments and ReplicaSets start at generation 1 and bump it when
//! their spec changes; the main resource never writes status and the `/status` subresource never
//! writes spec. Pure; uses `quantity` and the semantic equality of `validation`.
//!
//! Not here because they need a clock or randomness: `metadata.uid`, `creationTimestamp` and the
//! name generated from `generateName` (the caller fills them before validation).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::api::quantity::Quantity;
use crate::api::validation::semantic_eq;

/// `rest.BeforeCreate` and `strategy.PrepareForCreate`.
pub fn prepare_for_create(group: &str, kind: &str, obj: &mut Value) {
    let Some(obj) = obj.as_object_mut() else {
        return;
    };
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
    }
    match (group, kind) {
        ("", "Pod") => {
            let qos = qos_class_of_spec(obj.get("spec"));
            let mut status = json!({"phase": "Pending", "qosClass": qos});
            let gated = obj
                .get("spec")
                .and_then(|s| s.get("schedulingGates"))
                .and_then(Value::as_array)
                .is_some_and(|g| !g.is_empty());
            if gated {
                status["conditions"] = json!([{
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": null,
                    "lastTransitionTime": null,
                    "reason": "SchedulingGated",
                    "message": "Scheduling is blocked due to non-empty scheduling gates",
                }]);
            }
            obj.insert("status".into(), status);
        }
        ("apps", "Deployment") => {
            obj.insert("status".into(), json!({}));
            set_generation(obj, 1);
        }
        ("apps", "ReplicaSet") => {
            // ReplicaSetStatus.replicas has no omitempty: an empty status still says 0.
            obj.insert("status".into(), json!({"replicas": 0}));
            set_generation(obj, 1);
        }
        ("", "Namespace") => {
            obj.insert("status".into(), json!({"phase": "Active"}));
            // Required on create; it may later be removed through the finalize subresource.
            if let Some(spec) = child_object(obj, "spec") {
                let finalizers = spec.entry("finalizers").or_insert_with(|| json!([]));
                if !finalizers.is_array() {
                    *finalizers = json!([]);
                }
                if let Some(list) = finalizers.as_array_mut()
                    && !list.iter().any(|f| f == "kubernetes")
                {
                    list.push(json!("kubernetes"));
                }
            }
            canonicalize_namespace(obj);
        }
        ("", "ServiceAccount") => clean_secret_references(obj),
        // A Node keeps the status it was created with (the kubelet registers itself that way).
        _ => {}
    }
}

/// `rest.BeforeUpdate` and `strategy.PrepareForUpdate` for the main resource.
pub fn prepare_for_update(group: &str, kind: &str, new: &mut Value, old: &Value) {
    let Some(new_obj) = new.as_object_mut() else {
        return;
    };
    // "Ensure requests cannot update generation".
    carry_generation(new_obj, old);
    match (group, kind) {
        ("", "Pod") | ("", "Node") => copy_field(new_obj, old, "status"),
        ("apps", "Deployment") => {
            copy_field(new_obj, old, "status");
            // Annotations count too: the deployment controller copies them to ReplicaSets.
            let annotations = |v: &Value| {
                v.get("metadata")
                    .and_then(|m| m.get("annotations"))
                    .cloned()
            };
            let new_value = Value::Object(new_obj.clone());
            if !semantic_eq(new_value.get("spec"), old.get("spec"))
                || !semantic_eq(annotations(&new_value).as_ref(), annotations(old).as_ref())
            {
                bump_generation(new_obj, old);
            }
        }
        ("apps", "ReplicaSet") => {
            copy_field(new_obj, old, "status");
            if !semantic_eq(new_obj.get("spec"), old.get("spec")) {
                bump_generation(new_obj, old);
            }
        }
        ("", "Namespace") => {
            copy_field(new_obj, old, "status");
            let old_finalizers = old.get("spec").and_then(|s| s.get("finalizers")).cloned();
            if let Some(spec) = child_object(new_obj, "spec") {
                match old_finalizers {
                    Some(finalizers) => spec.insert("finalizers".into(), finalizers),
                    None => spec.remove("finalizers"),
                };
            }
            canonicalize_namespace(new_obj);
        }
        ("", "ServiceAccount") => clean_secret_references(new_obj),
        _ => {}
    }
    carry_system_metadata(new_obj, old);
}

/// `rest.BeforeUpdate` with the status strategy: only status (and, for some kinds, metadata)
/// may change through `/status`.
pub fn prepare_for_status_update(group: &str, kind: &str, new: &mut Value, old: &Value) {
    let Some(new_obj) = new.as_object_mut() else {
        return;
    };
    carry_generation(new_obj, old);
    copy_field(new_obj, old, "spec");
    match (group, kind) {
        ("", "Pod") => {
            // Old kubelets corrupted owner references; the QoS class is immutable but old
            // kubelets dropped it on rejected pods.
            if let Some(meta) = child_object(new_obj, "metadata") {
                meta.remove("deletionTimestamp");
                match old.get("metadata").and_then(|m| m.get("ownerReferences")) {
                    Some(refs) => meta.insert("ownerReferences".into(), refs.clone()),
                    None => meta.remove("ownerReferences"),
                };
            }
            let old_qos = old.get("status").and_then(|s| s.get("qosClass")).cloned();
            if let (Some(status), Some(qos)) = (child_object(new_obj, "status"), old_qos)
                && status
                    .get("qosClass")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                status.insert("qosClass".into(), qos);
            }
        }
        ("apps", "Deployment") => {
            let old_labels = old.get("metadata").and_then(|m| m.get("labels")).cloned();
            if let Some(meta) = child_object(new_obj, "metadata") {
                match old_labels {
                    Some(labels) => meta.insert("labels".into(), labels),
                    None => meta.remove("labels"),
                };
            }
        }
        _ => {}
    }
    carry_system_metadata(new_obj, old);
}

/// `ShouldDeleteDuringUpdate`: an update that removes the last finalizer of an object being
/// deleted (with no grace period left) deletes it.
pub fn should_delete_during_update(new: &Value, old: &Value) -> bool {
    let new_meta = new.get("metadata");
    let old_meta = old.get("metadata");
    let finalizers = new_meta
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let deleting = old_meta
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|t| !t.is_null());
    let grace = old_meta
        .and_then(|m| m.get("deletionGracePeriodSeconds"))
        .and_then(Value::as_i64);
    finalizers == 0 && deleting && grace.is_none_or(|g| g == 0)
}

/// `qos.GetPodQOS`: the class recorded in status, else computed from the containers.
pub fn qos_class(pod: &Value) -> &'static str {
    match pod
        .get("status")
        .and_then(|s| s.get("qosClass"))
        .and_then(Value::as_str)
    {
        Some("Guaranteed") => "Guaranteed",
        Some("Burstable") => "Burstable",
        Some("BestEffort") => "BestEffort",
        _ => compute_qos_class(pod),
    }
}

/// `qos.ComputePodQOS`: Guaranteed when every container (init ones included) has cpu and memory
/// limits and requests equal to them; BestEffort when none asks for cpu or memory; Burstable
/// otherwise.
pub fn compute_qos_class(pod: &Value) -> &'static str {
    qos_class_of_spec(pod.get("spec"))
}

/// [`compute_qos_class`] of a pod with this spec.
fn qos_class_of_spec(spec: Option<&Value>) -> &'static str {
    let containers = ["containers", "initContainers"]
        .into_iter()
        .flat_map(|list| {
            spec.and_then(|s| s.get(list))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        });
    let mut requests: BTreeMap<&str, Quantity> = BTreeMap::new();
    let mut limits: BTreeMap<&str, Quantity> = BTreeMap::new();
    let mut guaranteed = true;
    for container in containers {
        let resources = container.get("resources");
        for (name, quantity) in positive_compute_resources(resources, "requests") {
            add_to(&mut requests, name, &quantity);
        }
        let mut found = BTreeSet::new();
        for (name, quantity) in positive_compute_resources(resources, "limits") {
            found.insert(name);
            add_to(&mut limits, name, &quantity);
        }
        if !(found.contains("cpu") && found.contains("memory")) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed
        && requests
            .iter()
            .any(|(name, request)| limits.get(name) != Some(request))
    {
        guaranteed = false;
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The cpu and memory entries above zero of `resources.<list>`.
fn positive_compute_resources<'a>(
    resources: Option<&'a Value>,
    list: &str,
) -> Vec<(&'a str, Quantity)> {
    resources
        .and_then(|r| r.get(list))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| *name == "cpu" || *name == "memory")
        .filter_map(|(name, value)| {
            Quantity::from_json(value)
                .ok()
                .filter(|q| q.sign() > 0)
                .map(|q| (name.as_str(), q))
        })
        .collect()
}

fn add_to<'a>(totals: &mut BTreeMap<&'a str, Quantity>, name: &'a str, quantity: &Quantity) {
    let sum = match totals.get(name) {
        Some(total) => quantity.add(total),
        None => quantity.clone(),
    };
    totals.insert(name, sum);
}

/// The namespace strategy's Canonicalize: the name label always matches the name.
fn canonicalize_namespace(namespace: &mut Map<String, Value>) {
    let name = namespace
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let Some(name) = name else { return };
    if let Some(labels) =
        child_object(namespace, "metadata").and_then(|m| child_object(m, "labels"))
    {
        labels.insert("kubernetes.io/metadata.name".into(), json!(name));
    }
}

/// `cleanSecretReferences`: a ServiceAccount's secrets are references by name only.
fn clean_secret_references(account: &mut Map<String, Value>) {
    let Some(secrets) = account.get_mut("secrets").and_then(Value::as_array_mut) else {
        return;
    };
    for secret in secrets {
        let name = secret.get("name").cloned();
        *secret = match name {
            Some(name) => json!({"name": name}),
            None => json!({}),
        };
    }
}

fn set_generation(obj: &mut Map<String, Value>, generation: i64) {
    if let Some(meta) = child_object(obj, "metadata") {
        meta.insert("generation".into(), json!(generation));
    }
}

fn old_generation(old: &Value) -> i64 {
    old.get("metadata")
        .and_then(|m| m.get("generation"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn carry_generation(new: &mut Map<String, Value>, old: &Value) {
    let generation = old_generation(old);
    if let Some(meta) = child_object(new, "metadata") {
        if generation == 0 {
            meta.remove("generation");
        } else {
            meta.insert("generation".into(), json!(generation));
        }
    }
}

fn bump_generation(new: &mut Map<String, Value>, old: &Value) {
    set_generation(new, old_generation(old) + 1);
}

/// The tail of `rest.BeforeUpdate`: uid when missing, creation time, a deletion once started.
fn carry_system_metadata(new: &mut Map<String, Value>, old: &Value) {
    let old_meta = old.get("metadata");
    let old_field = |key: &str| {
        old_meta
            .and_then(|m| m.get(key))
            .filter(|v| !v.is_null())
            .cloned()
    };
    let Some(meta) = child_object(new, "metadata") else {
        return;
    };
    if meta
        .get("uid")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
        && let Some(uid) = old_field("uid")
    {
        meta.insert("uid".into(), uid);
    }
    for key in ["creationTimestamp", "deletionTimestamp"] {
        if let Some(value) = old_field(key) {
            meta.insert(key.into(), value);
        }
    }
    if meta
        .get("deletionGracePeriodSeconds")
        .is_none_or(Value::is_null)
        && let Some(grace) = old_field("deletionGracePeriodSeconds")
    {
        meta.insert("deletionGracePeriodSeconds".into(), grace);
    }
}

/// Copies `old[key]` over `new[key]` (removing it when old has none).
fn copy_field(new: &mut Map<String, Value>, old: &Value, key: &str) {
    match old.get(key) {
        Some(value) => new.insert(key.into(), value.clone()),
        None => new.remove(key),
    };
}

fn child_object<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    // Looked up before inserting: `entry` would allocate the key even when it is there.
    if !map.contains_key(key) {
        map.insert(key.to_string(), json!({}));
    }
    let slot = map.get_mut(key)?;
    if slot.is_null() {
        *slot = json!({});
    }
    slot.as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::defaults::apply_defaults;

    fn pod_with(containers: Value, init: Value) -> Value {
        let mut pod = json!({"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": containers, "initContainers": init}});
        apply_defaults("", "Pod", &mut pod);
        pod
    }

    fn resources(requests: Value, limits: Value) -> Value {
        json!({"name": "c", "image": "i", "resources": {"requests": requests, "limits": limits}})
    }

    #[test]
    fn qos_classes() {
        let table = [
            (
                json!([{"name": "c", "image": "i"}]),
                json!([]),
                "BestEffort",
            ),
            (
                json!([resources(json!({"cpu": "0"}), json!({}))]),
                json!([]),
                "BestEffort",
            ),
            (
                json!([resources(json!({"cpu": "100m"}), json!({}))]),
                json!([]),
                "Burstable",
            ),
            (
                json!([resources(json!({}), json!({"cpu": "1", "memory": "1Gi"}))]),
                json!([]),
                "Guaranteed",
            ),
            (
                json!([resources(
                    json!({"cpu": "1", "memory": "1Gi"}),
                    json!({"cpu": "1", "memory": "1Gi"})
                )]),
                json!([]),
                "Guaranteed",
            ),
            (
                json!([resources(
                    json!({"cpu": "500m", "memory": "1Gi"}),
                    json!({"cpu": "1", "memory": "1Gi"})
                )]),
                json!([]),
                "Burstable",
            ),
            (
                json!([resources(json!({}), json!({"cpu": "1"}))]),
                json!([]),
                "Burstable",
            ),
            (
                json!([resources(json!({}), json!({"cpu": "1", "memory": "1Gi"}))]),
                json!([{"name": "init", "image": "i"}]),
                "Burstable",
            ),
            (
                json!([resources(
                    json!({}),
                    json!({"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi"})
                )]),
                json!([]),
                "Guaranteed",
            ),
            (
                json!([resources(
                    json!({"nvidia.com/gpu": "1"}),
                    json!({"nvidia.com/gpu": "1"})
                )]),
                json!([]),
                "BestEffort",
            ),
        ];
        for (containers, init, want) in table {
            let pod = pod_with(containers.clone(), init);
            assert_eq!(compute_qos_class(&pod), want, "{containers}");
        }
        assert_eq!(
            qos_class(&json!({"status": {"qosClass": "Burstable"}})),
            "Burstable"
        );
        assert_eq!(qos_class(&json!(null)), "BestEffort");
    }

    #[test]
    fn pods_start_pending_with_their_qos_class() {
        let mut pod = pod_with(
            json!([resources(json!({}), json!({"cpu": "1", "memory": "1Gi"}))]),
            json!([]),
        );
        pod["status"] = json!({"phase": "Running", "podIP": "10.0.0.1"});
        pod["metadata"]["deletionTimestamp"] = json!("2024-05-01T10:00:00Z");
        prepare_for_create("", "Pod", &mut pod);
        assert_eq!(
            pod["status"],
            json!({"phase": "Pending", "qosClass": "Guaranteed"})
        );
        assert!(pod["metadata"].get("deletionTimestamp").is_none());
        assert!(pod["metadata"].get("generation").is_none());
    }

    #[test]
    fn gated_pods_say_why_they_wait() {
        let mut pod =
            json!({"spec": {"schedulingGates": [{"name": "example.com/wait"}], "containers": []}});
        prepare_for_create("", "Pod", &mut pod);
        assert_eq!(pod["status"]["conditions"][0]["reason"], "SchedulingGated");
        assert_eq!(pod["status"]["conditions"][0]["status"], "False");
    }

    #[test]
    fn workloads_start_at_generation_one_with_empty_status() {
        let mut deployment = json!({"metadata": {"name": "d", "generation": 7}, "spec": {"replicas": 2}, "status": {"replicas": 9}});
        prepare_for_create("apps", "Deployment", &mut deployment);
        assert_eq!(deployment["metadata"]["generation"], 1);
        assert_eq!(deployment["status"], json!({}));
        let mut rs = json!({"metadata": {"name": "r"}, "status": {"readyReplicas": 3}});
        prepare_for_create("apps", "ReplicaSet", &mut rs);
        assert_eq!(rs["metadata"]["generation"], 1);
        assert_eq!(rs["status"], json!({"replicas": 0}));
    }

    #[test]
    fn namespaces_are_active_with_the_kubernetes_finalizer() {
        let mut ns =
            json!({"metadata": {"name": "team-a"}, "spec": {"finalizers": ["example.com/x"]}});
        prepare_for_create("", "Namespace", &mut ns);
        assert_eq!(ns["status"], json!({"phase": "Active"}));
        assert_eq!(
            ns["spec"]["finalizers"],
            json!(["example.com/x", "kubernetes"])
        );
        assert_eq!(
            ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
            "team-a"
        );
        let mut bare = json!({"metadata": {"name": "b"}});
        prepare_for_create("", "Namespace", &mut bare);
        assert_eq!(bare["spec"], json!({"finalizers": ["kubernetes"]}));
    }

    #[test]
    fn nodes_keep_their_status_on_create() {
        let mut node = json!({"metadata": {"name": "n"}, "status": {"capacity": {"cpu": "4"}}});
        prepare_for_create("", "Node", &mut node);
        assert_eq!(node["status"], json!({"capacity": {"cpu": "4"}}));
    }

    fn stored_deployment() -> Value {
        json!({"metadata": {"name": "d", "generation": 3, "uid": "u", "creationTimestamp": "2024-05-01T10:00:00Z", "annotations": {"a": "1"}},
               "spec": {"replicas": 2}, "status": {"observedGeneration": 3, "replicas": 2}})
    }

    #[test]
    fn updates_keep_status_and_bump_generation_on_spec_changes() {
        let old = stored_deployment();
        let mut scaled = old.clone();
        scaled["spec"]["replicas"] = json!(5);
        scaled["status"] = json!({"replicas": 99});
        scaled["metadata"]["generation"] = json!(100);
        prepare_for_update("apps", "Deployment", &mut scaled, &old);
        assert_eq!(scaled["metadata"]["generation"], 4);
        assert_eq!(scaled["status"], old["status"]);

        let mut relabelled = old.clone();
        relabelled["metadata"]["labels"] = json!({"x": "y"});
        prepare_for_update("apps", "Deployment", &mut relabelled, &old);
        assert_eq!(relabelled["metadata"]["generation"], 3);

        let mut annotated = old.clone();
        annotated["metadata"]["annotations"] = json!({"a": "2"});
        prepare_for_update("apps", "Deployment", &mut annotated, &old);
        assert_eq!(annotated["metadata"]["generation"], 4);

        let mut rs_annotated = old.clone();
        rs_annotated["metadata"]["annotations"] = json!({"a": "2"});
        prepare_for_update("apps", "ReplicaSet", &mut rs_annotated, &old);
        assert_eq!(rs_annotated["metadata"]["generation"], 3);
    }

    #[test]
    fn updates_keep_system_metadata() {
        let mut old = stored_deployment();
        old["metadata"]["deletionTimestamp"] = json!("2024-05-02T10:00:00Z");
        old["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        let mut new = old.clone();
        let meta = new["metadata"].as_object_mut().unwrap();
        meta.remove("uid");
        meta.remove("deletionTimestamp");
        meta.insert("creationTimestamp".into(), json!("2030-01-01T00:00:00Z"));
        prepare_for_update("apps", "Deployment", &mut new, &old);
        assert_eq!(new["metadata"]["uid"], "u");
        assert_eq!(new["metadata"]["creationTimestamp"], "2024-05-01T10:00:00Z");
        assert_eq!(new["metadata"]["deletionTimestamp"], "2024-05-02T10:00:00Z");
        assert_eq!(new["metadata"]["deletionGracePeriodSeconds"], 0);
    }

    #[test]
    fn removing_the_last_finalizer_of_a_deleted_object_deletes_it() {
        let old = json!({"metadata": {"finalizers": ["a/b"], "deletionTimestamp": "2024-05-02T10:00:00Z", "deletionGracePeriodSeconds": 0}});
        assert!(should_delete_during_update(
            &json!({"metadata": {"finalizers": []}}),
            &old
        ));
        assert!(!should_delete_during_update(
            &json!({"metadata": {"finalizers": ["a/b"]}}),
            &old
        ));
        assert!(!should_delete_during_update(
            &json!({"metadata": {}}),
            &json!({"metadata": {}})
        ));
        let graceful = json!({"metadata": {"deletionTimestamp": "2024-05-02T10:00:00Z", "deletionGracePeriodSeconds": 30}});
        assert!(!should_delete_during_update(&json!({}), &graceful));
    }

    #[test]
    fn pod_and_node_updates_never_write_status() {
        for kind in ["Pod", "Node"] {
            let old = json!({"metadata": {"name": "x"}, "spec": {"nodeName": "a"}, "status": {"phase": "Running"}});
            let mut new = json!({"metadata": {"name": "x"}, "spec": {"nodeName": "a"}, "status": {"phase": "Failed"}});
            prepare_for_update("", kind, &mut new, &old);
            assert_eq!(new["status"]["phase"], "Running", "{kind}");
        }
    }

    #[test]
    fn namespace_updates_keep_finalizers_and_status() {
        let old = json!({"metadata": {"name": "a"}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
        let mut new = json!({"metadata": {"name": "a", "labels": {"kubernetes.io/metadata.name": "b"}}, "spec": {"finalizers": []}, "status": {"phase": "Terminating"}});
        prepare_for_update("", "Namespace", &mut new, &old);
        assert_eq!(new["spec"]["finalizers"], json!(["kubernetes"]));
        assert_eq!(new["status"]["phase"], "Active");
        assert_eq!(
            new["metadata"]["labels"]["kubernetes.io/metadata.name"],
            "a"
        );
    }

    #[test]
    fn status_updates_never_write_spec() {
        let old = json!({"metadata": {"name": "p", "ownerReferences": [{"uid": "1"}], "labels": {"a": "1"}},
            "spec": {"nodeName": "node-1"}, "status": {"phase": "Pending", "qosClass": "BestEffort"}});
        let mut new = json!({"metadata": {"name": "p", "ownerReferences": [], "labels": {"a": "2"}},
            "spec": {"nodeName": "node-2"}, "status": {"phase": "Running"}});
        prepare_for_status_update("", "Pod", &mut new, &old);
        assert_eq!(new["spec"]["nodeName"], "node-1");
        assert_eq!(
            new["status"],
            json!({"phase": "Running", "qosClass": "BestEffort"})
        );
        assert_eq!(new["metadata"]["ownerReferences"], json!([{"uid": "1"}]));
        assert_eq!(new["metadata"]["labels"]["a"], "2");

        let old = stored_deployment();
        let mut new = old.clone();
        new["spec"]["replicas"] = json!(10);
        new["metadata"]["labels"] = json!({"x": "y"});
        new["status"] = json!({"observedGeneration": 3, "replicas": 2, "readyReplicas": 2});
        prepare_for_status_update("apps", "Deployment", &mut new, &old);
        assert_eq!(new["spec"]["replicas"], 2);
        assert!(new["metadata"].get("labels").is_none());
        assert_eq!(new["status"]["readyReplicas"], 2);
        assert_eq!(new["metadata"]["generation"], 3);
    }

    #[test]
    fn service_account_secrets_keep_only_names() {
        let mut sa = json!({"metadata": {"name": "default"}, "secrets": [{"name": "t", "namespace": "x", "uid": "1"}]});
        prepare_for_create("", "ServiceAccount", &mut sa);
        assert_eq!(sa["secrets"], json!([{"name": "t"}]));
    }

    #[test]
    fn wrong_types_never_panic() {
        for kind in [
            ("", "Pod"),
            ("apps", "Deployment"),
            ("apps", "ReplicaSet"),
            ("", "Namespace"),
            ("", "Node"),
            ("", "ServiceAccount"),
        ] {
            for weird in [
                json!(null),
                json!(3),
                json!({"metadata": 1, "spec": [], "status": "x", "secrets": {}}),
                json!({"spec": {"finalizers": "k"}}),
            ] {
                let mut obj = weird.clone();
                prepare_for_create(kind.0, kind.1, &mut obj);
                let mut obj = weird.clone();
                prepare_for_update(kind.0, kind.1, &mut obj, &weird);
                prepare_for_status_update(kind.0, kind.1, &mut obj, &json!([]));
                qos_class(&weird);
            }
        }
    }
}
