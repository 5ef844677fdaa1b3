//! The ReplicaSet controller of kube-controller-manager (`pkg/controller/replicaset`) as a pure
//! function: given a ReplicaSet and the pods of its namespace (a cache snapshot, objects exactly
//! as the API returns them) it returns the writes that `syncReplicaSet` would make — adopt and
//! release pods, create pods from the template or delete the least valuable ones, and write
//! `status`. Also home of [`Action`], the write list shared with the deployment controller, and
//! of the object helpers both controllers use.
//!
//! What the glue must provide instead of client-go: it runs the actions in order (see
//! [`Action`]), and it must not sync a ReplicaSet again before its snapshot shows the pods it
//! created or deleted — the job of the real controller's `expectations`.

use crate::api::label_selector::{LabelSelector, is_dns1123_subdomain};
use crate::api::time::{format_time, parse_time};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// `BurstReplicas`: at most this many pods are created or deleted per sync.
pub const BURST_REPLICAS: usize = 500;

/// In an `on_success` event of a [`Action::Create`], stands for the name the server generated.
pub const CREATED_NAME: &str = "{name}";
/// In an `on_failure` event, stands for the text of the API error.
pub const ERROR_TEXT: &str = "{error}";

const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";
const POD_TEMPLATE_HASH: &str = "pod-template-hash";
const REPLICA_FAILURE: &str = "ReplicaFailure";

/// An event to record (`record.EventRecorder.Eventf`): the glue turns it into a v1 Event from
/// `replicaset-controller` / `deployment-controller`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// An object reference: apiVersion, kind, namespace, name, uid, resourceVersion.
    pub regarding: Value,
    /// `Normal` or `Warning`.
    pub event_type: &'static str,
    pub reason: &'static str,
    pub message: String,
}

impl Event {
    pub fn new(
        object: &Value,
        event_type: &'static str,
        reason: &'static str,
        message: String,
    ) -> Event {
        Event {
            regarding: object_reference(object),
            event_type,
            reason,
            message,
        }
    }

    /// The event with [`CREATED_NAME`] and [`ERROR_TEXT`] filled in, once the write is done.
    pub fn completed(&self, created_name: Option<&str>, error: Option<&str>) -> Event {
        let mut message = self.message.clone();
        if let Some(name) = created_name {
            message = message.replace(CREATED_NAME, name);
        }
        if let Some(error) = error {
            message = message.replace(ERROR_TEXT, error);
        }
        Event {
            message,
            ..self.clone()
        }
    }
}

/// One write of a sync. The glue runs them in order, as `system:kube-controller-manager`:
///
/// * after a write succeeds it records the write's `on_success` events (for a `Create`, with
///   [`CREATED_NAME`] replaced by the name the server gave the object — see
///   [`Event::completed`]); a `Delete` that finds the object already gone counts as done, with no
///   event;
/// * a write that fails with 409 Conflict or AlreadyExists means the snapshot was stale: drop
///   the remaining actions, re-read, reconcile again;
/// * any other failure: record the write's `on_failure` event ([`ERROR_TEXT`] = the error
///   message), drop the remaining actions (the real sync returns its error there), write the
///   failure status the controller reports — [`status_after_failure`] for a ReplicaSet,
///   `deployment::status_after_create_failure` for a Deployment whose new ReplicaSet could not be
///   created — and retry later with backoff.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// POST to a collection, e.g. `/api/v1/namespaces/default/pods`.
    Create {
        path: String,
        object: Value,
        on_success: Vec<Event>,
        on_failure: Option<Event>,
    },
    /// PUT of a whole object, sent with the resourceVersion it carries.
    Update {
        path: String,
        object: Value,
        on_success: Vec<Event>,
    },
    /// PUT of `<path>/status`; `path` already ends in `/status`.
    UpdateStatus { path: String, object: Value },
    /// DELETE of one object.
    Delete {
        path: String,
        on_success: Vec<Event>,
        on_failure: Option<Event>,
    },
    /// An event that belongs to no write.
    Event(Event),
}

impl Action {
    /// The request path of a write; `None` for an event.
    pub fn path(&self) -> Option<&str> {
        match self {
            Action::Create { path, .. }
            | Action::Update { path, .. }
            | Action::UpdateStatus { path, .. }
            | Action::Delete { path, .. } => Some(path),
            Action::Event(_) => None,
        }
    }
}

/// `syncReplicaSet`: claim the pods (adopting orphans that match, releasing owned pods that no
/// longer do), create or delete pods until the active ones number `spec.replicas`, and write the
/// status computed from the pods as they were before this sync's creates and deletes (the
/// watch events of those bring the next sync). `pods` are all the pods of the namespace; `now`
/// is RFC 3339. A ReplicaSet with an invalid selector matches nothing and gets no actions.
pub fn reconcile_replicaset(rs: &Value, pods: &[&Value], now: &str) -> Vec<Action> {
    let Some(mut claimed) = claim_pods(rs, pods) else {
        return Vec::new();
    };
    let mut actions = std::mem::take(&mut claimed.actions);
    let owned = active(&claimed);
    if !is_terminating(rs) {
        manage_replicas(rs, &owned, pods, now_ms(now), &mut actions);
    }
    actions.extend(status_update(rs, &owned, None, now));
    actions
}

