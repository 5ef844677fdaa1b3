//! Defaulting: what kube-apiserver fills in when it decodes an object, before admission and
//! validation. Ports the `SetDefaults_*` functions of `pkg/apis/core/v1/defaults.go` and
//! `pkg/apis/apps/v1/defaults.go` with their generated callers (`zz_generated.defaults.go`), and
//! the fields Go's JSON encoder always writes for non-pointer structs (`resources: {}`,
//! `creationTimestamp: null` in pod templates, a Node's empty `nodeInfo`), so that the stored
//! JSON is what the real API returns. Quantities in resource lists are rounded up to milli units
//! and re-emitted in canonical form. Pure; uses only `quantity`.
//!
//! A value of the wrong JSON type is left alone: validation reports it.

use serde_json::{Map, Value, json};

use crate::api::quantity::Quantity;

/// `scheme.Default(obj)` for one kind. `group` is "" for the core group.
pub fn apply_defaults(group: &str, kind: &str, obj: &mut Value) {
    let Some(obj) = obj.as_object_mut() else {
        return;
    };
    match (group, kind) {
        ("", "Pod") => default_pod(obj),
        ("", "Namespace") => default_namespace(obj),
        ("", "Node") => default_node(obj),
        ("", "Event") => default_event(obj),
        ("apps", "Deployment") => default_deployment(obj),
        ("apps", "ReplicaSet") => default_replicaset(obj),
        ("coordination.k8s.io", "Lease") => {
            child_object(obj, "spec");
        }
        ("", "LimitRange") => default_limit_range(obj),
        ("rbac.authorization.k8s.io", kind) => {
            let mut value = Value::Object(std::mem::take(obj));
            crate::api::validation::rbac::set_rbac_defaults(kind, &mut value);
            if let Value::Object(map) = value {
                *obj = map;
            }
        }
        // ServiceAccount and ConfigMap have no defaults that show in JSON.
        _ => {}
    }
}

