//! The authorization API's answers (`pkg/registry/authorization`): the `status` of a
//! SelfSubjectRulesReview (`kubectl auth can-i --list`) from the union rule resolver (Node, then
//! RBAC), the `status` of an access review (`kubectl auth can-i`), and the identity and
//! attributes a SubjectAccessReview asks about (`authorizationutil.AuthorizationAttributesFrom`).

use serde_json::{Map, Value, json};

use super::index::{ErrorStyle, aggregate};
use super::node::node_identity;
use super::{Attributes, Decision, RbacIndex};
use crate::apiserver::authn::UserInfo;

impl RbacIndex {
    /// `SubjectRulesReviewStatus` for `user` in `namespace`: every rule its bindings grant there
    /// (resource rules and non-resource rules apart, cluster-wide ones first), `incomplete` and
    /// `evaluationError` as the union of the Node and RBAC resolvers report them. A kubelet's
    /// list is incomplete: the Node authorizer cannot enumerate its permissions.
    pub fn rules_review(&self, user: &UserInfo, namespace: &str) -> Value {
        let (rules, mut errors) = self.rules_for(user, namespace, ErrorStyle::Lister);
        let node = node_identity(user).is_some();
        if node {
            errors.insert(
                0,
                "node authorizer does not support user rule resolution".to_string(),
            );
        }
        let resource_rules: Vec<Value> = rules
            .iter()
            .filter(|r| !r.resources.is_empty())
            .map(|r| {
                let mut out = Map::new();
                out.insert("verbs".to_string(), json!(r.verbs));
                for (key, list) in [
                    ("apiGroups", &r.api_groups),
                    ("resources", &r.resources),
                    ("resourceNames", &r.resource_names),
                ] {
                    if !list.is_empty() {
                        out.insert(key.to_string(), json!(list));
                    }
                }
                Value::Object(out)
            })
            .collect();
        let non_resource_rules: Vec<Value> = rules
            .iter()
            .filter(|r| !r.non_resource_urls.is_empty())
            .map(|r| json!({"verbs": r.verbs, "nonResourceURLs": r.non_resource_urls}))
            .collect();
        let mut status = json!({
            "resourceRules": resource_rules,
            "nonResourceRules": non_resource_rules,
            "incomplete": node,
        });
        if !errors.is_empty() {
            status["evaluationError"] = json!(aggregate(&errors));
        }
        status
    }
}

/// `SubjectAccessReviewStatus`: `{"allowed": true, "reason": "…"}`; a denial is
/// `{"allowed": false}` with the reason only when an authorizer gave one.
pub fn access_review_status(decision: &Decision) -> Value {
    let mut status = json!({"allowed": decision.allowed});
    if !decision.reason.is_empty() {
        status["reason"] = json!(decision.reason);
    }
    status
}