/// The status write of a sync whose pod creates or deletes failed with `error`: the counts as in
/// [`reconcile_replicaset`] plus the `ReplicaFailure` condition (`FailedCreate` when pods are
/// missing, `FailedDelete` when there are too many), as `calculateStatus` does with a
/// `manageReplicasErr`. `None` when the status already says so.
pub fn status_after_failure(rs: &Value, pods: &[&Value], error: &str, now: &str) -> Option<Action> {
    let claimed = claim_pods(rs, pods)?;
    status_update(rs, &active(&claimed), Some(error), now)
}

/// When the ReplicaSet should be synced again without any watch event: the first instant at
/// which one of its ready pods passes `minReadySeconds` and so counts as available (Unix ms).
/// The real controller requeues after `minReadySeconds` instead; with a virtual clock the exact
/// instant is better. `None` when nothing is waiting.
pub fn next_availability_check(rs: &Value, pods: &[&Value], now_ms: i64) -> Option<i64> {
    let min_ready = int_at(rs, "/spec/minReadySeconds").unwrap_or(0);
    if min_ready <= 0 {
        return None;
    }
    let claimed = claim_pods(rs, pods)?;
    claimed
        .pods
        .iter()
        .filter(|pod| is_pod_ready(pod) && !is_pod_available(pod, min_ready, now_ms))
        .filter_map(|pod| ready_since(pod))
        // Available once `lastTransitionTime + minReadySeconds` is strictly before now.
        .map(|since| since + min_ready * 1000 + 1)
        .min()
}

// ---------------------------------------------------------------------------------------------
// Claiming: the ControllerRefManager.

struct Claimed<'a> {
    /// The active pods this ReplicaSet owns after the sync's adoptions and releases (borrowed
    /// from the cache; adopted ones are the sync's own copies).
    pods: Vec<std::borrow::Cow<'a, Value>>,
    actions: Vec<Action>,
}

/// `FilterActivePods` then `ClaimPods` over every pod of the namespace.
/// The claimed pods as references.
fn active<'c>(claimed: &'c Claimed<'_>) -> Vec<&'c Value> {
    claimed.pods.iter().map(|p| p.as_ref()).collect()
}

fn claim_pods<'a>(rs: &Value, pods: &[&'a Value]) -> Option<Claimed<'a>> {
    let selector = LabelSelector::from_label_selector(rs.pointer("/spec/selector")?).ok()?;
    let rs_uid = uid(rs);
    let namespace = namespace(rs);
    let controller_ref = new_controller_ref(rs, "apps/v1", "ReplicaSet");
    let mut claimed = Claimed {
        pods: Vec::new(),
        actions: Vec::new(),
    };
    for &pod in pods {
        if !is_pod_active(pod) || (!namespace.is_empty() && self::namespace(pod) != namespace) {
            continue;
        }
        let matches = selector.matches_object(pod);
        match controller_ref_of(pod) {
            Some(owner) if str_at(owner, "/uid") == Some(rs_uid) => {
                if matches {
                    claimed.pods.push(std::borrow::Cow::Borrowed(pod));
                } else if !is_terminating(rs) {
                    // Owned but no longer selected: let go of it.
                    claimed.actions.push(Action::Update {
                        path: pod_path(pod),
                        object: release(pod, rs_uid),
                        on_success: Vec::new(),
                    });
                }
            }
            // Another controller's pod.
            Some(_) => {}
            None => {
                // An orphan (active pods are never terminating): adopt it if it matches.
                if matches && !is_terminating(rs) && !rs_uid.is_empty() {
                    let adopted = adopt(pod, &controller_ref);
                    claimed.actions.push(Action::Update {
                        path: pod_path(pod),
                        object: adopted.clone(),
                        on_success: Vec::new(),
                    });
                    claimed.pods.push(std::borrow::Cow::Owned(adopted));
                }
            }
        }
    }
    Some(claimed)
}

// ---------------------------------------------------------------------------------------------
// manageReplicas.

fn manage_replicas(
    rs: &Value,
    active: &[&Value],
    all_pods: &[&Value],
    now_ms: i64,
    actions: &mut Vec<Action>,
) {
    let want = usize::try_from(replicas(rs)).unwrap_or(0);
    if active.len() < want {
        let count = (want - active.len()).min(BURST_REPLICAS);
        let pod = pod_from_template(rs);
        let path = format!("/api/v1/namespaces/{}/pods", namespace(rs));
        for _ in 0..count {
            actions.push(Action::Create {
                path: path.clone(),
                object: pod.clone(),
                on_success: vec![Event::new(
                    rs,
                    "Normal",
                    "SuccessfulCreate",
                    format!("Created pod: {CREATED_NAME}"),
                )],
                on_failure: Some(Event::new(
                    rs,
                    "Warning",
                    "FailedCreate",
                    format!("Error creating: {ERROR_TEXT}"),
                )),
            });
        }
    } else if active.len() > want {
        let count = (active.len() - want).min(BURST_REPLICAS);
        let related = related_pods(rs, all_pods);
        for pod in pods_to_delete(active, &related, count, now_ms) {
            actions.push(Action::Delete {
                path: pod_path(pod),
                on_success: vec![Event::new(
                    rs,
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", name(pod)),
                )],
                on_failure: Some(Event::new(
                    rs,
                    "Warning",
                    "FailedDelete",
                    format!("Error deleting: {ERROR_TEXT}"),
                )),
            });
        }
    }
}

