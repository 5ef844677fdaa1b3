//! The Deployment controller of kube-controller-manager (`pkg/controller/deployment`) as a pure
//! function: given a Deployment and the ReplicaSets and pods of its namespace (a cache
//! snapshot) it returns the writes of one `syncDeployment` — adopt or release ReplicaSets,
//! create the new ReplicaSet (`<name>-<pod-template-hash>`, revision annotations), scale new
//! and old ReplicaSets by the RollingUpdate or Recreate strategy, scale proportionally when
//! `spec.replicas` changes mid-rollout, delete ReplicaSets beyond `revisionHistoryLimit`, and
//! write `status` with the Available / Progressing / ReplicaFailure conditions of
//! `progress.go`. The logic follows `sync.go`, `rolling.go`, `recreate.go`, `progress.go` and
//! `util/deployment_util.go` of v1.32 function by function, under their names.
//!
//! Where the real sync writes and then keeps working with the object the server returned, this
//! one applies the write to its working copy and goes on; several writes to one object in a sync
//! are merged into one (so the glue never conflicts with itself), and the Deployment gets at most
//! one status write, at the end, carrying the `deployment.kubernetes.io/revision` annotation
//! (the status subresource of Deployments accepts annotation changes, as the real controller
//! relies on). Fields the API server defaults read as their apps/v1 defaults when absent.

use crate::api::label_selector::LabelSelector;
use crate::api::time::parse_time;
use crate::controllers::pod_template_hash::pod_template_hash;
use crate::controllers::replicaset::{
    Action, ERROR_TEXT, Event, adopt, controller_ref_of, int_at, is_terminating, name, namespace,
    new_controller_ref, now_ms, release, replica_set_path, replicas, semantic_eq, stamp, str_at,
    time_at, uid,
};
use serde_json::{Map, Value, json};
use std::cmp::Ordering;
use std::collections::HashSet;

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
pub const DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: &str = "pod-template-hash";

/// Deployment annotations never copied onto its ReplicaSets (`annotationsToSkip`).
const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
];

/// `maxRevHistoryLengthInChars`: the revision-history annotation stays under this length.
const MAX_REV_HISTORY_LENGTH_IN_CHARS: usize = 2000;

// Condition types and reasons (`apps.Deployment*`, `deploymentutil.*Reason`).
const PROGRESSING: &str = "Progressing";
const AVAILABLE: &str = "Available";
const REPLICA_FAILURE: &str = "ReplicaFailure";
const NEW_REPLICA_SET_REASON: &str = "NewReplicaSetCreated";
const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
const PAUSED_DEPLOY_REASON: &str = "DeploymentPaused";
const RESUMED_DEPLOY_REASON: &str = "DeploymentResumed";
const REPLICA_SET_UPDATED_REASON: &str = "ReplicaSetUpdated";
const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";
const MINIMUM_REPLICAS_AVAILABLE: &str = "MinimumReplicasAvailable";
const MINIMUM_REPLICAS_UNAVAILABLE: &str = "MinimumReplicasUnavailable";

/// `math.MaxInt32`: a progress deadline or history limit of this value means "none".
const MAX_INT32: i64 = i32::MAX as i64;

/// `syncDeployment` for one Deployment. `replica_sets` and `pods` are everything in its
/// namespace; `now` is RFC 3339 (the virtual clock). Returns nothing to do when the Deployment
/// is already in the state its ReplicaSets call for.
pub fn reconcile_deployment(
    deployment: &Value,
    replica_sets: &[&Value],
    pods: &[&Value],
    now: &str,
) -> Vec<Action> {
    let mut sync = Sync::new(deployment, replica_sets, now);
    // Cut short or not, what the sync did so far is written.
    let _ = sync.run(pods);
    sync.finish()
}

/// When the glue should sync the Deployment again to check its progress deadline, as
/// `requeueStuckDeployment` decides; call it with the Deployment as stored after the sync's
/// writes. Unix ms, never before `now_ms`. `None` when no deadline applies (no deadline, no Progressing condition yet,
/// rollout complete, or already timed out).
pub fn next_progress_check(deployment: &Value, now_ms: i64) -> Option<i64> {
    let spec = Spec::of(deployment);
    let deadline = spec.progress_deadline?;
    let status = DeploymentStatus::parse(deployment);
    let current = status.condition(PROGRESSING)?;
    if deployment_complete(&spec, &status) || current.reason == TIMED_OUT_REASON {
        return None;
    }
    let last_update = current
        .last_update_time
        .as_deref()
        .and_then(parse_time)
        .unwrap_or(0);
    // The deadline passes when `lastUpdateTime + deadline` is strictly before now; the real
    // controller adds a second against skew too.
    Some((last_update + deadline * 1000 + 1000).max(now_ms))
}

/// The status write after the glue failed to create the new ReplicaSet `rs_name` with `error`:
/// `Progressing=False`, `ReplicaSetCreateError` (only with a progress deadline, as in
/// `getNewReplicaSet`). The Warning event is the Create's `on_failure`.
pub fn status_after_create_failure(
    deployment: &Value,
    rs_name: &str,
    error: &str,
    now: &str,
) -> Option<Action> {
    Spec::of(deployment).progress_deadline?;
    let mut status = DeploymentStatus::parse(deployment);
    let message = format!(
        "Failed to create new replica set {}: {error}",
        quote(rs_name)
    );
    status.set_condition(Condition::new(
        PROGRESSING,
        "False",
        FAILED_RS_CREATE_REASON,
        message,
        now,
    ));
    if status == DeploymentStatus::parse(deployment) {
        return None;
    }
    let mut object = deployment.clone();
    if let Some(obj) = object.as_object_mut() {
        obj.insert("status".into(), status.to_json());
    }
    Some(Action::UpdateStatus {
        path: format!("{}/status", deployment_path(deployment)),
        object,
    })
}

// ---------------------------------------------------------------------------------------------
// The Deployment's spec, with apps/v1 defaults for absent fields.

#[derive(Debug, Clone)]
struct Spec {
    replicas: i64,
    recreate: bool,
    max_surge: IntOrPercent,
    max_unavailable: IntOrPercent,
    min_ready_seconds: i64,
    /// `Some` iff `HasProgressDeadline`.
    progress_deadline: Option<i64>,
    /// `Some` iff `HasRevisionHistoryLimit`.
    revision_history_limit: Option<i64>,
    paused: bool,
    generation: i64,
}

#[derive(Debug, Clone, Copy)]
enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

impl IntOrPercent {
    /// An intOrString field; absent means the apps/v1 default of 25%. A string that is not a
    /// percentage (rejected by validation) reads as 0.
    fn parse(value: Option<&Value>) -> IntOrPercent {
        match value {
            None | Some(Value::Null) => IntOrPercent::Percent(25),
            Some(Value::Number(n)) => IntOrPercent::Int(n.as_i64().unwrap_or(0)),
            Some(Value::String(s)) => s
                .strip_suffix('%')
                .and_then(|p| p.parse().ok())
                .map_or(IntOrPercent::Int(0), IntOrPercent::Percent),
            Some(_) => IntOrPercent::Int(0),
        }
    }

    /// `intstrutil.GetScaledValueFromIntOrPercent`.
    fn scaled(self, total: i64, round_up: bool) -> i64 {
        match self {
            IntOrPercent::Int(v) => v,
            IntOrPercent::Percent(p) => {
                let product = p * total;
                if round_up {
                    product.div_euclid(100) + i64::from(product.rem_euclid(100) != 0)
                } else {
                    product.div_euclid(100)
                }
            }
        }
    }
}

impl Spec {
    fn of(d: &Value) -> Spec {
        let strategy = d.pointer("/spec/strategy");
        let rolling = strategy.and_then(|s| s.get("rollingUpdate"));
        let defaulted = |pointer: &str, default: i64| match d.pointer(pointer) {
            None | Some(Value::Null) => Some(default),
            Some(value) => value.as_i64(),
        };
        let deadline = defaulted("/spec/progressDeadlineSeconds", 600);
        let history = defaulted("/spec/revisionHistoryLimit", 10);
        Spec {
            replicas: replicas(d),
            recreate: strategy.and_then(|s| s.get("type")).and_then(Value::as_str)
                == Some("Recreate"),
            max_surge: IntOrPercent::parse(rolling.and_then(|r| r.get("maxSurge"))),
            max_unavailable: IntOrPercent::parse(rolling.and_then(|r| r.get("maxUnavailable"))),
            min_ready_seconds: int_at(d, "/spec/minReadySeconds").unwrap_or(0),
            progress_deadline: deadline.filter(|&s| s != MAX_INT32),
            revision_history_limit: history.filter(|&n| n != MAX_INT32),
            paused: d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true),
            generation: int_at(d, "/metadata/generation").unwrap_or(0),
        }
    }

    /// `ResolveFenceposts`: surge rounds up, unavailability down, and both zero means one pod
    /// may be unavailable.
    fn resolve_fenceposts(&self) -> (i64, i64) {
        let surge = self.max_surge.scaled(self.replicas, true);
        let mut unavailable = self.max_unavailable.scaled(self.replicas, false);
        if surge == 0 && unavailable == 0 {
            unavailable = 1;
        }
        (surge, unavailable)
    }

    /// `MaxSurge`.
    fn max_surge(&self) -> i64 {
        if self.recreate {
            0
        } else {
            self.resolve_fenceposts().0
        }
    }

    /// `MaxUnavailable`.
    fn max_unavailable(&self) -> i64 {
        if self.recreate || self.replicas == 0 {
            return 0;
        }
        self.resolve_fenceposts().1.min(self.replicas)
    }
}

// ---------------------------------------------------------------------------------------------
// The Deployment's status.

#[derive(Debug, Clone, PartialEq)]
struct Condition {
    kind: String,
    status: String,
    last_update_time: Option<String>,
    last_transition_time: Option<String>,
    reason: String,
    message: String,
}

impl Condition {
    /// `NewDeploymentCondition`: both times now.
    fn new(kind: &str, status: &str, reason: &str, message: String, now: &str) -> Condition {
        Condition {
            kind: kind.into(),
            status: status.into(),
            last_update_time: Some(stamp(now)),
            last_transition_time: Some(stamp(now)),
            reason: reason.into(),
            message,
        }
    }

    fn parse(value: &Value) -> Condition {
        let text = |field: &str| {
            value
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let time = |field: &str| value.get(field).and_then(Value::as_str).map(str::to_string);
        Condition {
            kind: text("type"),
            status: text("status"),
            last_update_time: time("lastUpdateTime"),
            last_transition_time: time("lastTransitionTime"),
            reason: text("reason"),
            message: text("message"),
        }
    }

    fn to_json(&self) -> Value {
        let mut c = Map::new();
        c.insert("type".into(), json!(self.kind));
        c.insert("status".into(), json!(self.status));
        if let Some(t) = &self.last_update_time {
            c.insert("lastUpdateTime".into(), json!(t));
        }
        if let Some(t) = &self.last_transition_time {
            c.insert("lastTransitionTime".into(), json!(t));
        }
        if !self.reason.is_empty() {
            c.insert("reason".into(), json!(self.reason));
        }
        if !self.message.is_empty() {
            c.insert("message".into(), json!(self.message));
        }
        Value::Object(c)
    }
}

/// apps/v1 `DeploymentStatus` (the fields of 1.32).
#[derive(Debug, Clone, PartialEq, Default)]
struct DeploymentStatus {
    observed_generation: i64,
    replicas: i64,
    updated_replicas: i64,
    ready_replicas: i64,
    available_replicas: i64,
    unavailable_replicas: i64,
    conditions: Vec<Condition>,
    collision_count: Option<i64>,
}

impl DeploymentStatus {
    fn parse(d: &Value) -> DeploymentStatus {
        let count = |field: &str| int_at(d, &format!("/status/{field}")).unwrap_or(0);
        DeploymentStatus {
            observed_generation: count("observedGeneration"),
            replicas: count("replicas"),
            updated_replicas: count("updatedReplicas"),
            ready_replicas: count("readyReplicas"),
            available_replicas: count("availableReplicas"),
            unavailable_replicas: count("unavailableReplicas"),
            conditions: d
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(Condition::parse)
                .collect(),
            collision_count: int_at(d, "/status/collisionCount"),
        }
    }