/// `SetDefaults_LimitRangeItem`: a Container item's default limit comes from max, its default
/// request from the default limit, then from min.
fn default_limit_range(obj: &mut Map<String, Value>) {
    let Some(items) = obj
        .get_mut("spec")
        .and_then(|s| s.get_mut("limits"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        if item.get("type").and_then(Value::as_str) != Some("Container") {
            continue;
        }
        let resources = |item: &Map<String, Value>, field: &str| {
            item.get(field)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let mut default = resources(item, "default");
        for (key, value) in resources(item, "max") {
            default.entry(key).or_insert(value);
        }
        let mut default_request = resources(item, "defaultRequest");
        for (key, value) in default
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .chain(resources(item, "min"))
        {
            default_request.entry(key).or_insert(value);
        }
        item.insert("default".to_string(), Value::Object(default));
        item.insert("defaultRequest".to_string(), Value::Object(default_request));
    }
}

/// The defaults of a `PodTemplateSpec` (a Deployment's or ReplicaSet's `spec.template`):
/// `SetDefaults_PodSpec` and everything below it, but not the Pod-only ones
/// (`enableServiceLinks`, requests copied from limits, host ports under `hostNetwork`).
pub fn apply_defaults_template(template: &mut Value) {
    let Some(template) = template.as_object_mut() else {
        return;
    };
    // ObjectMeta is not a pointer in PodTemplateSpec and its zero time encodes as null.
    if let Some(meta) = child_object(template, "metadata") {
        meta.entry("creationTimestamp").or_insert(Value::Null);
    }
    if let Some(spec) = child_object(template, "spec") {
        default_pod_spec(spec);
    }
}

/// The pull policy `SetDefaults_Container` gives an image: `Always` for the `latest` tag (also
/// when no tag and no digest is given), `IfNotPresent` otherwise, including references that do
/// not parse.
pub fn image_pull_policy_for(image: &str) -> &'static str {
    match parse_image_reference(image) {
        Some(reference) if reference.tag == "latest" => "Always",
        _ => "IfNotPresent",
    }
}

fn default_pod(pod: &mut Map<String, Value>) {
    let Some(spec) = child_object(pod, "spec") else {
        return;
    };
    // SetDefaults_Pod: requests default to limits (only in a Pod, never in a template).
    for list in ["containers", "initContainers"] {
        for container in objects_mut(spec, list) {
            copy_limits_to_requests(container);
        }
    }
    set_if_null(spec, "enableServiceLinks", json!(true));
    if spec.get("hostNetwork") == Some(&Value::Bool(true)) {
        for list in ["containers", "initContainers"] {
            for container in objects_mut(spec, list) {
                for port in objects_mut(container, "ports") {
                    if is_zero_int(port.get("hostPort"))
                        && let Some(container_port) = port.get("containerPort").cloned()
                    {
                        port.insert("hostPort".into(), container_port);
                    }
                }
            }
        }
    }
    default_pod_spec(spec);
    canonicalize_resource_list(spec.get_mut("overhead"));
}

fn copy_limits_to_requests(container: &mut Map<String, Value>) {
    let Some(resources) = container
        .get_mut("resources")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let Some(limits) = resources
        .get("limits")
        .and_then(Value::as_object)
        .filter(|l| !l.is_empty())
        .cloned()
    else {
        return;
    };
    let Some(requests) = child_object(resources, "requests") else {
        return;
    };
    for (name, quantity) in limits {
        requests.entry(name).or_insert(quantity);
    }
}

/// `SetDefaults_PodSpec` plus the generated defaulting of volumes and containers.
fn default_pod_spec(spec: &mut Map<String, Value>) {
    set_if_empty(spec, "dnsPolicy", "ClusterFirst");
    set_if_empty(spec, "restartPolicy", "Always");
    set_if_null(spec, "securityContext", json!({}));
    set_if_null(spec, "terminationGracePeriodSeconds", json!(30));
    set_if_empty(spec, "schedulerName", "default-scheduler");
    for volume in objects_mut(spec, "volumes") {
        default_volume(volume);
    }
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for container in objects_mut(spec, list) {
            default_container(container);
        }
    }
}

/// Every volume source a Volume can name; a volume naming none is an emptyDir.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// The mode of files in secret, configMap, downwardAPI and projected volumes: 0644.
const DEFAULT_FILE_MODE: i64 = 0o644;