/// `controller.GetPodFromTemplate`: labels, annotations and finalizers of the template, the
/// ReplicaSet's name as `generateName` prefix, the controller reference, the template's spec.
fn pod_from_template(rs: &Value) -> Value {
    let mut metadata = Map::new();
    for field in ["labels", "annotations", "finalizers"] {
        if let Some(value) = rs.pointer(&format!("/spec/template/metadata/{field}"))
            && !is_empty(value)
        {
            metadata.insert(field.into(), value.clone());
        }
    }
    metadata.insert("generateName".into(), json!(pods_prefix(name(rs))));
    metadata.insert(
        "ownerReferences".into(),
        json!([new_controller_ref(rs, "apps/v1", "ReplicaSet")]),
    );
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": rs.pointer("/spec/template/spec").cloned().unwrap_or_else(|| json!({})),
    })
}

/// `getPodsPrefix`: `<name>-` unless that is not a valid generateName, then the bare name.
fn pods_prefix(controller_name: &str) -> String {
    let prefix = format!("{controller_name}-");
    // `ValidatePodName(prefix, true)` masks the trailing dash before checking.
    let masked = format!("{controller_name}a");
    if is_dns1123_subdomain(&masked).is_empty() {
        prefix
    } else {
        controller_name.to_string()
    }
}

/// `getIndirectlyRelatedPods`: the pods of every ReplicaSet under the same controller, used to
/// rank pods by how crowded their node is. The sibling ReplicaSets are not an input here: for a
/// ReplicaSet owned by a Deployment they are approximated by the pods matching its selector with
/// any `pod-template-hash` (exactly the union of the siblings' selectors unless a sibling was
/// deleted); a ReplicaSet without a controller has none, as in the real code.
fn related_pods<'a>(rs: &Value, all_pods: &[&'a Value]) -> Vec<&'a Value> {
    if controller_ref_of(rs).is_none() {
        return Vec::new();
    }
    let mut selector = rs.pointer("/spec/selector").cloned().unwrap_or(Value::Null);
    let had_hash = selector
        .pointer_mut("/matchLabels")
        .and_then(Value::as_object_mut)
        .and_then(|labels| labels.remove(POD_TEMPLATE_HASH))
        .is_some();
    if had_hash && let Some(obj) = selector.as_object_mut() {
        let exprs = obj.entry("matchExpressions").or_insert_with(|| json!([]));
        if let Some(list) = exprs.as_array_mut() {
            list.push(json!({"key": POD_TEMPLATE_HASH, "operator": "Exists"}));
        }
    }
    let Ok(selector) = LabelSelector::from_label_selector(&selector) else {
        return Vec::new();
    };
    all_pods
        .iter()
        .copied()
        .filter(|pod| selector.matches_object(pod))
        .collect()
}

