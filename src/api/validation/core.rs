//! Namespace, Node, Event, ServiceAccount and ConfigMap validation
//! (`pkg/apis/core/validation/validation.go` and `events.go`).

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde_json::Value;

use super::meta::{
    self, NameRule, is_config_map_key, is_valid_label_value, validate_finalizer_name,
    validate_qualified_name,
};
use super::pod::{parse_quantity, validate_resource_quantity_value, validate_taint_effect};
use super::{
    Path, field, get, go_quote, go_string_slice, list_of, map_of, metadata, str_of, string_list,
};
use crate::api::field_error::{FieldError, FieldErrorKind};

/// `core.MaxSecretSize`, also the limit of a ConfigMap's data.
const MAX_CONFIG_MAP_SIZE: usize = 1024 * 1024;

/// `ValidateNamespace`
pub(crate) fn validate_namespace(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj, false, NameRule::DnsLabel, true);
    let finalizers_path = Path::new("spec").child("finalizers");
    for finalizer in string_list(field(obj, "spec"), "finalizers") {
        errs.extend(validate_finalizer_name(&finalizer, &finalizers_path));
    }
    errs
}

/// `ValidateNamespaceStatusUpdate`: the phase follows the deletion timestamp.
pub(crate) fn validate_namespace_status_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    let phase = str_of(field(new, "status"), "phase");
    let path = Path::new("status").child("Phase");
    if get(metadata(new), "deletionTimestamp").is_none() {
        if phase != "Active" {
            errs.push(FieldError::invalid(
                path,
                Value::from(phase),
                "may only be 'Active' if `deletionTimestamp` is empty",
            ));
        }
    } else if phase != "Terminating" {
        errs.push(FieldError::invalid(
            path,
            Value::from(phase),
            "may only be 'Terminating' if `deletionTimestamp` is not empty",
        ));
    }
    errs
}

/// `ValidateNode`
pub(crate) fn validate_node(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj, false, NameRule::DnsSubdomain, true);
    let spec = field(obj, "spec");
    // The real code reports taints under metadata.
    errs.extend(validate_node_taints(
        list_of(spec, "taints"),
        &Path::new("metadata").child("taints"),
    ));
    errs.extend(validate_node_resources(obj));
    let cidrs = string_list(spec, "podCIDRs");
    let cidrs_path = Path::new("spec").child("podCIDRs");
    for (i, cidr) in cidrs.iter().enumerate() {
        if parse_cidr(cidr).is_none() {
            errs.push(FieldError::invalid(
                cidrs_path.index(i),
                Value::from(cidr.as_str()),
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ));
        }
    }
    if cidrs.len() > 1 {
        let families: Vec<bool> = cidrs
            .iter()
            .filter_map(|c| parse_cidr(c))
            .map(|ip| ip.is_ipv4())
            .collect();
        let dual_stack =
            families.len() == cidrs.len() && families.contains(&true) && families.contains(&false);
        if !dual_stack || cidrs.len() > 2 {
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Invalid,
                &cidrs_path,
                go_string_slice(spec.get("podCIDRs").and_then(Value::as_array)),
                "may specify no more than one CIDR for each IP family",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, cidr) in cidrs.iter().enumerate() {
            if !seen.insert(cidr) {
                errs.push(FieldError::duplicate(
                    cidrs_path.index(i),
                    Value::from(cidr.as_str()),
                ));
            }
        }
    }
    errs
}

