//! RBAC's escalation prevention, as the RBAC registry enforces it on writes
//! (`pkg/registry/rbac/validation/rule.go` `ConfirmNoEscalation`,
//! `pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased/storage.go`,
//! `pkg/registry/rbac/escalation_check.go`): nobody may grant, through a role or a binding,
//! permissions they do not hold themselves — unless they are `system:masters`, hold `escalate` on
//! the role kind (for roles) or `bind` on the referenced role (for bindings).

use serde_json::Value;

use super::index::{ErrorStyle, MissingRole, aggregate};
use super::rule::{PolicyRule, go_quoted_list};
use super::{Attributes, RBAC_GROUP, RbacIndex, SYSTEM_MASTERS, forbidden_error};
use crate::api::status::ApiError;
use crate::apiserver::authn::UserInfo;

/// `ConfirmNoEscalation`: Ok when `user`, in `namespace` (None for a ClusterRole or
/// ClusterRoleBinding), already holds every permission of `rules`. The error is the real text:
/// `user "student" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not
/// currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`.
pub fn confirm_no_escalation(
    index: &RbacIndex,
    user: &UserInfo,
    namespace: Option<&str>,
    rules: &[Value],
) -> Result<(), String> {
    let wanted: Vec<PolicyRule> = rules.iter().map(PolicyRule::from_json).collect();
    confirm_rules(index, user, namespace.unwrap_or_default(), &wanted)
}