/// The user a SubjectAccessReview asks about: `spec.user`, `spec.groups`, `spec.uid`, taken as
/// given (no `system:authenticated` is added). `spec.extra` does not reach RBAC and `UserInfo`
/// has no place for it: echo the request's spec to keep it.
pub fn user_from_subject_access_review_spec(spec: &Value) -> UserInfo {
    let text = |k: &str| {
        spec.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    UserInfo {
        name: text("user"),
        uid: text("uid"),
        groups: spec
            .get("groups")
            .and_then(Value::as_array)
            .map(|g| {
                g.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The attributes of an access review's `spec` (SelfSubjectAccessReview, SubjectAccessReview,
/// LocalSubjectAccessReview): `resourceAttributes` (namespace, verb, group, resource,
/// subresource, name, `fieldSelector.rawSelector`) or else `nonResourceAttributes` (path, verb).
/// None when the spec has neither (the API answers that with a 422).
pub fn attributes_from_review_spec(spec: &Value) -> Option<Attributes<'_>> {
    if let Some(ra) = spec.get("resourceAttributes").filter(|v| v.is_object()) {
        return Some(Attributes {
            verb: non_empty(ra, "verb").unwrap_or_default(),
            is_resource_request: true,
            namespace: non_empty(ra, "namespace"),
            api_group: non_empty(ra, "group").unwrap_or_default(),
            resource: non_empty(ra, "resource").unwrap_or_default(),
            subresource: non_empty(ra, "subresource"),
            name: non_empty(ra, "name"),
            path: "",
            field_selector: ra
                .get("fieldSelector")
                .and_then(|f| non_empty(f, "rawSelector")),
        });
    }
    let nra = spec
        .get("nonResourceAttributes")
        .filter(|v| v.is_object())?;
    Some(Attributes::non_resource(
        non_empty(nra, "verb").unwrap_or_default(),
        non_empty(nra, "path").unwrap_or_default(),
    ))
}

/// A string field, None when missing, empty or not a string.
fn non_empty<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::super::RBAC_GROUP;
    use super::super::tests::bootstrap_index;
    use super::*;

    #[test]
    fn the_students_rules_in_default() {
        let student = UserInfo::new("student", &["system:authenticated"]);
        let status = bootstrap_index().rules_review(&student, "default");
        assert_eq!(status["incomplete"], json!(false));
        assert!(status.get("evaluationError").is_none());
        let resource_rules = status["resourceRules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // system:basic-user first (ClusterRoleBindings by name), then view from student-view.
        assert_eq!(
            resource_rules[0],
            json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                   "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]})
        );
        assert!(resource_rules.iter().any(|r| {
            r["resources"]
                .as_array()
                .is_some_and(|rs| rs.contains(&json!("pods")))
                && r["verbs"] == json!(["get", "list", "watch"])
        }));
        let non_resource = status["nonResourceRules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            non_resource[0],
            json!({"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                   "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]})
        );
        assert_eq!(non_resource.len(), 2);
        // Elsewhere only the cluster-wide rules remain.
        let elsewhere = bootstrap_index().rules_review(&student, "kube-system");
        assert_eq!(elsewhere["resourceRules"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn masters_list_cluster_admin_and_nodes_are_incomplete() {
        let admin = UserInfo::new("admin", &["system:masters", "system:authenticated"]);
        let status = bootstrap_index().rules_review(&admin, "default");
        assert_eq!(
            status["resourceRules"][0],
            json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})
        );
        assert_eq!(
            status["nonResourceRules"][0],
            json!({"verbs": ["*"], "nonResourceURLs": ["*"]})
        );
        let kubelet = UserInfo::new("system:node:n1", &["system:nodes", "system:authenticated"]);
        let status = bootstrap_index().rules_review(&kubelet, "default");
        assert_eq!(status["incomplete"], json!(true));
        assert_eq!(
            status["evaluationError"],
            json!("node authorizer does not support user rule resolution")
        );
        let anonymous = bootstrap_index().rules_review(&UserInfo::anonymous(), "default");
        assert_eq!(anonymous["resourceRules"], json!([]));
        assert_eq!(
            anonymous["nonResourceRules"],
            json!([{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]}])
        );
    }

    #[test]
    fn missing_roles_become_the_evaluation_error() {
        let index = RbacIndex::build(
            &[],
            &[],
            &[json!({"metadata": {"name": "b", "namespace": "dev"},
                     "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": "gone"},
                     "subjects": [{"kind": "User", "name": "u"}]})],
            &[],
        );
        let status = index.rules_review(&UserInfo::new("u", &[]), "dev");
        assert_eq!(
            status,
            json!({"resourceRules": [], "nonResourceRules": [], "incomplete": false,
                   "evaluationError": "role.rbac.authorization.k8s.io \"gone\" not found"})
        );
    }

    #[test]
    fn access_review_status_shape() {
        let yes = Decision {
            allowed: true,
            reason: "RBAC: allowed by x".to_string(),
        };
        assert_eq!(
            access_review_status(&yes),
            json!({"allowed": true, "reason": "RBAC: allowed by x"})
        );
        let no = Decision {
            allowed: false,
            reason: String::new(),
        };
        assert_eq!(access_review_status(&no), json!({"allowed": false}));
    }

    #[test]
    fn subject_access_review_specs() {
        let spec = json!({"user": "student", "groups": ["g1", 7, "g2"], "uid": "u-1", "extra": {"k": ["v"]},
                          "resourceAttributes": {"namespace": "default", "verb": "delete", "group": "",
                                                 "version": "v1", "resource": "pods", "subresource": "",
                                                 "name": "web"}});
        let user = user_from_subject_access_review_spec(&spec);
        assert_eq!(
            (user.name.as_str(), user.uid.as_str(), user.groups),
            ("student", "u-1", vec!["g1".to_string(), "g2".to_string()])
        );
        let attrs = attributes_from_review_spec(&spec);
        assert_eq!(
            attrs,
            Some(Attributes {
                name: Some("web"),
                ..Attributes::resource("delete", Some("default"), "", "pods")
            })
        );
        let path = json!({"nonResourceAttributes": {"path": "/version", "verb": "get"}});
        assert_eq!(
            attributes_from_review_spec(&path),
            Some(Attributes::non_resource("get", "/version"))
        );
        assert_eq!(attributes_from_review_spec(&json!({})), None);
        assert_eq!(attributes_from_review_spec(&json!(null)), None);
        assert_eq!(
            user_from_subject_access_review_spec(&json!(5)),
            UserInfo::default()
        );
        let selector = json!({"resourceAttributes": {"verb": "list", "resource": "pods",
                              "fieldSelector": {"rawSelector": "spec.nodeName=n1"}}});
        assert_eq!(
            attributes_from_review_spec(&selector).and_then(|a| a.field_selector),
            Some("spec.nodeName=n1")
        );
        // The decision for the student through the index.
        let index = bootstrap_index();
        let decision = index.authorize(
            &user_from_subject_access_review_spec(&json!({"user": "student"})),
            &attributes_from_review_spec(&spec).unwrap_or_default(),
        );
        assert_eq!(access_review_status(&decision), json!({"allowed": false}));
    }
}