    /// The JSON the real API returns: every field omitempty.
    fn to_json(&self) -> Value {
        let mut s = Map::new();
        for (field, value) in [
            ("observedGeneration", self.observed_generation),
            ("replicas", self.replicas),
            ("updatedReplicas", self.updated_replicas),
            ("readyReplicas", self.ready_replicas),
            ("availableReplicas", self.available_replicas),
            ("unavailableReplicas", self.unavailable_replicas),
        ] {
            if value != 0 {
                s.insert(field.into(), json!(value));
            }
        }
        if !self.conditions.is_empty() {
            s.insert(
                "conditions".into(),
                Value::Array(self.conditions.iter().map(Condition::to_json).collect()),
            );
        }
        if let Some(count) = self.collision_count {
            s.insert("collisionCount".into(), json!(count));
        }
        Value::Object(s)
    }

    /// `GetDeploymentCondition`.
    fn condition(&self, kind: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }

    /// `SetDeploymentCondition`: no change for the same status and reason; the transition time
    /// survives when only the reason changes; the condition moves to the end.
    fn set_condition(&mut self, mut condition: Condition) {
        if let Some(current) = self.condition(&condition.kind) {
            if current.status == condition.status && current.reason == condition.reason {
                return;
            }
            if current.status == condition.status {
                condition.last_transition_time = current.last_transition_time.clone();
            }
        }
        self.remove_condition(&condition.kind.clone());
        self.conditions.push(condition);
    }

    /// `RemoveDeploymentCondition`.
    fn remove_condition(&mut self, kind: &str) {
        self.conditions.retain(|c| c.kind != kind);
    }
}

/// `DeploymentComplete`: every replica updated and available, and the spec observed.
fn deployment_complete(spec: &Spec, status: &DeploymentStatus) -> bool {
    status.updated_replicas == spec.replicas
        && status.replicas == spec.replicas
        && status.available_replicas == spec.replicas
        && status.observed_generation >= spec.generation
}

// ---------------------------------------------------------------------------------------------
// ReplicaSet accessors (`deploymentutil` counting helpers).

fn rs_status(rs: &Value, field: &str) -> i64 {
    int_at(rs, &format!("/status/{field}")).unwrap_or(0)
}

fn annotation<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// `deploymentutil.Revision`: 0 when absent, `None` when unparsable.
fn revision(rs: &Value) -> Option<i64> {
    match annotation(rs, REVISION_ANNOTATION) {
        None => Some(0),
        Some(v) => v.parse().ok(),
    }
}

/// `GetDesiredReplicasAnnotation` / `getMaxReplicasAnnotation`.
fn int_annotation(rs: &Value, key: &str) -> Option<i64> {
    annotation(rs, key)
        .and_then(|v| v.parse::<i32>().ok())
        .map(i64::from)
}

/// A creation time for ordering; a ReplicaSet created during this sync has none yet and is the
/// newest.
fn created(rs: &Value) -> i64 {
    time_at(rs, "/metadata/creationTimestamp").unwrap_or(i64::MAX)
}

/// `controller.ReplicaSetsByCreationTimestamp`.
fn by_creation(a: &Value, b: &Value) -> Ordering {
    created(a)
        .cmp(&created(b))
        .then_with(|| name(a).cmp(name(b)))
}

/// Go's `%q` of a Kubernetes name (which never needs escapes beyond these).
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn deployment_path(d: &Value) -> String {
    format!(
        "/apis/apps/v1/namespaces/{}/deployments/{}",
        namespace(d),
        name(d)
    )
}

/// `EqualIgnoreHash`: two pod templates equal once the pod-template-hash label is dropped.
fn equal_ignore_hash(a: &Value, b: &Value) -> bool {
    let strip = |t: &Value| {
        let mut t = t.clone();
        if let Some(labels) = t
            .pointer_mut("/metadata/labels")
            .and_then(Value::as_object_mut)
        {
            labels.remove(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY);
        }
        t
    };
    semantic_eq(&strip(a), &strip(b))
}

/// `SetReplicasAnnotations`: returns whether anything changed.
fn set_replicas_annotations(rs: &mut Value, desired: i64, max: i64) -> bool {
    let mut updated = false;
    for (key, value) in [
        (DESIRED_REPLICAS_ANNOTATION, desired),
        (MAX_REPLICAS_ANNOTATION, max),
    ] {
        let value = value.to_string();
        if annotation(rs, key) != Some(value.as_str()) {
            set_annotation(rs, key, &value);
            updated = true;
        }
    }
    updated
}

/// `ReplicasAnnotationsNeedUpdate`.
fn replicas_annotations_need_update(rs: &Value, desired: i64, max: i64) -> bool {
    annotation(rs, DESIRED_REPLICAS_ANNOTATION) != Some(desired.to_string().as_str())
        || annotation(rs, MAX_REPLICAS_ANNOTATION) != Some(max.to_string().as_str())
}

/// `value[key]` as an object, created (or replaced) when absent or not an object; `None` when
/// `value` itself is not an object.
fn object_entry<'v>(value: &'v mut Value, key: &str) -> Option<&'v mut Value> {
    let entry = value
        .as_object_mut()?
        .entry(key)
        .or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    Some(entry)
}

/// Sets `metadata.annotations[key]`, creating the maps on the way.
fn set_annotation(object: &mut Value, key: &str, value: &str) {
    if let Some(annotations) = object_entry(object, "metadata")
        .and_then(|meta| object_entry(meta, "annotations"))
        .and_then(Value::as_object_mut)
    {
        annotations.insert(key.into(), json!(value));
    }
}

// ---------------------------------------------------------------------------------------------
// One sync.

/// The sync was cut short (a pod-template-hash collision): what is written so far still goes.
struct Abort;

struct Sync<'a> {
    /// Working copy of the Deployment; only annotations change here.
    d: Value,
    original: &'a Value,
    spec: Spec,
    /// `d.Status` as the real sync sees it, mutated as it would be.
    status: DeploymentStatus,
    /// Every ReplicaSet of the namespace, for name collisions.
    namespace_rs: &'a [&'a Value],
    /// The ReplicaSets this Deployment owns after claiming, oldest first; a ReplicaSet created
    /// during the sync is appended. Indices into it stay valid for the whole sync.
    rs: Vec<Value>,
    /// Names of the ReplicaSets written during this sync (their generation is ahead of what
    /// their status has observed).
    written: HashSet<String>,
    actions: Vec<Action>,
    now: &'a str,
    now_ms: i64,
}

impl<'a> Sync<'a> {
    fn new(d: &'a Value, namespace_rs: &'a [&'a Value], now: &'a str) -> Sync<'a> {
        Sync {
            d: d.clone(),
            original: d,
            spec: Spec::of(d),
            status: DeploymentStatus::parse(d),
            namespace_rs,
            rs: Vec::new(),
            written: HashSet::new(),
            actions: Vec::new(),
            now,
            now_ms: now_ms(now),
        }
    }

    /// `syncDeployment` after the lister lookups. `Err` where the real sync returns early with
    /// an error after writing something (the bumped collision count).
    fn run(&mut self, pods: &[&Value]) -> Result<(), Abort> {
        let selector_value = self
            .d
            .pointer("/spec/selector")
            .cloned()
            .unwrap_or(Value::Null);
        if selecting_all(&selector_value) {
            self.actions.push(Action::Event(Event::new(
                self.original,
                "Warning",
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.".into(),
            )));
            if self.status.observed_generation < self.spec.generation {
                self.status.observed_generation = self.spec.generation;
            }
            return Ok(());
        }
        let Ok(selector) = LabelSelector::from_label_selector(&selector_value) else {
            // The real sync fails with "invalid label selector" and retries; nothing to write.
            return Ok(());
        };
        self.claim_replica_sets(&selector);

        if is_terminating(self.original) {
            return self.sync_status_only();
        }
        // An Unknown condition while paused or just resumed, so that the time spent paused
        // never counts against the progress deadline.
        self.check_paused_conditions();
        if self.spec.paused {
            return self.sync();
        }
        if self.is_scaling_event()? {
            return self.sync();
        }
        if self.spec.recreate {
            // Only Recreate looks at the pods (it waits for the old ones to be gone).
            let pod_map = self.pod_map(pods, &selector);
            self.rollout_recreate(&pod_map)
        } else {
            self.rollout_rolling()
        }
    }

    /// The writes: those of the sync, then one status write for the Deployment if its status
    /// or annotations changed.
    fn finish(mut self) -> Vec<Action> {
        let annotations_changed = self.d.pointer("/metadata/annotations")
            != self.original.pointer("/metadata/annotations");
        if annotations_changed || self.status != DeploymentStatus::parse(self.original) {
            let mut object = self.d.clone();
            if let Some(obj) = object.as_object_mut() {
                obj.insert("status".into(), self.status.to_json());
            }
            self.actions.push(Action::UpdateStatus {
                path: format!("{}/status", deployment_path(self.original)),
                object,
            });
        }
        self.actions
    }

    // ----- claiming (`getReplicaSetsForDeployment`, `getPodMapForDeployment`) -----

    /// `ClaimReplicaSets` over every ReplicaSet of the namespace.
    fn claim_replica_sets(&mut self, selector: &LabelSelector) {
        let d_uid = uid(self.original).to_string();
        let d_namespace = namespace(self.original);
        let deleting = is_terminating(self.original);
        let controller_ref = new_controller_ref(self.original, "apps/v1", "Deployment");
        let mut owned = Vec::new();
        let mut adopted = Vec::new();
        for &rs in self.namespace_rs {
            if !d_namespace.is_empty() && namespace(rs) != d_namespace {
                continue;
            }
            let matches = selector.matches_object(rs);
            match controller_ref_of(rs) {
                Some(owner) if str_at(owner, "/uid") == Some(d_uid.as_str()) => {
                    if matches {
                        owned.push(rs.clone());
                    } else if !deleting {
                        self.actions.push(Action::Update {
                            path: replica_set_path(rs),
                            object: release(rs, &d_uid),
                            on_success: Vec::new(),
                        });
                    }
                }
                Some(_) => {}
                None => {
                    if matches && !deleting && !is_terminating(rs) && !d_uid.is_empty() {
                        adopted.push(adopt(rs, &controller_ref));
                    }
                }
            }
        }
        self.rs = owned;
        for rs in adopted {
            self.rs.push(rs.clone());
            let index = self.rs.len() - 1;
            self.write_rs(index, rs, Vec::new());
        }
        // FindNewReplicaSet sorts the list it is given by creation time, and FindOldReplicaSets
        // then walks it in that order.
        self.rs.sort_by(by_creation);
        self.written.clear();
    }