fn default_volume(volume: &mut Map<String, Value>) {
    if !VOLUME_SOURCES
        .iter()
        .any(|source| volume.get(*source).is_some_and(|v| !v.is_null()))
    {
        volume.insert("emptyDir".into(), json!({}));
    }
    if let Some(empty_dir) = volume.get_mut("emptyDir").and_then(Value::as_object_mut) {
        canonicalize_quantity(empty_dir.get_mut("sizeLimit"));
    }
    if let Some(host_path) = volume.get_mut("hostPath").and_then(Value::as_object_mut) {
        set_if_null(host_path, "type", json!(""));
    }
    for source in ["secret", "configMap"] {
        if let Some(source) = volume.get_mut(source).and_then(Value::as_object_mut) {
            set_if_null(source, "defaultMode", json!(DEFAULT_FILE_MODE));
        }
    }
    if let Some(downward) = volume.get_mut("downwardAPI").and_then(Value::as_object_mut) {
        set_if_null(downward, "defaultMode", json!(DEFAULT_FILE_MODE));
        default_downward_api_items(downward);
    }
    if let Some(projected) = volume.get_mut("projected").and_then(Value::as_object_mut) {
        set_if_null(projected, "defaultMode", json!(DEFAULT_FILE_MODE));
        for source in objects_mut(projected, "sources") {
            if let Some(downward) = source.get_mut("downwardAPI").and_then(Value::as_object_mut) {
                default_downward_api_items(downward);
            }
            if let Some(token) = source
                .get_mut("serviceAccountToken")
                .and_then(Value::as_object_mut)
            {
                set_if_null(token, "expirationSeconds", json!(3600));
            }
        }
    }
    if let Some(iscsi) = volume.get_mut("iscsi").and_then(Value::as_object_mut) {
        set_if_empty(iscsi, "iscsiInterface", "default");
    }
    if let Some(rbd) = volume.get_mut("rbd").and_then(Value::as_object_mut) {
        set_if_empty(rbd, "pool", "rbd");
        set_if_empty(rbd, "user", "admin");
        set_if_empty(rbd, "keyring", "/etc/ceph/keyring");
    }
    if let Some(azure) = volume.get_mut("azureDisk").and_then(Value::as_object_mut) {
        set_if_null(azure, "cachingMode", json!("ReadWrite"));
        set_if_null(azure, "fsType", json!("ext4"));
        set_if_null(azure, "readOnly", json!(false));
        set_if_null(azure, "kind", json!("Shared"));
    }
    if let Some(scale_io) = volume.get_mut("scaleIO").and_then(Value::as_object_mut) {
        set_if_empty(scale_io, "storageMode", "ThinProvisioned");
        set_if_empty(scale_io, "fsType", "xfs");
    }
    let claim_spec = volume
        .get_mut("ephemeral")
        .and_then(|e| e.get_mut("volumeClaimTemplate"))
        .and_then(|t| t.get_mut("spec"))
        .and_then(Value::as_object_mut);
    if let Some(claim_spec) = claim_spec {
        set_if_null(claim_spec, "volumeMode", json!("Filesystem"));
        if let Some(resources) = claim_spec
            .get_mut("resources")
            .and_then(Value::as_object_mut)
        {
            canonicalize_resource_list(resources.get_mut("limits"));
            canonicalize_resource_list(resources.get_mut("requests"));
        }
    }
}

fn default_downward_api_items(downward: &mut Map<String, Value>) {
    for item in objects_mut(downward, "items") {
        if let Some(field_ref) = item.get_mut("fieldRef").and_then(Value::as_object_mut) {
            set_if_empty(field_ref, "apiVersion", "v1");
        }
        if let Some(resource_ref) = item
            .get_mut("resourceFieldRef")
            .and_then(Value::as_object_mut)
        {
            default_divisor(resource_ref);
        }
    }
}

/// `divisor` is a non-pointer Quantity: unset, it encodes as "0".
fn default_divisor(resource_ref: &mut Map<String, Value>) {
    match resource_ref.get_mut("divisor") {
        None | Some(Value::Null) => {
            resource_ref.insert("divisor".into(), json!("0"));
        }
        divisor => canonicalize_quantity(divisor),
    }
}

/// `SetDefaults_Container` and the generated defaulting of its ports, env, resources, probes
/// and lifecycle hooks.
fn default_container(container: &mut Map<String, Value>) {
    if is_empty_str(container.get("imagePullPolicy")) {
        let image = container
            .get("image")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let policy = image_pull_policy_for(image);
        container.insert("imagePullPolicy".into(), json!(policy));
    }
    set_if_empty(container, "terminationMessagePath", "/dev/termination-log");
    set_if_empty(container, "terminationMessagePolicy", "File");
    for port in objects_mut(container, "ports") {
        set_if_empty(port, "protocol", "TCP");
    }
    for env in objects_mut(container, "env") {
        let Some(value_from) = env.get_mut("valueFrom").and_then(Value::as_object_mut) else {
            continue;
        };
        if let Some(field_ref) = value_from
            .get_mut("fieldRef")
            .and_then(Value::as_object_mut)
        {
            set_if_empty(field_ref, "apiVersion", "v1");
        }
        if let Some(resource_ref) = value_from
            .get_mut("resourceFieldRef")
            .and_then(Value::as_object_mut)
        {
            default_divisor(resource_ref);
        }
    }
    // ResourceRequirements is not a pointer: it is always written, `{}` when empty.
    if let Some(resources) = child_object(container, "resources") {
        canonicalize_resource_list(resources.get_mut("limits"));
        canonicalize_resource_list(resources.get_mut("requests"));
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = container.get_mut(probe).and_then(Value::as_object_mut) {
            default_probe(probe);
        }
    }
    if let Some(lifecycle) = container
        .get_mut("lifecycle")
        .and_then(Value::as_object_mut)
    {
        for hook in ["postStart", "preStop"] {
            if let Some(http_get) = lifecycle
                .get_mut(hook)
                .and_then(|h| h.get_mut("httpGet"))
                .and_then(Value::as_object_mut)
            {
                default_http_get(http_get);
            }
        }
    }
}

