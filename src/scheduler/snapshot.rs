//! The scheduler's view of the cluster, after kube-scheduler's `framework/types.go` and its
//! cache snapshot: `PodInfo` and `NodeInfo` parsed once from the API objects into typed fields
//! (no JSON is touched while filtering or scoring), and the `Snapshot` of all nodes with their
//! bound pods, listed in the cache's node-tree order (zones interleaved). The snapshot also
//! keeps the indexes that let a cycle skip walking every pod: pods by label set (and label sets
//! by label), images by node, and numbers for hostname and zone values.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::framework::FastMap;
use super::plugins::image_locality::normalized_image_name;
use super::plugins::node_affinity::{PreferredSchedulingTerms, RequiredNodeAffinity};
use super::plugins::node_ports::{ContainerPort, HostPortInfo};
use super::plugins::pod_topology_spread::{
    LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE, TopologySpreadConstraint, default_selector,
};
use super::plugins::taint_toleration::{Taint, Toleration};
use crate::api::label_selector::{LabelSelector, Operator, is_qualified_name};
use crate::api::quantity::{Format, Quantity};

/// The label every namespace carries with its own name. podflow's scheduler does not watch
/// namespaces, so a namespace's labels are taken to be just this one.
pub const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";
/// `schedutil.DefaultMilliCPURequest`: what scoring counts for a container without a cpu request.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// `schedutil.DefaultMemoryRequest` (200 MiB).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn array_of<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

/// A `v1.ResourceList` with exact quantities, for the request arithmetic.
type ResourceList = BTreeMap<String, Quantity>;

