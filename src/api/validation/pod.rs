//! Pod and PodTemplateSpec validation: `ValidatePodCreate`, `ValidatePodUpdate`,
//! `ValidatePodStatusUpdate`, `ValidatePodSpec` and the container, volume, probe, resource and
//! toleration checks below them (`pkg/apis/core/validation/validation.go`). Each function keeps
//! the name, order and messages of the Go function it ports, quirks included (tolerations report
//! a bad value at `.operator`, a volume mount's subPath at the list's path).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::meta::{
    self, NameRule, inclusive_range_error, is_config_map_key, is_http_header_name,
    is_qualified_name, is_relaxed_env_var_name, is_valid_label_value, is_valid_port_name,
    is_valid_port_num, validate_dns1123_label, validate_dns1123_subdomain, validate_labels,
    validate_nonnegative, validate_qualified_name,
};
use super::{
    Path, bool_of, field, get, int_of, list_of, map_of, metadata, normalize, semantic_eq, str_of,
    string_map,
};
use crate::api::field_error::{FieldError, FieldErrorKind};
use crate::api::quantity::Quantity;

const MAX_INT32: i64 = i32::MAX as i64;
const FILE_MODE_ERROR: &str = "must be a number between 0 and 0777 (octal), both inclusive";
const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";
const POD_DELETION_COST_ANNOTATION: &str = "controller.kubernetes.io/pod-deletion-cost";
const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// The fields a Pod update may change, as `ValidatePodUpdate` lists them.
const UPDATABLE_POD_SPEC_FIELDS: [&str; 5] = [
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

/// `PodValidationOptions`, reduced to what changes a message here.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PodOptions {
    /// The spec is a Pod's, not a template's.
    pub(crate) resource_is_pod: bool,
    pub(crate) allow_invalid_pod_deletion_cost: bool,
}