    /// Pods selected by the Deployment, grouped by the owned ReplicaSet that controls them
    /// (terminal and terminating ones included: Recreate must see them).
    fn pod_map<'p>(
        &self,
        pods: &[&'p Value],
        selector: &LabelSelector,
    ) -> Vec<(String, Vec<&'p Value>)> {
        let mut map: Vec<(String, Vec<&'p Value>)> = self
            .rs
            .iter()
            .map(|rs| (uid(rs).to_string(), Vec::new()))
            .collect();
        for &pod in pods {
            if !selector.matches_object(pod) {
                continue;
            }
            let Some(owner_uid) = controller_ref_of(pod).and_then(|r| str_at(r, "/uid")) else {
                continue;
            };
            if let Some((_, list)) = map.iter_mut().find(|(u, _)| u == owner_uid) {
                list.push(pod);
            }
        }
        map
    }

    // ----- writes -----

    /// Writes a changed ReplicaSet: merged into this sync's earlier Create or Update of it when
    /// there is one, else a new Update. The working copy follows.
    fn write_rs(&mut self, index: usize, object: Value, events: Vec<Event>) {
        let path = replica_set_path(&object);
        let rs_name = name(&object).to_string();
        let mut merged = false;
        for action in self.actions.iter_mut().rev() {
            match action {
                Action::Update {
                    path: p,
                    object: o,
                    on_success,
                } if *p == path => {
                    *o = object.clone();
                    on_success.extend(events.iter().cloned());
                    merged = true;
                }
                Action::Create {
                    object: o,
                    on_success,
                    ..
                } if o.get("kind").and_then(Value::as_str) == Some("ReplicaSet")
                    && name(o) == rs_name =>
                {
                    *o = object.clone();
                    on_success.extend(events.iter().cloned());
                    merged = true;
                }
                _ => continue,
            }
            break;
        }
        if !merged {
            self.actions.push(Action::Update {
                path,
                object: object.clone(),
                on_success: events,
            });
        }
        self.written.insert(rs_name);
        if let Some(slot) = self.rs.get_mut(index) {
            *slot = object;
        }
    }

    fn scaling_event(&self, op: &str, rs_name: &str, from: i64, to: i64) -> Event {
        Event::new(
            self.original,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled {op} replica set {rs_name} from {from} to {to}"),
        )
    }

    /// `scaleReplicaSet`: writes the size and the desired/max annotations if either is stale;
    /// true when the size changed.
    fn scale_replica_set(&mut self, index: usize, new_scale: i64) -> bool {
        let Some(rs) = self.rs.get(index) else {
            return false;
        };
        let old_scale = replicas(rs);
        let size_needs_update = old_scale != new_scale;
        let max = self.spec.replicas + self.spec.max_surge();
        let annotations_need_update = replicas_annotations_need_update(rs, self.spec.replicas, max);
        if !size_needs_update && !annotations_need_update {
            return false;
        }
        let mut copy = rs.clone();
        if let Some(spec) = copy.get_mut("spec").and_then(Value::as_object_mut) {
            spec.insert("replicas".into(), json!(new_scale));
        }
        set_replicas_annotations(&mut copy, self.spec.replicas, max);
        let mut events = Vec::new();
        if size_needs_update {
            let op = if old_scale < new_scale { "up" } else { "down" };
            events.push(self.scaling_event(op, name(&copy), old_scale, new_scale));
        }
        self.write_rs(index, copy, events);
        size_needs_update
    }

    /// `scaleReplicaSetAndRecordEvent`.
    fn scale_replica_set_and_record_event(&mut self, index: usize, new_scale: i64) -> bool {
        if self
            .rs
            .get(index)
            .is_none_or(|rs| replicas(rs) == new_scale)
        {
            return false;
        }
        self.scale_replica_set(index, new_scale)
    }

    // ----- finding the new and old ReplicaSets -----

    /// `FindNewReplicaSet`: the oldest owned ReplicaSet whose template is the Deployment's.
    fn find_new_replica_set(&self) -> Option<usize> {
        let template = self.d.pointer("/spec/template").unwrap_or(&Value::Null);
        self.rs.iter().position(|rs| {
            equal_ignore_hash(
                rs.pointer("/spec/template").unwrap_or(&Value::Null),
                template,
            )
        })
    }

    /// `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet (created if asked and missing) and
    /// all the old ones, oldest first.
    fn get_all_replica_sets_and_sync_revision(
        &mut self,
        create: bool,
    ) -> Result<(Option<usize>, Vec<usize>), Abort> {
        let existing = self.find_new_replica_set();
        let old: Vec<usize> = (0..self.rs.len())
            .filter(|&i| Some(i) != existing)
            .collect();
        let new = self.get_new_replica_set(existing, &old, create)?;
        Ok((new, old))
    }

    /// `getNewReplicaSet`.
    fn get_new_replica_set(
        &mut self,
        existing: Option<usize>,
        old: &[usize],
        create: bool,
    ) -> Result<Option<usize>, Abort> {
        let max_old_revision = old
            .iter()
            .filter_map(|&i| self.rs.get(i).and_then(revision))
            .max()
            .unwrap_or(0)
            .max(0);
        let new_revision = (max_old_revision + 1).to_string();

        if let Some(index) = existing {
            let Some(rs) = self.rs.get(index) else {
                return Ok(None);
            };
            let mut copy = rs.clone();
            let annotations_updated =
                self.set_new_replica_set_annotations(&mut copy, &new_revision, true);
            let min_ready_seconds_needs_update =
                int_at(&copy, "/spec/minReadySeconds").unwrap_or(0) != self.spec.min_ready_seconds;
            if annotations_updated || min_ready_seconds_needs_update {
                if let Some(spec) = copy.get_mut("spec").and_then(Value::as_object_mut) {
                    if self.spec.min_ready_seconds == 0 {
                        spec.remove("minReadySeconds");
                    } else {
                        spec.insert("minReadySeconds".into(), json!(self.spec.min_ready_seconds));
                    }
                }
                self.write_rs(index, copy, Vec::new());
                return Ok(Some(index));
            }
            let rs_revision = annotation(&copy, REVISION_ANNOTATION)
                .unwrap_or_default()
                .to_string();
            self.set_deployment_revision(&rs_revision);
            if self.spec.progress_deadline.is_some() && self.status.condition(PROGRESSING).is_none()
            {
                let message = format!("Found new replica set {}", quote(name(&copy)));
                self.status.set_condition(Condition::new(
                    PROGRESSING,
                    "True",
                    FOUND_NEW_RS_REASON,
                    message,
                    self.now,
                ));
            }
            return Ok(Some(index));
        }
        if !create {
            return Ok(None);
        }

        // No new ReplicaSet yet: create `<name>-<hash>`.
        let mut template = self
            .d
            .pointer("/spec/template")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let hash = pod_template_hash(&template, self.status.collision_count);
        add_label(&mut template, &hash);
        // labelsutil.CloneSelectorAndAddLabel
        let mut selector = self
            .d
            .pointer("/spec/selector")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(labels) =
            object_entry(&mut selector, "matchLabels").and_then(Value::as_object_mut)
        {
            labels.insert(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY.into(), json!(hash));
        }
        let rs_name = format!("{}-{hash}", name(self.original));
        let mut metadata = Map::new();
        metadata.insert("name".into(), json!(rs_name));
        metadata.insert("namespace".into(), json!(namespace(self.original)));
        if let Some(labels) = template.pointer("/metadata/labels") {
            metadata.insert("labels".into(), labels.clone());
        }
        metadata.insert(
            "ownerReferences".into(),
            json!([new_controller_ref(self.original, "apps/v1", "Deployment")]),
        );
        let old_total: i64 = old
            .iter()
            .filter_map(|&i| self.rs.get(i))
            .map(replicas)
            .sum();
        let new_replicas = self.new_rs_new_replicas(old_total, 0);
        let mut spec = Map::new();
        spec.insert("replicas".into(), json!(new_replicas));
        if self.spec.min_ready_seconds != 0 {
            spec.insert("minReadySeconds".into(), json!(self.spec.min_ready_seconds));
        }
        spec.insert("selector".into(), selector);
        spec.insert("template".into(), template);
        let mut new_rs = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": metadata,
            "spec": spec,
        });
        self.set_new_replica_set_annotations(&mut new_rs, &new_revision, false);

        // The snapshot stands in for the AlreadyExists answer of the real Create.
        if let Some(&taken) = self.namespace_rs.iter().find(|rs| name(rs) == rs_name) {
            let ours = controller_ref_of(taken).and_then(|r| str_at(r, "/uid"))
                == Some(uid(self.original));
            let template = self.d.pointer("/spec/template").unwrap_or(&Value::Null);
            if !(ours
                && equal_ignore_hash(
                    template,
                    taken.pointer("/spec/template").unwrap_or(&Value::Null),
                ))
            {
                // A hash collision: bump collisionCount so the next sync hashes differently.
                self.status.collision_count = Some(self.status.collision_count.unwrap_or(0) + 1);
                return Err(Abort);
            }
            // Ours already (released for not matching the selector): use it as it is.
            self.rs.push(taken.clone());
            let index = self.rs.len() - 1;
            self.set_deployment_revision(&new_revision);
            return Ok(Some(index));
        }

        let mut on_success = Vec::new();
        if new_replicas > 0 {
            on_success.push(Event::new(
                self.original,
                "Normal",
                "ScalingReplicaSet",
                format!("Scaled up replica set {rs_name} from 0 to {new_replicas}"),
            ));
        }
        self.actions.push(Action::Create {
            path: format!(
                "/apis/apps/v1/namespaces/{}/replicasets",
                namespace(self.original)
            ),
            object: new_rs.clone(),
            on_success,
            on_failure: Some(Event::new(
                self.original,
                "Warning",
                FAILED_RS_CREATE_REASON,
                format!(
                    "Failed to create new replica set {}: {ERROR_TEXT}",
                    quote(&rs_name)
                ),
            )),
        });
        self.written.insert(rs_name.clone());
        self.rs.push(new_rs);
        let index = self.rs.len() - 1;

