//! `Hop`: one arrow of the picture — who talked to whom, about which object, at which store
//! revision, and what happened. Kinds are few and stable: narration is keyed by them.

use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// What kind of step a hop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    /// A client's request reached the apiserver.
    RequestReceived,
    /// authn decided who is asking.
    Authenticated,
    /// authn refused the credentials (401).
    AuthenticationFailed,
    /// authz allowed the request.
    Authorized,
    /// authz refused it (403).
    Forbidden,
    /// A mutating admission plugin ran (its patch in the detail).
    AdmissionMutating,
    /// The object was decoded, defaulted and validated.
    Validated,
    /// Validation refused it (400/422).
    Invalid,
    /// A validating admission plugin ran.
    AdmissionValidating,
    /// Admission refused it.
    AdmissionDenied,
    /// The apiserver wrote to etcd (a transaction).
    Stored,
    /// etcd refused or failed (conflict, unavailable).
    StoreFailed,
    /// The apiserver read from etcd.
    Read,
    /// The apiserver answered the client.
    Responded,
    /// A watch event went out to a watcher.
    WatchEventDelivered,
    /// The apiserver compacted etcd's history (every 5 minutes, as kube-apiserver does).
    Compacted,
    /// A kubelet registered its Node.
    NodeRegistered,
    /// A kubelet renewed its Lease (its heartbeat).
    LeaseRenewed,
    /// A kubelet admitted a pod bound to its node and started a pod worker.
    PodAdmitted,
    /// The runtime created a pod sandbox (the pause container and its network namespace).
    SandboxCreated,
    /// The CNI plugin wired the sandbox and assigned its IP.
    IpAssigned,
    /// The CNI plugin could not (no IP left…).
    NetworkFailed,
    /// The runtime started pulling an image.
    ImagePulling,
    /// The image is on the node (pulled, or already present).
    ImagePulled,
    /// The image could not be pulled.
    ImagePullFailed,
    /// The runtime created a container.
    ContainerCreated,
    /// The runtime started a container.
    ContainerStarted,
    /// A container stopped (killed, exited, crashed).
    ContainerStopped,
    /// A probe changed its verdict.
    ProbeResult,
    /// The sandbox was torn down and its IP released.
    SandboxRemoved,
    /// The scheduler took a pod from its queue.
    Dequeued,
    /// The scheduler ran its filter plugins over the nodes.
    Filtered,
    /// The scheduler scored the feasible nodes and picked one.
    Scored,
    /// No node fits: the pod goes back to the queue.
    Unschedulable,
    /// The binding cycle ended: the pod is bound to its node (`pods/binding` stored).
    Bound,
    /// A controller compared desired and actual state and decided what to do.
    Reconciled,
    /// The node-lifecycle controller changed a node's health (NotReady, Ready).
    NodeHealthChanged,
    /// A pod was evicted (taint eviction, drain).
    PodEvicted,
    /// The kubelet reported a pod's status (phase, conditions, IP) through `pods/status`.
    StatusPatched,
    /// Nothing was happening: the clock jumped to the next timer (step mode).
    ClockAdvanced,
    /// kubectl read the manifest (YAML to JSON objects).
    ManifestParsed,
    /// kubectl checked the objects against the server's OpenAPI schema before sending them.
    ClientValidated,
    /// Someone broke (or mended) part of the cluster on purpose: a node off the network…
    FaultInjected,
}

