//! Role, ClusterRole, RoleBinding and ClusterRoleBinding validation
//! (`pkg/apis/rbac/validation/validation.go`), and the defaults applied before it
//! (`pkg/apis/rbac/v1/defaults.go`). Names only need to be valid path segments (`system:node` is
//! a fine role name); rules need verbs and either resources with API groups or non-resource URLs;
//! a binding's `roleRef` names a Role or ClusterRole of `rbac.authorization.k8s.io` and never
//! changes.

use serde_json::Value;

use super::meta::{self, NameRule, is_dns1123_subdomain, name_errors};
use super::{Path, field, go_quote, go_string_slice, list_of, str_of};
use crate::api::field_error::{FieldError, FieldErrorKind};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// `SetDefaults_RoleBinding` / `SetDefaults_ClusterRoleBinding` / `SetDefaults_Subject`: an
/// empty `roleRef.apiGroup` is RBAC's; an empty subject `apiGroup` is RBAC's for users and
/// groups (service accounts keep the core group).
pub fn set_rbac_defaults(kind: &str, obj: &mut Value) {
    if !matches!(kind, "RoleBinding" | "ClusterRoleBinding") {
        return;
    }
    if let Some(role_ref) = obj.get_mut("roleRef").and_then(Value::as_object_mut)
        && role_ref
            .get("apiGroup")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .is_empty()
    {
        role_ref.insert("apiGroup".to_string(), Value::from(RBAC_GROUP));
    }
    let subjects = obj.get_mut("subjects").and_then(Value::as_array_mut);
    for subject in subjects.into_iter().flatten() {
        let Some(subject) = subject.as_object_mut() else {
            continue;
        };
        let empty = subject
            .get("apiGroup")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .is_empty();
        let is_user_or_group = matches!(
            subject.get("kind").and_then(Value::as_str),
            Some("User" | "Group")
        );
        if empty && is_user_or_group {
            subject.insert("apiGroup".to_string(), Value::from(RBAC_GROUP));
        }
    }
}

/// `ValidateRole`, `ValidateClusterRole`, `ValidateRoleBinding`, `ValidateClusterRoleBinding`.
/// Other kinds have nothing to check here.
pub fn validate_rbac(kind: &str, obj: &Value) -> Vec<FieldError> {
    match kind {
        "Role" => validate_role(obj, true),
        "ClusterRole" => validate_role(obj, false),
        "RoleBinding" => validate_binding(obj, true),
        "ClusterRoleBinding" => validate_binding(obj, false),
        _ => Vec::new(),
    }
}

/// The `…Update` variants: the object as on create, the ObjectMeta update rules and, for
/// bindings, an unchanged `roleRef`.
pub fn validate_rbac_update(kind: &str, new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = validate_rbac(kind, new);
    errs.extend(meta::validate_object_meta_update(new, old, true));
    if matches!(kind, "RoleBinding" | "ClusterRoleBinding") {
        let role_ref = |o: &Value| {
            let r = field(o, "roleRef");
            (
                str_of(r, "apiGroup").to_string(),
                str_of(r, "kind").to_string(),
                str_of(r, "name").to_string(),
            )
        };
        let new_ref = role_ref(new);
        if new_ref != role_ref(old) {
            let (group, ref_kind, name) = &new_ref;
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Invalid,
                "roleRef",
                format!(
                    "rbac.RoleRef{{APIGroup:{}, Kind:{}, Name:{}}}",
                    go_quote(group),
                    go_quote(ref_kind),
                    go_quote(name)
                ),
                "cannot change roleRef",
            ));
        }
    }
    errs
}

/// `minimalNameRequirements` (`path.IsValidPathSegmentName`) with core's ObjectMeta checks.
fn object_meta(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    meta::validate_object_meta(obj, namespaced, NameRule::PathSegment, true)
}

fn validate_role(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut errs = object_meta(obj, namespaced);
    let path = Path::new("rules");
    for (i, rule) in list_of(obj, "rules").iter().enumerate() {
        errs.extend(validate_policy_rule(rule, namespaced, &path.index(i)));
    }
    errs
}