/// `ValidateNodeUpdate` (the status subresource runs it too).
pub(crate) fn validate_node_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    errs.extend(validate_node_resources(new));
    let mut addresses = BTreeSet::new();
    for (i, address) in list_of(field(new, "status"), "addresses")
        .iter()
        .enumerate()
    {
        let key = (str_of(address, "type"), str_of(address, "address"));
        if !addresses.insert(key) {
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Duplicate,
                Path::new("status").child("addresses").index(i),
                format!(
                    "core.NodeAddress{{Type:{}, Address:{}}}",
                    go_quote(key.0),
                    go_quote(key.1)
                ),
                "",
            ));
        }
    }
    let (spec, old_spec) = (field(new, "spec"), field(old, "spec"));
    let old_cidrs = string_list(old_spec, "podCIDRs");
    if !old_cidrs.is_empty() {
        let new_cidrs = string_list(spec, "podCIDRs");
        let message = "node updates may not change podCIDR except from \"\" to valid";
        if old_cidrs.len() != new_cidrs.len() {
            errs.push(FieldError::forbidden("spec.podCIDRs", message));
        } else {
            for (old_cidr, new_cidr) in old_cidrs.iter().zip(&new_cidrs) {
                if old_cidr != new_cidr {
                    errs.push(FieldError::forbidden("spec.podCIDRs", message));
                }
            }
        }
    }
    let old_provider = str_of(old_spec, "providerID");
    if !old_provider.is_empty() && old_provider != str_of(spec, "providerID") {
        errs.push(FieldError::forbidden(
            "spec.providerID",
            "node updates may not change providerID except from \"\" to valid",
        ));
    }
    errs.extend(validate_node_taints(
        list_of(spec, "taints"),
        &Path::new("metadata").child("taints"),
    ));
    if str_of(spec, "externalID") != str_of(old_spec, "externalID") {
        errs.push(FieldError::forbidden(
            "spec.externalID",
            "may not be updated",
        ));
    }
    errs
}

/// `validateNodeTaints`
fn validate_node_taints(taints: &[Value], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut unique = BTreeSet::new();
    for (i, taint) in taints.iter().enumerate() {
        let idx = path.index(i);
        let (key, value, effect) = (
            str_of(taint, "key"),
            str_of(taint, "value"),
            str_of(taint, "effect"),
        );
        errs.extend(validate_qualified_name(key, &idx.child("key")));
        let msgs = is_valid_label_value(value);
        if !msgs.is_empty() {
            errs.push(FieldError::invalid(
                idx.child("value"),
                Value::from(value),
                msgs.join(";"),
            ));
        }
        errs.extend(validate_taint_effect(effect, false, &idx.child("effect")));
        if !unique.insert((effect, key)) {
            let time_added = if get(taint, "timeAdded").is_some() {
                "(0xc000010000)"
            } else {
                "(nil)"
            };
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Duplicate,
                &idx,
                format!(
                    "core.Taint{{Key:{}, Value:{}, Effect:{}, TimeAdded:(*v1.Time){time_added}}}",
                    go_quote(key),
                    go_quote(value),
                    go_quote(effect)
                ),
                "taints must be unique by key and effect pair",
            ));
        }
    }
    errs
}

/// `ValidateNodeResources`: capacity and allocatable (paths joined with dots, as in Go).
fn validate_node_resources(node: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let status = field(node, "status");
    for list in ["capacity", "allocatable"] {
        for (name, value) in map_of(status, list).into_iter().flatten() {
            let path = Path::new("status").child(list).child(name);
            if let Some(quantity) = parse_quantity(value, &path, &mut errs) {
                errs.extend(validate_resource_quantity_value(name, &quantity, &path));
            }
        }
    }
    errs
}

fn parse_cidr(cidr: &str) -> Option<IpAddr> {
    let (ip, prefix) = cidr.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (prefix <= max).then_some(ip)
}