fn parse_resource_list(v: Option<&Value>) -> ResourceList {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, q)| Some((k.clone(), Quantity::from_json(q).ok()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// `addResourceList`.
fn add_list(into: &mut ResourceList, from: &ResourceList) {
    for (name, q) in from {
        let sum = into.get(name).map_or_else(|| q.clone(), |have| have.add(q));
        into.insert(name.clone(), sum);
    }
}

/// `maxResourceList`.
fn max_list(into: &mut ResourceList, from: &ResourceList) {
    for (name, q) in from {
        if into.get(name).is_none_or(|have| q > have) {
            into.insert(name.clone(), q.clone());
        }
    }
}

/// `resourcehelper.PodRequests`: containers summed; restartable (sidecar) init containers added
/// to that sum; each regular init container needs itself plus the sidecars started before it,
/// and the pod needs the larger of the two; then the pod overhead. With `non_missing`, a
/// container without a cpu or memory request counts 100m / 200Mi — the scheduler's `NonZero`
/// view used for scoring, so best-effort pods do not all pile onto one node.
fn pod_requests(spec: &Value, non_missing: bool) -> ResourceList {
    let container_requests = |c: &Value| {
        let mut r = parse_resource_list(c.pointer("/resources/requests"));
        if non_missing {
            r.entry("cpu".to_string()).or_insert_with(|| {
                Quantity::new_milli(DEFAULT_MILLI_CPU_REQUEST, Format::DecimalSI)
            });
            r.entry("memory".to_string())
                .or_insert_with(|| Quantity::new(DEFAULT_MEMORY_REQUEST, Format::DecimalSI));
        }
        r
    };
    let mut reqs = ResourceList::new();
    for c in array_of(spec, "containers") {
        add_list(&mut reqs, &container_requests(c));
    }
    let mut restartable = ResourceList::new();
    let mut init = ResourceList::new();
    for c in array_of(spec, "initContainers") {
        let r = container_requests(c);
        let use_now = if str_of(c, "restartPolicy") == "Always" {
            add_list(&mut reqs, &r);
            add_list(&mut restartable, &r);
            restartable.clone()
        } else {
            let mut tmp = r;
            add_list(&mut tmp, &restartable);
            tmp
        };
        max_list(&mut init, &use_now);
    }
    max_list(&mut reqs, &init);
    add_list(&mut reqs, &parse_resource_list(spec.get("overhead")));
    reqs
}

/// `v1helper.IsScalarResourceName`: extended resources (`example.com/foo`), hugepages and
/// attachable volumes — everything Fit checks by name.
fn is_scalar_resource_name(name: &str) -> bool {
    let prefixed_native = name.contains("kubernetes.io/");
    let native = !name.contains('/') || prefixed_native;
    let extended = !native
        && !name.starts_with("requests.")
        && is_qualified_name(&format!("requests.{name}")).is_empty();
    extended
        || prefixed_native
        || name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
}

/// `framework.Resource`: cpu in millicores, the rest in units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    pub allowed_pod_number: i64,
    /// Extended resources, hugepages, …, by name.
    pub scalar: Vec<(String, i64)>,
}

impl Resource {
    /// `Resource.Add(ResourceList)`.
    fn from_list(list: &ResourceList) -> Resource {
        let mut r = Resource::default();
        for (name, q) in list {
            match name.as_str() {
                "cpu" => r.milli_cpu = q.milli_value(),
                "memory" => r.memory = q.value(),
                "ephemeral-storage" => r.ephemeral_storage = q.value(),
                "pods" => r.allowed_pod_number = q.value(),
                n if is_scalar_resource_name(n) => r.scalar.push((n.to_string(), q.value())),
                _ => {}
            }
        }
        r
    }

    /// A scalar resource by name, 0 when absent.
    pub fn scalar(&self, name: &str) -> i64 {
        self.scalar
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, v)| *v)
    }

    fn add_requests(&mut self, other: &Resource, sign: i64) {
        self.milli_cpu += sign * other.milli_cpu;
        self.memory += sign * other.memory;
        self.ephemeral_storage += sign * other.ephemeral_storage;
        for (name, v) in &other.scalar {
            match self.scalar.iter_mut().find(|(n, _)| n == name) {
                Some((_, have)) => *have += sign * v,
                None => self.scalar.push((name.clone(), sign * v)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Labels and affinity terms
// ---------------------------------------------------------------------------------------------

/// A pod's namespace and labels. The snapshot interns them: pods of one workload share one
/// set, and the snapshot indexes where each set's pods run, so selectors are evaluated once
/// per set rather than once per pod.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSet {
    pub namespace: String,
    pub labels: Map<String, Value>,
}

impl LabelSet {
    pub fn new(namespace: String, labels: Map<String, Value>) -> LabelSet {
        LabelSet { namespace, labels }
    }
}

/// The approximated labels of a namespace (see [`LABEL_METADATA_NAME`]).
fn namespace_labels(namespace: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        LABEL_METADATA_NAME.to_string(),
        Value::String(namespace.to_string()),
    );
    m
}

/// `framework.AffinityTerm`: a pod (anti-)affinity term with its selectors parsed.
#[derive(Debug, Clone)]
pub struct AffinityTerm {
    /// The namespaces named by the term; the pod's own when it names none and has no
    /// namespace selector.
    pub namespaces: Vec<String>,
    /// `null` selects no namespace, `{}` every namespace.
    pub namespace_selector: LabelSelector,
    pub selector: LabelSelector,
    pub topology_key: String,
}

impl AffinityTerm {
    /// `newAffinityTerm` for a term of a pod in `pod_namespace`.
    pub fn parse(pod_namespace: &str, term: &Value) -> Result<AffinityTerm, String> {
        let selector =
            LabelSelector::from_label_selector(term.get("labelSelector").unwrap_or(&Value::Null))?;
        let ns_selector = term.get("namespaceSelector").unwrap_or(&Value::Null);
        let listed: Vec<String> = array_of(term, "namespaces")
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        let namespaces = if listed.is_empty() && ns_selector.is_null() {
            vec![pod_namespace.to_string()]
        } else {
            listed
        };
        Ok(AffinityTerm {
            namespaces,
            namespace_selector: LabelSelector::from_label_selector(ns_selector)?,
            selector,
            topology_key: str_of(term, "topologyKey").to_string(),
        })
    }

    /// Whether the term's namespaces (listed, or selected by label) include `namespace`.
    pub fn matches_namespace(&self, namespace: &str) -> bool {
        if self.namespaces.iter().any(|n| n == namespace) {
            return true;
        }
        let sel = &self.namespace_selector;
        if sel.matches_nothing() {
            return false;
        }
        sel.is_empty() || sel.matches(&namespace_labels(namespace))
    }

    /// `AffinityTerm.Matches`: a pod with these labels is in the term's namespaces and matches
    /// its selector.
    pub fn matches(&self, set: &LabelSet) -> bool {
        self.matches_namespace(&set.namespace) && self.selector.matches(&set.labels)
    }
}

/// `framework.WeightedAffinityTerm`.
#[derive(Debug, Clone)]
pub struct WeightedAffinityTerm {
    pub term: AffinityTerm,
    pub weight: i64,
}

/// `GetAffinityTerms`: all terms or, at the first that does not parse, none and the error.
fn affinity_terms(namespace: &str, list: &[Value]) -> Result<Vec<AffinityTerm>, String> {
    list.iter()
        .map(|t| AffinityTerm::parse(namespace, t))
        .collect()
}

fn weighted_affinity_terms(
    namespace: &str,
    list: &[Value],
) -> Result<Vec<WeightedAffinityTerm>, String> {
    list.iter()
        .map(|t| {
            Ok(WeightedAffinityTerm {
                term: AffinityTerm::parse(
                    namespace,
                    t.get("podAffinityTerm").unwrap_or(&Value::Null),
                )?,
                weight: t.get("weight").and_then(Value::as_i64).unwrap_or(0),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// PodInfo
// ---------------------------------------------------------------------------------------------

/// `framework.PodInfo`: everything the plugins read from a pod, parsed once.
#[derive(Debug, Clone)]
pub struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub labels: Arc<LabelSet>,
    /// `spec.nodeName`; empty for a pending pod.
    pub node_name: String,
    /// `metadata.deletionTimestamp` is set.
    pub terminating: bool,
    /// `computePodResourceRequest`: what Fit checks and the node's `Requested` counts.
    pub requests: Resource,
    /// The `NonZero` cpu and memory requests scoring uses.
    pub non_zero_milli_cpu: i64,
    pub non_zero_memory: i64,
    pub required_node_affinity: RequiredNodeAffinity,
    pub preferred_node_affinity: Option<Result<PreferredSchedulingTerms, String>>,
    pub tolerations: Vec<Toleration>,
    /// Container ports with a host port.
    pub host_ports: Vec<ContainerPort>,
    /// Normalised image names of init containers then containers.
    pub images: Vec<String>,
    pub num_containers: usize,
    pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
    /// The selector PodTopologySpread's system defaults spread by (see
    /// [`default_selector`]); the glue may replace it with a Service's or owner's real one.
    pub default_spread_selector: Option<LabelSelector>,
    pub required_affinity_terms: Vec<AffinityTerm>,
    pub required_anti_affinity_terms: Vec<AffinityTerm>,
    pub preferred_affinity_terms: Vec<WeightedAffinityTerm>,
    pub preferred_anti_affinity_terms: Vec<WeightedAffinityTerm>,
    /// `spec.affinity.podAffinity` or `podAntiAffinity` is set (`NodeInfo.PodsWithAffinity`).
    pub has_pod_affinity: bool,
    /// Affinity terms whose selectors did not parse (the pod then gets none of that kind).
    pub affinity_error: Option<String>,
    /// `spec.preemptionPolicy: Never`.
    pub preemption_never: bool,
}

impl PodInfo {
    pub fn from_pod(pod: &Value) -> PodInfo {
        let meta = pod.get("metadata").unwrap_or(&Value::Null);
        let spec = pod.get("spec").unwrap_or(&Value::Null);
        let namespace = str_of(meta, "namespace").to_string();
        let labels = meta
            .get("labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let requests = Resource::from_list(&pod_requests(spec, false));
        let non_zero = pod_requests(spec, true);
        let init = array_of(spec, "initContainers");
        let containers = array_of(spec, "containers");
        let images = init
            .iter()
            .chain(containers)
            .map(|c| normalized_image_name(str_of(c, "image")))
            .collect();

        let affinity = spec.get("affinity").unwrap_or(&Value::Null);
        let pod_affinity = affinity.get("podAffinity").unwrap_or(&Value::Null);
        let pod_anti_affinity = affinity.get("podAntiAffinity").unwrap_or(&Value::Null);
        const REQUIRED: &str = "requiredDuringSchedulingIgnoredDuringExecution";
        const PREFERRED: &str = "preferredDuringSchedulingIgnoredDuringExecution";
        let mut errors = Vec::new();
        let mut keep = |what: &str, r: Result<Vec<_>, String>| {
            r.unwrap_or_else(|e| {
                errors.push(format!("{what}: {e}"));
                Vec::new()
            })
        };
        let required_affinity_terms = keep(
            "requiredAffinityTerms",
            affinity_terms(&namespace, array_of(pod_affinity, REQUIRED)),
        );
        let required_anti_affinity_terms = keep(
            "requiredAntiAffinityTerms",
            affinity_terms(&namespace, array_of(pod_anti_affinity, REQUIRED)),
        );
        let mut keep_weighted = |what: &str, r: Result<Vec<_>, String>| {
            r.unwrap_or_else(|e| {
                errors.push(format!("{what}: {e}"));
                Vec::new()
            })
        };
        let preferred_affinity_terms = keep_weighted(
            "preferredAffinityTerms",
            weighted_affinity_terms(&namespace, array_of(pod_affinity, PREFERRED)),
        );
        let preferred_anti_affinity_terms = keep_weighted(
            "preferredAntiAffinityTerms",
            weighted_affinity_terms(&namespace, array_of(pod_anti_affinity, PREFERRED)),
        );

        PodInfo {
            name: str_of(meta, "name").to_string(),
            uid: str_of(meta, "uid").to_string(),
            node_name: str_of(spec, "nodeName").to_string(),
            terminating: meta.get("deletionTimestamp").is_some_and(|t| !t.is_null()),
            requests,
            non_zero_milli_cpu: non_zero.get("cpu").map_or(0, Quantity::milli_value),
            non_zero_memory: non_zero.get("memory").map_or(0, Quantity::value),
            required_node_affinity: RequiredNodeAffinity::from_spec(spec),
            preferred_node_affinity: PreferredSchedulingTerms::from_spec(spec),
            tolerations: Toleration::parse_list(spec.get("tolerations")),
            host_ports: ContainerPort::host_ports_of(spec),
            images,
            num_containers: init.len() + containers.len(),
            topology_spread_constraints: TopologySpreadConstraint::parse_list(spec, &labels),
            default_spread_selector: default_selector(meta, &labels),
            required_affinity_terms,
            required_anti_affinity_terms,
            preferred_affinity_terms,
            preferred_anti_affinity_terms,
            has_pod_affinity: !pod_affinity.is_null() || !pod_anti_affinity.is_null(),
            affinity_error: (!errors.is_empty()).then(|| errors.join(", ")),
            preemption_never: str_of(spec, "preemptionPolicy") == "Never",
            labels: Arc::new(LabelSet::new(namespace.clone(), labels)),
            namespace,
        }
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// `namespace/name` of a pod object.
fn pod_key(pod: &Value) -> String {
    let meta = pod.get("metadata").unwrap_or(&Value::Null);
    format!("{}/{}", str_of(meta, "namespace"), str_of(meta, "name"))
}

// ---------------------------------------------------------------------------------------------
// NodeInfo
// ---------------------------------------------------------------------------------------------

/// `framework.NodeInfo`: a node's scheduling-relevant fields and the sums over its pods.
#[derive(Debug, Clone, Default)]
pub struct NodeInfo {
    /// Shared with every decision record that names the node.
    name: std::sync::Arc<str>,
    labels: Map<String, Value>,
    /// The hostname and zone labels, which spreading reads on every node of every cycle.
    hostname_label: Option<String>,
    zone_label: Option<String>,
    /// The snapshot's numbers for those two values (`None` for a node outside a snapshot):
    /// topology domains can then be told apart without reading strings.
    topology_ids: Option<[Option<u32>; 2]>,
    pub taints: Vec<Taint>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// `status.allocatable`.
    pub allocatable: Resource,
    /// The sum of its pods' requests.
    pub requested: Resource,
    /// The sum of its pods' `NonZero` requests (cpu and memory only), for scoring.
    pub non_zero_requested: Resource,
    pub used_ports: HostPortInfo,
    /// Image name (every name in `status.images[].names`) → size in bytes.
    image_states: FastMap<String, i64>,
    pods: Vec<Arc<PodInfo>>,
    pods_with_affinity: Vec<Arc<PodInfo>>,
    pods_with_required_anti_affinity: Vec<Arc<PodInfo>>,
    /// `utilnode.GetZoneKey`: the node tree's zone.
    zone_key: String,
}

/// `utilnode.GetZoneKey`: region and zone (GA labels, else the beta ones).
fn zone_key(labels: &Map<String, Value>) -> String {
    let get = |ga: &str, beta: &str| {
        labels
            .get(ga)
            .or_else(|| labels.get(beta))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let zone = get(
        "topology.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/zone",
    );
    let region = get(
        "topology.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/region",
    );
    if region.is_empty() && zone.is_empty() {
        String::new()
    } else {
        format!("{region}:\0:{zone}")
    }
}

/// The topology keys whose values the snapshot numbers.
const TRACKED_KEYS: [&str; 2] = [LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE];

/// Which of [`TRACKED_KEYS`] `key` is.
pub fn tracked_key(key: &str) -> Option<usize> {
    TRACKED_KEYS.iter().position(|k| *k == key)
}

impl NodeInfo {
    pub fn from_node(node: &Value) -> NodeInfo {
        let meta = node.get("metadata").unwrap_or(&Value::Null);
        let spec = node.get("spec").unwrap_or(&Value::Null);
        let status = node.get("status").unwrap_or(&Value::Null);
        let labels = meta
            .get("labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut image_states = FastMap::default();
        for image in array_of(status, "images") {
            let size = image.get("sizeBytes").and_then(Value::as_i64).unwrap_or(0);
            for name in array_of(image, "names").iter().filter_map(Value::as_str) {
                image_states.entry(name.to_string()).or_insert(size);
            }
        }
        let label = |key: &str| labels.get(key).and_then(Value::as_str).map(str::to_string);
        NodeInfo {
            name: std::sync::Arc::from(str_of(meta, "name")),
            taints: Taint::parse_list(spec.get("taints")),
            unschedulable: spec
                .get("unschedulable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            allocatable: Resource::from_list(&parse_resource_list(status.get("allocatable"))),
            image_states,
            zone_key: zone_key(&labels),
            hostname_label: label(LABEL_HOSTNAME),
            zone_label: label(LABEL_TOPOLOGY_ZONE),
            labels,
            ..NodeInfo::default()
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name, shared (what decision records hold).
    pub fn shared_name(&self) -> std::sync::Arc<str> {
        self.name.clone()
    }

    pub fn labels(&self) -> &Map<String, Value> {
        &self.labels
    }

    /// The value of a node label.
    pub fn label(&self, key: &str) -> Option<&str> {
        if key == LABEL_TOPOLOGY_ZONE {
            return self.zone_label.as_deref();
        }
        if key == LABEL_HOSTNAME {
            return self.hostname_label.as_deref();
        }
        self.labels.get(key).and_then(Value::as_str)
    }

    /// For a tracked key (see [`tracked_key`]) of a node in a snapshot: `Some(id)` of its
    /// value, or `Some(None)` when it lacks the label. `None` for a node outside a snapshot.
    pub fn topology_id(&self, tracked: usize) -> Option<Option<u32>> {
        Some(*self.topology_ids?.get(tracked)?)
    }

    pub fn pods(&self) -> &[Arc<PodInfo>] {
        &self.pods
    }

    /// Pods with pod affinity or anti-affinity of any kind.
    pub fn pods_with_affinity(&self) -> &[Arc<PodInfo>] {
        &self.pods_with_affinity
    }

    /// Pods with required pod anti-affinity terms.
    pub fn pods_with_required_anti_affinity(&self) -> &[Arc<PodInfo>] {
        &self.pods_with_required_anti_affinity
    }

    /// The size of an image the node has, by (exact) name.
    pub fn image_size(&self, image: &str) -> Option<i64> {
        self.image_states.get(image).copied()
    }

    /// `NodeInfo.AddPod`: the pod counts against the node's resources and ports. On a node of
    /// a snapshot, add pods through [`Snapshot::add_pod`] so its indexes follow.
    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        self.account(&pod, 1);
        if pod.has_pod_affinity {
            self.pods_with_affinity.push(pod.clone());
        }
        if !pod.required_anti_affinity_terms.is_empty() {
            self.pods_with_required_anti_affinity.push(pod.clone());
        }
        self.pods.push(pod);
    }

    /// `NodeInfo.RemovePod` by `namespace/name`; false when the pod is not on the node.
    pub fn remove_pod(&mut self, key: &str) -> bool {
        self.take_pod(key).is_some()
    }

    fn take_pod(&mut self, key: &str) -> Option<Arc<PodInfo>> {
        let (namespace, name) = key.split_once('/')?;
        let i = self
            .pods
            .iter()
            .position(|p| p.name == name && p.namespace == namespace)?;
        let pod = self.pods.swap_remove(i);
        self.account(&pod, -1);
        for list in [
            &mut self.pods_with_affinity,
            &mut self.pods_with_required_anti_affinity,
        ] {
            if let Some(i) = list.iter().position(|p| Arc::ptr_eq(p, &pod)) {
                list.swap_remove(i);
            }
        }
        Some(pod)
    }

    fn account(&mut self, pod: &PodInfo, sign: i64) {
        self.requested.add_requests(&pod.requests, sign);
        self.non_zero_requested.milli_cpu += sign * pod.non_zero_milli_cpu;
        self.non_zero_requested.memory += sign * pod.non_zero_memory;
        for port in &pod.host_ports {
            if sign > 0 {
                self.used_ports.add(port);
            } else {
                self.used_ports.remove(port);
            }
        }
    }

    /// Moves the pods (and their sums) of `old` — the same node before an update — here.
    fn take_pods_from(&mut self, old: &mut NodeInfo) {
        self.pods = std::mem::take(&mut old.pods);
        self.requested = std::mem::take(&mut old.requested);
        self.non_zero_requested = std::mem::take(&mut old.non_zero_requested);
        self.used_ports = std::mem::take(&mut old.used_ports);
        self.pods_with_affinity = std::mem::take(&mut old.pods_with_affinity);
        self.pods_with_required_anti_affinity =
            std::mem::take(&mut old.pods_with_required_anti_affinity);
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshot
// ---------------------------------------------------------------------------------------------

/// The cache's `nodeTree`: nodes grouped by zone, zones in the order they appeared.
#[derive(Debug, Default)]
struct NodeTree {
    zones: Vec<String>,
    tree: HashMap<String, Vec<String>>,
}

impl NodeTree {
    fn add(&mut self, zone: &str, name: &str) {
        match self.tree.get_mut(zone) {
            Some(names) => {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
            None => {
                self.zones.push(zone.to_string());
                self.tree.insert(zone.to_string(), vec![name.to_string()]);
            }
        }
    }

    fn remove(&mut self, zone: &str, name: &str) {
        let Some(names) = self.tree.get_mut(zone) else {
            return;
        };
        names.retain(|n| n != name);
        if names.is_empty() {
            self.tree.remove(zone);
            self.zones.retain(|z| z != zone);
        }
    }

    /// `nodeTree.list`: one node from each zone in turn, so that a search that stops early
    /// still sees every zone.
    fn list(&self) -> Vec<&str> {
        let columns: Vec<&[String]> = self
            .zones
            .iter()
            .filter_map(|z| self.tree.get(z).map(Vec::as_slice))
            .collect();
        let longest = columns.iter().map(|c| c.len()).max().unwrap_or(0);
        (0..longest)
            .flat_map(|i| columns.iter().filter_map(move |c| c.get(i)))
            .map(String::as_str)
            .collect()
    }
}

/// The pods of one label set on one node (an index into `Snapshot::nodes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetOnNode {
    pub node: u32,
    /// Pods not being deleted: the ones PodTopologySpread counts.
    pub live: u32,
    pub terminating: u32,
}

impl SetOnNode {
    /// All the set's pods on the node: the ones InterPodAffinity counts.
    pub fn all(&self) -> u32 {
        self.live + self.terminating
    }
}

/// One interned label set and the nodes its pods run on.
#[derive(Debug)]
pub struct SetEntry {
    pub set: Arc<LabelSet>,
    pub nodes: Vec<SetOnNode>,
    /// Pods in the snapshot (on nodes or waiting for theirs) with this set.
    pods: usize,
    /// The interner key.
    key: String,
}

/// Interns label sets and indexes them: by every `key=value` label, and by where their pods
/// run. Selectors with an equality requirement then reach their pods without looking at any
/// other, and nothing in a scheduling cycle walks every pod.
#[derive(Debug, Default)]
struct LabelIndex {
    by_key: FastMap<String, u32>,
    /// By the address of the shared `Arc<LabelSet>`: the id of a pod's set without rebuilding
    /// its key.
    by_ptr: FastMap<usize, u32>,
    entries: Vec<Option<SetEntry>>,
    free: Vec<u32>,
    /// `key=value` → the sets with that label.
    by_label: FastMap<String, Vec<u32>>,
    live: Vec<u32>,
}

fn label_pair(key: &str, value: &Value) -> String {
    match value {
        Value::String(s) => format!("{key}={s}"),
        other => format!("{key}\u{1}{other}"),
    }
}

impl LabelIndex {
    fn key(set: &LabelSet) -> String {
        let mut k = set.namespace.clone();
        for (name, v) in &set.labels {
            k.push('\0');
            k.push_str(&label_pair(name, v));
        }
        k
    }

    /// Counts one more pod with `set`; returns the shared set and its id.
    fn intern(&mut self, set: &LabelSet) -> (Arc<LabelSet>, u32) {
        let key = LabelIndex::key(set);
        if let Some(&id) = self.by_key.get(&key)
            && let Some(entry) = self.entries[id as usize].as_mut()
        {
            entry.pods += 1;
            return (entry.set.clone(), id);
        }
        let shared = Arc::new(set.clone());
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.entries.push(None);
                (self.entries.len() - 1) as u32
            }
        };
        for (name, v) in &set.labels {
            self.by_label
                .entry(label_pair(name, v))
                .or_default()
                .push(id);
        }
        self.by_key.insert(key.clone(), id);
        self.by_ptr.insert(Arc::as_ptr(&shared) as usize, id);
        self.live.push(id);
        self.entries[id as usize] = Some(SetEntry {
            set: shared.clone(),
            nodes: Vec::new(),
            pods: 1,
            key,
        });
        (shared, id)
    }

    fn id_of(&self, set: &Arc<LabelSet>) -> Option<u32> {
        self.by_ptr.get(&(Arc::as_ptr(set) as usize)).copied()
    }

    /// Counts one pod with the set fewer, forgetting the set with its last pod.
    fn release(&mut self, id: u32) {
        let Some(entry) = self.entries[id as usize].as_mut() else {
            return;
        };
        entry.pods -= 1;
        if entry.pods > 0 {
            return;
        }
        let Some(entry) = self.entries[id as usize].take() else {
            return;
        };
        for (name, v) in &entry.set.labels {
            let pair = label_pair(name, v);
            if let Some(ids) = self.by_label.get_mut(&pair) {
                ids.retain(|i| *i != id);
                if ids.is_empty() {
                    self.by_label.remove(&pair);
                }
            }
        }
        self.by_key.remove(&entry.key);
        self.by_ptr.remove(&(Arc::as_ptr(&entry.set) as usize));
        self.live.retain(|i| *i != id);
        self.free.push(id);
    }

    /// Adds `delta` pods of set `id` on node `node`.
    fn place(&mut self, id: u32, node: u32, terminating: bool, delta: i32) {
        let Some(entry) = self.entries[id as usize].as_mut() else {
            return;
        };
        let i = match entry.nodes.iter().position(|n| n.node == node) {
            Some(i) => i,
            None => {
                entry.nodes.push(SetOnNode {
                    node,
                    live: 0,
                    terminating: 0,
                });
                entry.nodes.len() - 1
            }
        };
        let at = &mut entry.nodes[i];
        let count = if terminating {
            &mut at.terminating
        } else {
            &mut at.live
        };
        *count = count.saturating_add_signed(delta);
        if at.all() == 0 {
            entry.nodes.swap_remove(i);
        }
    }

    /// Node index `from` is now `to`.
    fn renumber(&mut self, id: u32, from: u32, to: u32) {
        if let Some(entry) = self.entries[id as usize].as_mut() {
            for n in entry.nodes.iter_mut().filter(|n| n.node == from) {
                n.node = to;
            }
        }
    }

    /// The live sets an equality requirement of `selector` (`=`, `==` or `in`) allows, taking
    /// the requirement with the fewest; every live set when it has none.
    fn candidates(&self, selector: &LabelSelector) -> Vec<u32> {
        if selector.matches_nothing() {
            return Vec::new();
        }
        let mut best: Option<Vec<u32>> = None;
        for r in selector.requirements() {
            if !matches!(
                r.operator,
                Operator::Equals | Operator::DoubleEquals | Operator::In
            ) {
                continue;
            }
            let mut ids: Vec<u32> = r
                .values
                .iter()
                .filter_map(|v| self.by_label.get(&format!("{}={v}", r.key)))
                .flatten()
                .copied()
                .collect();
            if r.values.len() > 1 {
                ids.sort_unstable();
                ids.dedup();
            }
            if best.as_ref().is_none_or(|b| ids.len() < b.len()) {
                best = Some(ids);
            }
        }
        best.unwrap_or_else(|| self.live.clone())
    }
}

/// `ImageStateSummary`: an image's size (as first reported) and the nodes that have it.
#[derive(Debug, Clone, Default)]
pub struct ImageState {
    pub size: i64,
    pub nodes: Vec<u32>,
}

/// Numbers the values of one tracked topology key.
#[derive(Debug, Default)]
struct ValueIds {
    ids: FastMap<String, u32>,
}

impl ValueIds {
    fn id(&mut self, value: Option<&str>) -> Option<u32> {
        let value = value?;
        let next = self.ids.len() as u32;
        Some(*self.ids.entry(value.to_string()).or_insert(next))
    }
}

/// All nodes and their bound pods, as one scheduling cycle sees them. `nodes` is in no
/// particular order; [`Snapshot::node_order`] is the order the scheduler searches. Change it
/// only through its methods, which keep its indexes in step.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub nodes: Vec<NodeInfo>,
    index: FastMap<String, usize>,
    /// The nodes' hostname and zone ids again, packed by node index so that a pass over many
    /// nodes need not touch the (large) `NodeInfo`s.
    topology: Vec<[Option<u32>; 2]>,
    tree: NodeTree,
    order: Vec<usize>,
    /// Pod key → the node it is bound to.
    pod_nodes: HashMap<String, String>,
    /// Pods bound to nodes the snapshot does not have (yet, or any more).
    orphans: HashMap<String, Vec<Arc<PodInfo>>>,
    labels: LabelIndex,
    images: FastMap<String, ImageState>,
    topology_values: [ValueIds; 2],
    pods_with_affinity: usize,
    pods_with_required_anti_affinity: usize,
}

impl Snapshot {
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    pub fn num_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Indexes into `nodes`, in the cache's node-tree order.
    pub fn node_order(&self) -> &[usize] {
        &self.order
    }

    pub fn node(&self, name: &str) -> Option<&NodeInfo> {
        self.index.get(name).map(|&i| &self.nodes[i])
    }

    /// An image's summary, by exact name.
    pub fn image(&self, name: &str) -> Option<&ImageState> {
        self.images.get(name)
    }

    /// How many distinct values a tracked topology key has had: the size of a table indexed
    /// by its ids.
    pub fn topology_value_count(&self, tracked: usize) -> usize {
        self.topology_values.get(tracked).map_or(0, |v| v.ids.len())
    }

    /// The id of node `i`'s value for a tracked key, `None` when it lacks the label.
    pub fn topology_id(&self, i: usize, tracked: usize) -> Option<u32> {
        *self.topology.get(i)?.get(tracked)?
    }

    /// Whether any node runs a pod with pod (anti-)affinity.
    pub fn has_pods_with_affinity(&self) -> bool {
        self.pods_with_affinity > 0
    }

    /// Whether any node runs a pod with required pod anti-affinity.
    pub fn has_pods_with_required_anti_affinity(&self) -> bool {
        self.pods_with_required_anti_affinity > 0
    }

    /// The label sets of pods on the snapshot's nodes that `accept` takes, looked up through
    /// an equality requirement of `selector` when it has one (`accept` must imply `selector`).
    pub fn matching_sets(
        &self,
        selector: &LabelSelector,
        mut accept: impl FnMut(&LabelSet) -> bool,
    ) -> Vec<&SetEntry> {
        self.labels
            .candidates(selector)
            .into_iter()
            .filter_map(|id| self.labels.entries[id as usize].as_ref())
            .filter(|e| !e.nodes.is_empty() && accept(&e.set))
            .collect()
    }

    /// A node was added or changed. Its pods stay; its labels, taints, allocatable and images
    /// are replaced.
    pub fn upsert_node(&mut self, node: &Value) {
        let mut info = NodeInfo::from_node(node);
        if info.name.is_empty() {
            return;
        }
        let [hostname, zone] = &mut self.topology_values;
        let ids = [
            hostname.id(info.hostname_label.as_deref()),
            zone.id(info.zone_label.as_deref()),
        ];
        info.topology_ids = Some(ids);
        match self.index.get(&*info.name) {
            Some(&i) => {
                let mut old = std::mem::take(&mut self.nodes[i]);
                info.take_pods_from(&mut old);
                count_images(&mut self.images, &old, i, false);
                count_images(&mut self.images, &info, i, true);
                self.topology[i] = ids;
                let moved = old.zone_key != info.zone_key;
                if moved {
                    self.tree.remove(&old.zone_key, &old.name);
                    self.tree.add(&info.zone_key, &info.name);
                }
                self.nodes[i] = info;
                if moved {
                    self.rebuild_order();
                }
            }
            None => {
                let i = self.nodes.len();
                count_images(&mut self.images, &info, i, true);
                self.tree.add(&info.zone_key, &info.name);
                self.index.insert(info.name.to_string(), i);
                let orphans = self.orphans.remove(&*info.name).unwrap_or_default();
                self.nodes.push(info);
                self.topology.push(ids);
                for pod in orphans {
                    self.attach(i, pod);
                }
                self.rebuild_order();
            }
        }
    }

    /// A node was deleted. Its pods are kept aside until they are deleted too (or the node
    /// comes back), as the real cache keeps them.
    pub fn remove_node(&mut self, name: &str) {
        let Some(&i) = self.index.get(name) else {
            return;
        };
        let pods: Vec<Arc<PodInfo>> = self.nodes[i].pods.clone();
        for pod in &pods {
            self.detach(i, &pod.key());
        }
        count_images(&mut self.images, &self.nodes[i], i, false);
        self.index.remove(name);
        let last = self.nodes.len() - 1;
        let node = self.nodes.swap_remove(i);
        self.topology.swap_remove(i);
        if i != last {
            // The last node now sits at `i`: renumber it in every index.
            let moved = &self.nodes[i];
            self.index.insert(moved.name.to_string(), i);
            for pod in &moved.pods {
                if let Some(id) = self.labels.id_of(&pod.labels) {
                    self.labels.renumber(id, last as u32, i as u32);
                }
            }
            for image in moved.image_states.keys() {
                if let Some(state) = self.images.get_mut(image) {
                    for n in state.nodes.iter_mut().filter(|n| **n == last as u32) {
                        *n = i as u32;
                    }
                }
            }
        }
        self.tree.remove(&node.zone_key, name);
        if !pods.is_empty() {
            self.orphans.insert(name.to_string(), pods);
        }
        self.rebuild_order();
    }

    /// A bound pod (`spec.nodeName` set) was added or changed; it replaces any entry with the
    /// same `namespace/name`. Pods that are not bound are ignored.
    pub fn add_pod(&mut self, pod: &Value) {
        let bound = pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        if bound {
            self.add_pod_info(PodInfo::from_pod(pod));
        }
    }

    /// [`add_pod`](Self::add_pod) for an already parsed pod.
    pub fn add_pod_info(&mut self, mut pod: PodInfo) {
        if pod.node_name.is_empty() {
            return;
        }
        let key = pod.key();
        self.remove_pod_key(&key);
        pod.labels = self.labels.intern(&pod.labels).0;
        let node_name = pod.node_name.clone();
        let pod = Arc::new(pod);
        match self.index.get(&node_name) {
            Some(&i) => self.attach(i, pod),
            None => self.orphans.entry(node_name.clone()).or_default().push(pod),
        }
        self.pod_nodes.insert(key, node_name);
    }

    /// The scheduler's assume step without a JSON round trip: `pod`, bound to `node_name`.
    pub fn assume_pod(&mut self, pod: &PodInfo, node_name: &str) {
        let mut assumed = pod.clone();
        assumed.node_name = node_name.to_string();
        self.add_pod_info(assumed);
    }

    pub fn remove_pod(&mut self, pod: &Value) {
        self.remove_pod_key(&pod_key(pod));
    }

    /// Removes a pod by `namespace/name`; false when the snapshot does not have it.
    pub fn remove_pod_key(&mut self, key: &str) -> bool {
        let Some(node_name) = self.pod_nodes.remove(key) else {
            return false;
        };
        let removed = match self.index.get(&node_name) {
            Some(&i) => self.detach(i, key),
            None => {
                let pods = self.orphans.get_mut(&node_name);
                let pod = pods.and_then(|pods| {
                    let i = pods.iter().position(|p| p.key() == key)?;
                    Some(pods.swap_remove(i))
                });
                if self.orphans.get(&node_name).is_some_and(Vec::is_empty) {
                    self.orphans.remove(&node_name);
                }
                pod
            }
        };
        match removed.and_then(|pod| self.labels.id_of(&pod.labels)) {
            Some(id) => {
                self.labels.release(id);
                true
            }
            None => false,
        }
    }

    /// Puts a pod on node `i`, in the node and in the indexes.
    fn attach(&mut self, i: usize, pod: Arc<PodInfo>) {
        if let Some(id) = self.labels.id_of(&pod.labels) {
            self.labels.place(id, i as u32, pod.terminating, 1);
        }
        self.pods_with_affinity += usize::from(pod.has_pod_affinity);
        self.pods_with_required_anti_affinity +=
            usize::from(!pod.required_anti_affinity_terms.is_empty());
        self.nodes[i].add_pod(pod);
    }

    /// Takes a pod off node `i` (the pod stays interned).
    fn detach(&mut self, i: usize, key: &str) -> Option<Arc<PodInfo>> {
        let pod = self.nodes[i].take_pod(key)?;
        if let Some(id) = self.labels.id_of(&pod.labels) {
            self.labels.place(id, i as u32, pod.terminating, -1);
        }
        self.pods_with_affinity -= usize::from(pod.has_pod_affinity);
        self.pods_with_required_anti_affinity -=
            usize::from(!pod.required_anti_affinity_terms.is_empty());
        Some(pod)
    }

    fn rebuild_order(&mut self) {
        let index = &self.index;
        self.order = self
            .tree
            .list()
            .into_iter()
            .filter_map(|name| index.get(name).copied())
            .collect();
    }
}

/// Adds (or removes) node `i` to the summaries of its images.
fn count_images(images: &mut FastMap<String, ImageState>, node: &NodeInfo, i: usize, add: bool) {
    for (name, size) in &node.image_states {
        if add {
            let state = images.entry(name.clone()).or_insert_with(|| ImageState {
                size: *size,
                nodes: Vec::new(),
            });
            state.nodes.push(i as u32);
        } else if let Some(state) = images.get_mut(name) {
            state.nodes.retain(|n| *n != i as u32);
            if state.nodes.is_empty() {
                images.remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, zone: &str) -> Value {
        json!({"metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": zone}},
               "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"}}})
    }

    fn pod(name: &str, node: &str, spec: Value) -> Value {
        let mut p = json!({"metadata": {"name": name, "namespace": "default",
                                        "labels": {"app": "web"}},
                           "spec": spec});
        p["spec"]["nodeName"] = json!(node);
        p
    }

    #[test]
    fn requests_follow_the_init_container_and_overhead_rules() {
        let p = PodInfo::from_pod(&pod(
            "p",
            "",
            json!({
                "containers": [
                    {"name": "a", "image": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
                    {"name": "b", "image": "b", "resources": {"requests": {"cpu": "200m"}}}],
                "initContainers": [
                    {"name": "sidecar", "image": "s", "restartPolicy": "Always",
                     "resources": {"requests": {"cpu": "50m"}}},
                    {"name": "migrate", "image": "m", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}],
                "overhead": {"cpu": "10m"}
            }),
        ));
        // containers 300m + sidecar 50m = 350m; init needs 1000m + 50m; max → 1050m; + 10m.
        assert_eq!(p.requests.milli_cpu, 1060);
        assert_eq!(p.requests.memory, 1024 * 1024 * 1024);
        // Non-zero: container b counts 200Mi of memory.
        // Non-zero: container b and the sidecar count 200Mi of memory each; the migration
        // runs beside the sidecar: 1Gi + 200Mi beats 64Mi + 200Mi + 200Mi.
        assert_eq!(p.non_zero_memory, 1224 * 1024 * 1024);
        assert_eq!(p.num_containers, 4);
        assert_eq!(p.images[0], "s:latest");
    }

    #[test]
    fn snapshot_tracks_pods_nodes_and_zone_order() {
        let mut s = Snapshot::new();
        for (n, z) in [("a1", "a"), ("a2", "a"), ("b1", "b"), ("c1", "c")] {
            s.upsert_node(&node(n, z));
        }
        let order: Vec<&str> = s.node_order().iter().map(|&i| s.nodes[i].name()).collect();
        assert_eq!(order, ["a1", "b1", "c1", "a2"]);

        let spec = json!({"containers": [{"name": "c", "image": "nginx",
                          "resources": {"requests": {"cpu": "500m"}}}]});
        s.add_pod(&pod("p1", "a1", spec.clone()));
        s.add_pod(&pod("p2", "a1", spec.clone()));
        s.add_pod(&pod("p1", "a1", spec.clone())); // replaces, does not double count
        s.add_pod(&pod("pending", "", spec.clone())); // not bound: ignored
        let a1 = s.node("a1").expect("a1");
        assert_eq!(a1.pods().len(), 2);
        assert_eq!(a1.requested.milli_cpu, 1000);
        let web = LabelSelector::from_set(
            &json!({"app": "web"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let sets = s.matching_sets(&web, |set| web.matches(&set.labels));
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].nodes.iter().map(SetOnNode::all).sum::<u32>(), 2);

        // A node update keeps the pods; a removal parks them until the node returns.
        s.upsert_node(&node("a1", "a"));
        assert_eq!(s.node("a1").map(|n| n.pods().len()), Some(2));
        s.remove_node("a1");
        assert!(s.node("a1").is_none());
        assert_eq!(s.node_order().len(), 3);
        s.upsert_node(&node("a1", "a"));
        assert_eq!(s.node("a1").map(|n| n.requested.milli_cpu), Some(1000));

        s.remove_pod(&pod("p2", "a1", spec));
        assert_eq!(s.node("a1").map(|n| n.pods().len()), Some(1));
        assert!(!s.remove_pod_key("default/p2"));
    }

    /// Every pod on a node is where the label index says, and nothing else is.
    fn assert_index_consistent(s: &Snapshot) {
        let mut from_nodes: Vec<(String, u32, u32)> = Vec::new();
        for (i, node) in s.nodes.iter().enumerate() {
            for pod in node.pods() {
                let key = LabelIndex::key(&pod.labels);
                match from_nodes
                    .iter_mut()
                    .find(|(k, n, _)| *k == key && *n == i as u32)
                {
                    Some(e) => e.2 += 1,
                    None => from_nodes.push((key, i as u32, 1)),
                }
            }
        }
        let mut from_index: Vec<(String, u32, u32)> = s
            .labels
            .entries
            .iter()
            .flatten()
            .flat_map(|e| e.nodes.iter().map(|on| (e.key.clone(), on.node, on.all())))
            .collect();
        from_nodes.sort();
        from_index.sort();
        assert_eq!(from_nodes, from_index);
    }

    #[test]
    fn indexes_follow_node_removal_and_assumed_pods() {
        let mut s = Snapshot::new();
        for (n, z) in [("a1", "a"), ("b1", "b"), ("c1", "c")] {
            s.upsert_node(&node(n, z));
        }
        let spec = json!({"containers": [{"name": "c", "image": "nginx"}]});
        s.add_pod(&pod("p1", "a1", spec.clone()));
        s.add_pod(&pod("p2", "c1", spec.clone()));
        let pending = PodInfo::from_pod(&pod("p3", "", spec.clone()));
        s.assume_pod(&pending, "c1");
        assert_eq!(s.node("c1").map(|n| n.pods().len()), Some(2));
        assert_index_consistent(&s);
        // Removing a1 moves c1 into its slot.
        s.remove_node("a1");
        assert_index_consistent(&s);
        let web = LabelSelector::from_set(
            &json!({"app": "web"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let on: Vec<(&str, u32)> = s
            .matching_sets(&web, |set| web.matches(&set.labels))
            .iter()
            .flat_map(|e| &e.nodes)
            .map(|on| (s.nodes[on.node as usize].name(), on.live))
            .collect();
        assert_eq!(on, [("c1", 2)]);
        s.upsert_node(&node("a1", "a"));
        assert_index_consistent(&s);
        assert!(s.remove_pod_key("default/p1"));
        assert!(s.remove_pod_key("default/p2"));
        assert!(s.remove_pod_key("default/p3"));
        assert_index_consistent(&s);
        assert!(s.labels.live.is_empty());
    }

    #[test]
    fn affinity_terms_default_to_the_pods_namespace() {
        let t = AffinityTerm::parse(
            "shop",
            &json!({"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "k"}),
        );
        let Ok(t) = t else {
            panic!("term did not parse")
        };
        let db = |ns: &str| {
            LabelSet::new(
                ns.to_string(),
                json!({"app": "db"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            )
        };
        assert!(t.matches(&db("shop")));
        assert!(!t.matches(&db("other")));
        let all = AffinityTerm::parse(
            "shop",
            &json!({"labelSelector": {"matchLabels": {"app": "db"}}, "namespaceSelector": {},
                    "topologyKey": "k"}),
        );
        assert!(all.is_ok_and(|t| t.matches(&db("other"))));
    }
}