/// `SetDefaults_Probe`: zero means unset for these int32 fields.
fn default_probe(probe: &mut Map<String, Value>) {
    for (field, default) in [
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ] {
        if is_zero_int(probe.get(field)) {
            probe.insert(field.into(), json!(default));
        }
    }
    if let Some(http_get) = probe.get_mut("httpGet").and_then(Value::as_object_mut) {
        default_http_get(http_get);
    }
    if let Some(grpc) = probe.get_mut("grpc").and_then(Value::as_object_mut) {
        set_if_null(grpc, "service", json!(""));
    }
}

fn default_http_get(http_get: &mut Map<String, Value>) {
    set_if_empty(http_get, "path", "/");
    set_if_empty(http_get, "scheme", "HTTP");
}

fn default_deployment(deployment: &mut Map<String, Value>) {
    let Some(spec) = child_object(deployment, "spec") else {
        return;
    };
    set_if_null(spec, "replicas", json!(1));
    if let Some(strategy) = child_object(spec, "strategy") {
        set_if_empty(strategy, "type", "RollingUpdate");
        if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate")
            && let Some(rolling) = child_object(strategy, "rollingUpdate")
        {
            set_if_null(rolling, "maxUnavailable", json!("25%"));
            set_if_null(rolling, "maxSurge", json!("25%"));
        }
    }
    set_if_null(spec, "revisionHistoryLimit", json!(10));
    set_if_null(spec, "progressDeadlineSeconds", json!(600));
    if let Some(template) = spec.get_mut("template") {
        apply_defaults_template(template);
    }
}

fn default_replicaset(replicaset: &mut Map<String, Value>) {
    let Some(spec) = child_object(replicaset, "spec") else {
        return;
    };
    set_if_null(spec, "replicas", json!(1));
    if let Some(template) = spec.get_mut("template") {
        apply_defaults_template(template);
    }
}

/// `SetDefaults_Namespace` (the `kubernetes.io/metadata.name` label) and
/// `SetDefaults_NamespaceStatus`. The `kubernetes` finalizer is the registry's
/// (`strategy::prepare_for_create`).
fn default_namespace(namespace: &mut Map<String, Value>) {
    let name = namespace
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if let (Some(name), Some(meta)) = (name, child_object(namespace, "metadata"))
        && let Some(labels) = child_object(meta, "labels")
    {
        labels.insert("kubernetes.io/metadata.name".into(), json!(name));
    }
    child_object(namespace, "spec");
    if let Some(status) = child_object(namespace, "status") {
        set_if_empty(status, "phase", "Active");
    }
}