/// `validatePolicyRule`
fn validate_policy_rule(rule: &Value, namespaced: bool, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if list_of(rule, "verbs").is_empty() {
        errs.push(FieldError::required(
            path.child("verbs"),
            "verbs must contain at least one value",
        ));
    }
    let urls = list_of(rule, "nonResourceURLs");
    if !urls.is_empty() {
        let shown = go_string_slice(rule.get("nonResourceURLs").and_then(Value::as_array));
        if namespaced {
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Invalid,
                path.child("nonResourceURLs"),
                shown.clone(),
                "namespaced rules cannot apply to non-resource URLs",
            ));
        }
        if !list_of(rule, "apiGroups").is_empty()
            || !list_of(rule, "resources").is_empty()
            || !list_of(rule, "resourceNames").is_empty()
        {
            errs.push(FieldError::with_shown_value(
                FieldErrorKind::Invalid,
                path.child("nonResourceURLs"),
                shown,
                "rules cannot apply to both regular resources and non-resource URLs",
            ));
        }
        return errs;
    }
    if list_of(rule, "apiGroups").is_empty() {
        errs.push(FieldError::required(
            path.child("apiGroups"),
            "resource rules must supply at least one api group",
        ));
    }
    let resources = list_of(rule, "resources");
    if resources.is_empty() {
        errs.push(FieldError::required(
            path.child("resources"),
            "resource rules must supply at least one resource",
        ));
    }
    if !list_of(rule, "resourceNames").is_empty() && resources.len() > 1 {
        errs.push(FieldError::required(
            path.child("resourceNames"),
            "resource names cannot apply to multiple resources",
        ));
    }
    errs
}

fn validate_binding(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut errs = object_meta(obj, namespaced);
    let role_ref = field(obj, "roleRef");
    let ref_path = Path::new("roleRef");
    let group = str_of(role_ref, "apiGroup");
    if group != RBAC_GROUP {
        errs.push(FieldError::not_supported(
            ref_path.child("apiGroup"),
            Value::from(group),
            &[RBAC_GROUP],
        ));
    }
    let kind = str_of(role_ref, "kind");
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    if !kinds.contains(&kind) {
        errs.push(FieldError::not_supported(
            ref_path.child("kind"),
            Value::from(kind),
            kinds,
        ));
    }
    let name = str_of(role_ref, "name");
    if name.is_empty() {
        errs.push(FieldError::required(ref_path.child("name"), ""));
    } else {
        for msg in name_errors(NameRule::PathSegment, name, false) {
            errs.push(FieldError::invalid(
                ref_path.child("name"),
                Value::from(name),
                msg,
            ));
        }
    }
    let path = Path::new("subjects");
    for (i, subject) in list_of(obj, "subjects").iter().enumerate() {
        errs.extend(validate_subject(subject, namespaced, &path.index(i)));
    }
    errs
}