/// `ValidateEventCreate` / `ValidateEventUpdate` for core/v1: only the legacy checks.
pub(crate) fn validate_event(event: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let namespace = str_of(metadata(event), "namespace");
    let involved_namespace = str_of(field(event, "involvedObject"), "namespace");
    let mismatch = || {
        FieldError::invalid(
            "involvedObject.namespace",
            Value::from(involved_namespace),
            "does not match event.namespace",
        )
    };
    if get(event, "eventTime").is_none() {
        if involved_namespace.is_empty() {
            if !namespace.is_empty() && namespace != "default" {
                errs.push(mismatch());
            }
        } else if namespace != involved_namespace {
            errs.push(mismatch());
        }
    } else {
        if involved_namespace.is_empty() && namespace != "default" && namespace != "kube-system" {
            errs.push(mismatch());
        }
        let controller = str_of(event, "reportingComponent");
        if controller.is_empty() {
            errs.push(FieldError::required("reportingComponent", ""));
        }
        errs.extend(validate_qualified_name(
            controller,
            &Path::new("reportingComponent"),
        ));
        for (key, limit) in [("reportingInstance", 128), ("action", 128), ("reason", 128)] {
            let value = str_of(event, key);
            if value.is_empty() {
                errs.push(FieldError::required(key, ""));
            }
            if value.len() > limit {
                errs.push(FieldError::invalid(
                    key,
                    Value::from(""),
                    format!("can have at most {limit} characters"),
                ));
            }
        }
        if str_of(event, "message").len() > 1024 {
            errs.push(FieldError::invalid(
                "message",
                Value::from(""),
                "can have at most 1024 characters",
            ));
        }
    }
    for msg in meta::is_dns1123_subdomain(namespace) {
        errs.push(FieldError::invalid(
            "namespace",
            Value::from(namespace),
            msg,
        ));
    }
    errs
}

/// `ValidateServiceAccount`
pub(crate) fn validate_service_account(obj: &Value) -> Vec<FieldError> {
    meta::validate_object_meta(obj, true, NameRule::DnsSubdomain, true)
}

/// `ValidateServiceAccountUpdate`
pub(crate) fn validate_service_account_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    errs.extend(validate_service_account(new));
    errs
}

/// `ValidateConfigMap`
pub(crate) fn validate_config_map(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj, true, NameRule::DnsSubdomain, true);
    let mut total = 0;
    let binary = map_of(obj, "binaryData");
    for (key, value) in map_of(obj, "data").into_iter().flatten() {
        let path = Path::new("data").key(key);
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(&path, Value::from(key.as_str()), msg));
        }
        if binary.is_some_and(|b| b.contains_key(key)) {
            errs.push(FieldError::invalid(
                &path,
                Value::from(key.as_str()),
                "duplicate of key present in binaryData",
            ));
        }
        total += value.as_str().map_or(0, str::len);
    }
    for (key, value) in binary.into_iter().flatten() {
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(
                Path::new("binaryData").key(key),
                Value::from(key.as_str()),
                msg,
            ));
        }
        // binaryData travels as base64: count the decoded bytes.
        let encoded = value.as_str().unwrap_or_default().trim_end_matches('=');
        total += encoded.len() * 3 / 4;
    }
    if total > MAX_CONFIG_MAP_SIZE {
        errs.push(FieldError::too_long("", MAX_CONFIG_MAP_SIZE));
    }
    errs
}