impl HopKind {
    /// Every kind, in declaration order.
    pub const ALL: [HopKind; 43] = [
        HopKind::RequestReceived,
        HopKind::Authenticated,
        HopKind::AuthenticationFailed,
        HopKind::Authorized,
        HopKind::Forbidden,
        HopKind::AdmissionMutating,
        HopKind::Validated,
        HopKind::Invalid,
        HopKind::AdmissionValidating,
        HopKind::AdmissionDenied,
        HopKind::Stored,
        HopKind::StoreFailed,
        HopKind::Read,
        HopKind::Responded,
        HopKind::WatchEventDelivered,
        HopKind::Compacted,
        HopKind::NodeRegistered,
        HopKind::LeaseRenewed,
        HopKind::PodAdmitted,
        HopKind::SandboxCreated,
        HopKind::IpAssigned,
        HopKind::NetworkFailed,
        HopKind::ImagePulling,
        HopKind::ImagePulled,
        HopKind::ImagePullFailed,
        HopKind::ContainerCreated,
        HopKind::ContainerStarted,
        HopKind::ContainerStopped,
        HopKind::ProbeResult,
        HopKind::SandboxRemoved,
        HopKind::Dequeued,
        HopKind::Filtered,
        HopKind::Scored,
        HopKind::Unschedulable,
        HopKind::Bound,
        HopKind::Reconciled,
        HopKind::NodeHealthChanged,
        HopKind::PodEvicted,
        HopKind::StatusPatched,
        HopKind::ClockAdvanced,
        HopKind::ManifestParsed,
        HopKind::ClientValidated,
        HopKind::FaultInjected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::RequestReceived => "request_received",
            HopKind::Authenticated => "authenticated",
            HopKind::AuthenticationFailed => "authentication_failed",
            HopKind::Authorized => "authorized",
            HopKind::Forbidden => "forbidden",
            HopKind::AdmissionMutating => "admission_mutating",
            HopKind::Validated => "validated",
            HopKind::Invalid => "invalid",
            HopKind::AdmissionValidating => "admission_validating",
            HopKind::AdmissionDenied => "admission_denied",
            HopKind::Stored => "stored",
            HopKind::StoreFailed => "store_failed",
            HopKind::Read => "read",
            HopKind::Responded => "responded",
            HopKind::WatchEventDelivered => "watch_event_delivered",
            HopKind::Compacted => "compacted",
            HopKind::NodeRegistered => "node_registered",
            HopKind::LeaseRenewed => "lease_renewed",
            HopKind::PodAdmitted => "pod_admitted",
            HopKind::SandboxCreated => "sandbox_created",
            HopKind::IpAssigned => "ip_assigned",
            HopKind::NetworkFailed => "network_failed",
            HopKind::ImagePulling => "image_pulling",
            HopKind::ImagePulled => "image_pulled",
            HopKind::ImagePullFailed => "image_pull_failed",
            HopKind::ContainerCreated => "container_created",
            HopKind::ContainerStarted => "container_started",
            HopKind::ContainerStopped => "container_stopped",
            HopKind::ProbeResult => "probe_result",
            HopKind::SandboxRemoved => "sandbox_removed",
            HopKind::Dequeued => "dequeued",
            HopKind::Filtered => "filtered",
            HopKind::Scored => "scored",
            HopKind::Unschedulable => "unschedulable",
            HopKind::Bound => "bound",
            HopKind::Reconciled => "reconciled",
            HopKind::NodeHealthChanged => "node_health_changed",
            HopKind::PodEvicted => "pod_evicted",
            HopKind::StatusPatched => "status_patched",
            HopKind::ClockAdvanced => "clock_advanced",
            HopKind::ManifestParsed => "manifest_parsed",
            HopKind::ClientValidated => "client_validated",
            HopKind::FaultInjected => "fault_injected",
        }
    }
}

/// The object a hop touched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