        self.set_deployment_revision(&new_revision);
        if self.spec.progress_deadline.is_some() {
            let message = format!("Created new replica set {}", quote(&rs_name));
            self.status.set_condition(Condition::new(
                PROGRESSING,
                "True",
                NEW_REPLICA_SET_REASON,
                message,
                self.now,
            ));
        }
        Ok(Some(index))
    }

    /// `SetNewReplicaSetAnnotations`: copy the Deployment's annotations, raise the revision
    /// (remembering the one it replaces in revision-history), and for a ReplicaSet about to be
    /// created set desired/max replicas. Returns whether anything changed.
    fn set_new_replica_set_annotations(
        &self,
        rs: &mut Value,
        new_revision: &str,
        exists: bool,
    ) -> bool {
        let mut changed = false;
        // copyDeploymentAnnotationsToReplicaSet
        let d_annotations = self
            .d
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (key, value) in &d_annotations {
            let Some(value) = value.as_str() else {
                continue;
            };
            if ANNOTATIONS_TO_SKIP.contains(&key.as_str()) || annotation(rs, key) == Some(value) {
                continue;
            }
            set_annotation(rs, key, value);
            changed = true;
        }
        let old_revision = annotation(rs, REVISION_ANNOTATION).map(str::to_string);
        let old_revision_int = match old_revision.as_deref() {
            None | Some("") => 0,
            Some(v) => match v.parse::<i64>() {
                Ok(n) => n,
                // "Updating replica set revision OldRevision not int": leave it alone.
                Err(_) => return false,
            },
        };
        let Ok(new_revision_int) = new_revision.parse::<i64>() else {
            return false;
        };
        if old_revision_int < new_revision_int {
            set_annotation(rs, REVISION_ANNOTATION, new_revision);
            changed = true;
            // An existing revision raised means a rollback to this template: keep the old number.
            if let Some(old) = old_revision {
                let history = annotation(rs, REVISION_HISTORY_ANNOTATION)
                    .unwrap_or_default()
                    .to_string();
                if let Some(value) = append_revision_history(&history, &old) {
                    set_annotation(rs, REVISION_HISTORY_ANNOTATION, &value);
                }
            }
        }
        if !exists
            && set_replicas_annotations(
                rs,
                self.spec.replicas,
                self.spec.replicas + self.spec.max_surge(),
            )
        {
            changed = true;
        }
        changed
    }

    /// `SetDeploymentRevision` on the working copy.
    fn set_deployment_revision(&mut self, revision: &str) {
        if annotation(&self.d, REVISION_ANNOTATION) != Some(revision) {
            set_annotation(&mut self.d, REVISION_ANNOTATION, revision);
        }
    }

    /// `NewRSNewReplicas` for a new ReplicaSet of `new_replicas` among ReplicaSets whose sizes
    /// add up to `others` (the new one excluded).
    fn new_rs_new_replicas(&self, others: i64, new_replicas: i64) -> i64 {
        if self.spec.recreate {
            return self.spec.replicas;
        }
        let max_surge = self.spec.max_surge.scaled(self.spec.replicas, true);
        let current = others + new_replicas;
        let max_total = self.spec.replicas + max_surge;
        if current >= max_total {
            return new_replicas;
        }
        let scale_up = (max_total - current).min(self.spec.replicas - new_replicas);
        new_replicas + scale_up
    }

    // ----- sync.go -----

    /// `syncStatusOnly`.
    fn sync_status_only(&mut self) -> Result<(), Abort> {
        let (new, old) = self.get_all_replica_sets_and_sync_revision(false)?;
        let all = with_new(&old, new);
        self.sync_deployment_status(&all, new);
        Ok(())
    }

    /// `sync`: scaling events and paused Deployments.
    fn sync(&mut self) -> Result<(), Abort> {
        let (new, old) = self.get_all_replica_sets_and_sync_revision(false)?;
        self.scale(new, &old);
        if self.spec.paused {
            self.cleanup_deployment(&old);
        }
        let all = with_new(&old, new);
        self.sync_deployment_status(&all, new);
        Ok(())
    }

    /// `checkPausedConditions`: an Unknown Progressing condition while paused, so the time
    /// spent paused never counts against the progress deadline.
    fn check_paused_conditions(&mut self) {
        if self.spec.progress_deadline.is_none() {
            return;
        }
        let current = self.status.condition(PROGRESSING);
        if current.is_some_and(|c| c.reason == TIMED_OUT_REASON) {
            return;
        }
        let paused_condition_exists = current.is_some_and(|c| c.reason == PAUSED_DEPLOY_REASON);
        if self.spec.paused && !paused_condition_exists {
            self.status.set_condition(Condition::new(
                PROGRESSING,
                "Unknown",
                PAUSED_DEPLOY_REASON,
                "Deployment is paused".into(),
                self.now,
            ));
        } else if !self.spec.paused && paused_condition_exists {
            self.status.set_condition(Condition::new(
                PROGRESSING,
                "Unknown",
                RESUMED_DEPLOY_REASON,
                "Deployment is resumed".into(),
                self.now,
            ));
        }
    }

    /// `isScalingEvent`: an active ReplicaSet was sized for a different `spec.replicas`.
    fn is_scaling_event(&mut self) -> Result<bool, Abort> {
        let (new, old) = self.get_all_replica_sets_and_sync_revision(false)?;
        Ok(with_new(&old, new)
            .into_iter()
            .filter_map(|i| self.rs.get(i))
            .filter(|rs| replicas(rs) > 0)
            .filter_map(|rs| int_annotation(rs, DESIRED_REPLICAS_ANNOTATION))
            .any(|desired| desired != self.spec.replicas))
    }

    /// `scale`: proportional scaling of all active ReplicaSets, so a resize in the middle of a
    /// rollout keeps the ratio between old and new.
    fn scale(&mut self, new: Option<usize>, old: &[usize]) {
        if let Some(index) = self.find_active_or_latest(new, old) {
            if self
                .rs
                .get(index)
                .is_some_and(|rs| replicas(rs) != self.spec.replicas)
            {
                self.scale_replica_set_and_record_event(index, self.spec.replicas);
            }
            return;
        }
        // A saturated new ReplicaSet: the old ones go to zero.
        if self.is_saturated(new) {
            for index in self.active(old) {
                self.scale_replica_set_and_record_event(index, 0);
            }
            return;
        }
        if self.spec.recreate {
            return;
        }
        let mut all = self.active(&with_new(old, new));
        let all_rs_replicas: i64 = all
            .iter()
            .filter_map(|&i| self.rs.get(i))
            .map(replicas)
            .sum();
        let allowed_size = if self.spec.replicas > 0 {
            self.spec.replicas + self.spec.max_surge()
        } else {
            0
        };
        let to_add = allowed_size - all_rs_replicas;
        let size = |i: &usize| self.rs.get(*i).map_or(0, replicas);
        let by_created = |a: &usize, b: &usize| match (self.rs.get(*a), self.rs.get(*b)) {
            (Some(x), Some(y)) => by_creation(x, y),
            _ => Ordering::Equal,
        };
        match to_add.cmp(&0) {
            // ReplicaSetsBySizeNewer: larger first, newer first among equals.
            Ordering::Greater => {
                all.sort_by(|a, b| size(b).cmp(&size(a)).then_with(|| by_created(b, a)))
            }
            // ReplicaSetsBySizeOlder: larger first, older first among equals.
            Ordering::Less => {
                all.sort_by(|a, b| size(b).cmp(&size(a)).then_with(|| by_created(a, b)))
            }
            Ordering::Equal => {}
        }
        let mut added = 0;
        let mut sizes = Vec::with_capacity(all.len());
        for &index in &all {
            let current = size(&index);
            if to_add != 0 {
                let proportion = self.get_proportion(index, to_add, added);
                sizes.push(current + proportion);
                added += proportion;
            } else {
                sizes.push(current);
            }
        }
        for (position, (&index, mut target)) in all.iter().zip(sizes).enumerate() {
            // Leftovers of the rounding go to the largest ReplicaSet.
            if position == 0 && to_add != 0 {
                target = (target + to_add - added).max(0);
            }
            self.scale_replica_set(index, target);
        }
    }

    /// `FindActiveOrLatest`: the only active ReplicaSet, else (none active) the new one or the
    /// newest old one; `None` with several active.
    fn find_active_or_latest(&self, new: Option<usize>, old: &[usize]) -> Option<usize> {
        if new.is_none() && old.is_empty() {
            return None;
        }
        let active = self.active(&with_new(old, new));
        match active.as_slice() {
            [] => new.or_else(|| {
                old.iter()
                    .copied()
                    .max_by(|&a, &b| match (self.rs.get(a), self.rs.get(b)) {
                        (Some(x), Some(y)) => by_creation(x, y),
                        _ => Ordering::Equal,
                    })
            }),
            [only] => Some(*only),
            _ => None,
        }
    }

    /// `IsSaturated`: the new ReplicaSet is at full size, meant to be, and all available.
    fn is_saturated(&self, new: Option<usize>) -> bool {
        let Some(rs) = new.and_then(|i| self.rs.get(i)) else {
            return false;
        };
        let Some(desired) = int_annotation(rs, DESIRED_REPLICAS_ANNOTATION) else {
            return false;
        };
        replicas(rs) == self.spec.replicas
            && desired == self.spec.replicas
            && rs_status(rs, "availableReplicas") == self.spec.replicas
    }

    /// `GetProportion`: this ReplicaSet's share of `to_add`, bounded by what is left.
    fn get_proportion(&self, index: usize, to_add: i64, added: i64) -> i64 {
        let Some(rs) = self.rs.get(index) else {
            return 0;
        };
        if replicas(rs) == 0 || to_add == 0 || to_add == added {
            return 0;
        }
        let fraction = self.get_replica_set_fraction(rs);
        let allowed = to_add - added;
        if to_add > 0 {
            fraction.min(allowed)
        } else {
            fraction.max(allowed)
        }
    }

    /// `getReplicaSetFraction`: how much this ReplicaSet grows or shrinks when the Deployment's
    /// maximum size goes from its max-replicas annotation to the current one.
    fn get_replica_set_fraction(&self, rs: &Value) -> i64 {
        let size = replicas(rs);
        if self.spec.replicas == 0 {
            return -size;
        }
        let max_replicas = self.spec.replicas + self.spec.max_surge();
        let before = match int_annotation(rs, MAX_REPLICAS_ANNOTATION) {
            Some(n) if n != 0 => n,
            // Edited annotations: guess from the current size of the Deployment.
            _ if self.status.replicas != 0 => self.status.replicas,
            _ => 1,
        };
        let new_size = (size * max_replicas) as f64 / before as f64;
        // integer.RoundToInt32 rounds half away from zero, as f64::round does.
        new_size.round() as i64 - size
    }

    fn active(&self, indices: &[usize]) -> Vec<usize> {
        indices
            .iter()
            .copied()
            .filter(|&i| self.rs.get(i).is_some_and(|rs| replicas(rs) > 0))
            .collect()
    }

    /// `cleanupDeployment`: delete the oldest revisions beyond `revisionHistoryLimit`, but only
    /// ReplicaSets that are at zero, settled and not already going.
    fn cleanup_deployment(&mut self, old: &[usize]) {
        let Some(limit) = self.spec.revision_history_limit else {
            return;
        };
        let mut cleanable: Vec<usize> = old
            .iter()
            .copied()
            .filter(|&i| self.rs.get(i).is_some_and(|rs| !is_terminating(rs)))
            .collect();
        let diff = cleanable.len() as i64 - limit;
        if diff <= 0 {
            return;
        }
        // ReplicaSetsByRevision.
        cleanable.sort_by(|&a, &b| {
            let (Some(x), Some(y)) = (self.rs.get(a), self.rs.get(b)) else {
                return Ordering::Equal;
            };
            match (revision(x), revision(y)) {
                (Some(rx), Some(ry)) if rx != ry => rx.cmp(&ry),
                _ => by_creation(x, y),
            }
        });
        for &index in cleanable.iter().take(usize::try_from(diff).unwrap_or(0)) {
            let Some(rs) = self.rs.get(index) else {
                continue;
            };
            let unsettled = int_at(rs, "/metadata/generation").unwrap_or(0)
                > rs_status(rs, "observedGeneration")
                || self.written.contains(name(rs));
            if rs_status(rs, "replicas") != 0
                || replicas(rs) != 0
                || unsettled
                || is_terminating(rs)
            {
                continue;
            }
            self.actions.push(Action::Delete {
                path: replica_set_path(rs),
                on_success: Vec::new(),
                on_failure: None,
            });
        }
    }

    /// `syncDeploymentStatus`.
    fn sync_deployment_status(&mut self, all: &[usize], new: Option<usize>) {
        self.status = self.calculate_status(all, new);
    }

    /// `calculateStatus`: counts from the ReplicaSets, conditions carried over, Available set.
    fn calculate_status(&self, all: &[usize], new: Option<usize>) -> DeploymentStatus {
        let sets: Vec<&Value> = all.iter().filter_map(|&i| self.rs.get(i)).collect();
        let sum = |field: &str| sets.iter().map(|rs| rs_status(rs, field)).sum::<i64>();
        let available = sum("availableReplicas");
        let total: i64 = sets.iter().map(|rs| replicas(rs)).sum();
        let mut status = DeploymentStatus {
            observed_generation: self.spec.generation,
            replicas: sum("replicas"),
            updated_replicas: new
                .and_then(|i| self.rs.get(i))
                .map_or(0, |rs| rs_status(rs, "replicas")),
            ready_replicas: sum("readyReplicas"),
            available_replicas: available,
            // More available than wanted (a scale-down in flight) is no unavailability.
            unavailable_replicas: (total - available).max(0),
            conditions: self.status.conditions.clone(),
            collision_count: self.status.collision_count,
        };
        if available >= self.spec.replicas - self.spec.max_unavailable() {
            status.set_condition(Condition::new(
                AVAILABLE,
                "True",
                MINIMUM_REPLICAS_AVAILABLE,
                "Deployment has minimum availability.".into(),
                self.now,
            ));
        } else {
            status.set_condition(Condition::new(
                AVAILABLE,
                "False",
                MINIMUM_REPLICAS_UNAVAILABLE,
                "Deployment does not have minimum availability.".into(),
                self.now,
            ));
        }
        status
    }

    // ----- rolling.go -----

    /// `rolloutRolling`.
    fn rollout_rolling(&mut self) -> Result<(), Abort> {
        let (new, old) = self.get_all_replica_sets_and_sync_revision(true)?;
        let Some(new_index) = new else {
            return Ok(());
        };
        let all = with_new(&old, new);
        if self.reconcile_new_replica_set(&all, new_index) {
            self.sync_rollout_status(&all, new);
            return Ok(());
        }
        let active_old = self.active(&old);
        if self.reconcile_old_replica_sets(&all, &active_old, new_index) {
            self.sync_rollout_status(&all, new);
            return Ok(());
        }
        if deployment_complete(&self.spec, &self.status) {
            self.cleanup_deployment(&old);
        }
        self.sync_rollout_status(&all, new);
        Ok(())
    }

    /// `reconcileNewReplicaSet`: grow the new ReplicaSet as far as maxSurge allows (or shrink
    /// it to `spec.replicas`).
    fn reconcile_new_replica_set(&mut self, all: &[usize], new: usize) -> bool {
        let Some(new_size) = self.rs.get(new).map(replicas) else {
            return false;
        };
        if new_size == self.spec.replicas {
            return false;
        }
        if new_size > self.spec.replicas {
            return self.scale_replica_set_and_record_event(new, self.spec.replicas);
        }
        let others: i64 = all
            .iter()
            .filter(|&&i| i != new)
            .filter_map(|&i| self.rs.get(i))
            .map(replicas)
            .sum();
        let target = self.new_rs_new_replicas(others, new_size);
        self.scale_replica_set_and_record_event(new, target)
    }

    /// `reconcileOldReplicaSets`: shrink old ReplicaSets as far as maxUnavailable allows,
    /// unhealthy replicas first.
    fn reconcile_old_replica_sets(&mut self, all: &[usize], old: &[usize], new: usize) -> bool {
        let sizes = |indices: &[usize]| {
            indices
                .iter()
                .filter_map(|&i| self.rs.get(i))
                .map(replicas)
                .sum::<i64>()
        };
        if sizes(old) == 0 {
            // Can't scale down further.
            return false;
        }
        let all_pods_count = sizes(all);
        let min_available = self.spec.replicas - self.spec.max_unavailable();
        let Some(new_rs) = self.rs.get(new) else {
            return false;
        };
        let new_rs_unavailable_pod_count =
            replicas(new_rs) - rs_status(new_rs, "availableReplicas");
        let max_scaled_down = all_pods_count - min_available - new_rs_unavailable_pod_count;
        if max_scaled_down <= 0 {
            return false;
        }
        // Clean up unhealthy replicas first, otherwise they block the rollout (#16737).
        let mut old = old.to_vec();
        let Some(cleanup_count) = self.cleanup_unhealthy_replicas(&mut old, max_scaled_down) else {
            return false;
        };
        let all_after: Vec<usize> = with_new(&old, Some(new));
        let Some(scaled_down_count) =
            self.scale_down_old_replica_sets_for_rolling_update(&all_after, &mut old)
        else {
            return false;
        };
        cleanup_count + scaled_down_count > 0
    }

    /// `cleanupUnhealthyReplicas`: scale old ReplicaSets down by their unavailable replicas,
    /// oldest first, up to `max_cleanup_count`. `None` where the real one returns an error.
    fn cleanup_unhealthy_replicas(
        &mut self,
        old: &mut [usize],
        max_cleanup_count: i64,
    ) -> Option<i64> {
        old.sort_by(|&a, &b| match (self.rs.get(a), self.rs.get(b)) {
            (Some(x), Some(y)) => by_creation(x, y),
            _ => Ordering::Equal,
        });
        let mut total_scaled_down = 0;
        for &index in old.iter() {
            if total_scaled_down >= max_cleanup_count {
                break;
            }
            let rs = self.rs.get(index)?;
            let size = replicas(rs);
            let available = rs_status(rs, "availableReplicas");
            if size == 0 || size == available {
                // Nothing to scale down, or no unhealthy replicas.
                continue;
            }
            let scaled_down_count = (max_cleanup_count - total_scaled_down).min(size - available);
            let new_replicas_count = size - scaled_down_count;
            if new_replicas_count > size {
                // "when cleaning up unhealthy replicas, got invalid request to scale down".
                return None;
            }
            self.scale_replica_set_and_record_event(index, new_replicas_count);
            total_scaled_down += scaled_down_count;
        }
        Some(total_scaled_down)
    }

    /// `scaleDownOldReplicaSetsForRollingUpdate`: scale old ReplicaSets down, oldest first, by
    /// as many replicas as are available beyond the minimum.
    fn scale_down_old_replica_sets_for_rolling_update(
        &mut self,
        all: &[usize],
        old: &mut [usize],
    ) -> Option<i64> {
        let min_available = self.spec.replicas - self.spec.max_unavailable();
        let available_pod_count: i64 = all
            .iter()
            .filter_map(|&i| self.rs.get(i))
            .map(|rs| rs_status(rs, "availableReplicas"))
            .sum();
        if available_pod_count <= min_available {
            return Some(0);
        }
        old.sort_by(|&a, &b| match (self.rs.get(a), self.rs.get(b)) {
            (Some(x), Some(y)) => by_creation(x, y),
            _ => Ordering::Equal,
        });
        let total_scale_down_count = available_pod_count - min_available;
        let mut total_scaled_down = 0;
        for &index in old.iter() {
            if total_scaled_down >= total_scale_down_count {
                break;
            }
            let size = self.rs.get(index).map_or(0, replicas);
            if size == 0 {
                continue;
            }
            let scale_down_count = size.min(total_scale_down_count - total_scaled_down);
            let new_replicas_count = size - scale_down_count;
            if new_replicas_count > size {
                return None;
            }
            self.scale_replica_set_and_record_event(index, new_replicas_count);
            total_scaled_down += scale_down_count;
        }
        Some(total_scaled_down)
    }

    // ----- recreate.go -----

    /// `rolloutRecreate`: old ReplicaSets to zero, wait until none of their pods run, then the
    /// new ReplicaSet (created only now) to full size.
    fn rollout_recreate(&mut self, pod_map: &[(String, Vec<&Value>)]) -> Result<(), Abort> {
        // Not creating the new ReplicaSet yet avoids scaling up before the old ones are down.
        let (mut new, mut old) = self.get_all_replica_sets_and_sync_revision(false)?;
        let mut all = with_new(&old, new);
        let mut scaled_down = false;
        for index in self.active(&old) {
            if self.scale_replica_set_and_record_event(index, 0) {
                scaled_down = true;
            }
        }
        if scaled_down || self.old_pods_running(new, &old, pod_map) {
            self.sync_rollout_status(&all, new);
            return Ok(());
        }
        if new.is_none() {
            (new, old) = self.get_all_replica_sets_and_sync_revision(true)?;
            all = with_new(&old, new);
        }
        if let Some(index) = new {
            self.scale_replica_set_and_record_event(index, self.spec.replicas);
        }
        if deployment_complete(&self.spec, &self.status) {
            self.cleanup_deployment(&old);
        }
        self.sync_rollout_status(&all, new);
        Ok(())
    }

    /// `oldPodsRunning`: an old ReplicaSet still reports pods, or one of its pods is not in a
    /// terminal phase (terminating pods count: they may still run).
    fn old_pods_running(
        &self,
        new: Option<usize>,
        old: &[usize],
        pod_map: &[(String, Vec<&Value>)],
    ) -> bool {
        if old
            .iter()
            .filter_map(|&i| self.rs.get(i))
            .map(|rs| rs_status(rs, "replicas"))
            .sum::<i64>()
            > 0
        {
            return true;
        }
        let new_uid = new.and_then(|i| self.rs.get(i)).map(uid);
        pod_map
            .iter()
            .filter(|(rs_uid, _)| Some(rs_uid.as_str()) != new_uid)
            .flat_map(|(_, pods)| pods)
            .any(|pod| !matches!(str_at(pod, "/status/phase"), Some("Failed" | "Succeeded")))
    }

    // ----- progress.go -----

    /// `syncRolloutStatus`: the status plus the Progressing condition: complete, progressing
    /// (lastUpdateTime moves, lastTransitionTime stays), or past its deadline; and the
    /// ReplicaSets' ReplicaFailure.
    fn sync_rollout_status(&mut self, all: &[usize], new: Option<usize>) {
        let mut new_status = self.calculate_status(all, new);
        if self.spec.progress_deadline.is_none() {
            new_status.remove_condition(PROGRESSING);
        }
        let current = self.status.condition(PROGRESSING).cloned();
        let is_complete_deployment = new_status.replicas == new_status.updated_replicas
            && current
                .as_ref()
                .is_some_and(|c| c.reason == NEW_RS_AVAILABLE_REASON);
        if self.spec.progress_deadline.is_some() && !is_complete_deployment {
            let subject = match new.and_then(|i| self.rs.get(i)) {
                Some(rs) => format!("ReplicaSet {}", quote(name(rs))),
                None => format!("Deployment {}", quote(name(self.original))),
            };
            if deployment_complete(&self.spec, &new_status) {
                new_status.set_condition(Condition::new(
                    PROGRESSING,
                    "True",
                    NEW_RS_AVAILABLE_REASON,
                    format!("{subject} has successfully progressed."),
                    self.now,
                ));
            } else if self.deployment_progressing(&new_status) {
                let mut condition = Condition::new(
                    PROGRESSING,
                    "True",
                    REPLICA_SET_UPDATED_REASON,
                    format!("{subject} is progressing."),
                    self.now,
                );
                // Unlike SetDeploymentCondition, progress under the same reason still moves
                // lastUpdateTime; only a True condition keeps its transition time.
                if let Some(current) = &current {
                    if current.status == "True" {
                        condition.last_transition_time = current.last_transition_time.clone();
                    }
                    new_status.remove_condition(PROGRESSING);
                }
                new_status.set_condition(condition);
            } else if self.deployment_timed_out(&new_status) {
                new_status.set_condition(Condition::new(
                    PROGRESSING,
                    "False",
                    TIMED_OUT_REASON,
                    format!("{subject} has timed out progressing."),
                    self.now,
                ));
            }
        }
        match self.get_replica_failures(all, new).into_iter().next() {
            Some(failure) => new_status.set_condition(failure),
            None => new_status.remove_condition(REPLICA_FAILURE),
        }
        self.status = new_status;
    }

    /// `DeploymentProgressing`: more updated, ready or available replicas, or fewer old ones.
    fn deployment_progressing(&self, new_status: &DeploymentStatus) -> bool {
        let old = &self.status;
        let old_status_old_replicas = old.replicas - old.updated_replicas;
        let new_status_old_replicas = new_status.replicas - new_status.updated_replicas;
        new_status.updated_replicas > old.updated_replicas
            || new_status_old_replicas < old_status_old_replicas
            || new_status.ready_replicas > old.ready_replicas
            || new_status.available_replicas > old.available_replicas
    }

    /// `DeploymentTimedOut`: no progress for `progressDeadlineSeconds` since lastUpdateTime.
    fn deployment_timed_out(&self, new_status: &DeploymentStatus) -> bool {
        let Some(deadline) = self.spec.progress_deadline else {
            return false;
        };
        let Some(condition) = new_status.condition(PROGRESSING) else {
            return false;
        };
        // A finished rollout is not re-estimated; a timed-out one stays timed out.
        if condition.reason == NEW_RS_AVAILABLE_REASON {
            return false;
        }
        if condition.reason == TIMED_OUT_REASON {
            return true;
        }
        let from = condition
            .last_update_time
            .as_deref()
            .and_then(parse_time)
            .unwrap_or(crate::api::time::ZERO_TIME_MS);
        from + deadline * 1000 < self.now_ms
    }

    /// `getReplicaFailures`: the new ReplicaSet's ReplicaFailure conditions, else any old one's.
    fn get_replica_failures(&self, all: &[usize], new: Option<usize>) -> Vec<Condition> {
        let failures = |rs: &Value| -> Vec<Condition> {
            rs.pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|c| str_at(c, "/type") == Some(REPLICA_FAILURE))
                .map(|c| {
                    let mut condition = Condition::parse(c);
                    // ReplicaSetToDeploymentCondition: both times are the transition time.
                    condition.last_update_time = condition.last_transition_time.clone();
                    condition
                })
                .collect()
        };
        if let Some(rs) = new.and_then(|i| self.rs.get(i)) {
            let found = failures(rs);
            if !found.is_empty() {
                return found;
            }
        }
        all.iter()
            .filter_map(|&i| self.rs.get(i))
            .flat_map(failures)
            .collect()
    }
}