/// `ValidatePodCreate`
pub(crate) fn validate_pod_create(pod: &Value) -> Vec<FieldError> {
    let opts = PodOptions {
        resource_is_pod: true,
        allow_invalid_pod_deletion_cost: false,
    };
    let mut errs = validate_pod_metadata_and_spec(pod, opts);
    let spec = field(pod, "spec");
    let path = Path::new("spec");
    if !list_of(spec, "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            path.child("ephemeralContainers"),
            "cannot be set on create",
        ));
    }
    if !str_of(spec, "nodeName").is_empty() && !list_of(spec, "schedulingGates").is_empty() {
        errs.push(FieldError::forbidden(
            path.child("nodeName"),
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    errs
}

/// `validatePodMetadataAndSpec`
fn validate_pod_metadata_and_spec(pod: &Value, opts: PodOptions) -> Vec<FieldError> {
    let meta_path = Path::new("metadata");
    let spec_path = Path::new("spec");
    let spec = field(pod, "spec");
    let mut errs = meta::validate_object_meta(pod, true, NameRule::DnsSubdomain, true);
    errs.extend(validate_pod_specific_annotations(
        metadata(pod),
        spec,
        &meta_path.child("annotations"),
        opts,
    ));
    errs.extend(validate_pod_spec(
        spec,
        Some(metadata(pod)),
        &spec_path,
        opts,
    ));
    if str_of(spec, "serviceAccountName").is_empty() {
        for (vi, volume) in list_of(spec, "volumes").iter().enumerate() {
            let projected = field(volume, "projected");
            for (si, source) in list_of(projected, "sources").iter().enumerate() {
                if get(source, "serviceAccountToken").is_some() {
                    let path = spec_path
                        .child("volumes")
                        .index(vi)
                        .child("projected")
                        .child("sources")
                        .index(si);
                    errs.push(FieldError::forbidden(
                        path.child("serviceAccountToken"),
                        "must not be specified when serviceAccountName is not set",
                    ));
                }
            }
        }
    }
    for list in ["containers", "initContainers"] {
        for (i, container) in list_of(spec, list).iter().enumerate() {
            let image = str_of(container, "image");
            if image.len() != image.trim().len() {
                errs.push(FieldError::invalid(
                    spec_path.child(list).index(i).child("image"),
                    Value::from(image),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    errs
}

/// `ValidatePodSpecificAnnotations`
fn validate_pod_specific_annotations(
    meta: &Value,
    spec: &Value,
    path: &Path,
    opts: PodOptions,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let annotations = string_map(meta, "annotations");
    let annotation = |key: &str| {
        annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if let Some(value) = annotation(MIRROR_POD_ANNOTATION)
        && str_of(spec, "nodeName").is_empty()
    {
        errs.push(FieldError::invalid(
            path.key(MIRROR_POD_ANNOTATION),
            Value::from(value),
            "must set spec.nodeName if mirror pod annotation is set",
        ));
    }
    if !opts.allow_invalid_pod_deletion_cost
        && let Some(value) =
            annotation(POD_DELETION_COST_ANNOTATION).filter(|v| !is_valid_deletion_cost(v))
    {
        errs.push(FieldError::invalid(
            path.key(POD_DELETION_COST_ANNOTATION),
            Value::from(value),
            "must be a 32bit integer",
        ));
    }
    errs
}

/// `GetDeletionCostFromPodAnnotations` accepts a plain decimal int32: no '+', no leading zeros.
fn is_valid_deletion_cost(value: &str) -> bool {
    let first_ok = match value.as_bytes().first() {
        Some(b'-') => true,
        Some(b'0') => value == "0",
        Some(b) => b.is_ascii_digit(),
        None => false,
    };
    first_ok && value.parse::<i32>().is_ok()
}

/// `ValidatePodSpec`. `pod_meta` is the Pod's metadata (None inside templates).
pub(crate) fn validate_pod_spec(
    spec: &Value,
    pod_meta: Option<&Value>,
    path: &Path,
    opts: PodOptions,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let grace_period = int_of(spec, "terminationGracePeriodSeconds");
    if get(spec, "terminationGracePeriodSeconds").is_none() {
        errs.push(FieldError::required(
            path.child("terminationGracePeriodSeconds"),
            "",
        ));
    }
    let restart_policy = str_of(spec, "restartPolicy");
    let (volumes, volume_errs) =
        validate_volumes(list_of(spec, "volumes"), pod_meta, &path.child("volumes"));
    errs.extend(volume_errs);
    errs.extend(validate_containers(
        list_of(spec, "containers"),
        &volumes,
        grace_period,
        &path.child("containers"),
        opts,
    ));
    errs.extend(validate_init_containers(
        list_of(spec, "initContainers"),
        list_of(spec, "containers"),
        &volumes,
        grace_period,
        &path.child("initContainers"),
        opts,
    ));
    errs.extend(validate_ephemeral_containers(
        spec,
        &volumes,
        &path.child("ephemeralContainers"),
        opts,
    ));
    errs.extend(validate_host_network_deps(spec, path, opts));
    errs.extend(validate_restart_policy(
        restart_policy,
        &path.child("restartPolicy"),
    ));
    errs.extend(validate_dns_policy(
        str_of(spec, "dnsPolicy"),
        &path.child("dnsPolicy"),
    ));
    errs.extend(validate_labels(
        spec,
        "nodeSelector",
        &path.child("nodeSelector"),
    ));
    errs.extend(validate_pod_security_context(
        spec,
        &path.child("securityContext"),
    ));
    errs.extend(validate_dns_config(spec, &path.child("dnsConfig")));
    for (i, gate) in list_of(spec, "readinessGates").iter().enumerate() {
        errs.extend(validate_qualified_name(
            str_of(gate, "conditionType"),
            &path.child("readinessGates").index(i).child("conditionType"),
        ));
    }
    let mut gates = BTreeSet::new();
    for (i, gate) in list_of(spec, "schedulingGates").iter().enumerate() {
        let name = str_of(gate, "name");
        let gate_path = path.child("schedulingGates").index(i);
        errs.extend(validate_qualified_name(name, &gate_path));
        if !gates.insert(name) {
            errs.push(FieldError::duplicate(gate_path, Value::from(name)));
        }
    }
    for (key, rule) in [
        ("serviceAccountName", NameRule::DnsSubdomain),
        ("nodeName", NameRule::DnsSubdomain),
    ] {
        let value = str_of(spec, key);
        if !value.is_empty() {
            for msg in meta::name_errors(rule, value, false) {
                errs.push(FieldError::invalid(
                    path.child(key),
                    Value::from(value),
                    msg,
                ));
            }
        }
    }
    if let Some(deadline) = int_of(spec, "activeDeadlineSeconds")
        && !(1..=MAX_INT32).contains(&deadline)
    {
        errs.push(FieldError::invalid(
            path.child("activeDeadlineSeconds"),
            Value::from(deadline),
            inclusive_range_error(1, MAX_INT32),
        ));
    }
    for key in ["hostname", "subdomain"] {
        let value = str_of(spec, key);
        if !value.is_empty() {
            errs.extend(validate_dns1123_label(value, &path.child(key)));
        }
    }
    errs.extend(validate_tolerations(
        list_of(spec, "tolerations"),
        &path.child("tolerations"),
    ));
    for (i, alias) in list_of(spec, "hostAliases").iter().enumerate() {
        let alias_path = path.child("hostAliases").index(i);
        errs.extend(validate_ip(str_of(alias, "ip"), &alias_path.child("ip")));
        for (j, hostname) in list_of(alias, "hostnames").iter().enumerate() {
            errs.extend(validate_dns1123_subdomain(
                hostname.as_str().unwrap_or_default(),
                &alias_path.child("hostnames").index(j),
            ));
        }
    }
    for key in ["priorityClassName", "runtimeClassName"] {
        let value = str_of(spec, key);
        if !value.is_empty() || (key == "runtimeClassName" && get(spec, key).is_some()) {
            errs.extend(validate_dns1123_subdomain(value, &path.child(key)));
        }
    }
    if get(spec, "preemptionPolicy").is_some() {
        let policy = str_of(spec, "preemptionPolicy");
        match policy {
            "PreemptLowerPriority" | "Never" => {}
            "" => errs.push(FieldError::required(path.child("preemptionPolicy"), "")),
            _ => errs.push(FieldError::not_supported(
                path.child("preemptionPolicy"),
                Value::from(policy),
                &["PreemptLowerPriority", "Never"],
            )),
        }
    }
    if let Some(overhead) = get(spec, "overhead") {
        let requirements = serde_json::json!({"limits": overhead});
        errs.extend(validate_resource_requirements(
            &requirements,
            &path.child("overhead"),
        ));
    }
    if let Some(os) = get(spec, "os") {
        let name = str_of(os, "name");
        let os_path = path.child("os").child("name");
        match name {
            "linux" | "windows" => {}
            "" => errs.push(FieldError::required(os_path, "")),
            _ => errs.push(FieldError::not_supported(
                os_path,
                Value::from(name),
                &["linux", "windows"],
            )),
        }
    }
    errs
}

/// `ValidateVolumes`: the volumes that validated, by name, and the errors.
fn validate_volumes<'a>(
    volumes: &'a [Value],
    pod_meta: Option<&Value>,
    path: &Path,
) -> (BTreeMap<String, &'a Value>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let mut valid = BTreeMap::new();
    let mut names = BTreeSet::new();
    let pod_name = pod_meta.map(|m| str_of(m, "name")).unwrap_or_default();
    let created_claims: BTreeSet<String> = volumes
        .iter()
        .filter(|v| !pod_name.is_empty() && get(v, "ephemeral").is_some())
        .map(|v| format!("{pod_name}-{}", str_of(v, "name")))
        .collect();
    for (i, volume) in volumes.iter().enumerate() {
        let idx = path.index(i);
        let name = str_of(volume, "name");
        let mut volume_errs = validate_volume_source(volume, &idx);
        if name.is_empty() {
            volume_errs.push(FieldError::required(idx.child("name"), ""));
        } else {
            volume_errs.extend(validate_dns1123_label(name, &idx.child("name")));
        }
        if names.contains(name) {
            volume_errs.push(FieldError::duplicate(idx.child("name"), Value::from(name)));
        }
        if volume_errs.is_empty() {
            names.insert(name);
            valid.insert(name.to_string(), volume);
        } else {
            errs.extend(volume_errs);
        }
        let claim = str_of(field(volume, "persistentVolumeClaim"), "claimName");
        if get(volume, "persistentVolumeClaim").is_some() && created_claims.contains(claim) {
            errs.push(FieldError::invalid(
                idx.child("persistentVolumeClaim").child("claimName"),
                Value::from(claim),
                "must not reference a PVC that gets created for an ephemeral volume",
            ));
        }
    }
    (valid, errs)
}

/// The volume sources in the order `validateVolumeSource` checks them, with the path name its
/// "more than 1 volume type" error uses (two of them misspelt in the original).
const VOLUME_SOURCE_ORDER: [(&str, &str); 30] = [
    ("emptyDir", "emptyDir"),
    ("hostPath", "hostPath"),
    ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("configMap", "configMap"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("storageos", "storageos"),
    ("projected", "projected"),
    ("scaleIO", "scaleIO"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
    ("image", "image"),
];

/// `validateVolumeSource`: exactly one source, and the basic checks of the common ones.
fn validate_volume_source(volume: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut count = 0;
    for (key, forbidden_name) in VOLUME_SOURCE_ORDER {
        let Some(source) = get(volume, key) else {
            continue;
        };
        if count > 0 {
            errs.push(FieldError::forbidden(
                path.child(forbidden_name),
                "may not specify more than 1 volume type",
            ));
            continue;
        }
        count += 1;
        let source_path = path.child(key);
        match key {
            "emptyDir" => {
                if let Some(limit) =
                    get(source, "sizeLimit").and_then(|q| Quantity::from_json(q).ok())
                    && limit.sign() < 0
                {
                    errs.push(FieldError::forbidden(
                        source_path.child("sizeLimit"),
                        "SizeLimit field must be a valid resource quantity",
                    ));
                }
            }
            "hostPath" => {
                let host_path = str_of(source, "path");
                if host_path.is_empty() {
                    errs.push(FieldError::required(source_path.child("path"), ""));
                    continue;
                }
                errs.extend(validate_path_no_backsteps(
                    host_path,
                    &source_path.child("path"),
                ));
                let kind = str_of(source, "type");
                let supported = [
                    "",
                    "BlockDevice",
                    "CharDevice",
                    "Directory",
                    "DirectoryOrCreate",
                    "File",
                    "FileOrCreate",
                    "Socket",
                ];
                if !supported.contains(&kind) {
                    errs.push(FieldError::not_supported(
                        source_path.child("type"),
                        Value::from(kind),
                        &supported,
                    ));
                }
            }
            "secret" => {
                if str_of(source, "secretName").is_empty() {
                    errs.push(FieldError::required(source_path.child("secretName"), ""));
                }
                errs.extend(validate_file_mode(source, "defaultMode", &source_path));
            }
            "configMap" => {
                if str_of(source, "name").is_empty() {
                    errs.push(FieldError::required(source_path.child("name"), ""));
                }
                errs.extend(validate_file_mode(source, "defaultMode", &source_path));
            }
            "downwardAPI" | "projected" => {
                errs.extend(validate_file_mode(source, "defaultMode", &source_path))
            }
            "persistentVolumeClaim" if str_of(source, "claimName").is_empty() => {
                errs.push(FieldError::required(source_path.child("claimName"), ""));
            }
            "nfs" => {
                if str_of(source, "server").is_empty() {
                    errs.push(FieldError::required(source_path.child("server"), ""));
                }
                let nfs_path = str_of(source, "path");
                if nfs_path.is_empty() {
                    errs.push(FieldError::required(source_path.child("path"), ""));
                } else if !nfs_path.starts_with('/') {
                    errs.push(FieldError::invalid(
                        source_path.child("path"),
                        Value::from(nfs_path),
                        "must be an absolute path",
                    ));
                }
            }
            _ => {}
        }
    }
    if count == 0 {
        errs.push(FieldError::required(path, "must specify a volume type"));
    }
    errs
}

fn validate_file_mode(source: &Value, key: &str, path: &Path) -> Vec<FieldError> {
    match int_of(source, key) {
        Some(mode) if !(0..=0o777).contains(&mode) => vec![FieldError::invalid(
            path.child(key),
            Value::from(mode),
            FILE_MODE_ERROR,
        )],
        _ => Vec::new(),
    }
}

/// `validatePathNoBacksteps`
fn validate_path_no_backsteps(target: &str, path: &Path) -> Vec<FieldError> {
    if target.split('/').any(|part| part == "..") {
        vec![FieldError::invalid(
            path,
            Value::from(target),
            "must not contain '..'",
        )]
    } else {
        Vec::new()
    }
}

/// `validateLocalDescendingPath`
fn validate_local_descending_path(target: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if target.starts_with('/') {
        errs.push(FieldError::invalid(
            path,
            Value::from(target),
            "must be a relative path",
        ));
    }
    errs.extend(validate_path_no_backsteps(target, path));
    errs
}

/// `validateContainers`: the regular containers.
fn validate_containers(
    containers: &[Value],
    volumes: &BTreeMap<String, &Value>,
    grace_period: Option<i64>,
    path: &Path,
    opts: PodOptions,
) -> Vec<FieldError> {
    if containers.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    for (i, container) in containers.iter().enumerate() {
        let idx = path.index(i);
        errs.extend(validate_container_common(container, volumes, &idx, opts));
        let name = str_of(container, "name");
        if !names.insert(name) {
            errs.push(FieldError::duplicate(idx.child("name"), Value::from(name)));
        }
        if let Some(lifecycle) = get(container, "lifecycle") {
            errs.extend(validate_lifecycle(
                lifecycle,
                grace_period,
                &idx.child("lifecycle"),
            ));
        }
        errs.extend(validate_probes(container, grace_period, &idx));
        if get(container, "restartPolicy").is_some() {
            errs.push(FieldError::forbidden(
                idx.child("restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
    }
    errs.extend(check_host_port_conflicts(containers.iter(), path));
    errs
}

/// `validateInitContainers`
fn validate_init_containers(
    containers: &[Value],
    regular: &[Value],
    volumes: &BTreeMap<String, &Value>,
    grace_period: Option<i64>,
    path: &Path,
    opts: PodOptions,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names: BTreeSet<&str> = regular.iter().map(|c| str_of(c, "name")).collect();
    for (i, container) in containers.iter().enumerate() {
        let idx = path.index(i);
        errs.extend(validate_container_common(container, volumes, &idx, opts));
        let mut restart_always = false;
        if get(container, "restartPolicy").is_some() {
            let policy = str_of(container, "restartPolicy");
            if policy == "Always" {
                restart_always = true;
            } else {
                errs.push(FieldError::not_supported(
                    idx.child("restartPolicy"),
                    Value::from(policy),
                    &["Always"],
                ));
            }
        }
        let name = str_of(container, "name");
        if names.contains(name) {
            errs.push(FieldError::duplicate(idx.child("name"), Value::from(name)));
        } else if !name.is_empty() {
            names.insert(name);
        }
        // Init containers run one by one, so each is checked alone (and reported at index 0).
        errs.extend(check_host_port_conflicts(std::iter::once(container), path));
        if restart_always {
            if let Some(lifecycle) = get(container, "lifecycle") {
                errs.extend(validate_lifecycle(
                    lifecycle,
                    grace_period,
                    &idx.child("lifecycle"),
                ));
            }
            errs.extend(validate_probes(container, grace_period, &idx));
        } else {
            for key in [
                "lifecycle",
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
            ] {
                if get(container, key).is_some() {
                    errs.push(FieldError::forbidden(
                        idx.child(key),
                        "may not be set for init containers without restartPolicy=Always",
                    ));
                }
            }
        }
    }
    errs
}

/// `validateEphemeralContainers`, the part that applies to specs: names unique across all
/// containers, targets that exist.
fn validate_ephemeral_containers(
    spec: &Value,
    volumes: &BTreeMap<String, &Value>,
    path: &Path,
    opts: PodOptions,
) -> Vec<FieldError> {
    let ephemeral = list_of(spec, "ephemeralContainers");
    let mut errs = Vec::new();
    if ephemeral.is_empty() {
        return errs;
    }
    let others: BTreeSet<&str> = list_of(spec, "containers")
        .iter()
        .chain(list_of(spec, "initContainers"))
        .map(|c| str_of(c, "name"))
        .collect();
    let mut all = others.clone();
    for (i, container) in ephemeral.iter().enumerate() {
        let idx = path.index(i);
        errs.extend(validate_container_common(container, volumes, &idx, opts));
        let name = str_of(container, "name");
        if !all.insert(name) {
            errs.push(FieldError::duplicate(idx.child("name"), Value::from(name)));
        }
        let target = str_of(container, "targetContainerName");
        if !target.is_empty() && !others.contains(target) {
            errs.push(FieldError::not_found(
                idx.child("targetContainerName"),
                Value::from(target),
            ));
        }
    }
    errs
}

/// `validateContainerCommon`: what every kind of container is checked for.
fn validate_container_common(
    container: &Value,
    volumes: &BTreeMap<String, &Value>,
    path: &Path,
    _opts: PodOptions,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = str_of(container, "name");
    if name.is_empty() {
        errs.push(FieldError::required(path.child("name"), ""));
    } else {
        errs.extend(validate_dns1123_label(name, &path.child("name")));
    }
    if str_of(container, "image").is_empty() {
        errs.push(FieldError::required(path.child("image"), ""));
    }
    let policy = str_of(container, "terminationMessagePolicy");
    match policy {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(FieldError::required(
            path.child("terminationMessagePolicy"),
            "",
        )),
        _ => errs.push(FieldError::not_supported(
            path.child("terminationMessagePolicy"),
            Value::from(policy),
            &["File", "FallbackToLogsOnError"],
        )),
    }
    let devices: Vec<(&str, &str)> = list_of(container, "volumeDevices")
        .iter()
        .map(|d| (str_of(d, "name"), str_of(d, "devicePath")))
        .collect();
    let mounts: Vec<(&str, &str)> = list_of(container, "volumeMounts")
        .iter()
        .map(|m| (str_of(m, "name"), str_of(m, "mountPath")))
        .collect();
    errs.extend(validate_container_ports(
        list_of(container, "ports"),
        &path.child("ports"),
    ));
    errs.extend(validate_env(list_of(container, "env"), &path.child("env")));
    errs.extend(validate_env_from(
        list_of(container, "envFrom"),
        &path.child("envFrom"),
    ));
    errs.extend(validate_volume_mounts(
        container,
        &devices,
        volumes,
        &path.child("volumeMounts"),
    ));
    errs.extend(validate_volume_devices(
        list_of(container, "volumeDevices"),
        &mounts,
        volumes,
        &path.child("volumeDevices"),
    ));
    errs.extend(validate_pull_policy(
        str_of(container, "imagePullPolicy"),
        &path.child("imagePullPolicy"),
    ));
    errs.extend(validate_resource_requirements(
        field(container, "resources"),
        &path.child("resources"),
    ));
    errs.extend(validate_resize_policy(
        list_of(container, "resizePolicy"),
        &path.child("resizePolicy"),
    ));
    errs.extend(validate_security_context(
        field(container, "securityContext"),
        &path.child("securityContext"),
    ));
    errs
}

/// `validateContainerPorts`
fn validate_container_ports(ports: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let idx = path.index(i);
        let name = str_of(port, "name");
        if !name.is_empty() {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                errs.extend(
                    msgs.into_iter()
                        .map(|m| FieldError::invalid(idx.child("name"), Value::from(name), m)),
                );
            } else if !names.insert(name) {
                errs.push(FieldError::duplicate(idx.child("name"), Value::from(name)));
            }
        }
        let container_port = int_of(port, "containerPort").unwrap_or(0);
        if container_port == 0 {
            errs.push(FieldError::required(idx.child("containerPort"), ""));
        } else {
            for msg in is_valid_port_num(container_port) {
                errs.push(FieldError::invalid(
                    idx.child("containerPort"),
                    Value::from(container_port),
                    msg,
                ));
            }
        }
        let host_port = int_of(port, "hostPort").unwrap_or(0);
        if host_port != 0 {
            for msg in is_valid_port_num(host_port) {
                errs.push(FieldError::invalid(
                    idx.child("hostPort"),
                    Value::from(host_port),
                    msg,
                ));
            }
        }
        let protocol = str_of(port, "protocol");
        if protocol.is_empty() {
            errs.push(FieldError::required(idx.child("protocol"), ""));
        } else if !["TCP", "UDP", "SCTP"].contains(&protocol) {
            errs.push(FieldError::not_supported(
                idx.child("protocol"),
                Value::from(protocol),
                &["SCTP", "TCP", "UDP"],
            ));
        }
    }
    errs
}

/// `AccumulateUniqueHostPorts`
fn check_host_port_conflicts<'a>(
    containers: impl Iterator<Item = &'a Value>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = BTreeSet::new();
    for (ci, container) in containers.enumerate() {
        for (pi, port) in list_of(container, "ports").iter().enumerate() {
            let host_port = int_of(port, "hostPort").unwrap_or(0);
            if host_port == 0 {
                continue;
            }
            let key = format!(
                "{}/{}/{host_port}",
                str_of(port, "protocol"),
                str_of(port, "hostIP")
            );
            if !seen.insert(key.clone()) {
                errs.push(FieldError::duplicate(
                    path.index(ci).child("ports").index(pi).child("hostPort"),
                    Value::from(key),
                ));
            }
        }
    }
    errs
}

const ENV_FIELD_PATHS: [&str; 9] = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];
const RESOURCE_FIELD_PATHS: [&str; 6] = [
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

/// `ValidateEnv`
fn validate_env(vars: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, var) in vars.iter().enumerate() {
        let idx = path.index(i);
        let name = str_of(var, "name");
        if name.is_empty() {
            errs.push(FieldError::required(idx.child("name"), ""));
        } else {
            for msg in is_relaxed_env_var_name(name) {
                errs.push(FieldError::invalid(
                    idx.child("name"),
                    Value::from(name),
                    msg,
                ));
            }
        }
        errs.extend(validate_env_var_value_from(var, &idx.child("valueFrom")));
    }
    errs
}

/// `validateEnvVarValueFrom`
fn validate_env_var_value_from(var: &Value, path: &Path) -> Vec<FieldError> {
    let Some(value_from) = get(var, "valueFrom") else {
        return Vec::new();
    };
    let mut errs = Vec::new();
    let mut sources = 0;
    if let Some(field_ref) = get(value_from, "fieldRef") {
        sources += 1;
        errs.extend(validate_object_field_selector(
            field_ref,
            &path.child("fieldRef"),
        ));
    }
    if let Some(resource_ref) = get(value_from, "resourceFieldRef") {
        sources += 1;
        errs.extend(validate_resource_field_selector(
            resource_ref,
            &path.child("resourceFieldRef"),
        ));
    }
    for key in ["configMapKeyRef", "secretKeyRef"] {
        if let Some(selector) = get(value_from, key) {
            sources += 1;
            let selector_path = path.child(key);
            let name = str_of(selector, "name");
            for msg in meta::name_errors(NameRule::DnsSubdomain, name, false) {
                errs.push(FieldError::invalid(
                    selector_path.child("name"),
                    Value::from(name),
                    msg,
                ));
            }
            let selector_key = str_of(selector, "key");
            if selector_key.is_empty() {
                errs.push(FieldError::required(selector_path.child("key"), ""));
            } else {
                for msg in is_config_map_key(selector_key) {
                    errs.push(FieldError::invalid(
                        selector_path.child("key"),
                        Value::from(selector_key),
                        msg,
                    ));
                }
            }
        }
    }
    if sources == 0 {
        errs.push(FieldError::invalid(path, Value::from(""), "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    } else if !str_of(var, "value").is_empty() {
        errs.push(FieldError::invalid(
            path,
            Value::from(""),
            "may not be specified when `value` is not empty",
        ));
    } else if sources > 1 {
        errs.push(FieldError::invalid(
            path,
            Value::from(""),
            "may not have more than one field specified at a time",
        ));
    }
    errs
}

/// `validateObjectFieldSelector` for env vars.
fn validate_object_field_selector(selector: &Value, path: &Path) -> Vec<FieldError> {
    let api_version = str_of(selector, "apiVersion");
    let field_path = str_of(selector, "fieldPath");
    if api_version.is_empty() {
        return vec![FieldError::required(path.child("apiVersion"), "")];
    }
    if field_path.is_empty() {
        return vec![FieldError::required(path.child("fieldPath"), "")];
    }
    if api_version != "v1" {
        return vec![FieldError::invalid(
            path.child("fieldPath"),
            Value::from(field_path),
            format!("error converting fieldPath: unsupported pod version: {api_version}"),
        )];
    }
    // `metadata.labels['key']`
    if let Some((base, rest)) = field_path.split_once("['") {
        let subscript = rest.strip_suffix("']").unwrap_or(rest);
        return match base {
            "metadata.annotations" => validate_qualified_name(&subscript.to_lowercase(), path),
            "metadata.labels" => validate_qualified_name(subscript, path),
            _ => vec![FieldError::invalid(
                path.child("fieldPath"),
                Value::from(field_path),
                format!(
                    "error converting fieldPath: field label does not support subscript: {field_path}"
                ),
            )],
        };
    }
    const CONVERTIBLE: [&str; 14] = [
        "metadata.annotations",
        "metadata.labels",
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.serviceAccountName",
        "spec.schedulerName",
        "status.phase",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
    ];
    if !CONVERTIBLE.contains(&field_path) {
        return vec![FieldError::invalid(
            path.child("fieldPath"),
            Value::from(field_path),
            format!("error converting fieldPath: field label not supported: {field_path}"),
        )];
    }
    if !ENV_FIELD_PATHS.contains(&field_path) {
        return vec![FieldError::not_supported(
            path.child("fieldPath"),
            Value::from(field_path),
            &ENV_FIELD_PATHS,
        )];
    }
    Vec::new()
}

/// `validateContainerResourceFieldSelector` for env vars.
fn validate_resource_field_selector(selector: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let resource = str_of(selector, "resource");
    if resource.is_empty() {
        errs.push(FieldError::required(path.child("resource"), ""));
    } else if !RESOURCE_FIELD_PATHS.contains(&resource)
        && !resource.starts_with("requests.hugepages-")
        && !resource.starts_with("limits.hugepages-")
    {
        errs.push(FieldError::not_supported(
            path.child("resource"),
            Value::from(resource),
            &RESOURCE_FIELD_PATHS,
        ));
    }
    let divisor = get(selector, "divisor").and_then(|d| Quantity::from_json(d).ok());
    if let Some(divisor) = divisor.filter(|d| !d.is_zero()) {
        let shown = divisor.to_string();
        let memory_like = [
            "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
        ];
        let message = match resource {
            "limits.cpu" | "requests.cpu" if !["1m", "1"].contains(&shown.as_str()) => {
                Some("only divisor's values 1m and 1 are supported with the cpu resource")
            }
            "limits.memory" | "requests.memory" if !memory_like.contains(&shown.as_str()) => Some(
                "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource",
            ),
            "limits.ephemeral-storage" | "requests.ephemeral-storage"
                if !memory_like.contains(&shown.as_str()) =>
            {
                Some(
                    "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource",
                )
            }
            _ => None,
        };
        if let Some(message) = message {
            errs.push(FieldError::invalid(
                path.child("divisor"),
                Value::from(resource),
                message,
            ));
        }
    }
    errs
}

/// `ValidateEnvFrom`
fn validate_env_from(sources: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let idx = path.index(i);
        let prefix = str_of(source, "prefix");
        if !prefix.is_empty() {
            for msg in is_relaxed_env_var_name(prefix) {
                errs.push(FieldError::invalid(
                    idx.child("prefix"),
                    Value::from(prefix),
                    msg,
                ));
            }
        }
        let mut count = 0;
        for key in ["configMapRef", "secretRef"] {
            if let Some(reference) = get(source, key) {
                count += 1;
                let name = str_of(reference, "name");
                if name.is_empty() {
                    errs.push(FieldError::required(idx.child(key).child("name"), ""));
                } else {
                    for msg in meta::name_errors(NameRule::DnsSubdomain, name, true) {
                        errs.push(FieldError::invalid(
                            idx.child(key).child("name"),
                            Value::from(name),
                            msg,
                        ));
                    }
                }
            }
        }
        if count == 0 {
            errs.push(FieldError::invalid(
                path,
                Value::from(""),
                "must specify one of: `configMapRef` or `secretRef`",
            ));
        } else if count > 1 {
            errs.push(FieldError::invalid(
                path,
                Value::from(""),
                "may not have more than one field specified at a time",
            ));
        }
    }
    errs
}

/// `ValidateVolumeMounts`
fn validate_volume_mounts(
    container: &Value,
    devices: &[(&str, &str)],
    volumes: &BTreeMap<String, &Value>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut mount_points = BTreeSet::new();
    let privileged = field(container, "securityContext")
        .get("privileged")
        .and_then(Value::as_bool)
        == Some(true);
    for (i, mount) in list_of(container, "volumeMounts").iter().enumerate() {
        let idx = path.index(i);
        let name = str_of(mount, "name");
        let mount_path = str_of(mount, "mountPath");
        if name.is_empty() {
            errs.push(FieldError::required(idx.child("name"), ""));
        }
        if !volumes.contains_key(name) {
            errs.push(FieldError::not_found(idx.child("name"), Value::from(name)));
        }
        if mount_path.is_empty() {
            errs.push(FieldError::required(idx.child("mountPath"), ""));
        }
        if !mount_points.insert(mount_path) {
            errs.push(FieldError::invalid(
                idx.child("mountPath"),
                Value::from(mount_path),
                "must be unique",
            ));
        }
        if devices.iter().any(|(n, _)| *n == name) {
            errs.push(FieldError::invalid(
                idx.child("name"),
                Value::from(name),
                "must not already exist in volumeDevices",
            ));
        }
        if devices.iter().any(|(_, p)| *p == mount_path) {
            errs.push(FieldError::invalid(
                idx.child("mountPath"),
                Value::from(mount_path),
                "must not already exist as a path in volumeDevices",
            ));
        }
        let sub_path = str_of(mount, "subPath");
        let sub_path_expr = str_of(mount, "subPathExpr");
        if volumes.get(name).is_some_and(|v| get(v, "image").is_some()) {
            if !sub_path.is_empty() {
                errs.push(FieldError::invalid(
                    idx.child("subPath"),
                    Value::from(sub_path),
                    "not allowed in image volume sources",
                ));
            }
            if !sub_path_expr.is_empty() {
                errs.push(FieldError::invalid(
                    idx.child("subPathExpr"),
                    Value::from(sub_path_expr),
                    "not allowed in image volume sources",
                ));
            }
        }
        if !sub_path.is_empty() {
            errs.extend(validate_local_descending_path(
                sub_path,
                &path.child("subPath"),
            ));
        }
        if !sub_path_expr.is_empty() {
            if !sub_path.is_empty() {
                errs.push(FieldError::invalid(
                    idx.child("subPathExpr"),
                    Value::from(sub_path_expr),
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            errs.extend(validate_local_descending_path(
                sub_path_expr,
                &path.child("subPathExpr"),
            ));
        }
        if get(mount, "mountPropagation").is_some() {
            let propagation = str_of(mount, "mountPropagation");
            let propagation_path = path.child("mountPropagation");
            if !["Bidirectional", "HostToContainer", "None"].contains(&propagation) {
                errs.push(FieldError::not_supported(
                    propagation_path,
                    Value::from(propagation),
                    &["Bidirectional", "HostToContainer", "None"],
                ));
            } else if propagation == "Bidirectional" && !privileged {
                errs.push(FieldError::forbidden(
                    propagation_path,
                    "Bidirectional mount propagation is available only to privileged containers",
                ));
            }
        }
    }
    errs
}

/// `ValidateVolumeDevices`
fn validate_volume_devices(
    devices: &[Value],
    mounts: &[(&str, &str)],
    volumes: &BTreeMap<String, &Value>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut device_paths = BTreeSet::new();
    let mut device_names = BTreeSet::new();
    for (i, device) in devices.iter().enumerate() {
        let idx = path.index(i);
        let name = str_of(device, "name");
        let device_path = str_of(device, "devicePath");
        let volume = volumes.get(name);
        let is_claim = volume.is_some_and(|v| {
            get(v, "persistentVolumeClaim").is_some() || get(v, "ephemeral").is_some()
        });
        if name.is_empty() {
            errs.push(FieldError::required(idx.child("name"), ""));
        }
        if device_names.contains(name) {
            errs.push(FieldError::invalid(
                idx.child("name"),
                Value::from(name),
                "must be unique",
            ));
        }
        if volume.is_some() && !is_claim {
            errs.push(FieldError::invalid(
                idx.child("name"),
                Value::from(name),
                "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
            ));
        }
        if volume.is_none() {
            errs.push(FieldError::not_found(idx.child("name"), Value::from(name)));
        }
        if device_path.is_empty() {
            errs.push(FieldError::required(idx.child("devicePath"), ""));
        }
        if device_paths.contains(device_path) {
            errs.push(FieldError::invalid(
                idx.child("devicePath"),
                Value::from(device_path),
                "must be unique",
            ));
        }
        if !device_path.is_empty() && device_path.split('/').any(|p| p == "..") {
            errs.push(FieldError::invalid(
                idx.child("devicePath"),
                Value::from(device_path),
                "can not contain backsteps ('..')",
            ));
        } else {
            device_paths.insert(device_path);
        }
        if mounts.iter().any(|(n, _)| *n == name) {
            errs.push(FieldError::invalid(
                idx.child("name"),
                Value::from(name),
                "must not already exist in volumeMounts",
            ));
        }
        if mounts.iter().any(|(_, p)| *p == device_path) {
            errs.push(FieldError::invalid(
                idx.child("devicePath"),
                Value::from(device_path),
                "must not already exist as a path in volumeMounts",
            ));
        }
        if !name.is_empty() {
            device_names.insert(name);
        }
    }
    errs
}

/// `validatePullPolicy`
fn validate_pull_policy(policy: &str, path: &Path) -> Vec<FieldError> {
    match policy {
        "Always" | "IfNotPresent" | "Never" => Vec::new(),
        "" => vec![FieldError::required(path, "")],
        _ => vec![FieldError::not_supported(
            path,
            Value::from(policy),
            &["Always", "IfNotPresent", "Never"],
        )],
    }
}

/// `validateResizePolicy`
fn validate_resize_policy(policies: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, policy) in policies.iter().enumerate() {
        let resource = str_of(policy, "resourceName");
        if !seen.insert(resource) {
            errs.push(FieldError::duplicate(path.index(i), Value::from(resource)));
        }
        match resource {
            "cpu" | "memory" => {}
            "" => errs.push(FieldError::required(path, "")),
            _ => errs.push(FieldError::not_supported(
                path,
                Value::from(resource),
                &["cpu", "memory"],
            )),
        }
        let restart = str_of(policy, "restartPolicy");
        match restart {
            "NotRequired" | "RestartContainer" => {}
            "" => errs.push(FieldError::required(path, "")),
            _ => errs.push(FieldError::not_supported(
                path,
                Value::from(restart),
                &["NotRequired", "RestartContainer"],
            )),
        }
    }
    errs
}

const STANDARD_CONTAINER_RESOURCES: [&str; 3] = ["cpu", "memory", "ephemeral-storage"];
const STANDARD_RESOURCES: [&str; 20] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];
const INTEGER_RESOURCES: [&str; 9] = [
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `helper.IsNativeResource`: unprefixed or in the kubernetes.io domain.
fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `helper.IsExtendedResourceName`: `example.com/gpu`.
fn is_extended_resource(name: &str) -> bool {
    !is_native_resource(name)
        && !name.starts_with("requests.")
        && is_qualified_name(&format!("requests.{name}")).is_empty()
}

/// `helper.IsOvercommitAllowed`: requests may be below limits.
fn is_overcommit_allowed(name: &str) -> bool {
    is_native_resource(name) && !is_hugepages(name)
}

/// `validateResourceName` then the container-specific rules of `validateContainerResourceName`.
fn validate_container_resource_name(name: &str, path: &Path) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = is_qualified_name(name)
        .into_iter()
        .map(|m| FieldError::invalid(path, Value::from(name), m))
        .collect();
    if errs.is_empty()
        && !name.contains('/')
        && !STANDARD_RESOURCES.contains(&name)
        && !is_hugepages(name)
        && !name.starts_with("requests.hugepages-")
    {
        errs.push(FieldError::invalid(
            path,
            Value::from(name),
            "must be a standard resource type or fully qualified",
        ));
    }
    if !name.contains('/') {
        if !STANDARD_CONTAINER_RESOURCES.contains(&name) && !is_hugepages(name) {
            errs.push(FieldError::invalid(
                path,
                Value::from(name),
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native_resource(name) && !is_extended_resource(name) {
        errs.push(FieldError::invalid(
            path,
            Value::from(name),
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

/// `ValidateResourceQuantityValue`: not negative; a whole number for integer resources.
pub(crate) fn validate_resource_quantity_value(
    name: &str,
    quantity: &Quantity,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if quantity.sign() < 0 {
        errs.push(FieldError::invalid(
            path,
            Value::from(quantity.to_string()),
            meta::IS_NEGATIVE,
        ));
    }
    if (INTEGER_RESOURCES.contains(&name) || is_extended_resource(name))
        && quantity.milli_value() % 1000 != 0
    {
        errs.push(FieldError::invalid(
            path,
            Value::from(quantity.to_string()),
            "must be an integer",
        ));
    }
    errs
}

/// Reads one quantity of a resource list; a value that does not parse is reported with the
/// decoder's message (the real API server rejects it while decoding).
pub(crate) fn parse_quantity(
    value: &Value,
    path: &Path,
    errs: &mut Vec<FieldError>,
) -> Option<Quantity> {
    match Quantity::from_json(value) {
        Ok(q) => Some(q),
        Err(e) => {
            errs.push(FieldError::invalid(path, value.clone(), e.to_string()));
            None
        }
    }
}

/// `validateResourceRequirements` for a container.
fn validate_resource_requirements(resources: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let lim_path = path.child("limits");
    let req_path = path.child("requests");
    let mut limits: BTreeMap<&str, Quantity> = BTreeMap::new();
    let (mut lim_compute, mut req_compute, mut lim_huge, mut req_huge) =
        (false, false, false, false);
    for (name, value) in map_of(resources, "limits").into_iter().flatten() {
        let key_path = lim_path.key(name);
        errs.extend(validate_container_resource_name(name, &key_path));
        let Some(quantity) = parse_quantity(value, &key_path, &mut errs) else {
            continue;
        };
        errs.extend(validate_resource_quantity_value(name, &quantity, &key_path));
        if is_hugepages(name) {
            lim_huge = true;
            errs.extend(validate_hugepage_value(name, &quantity, &key_path));
        }
        lim_compute |= name == "cpu" || name == "memory";
        limits.insert(name, quantity);
    }
    for (name, value) in map_of(resources, "requests").into_iter().flatten() {
        let key_path = req_path.key(name);
        errs.extend(validate_container_resource_name(name, &key_path));
        let Some(quantity) = parse_quantity(value, &key_path, &mut errs) else {
            continue;
        };
        errs.extend(validate_resource_quantity_value(name, &quantity, &key_path));
        match limits.get(name.as_str()) {
            Some(limit) => {
                if quantity != *limit && !is_overcommit_allowed(name) {
                    errs.push(FieldError::invalid(
                        &req_path,
                        Value::from(quantity.to_string()),
                        format!("must be equal to {name} limit of {limit}"),
                    ));
                } else if quantity > *limit {
                    errs.push(FieldError::invalid(
                        &req_path,
                        Value::from(quantity.to_string()),
                        format!("must be less than or equal to {name} limit of {limit}"),
                    ));
                }
            }
            None if !is_overcommit_allowed(name) => {
                errs.push(FieldError::required(
                    &lim_path,
                    "Limit must be set for non overcommitable resources",
                ));
            }
            None => {}
        }
        if is_hugepages(name) {
            req_huge = true;
            errs.extend(validate_hugepage_value(name, &quantity, &key_path));
        }
        req_compute |= name == "cpu" || name == "memory";
    }
    if !lim_compute && !req_compute && (req_huge || lim_huge) {
        errs.push(FieldError::forbidden(
            path,
            "HugePages require cpu or memory",
        ));
    }
    errs
}

/// `validateResourceQuantityHugePageValue`: a whole number of pages.
fn validate_hugepage_value(name: &str, quantity: &Quantity, path: &Path) -> Vec<FieldError> {
    let page = name
        .strip_prefix("hugepages-")
        .and_then(|size| Quantity::parse(size).ok());
    let divisible = match page {
        Some(page) if page.sign() > 0 && page.milli_value() % 1000 == 0 => {
            quantity.value() % page.value() == 0
        }
        _ => false,
    };
    if divisible {
        Vec::new()
    } else {
        vec![FieldError::invalid(
            path,
            Value::from(quantity.to_string()),
            format!("{quantity} is not positive integer multiple of {name}"),
        )]
    }
}

/// `ValidateSecurityContext` (container level).
fn validate_security_context(context: &Value, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["runAsUser", "runAsGroup"] {
        if let Some(id) = int_of(context, key)
            && !(0..=MAX_INT32).contains(&id)
        {
            errs.push(FieldError::invalid(
                path.child(key),
                Value::from(id),
                inclusive_range_error(0, MAX_INT32),
            ));
        }
    }
    if get(context, "procMount").is_some() {
        let proc_mount = str_of(context, "procMount");
        if !["Default", "Unmasked"].contains(&proc_mount) {
            errs.push(FieldError::not_supported(
                path.child("procMount"),
                Value::from(proc_mount),
                &["Default", "Unmasked"],
            ));
        }
    }
    errs.extend(validate_seccomp_profile(
        context,
        &path.child("seccompProfile"),
    ));
    errs
}

/// `validateSeccompProfileField`
fn validate_seccomp_profile(parent: &Value, path: &Path) -> Vec<FieldError> {
    let Some(profile) = get(parent, "seccompProfile") else {
        return Vec::new();
    };
    let mut errs = Vec::new();
    let kind = str_of(profile, "type");
    match kind {
        "Localhost" | "RuntimeDefault" | "Unconfined" => {}
        "" => errs.push(FieldError::required(
            path.child("type"),
            "type is required when seccompProfile is set",
        )),
        _ => errs.push(FieldError::not_supported(
            path.child("type"),
            Value::from(kind),
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    if kind == "Localhost" {
        match get(profile, "localhostProfile") {
            None => errs.push(FieldError::required(
                path.child("localhostProfile"),
                "must be set when seccomp type is Localhost",
            )),
            Some(p) => errs.extend(validate_local_descending_path(
                p.as_str().unwrap_or_default(),
                &path.child("localhostProfile"),
            )),
        }
    }
    errs
}

/// `validatePodSpecSecurityContext`
fn validate_pod_security_context(spec: &Value, path: &Path) -> Vec<FieldError> {
    let context = field(spec, "securityContext");
    let mut errs = Vec::new();
    for key in ["fsGroup", "runAsUser", "runAsGroup"] {
        if let Some(id) = int_of(context, key)
            && !(0..=MAX_INT32).contains(&id)
        {
            errs.push(FieldError::invalid(
                path.child(key),
                Value::from(id),
                inclusive_range_error(0, MAX_INT32),
            ));
        }
    }
    for (i, group) in list_of(context, "supplementalGroups").iter().enumerate() {
        let gid = group.as_i64().unwrap_or(0);
        if !(0..=MAX_INT32).contains(&gid) {
            errs.push(FieldError::invalid(
                path.child("supplementalGroups").index(i),
                Value::from(gid),
                inclusive_range_error(0, MAX_INT32),
            ));
        }
    }
    if bool_of(spec, "shareProcessNamespace") && bool_of(spec, "hostPID") {
        errs.push(FieldError::invalid(
            path.child("shareProcessNamespace"),
            Value::from(true),
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    let mut sysctl_names = BTreeSet::new();
    for (i, sysctl) in list_of(context, "sysctls").iter().enumerate() {
        let name = str_of(sysctl, "name");
        let name_path = path.child("sysctls").index(i).child("name");
        if name.is_empty() {
            errs.push(FieldError::required(&name_path, ""));
        } else if !sysctl_names.insert(name) {
            errs.push(FieldError::duplicate(&name_path, Value::from(name)));
        }
    }
    if get(context, "fsGroupChangePolicy").is_some() {
        let policy = str_of(context, "fsGroupChangePolicy");
        if !["Always", "OnRootMismatch"].contains(&policy) {
            errs.push(FieldError::not_supported(
                path.child("fsGroupChangePolicy"),
                Value::from(policy),
                &["Always", "OnRootMismatch"],
            ));
        }
    }
    errs.extend(validate_seccomp_profile(
        context,
        &path.child("seccompProfile"),
    ));
    errs
}

/// `validatePodDNSConfig`
fn validate_dns_config(spec: &Value, path: &Path) -> Vec<FieldError> {
    let config = get(spec, "dnsConfig");
    let mut errs = Vec::new();
    if str_of(spec, "dnsPolicy") == "None" {
        let Some(config) = config else {
            return vec![FieldError::required(
                path,
                "must provide `dnsConfig` when `dnsPolicy` is None",
            )];
        };
        if list_of(config, "nameservers").is_empty() {
            return vec![FieldError::required(
                path.child("nameservers"),
                "must provide at least one DNS nameserver when `dnsPolicy` is None",
            )];
        }
    }
    let Some(config) = config else { return errs };
    let nameservers = list_of(config, "nameservers");
    if nameservers.len() > 3 {
        errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path.child("nameservers"),
            super::go_string_slice(config.get("nameservers").and_then(Value::as_array)),
            "must not have more than 3 nameservers",
        ));
    }
    for (i, server) in nameservers.iter().enumerate() {
        errs.extend(validate_ip(
            server.as_str().unwrap_or_default(),
            &path.child("nameservers").index(i),
        ));
    }
    let searches: Vec<&str> = list_of(config, "searches")
        .iter()
        .map(|s| s.as_str().unwrap_or_default())
        .collect();
    let searches_shown = super::go_string_slice(config.get("searches").and_then(Value::as_array));
    if searches.len() > 32 {
        errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path.child("searches"),
            searches_shown.clone(),
            "must not have more than 32 search paths",
        ));
    }
    if searches.join(" ").len() > 2048 {
        errs.push(FieldError::with_shown_value(
            FieldErrorKind::Invalid,
            path.child("searches"),
            searches_shown,
            "must not have more than 2048 characters (including spaces) in the search list",
        ));
    }
    for (i, search) in searches.iter().enumerate() {
        errs.extend(validate_dns1123_subdomain(
            search.strip_suffix('.').unwrap_or(search),
            &path.child("searches").index(i),
        ));
    }
    for (i, option) in list_of(config, "options").iter().enumerate() {
        if str_of(option, "name").is_empty() {
            errs.push(FieldError::required(
                path.child("options").index(i),
                "must not be empty",
            ));
        }
    }
    errs
}

/// `validation.IsValidIP`
fn validate_ip(value: &str, path: &Path) -> Vec<FieldError> {
    if value.parse::<std::net::IpAddr>().is_ok() {
        Vec::new()
    } else {
        vec![FieldError::invalid(
            path,
            Value::from(value),
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        )]
    }
}

/// `validatePodHostNetworkDeps`: with `hostNetwork`, host ports equal container ports.
fn validate_host_network_deps(spec: &Value, path: &Path, opts: PodOptions) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !bool_of(spec, "hostNetwork") {
        return errs;
    }
    for (i, container) in list_of(spec, "containers").iter().enumerate() {
        for (j, port) in list_of(container, "ports").iter().enumerate() {
            let host_port = int_of(port, "hostPort").unwrap_or(0);
            let container_port = int_of(port, "containerPort").unwrap_or(0);
            if (opts.resource_is_pod || host_port != 0) && host_port != container_port {
                errs.push(FieldError::invalid(
                    path.child("containers")
                        .index(i)
                        .child("ports")
                        .index(j)
                        .child("hostPort"),
                    Value::from(host_port),
                    "must match `containerPort` when `hostNetwork` is true",
                ));
            }
        }
    }
    errs
}

/// `validateRestartPolicy`
fn validate_restart_policy(policy: &str, path: &Path) -> Vec<FieldError> {
    match policy {
        "Always" | "OnFailure" | "Never" => Vec::new(),
        "" => vec![FieldError::required(path, "")],
        _ => vec![FieldError::not_supported(
            path,
            Value::from(policy),
            &["Always", "OnFailure", "Never"],
        )],
    }
}

/// `validateDNSPolicy`
fn validate_dns_policy(policy: &str, path: &Path) -> Vec<FieldError> {
    match policy {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => Vec::new(),
        "" => vec![FieldError::required(path, "")],
        _ => vec![FieldError::not_supported(
            path,
            Value::from(policy),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )],
    }
}

/// `ValidateTolerations`
pub(crate) fn validate_tolerations(tolerations: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, toleration) in tolerations.iter().enumerate() {
        let idx = path.index(i);
        let key = str_of(toleration, "key");
        let operator = str_of(toleration, "operator");
        let value = str_of(toleration, "value");
        let effect = str_of(toleration, "effect");
        if !key.is_empty() {
            errs.extend(validate_qualified_name(key, &idx.child("key")));
        }
        if key.is_empty() && operator != "Exists" {
            errs.push(FieldError::invalid(
                idx.child("operator"),
                Value::from(operator),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if get(toleration, "tolerationSeconds").is_some() && effect != "NoExecute" {
            errs.push(FieldError::invalid(
                idx.child("effect"),
                Value::from(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match operator {
            "Equal" | "" => {
                let msgs = is_valid_label_value(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(
                        idx.child("operator"),
                        Value::from(value),
                        msgs.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(
                        idx.child("operator"),
                        Value::from(value),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            _ => errs.push(FieldError::not_supported(
                idx.child("operator"),
                Value::from(operator),
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() {
            errs.extend(validate_taint_effect(effect, true, &idx.child("effect")));
        }
    }
    errs
}

/// `validateTaintEffect`
pub(crate) fn validate_taint_effect(
    effect: &str,
    allow_empty: bool,
    path: &Path,
) -> Vec<FieldError> {
    if !allow_empty && effect.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    match effect {
        "NoSchedule" | "PreferNoSchedule" | "NoExecute" => Vec::new(),
        _ => vec![FieldError::not_supported(
            path,
            Value::from(effect),
            &["NoSchedule", "PreferNoSchedule", "NoExecute"],
        )],
    }
}

fn validate_probes(container: &Value, grace_period: Option<i64>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(probe) = get(container, key) else {
            continue;
        };
        let probe_path = path.child(key);
        errs.extend(validate_probe(probe, grace_period, &probe_path));
        match key {
            "readinessProbe" => {
                if let Some(seconds) = get(probe, "terminationGracePeriodSeconds") {
                    errs.push(FieldError::invalid(
                        probe_path.child("terminationGracePeriodSeconds"),
                        seconds.clone(),
                        "must not be set for readinessProbes",
                    ));
                }
            }
            _ => {
                let threshold = int_of(probe, "successThreshold").unwrap_or(0);
                if threshold != 1 {
                    errs.push(FieldError::invalid(
                        probe_path.child("successThreshold"),
                        Value::from(threshold),
                        "must be 1",
                    ));
                }
            }
        }
    }
    errs
}

/// `validateProbe`
fn validate_probe(probe: &Value, grace_period: Option<i64>, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_handler(
        probe,
        &["exec", "httpGet", "tcpSocket", "grpc"],
        grace_period,
        path,
    );
    for key in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        errs.extend(validate_nonnegative(
            int_of(probe, key).unwrap_or(0),
            &path.child(key),
        ));
    }
    if let Some(seconds) = int_of(probe, "terminationGracePeriodSeconds").filter(|s| *s <= 0) {
        errs.push(FieldError::invalid(
            path.child("terminationGracePeriodSeconds"),
            Value::from(seconds),
            "must be greater than 0",
        ));
    }
    errs
}

/// `validateLifecycle`
fn validate_lifecycle(
    lifecycle: &Value,
    grace_period: Option<i64>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for hook in ["postStart", "preStop"] {
        if let Some(handler) = get(lifecycle, hook) {
            errs.extend(validate_handler(
                handler,
                &["exec", "httpGet", "tcpSocket", "sleep"],
                grace_period,
                &path.child(hook),
            ));
        }
    }
    errs
}

/// `validateHandler`: exactly one handler of the kinds this place allows.
fn validate_handler(
    handler: &Value,
    kinds: &[&str],
    grace_period: Option<i64>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut count = 0;
    for kind in kinds {
        let Some(action) = get(handler, kind) else {
            continue;
        };
        let action_path = path.child(kind);
        if count > 0 {
            errs.push(FieldError::forbidden(
                action_path,
                "may not specify more than 1 handler type",
            ));
            continue;
        }
        count += 1;
        match *kind {
            "exec" if list_of(action, "command").is_empty() => {
                errs.push(FieldError::required(action_path.child("command"), ""));
            }
            "httpGet" => {
                if str_of(action, "path").is_empty() {
                    errs.push(FieldError::required(action_path.child("path"), ""));
                }
                errs.extend(validate_port_num_or_name(
                    field(action, "port"),
                    &action_path.child("port"),
                ));
                let scheme = str_of(action, "scheme");
                if !["HTTP", "HTTPS"].contains(&scheme) {
                    errs.push(FieldError::not_supported(
                        action_path.child("scheme"),
                        Value::from(scheme),
                        &["HTTP", "HTTPS"],
                    ));
                }
                for header in list_of(action, "httpHeaders") {
                    let name = str_of(header, "name");
                    for msg in is_http_header_name(name) {
                        errs.push(FieldError::invalid(
                            action_path.child("httpHeaders"),
                            Value::from(name),
                            msg,
                        ));
                    }
                }
            }
            "tcpSocket" => errs.extend(validate_port_num_or_name(
                field(action, "port"),
                &action_path.child("port"),
            )),
            "grpc" => {
                let port = int_of(action, "port").unwrap_or(0);
                for msg in is_valid_port_num(port) {
                    errs.push(FieldError::invalid(
                        action_path.child("port"),
                        Value::from(port),
                        msg,
                    ));
                }
            }
            "sleep" => {
                let seconds = int_of(action, "seconds").unwrap_or(0);
                if let Some(grace) = grace_period
                    && (seconds <= 0 || seconds > grace)
                {
                    errs.push(FieldError::invalid(
                            action_path,
                            Value::from(seconds),
                            format!(
                                "must be greater than 0 and less than terminationGracePeriodSeconds ({grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."
                            ),
                        ));
                }
            }
            _ => {}
        }
    }
    if count == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
    errs
}

/// `ValidatePortNumOrName`: an IntOrString port.
fn validate_port_num_or_name(port: &Value, path: &Path) -> Vec<FieldError> {
    match port {
        Value::String(name) => is_valid_port_name(name)
            .into_iter()
            .map(|m| FieldError::invalid(path, Value::from(name.as_str()), m))
            .collect(),
        other => {
            let number = other.as_i64().unwrap_or(0);
            is_valid_port_num(number)
                .into_iter()
                .map(|m| FieldError::invalid(path, Value::from(number), m))
                .collect()
        }
    }
}

/// `ValidatePodTemplateSpec`: labels and annotations (reported under the template's path, not
/// its `metadata`), then the pod spec.
pub(crate) fn validate_pod_template_spec(template: &Value, path: &Path) -> Vec<FieldError> {
    let opts = PodOptions::default();
    let template_meta = metadata(template);
    let spec = field(template, "spec");
    let mut errs = validate_labels(template_meta, "labels", &path.child("labels"));
    errs.extend(meta::validate_annotations(
        template_meta,
        "annotations",
        &path.child("annotations"),
    ));
    errs.extend(validate_pod_specific_annotations(
        template_meta,
        spec,
        &path.child("annotations"),
        opts,
    ));
    errs.extend(validate_pod_spec(spec, None, &path.child("spec"), opts));
    if !list_of(spec, "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            path.child("spec").child("ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
    errs
}

/// `ValidatePodUpdate`
pub(crate) fn validate_pod_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let meta_path = Path::new("metadata");
    let old_cost = string_map(metadata(old), "annotations")
        .into_iter()
        .find(|(k, _)| k == POD_DELETION_COST_ANNOTATION);
    let opts = PodOptions {
        resource_is_pod: true,
        allow_invalid_pod_deletion_cost: old_cost.is_some_and(|(_, v)| !is_valid_deletion_cost(&v)),
    };
    let mut errs = meta::validate_object_meta_update(new, old, true);
    errs.extend(validate_pod_metadata_and_spec(new, opts));
    errs.extend(validate_pod_annotation_updates(
        new,
        old,
        &meta_path.child("annotations"),
        opts,
    ));
    let spec_path = Path::new("spec");
    let (new_spec, old_spec) = (field(new, "spec"), field(old, "spec"));

    for list in ["containers", "initContainers"] {
        let (new_list, old_list) = (list_of(new_spec, list), list_of(old_spec, list));
        if new_list.len() != old_list.len() {
            errs.push(FieldError::forbidden(
                spec_path.child(list),
                "pod updates may not add or remove containers",
            ));
            return errs;
        }
        for (i, container) in new_list.iter().enumerate() {
            let image = str_of(container, "image");
            if image.is_empty() {
                errs.push(FieldError::required(
                    spec_path.child(list).index(i).child("image"),
                    "",
                ));
            }
            if image.trim().len() != image.len() {
                errs.push(FieldError::invalid(
                    spec_path.child(list).index(i).child("image"),
                    Value::from(image),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }

    let deadline_path = spec_path.child("activeDeadlineSeconds");
    match (
        int_of(new_spec, "activeDeadlineSeconds"),
        int_of(old_spec, "activeDeadlineSeconds"),
    ) {
        (Some(new_deadline), old_deadline) => {
            if !(0..=MAX_INT32).contains(&new_deadline) {
                errs.push(FieldError::invalid(
                    deadline_path,
                    Value::from(new_deadline),
                    inclusive_range_error(0, MAX_INT32),
                ));
                return errs;
            }
            if old_deadline.is_some_and(|old| old < new_deadline) {
                errs.push(FieldError::invalid(
                    deadline_path,
                    Value::from(new_deadline),
                    "must be less than or equal to previous value",
                ));
                return errs;
            }
        }
        (None, Some(_)) => {
            errs.push(FieldError::invalid(
                deadline_path,
                Value::from("null"),
                "must not update from a positive integer to nil value",
            ));
        }
        (None, None) => {}
    }

    errs.extend(validate_only_added_tolerations(
        list_of(new_spec, "tolerations"),
        list_of(old_spec, "tolerations"),
        &spec_path.child("tolerations"),
    ));
    errs.extend(validate_only_deleted_scheduling_gates(
        new_spec,
        old_spec,
        &spec_path.child("schedulingGates"),
    ));

    if semantic_eq(Some(new_spec), Some(old_spec)) {
        return errs;
    }
    // Put back what may change, then whatever still differs is forbidden.
    let mut munged = new_spec.clone();
    if let Some(munged) = munged.as_object_mut() {
        for list in ["containers", "initContainers"] {
            if let Some(containers) = munged.get_mut(list).and_then(Value::as_array_mut) {
                for (container, old_container) in containers.iter_mut().zip(list_of(old_spec, list))
                {
                    if let Some(container) = container.as_object_mut() {
                        match old_container.get("image") {
                            Some(image) => container.insert("image".into(), image.clone()),
                            None => container.remove("image"),
                        };
                    }
                }
            }
        }
        for key in ["activeDeadlineSeconds", "schedulingGates", "tolerations"] {
            match old_spec.get(key) {
                Some(value) => munged.insert(key.into(), value.clone()),
                None => munged.remove(key),
            };
        }
        let old_grace = int_of(old_spec, "terminationGracePeriodSeconds");
        if old_grace.is_some_and(|g| g < 0)
            && int_of(new_spec, "terminationGracePeriodSeconds") == Some(1)
            && let Some(grace) = old_spec.get("terminationGracePeriodSeconds")
        {
            munged.insert("terminationGracePeriodSeconds".into(), grace.clone());
        }
        // A pod still gated from scheduling may gain node selector labels.
        if !list_of(old_spec, "schedulingGates").is_empty() {
            let new_selector = string_map(new_spec, "nodeSelector");
            let old_selector = string_map(old_spec, "nodeSelector");
            if new_selector != old_selector {
                for (key, old_value) in &old_selector {
                    let new_value = new_selector
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.as_str());
                    if new_value != Some(old_value.as_str()) {
                        errs.push(FieldError::invalid(
                            spec_path.child("nodeSelector").key(key),
                            Value::from(new_value.unwrap_or_default()),
                            "only additions to spec.nodeSelector are allowed (no mutations or deletions)",
                        ));
                    }
                }
                match old_spec.get("nodeSelector") {
                    Some(value) => munged.insert("nodeSelector".into(), value.clone()),
                    None => munged.remove("nodeSelector"),
                };
            }
        }
    }
    if !semantic_eq(Some(&munged), Some(old_spec)) {
        errs.push(FieldError::forbidden(
            spec_path,
            format!(
                "pod updates may not change fields other than {}\n{}",
                UPDATABLE_POD_SPEC_FIELDS.join(","),
                spec_diff(old_spec, &munged)
            ),
        ));
    }
    errs
}

/// `ValidatePodSpecificAnnotationUpdates`
fn validate_pod_annotation_updates(
    new: &Value,
    old: &Value,
    path: &Path,
    opts: PodOptions,
) -> Vec<FieldError> {
    let new_annotations = string_map(metadata(new), "annotations");
    let old_annotations = string_map(metadata(old), "annotations");
    let mut errs = Vec::new();
    for (key, old_value) in &old_annotations {
        if new_annotations
            .iter()
            .any(|(k, v)| k == key && v == old_value)
        {
            continue;
        }
        if key.starts_with(APPARMOR_ANNOTATION_PREFIX) {
            errs.push(FieldError::forbidden(
                path.key(key),
                "may not remove or update AppArmor annotations",
            ));
        }
        if key == MIRROR_POD_ANNOTATION {
            errs.push(FieldError::forbidden(
                path.key(key),
                "may not remove or update mirror pod annotation",
            ));
        }
    }
    for (key, _) in &new_annotations {
        if old_annotations.iter().any(|(k, _)| k == key) {
            continue;
        }
        if key.starts_with(APPARMOR_ANNOTATION_PREFIX) {
            errs.push(FieldError::forbidden(
                path.key(key),
                "may not add AppArmor annotations",
            ));
        }
        if key == MIRROR_POD_ANNOTATION {
            errs.push(FieldError::forbidden(
                path.key(key),
                "may not add mirror pod annotation",
            ));
        }
    }
    errs.extend(validate_pod_specific_annotations(
        metadata(new),
        field(new, "spec"),
        path,
        opts,
    ));
    errs
}

/// `validateOnlyAddedTolerations`: existing tolerations stay (their tolerationSeconds may change).
fn validate_only_added_tolerations(new: &[Value], old: &[Value], path: &Path) -> Vec<FieldError> {
    for old_toleration in old {
        let found = new.iter().any(|new_toleration| {
            ["key", "operator", "value", "effect"]
                .iter()
                .all(|k| semantic_eq(old_toleration.get(*k), new_toleration.get(*k)))
        });
        if !found {
            return vec![FieldError::forbidden(
                path,
                "existing toleration can not be modified except its tolerationSeconds",
            )];
        }
    }
    validate_tolerations(new, path)
}

/// `validateOnlyDeletedSchedulingGates`
fn validate_only_deleted_scheduling_gates(
    new_spec: &Value,
    old_spec: &Value,
    path: &Path,
) -> Vec<FieldError> {
    let old_names: BTreeSet<&str> = list_of(old_spec, "schedulingGates")
        .iter()
        .map(|g| str_of(g, "name"))
        .collect();
    list_of(new_spec, "schedulingGates")
        .iter()
        .enumerate()
        .filter(|(_, g)| !old_names.contains(str_of(g, "name")))
        .map(|(i, g)| {
            FieldError::forbidden(
                path.index(i).child("name"),
                format!(
                    "only deletion is allowed, but found new scheduling gate '{}'",
                    str_of(g, "name")
                ),
            )
        })
        .collect()
}

/// A short form of the `cmp.Diff` the real message appends: one `-`/`+` line per changed field.
fn spec_diff(old: &Value, new: &Value) -> String {
    let mut lines = vec!["  core.PodSpec{".to_string()];
    diff_into(&mut lines, "", normalize(Some(old)), normalize(Some(new)));
    lines.push("  }".to_string());
    lines.join("\n")
}

fn diff_into(lines: &mut Vec<String>, path: &str, old: Option<Value>, new: Option<Value>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (old, new) {
        (Some(Value::Object(mut a)), Some(Value::Object(mut b))) => {
            let keys: BTreeSet<String> = a.keys().chain(b.keys()).cloned().collect();
            for key in keys {
                diff_into(lines, &join(&key), a.remove(&key), b.remove(&key));
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.into_iter().zip(b).enumerate() {
                diff_into(lines, &format!("{path}[{i}]"), Some(x), Some(y));
            }
        }
        (a, b) if a == b => {}
        (a, b) => {
            if let Some(a) = a {
                lines.push(format!("- \t{path}: {a},"));
            }
            if let Some(b) = b {
                lines.push(format!("+ \t{path}: {b},"));
            }
        }
    }
}

/// `ValidatePodStatusUpdate`
pub(crate) fn validate_pod_status_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let meta_path = Path::new("metadata");
    let mut errs = meta::validate_object_meta_update(new, old, true);
    errs.extend(validate_pod_annotation_updates(
        new,
        old,
        &meta_path.child("annotations"),
        PodOptions::default(),
    ));
    let status = field(new, "status");
    let old_status = field(old, "status");
    // Conditions are reported under metadata in the real code.
    for (i, condition) in list_of(status, "conditions").iter().enumerate() {
        let kind = str_of(condition, "type");
        if !["PodScheduled", "Ready", "Initialized"].contains(&kind) {
            errs.extend(validate_qualified_name(
                kind,
                &meta_path.child("conditions").index(i).child("Type"),
            ));
        }
    }
    let status_path = Path::new("status");
    if str_of(field(new, "spec"), "nodeName") != str_of(field(old, "spec"), "nodeName") {
        errs.push(FieldError::forbidden(
            status_path.child("nodeName"),
            "may not be changed directly",
        ));
    }
    let nominated = str_of(status, "nominatedNodeName");
    if nominated != str_of(old_status, "nominatedNodeName") && !nominated.is_empty() {
        errs.extend(meta::validate_dns1123_subdomain(
            nominated,
            &status_path.child("nominatedNodeName"),
        ));
    }
    let qos = str_of(status, "qosClass");
    if qos != str_of(old_status, "qosClass") {
        errs.push(FieldError::invalid(
            status_path.child("qosClass"),
            Value::from(qos),
            meta::FIELD_IMMUTABLE,
        ));
    }
    let restart_policy = str_of(field(old, "spec"), "restartPolicy");
    errs.extend(validate_container_state_transition(
        status,
        old_status,
        "containerStatuses",
        restart_policy,
        &status_path,
        None,
    ));
    errs.extend(validate_container_state_transition(
        status,
        old_status,
        "initContainerStatuses",
        restart_policy,
        &status_path,
        Some(list_of(field(old, "spec"), "initContainers")),
    ));
    errs.extend(validate_container_state_transition(
        status,
        old_status,
        "ephemeralContainerStatuses",
        "Never",
        &status_path,
        None,
    ));
    for key in ["podIPs", "hostIPs"] {
        let ips = list_of(status, key);
        for (i, ip) in ips.iter().enumerate() {
            errs.extend(validate_ip(
                str_of(ip, "ip"),
                &status_path.child(key).index(i),
            ));
        }
    }
    if let Some(first) = list_of(status, "hostIPs").first()
        && str_of(first, "ip") != str_of(status, "hostIP")
    {
        errs.push(FieldError::invalid(
            status_path.child("hostIPs").index(0).child("ip"),
            Value::from(str_of(first, "ip")),
            "must be equal to `hostIP`",
        ));
    }
    errs
}

/// `ValidateContainerStateTransition`: a container that terminated under Never (or succeeded
/// under OnFailure) may not run again; restartable init containers are exempt.
fn validate_container_state_transition(
    status: &Value,
    old_status: &Value,
    key: &str,
    restart_policy: &str,
    status_path: &Path,
    init_containers: Option<&[Value]>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if restart_policy == "Always" {
        return errs;
    }
    let new_statuses = list_of(status, key);
    for (i, old) in list_of(old_status, key).iter().enumerate() {
        let Some(terminated) = get(field(old, "state"), "terminated") else {
            continue;
        };
        if int_of(terminated, "exitCode").unwrap_or(0) != 0 && restart_policy == "OnFailure" {
            continue;
        }
        let name = str_of(old, "name");
        let restartable = init_containers.is_some_and(|list| {
            list.iter()
                .any(|c| str_of(c, "name") == name && str_of(c, "restartPolicy") == "Always")
        });
        if restartable {
            continue;
        }
        for new in new_statuses {
            if str_of(new, "name") == name && get(field(new, "state"), "terminated").is_none() {
                errs.push(FieldError::forbidden(
                    status_path.child(key).index(i).child("state"),
                    "may not be transitioned to non-terminated state",
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::defaults::apply_defaults;

    fn pod(spec: Value) -> Value {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default"}, "spec": spec});
        apply_defaults("", "Pod", &mut pod);
        pod
    }

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    fn create(spec: Value) -> Vec<String> {
        messages(&validate_pod_create(&pod(spec)))
    }

    #[test]
    fn a_defaulted_minimal_pod_is_valid() {
        assert!(create(json!({"containers": [{"name": "nginx", "image": "nginx"}]})).is_empty());
    }

    #[test]
    fn the_messages_users_meet() {
        let table: Vec<(Value, &str)> = vec![
            (
                json!({"containers": [{"name": "nginx"}]}),
                "spec.containers[0].image: Required value",
            ),
            (json!({"containers": []}), "spec.containers: Required value"),
            (
                json!({"containers": [{"name": "nginx", "image": "a"}, {"name": "nginx", "image": "b"}]}),
                "spec.containers[1].name: Duplicate value: \"nginx\"",
            ),
            (
                json!({"containers": [{"name": "Nginx", "image": "a"}]}),
                "spec.containers[0].name: Invalid value: \"Nginx\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "2"}}}]}),
                "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "resources": {"limits": {"memory": "1Gi"}, "requests": {"memory": "2Gi"}}}]}),
                "spec.containers[0].resources.requests: Invalid value: \"2Gi\": must be less than or equal to memory limit of 1Gi",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "resources": {"requests": {"cpu": "1.5.5"}}}]}),
                "spec.containers[0].resources.requests[cpu]: Invalid value: \"1.5.5\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "resources": {"requests": {"cpu": "-1"}}}]}),
                "spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "resources": {"requests": {"gpu": "1"}}}]}),
                "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "resources": {"limits": {"example.com/gpu": "500m"}}}]}),
                "spec.containers[0].resources.limits[example.com/gpu]: Invalid value: \"500m\": must be an integer",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "ports": [{"containerPort": 70000}]}]}),
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "ports": [{"containerPort": 80, "protocol": "HTTP"}]}]}),
                "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "ports": [{"containerPort": 80, "name": "web80", "hostPort": 80}, {"containerPort": 81, "name": "web80", "hostPort": 80}]}]}),
                "spec.containers[0].ports[1].name: Duplicate value: \"web80\"",
            ),
            (
                json!({"restartPolicy": "Sometimes", "containers": [{"name": "a", "image": "a"}]}),
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "imagePullPolicy": "Sometimes"}]}),
                "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
            ),
            (
                json!({"dnsPolicy": "Google", "containers": [{"name": "a", "image": "a"}]}),
                "spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}),
                "spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "livenessProbe": {"exec": {"command": ["true"]}, "successThreshold": 2}}]}),
                "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "readinessProbe": {"periodSeconds": 5}}]}),
                "spec.containers[0].readinessProbe: Required value: must specify a handler type",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "env": [{"name": "A=B"}]}]}),
                "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            ),
            (
                json!({"tolerations": [{"key": "a", "operator": "Exists", "value": "x"}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.tolerations[0].operator: Invalid value: \"x\": value must be empty when `operator` is 'Exists'",
            ),
            (
                json!({"tolerations": [{"operator": "Equal", "value": "x"}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ),
            (
                json!({"tolerations": [{"key": "a", "effect": "NoSchedule", "tolerationSeconds": 5}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
            ),
            (
                json!({"activeDeadlineSeconds": 0, "containers": [{"name": "a", "image": "a"}]}),
                "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
            ),
            (
                json!({"nodeName": "Node_1", "containers": [{"name": "a", "image": "a"}]}),
                "spec.nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ),
            (
                json!({"containers": [{"name": "a", "image": " nginx"}]}),
                "spec.containers[0].image: Invalid value: \" nginx\": must not have leading or trailing whitespace",
            ),
            (
                json!({"containers": [{"name": "a", "image": "a", "restartPolicy": "Always"}]}),
                "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers",
            ),
            (
                json!({"initContainers": [{"name": "init", "image": "a", "readinessProbe": {"exec": {"command": ["x"]}}}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
            ),
            (
                json!({"initContainers": [{"name": "a", "image": "a"}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.initContainers[0].name: Duplicate value: \"a\"",
            ),
            (
                json!({"ephemeralContainers": [{"name": "debug", "image": "busybox"}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.ephemeralContainers: Forbidden: cannot be set on create",
            ),
            (
                json!({"volumes": [{"name": "a", "emptyDir": {}, "hostPath": {"path": "/x"}}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
            ),
            (
                json!({"volumes": [{"name": "c", "configMap": {"name": "c", "defaultMode": 1000}}], "containers": [{"name": "a", "image": "a"}]}),
                "spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
            ),
            (
                json!({"hostNetwork": true, "containers": [{"name": "a", "image": "a", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}),
                "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true",
            ),
        ];
        for (spec, want) in table {
            let got = create(spec.clone());
            assert!(
                got.iter().any(|m| m == want),
                "want {want:?}\n got {got:#?}\n for {spec}"
            );
        }
    }

    #[test]
    fn undefaulted_specs_report_required_fields() {
        let raw = json!({"metadata": {"name": "web", "namespace": "d"}, "spec": {"containers": [{"name": "a", "image": "a"}]}});
        assert_eq!(
            messages(&validate_pod_create(&raw)),
            [
                "spec.terminationGracePeriodSeconds: Required value",
                "spec.containers[0].terminationMessagePolicy: Required value",
                "spec.containers[0].imagePullPolicy: Required value",
                "spec.restartPolicy: Required value",
                "spec.dnsPolicy: Required value",
            ]
        );
    }

    #[test]
    fn requests_above_non_overcommitable_limits_must_equal() {
        let got = create(
            json!({"containers": [{"name": "a", "image": "a", "resources": {
            "limits": {"cpu": "1", "hugepages-2Mi": "4Mi"}, "requests": {"hugepages-2Mi": "2Mi"}}}]}),
        );
        assert!(got.contains(&"spec.containers[0].resources.requests: Invalid value: \"2Mi\": must be equal to hugepages-2Mi limit of 4Mi".to_string()), "{got:#?}");
        let got = create(
            json!({"containers": [{"name": "a", "image": "a", "resources": {"limits": {"hugepages-2Mi": "3Mi"}}}]}),
        );
        assert!(
            got.contains(
                &"spec.containers[0].resources: Forbidden: HugePages require cpu or memory"
                    .to_string()
            ),
            "{got:#?}"
        );
    }

    #[test]
    fn wrong_types_never_panic() {
        for spec in [
            json!(5),
            json!({"containers": "x", "volumes": {}, "tolerations": [1, "a"]}),
            json!({"containers": [null, 3, {"name": 5, "ports": [{"containerPort": "x"}], "env": "y", "resources": {"limits": []}}]}),
            json!({"initContainers": [{}], "securityContext": [], "dnsConfig": 4, "dnsPolicy": "None"}),
        ] {
            let mut obj = json!({"metadata": {"name": "x", "namespace": "d"}, "spec": spec});
            validate_pod_create(&obj);
            apply_defaults("", "Pod", &mut obj);
            validate_pod_create(&obj);
            validate_pod_update(&obj, &json!(null));
            validate_pod_status_update(&obj, &json!([]));
        }
    }

    fn stored(spec: Value) -> Value {
        let mut pod = pod(spec);
        pod["metadata"]["resourceVersion"] = json!("10");
        pod["metadata"]["uid"] = json!("u-1");
        pod
    }

    #[test]
    fn images_may_change_on_update() {
        let old = stored(json!({"containers": [{"name": "a", "image": "nginx:1.26"}]}));
        let mut new = old.clone();
        new["spec"]["containers"][0]["image"] = json!("nginx:1.27");
        assert!(validate_pod_update(&new, &old).is_empty());
    }

    #[test]
    fn other_spec_changes_are_forbidden() {
        let old = stored(json!({"containers": [{"name": "a", "image": "nginx"}]}));
        let mut new = old.clone();
        new["spec"]["restartPolicy"] = json!("Never");
        let errs = validate_pod_update(&new, &old);
        assert_eq!(errs.len(), 1);
        let message = errs[0].to_string();
        assert!(message.starts_with(
            "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
        ), "{message}");
        assert!(
            message.contains("- \trestartPolicy: \"Always\",\n+ \trestartPolicy: \"Never\","),
            "{message}"
        );
    }

    #[test]
    fn containers_may_not_be_added_and_tolerations_only_added() {
        let old = stored(
            json!({"containers": [{"name": "a", "image": "nginx"}], "tolerations": [{"key": "k", "operator": "Exists"}]}),
        );
        let mut more = old.clone();
        more["spec"]["containers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "b", "image": "b"}));
        apply_defaults("", "Pod", &mut more);
        assert_eq!(
            messages(&validate_pod_update(&more, &old)),
            ["spec.containers: Forbidden: pod updates may not add or remove containers"]
        );
        let mut added = old.clone();
        added["spec"]["tolerations"]
            .as_array_mut()
            .unwrap()
            .push(json!({"key": "z", "operator": "Exists"}));
        assert!(validate_pod_update(&added, &old).is_empty());
        let mut removed = old.clone();
        removed["spec"]["tolerations"] = json!([]);
        assert_eq!(
            messages(&validate_pod_update(&removed, &old)),
            [
                "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"
            ]
        );
    }

    #[test]
    fn active_deadline_may_only_shrink() {
        let old = stored(
            json!({"activeDeadlineSeconds": 30, "containers": [{"name": "a", "image": "nginx"}]}),
        );
        let mut longer = old.clone();
        longer["spec"]["activeDeadlineSeconds"] = json!(60);
        assert_eq!(
            messages(&validate_pod_update(&longer, &old)),
            [
                "spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"
            ]
        );
        let mut unset = old.clone();
        unset["spec"]
            .as_object_mut()
            .unwrap()
            .remove("activeDeadlineSeconds");
        assert_eq!(
            messages(&validate_pod_update(&unset, &old)),
            [
                "spec.activeDeadlineSeconds: Invalid value: \"null\": must not update from a positive integer to nil value"
            ]
        );
    }

    #[test]
    fn status_updates_keep_the_qos_class() {
        let mut old = stored(json!({"containers": [{"name": "a", "image": "nginx"}]}));
        old["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        let mut new = old.clone();
        new["status"] =
            json!({"phase": "Running", "qosClass": "Guaranteed", "podIPs": [{"ip": "10.0.0.300"}]});
        assert_eq!(
            messages(&validate_pod_status_update(&new, &old)),
            [
                "status.qosClass: Invalid value: \"Guaranteed\": field is immutable",
                "status.podIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ]
        );
    }

    #[test]
    fn terminated_containers_stay_terminated_under_never() {
        let mut old = stored(
            json!({"restartPolicy": "Never", "containers": [{"name": "a", "image": "nginx"}]}),
        );
        old["status"] = json!({"qosClass": "BestEffort", "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 0}}}]});
        let mut new = old.clone();
        new["status"]["containerStatuses"][0]["state"] = json!({"running": {}});
        assert_eq!(
            messages(&validate_pod_status_update(&new, &old)),
            [
                "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"
            ]
        );
    }
}