/// `ValidateConfigMapUpdate`: nothing of an immutable ConfigMap's data may change.
pub(crate) fn validate_config_map_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new, old, true);
    if old.get("immutable").and_then(Value::as_bool) == Some(true) {
        let message = "field is immutable when `immutable` is set";
        if new.get("immutable").and_then(Value::as_bool) != Some(true) {
            errs.push(FieldError::forbidden("immutable", message));
        }
        for key in ["data", "binaryData"] {
            if get(new, key) != get(old, key) {
                errs.push(FieldError::forbidden(key, message));
            }
        }
    }
    errs.extend(validate_config_map(new));
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn namespace_names_are_dns_labels() {
        let errs = validate_namespace(&json!({"metadata": {"name": "team.a"}}));
        assert_eq!(
            messages(&errs),
            ["metadata.name: Invalid value: \"team.a\": must not contain dots"]
        );
        let errs = validate_namespace(
            &json!({"metadata": {"name": "a"}, "spec": {"finalizers": ["kubernetes", "custom"]}}),
        );
        assert_eq!(
            messages(&errs),
            [
                "spec.finalizers: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified"
            ]
        );
    }

    #[test]
    fn namespace_phase_follows_deletion() {
        let old = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "status": {"phase": "Active"}});
        let new = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "status": {"phase": "Terminating"}});
        assert_eq!(
            messages(&validate_namespace_status_update(&new, &old)),
            [
                "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"
            ]
        );
    }

    #[test]
    fn node_resources_and_taints() {
        let node = json!({"metadata": {"name": "node-1"},
            "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}, {"key": "a", "effect": "NoSchedule"}, {"key": "b", "effect": "Sometimes"}],
                     "podCIDRs": ["10.244.1.0/24", "10.244.2.0/24"]},
            "status": {"capacity": {"cpu": "-1", "pods": "1500m", "memory": "lots"}}});
        assert_eq!(
            messages(&validate_node(&node)),
            [
                "metadata.taints[1]: Duplicate value: core.Taint{Key:\"a\", Value:\"\", Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair",
                "metadata.taints[2].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
                "status.capacity.cpu: Invalid value: \"-1\": must be greater than or equal to 0",
                "status.capacity.memory: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                "status.capacity.pods: Invalid value: \"1500m\": must be an integer",
                "spec.podCIDRs: Invalid value: []string{\"10.244.1.0/24\", \"10.244.2.0/24\"}: may specify no more than one CIDR for each IP family",
            ]
        );
    }

    #[test]
    fn node_pod_cidrs_are_set_once() {
        let old = json!({"metadata": {"name": "n", "resourceVersion": "1"}, "spec": {"podCIDRs": ["10.244.1.0/24"]}});
        let new = json!({"metadata": {"name": "n", "resourceVersion": "1"}, "spec": {"podCIDRs": ["10.244.9.0/24"], "unschedulable": true}});
        assert_eq!(
            messages(&validate_node_update(&new, &old)),
            [
                "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"
            ]
        );
        let cordoned = json!({"metadata": {"name": "n", "resourceVersion": "1"}, "spec": {"podCIDRs": ["10.244.1.0/24"], "unschedulable": true}});
        assert!(validate_node_update(&cordoned, &old).is_empty());
    }

    #[test]
    fn events_must_match_their_object_namespace() {
        let event = json!({"metadata": {"name": "e", "namespace": "default"}, "involvedObject": {"namespace": "other"}, "reason": "Started"});
        assert_eq!(
            messages(&validate_event(&event)),
            ["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"]
        );
        let new_style = json!({"metadata": {"name": "e", "namespace": "default"}, "involvedObject": {"namespace": "default"},
            "eventTime": "2024-05-01T10:00:00.000000Z", "reason": "Started"});
        assert_eq!(
            messages(&validate_event(&new_style)),
            [
                "reportingComponent: Required value",
                "reportingComponent: Invalid value: \"\": name part must be non-empty",
                "reportingComponent: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "reportingInstance: Required value",
                "action: Required value",
            ]
        );
    }

    #[test]
    fn config_map_keys_and_immutability() {
        let cm = json!({"metadata": {"name": "c", "namespace": "d"}, "data": {"a b": "1", "ok": "2"}, "binaryData": {"ok": "AA=="}});
        assert_eq!(
            messages(&validate_config_map(&cm)),
            [
                "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                "data[ok]: Invalid value: \"ok\": duplicate of key present in binaryData",
            ]
        );
        let big = json!({"metadata": {"name": "c", "namespace": "d"}, "data": {"k": "x".repeat(MAX_CONFIG_MAP_SIZE + 1)}});
        assert_eq!(
            messages(&validate_config_map(&big)),
            [": Too long: may not be more than 1048576 bytes"]
        );
        let old = json!({"metadata": {"name": "c", "namespace": "d", "resourceVersion": "1"}, "immutable": true, "data": {"a": "1"}});
        let new = json!({"metadata": {"name": "c", "namespace": "d", "resourceVersion": "1"}, "immutable": true, "data": {"a": "2"}});
        assert_eq!(
            messages(&validate_config_map_update(&new, &old)),
            ["data: Forbidden: field is immutable when `immutable` is set"]
        );
    }

    #[test]
    fn service_accounts_need_names() {
        assert_eq!(
            messages(&validate_service_account(
                &json!({"metadata": {"namespace": "d"}})
            )),
            ["metadata.name: Required value: name or generateName is required"]
        );
    }
}