/// `reflect.DeepEqual(d.Spec.Selector, &metav1.LabelSelector{})`.
fn selecting_all(selector: &Value) -> bool {
    selector.as_object().is_some_and(|s| {
        s.get("matchLabels").is_none_or(Value::is_null)
            && s.get("matchExpressions").is_none_or(Value::is_null)
    })
}

/// `append(oldRSs, newRS)`.
fn with_new(old: &[usize], new: Option<usize>) -> Vec<usize> {
    old.iter().copied().chain(new).collect()
}

/// `labelsutil.CloneAndAddLabel` on a template's labels.
fn add_label(template: &mut Value, hash: &str) {
    if !template.is_object() {
        *template = json!({});
    }
    if let Some(labels) = object_entry(template, "metadata")
        .and_then(|meta| object_entry(meta, "labels"))
        .and_then(Value::as_object_mut)
    {
        labels.insert(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY.into(), json!(hash));
    }
}

/// The revision-history annotation with `old` appended, the oldest entries dropped to stay
/// within the length limit; `None` when even `old` alone does not fit.
fn append_revision_history(history: &str, old: &str) -> Option<String> {
    if history.is_empty() {
        return Some(old.to_string());
    }
    let revisions: Vec<&str> = history.split(',').collect();
    let mut total = history.len() + old.len() + 1;
    let mut start = 0;
    while total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < revisions.len() {
        total -= revisions[start].len() + 1;
        start += 1;
    }
    if total > MAX_REV_HISTORY_LENGTH_IN_CHARS {
        return None;
    }
    let mut kept: Vec<&str> = revisions[start..].to_vec();
    kept.push(old);
    Some(kept.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::time::format_time;
    use crate::controllers::replicaset::reconcile_replicaset;

    const START: &str = "2026-11-23T03:22:20Z";

    fn deployment(replicas: i64, image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "uid": "d-uid", "generation": 1,
                         "resourceVersion": "1", "creationTimestamp": START},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
                    "spec": {"containers": [{"name": "web", "image": image}]},
                },
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "revisionHistoryLimit": 10,
                "progressDeadlineSeconds": 600,
            },
            "status": {},
        })
    }

    /// A tiny API server, kubelet and garbage collector around the two controllers.
    struct World {
        now_ms: i64,
        deployment: Value,
        replica_sets: Vec<Value>,
        pods: Vec<Value>,
        /// `Reason: message` of every recorded event, in order.
        events: Vec<String>,
        next_id: u64,
        /// Whether the kubelet makes pods ready.
        pods_become_ready: bool,
    }

    impl World {
        fn new(deployment: Value) -> World {
            World {
                now_ms: now_ms(START),
                deployment,
                replica_sets: Vec::new(),
                pods: Vec::new(),
                events: Vec::new(),
                next_id: 100,
                pods_become_ready: true,
            }
        }

        fn now(&self) -> String {
            format_time(self.now_ms)
        }

        fn id(&mut self) -> u64 {
            self.next_id += 1;
            self.next_id
        }

        /// An update of the Deployment's spec by a user (kubectl set image, scale, …).
        fn edit(&mut self, change: impl FnOnce(&mut Value)) {
            let before = self.deployment["spec"].clone();
            change(&mut self.deployment);
            if self.deployment["spec"] != before {
                let generation = self.deployment["metadata"]["generation"]
                    .as_i64()
                    .unwrap_or(0);
                self.deployment["metadata"]["generation"] = json!(generation + 1);
            }
            let rv = self.id().to_string();
            self.deployment["metadata"]["resourceVersion"] = json!(rv);
        }

        fn record(&mut self, events: &[Event], name: Option<&str>) {
            for event in events {
                let event = event.completed(name, None);
                self.events
                    .push(format!("{}: {}", event.reason, event.message));
            }
        }

        fn find<'w>(list: &'w mut [Value], path: &str) -> &'w mut Value {
            let name = path.rsplit('/').next().unwrap_or_default();
            let found = list.iter_mut().find(|o| o["metadata"]["name"] == name);
            found.unwrap_or_else(|| panic!("no object at {path}"))
        }

        fn apply(&mut self, actions: &[Action]) {
            for action in actions {
                let now = self.now();
                match action {
                    Action::Create {
                        path,
                        object,
                        on_success,
                        ..
                    } => {
                        let id = self.id();
                        let mut object = object.clone();
                        let meta = &mut object["metadata"];
                        if let Some(prefix) = meta["generateName"].as_str() {
                            meta["name"] = json!(format!("{prefix}{id}"));
                        }
                        meta["namespace"] = json!("default");
                        meta["uid"] = json!(format!("uid-{id}"));
                        meta["creationTimestamp"] = json!(now);
                        meta["resourceVersion"] = json!(id.to_string());
                        let name = meta["name"].as_str().unwrap_or_default().to_string();
                        if path.ends_with("/replicasets") {
                            assert!(
                                self.replica_sets
                                    .iter()
                                    .all(|rs| rs["metadata"]["name"] != name.as_str())
                            );
                            object["metadata"]["generation"] = json!(1);
                            object["status"] = json!({"replicas": 0});
                            self.replica_sets.push(object);
                        } else {
                            object["status"] = json!({"phase": "Pending"});
                            self.pods.push(object);
                        }
                        self.record(on_success, Some(&name));
                    }
                    Action::Update {
                        path,
                        object,
                        on_success,
                    } => {
                        let id = self.id().to_string();
                        let list = if path.contains("/replicasets/") {
                            &mut self.replica_sets
                        } else {
                            &mut self.pods
                        };
                        let stored = World::find(list, path);
                        assert_eq!(
                            stored["metadata"]["resourceVersion"],
                            object["metadata"]["resourceVersion"],
                            "conflict on {path}"
                        );
                        let mut object = object.clone();
                        object["status"] = stored["status"].clone();
                        let generation = stored["metadata"]["generation"].as_i64().unwrap_or(0);
                        object["metadata"]["generation"] =
                            json!(generation + i64::from(object["spec"] != stored["spec"]));
                        object["metadata"]["resourceVersion"] = json!(id);
                        *stored = object;
                        self.record(on_success, None);
                    }
                    Action::UpdateStatus { path, object } => {
                        let id = self.id().to_string();
                        let path = path.trim_end_matches("/status");
                        let stored = if path.contains("/deployments/") {
                            &mut self.deployment
                        } else {
                            World::find(&mut self.replica_sets, path)
                        };
                        assert_eq!(
                            stored["metadata"]["resourceVersion"],
                            object["metadata"]["resourceVersion"],
                            "conflict on {path}"
                        );
                        stored["status"] = object["status"].clone();
                        // Deployments take annotation changes through /status.
                        stored["metadata"]["annotations"] =
                            object["metadata"]["annotations"].clone();
                        stored["metadata"]["resourceVersion"] = json!(id);
                    }
                    Action::Delete {
                        path, on_success, ..
                    } => {
                        let name = path.rsplit('/').next().unwrap_or_default().to_string();
                        if path.contains("/replicasets/") {
                            let uid = World::find(&mut self.replica_sets, path)["metadata"]["uid"]
                                .clone();
                            self.replica_sets
                                .retain(|rs| rs["metadata"]["name"] != name.as_str());
                            // The garbage collector takes its pods.
                            self.pods
                                .retain(|p| p["metadata"]["ownerReferences"][0]["uid"] != uid);
                        } else {
                            // Graceful deletion: the kubelet removes it on its next pass.
                            World::find(&mut self.pods, path)["metadata"]["deletionTimestamp"] =
                                json!(now);
                        }
                        self.record(on_success, None);
                    }
                    Action::Event(event) => self.record(std::slice::from_ref(event), None),
                }
            }
        }

        fn sync_deployment(&mut self) -> Vec<Action> {
            let replica_sets: Vec<&Value> = self.replica_sets.iter().collect();
            let pods: Vec<&Value> = self.pods.iter().collect();
            let actions = reconcile_deployment(&self.deployment, &replica_sets, &pods, &self.now());
            self.apply(&actions);
            actions
        }

        fn sync_replica_sets(&mut self) -> usize {
            let mut count = 0;
            for i in 0..self.replica_sets.len() {
                let Some(rs) = self.replica_sets.get(i).cloned() else {
                    continue;
                };
                let pods: Vec<&Value> = self.pods.iter().collect();
                let actions = reconcile_replicaset(&rs, &pods, &self.now());
                count += actions.len();
                self.apply(&actions);
            }
            count
        }

        /// Terminating pods go away; pods created before this pass start and become ready.
        fn kubelet(&mut self) -> usize {
            let before = self.pods.len();
            self.pods
                .retain(|p| p["metadata"].get("deletionTimestamp").is_none());
            let mut changes = before - self.pods.len();
            let now = self.now();
            for pod in &mut self.pods {
                let created = pod["metadata"]["creationTimestamp"]
                    .as_str()
                    .and_then(parse_time)
                    .unwrap_or(0);
                if pod["status"]["phase"] == "Pending" && created < self.now_ms {
                    pod["spec"]["nodeName"] = json!("node-1");
                    pod["status"]["phase"] = json!("Running");
                    if self.pods_become_ready {
                        pod["status"]["conditions"] =
                            json!([{"type": "Ready", "status": "True", "lastTransitionTime": now}]);
                    }
                    changes += 1;
                }
            }
            changes
        }

        /// One round of the control loops, one second later.
        fn round(&mut self) -> usize {
            self.now_ms += 1000;
            let mut changes = self.sync_deployment().len();
            changes += self.sync_replica_sets();
            changes + self.kubelet()
        }

        /// Rounds until nothing moves, checking `invariant` after each.
        fn settle_checking(&mut self, mut invariant: impl FnMut(&World)) {
            for _ in 0..100 {
                let changes = self.round();
                invariant(self);
                if changes == 0 {
                    return;
                }
            }
            panic!("no steady state after 100 rounds");
        }

        fn settle(&mut self) {
            self.settle_checking(|_| {});
        }

        fn rs_named(&self, name: &str) -> &Value {
            let found = self
                .replica_sets
                .iter()
                .find(|rs| rs["metadata"]["name"] == name);
            found.unwrap_or_else(|| panic!("no ReplicaSet {name}"))
        }

        fn active_pods(&self) -> Vec<&Value> {
            self.pods
                .iter()
                .filter(|p| p["metadata"].get("deletionTimestamp").is_none())
                .collect()
        }

        fn condition(&self, kind: &str) -> Value {
            let conditions = self.deployment["status"]["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            conditions
                .into_iter()
                .find(|c| c["type"] == kind)
                .unwrap_or(Value::Null)
        }

        /// Everything at rest: no controller has anything left to do.
        fn assert_idle(&mut self) {
            assert_eq!(self.sync_deployment(), vec![], "deployment not idle");
            assert_eq!(self.sync_replica_sets(), 0, "replica sets not idle");
        }
    }

    fn rs_name_for(d: &Value) -> String {
        format!("web-{}", pod_template_hash(&d["spec"]["template"], None))
    }

    #[test]
    fn first_sync_creates_the_new_replica_set() {
        let d = deployment(3, "nginx:1.25");
        let actions = reconcile_deployment(&d, &[], &[], START);
        let rs_name = rs_name_for(&d);
        let hash = rs_name.trim_start_matches("web-");
        let [
            Action::Create {
                path,
                object,
                on_success,
                on_failure,
            },
            Action::UpdateStatus {
                path: status_path,
                object: updated,
            },
        ] = actions.as_slice()
        else {
            panic!("unexpected actions {actions:#?}");
        };
        assert_eq!(path, "/apis/apps/v1/namespaces/default/replicasets");
        assert_eq!(object["metadata"]["name"], rs_name.as_str());
        assert_eq!(
            object["metadata"]["labels"],
            json!({"app": "web", "pod-template-hash": hash})
        );
        assert_eq!(
            object["metadata"]["annotations"],
            json!({"deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "3",
                   "deployment.kubernetes.io/max-replicas": "4"})
        );
        assert_eq!(
            object["metadata"]["ownerReferences"],
            json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d-uid",
                    "controller": true, "blockOwnerDeletion": true}])
        );
        assert_eq!(object["spec"]["replicas"], 3);
        assert_eq!(
            object["spec"]["selector"],
            json!({"matchLabels": {"app": "web", "pod-template-hash": hash}})
        );
        assert_eq!(
            object["spec"]["template"]["metadata"]["labels"],
            json!({"app": "web", "pod-template-hash": hash})
        );
        assert_eq!(on_success.len(), 1);
        assert_eq!(
            (on_success[0].event_type, on_success[0].reason),
            ("Normal", "ScalingReplicaSet")
        );
        assert_eq!(
            on_success[0].message,
            format!("Scaled up replica set {rs_name} from 0 to 3")
        );
        assert_eq!(on_success[0].regarding["kind"], "Deployment");
        assert_eq!(
            on_failure
                .as_ref()
                .map(|e| e.completed(None, Some("boom")).message),
            Some(format!(
                "Failed to create new replica set \"{rs_name}\": boom"
            ))
        );

        assert_eq!(
            status_path,
            "/apis/apps/v1/namespaces/default/deployments/web/status"
        );
        assert_eq!(
            updated["metadata"]["annotations"],
            json!({"deployment.kubernetes.io/revision": "1"})
        );
        assert_eq!(
            updated["status"],
            json!({
                "observedGeneration": 1,
                // The new ReplicaSet's 3 replicas count as wanted and not yet available.
                "unavailableReplicas": 3,
                "conditions": [
                    {"type": "Progressing", "status": "True", "lastUpdateTime": START, "lastTransitionTime": START,
                     "reason": "NewReplicaSetCreated", "message": format!("Created new replica set \"{rs_name}\"")},
                    {"type": "Available", "status": "False", "lastUpdateTime": START, "lastTransitionTime": START,
                     "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."},
                ],
            })
        );
    }

    #[test]
    fn ready_pods_make_the_deployment_available_and_complete() {
        let mut world = World::new(deployment(3, "nginx:1.25"));
        world.settle();
        let rs_name = rs_name_for(&world.deployment);
        let status = &world.deployment["status"];
        for (field, want) in [
            ("replicas", 3),
            ("updatedReplicas", 3),
            ("readyReplicas", 3),
            ("availableReplicas", 3),
            ("observedGeneration", 1),
        ] {
            assert_eq!(status[field], want, "{field}");
        }
        assert!(status.get("unavailableReplicas").is_none());
        let available = world.condition("Available");
        assert_eq!(
            (&available["status"], &available["reason"]),
            (&json!("True"), &json!("MinimumReplicasAvailable"))
        );
        assert_eq!(available["message"], "Deployment has minimum availability.");
        let progressing = world.condition("Progressing");
        assert_eq!(
            (&progressing["status"], &progressing["reason"]),
            (&json!("True"), &json!("NewReplicaSetAvailable"))
        );
        assert_eq!(
            progressing["message"],
            format!("ReplicaSet \"{rs_name}\" has successfully progressed.")
        );
        // True since the ReplicaSet was created; updated when the rollout finished.
        assert_eq!(progressing["lastTransitionTime"], "2026-11-23T03:22:21Z");
        assert_ne!(
            progressing["lastUpdateTime"],
            progressing["lastTransitionTime"]
        );
        // Conditions end in the order a real cluster shows them.
        assert_eq!(
            world.deployment["status"]["conditions"][0]["type"],
            "Available"
        );

        assert_eq!(
            world.events[0],
            format!("ScalingReplicaSet: Scaled up replica set {rs_name} from 0 to 3")
        );
        let created = world
            .events
            .iter()
            .filter(|e| e.starts_with(&format!("SuccessfulCreate: Created pod: {rs_name}-")))
            .count();
        assert_eq!(created, 3);
        assert_eq!(world.rs_named(&rs_name)["status"]["availableReplicas"], 3);
        world.assert_idle();
        assert_eq!(next_progress_check(&world.deployment, world.now_ms), None);
    }

    #[test]
    fn template_change_rolls_within_surge_and_unavailability() {
        let mut world = World::new(deployment(3, "nginx:1.25"));
        world.settle();
        let old_name = rs_name_for(&world.deployment);
        world.events.clear();
        world.edit(|d| {
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.26")
        });
        let new_name = rs_name_for(&world.deployment);
        assert_ne!(old_name, new_name);

        let mut max_active = 0;
        world.settle_checking(|w| {
            // maxSurge 25% of 3 rounds up to 1, maxUnavailable rounds down to 0.
            let active = w.active_pods();
            max_active = max_active.max(active.len());
            assert!(active.len() <= 4, "more than replicas + maxSurge pods");
            let ready = active
                .iter()
                .filter(|p| p["status"]["conditions"][0]["status"] == "True")
                .count();
            assert!(
                ready >= 3,
                "fewer than replicas - maxUnavailable ready pods"
            );
        });
        assert_eq!(max_active, 4);
        assert_eq!(
            world
                .events
                .iter()
                .filter(|e| e.starts_with("ScalingReplicaSet"))
                .cloned()
                .collect::<Vec<_>>(),
            [
                format!("ScalingReplicaSet: Scaled up replica set {new_name} from 0 to 1"),
                format!("ScalingReplicaSet: Scaled down replica set {old_name} from 3 to 2"),
                format!("ScalingReplicaSet: Scaled up replica set {new_name} from 1 to 2"),
                format!("ScalingReplicaSet: Scaled down replica set {old_name} from 2 to 1"),
                format!("ScalingReplicaSet: Scaled up replica set {new_name} from 2 to 3"),
                format!("ScalingReplicaSet: Scaled down replica set {old_name} from 1 to 0"),
            ]
        );
        assert_eq!(world.rs_named(&old_name)["spec"]["replicas"], 0);
        assert_eq!(world.rs_named(&new_name)["spec"]["replicas"], 3);
        assert_eq!(
            world.rs_named(&new_name)["metadata"]["annotations"][REVISION_ANNOTATION],
            "2"
        );
        assert_eq!(
            world.deployment["metadata"]["annotations"][REVISION_ANNOTATION],
            "2"
        );
        assert_eq!(world.deployment["status"]["updatedReplicas"], 3);
        assert_eq!(world.deployment["status"]["replicas"], 3);
        assert_eq!(
            world.condition("Progressing")["message"],
            format!("ReplicaSet \"{new_name}\" has successfully progressed.")
        );
        assert!(
            world
                .active_pods()
                .iter()
                .all(|p| p["metadata"]["generateName"] == format!("{new_name}-"))
        );
        world.assert_idle();
    }

    #[test]
    fn larger_rollout_respects_its_fenceposts_and_can_scale_to_zero() {
        let mut world = World::new(deployment(10, "v1"));
        world.settle();
        world.edit(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("v2"));
        world.settle_checking(|w| {
            // 10 replicas: maxSurge 3 (rounded up), maxUnavailable 2 (rounded down).
            let active = w.active_pods();
            assert!(active.len() <= 13, "{} pods", active.len());
            let ready = active
                .iter()
                .filter(|p| p["status"]["conditions"][0]["status"] == "True")
                .count();
            assert!(ready >= 8, "{ready} ready");
        });
        assert_eq!(world.deployment["status"]["updatedReplicas"], 10);
        world.assert_idle();

        world.edit(|d| d["spec"]["replicas"] = json!(0));
        world.settle();
        assert!(world.pods.is_empty());
        let status = &world.deployment["status"];
        assert!(status.get("replicas").is_none(), "{status}");
        assert_eq!(world.condition("Available")["status"], "True");
        world.assert_idle();
    }

    #[test]
    fn recreate_scales_old_down_and_waits_for_its_pods() {
        let mut d = deployment(2, "nginx:1.25");
        d["spec"]["strategy"] = json!({"type": "Recreate"});
        let mut world = World::new(d);
        world.settle();
        let old_name = rs_name_for(&world.deployment);
        world.events.clear();
        world.edit(|d| {
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.26")
        });
        let new_name = rs_name_for(&world.deployment);

        world.now_ms += 1000;
        world.sync_deployment();
        assert_eq!(
            world.events,
            [format!(
                "ScalingReplicaSet: Scaled down replica set {old_name} from 2 to 0"
            )]
        );
        assert_eq!(
            world.replica_sets.len(),
            1,
            "the new ReplicaSet waits for the old pods"
        );
        world.sync_replica_sets();
        // Old pods are terminating but may still run: still no new ReplicaSet.
        assert_eq!(world.pods.len(), 2);
        world.sync_deployment();
        assert_eq!(world.replica_sets.len(), 1);
        world.kubelet();
        world.settle_checking(|w| {
            let new_pods = w
                .pods
                .iter()
                .filter(|p| p["metadata"]["generateName"] == format!("{new_name}-"))
                .count();
            let old_pods = w.pods.len() - new_pods;
            assert!(
                old_pods == 0 || new_pods == 0,
                "old and new pods ran together"
            );
        });
        let scaling: Vec<&String> = world
            .events
            .iter()
            .filter(|e| e.starts_with("ScalingReplicaSet"))
            .collect();
        assert_eq!(
            scaling[1],
            &format!("ScalingReplicaSet: Scaled up replica set {new_name} from 0 to 2")
        );
        assert_eq!(world.rs_named(&new_name)["spec"]["replicas"], 2);
        assert_eq!(
            world.condition("Progressing")["reason"],
            "NewReplicaSetAvailable"
        );
        world.assert_idle();
    }

    #[test]
    fn progress_deadline_exceeded_when_pods_never_become_ready() {
        let mut d = deployment(2, "nginx:broken");
        d["spec"]["progressDeadlineSeconds"] = json!(60);
        let mut world = World::new(d);
        world.pods_become_ready = false;
        world.settle();
        let rs_name = rs_name_for(&world.deployment);
        let progressing = world.condition("Progressing");
        assert_eq!(progressing["reason"], "ReplicaSetUpdated");
        assert_eq!(
            progressing["message"],
            format!("ReplicaSet \"{rs_name}\" is progressing.")
        );
        let last_update = progressing["lastUpdateTime"]
            .as_str()
            .and_then(parse_time)
            .unwrap_or(0);
        let check = next_progress_check(&world.deployment, world.now_ms);
        assert_eq!(check, Some(last_update + 61_000));

        // Just at the deadline: not yet past it.
        world.now_ms = last_update + 60_000;
        assert_eq!(world.sync_deployment(), vec![]);
        world.now_ms = check.unwrap_or(0);
        world.sync_deployment();
        let progressing = world.condition("Progressing");
        assert_eq!(
            (&progressing["status"], &progressing["reason"]),
            (&json!("False"), &json!("ProgressDeadlineExceeded"))
        );
        assert_eq!(
            progressing["message"],
            format!("ReplicaSet \"{rs_name}\" has timed out progressing.")
        );
        assert_eq!(progressing["lastTransitionTime"], world.now().as_str());
        assert_eq!(world.condition("Available")["status"], "False");
        assert_eq!(next_progress_check(&world.deployment, world.now_ms), None);
        world.assert_idle();
    }

    #[test]
    fn scaling_mid_rollout_is_proportional() {
        let mut world = World::new(deployment(3, "nginx:1.25"));
        world.settle();
        let old_name = rs_name_for(&world.deployment);
        world.edit(|d| {
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.26")
        });
        let new_name = rs_name_for(&world.deployment);
        world.now_ms += 1000;
        world.sync_deployment();
        assert_eq!(world.rs_named(&new_name)["spec"]["replicas"], 1);
        world.events.clear();

        // kubectl scale --replicas=6: surge becomes 2, so 8 pods are allowed where 4 were.
        world.edit(|d| d["spec"]["replicas"] = json!(6));
        world.sync_deployment();
        assert_eq!(
            world.events,
            [
                format!("ScalingReplicaSet: Scaled up replica set {old_name} from 3 to 6"),
                format!("ScalingReplicaSet: Scaled up replica set {new_name} from 1 to 2"),
            ]
        );
        for name in [&old_name, &new_name] {
            let annotations = &world.rs_named(name)["metadata"]["annotations"];
            assert_eq!(
                (
                    &annotations[DESIRED_REPLICAS_ANNOTATION],
                    &annotations[MAX_REPLICAS_ANNOTATION]
                ),
                (&json!("6"), &json!("8"))
            );
        }
        world.settle();
        assert_eq!(world.rs_named(&old_name)["spec"]["replicas"], 0);
        assert_eq!(world.rs_named(&new_name)["spec"]["replicas"], 6);
        world.assert_idle();
    }

    #[test]
    fn scaling_in_steady_state_resizes_the_one_replica_set() {
        let mut world = World::new(deployment(3, "nginx:1.25"));
        world.settle();
        let rs_name = rs_name_for(&world.deployment);
        world.events.clear();
        world.edit(|d| d["spec"]["replicas"] = json!(1));
        world.settle();
        assert_eq!(
            world.events[0],
            format!("ScalingReplicaSet: Scaled down replica set {rs_name} from 3 to 1")
        );
        assert_eq!(
            world
                .events
                .iter()
                .filter(|e| e.starts_with("SuccessfulDelete: Deleted pod: "))
                .count(),
            2
        );
        assert_eq!(world.deployment["status"]["replicas"], 1);
        assert_eq!(world.deployment["status"]["observedGeneration"], 2);
        world.assert_idle();
    }

    #[test]
    fn revision_history_limit_deletes_the_oldest_replica_sets() {
        let mut d = deployment(1, "v1");
        d["spec"]["revisionHistoryLimit"] = json!(1);
        let mut world = World::new(d);
        world.settle();
        let first = rs_name_for(&world.deployment);
        for image in ["v2", "v3"] {
            world.edit(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image));
            world.settle();
        }
        let names: Vec<&str> = world
            .replica_sets
            .iter()
            .filter_map(|rs| rs["metadata"]["name"].as_str())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(!names.contains(&first.as_str()));
        assert_eq!(
            world.deployment["metadata"]["annotations"][REVISION_ANNOTATION],
            "3"
        );
        world.assert_idle();
    }

    #[test]
    fn rollback_reuses_the_old_replica_set_with_a_new_revision() {
        let mut world = World::new(deployment(2, "v1"));
        world.settle();
        let first = rs_name_for(&world.deployment);
        world.edit(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("v2"));
        world.settle();
        // kubectl rollout undo copies the old template back.
        world.edit(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("v1"));
        world.settle();
        let annotations = &world.rs_named(&first)["metadata"]["annotations"];
        assert_eq!(annotations[REVISION_ANNOTATION], "3");
        assert_eq!(annotations[REVISION_HISTORY_ANNOTATION], "1");
        assert_eq!(world.rs_named(&first)["spec"]["replicas"], 2);
        assert_eq!(
            world.deployment["metadata"]["annotations"][REVISION_ANNOTATION],
            "3"
        );
        assert_eq!(world.replica_sets.len(), 2);
        world.assert_idle();
    }

    #[test]
    fn paused_deployments_do_not_roll() {
        let mut world = World::new(deployment(2, "v1"));
        world.settle();
        world.edit(|d| d["spec"]["paused"] = json!(true));
        world.settle();
        let progressing = world.condition("Progressing");
        assert_eq!(
            (&progressing["status"], &progressing["reason"]),
            (&json!("Unknown"), &json!("DeploymentPaused"))
        );
        assert_eq!(progressing["message"], "Deployment is paused");
        world.edit(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("v2"));
        world.settle();
        assert_eq!(world.replica_sets.len(), 1);
        world.edit(|d| d["spec"]["paused"] = json!(false));
        world.now_ms += 1000;
        world.sync_deployment();
        assert_eq!(world.replica_sets.len(), 2);
        world.settle();
        assert_eq!(
            world.condition("Progressing")["reason"],
            "NewReplicaSetAvailable"
        );
        world.assert_idle();
    }

    #[test]
    fn orphan_replica_sets_are_adopted_and_strays_released() {
        let d = deployment(1, "v1");
        let hash = pod_template_hash(&d["spec"]["template"], None);
        let orphan = json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("web-{hash}"), "namespace": "default", "uid": "rs-1", "resourceVersion": "5",
                         "creationTimestamp": START, "labels": {"app": "web", "pod-template-hash": hash},
                         "annotations": {REVISION_ANNOTATION: "1", DESIRED_REPLICAS_ANNOTATION: "1", MAX_REPLICAS_ANNOTATION: "2"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web", "pod-template-hash": hash}},
                     "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": hash}},
                                  "spec": {"containers": [{"name": "web", "image": "v1"}]}}},
            "status": {"replicas": 0},
        });
        let mut stray = orphan.clone();
        stray["metadata"]["name"] = json!("stray");
        stray["metadata"]["uid"] = json!("rs-2");
        stray["metadata"]["labels"] = json!({"app": "other"});
        stray["metadata"]["ownerReferences"] =
            json!([new_controller_ref(&d, "apps/v1", "Deployment")]);
        let actions = reconcile_deployment(&d, &[&orphan, &stray], &[], START);
        let updates: Vec<(&str, &Value)> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Update { path, object, .. } => Some((path.as_str(), object)),
                _ => None,
            })
            .collect();
        assert_eq!(updates.len(), 2, "{actions:#?}");
        assert_eq!(
            updates[0].0,
            "/apis/apps/v1/namespaces/default/replicasets/stray"
        );
        assert!(updates[0].1["metadata"].get("ownerReferences").is_none());
        assert_eq!(
            updates[1].0,
            format!("/apis/apps/v1/namespaces/default/replicasets/web-{hash}")
        );
        assert_eq!(
            updates[1].1["metadata"]["ownerReferences"][0]["uid"],
            "d-uid"
        );
        // The adopted one is the new ReplicaSet: no second one is created.
        assert!(actions.iter().all(|a| !matches!(a, Action::Create { .. })));
    }

    #[test]
    fn hash_collision_bumps_collision_count() {
        let d = deployment(1, "v1");
        let hash = pod_template_hash(&d["spec"]["template"], None);
        // Someone else's ReplicaSet holds the name.
        let squatter = json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("web-{hash}"), "namespace": "default", "uid": "x", "labels": {"app": "db"}},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "db"}}, "template": {}},
        });
        let actions = reconcile_deployment(&d, &[&squatter], &[], START);
        let [Action::UpdateStatus { object, .. }] = actions.as_slice() else {
            panic!("unexpected actions {actions:#?}");
        };
        assert_eq!(object["status"]["collisionCount"], 1);
        let mut d = d.clone();
        d["status"] = object["status"].clone();
        let actions = reconcile_deployment(&d, &[&squatter], &[], START);
        let Some(Action::Create { object, .. }) = actions.first() else {
            panic!("no create: {actions:#?}");
        };
        assert_eq!(
            object["metadata"]["name"],
            format!("web-{}", pod_template_hash(&d["spec"]["template"], Some(1)))
        );
    }

    #[test]
    fn create_failure_reports_progressing_false() {
        let d = deployment(1, "v1");
        let Some(Action::UpdateStatus { object, .. }) =
            status_after_create_failure(&d, "web-abc", "quota", START)
        else {
            panic!("no status");
        };
        let condition = &object["status"]["conditions"][0];
        assert_eq!(
            (&condition["status"], &condition["reason"]),
            (&json!("False"), &json!("ReplicaSetCreateError"))
        );
        assert_eq!(
            condition["message"],
            "Failed to create new replica set \"web-abc\": quota"
        );
    }

    #[test]
    fn fenceposts_resolve_like_the_real_ones() {
        let cases = [
            (json!("25%"), json!("25%"), 3, (1, 0)),
            (json!("25%"), json!("25%"), 10, (3, 2)),
            (json!(0), json!("10%"), 3, (0, 1)),
            (json!(2), json!(1), 5, (2, 1)),
            (json!("50%"), json!("200%"), 4, (2, 8)),
        ];
        for (surge, unavailable, replicas, want) in cases {
            let mut d = deployment(replicas, "v1");
            d["spec"]["strategy"]["rollingUpdate"] =
                json!({"maxSurge": surge, "maxUnavailable": unavailable});
            let spec = Spec::of(&d);
            assert_eq!(
                spec.resolve_fenceposts(),
                want,
                "{surge} {unavailable} of {replicas}"
            );
        }
        let d = deployment(4, "v1");
        let mut spec = Spec::of(&d);
        spec.max_unavailable = IntOrPercent::Percent(200);
        assert_eq!(spec.max_unavailable(), 4);
    }

    #[test]
    fn revision_history_is_trimmed_to_its_length_limit() {
        assert_eq!(append_revision_history("", "3").as_deref(), Some("3"));
        assert_eq!(
            append_revision_history("1,2", "3").as_deref(),
            Some("1,2,3")
        );
        let long = vec!["1234567890"; 182].join(",");
        let trimmed = append_revision_history(&long, "99").unwrap_or_default();
        assert!(trimmed.len() <= MAX_REV_HISTORY_LENGTH_IN_CHARS);
        assert!(trimmed.ends_with(",99"));
    }
}
