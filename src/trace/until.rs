//! The conditions a trace waits for: every object the manifests made is scheduled, running,
//! ready or deleted. For a Deployment or ReplicaSet that means its pods (by its selector);
//! "ready" judges a Deployment as `kubectl rollout status` does (updated, ready and available
//! replicas, the latest generation observed), so pods left Terminating on a dead node do not
//! count. The trace reads the objects as an observer, straight from the apiserver's storage:
//! its checks are no requests of the cluster and make no hops.

use crate::api::kinds;
use crate::apiserver::storage::ObjectStore;
use crate::kubectl::manifest::ManifestObject;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    Scheduled,
    Running,
    Ready,
    Deleted,
}

impl Until {
    pub fn parse(text: &str) -> Result<Until, String> {
        match text {
            "scheduled" => Ok(Until::Scheduled),
            "running" => Ok(Until::Running),
            "ready" => Ok(Until::Ready),
            "deleted" => Ok(Until::Deleted),
            _ => Err(format!(
                "unknown condition {text:?}: expected scheduled, running, ready or deleted"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Until::Scheduled => "scheduled",
            Until::Running => "running",
            Until::Ready => "ready",
            Until::Deleted => "deleted",
        }
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// How many nodes report Ready.
pub fn nodes_ready(store: &ObjectStore) -> usize {
    list(store, &kinds::NODES.prefix(None), &|_| true)
        .iter()
        .filter(|n| condition_true(n, "Ready"))
        .count()
}

fn list(store: &ObjectStore, prefix: &str, keep: &dyn Fn(&Value) -> bool) -> Vec<Value> {
    store
        .list(prefix, 0, None, 0, keep)
        .map(|page| page.items)
        .unwrap_or_default()
}

fn condition_true(object: &Value, kind: &str) -> bool {
    object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| text(c, "/type") == kind && text(c, "/status") == "True")
}

fn pod_is(pod: &Value, until: Until) -> bool {
    match until {
        Until::Scheduled => !text(pod, "/spec/nodeName").is_empty(),
        Until::Running => text(pod, "/status/phase") == "Running",
        Until::Ready => condition_true(pod, "Ready"),
        Until::Deleted => false,
    }
}

/// Whether every object meets `until`.
pub fn met(store: &ObjectStore, objects: &[ManifestObject], until: Until) -> bool {
    objects.iter().all(|o| object_met(store, o, until))
}

const WORKLOADS: [&str; 4] = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"];

fn object_met(store: &ObjectStore, object: &ManifestObject, until: Until) -> bool {
    let live = store
        .get(object.rt, object.namespace.as_deref(), &object.name)
        .ok()
        .flatten();
    let live = match (live, until) {
        (None, Until::Deleted) => {
            return !WORKLOADS.contains(&object.rt.kind)
                || selected_pods(store, object, &object.object).is_empty();
        }
        (None, _) | (Some(_), Until::Deleted) => return false,
        (Some(live), _) => live,
    };
    match (object.rt.group, object.rt.kind) {
        ("", "Pod") => pod_is(&live, until),
        ("apps", "Deployment") if until == Until::Ready => {
            let want = live
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            int(&live, "/status/observedGeneration") >= int(&live, "/metadata/generation")
                && int(&live, "/status/updatedReplicas") == want
                && int(&live, "/status/readyReplicas") == want
                && int(&live, "/status/availableReplicas") == want
                && int(&live, "/status/replicas") == want
        }
        ("apps", kind) if WORKLOADS.contains(&kind) => {
            let want = live
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let pods: Vec<Value> = selected_pods(store, object, &live)
                .into_iter()
                .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
                .collect();
            pods.len() as i64 == want && pods.iter().all(|p| pod_is(p, until))
        }
        _ => true,
    }
}

/// The pods a workload's `matchLabels` selects, in its namespace.
fn selected_pods(store: &ObjectStore, object: &ManifestObject, workload: &Value) -> Vec<Value> {
    let Some(labels) = workload
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .filter(|l| !l.is_empty())
    else {
        return Vec::new();
    };
    let namespace = object.namespace.as_deref().unwrap_or("default");
    list(store, &kinds::PODS.prefix(Some(namespace)), &|pod| {
        labels
            .iter()
            .all(|(k, v)| pod.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v))
    })
}