/// `getPodsToDelete`: the first `count` active pods in `ActivePodsWithRanks` order, which puts
/// first the pods whose loss hurts least.
fn pods_to_delete<'a>(
    active: &[&'a Value],
    related: &[&Value],
    count: usize,
    now_ms: i64,
) -> Vec<&'a Value> {
    let mut pods: Vec<&'a Value> = active.to_vec();
    if count < pods.len() {
        let mut on_node: HashMap<&str, usize> = HashMap::new();
        for pod in related.iter().filter(|p| is_pod_active(p)) {
            *on_node.entry(node_name(pod)).or_default() += 1;
        }
        let rank = |pod: &Value| on_node.get(node_name(pod)).copied().unwrap_or(0);
        // Stable where Go's sort.Sort is not: only the order of equal pods can differ.
        pods.sort_by(|a, b| {
            if pod_less(a, b, rank(a), rank(b), now_ms) {
                std::cmp::Ordering::Less
            } else if pod_less(b, a, rank(b), rank(a), now_ms) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
    }
    pods.truncate(count);
    pods
}

/// `ActivePodsWithRanks.Less` with the 1.32 default feature gates (PodDeletionCost and
/// LogarithmicScaleDown on).
fn pod_less(a: &Value, b: &Value, rank_a: usize, rank_b: usize, now_ms: i64) -> bool {
    // 1. Unassigned < assigned.
    let (node_a, node_b) = (node_name(a), node_name(b));
    if node_a != node_b && (node_a.is_empty() || node_b.is_empty()) {
        return node_a.is_empty();
    }
    // 2. Pending < Unknown < Running.
    let (phase_a, phase_b) = (phase_ordinal(a), phase_ordinal(b));
    if phase_a != phase_b {
        return phase_a < phase_b;
    }
    // 3. Not ready < ready.
    let (ready_a, ready_b) = (is_pod_ready(a), is_pod_ready(b));
    if ready_a != ready_b {
        return !ready_a;
    }
    // 4. Lower pod-deletion-cost < higher.
    let (cost_a, cost_b) = (deletion_cost(a), deletion_cost(b));
    if cost_a != cost_b {
        return cost_a < cost_b;
    }
    // 5. Doubled up < not doubled up: more active related pods on the same node first.
    if rank_a != rank_b {
        return rank_a > rank_b;
    }
    // 6. Ready for a shorter time first, compared on a log2 scale.
    if ready_a && ready_b {
        let (since_a, since_b) = (ready_since(a), ready_since(b));
        if since_a != since_b {
            return newer_first(a, b, since_a, since_b, now_ms);
        }
    }
    // 7. More container restarts first.
    let (restarts_a, restarts_b) = (max_restarts(a), max_restarts(b));
    if restarts_a != restarts_b {
        return restarts_a > restarts_b;
    }
    // 8. Empty creation time < newer < older, again on a log2 scale.
    let (created_a, created_b) = (
        time_at(a, "/metadata/creationTimestamp"),
        time_at(b, "/metadata/creationTimestamp"),
    );
    if created_a != created_b {
        return newer_first(a, b, created_a, created_b, now_ms);
    }
    false
}

/// The LogarithmicScaleDown comparison of two instants (`None` = Go's zero time).
fn newer_first(
    a: &Value,
    b: &Value,
    time_a: Option<i64>,
    time_b: Option<i64>,
    now_ms: i64,
) -> bool {
    match (time_a, time_b) {
        // `afterOrZero`: a zero time counts as the newest.
        (None, _) | (_, None) => time_a.is_none(),
        (Some(ta), Some(tb)) => {
            let diff = log_rank(ta, now_ms) - log_rank(tb, now_ms);
            if diff == 0 { uid(a) < uid(b) } else { diff < 0 }
        }
    }
}

/// `logarithmicRankDiff`'s rank of one instant: log2 of its age in nanoseconds, -1 when not in
/// the past.
fn log_rank(time_ms: i64, now_ms: i64) -> i64 {
    let age_ns = (now_ms - time_ms) as f64 * 1e6;
    if age_ns > 0.0 {
        age_ns.log2() as i64
    } else {
        -1
    }
}

fn phase_ordinal(pod: &Value) -> u8 {
    match str_at(pod, "/status/phase") {
        Some("Unknown") => 1,
        Some("Running") => 2,
        // Pending, and phases the real map leaves out, rank lowest.
        _ => 0,
    }
}

/// `helper.GetDeletionCostFromPodAnnotations`; an unparsable cost counts as 0.
fn deletion_cost(pod: &Value) -> i32 {
    pod.pointer("/metadata/annotations")
        .and_then(|a| a.get(POD_DELETION_COST))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn max_restarts(pod: &Value) -> i64 {
    pod.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
        .max()
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Status.

/// `calculateStatus` + `updateReplicaSetStatus`: an UpdateStatus when anything differs.
fn status_update(
    rs: &Value,
    pods: &[&Value],
    manage_error: Option<&str>,
    now: &str,
) -> Option<Action> {
    let template_labels = rs
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let template_selector = LabelSelector::from_set(&template_labels);
    let min_ready = int_at(rs, "/spec/minReadySeconds").unwrap_or(0);
    let now_ms = now_ms(now);
    let mut fully_labeled = 0;
    let mut ready = 0;
    let mut available = 0;
    for pod in pods {
        if template_selector.matches_object(pod) {
            fully_labeled += 1;
        }
        if is_pod_ready(pod) {
            ready += 1;
            if is_pod_available(pod, min_ready, now_ms) {
                available += 1;
            }
        }
    }

    let old_conditions: Vec<Value> = rs
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has_failure = old_conditions
        .iter()
        .any(|c| str_at(c, "/type") == Some(REPLICA_FAILURE));
    let mut conditions = old_conditions.clone();
    match manage_error {
        Some(error) if !has_failure => {
            let diff = pods.len() as i64 - replicas(rs);
            let reason = match diff.signum() {
                -1 => "FailedCreate",
                1 => "FailedDelete",
                _ => "",
            };
            conditions.push(json!({
                "type": REPLICA_FAILURE,
                "status": "True",
                "lastTransitionTime": stamp(now),
                "reason": reason,
                "message": error,
            }));
        }
        None if has_failure => conditions.retain(|c| str_at(c, "/type") != Some(REPLICA_FAILURE)),
        _ => {}
    }

    let generation = int_at(rs, "/metadata/generation").unwrap_or(0);
    let unchanged = int_at(rs, "/status/replicas").unwrap_or(0) == pods.len() as i64
        && int_at(rs, "/status/fullyLabeledReplicas").unwrap_or(0) == fully_labeled
        && int_at(rs, "/status/readyReplicas").unwrap_or(0) == ready
        && int_at(rs, "/status/availableReplicas").unwrap_or(0) == available
        && int_at(rs, "/status/observedGeneration").unwrap_or(0) == generation
        && conditions == old_conditions;
    if unchanged {
        return None;
    }

    // The JSON of apps/v1 ReplicaSetStatus: `replicas` is always written, the rest omitempty.
    let mut status = Map::new();
    status.insert("replicas".into(), json!(pods.len()));
    for (field, value) in [
        ("fullyLabeledReplicas", fully_labeled),
        ("readyReplicas", ready),
        ("availableReplicas", available),
        ("observedGeneration", generation),
    ] {
        if value != 0 {
            status.insert(field.into(), json!(value));
        }
    }
    if !conditions.is_empty() {
        status.insert("conditions".into(), Value::Array(conditions));
    }
    let mut object = rs.clone();
    if let Some(obj) = object.as_object_mut() {
        obj.insert("status".into(), Value::Object(status));
    }
    Some(Action::UpdateStatus {
        path: format!("{}/status", replica_set_path(rs)),
        object,
    })
}

// ---------------------------------------------------------------------------------------------
// Object helpers shared with the deployment controller.

pub(crate) fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

pub(crate) fn int_at(value: &Value, pointer: &str) -> Option<i64> {
    value.pointer(pointer).and_then(Value::as_i64)
}

/// An instant field as Unix ms; `None` when absent, null or unparsable (Go's zero time).
pub(crate) fn time_at(value: &Value, pointer: &str) -> Option<i64> {
    str_at(value, pointer).and_then(parse_time)
}

pub(crate) fn name(object: &Value) -> &str {
    str_at(object, "/metadata/name").unwrap_or_default()
}

pub(crate) fn namespace(object: &Value) -> &str {
    str_at(object, "/metadata/namespace").unwrap_or_default()
}

pub(crate) fn uid(object: &Value) -> &str {
    str_at(object, "/metadata/uid").unwrap_or_default()
}

/// `spec.replicas`, 1 when absent (the apps/v1 default).
pub(crate) fn replicas(object: &Value) -> i64 {
    int_at(object, "/spec/replicas").unwrap_or(1)
}

/// Whether `metadata.deletionTimestamp` is set.
pub(crate) fn is_terminating(object: &Value) -> bool {
    object
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
}

/// `metav1.GetControllerOf`: the owner reference with `controller: true`.
pub(crate) fn controller_ref_of(object: &Value) -> Option<&Value> {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// `metav1.NewControllerRef`.
pub(crate) fn new_controller_ref(owner: &Value, api_version: &str, kind: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// The object with `owner` added to its owner references (what the adoption patch does).
pub(crate) fn adopt(object: &Value, owner: &Value) -> Value {
    let mut adopted = object.clone();
    if let Some(meta) = adopted.get_mut("metadata").and_then(Value::as_object_mut) {
        let refs = meta.entry("ownerReferences").or_insert_with(|| json!([]));
        if !refs.is_array() {
            *refs = json!([]);
        }
        if let Some(list) = refs.as_array_mut() {
            list.push(owner.clone());
        }
    }
    adopted
}

/// The object without the owner reference to `owner_uid` (what the release patch does).
pub(crate) fn release(object: &Value, owner_uid: &str) -> Value {
    let mut released = object.clone();
    if let Some(meta) = released.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(list) = meta
            .get_mut("ownerReferences")
            .and_then(Value::as_array_mut)
        {
            list.retain(|r| str_at(r, "/uid") != Some(owner_uid));
        }
        if meta
            .get("ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            meta.remove("ownerReferences");
        }
    }
    released
}

/// The `regarding` reference of an event about `object`.
pub(crate) fn object_reference(object: &Value) -> Value {
    let mut reference = Map::new();
    for (field, pointer) in [
        ("apiVersion", "/apiVersion"),
        ("kind", "/kind"),
        ("namespace", "/metadata/namespace"),
        ("name", "/metadata/name"),
        ("uid", "/metadata/uid"),
        ("resourceVersion", "/metadata/resourceVersion"),
    ] {
        if let Some(value) = str_at(object, pointer) {
            reference.insert(field.into(), json!(value));
        }
    }
    Value::Object(reference)
}

pub(crate) fn replica_set_path(rs: &Value) -> String {
    format!(
        "/apis/apps/v1/namespaces/{}/replicasets/{}",
        namespace(rs),
        name(rs)
    )
}

fn pod_path(pod: &Value) -> String {
    format!("/api/v1/namespaces/{}/pods/{}", namespace(pod), name(pod))
}

fn node_name(pod: &Value) -> &str {
    str_at(pod, "/spec/nodeName").unwrap_or_default()
}

/// `controller.IsPodActive`: not Succeeded, not Failed, not being deleted.
pub(crate) fn is_pod_active(pod: &Value) -> bool {
    !matches!(str_at(pod, "/status/phase"), Some("Succeeded" | "Failed")) && !is_terminating(pod)
}

fn ready_condition(pod: &Value) -> Option<&Value> {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| str_at(c, "/type") == Some("Ready"))
}

/// `podutil.IsPodReady`: the Ready condition is True.
pub(crate) fn is_pod_ready(pod: &Value) -> bool {
    ready_condition(pod).is_some_and(|c| str_at(c, "/status") == Some("True"))
}

/// `podReadyTime`: when a ready pod became ready; `None` (zero) otherwise.
fn ready_since(pod: &Value) -> Option<i64> {
    if !is_pod_ready(pod) {
        return None;
    }
    ready_condition(pod).and_then(|c| time_at(c, "/lastTransitionTime"))
}

/// `podutil.IsPodAvailable`: ready, and for longer than `minReadySeconds`.
pub(crate) fn is_pod_available(pod: &Value, min_ready_seconds: i64, now_ms: i64) -> bool {
    if !is_pod_ready(pod) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    ready_condition(pod)
        .and_then(|c| time_at(c, "/lastTransitionTime"))
        .is_some_and(|since| since + min_ready_seconds * 1000 < now_ms)
}

/// `now` in Unix ms; an unparsable `now` reads as the epoch.
pub(crate) fn now_ms(now: &str) -> i64 {
    parse_time(now).unwrap_or(0)
}

/// `now` as a `metav1.Time` is written: whole seconds, UTC.
pub(crate) fn stamp(now: &str) -> String {
    parse_time(now).map_or_else(|| now.to_string(), format_time)
}

/// `null`, `""`, `{}` and `[]`: the values Go's `omitempty` leaves out and semantic equality
/// does not tell from an absent field.
pub(crate) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// `apiequality.Semantic.DeepEqual` over JSON: absent, `null` and empty strings, maps and lists
/// are all equal, numbers compare by value.
pub(crate) fn semantic_eq(a: &Value, b: &Value) -> bool {
    if is_empty(a) || is_empty(b) {
        return is_empty(a) && is_empty(b);
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).all(|k| {
            semantic_eq(
                x.get(k).unwrap_or(&Value::Null),
                y.get(k).unwrap_or(&Value::Null),
            )
        }),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| semantic_eq(p, q))
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-11-23T03:22:20Z";

    fn rs(replicas: i64) -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": "web-7d4b9c", "namespace": "default", "uid": "rs-uid",
                "generation": 1, "resourceVersion": "10",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                     "uid": "d-uid", "controller": true, "blockOwnerDeletion": true}],
            },
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7d4b9c"}},
                "template": {
                    "metadata": {"labels": {"app": "web", "pod-template-hash": "7d4b9c"},
                                 "annotations": {"note": "x"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]},
                },
            },
            "status": {"replicas": 0},
        })
    }

    /// A pod owned by `rs`: `(name, node, phase, ready since, created)`.
    fn pod(name: &str, node: &str, phase: &str, ready_since: Option<&str>, created: &str) -> Value {
        let mut conditions = vec![];
        if let Some(t) = ready_since {
            conditions.push(json!({"type": "Ready", "status": "True", "lastTransitionTime": t}));
        } else {
            conditions
                .push(json!({"type": "Ready", "status": "False", "lastTransitionTime": created}));
        }
        let mut spec = json!({"containers": [{"name": "web", "image": "nginx"}]});
        if !node.is_empty() {
            spec["nodeName"] = json!(node);
        }
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name, "namespace": "default", "uid": format!("uid-{name}"),
                "creationTimestamp": created,
                "labels": {"app": "web", "pod-template-hash": "7d4b9c"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c",
                                     "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}],
            },
            "spec": spec,
            "status": {"phase": phase, "conditions": conditions},
        })
    }

    fn running(name: &str) -> Value {
        pod(
            name,
            "node-1",
            "Running",
            Some("2026-11-23T03:00:00Z"),
            "2026-11-23T02:59:00Z",
        )
    }

    fn deleted_names(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Delete { path, .. } => path.rsplit('/').next().map(str::to_string),
                _ => None,
            })
            .collect()
    }

    fn status_of(actions: &[Action]) -> Option<&Value> {
        actions.iter().find_map(|a| match a {
            Action::UpdateStatus { object, .. } => object.get("status"),
            _ => None,
        })
    }

    #[test]
    fn scale_up_creates_pods_from_the_template() {
        let actions = reconcile_replicaset(&rs(3), &[], NOW);
        let creates: Vec<_> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Create {
                    path,
                    object,
                    on_success,
                    on_failure,
                } => Some((path, object, on_success, on_failure)),
                _ => None,
            })
            .collect();
        assert_eq!(creates.len(), 3);
        for (path, pod, on_success, on_failure) in creates {
            assert_eq!(path, "/api/v1/namespaces/default/pods");
            assert_eq!(pod["metadata"]["generateName"], "web-7d4b9c-");
            assert_eq!(
                pod["metadata"]["labels"],
                json!({"app": "web", "pod-template-hash": "7d4b9c"})
            );
            assert_eq!(pod["metadata"]["annotations"], json!({"note": "x"}));
            assert_eq!(
                pod["metadata"]["ownerReferences"],
                json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c",
                        "uid": "rs-uid", "controller": true, "blockOwnerDeletion": true}])
            );
            assert_eq!(
                pod["spec"],
                json!({"containers": [{"name": "web", "image": "nginx"}]})
            );
            assert_eq!(on_success[0].reason, "SuccessfulCreate");
            assert_eq!(
                on_success[0]
                    .completed(Some("web-7d4b9c-abcde"), None)
                    .message,
                "Created pod: web-7d4b9c-abcde"
            );
            assert_eq!(on_success[0].regarding["kind"], "ReplicaSet");
            let failure = on_failure
                .as_ref()
                .map(|e| e.completed(None, Some("quota exceeded")));
            assert_eq!(
                failure.map(|e| (e.event_type, e.reason, e.message)),
                Some((
                    "Warning",
                    "FailedCreate",
                    "Error creating: quota exceeded".to_string()
                ))
            );
        }
        // Status as before the creates, with the generation observed.
        assert_eq!(
            status_of(&actions),
            Some(&json!({"replicas": 0, "observedGeneration": 1}))
        );
    }

    #[test]
    fn creates_are_capped_by_burst_replicas() {
        let actions = reconcile_replicaset(&rs(1200), &[], NOW);
        let creates = actions
            .iter()
            .filter(|a| matches!(a, Action::Create { .. }))
            .count();
        assert_eq!(creates, BURST_REPLICAS);
    }

    #[test]
    fn scale_down_deletes_by_rank() {
        // Each table row: pods, how many to keep, the pods expected to go (in order).
        let cases: Vec<(&str, Vec<Value>, i64, Vec<&str>)> = vec![
            (
                "unassigned first",
                vec![
                    running("a"),
                    pod("b", "", "Pending", None, "2026-11-23T03:00:00Z"),
                ],
                1,
                vec!["b"],
            ),
            (
                "pending before running",
                vec![
                    running("a"),
                    pod("b", "node-1", "Pending", None, "2026-11-23T03:00:00Z"),
                ],
                1,
                vec!["b"],
            ),
            (
                "unknown before running",
                vec![
                    running("a"),
                    pod("b", "node-1", "Unknown", None, "2026-11-23T03:00:00Z"),
                ],
                1,
                vec!["b"],
            ),
            (
                "not ready before ready",
                vec![
                    running("a"),
                    pod("b", "node-1", "Running", None, "2026-11-23T03:00:00Z"),
                ],
                1,
                vec!["b"],
            ),
            (
                "ready more recently first",
                vec![
                    pod(
                        "old",
                        "node-1",
                        "Running",
                        Some("2026-11-20T00:00:00Z"),
                        "2026-11-20T00:00:00Z",
                    ),
                    pod(
                        "new",
                        "node-1",
                        "Running",
                        Some("2026-11-23T03:22:00Z"),
                        "2026-11-23T03:21:00Z",
                    ),
                ],
                1,
                vec!["new"],
            ),
            (
                "doubled-up node first",
                vec![
                    pod(
                        "alone",
                        "node-1",
                        "Running",
                        Some("2026-11-23T03:00:00Z"),
                        "2026-11-23T02:59:00Z",
                    ),
                    pod(
                        "crowd-1",
                        "node-2",
                        "Running",
                        Some("2026-11-23T03:00:00Z"),
                        "2026-11-23T02:59:00Z",
                    ),
                    pod(
                        "crowd-2",
                        "node-2",
                        "Running",
                        Some("2026-11-23T03:00:00Z"),
                        "2026-11-23T02:59:00Z",
                    ),
                ],
                2,
                vec!["crowd-1"],
            ),
            (
                "delete all needs no ranking",
                vec![running("a"), running("b")],
                0,
                vec!["a", "b"],
            ),
        ];
        for (what, pods, keep, want) in cases {
            let refs: Vec<&Value> = pods.iter().collect();
            let actions = reconcile_replicaset(&rs(keep), &refs, NOW);
            assert_eq!(deleted_names(&actions), want, "{what}");
        }
    }

    #[test]
    fn scale_down_honours_deletion_cost_and_restarts() {
        let mut cheap = running("cheap");
        cheap["metadata"]["annotations"] = json!({(POD_DELETION_COST): "-10"});
        let actions = reconcile_replicaset(&rs(1), &[&running("a"), &cheap], NOW);
        assert_eq!(deleted_names(&actions), ["cheap"]);

        let mut crashy = running("crashy");
        crashy["status"]["containerStatuses"] = json!([{"name": "web", "restartCount": 4}]);
        let actions = reconcile_replicaset(&rs(1), &[&crashy, &running("b")], NOW);
        assert_eq!(deleted_names(&actions), ["crashy"]);
        let Some(Action::Delete { on_success, .. }) =
            actions.iter().find(|a| matches!(a, Action::Delete { .. }))
        else {
            panic!("no delete");
        };
        assert_eq!(on_success[0].message, "Deleted pod: crashy");
        assert_eq!(on_success[0].reason, "SuccessfulDelete");
    }

    #[test]
    fn status_counts_ready_available_and_fully_labeled() {
        let mut rs = rs(4);
        rs["spec"]["minReadySeconds"] = json!(60);
        let mut unlabeled = running("unlabeled");
        // Selected (app + hash) but missing a template label.
        rs["spec"]["template"]["metadata"]["labels"]["tier"] = json!("front");
        unlabeled["metadata"]["labels"] = json!({"app": "web", "pod-template-hash": "7d4b9c"});
        let labeled = |mut p: Value| {
            p["metadata"]["labels"]["tier"] = json!("front");
            p
        };
        let long_ready = labeled(running("long"));
        let just_ready = labeled(pod(
            "just",
            "node-1",
            "Running",
            Some("2026-11-23T03:22:00Z"),
            "2026-11-23T03:21:00Z",
        ));
        let not_ready = labeled(pod(
            "slow",
            "node-1",
            "Running",
            None,
            "2026-11-23T03:21:00Z",
        ));
        let failed = labeled(pod(
            "dead",
            "node-1",
            "Failed",
            None,
            "2026-11-23T03:21:00Z",
        ));
        let pods = [&unlabeled, &long_ready, &just_ready, &not_ready, &failed];
        let actions = reconcile_replicaset(&rs, &pods, NOW);
        assert!(
            actions
                .iter()
                .all(|a| !matches!(a, Action::Create { .. } | Action::Delete { .. }))
        );
        assert_eq!(
            status_of(&actions),
            Some(
                &json!({"replicas": 4, "fullyLabeledReplicas": 3, "readyReplicas": 3,
                         "availableReplicas": 2, "observedGeneration": 1})
            )
        );
        // The pod that became ready at 03:22:00 is available after 03:23:00.
        let at = parse_time("2026-11-23T03:23:00Z").expect("valid time");
        assert_eq!(
            next_availability_check(&rs, &pods, now_ms(NOW)),
            Some(at + 1)
        );
    }

    #[test]
    fn unchanged_status_is_not_written() {
        let mut rs = rs(1);
        rs["status"] = json!({"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1,
                              "availableReplicas": 1, "observedGeneration": 1});
        assert_eq!(reconcile_replicaset(&rs, &[&running("a")], NOW), vec![]);
    }

    #[test]
    fn adopts_matching_orphans_and_releases_unselected_pods() {
        let mut orphan = running("orphan");
        orphan["metadata"]
            .as_object_mut()
            .map(|m| m.remove("ownerReferences"));
        let mut strayed = running("strayed");
        strayed["metadata"]["labels"] = json!({"app": "other"});
        let mut foreign = running("foreign");
        foreign["metadata"]["ownerReferences"][0]["uid"] = json!("someone-else");
        let mut unrelated = running("unrelated");
        unrelated["metadata"] =
            json!({"name": "unrelated", "namespace": "default", "labels": {"app": "db"}});
        let actions = reconcile_replicaset(&rs(1), &[&orphan, &strayed, &foreign, &unrelated], NOW);
        let updates: Vec<_> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Update { path, object, .. } => Some((path.as_str(), object)),
                _ => None,
            })
            .collect();
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0].0, "/api/v1/namespaces/default/pods/orphan");
        assert_eq!(
            updates[0].1["metadata"]["ownerReferences"][0]["uid"],
            "rs-uid"
        );
        assert_eq!(
            updates[0].1["metadata"]["ownerReferences"][0]["controller"],
            true
        );
        assert_eq!(updates[1].0, "/api/v1/namespaces/default/pods/strayed");
        assert!(updates[1].1["metadata"].get("ownerReferences").is_none());
        // The adopted pod counts, so nothing is created.
        assert!(actions.iter().all(|a| !matches!(a, Action::Create { .. })));
        assert_eq!(status_of(&actions).map(|s| &s["replicas"]), Some(&json!(1)));
    }

    #[test]
    fn terminating_replicaset_manages_nothing() {
        let mut rs = rs(3);
        rs["metadata"]["deletionTimestamp"] = json!(NOW);
        let actions = reconcile_replicaset(&rs, &[], NOW);
        assert!(
            actions
                .iter()
                .all(|a| matches!(a, Action::UpdateStatus { .. }))
        );
    }

    #[test]
    fn failures_set_and_clear_the_replica_failure_condition() {
        let rs = rs(2);
        let Some(Action::UpdateStatus { object, .. }) = status_after_failure(
            &rs,
            &[],
            "pods \"web-7d4b9c-\" is forbidden: exceeded quota",
            NOW,
        ) else {
            panic!("no status");
        };
        assert_eq!(
            object["status"]["conditions"],
            json!([{"type": "ReplicaFailure", "status": "True", "lastTransitionTime": NOW,
                    "reason": "FailedCreate", "message": "pods \"web-7d4b9c-\" is forbidden: exceeded quota"}])
        );
        // The next successful sync removes it.
        let actions = reconcile_replicaset(&object, &[], NOW);
        assert_eq!(status_of(&actions).map(|s| s.get("conditions")), Some(None));
    }

    #[test]
    fn semantic_equality_ignores_empty_fields() {
        assert!(semantic_eq(
            &json!({"a": {}, "b": 1}),
            &json!({"b": 1.0, "c": null})
        ));
        assert!(!semantic_eq(&json!({"a": false}), &json!({})));
        assert!(!semantic_eq(&json!([1, 2]), &json!([2, 1])));
    }
}