impl ObjectRef {
    /// The reference to an object as the API returns it.
    pub fn of(object: &Value) -> ObjectRef {
        let meta = object.get("metadata");
        let text = |key: &str| {
            meta.and_then(|m| m.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        ObjectRef {
            kind: object
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            namespace: text("namespace"),
            name: text("name").unwrap_or_default(),
            uid: text("uid"),
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// What a hop carries besides its summary, typed for the hops every request makes (so the
/// hops stay small and cheap to keep), JSON for the rest. Serialized, each is the
/// JSON object the trace prints.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Detail {
    None,
    /// A request as it arrived.
    Request {
        verb: &'static str,
        path: String,
        #[serde(rename = "userAgent")]
        user_agent: String,
    },
    /// Who authn decided the caller is, and how.
    Authenticated {
        user: String,
        groups: Vec<String>,
        method: &'static str,
    },
    /// authz's decision.
    Authorized {
        user: String,
        verb: String,
        authorizer: Option<&'static str>,
        reason: String,
    },
    /// An admission plugin's decision.
    Admission(AdmissionDetail),
    Json(Value),
    /// A large record built by a component (the scheduler's decision record), turned into
    /// JSON only when someone reads the hop as JSON. The hop refers to it without keeping it
    /// alive: the component decides how many it keeps (the scheduler, its last 100), so the
    /// UI's 10,000-hop timeline does not hold hundreds of 1,000-node records. A hop whose
    /// record is gone shows `null`; sinks and subscribers read it as the hop happens.
    #[serde(serialize_with = "serialize_shared")]
    Shared(std::sync::Weak<dyn SharedDetail>),
}

/// A hop detail kept by reference (see [`Detail::Shared`]).
pub trait SharedDetail: std::fmt::Debug + Send + Sync {
    fn to_json(&self) -> Value;
}

fn serialize_shared<S: serde::Serializer>(
    detail: &std::sync::Weak<dyn SharedDetail>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    detail
        .upgrade()
        .map_or(Value::Null, |d| d.to_json())
        .serialize(serializer)
}

impl Detail {
    pub fn is_none(&self) -> bool {
        matches!(self, Detail::None)
    }
}

impl From<Value> for Detail {
    fn from(value: Value) -> Detail {
        match value {
            Value::Null => Detail::None,
            value => Detail::Json(value),
        }
    }
}

impl From<AdmissionDetail> for Detail {
    fn from(value: AdmissionDetail) -> Detail {
        Detail::Admission(value)
    }
}

/// One admission plugin's decision: `patched` with the JSON patch it applied, `denied` with
/// the message, or `allowed`/`skipped`.
#[derive(Debug, Clone, Serialize)]
pub struct AdmissionDetail {
    pub plugin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<&'static str>,
    #[serde(rename = "failurePolicy", skip_serializing_if = "Option::is_none")]
    pub failure_policy: Option<&'static str>,
    #[serde(rename = "timeoutSeconds", skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    pub decision: &'static str,
    /// The JSON patch the plugin applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The components that run on every node; their hops carry the node.
pub const NODE_COMPONENTS: [&str; 3] = ["kubelet", "cri", "cni"];

/// Whether `component` is one of a node's own (its hops name the node).
pub fn runs_on_node(component: &str) -> bool {
    NODE_COMPONENTS.contains(&component)
}

/// One step of the flow.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    pub seq: u64,
    pub t_ms: i64,
    /// Component names: mostly fixed ones (`apiserver`, `etcd`), which cost no copy.
    pub from: Cow<'static, str>,
    pub to: Cow<'static, str>,
    /// The node, for hops that happen on one (kubelet, CRI, CNI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub kind: HopKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    /// The store revision the hop produced or read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rev: Option<i64>,
    pub summary: String,
    #[serde(skip_serializing_if = "Detail::is_none")]
    pub detail: Detail,
}

impl Hop {
    pub fn new(
        from: impl Into<Cow<'static, str>>,
        to: impl Into<Cow<'static, str>>,
        kind: HopKind,
        summary: impl Into<String>,
    ) -> Hop {
        Hop {
            seq: 0,
            t_ms: 0,
            from: from.into(),
            to: to.into(),
            node: None,
            kind,
            object: None,
            rev: None,
            summary: summary.into(),
            detail: Detail::None,
        }
    }

    pub fn object(mut self, object: Option<ObjectRef>) -> Hop {
        self.object = object;
        self
    }

    /// The node the hop happened on.
    pub fn on_node(mut self, node: impl Into<String>) -> Hop {
        self.node = Some(node.into());
        self
    }

    pub fn rev(mut self, rev: i64) -> Hop {
        self.rev = Some(rev);
        self
    }

    pub fn detail(mut self, detail: impl Into<Detail>) -> Hop {
        self.detail = detail.into();
        self
    }

    /// `component` as the flow shows it on this hop: `kubelet(node-2)` for the components
    /// that run on a node, the bare name otherwise.
    pub fn label(&self, component: &str) -> String {
        match &self.node {
            Some(node) if runs_on_node(component) => format!("{component}({node})"),
            _ => component.to_string(),
        }
    }

    /// One readable line: `#12 00:03.240 kubectl → apiserver  POST /api/v1/…`.
    pub fn line(&self, origin_ms: i64) -> String {
        let mut line = format!(
            "#{} {} {} → {}  [{}] {}",
            self.seq,
            super::format_clock(self.t_ms - origin_ms),
            self.from,
            self.to,
            self.kind.as_str(),
            self.summary
        );
        if let Some(rev) = self.rev {
            line.push_str(&format!("  (rev {rev})"));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_serialize_as_the_trace_prints_them() {
        let patch = json!([{"op": "add", "path": "/a", "value": 1}]);
        let hop = Hop::new("apiserver", "admission", HopKind::AdmissionMutating, "x").detail(
            AdmissionDetail {
                plugin: "ServiceAccount",
                webhook: None,
                failure_policy: None,
                timeout_seconds: None,
                decision: "patched",
                patch: Some(patch),
                message: None,
            },
        );
        let json = serde_json::to_value(&hop).unwrap();
        assert_eq!(
            json["detail"],
            json!({"plugin": "ServiceAccount", "decision": "patched",
                   "patch": [{"op": "add", "path": "/a", "value": 1}]})
        );
        let hop = Hop::new("kubectl", "apiserver", HopKind::RequestReceived, "GET /api").detail(
            Detail::Request {
                verb: "GET",
                path: "/api".into(),
                user_agent: "kubectl/v1.32.0".into(),
            },
        );
        let json = serde_json::to_value(&hop).unwrap();
        assert_eq!(
            json["detail"],
            json!({"verb": "GET", "path": "/api", "userAgent": "kubectl/v1.32.0"})
        );
        let bare = serde_json::to_value(Hop::new("a", "b", HopKind::Read, "r")).unwrap();
        assert!(bare.get("detail").is_none());
    }
}