/// `SetDefaults_NodeStatus`: allocatable defaults to capacity; both are rounded to milli units.
fn default_node(node: &mut Map<String, Value>) {
    child_object(node, "spec");
    let Some(status) = child_object(node, "status") else {
        return;
    };
    if status.get("allocatable").is_none_or(Value::is_null)
        && let Some(capacity) = status.get("capacity").filter(|c| c.is_object()).cloned()
    {
        status.insert("allocatable".into(), capacity);
    }
    canonicalize_resource_list(status.get_mut("capacity"));
    canonicalize_resource_list(status.get_mut("allocatable"));
    // Non-pointer structs of NodeStatus, always written.
    if let Some(endpoints) = child_object(status, "daemonEndpoints")
        && let Some(kubelet) = child_object(endpoints, "kubeletEndpoint")
    {
        kubelet.entry("Port").or_insert(json!(0));
    }
    if let Some(info) = child_object(status, "nodeInfo") {
        for field in [
            "machineID",
            "systemUUID",
            "bootID",
            "kernelVersion",
            "osImage",
            "containerRuntimeVersion",
            "kubeletVersion",
            "kubeProxyVersion",
            "operatingSystem",
            "architecture",
        ] {
            set_if_null(info, field, json!(""));
        }
    }
}

/// A core/v1 Event has no defaulting function, but Go always writes its non-pointer fields.
fn default_event(event: &mut Map<String, Value>) {
    child_object(event, "involvedObject");
    child_object(event, "source");
    for field in ["firstTimestamp", "lastTimestamp", "eventTime"] {
        event.entry(field).or_insert(Value::Null);
    }
    for field in ["reportingComponent", "reportingInstance"] {
        set_if_null(event, field, json!(""));
    }
}

/// `SetDefaults_ResourceList`: each quantity rounded up to milli units, in canonical form.
/// Values that do not parse stay as they are for validation to report.
fn canonicalize_resource_list(list: Option<&mut Value>) {
    let Some(list) = list.and_then(Value::as_object_mut) else {
        return;
    };
    for quantity in list.values_mut() {
        canonicalize_quantity(Some(quantity));
    }
}

fn canonicalize_quantity(value: Option<&mut Value>) {
    let Some(value) = value else { return };
    if value.is_null() {
        return;
    }
    if let Ok(mut quantity) = Quantity::from_json(value) {
        quantity.round_up(-3);
        *value = quantity.to_json();
    }
}

/// The object under `key`, created when missing or null (a Go struct that is always there);
/// None when the key holds something else.
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

/// The objects of the list under `key`, skipping anything that is not an object.
fn objects_mut<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> {
    map.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// Sets a pointer field Go would find nil.
fn set_if_null(map: &mut Map<String, Value>, key: &str, value: Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.into(), value);
    }
}

/// Sets a string field Go would find empty.
fn set_if_empty(map: &mut Map<String, Value>, key: &str, value: &str) {
    if is_empty_str(map.get(key)) {
        map.insert(key.into(), json!(value));
    }
}

fn is_empty_str(value: Option<&Value>) -> bool {
    matches!(value, None | Some(Value::Null)) || value.and_then(Value::as_str) == Some("")
}

fn is_zero_int(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(v) => v.as_f64() == Some(0.0),
    }
}

/// The parts of a container image reference that defaulting needs.
#[derive(Debug, PartialEq, Eq)]
struct ImageReference {
    /// The tag, `latest` when neither tag nor digest is given.
    tag: String,
    digest: Option<String>,
}