fn confirm_rules(
    index: &RbacIndex,
    user: &UserInfo,
    namespace: &str,
    wanted: &[PolicyRule],
) -> Result<(), String> {
    let (owned, errors) = index.rules_for(user, namespace, ErrorStyle::Registry);
    let missing: Vec<PolicyRule> = wanted
        .iter()
        .flat_map(PolicyRule::breakdown)
        .filter(|sub| !owned.iter().any(|o| o.covers(sub)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    // `sets.NewString(...).List()`: sorted, without duplicates.
    let mut lines: Vec<String> = compact_rules(missing)
        .iter()
        .map(PolicyRule::compact_string)
        .collect();
    lines.sort();
    lines.dedup();
    let mut message = format!(
        "user {} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        crate::api::validation::go_quote(&user.name),
        go_quoted_list(&user.groups),
        lines.join("\n")
    );
    if !errors.is_empty() {
        // `%v` of a one-element `[]error` holding the aggregate.
        message.push_str(&format!("; resolution errors: [{}]", aggregate(&errors)));
    }
    Err(message)
}

/// `CompactRules`: rules of one group and one resource (and at most one name) that differ only
/// in verbs become one rule listing the verbs; the others stay as they are.
fn compact_rules(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut compacted: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for rule in rules {
        let is_simple = rule.resource_names.len() <= 1
            && rule.non_resource_urls.is_empty()
            && rule.api_groups.len() == 1
            && rule.resources.len() == 1;
        if !is_simple {
            compacted.push(rule);
            continue;
        }
        match simple.iter_mut().find(|s| {
            s.api_groups == rule.api_groups
                && s.resources == rule.resources
                && s.resource_names == rule.resource_names
        }) {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => simple.push(rule),
        }
    }
    compacted.extend(simple);
    compacted
}

/// `EscalationAllowed`: `system:masters` may write any role or binding.
pub fn escalation_allowed(user: &UserInfo) -> bool {
    user.in_group(SYSTEM_MASTERS)
}

/// Create or update, as the registry distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write<'a> {
    Create,
    /// An update, with the stored object.
    Update(&'a Value),
}

/// `rbacregistry.IsOnlyMutatingGCFields`: only ownerReferences, finalizers (and selfLink,
/// managedFields) differ, which the garbage collector may always do.
fn only_gc_fields_change(new: &Value, old: &Value) -> bool {
    let mut copied = new.clone();
    if let (Some(meta), Some(old_meta)) = (
        copied.get_mut("metadata").and_then(Value::as_object_mut),
        old.get("metadata").and_then(Value::as_object),
    ) {
        for key in ["ownerReferences", "finalizers", "selfLink", "managedFields"] {
            match old_meta.get(key) {
                Some(v) => {
                    meta.insert(key.to_string(), v.clone());
                }
                None => {
                    meta.remove(key);
                }
            }
        }
    }
    crate::api::validation::semantic_eq(Some(&copied), Some(old))
}

fn name_of(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// What the Role / ClusterRole storage checks before a write: `kind` is `Role` or `ClusterRole`,
/// `namespace` the request's (None for ClusterRoles), `request_name` the name in the URL (None
/// on create, so `escalate` limited by resourceNames does not apply). Err is the 403 to return.
pub fn authorize_role_write(
    index: &RbacIndex,
    user: &UserInfo,
    kind: &str,
    namespace: Option<&str>,
    request_name: Option<&str>,
    object: &Value,
    write: Write,
) -> Result<(), ApiError> {
    let resource = if kind == "ClusterRole" {
        "clusterroles"
    } else {
        "roles"
    };
    if escalation_allowed(user) {
        return Ok(());
    }
    // `RoleEscalationAuthorized`: the `escalate` verb on this kind of role.
    let escalate = Attributes {
        name: request_name,
        ..Attributes::resource("escalate", namespace, RBAC_GROUP, resource)
    };
    if index.authorize(user, &escalate).allowed {
        return Ok(());
    }
    if let Write::Update(old) = write
        && only_gc_fields_change(object, old)
    {
        return Ok(());
    }
    let rules = object
        .get("rules")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    confirm_no_escalation(index, user, namespace, rules)
        .map_err(|why| forbidden_error(RBAC_GROUP, resource, name_of(object), &why))
}

/// What the RoleBinding / ClusterRoleBinding storage checks before a write (`kind` is
/// `RoleBinding` or `ClusterRoleBinding`; `namespace` the request's, None for the cluster
/// kind): `system:masters`, or `bind` on the referenced role, or holding all its rules. A
/// reference to a missing role is a 404 here (only `system:masters` and holders of `bind` may
/// bind a role that does not exist yet).
pub fn authorize_binding_write(
    index: &RbacIndex,
    user: &UserInfo,
    kind: &str,
    namespace: Option<&str>,
    object: &Value,
    write: Write,
) -> Result<(), ApiError> {
    if escalation_allowed(user) {
        return Ok(());
    }
    let resource = if kind == "ClusterRoleBinding" {
        "clusterrolebindings"
    } else {
        "rolebindings"
    };
    if let Write::Update(old) = write
        && only_gc_fields_change(object, old)
    {
        return Ok(());
    }
    let ref_field = |k: &str| {
        object
            .pointer(&format!("/roleRef/{k}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let (ref_group, ref_kind, ref_name) =
        (ref_field("apiGroup"), ref_field("kind"), ref_field("name"));
    let binding_namespace = namespace.unwrap_or_default();
    // `BindingAuthorized`: `bind` on the role, checked in the binding's namespace.
    let role_resource = match ref_kind {
        "ClusterRole" => Some("clusterroles"),
        "Role" => Some("roles"),
        _ => None,
    };
    if let Some(role_resource) = role_resource {
        let bind = Attributes {
            name: Some(ref_name),
            ..Attributes::resource("bind", namespace, ref_group, role_resource)
        };
        if index.authorize(user, &bind).allowed {
            return Ok(());
        }
    }
    let rules = match index.role_reference_rules(ref_kind, ref_name, binding_namespace) {
        Ok(rules) => rules,
        Err(MissingRole::UnsupportedKind(kind)) => {
            return Err(ApiError::internal(
                MissingRole::UnsupportedKind(kind).message(ErrorStyle::Registry),
            ));
        }
        Err(MissingRole::Role(name)) => {
            return Err(ApiError::not_found(RBAC_GROUP, "roles", &name));
        }
        Err(MissingRole::ClusterRole(name)) => {
            return Err(ApiError::not_found(RBAC_GROUP, "clusterroles", &name));
        }
    };
    confirm_rules(index, user, binding_namespace, &rules)
        .map_err(|why| forbidden_error(RBAC_GROUP, resource, name_of(object), &why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index() -> RbacIndex {
        let view = json!({"metadata": {"name": "view"}, "rules": [
            {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods", "pods/log"]}]});
        let role_admin = json!({"metadata": {"name": "role-writer"}, "rules": [
            {"verbs": ["create", "update"], "apiGroups": [RBAC_GROUP], "resources": ["roles", "rolebindings"]}]});
        let escalator = json!({"metadata": {"name": "escalator"}, "rules": [
            {"verbs": ["escalate", "create"], "apiGroups": [RBAC_GROUP], "resources": ["roles"]}]});
        let binder = json!({"metadata": {"name": "binder"}, "rules": [
            {"verbs": ["bind"], "apiGroups": [RBAC_GROUP], "resources": ["clusterroles"], "resourceNames": ["admin"]}]});
        let deleter = json!({"metadata": {"name": "deleter", "namespace": "default"}, "rules": [
            {"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]}]});
        let rb = |name: &str, role_kind: &str, role: &str, user: &str| {
            json!({"metadata": {"name": name, "namespace": "default"},
                   "roleRef": {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role},
                   "subjects": [{"kind": "User", "name": user, "apiGroup": RBAC_GROUP}]})
        };
        RbacIndex::build(
            &[deleter],
            &[view, role_admin, escalator, binder],
            &[
                rb("s-view", "ClusterRole", "view", "student"),
                rb("s-writer", "ClusterRole", "role-writer", "student"),
                rb("e-view", "ClusterRole", "view", "esc"),
                rb("e-esc", "ClusterRole", "escalator", "esc"),
                rb("b-bind", "ClusterRole", "binder", "binder"),
            ],
            &[],
        )
    }

    fn student() -> UserInfo {
        UserInfo::new("student", &["podflow:students", "system:authenticated"])
    }

    fn role(rules: Value) -> Value {
        json!({"kind": "Role", "metadata": {"name": "x", "namespace": "default"}, "rules": rules})
    }

    #[test]
    fn a_role_within_held_rights_is_allowed() {
        let rules = [json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]})];
        assert_eq!(
            confirm_no_escalation(&index(), &student(), Some("default"), &rules),
            Ok(())
        );
        let r = role(json!(rules));
        assert_eq!(
            authorize_role_write(
                &index(),
                &student(),
                "Role",
                Some("default"),
                None,
                &r,
                Write::Create
            ),
            Ok(())
        );
    }

    #[test]
    fn a_role_granting_more_is_refused_with_the_real_message() {
        let r =
            role(json!([{"verbs": ["get", "delete"], "apiGroups": [""], "resources": ["pods"]}]));
        let err = authorize_role_write(
            &index(),
            &student(),
            "Role",
            Some("default"),
            None,
            &r,
            Write::Create,
        )
        .err()
        .map(|e| (e.code, e.message));
        assert_eq!(
            err,
            Some((
                403,
                "roles.rbac.authorization.k8s.io \"x\" is forbidden: user \"student\" (groups=[\"podflow:students\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}".to_string()
            ))
        );
    }

    #[test]
    fn missing_rights_are_compacted_and_sorted() {
        let rules = [
            json!({"verbs": ["delete", "create"], "apiGroups": [""], "resources": ["pods", "secrets"]}),
            json!({"verbs": ["get"], "nonResourceURLs": ["/metrics"]}),
            json!({"verbs": ["update"], "apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["a", "b"]}),
        ];
        let err = confirm_no_escalation(&index(), &student(), Some("default"), &rules).err();
        let want = [
            "user \"student\" (groups=[\"podflow:students\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:",
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\" \"create\"]}",
            "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"delete\" \"create\"]}",
            "{APIGroups:[\"apps\"], Resources:[\"deployments\"], ResourceNames:[\"a\"], Verbs:[\"update\"]}",
            "{APIGroups:[\"apps\"], Resources:[\"deployments\"], ResourceNames:[\"b\"], Verbs:[\"update\"]}",
            "{NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}",
        ];
        assert_eq!(err, Some(want.join("\n")));
        // The namespace counts: in another namespace the student holds nothing.
        let read = [json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]})];
        assert!(confirm_no_escalation(&index(), &student(), Some("prod"), &read).is_err());
        assert!(confirm_no_escalation(&index(), &student(), None, &read).is_err());
    }

    #[test]
    fn escalate_verb_and_masters_bypass() {
        let esc = UserInfo::new("esc", &["system:authenticated"]);
        let r = role(json!([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]));
        assert_eq!(
            authorize_role_write(
                &index(),
                &esc,
                "Role",
                Some("default"),
                None,
                &r,
                Write::Create
            ),
            Ok(())
        );
        let admin = UserInfo::new("admin", &["system:masters"]);
        let empty = RbacIndex::build(&[], &[], &[], &[]);
        assert_eq!(
            authorize_role_write(&empty, &admin, "ClusterRole", None, None, &r, Write::Create),
            Ok(())
        );
        assert_eq!(
            authorize_binding_write(
                &empty,
                &admin,
                "ClusterRoleBinding",
                None,
                &json!({"metadata": {"name": "b"}, "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "missing"}}),
                Write::Create
            ),
            Ok(())
        );
    }

    #[test]
    fn updates_that_only_touch_gc_fields_pass() {
        let old = role(json!([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]));
        let mut new = old.clone();
        new["metadata"]["finalizers"] = json!(["example.com/keep"]);
        assert_eq!(
            authorize_role_write(
                &index(),
                &student(),
                "Role",
                Some("default"),
                Some("x"),
                &new,
                Write::Update(&old)
            ),
            Ok(())
        );
        new["metadata"]["labels"] = json!({"a": "b"});
        assert!(
            authorize_role_write(
                &index(),
                &student(),
                "Role",
                Some("default"),
                Some("x"),
                &new,
                Write::Update(&old)
            )
            .is_err()
        );
    }

    #[test]
    fn bindings_need_the_rules_or_bind() {
        let binding = |kind: &str, name: &str| {
            json!({"metadata": {"name": "b", "namespace": "default"},
                   "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": name},
                   "subjects": [{"kind": "User", "name": "friend"}]})
        };
        // The student holds view: binding it is fine; binding a Role that deletes pods is not.
        assert_eq!(
            authorize_binding_write(
                &index(),
                &student(),
                "RoleBinding",
                Some("default"),
                &binding("ClusterRole", "view"),
                Write::Create
            ),
            Ok(())
        );
        let err = authorize_binding_write(
            &index(),
            &student(),
            "RoleBinding",
            Some("default"),
            &binding("Role", "deleter"),
            Write::Create,
        )
        .err()
        .map(|e| e.message);
        assert_eq!(
            err.as_deref(),
            Some(
                "rolebindings.rbac.authorization.k8s.io \"b\" is forbidden: user \"student\" (groups=[\"podflow:students\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}"
            )
        );
        // A missing role is a 404 for anyone but masters and holders of bind.
        let err = authorize_binding_write(
            &index(),
            &student(),
            "RoleBinding",
            Some("default"),
            &binding("ClusterRole", "nope"),
            Write::Create,
        )
        .err()
        .map(|e| (e.code, e.message));
        assert_eq!(
            err,
            Some((
                404,
                "clusterroles.rbac.authorization.k8s.io \"nope\" not found".to_string()
            ))
        );
        // `bind` on the named ClusterRole is enough, even for rights the binder lacks.
        let binder = UserInfo::new("binder", &[]);
        assert_eq!(
            authorize_binding_write(
                &index(),
                &binder,
                "RoleBinding",
                Some("default"),
                &binding("ClusterRole", "admin"),
                Write::Create
            ),
            Ok(())
        );
        assert!(
            authorize_binding_write(
                &index(),
                &binder,
                "RoleBinding",
                Some("default"),
                &binding("ClusterRole", "view"),
                Write::Create
            )
            .is_err()
        );
        let err = authorize_binding_write(
            &index(),
            &student(),
            "RoleBinding",
            Some("default"),
            &binding("Bogus", "x"),
            Write::Create,
        )
        .err()
        .map(|e| (e.code, e.message));
        assert_eq!(
            err,
            Some((
                500,
                "Internal error occurred: unsupported role reference kind: \"Bogus\"".to_string()
            ))
        );
    }
}