/// `validateRoleBindingSubject`
fn validate_subject(subject: &Value, namespaced: bool, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = str_of(subject, "name");
    let group = str_of(subject, "apiGroup");
    if name.is_empty() {
        errs.push(FieldError::required(path.child("name"), ""));
    }
    match str_of(subject, "kind") {
        "ServiceAccount" => {
            if !name.is_empty() {
                for msg in is_dns1123_subdomain(name) {
                    errs.push(FieldError::invalid(
                        path.child("name"),
                        Value::from(name),
                        msg,
                    ));
                }
            }
            if !group.is_empty() {
                errs.push(FieldError::not_supported(
                    path.child("apiGroup"),
                    Value::from(group),
                    &[""],
                ));
            }
            if !namespaced && str_of(subject, "namespace").is_empty() {
                errs.push(FieldError::required(path.child("namespace"), ""));
            }
        }
        kind @ ("User" | "Group") => {
            if name.is_empty() {
                let what = if kind == "User" { "user" } else { "group" };
                errs.push(FieldError::invalid(
                    path.child("name"),
                    Value::from(name),
                    format!("{what} name cannot be empty"),
                ));
            }
            if group != RBAC_GROUP {
                errs.push(FieldError::not_supported(
                    path.child("apiGroup"),
                    Value::from(group),
                    &[RBAC_GROUP],
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            path.child("kind"),
            Value::from(other),
            &["ServiceAccount", "User", "Group"],
        )),
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(|e| e.to_string()).collect()
    }

    fn role(rules: Value) -> Value {
        json!({"metadata": {"name": "pod-reader", "namespace": "default"}, "rules": rules})
    }

    fn binding(role_ref: Value, subjects: Value) -> Value {
        json!({"metadata": {"name": "b", "namespace": "default"}, "roleRef": role_ref, "subjects": subjects})
    }

    #[test]
    fn valid_roles_and_bindings() {
        let ok = role(json!([{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]));
        assert_eq!(validate_rbac("Role", &ok), vec![]);
        let cluster = json!({"metadata": {"name": "system:thing"}, "rules": [
            {"verbs": ["get"], "nonResourceURLs": ["/healthz"]},
            {"verbs": ["frobnicate"], "apiGroups": ["*"], "resources": ["*"], "resourceNames": []}]});
        assert_eq!(validate_rbac("ClusterRole", &cluster), vec![]);
        let b = binding(
            json!({"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"}),
            json!([{"kind": "User", "name": "student", "apiGroup": RBAC_GROUP},
                   {"kind": "Group", "name": "devs", "apiGroup": RBAC_GROUP},
                   {"kind": "ServiceAccount", "name": "builder"}]),
        );
        assert_eq!(validate_rbac("RoleBinding", &b), vec![]);
        // A binding without subjects is valid.
        let empty = binding(
            json!({"apiGroup": RBAC_GROUP, "kind": "Role", "name": "r"}),
            json!(null),
        );
        assert_eq!(validate_rbac("RoleBinding", &empty), vec![]);
        assert_eq!(validate_rbac("ConfigMap", &json!({})), vec![]);
    }

    #[test]
    fn rule_messages() {
        let bad = role(json!([
            {"apiGroups": [""], "resources": ["pods"]},
            {"verbs": ["get"]},
            {"verbs": ["get"], "apiGroups": [""], "resources": ["pods", "secrets"], "resourceNames": ["a"]},
            {"verbs": ["get"], "nonResourceURLs": ["/healthz"], "resources": ["pods"]},
        ]));
        assert_eq!(
            messages(&validate_rbac("Role", &bad)),
            vec![
                "rules[0].verbs: Required value: verbs must contain at least one value",
                "rules[1].apiGroups: Required value: resource rules must supply at least one api group",
                "rules[1].resources: Required value: resource rules must supply at least one resource",
                "rules[2].resourceNames: Required value: resource names cannot apply to multiple resources",
                "rules[3].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs",
                "rules[3].nonResourceURLs: Invalid value: []string{\"/healthz\"}: rules cannot apply to both regular resources and non-resource URLs",
            ]
        );
        let cluster = json!({"metadata": {"name": "c"}, "rules": [{"verbs": ["get"], "nonResourceURLs": ["/x"], "apiGroups": [""]}]});
        assert_eq!(
            messages(&validate_rbac("ClusterRole", &cluster)),
            vec![
                "rules[0].nonResourceURLs: Invalid value: []string{\"/x\"}: rules cannot apply to both regular resources and non-resource URLs"
            ]
        );
    }

    #[test]
    fn metadata_is_checked_with_path_segment_names() {
        let bad = json!({"metadata": {"name": "a/b"}, "rules": []});
        assert_eq!(
            messages(&validate_rbac("ClusterRole", &bad)),
            vec!["metadata.name: Invalid value: \"a/b\": may not contain '/'"]
        );
        let no_ns = json!({"metadata": {"name": "r"}, "rules": []});
        assert_eq!(
            messages(&validate_rbac("Role", &no_ns)),
            vec!["metadata.namespace: Required value"]
        );
        let with_ns = json!({"metadata": {"name": "r", "namespace": "x"}, "rules": []});
        assert_eq!(
            messages(&validate_rbac("ClusterRole", &with_ns)),
            vec!["metadata.namespace: Forbidden: not allowed on this type"]
        );
    }

    #[test]
    fn role_ref_messages() {
        let b = binding(
            json!({"apiGroup": "", "kind": "Roll", "name": ""}),
            json!([]),
        );
        assert_eq!(
            messages(&validate_rbac("RoleBinding", &b)),
            vec![
                "roleRef.apiGroup: Unsupported value: \"\": supported values: \"rbac.authorization.k8s.io\"",
                "roleRef.kind: Unsupported value: \"Roll\": supported values: \"Role\", \"ClusterRole\"",
                "roleRef.name: Required value",
            ]
        );
        let crb = json!({"metadata": {"name": "c"}, "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": "x/y"}});
        assert_eq!(
            messages(&validate_rbac("ClusterRoleBinding", &crb)),
            vec![
                "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
                "roleRef.name: Invalid value: \"x/y\": may not contain '/'",
            ]
        );
    }

    #[test]
    fn subject_messages() {
        let b = binding(
            json!({"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"}),
            json!([
                {"kind": "User", "name": ""},
                {"kind": "Group", "name": "g", "apiGroup": "other"},
                {"kind": "ServiceAccount", "name": "Bad_Name", "apiGroup": RBAC_GROUP},
                {"kind": "Robot", "name": "r"},
            ]),
        );
        assert_eq!(
            messages(&validate_rbac("RoleBinding", &b)),
            vec![
                "subjects[0].name: Required value",
                "subjects[0].name: Invalid value: \"\": user name cannot be empty",
                "subjects[0].apiGroup: Unsupported value: \"\": supported values: \"rbac.authorization.k8s.io\"",
                "subjects[1].apiGroup: Unsupported value: \"other\": supported values: \"rbac.authorization.k8s.io\"",
                "subjects[2].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "subjects[2].apiGroup: Unsupported value: \"rbac.authorization.k8s.io\": supported values: \"\"",
                "subjects[3].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
            ]
        );
        let crb = json!({"metadata": {"name": "c"}, "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"},
                         "subjects": [{"kind": "ServiceAccount", "name": "sa"}]});
        assert_eq!(
            messages(&validate_rbac("ClusterRoleBinding", &crb)),
            vec!["subjects[0].namespace: Required value"]
        );
    }

    #[test]
    fn role_ref_cannot_change() {
        let old = binding(
            json!({"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"}),
            json!([]),
        );
        let mut new = old.clone();
        new["roleRef"]["name"] = json!("edit");
        assert_eq!(
            messages(&validate_rbac_update("RoleBinding", &new, &old)),
            vec![
                "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"
            ]
        );
        new["roleRef"]["name"] = json!("view");
        new["subjects"] = json!([{"kind": "User", "name": "u", "apiGroup": RBAC_GROUP}]);
        assert_eq!(validate_rbac_update("RoleBinding", &new, &old), vec![]);
        let role_old = role(json!([]));
        let mut role_new = role_old.clone();
        role_new["metadata"]["namespace"] = json!("other");
        assert_eq!(
            messages(&validate_rbac_update("Role", &role_new, &role_old)),
            vec!["metadata.namespace: Invalid value: \"other\": field is immutable"]
        );
    }

    #[test]
    fn defaults_fill_api_groups() {
        let mut b = json!({"roleRef": {"kind": "ClusterRole", "name": "view"},
                           "subjects": [{"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "name": "s"},
                                        {"kind": "Group", "name": "g", "apiGroup": ""}, 5]});
        set_rbac_defaults("RoleBinding", &mut b);
        assert_eq!(
            b,
            json!({"roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"},
                   "subjects": [{"kind": "User", "name": "u", "apiGroup": RBAC_GROUP}, {"kind": "ServiceAccount", "name": "s"},
                                {"kind": "Group", "name": "g", "apiGroup": RBAC_GROUP}, 5]})
        );
        let mut junk = json!([1]);
        set_rbac_defaults("ClusterRoleBinding", &mut junk);
        assert_eq!(junk, json!([1]));
    }
}