/// `parsers.ParseImageName`, which relies on the docker reference grammar: a domain, lowercase
/// path components, an optional `:tag` and an optional `@algorithm:hex` digest.
fn parse_image_reference(image: &str) -> Option<ImageReference> {
    if image.is_empty() || image.len() > 4096 {
        return None;
    }
    let (name_and_tag, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    if let Some(digest) = digest {
        let (algorithm, hex) = digest.split_once(':')?;
        let algorithm_ok = algorithm.starts_with(|c: char| c.is_ascii_alphabetic())
            && algorithm
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+._-".contains(c));
        let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
        if !algorithm_ok || !hex_ok || (algorithm == "sha256" && hex.len() != 64) {
            return None;
        }
    }
    let last_slash = name_and_tag.rfind('/');
    let (name, tag) = match name_and_tag.rfind(':') {
        Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
            (&name_and_tag[..colon], Some(&name_and_tag[colon + 1..]))
        }
        _ => (name_and_tag, None),
    };
    if let Some(tag) = tag {
        let tag_ok = !tag.is_empty()
            && tag.len() <= 128
            && !tag.starts_with(['.', '-'])
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !tag_ok {
            return None;
        }
    }
    let mut components: Vec<&str> = name.split('/').collect();
    if components.len() > 1 {
        let first = components[0];
        if first.contains(['.', ':'])
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase())
        {
            let (host, port) = first.split_once(':').unwrap_or((first, ""));
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            let port_ok = !first.contains(':')
                || (!port.is_empty() && port.chars().all(|c| c.is_ascii_digit()));
            if !host_ok || !port_ok {
                return None;
            }
            components.remove(0);
        }
    }
    if !components.iter().all(|c| is_path_component(c)) {
        return None;
    }
    let tag = match (tag, digest) {
        (Some(tag), _) => tag.to_string(),
        (None, Some(_)) => String::new(),
        (None, None) => "latest".to_string(),
    };
    Some(ImageReference {
        tag,
        digest: digest.map(str::to_string),
    })
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = separator == "."
            || separator == "_"
            || separator == "__"
            || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaulted(group: &str, kind: &str, mut obj: Value) -> Value {
        apply_defaults(group, kind, &mut obj);
        obj
    }

    #[test]
    fn a_minimal_pod_gets_the_full_default_set() {
        let pod = defaulted(
            "",
            "Pod",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                   "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}),
        );
        assert_eq!(
            pod["spec"],
            json!({
                "containers": [{
                    "name": "nginx",
                    "image": "nginx",
                    "imagePullPolicy": "Always",
                    "resources": {},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File"
                }],
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": true,
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "terminationGracePeriodSeconds": 30
            })
        );
    }

    #[test]
    fn image_pull_policy_follows_the_tag() {
        let table = [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
            (
                "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
                "IfNotPresent",
            ),
            (
                "nginx:latest@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
                "Always",
            ),
            ("localhost:5000/nginx", "Always"),
            ("localhost:5000/nginx:1.0", "IfNotPresent"),
            ("registry.k8s.io/pause:3.10", "IfNotPresent"),
            ("docker.io/library/busybox", "Always"),
            ("NGINX", "IfNotPresent"),
            ("", "IfNotPresent"),
            ("nginx@sha256:short", "IfNotPresent"),
        ];
        for (image, want) in table {
            assert_eq!(image_pull_policy_for(image), want, "{image:?}");
        }
    }

    #[test]
    fn an_explicit_pull_policy_is_kept() {
        let pod = defaulted(
            "",
            "Pod",
            json!({"spec": {"containers": [{"name": "a", "image": "nginx", "imagePullPolicy": "Never"}]}}),
        );
        assert_eq!(pod["spec"]["containers"][0]["imagePullPolicy"], "Never");
    }

    #[test]
    fn requests_default_to_limits_in_pods_only() {
        let container = json!({"name": "a", "image": "nginx:1.27",
            "resources": {"limits": {"cpu": "0.5", "memory": "1024Mi"}, "requests": {"cpu": "100m"}}});
        let pod = defaulted(
            "",
            "Pod",
            json!({"spec": {"containers": [container.clone()]}}),
        );
        assert_eq!(
            pod["spec"]["containers"][0]["resources"],
            json!({"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "100m", "memory": "1Gi"}})
        );
        let deployment = defaulted(
            "apps",
            "Deployment",
            json!({"spec": {"template": {"spec": {"containers": [container]}}}}),
        );
        assert_eq!(
            deployment["spec"]["template"]["spec"]["containers"][0]["resources"],
            json!({"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "100m"}})
        );
    }

    #[test]
    fn quantities_are_rounded_to_milli_and_canonical() {
        let pod = defaulted(
            "",
            "Pod",
            json!({"spec": {"containers": [{"name": "a", "image": "a",
                "resources": {"requests": {"cpu": "1n", "memory": 1000, "ephemeral-storage": "bad"}}}]}}),
        );
        assert_eq!(
            pod["spec"]["containers"][0]["resources"]["requests"],
            json!({"cpu": "1m", "memory": "1k", "ephemeral-storage": "bad"})
        );
    }

    #[test]
    fn ports_probes_env_and_volumes_get_their_defaults() {
        let pod = defaulted(
            "",
            "Pod",
            json!({"spec": {
                "containers": [{
                    "name": "a", "image": "a:1",
                    "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}],
                    "livenessProbe": {"httpGet": {"port": 80}},
                    "readinessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5, "timeoutSeconds": 0},
                    "startupProbe": {"grpc": {"port": 9000}},
                    "lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/quit"}}},
                    "env": [
                        {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}
                    ]
                }],
                "volumes": [
                    {"name": "scratch"},
                    {"name": "cfg", "configMap": {"name": "cfg"}},
                    {"name": "creds", "secret": {"secretName": "creds", "defaultMode": 256}},
                    {"name": "host", "hostPath": {"path": "/var/log"}},
                    {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
                ]
            }}),
        );
        let c = &pod["spec"]["containers"][0];
        assert_eq!(
            c["ports"],
            json!([{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}])
        );
        assert_eq!(
            c["livenessProbe"],
            json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                   "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        assert_eq!(c["readinessProbe"]["periodSeconds"], 5);
        assert_eq!(c["readinessProbe"]["timeoutSeconds"], 1);
        assert_eq!(
            c["startupProbe"]["grpc"],
            json!({"port": 9000, "service": ""})
        );
        assert_eq!(
            c["lifecycle"]["preStop"]["httpGet"],
            json!({"port": 8080, "path": "/quit", "scheme": "HTTP"})
        );
        assert_eq!(c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
        assert_eq!(c["env"][1]["valueFrom"]["resourceFieldRef"]["divisor"], "0");
        let v = &pod["spec"]["volumes"];
        assert_eq!(v[0], json!({"name": "scratch", "emptyDir": {}}));
        assert_eq!(v[1]["configMap"]["defaultMode"], 420);
        assert_eq!(v[2]["secret"]["defaultMode"], 256);
        assert_eq!(v[3]["hostPath"]["type"], "");
        assert_eq!(v[4]["projected"]["defaultMode"], 420);
        assert_eq!(
            v[4]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"],
            3600
        );
    }

    #[test]
    fn host_network_pods_get_host_ports() {
        let pod = defaulted(
            "",
            "Pod",
            json!({"spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "a", "ports": [{"containerPort": 8080}]}]}}),
        );
        assert_eq!(pod["spec"]["containers"][0]["ports"][0]["hostPort"], 8080);
    }

    #[test]
    fn tolerations_are_kept_as_given() {
        let tolerations = json!([{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]);
        let pod = defaulted(
            "",
            "Pod",
            json!({"spec": {"tolerations": tolerations.clone(), "containers": [{"name": "a", "image": "a"}]}}),
        );
        assert_eq!(pod["spec"]["tolerations"], tolerations);
    }

    #[test]
    fn deployments_get_replicas_strategy_and_template_defaults() {
        let deployment = defaulted(
            "apps",
            "Deployment",
            json!({"metadata": {"name": "web"}, "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}),
        );
        let spec = &deployment["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        assert_eq!(spec["revisionHistoryLimit"], 10);
        assert_eq!(spec["progressDeadlineSeconds"], 600);
        assert_eq!(
            spec["template"]["metadata"],
            json!({"labels": {"app": "web"}, "creationTimestamp": null})
        );
        let pod_spec = &spec["template"]["spec"];
        assert_eq!(pod_spec["restartPolicy"], "Always");
        assert_eq!(pod_spec["terminationGracePeriodSeconds"], 30);
        assert_eq!(pod_spec["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert!(pod_spec.get("enableServiceLinks").is_none());
    }

    #[test]
    fn a_recreate_strategy_gets_no_rolling_update() {
        let deployment = defaulted(
            "apps",
            "Deployment",
            json!({"spec": {"replicas": 3, "strategy": {"type": "Recreate"}}}),
        );
        assert_eq!(deployment["spec"]["strategy"], json!({"type": "Recreate"}));
        assert_eq!(deployment["spec"]["replicas"], 3);
    }

    #[test]
    fn replicasets_get_one_replica_and_template_defaults() {
        let rs = defaulted(
            "apps",
            "ReplicaSet",
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "a"}]}}}}),
        );
        assert_eq!(rs["spec"]["replicas"], 1);
        assert_eq!(rs["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
    }

    #[test]
    fn namespaces_get_their_name_label_and_active_phase() {
        let ns = defaulted("", "Namespace", json!({"metadata": {"name": "team-a"}}));
        assert_eq!(
            ns["metadata"]["labels"],
            json!({"kubernetes.io/metadata.name": "team-a"})
        );
        assert_eq!(ns["status"], json!({"phase": "Active"}));
        assert_eq!(ns["spec"], json!({}));
    }

    #[test]
    fn nodes_get_allocatable_from_capacity() {
        let node = defaulted(
            "",
            "Node",
            json!({"metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "4", "memory": "8192Mi", "pods": "110"}}}),
        );
        assert_eq!(
            node["status"]["allocatable"],
            json!({"cpu": "4", "memory": "8Gi", "pods": "110"})
        );
        assert_eq!(node["status"]["capacity"]["memory"], "8Gi");
        assert_eq!(
            node["status"]["daemonEndpoints"],
            json!({"kubeletEndpoint": {"Port": 0}})
        );
        assert_eq!(node["status"]["nodeInfo"]["kubeletVersion"], "");
        assert_eq!(node["spec"], json!({}));
    }

    #[test]
    fn events_and_leases_get_their_always_written_fields() {
        let event = defaulted(
            "",
            "Event",
            json!({"metadata": {"name": "e"}, "reason": "Started"}),
        );
        assert_eq!(event["eventTime"], Value::Null);
        assert_eq!(event["reportingComponent"], "");
        assert_eq!(event["source"], json!({}));
        let lease = defaulted(
            "coordination.k8s.io",
            "Lease",
            json!({"metadata": {"name": "n1"}}),
        );
        assert_eq!(lease["spec"], json!({}));
    }

    #[test]
    fn config_maps_and_service_accounts_are_unchanged() {
        for kind in ["ConfigMap", "ServiceAccount"] {
            let obj = json!({"metadata": {"name": "x"}, "data": {"a": "b"}});
            assert_eq!(defaulted("", kind, obj.clone()), obj);
        }
    }

    #[test]
    fn wrong_types_never_panic() {
        let weird = [
            json!(null),
            json!([1, 2]),
            json!({"spec": 5}),
            json!({"spec": {"containers": "nginx"}}),
            json!({"spec": {"containers": [1, null, {"resources": []}, {"ports": {}}, {"livenessProbe": 3}]}}),
            json!({"spec": {"volumes": [{"name": "x", "secret": true}], "template": 1, "strategy": []}}),
            json!({"metadata": [], "status": {"capacity": "lots"}}),
        ];
        for kind in [
            ("", "Pod"),
            ("apps", "Deployment"),
            ("apps", "ReplicaSet"),
            ("", "Namespace"),
            ("", "Node"),
            ("", "Event"),
        ] {
            for obj in &weird {
                let mut obj = obj.clone();
                apply_defaults(kind.0, kind.1, &mut obj);
            }
        }
    }
}
