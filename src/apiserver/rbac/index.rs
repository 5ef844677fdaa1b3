//! The RBAC authorizer (`plugin/pkg/auth/authorizer/rbac/rbac.go`) over an index of the stored
//! Roles, ClusterRoles, RoleBindings and ClusterRoleBindings. Bindings are resolved to their
//! role's rules once, when the index is built, and indexed by subject (user name, group name,
//! a service account's user name) and scope (cluster, or the binding's namespace), so a decision
//! looks up only the bindings that name the user or one of its groups. Visiting order is the
//! real resolver's (`VisitRulesFor`): ClusterRoleBindings, then RoleBindings of the request's
//! namespace, each sorted by name, so the reason names the same binding every time.

use crate::api::pointer::str_at;
use std::sync::Arc;

use serde_json::Value;

use super::rule::{CompiledRule, PolicyRule, verb_bit};
use super::{Attributes, Decision, FxHashMap, RBAC_GROUP, service_account_username};
use crate::api::validation::go_quote;
use crate::apiserver::authn::UserInfo;

/// Roles and bindings as RBAC evaluates them. Rebuild it whenever an RBAC object changes (about
/// 0.2 ms for the bootstrap policy, release build); a decision takes 0.1–0.3 µs.
#[derive(Debug, Default)]
pub struct RbacIndex {
    /// Roles by namespace, then name.
    roles: FxHashMap<String, FxHashMap<String, Arc<[CompiledRule]>>>,
    cluster_roles: FxHashMap<String, Arc<[CompiledRule]>>,
    /// ClusterRoleBindings by name, then RoleBindings by namespace and name: a binding's position
    /// here is its visiting order.
    bindings: Vec<Binding>,
    /// Subjects of ClusterRoleBindings.
    cluster_subjects: SubjectIndex,
    /// Subjects of RoleBindings, by the binding's namespace.
    namespace_subjects: FxHashMap<String, SubjectIndex>,
}

#[derive(Debug)]
struct Binding {
    /// The role's rules, or why the reference does not resolve (a binding to a missing role is
    /// accepted by the API and grants nothing).
    rules: Result<Arc<[CompiledRule]>, MissingRole>,
    /// `RBAC: allowed by …` for each subject, in subject order.
    reasons: Vec<String>,
}

/// A role reference that does not resolve, as `GetRoleReferenceRules` fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MissingRole {
    Role(String),
    ClusterRole(String),
    UnsupportedKind(String),
}

/// Which not-found wording to use: the authorizer reads roles through informer listers
/// (`role.rbac.authorization.k8s.io "x" not found`); the RBAC registry's escalation checks read
/// them from storage (`roles.rbac.authorization.k8s.io "x" not found`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorStyle {
    Lister,
    Registry,
}

impl MissingRole {
    pub(crate) fn message(&self, style: ErrorStyle) -> String {
        let (resource, name) = match (self, style) {
            (MissingRole::UnsupportedKind(kind), _) => {
                return format!("unsupported role reference kind: {}", go_quote(kind));
            }
            (MissingRole::Role(name), ErrorStyle::Lister) => ("role", name),
            (MissingRole::Role(name), ErrorStyle::Registry) => ("roles", name),
            (MissingRole::ClusterRole(name), ErrorStyle::Lister) => ("clusterrole", name),
            (MissingRole::ClusterRole(name), ErrorStyle::Registry) => ("clusterroles", name),
        };
        format!("{resource}.{RBAC_GROUP} {} not found", go_quote(name))
    }
}

/// One subject of one binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SubjectRef {
    binding: u32,
    subject: u32,
}

/// Bindings by the subject they name, each list sorted by (binding, subject).
#[derive(Debug, Default)]
struct SubjectIndex {
    /// Users, and service accounts by their user name.
    users: FxHashMap<String, Vec<SubjectRef>>,
    groups: FxHashMap<String, Vec<SubjectRef>>,
}

impl SubjectIndex {
    fn lists<'a>(&'a self, user: &'a UserInfo) -> impl Iterator<Item = &'a [SubjectRef]> + 'a {
        let by_name = self.users.get(user.name.as_str()).map(Vec::as_slice);
        let by_group = user
            .groups
            .iter()
            .filter_map(|g| self.groups.get(g.as_str()).map(Vec::as_slice));
        by_name.into_iter().chain(by_group)
    }
}

fn compile(role: &Value) -> Arc<[CompiledRule]> {
    PolicyRule::list_from_json(role)
        .into_iter()
        .map(CompiledRule::new)
        .collect()
}

impl RbacIndex {
    /// Indexes the objects as the API stores them (JSON). Anything malformed reads as Go's zero
    /// values: a binding without a valid reference grants nothing.
    pub fn build(
        roles: &[Value],
        cluster_roles: &[Value],
        role_bindings: &[Value],
        cluster_role_bindings: &[Value],
    ) -> RbacIndex {
        let mut index = RbacIndex::default();
        for role in roles {
            index
                .roles
                .entry(str_at(role, "/metadata/namespace").to_string())
                .or_default()
                .insert(str_at(role, "/metadata/name").to_string(), compile(role));
        }
        for role in cluster_roles {
            index
                .cluster_roles
                .insert(str_at(role, "/metadata/name").to_string(), compile(role));
        }
        let mut cluster: Vec<&Value> = cluster_role_bindings.iter().collect();
        cluster.sort_by_key(|b| str_at(b, "/metadata/name"));
        let mut namespaced: Vec<&Value> = role_bindings.iter().collect();
        namespaced.sort_by_key(|b| {
            (
                str_at(b, "/metadata/namespace"),
                str_at(b, "/metadata/name"),
            )
        });
        for binding in cluster {
            index.add_binding(binding, None);
        }
        for binding in namespaced {
            let namespace = str_at(binding, "/metadata/namespace").to_string();
            index.add_binding(binding, Some(namespace));
        }
        index
    }

    fn add_binding(&mut self, binding: &Value, namespace: Option<String>) {
        let position = self.bindings.len() as u32;
        let name = str_at(binding, "/metadata/name");
        let ref_kind = str_at(binding, "/roleRef/kind");
        let ref_name = str_at(binding, "/roleRef/name");
        let rules = self.resolve(ref_kind, ref_name, namespace.as_deref().unwrap_or_default());
        let subjects = binding
            .get("subjects")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let source = match &namespace {
            None => format!(
                "ClusterRoleBinding {} of {ref_kind} {}",
                go_quote(name),
                go_quote(ref_name)
            ),
            Some(ns) => format!(
                "RoleBinding {} of {ref_kind} {}",
                go_quote(&format!("{name}/{ns}")),
                go_quote(ref_name)
            ),
        };
        let mut reasons = Vec::with_capacity(subjects.len());
        for (i, subject) in subjects.iter().enumerate() {
            let kind = str_at(subject, "/kind");
            let subject_name = str_at(subject, "/name");
            let subject_ns = str_at(subject, "/namespace");
            reasons.push(format!(
                "RBAC: allowed by {source} to {}",
                describe_subject(kind, subject_name, subject_ns, namespace.as_deref())
            ));
            let entry = SubjectRef {
                binding: position,
                subject: i as u32,
            };
            let scope = match &namespace {
                None => &mut self.cluster_subjects,
                Some(ns) => self.namespace_subjects.entry(ns.clone()).or_default(),
            };
            match kind {
                "User" => scope
                    .users
                    .entry(subject_name.to_string())
                    .or_default()
                    .push(entry),
                "Group" => scope
                    .groups
                    .entry(subject_name.to_string())
                    .or_default()
                    .push(entry),
                "ServiceAccount" => {
                    // `appliesToUser`: an unqualified service account is in the binding's
                    // namespace; one with no namespace at all matches nobody.
                    let sa_ns = if subject_ns.is_empty() {
                        namespace.as_deref().unwrap_or_default()
                    } else {
                        subject_ns
                    };
                    if !sa_ns.is_empty() {
                        scope
                            .users
                            .entry(service_account_username(sa_ns, subject_name))
                            .or_default()
                            .push(entry);
                    }
                }
                _ => {}
            }
        }
        self.bindings.push(Binding { rules, reasons });
    }

    /// `GetRoleReferenceRules`: a Role in the binding's namespace, or a ClusterRole.
    fn resolve(
        &self,
        kind: &str,
        name: &str,
        binding_namespace: &str,
    ) -> Result<Arc<[CompiledRule]>, MissingRole> {
        match kind {
            "Role" => self
                .roles
                .get(binding_namespace)
                .and_then(|roles| roles.get(name))
                .cloned()
                .ok_or_else(|| MissingRole::Role(name.to_string())),
            "ClusterRole" => self
                .cluster_roles
                .get(name)
                .cloned()
                .ok_or_else(|| MissingRole::ClusterRole(name.to_string())),
            other => Err(MissingRole::UnsupportedKind(other.to_string())),
        }
    }

    /// The subject lists that may name `user` for a request in `namespace` ("" = cluster scope).
    fn candidate_lists<'a>(
        &'a self,
        user: &'a UserInfo,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a [SubjectRef]> + 'a {
        let local = if namespace.is_empty() {
            None
        } else {
            self.namespace_subjects.get(namespace)
        };
        self.cluster_subjects
            .lists(user)
            .chain(local.into_iter().flat_map(move |s| s.lists(user)))
    }

    /// `RBACAuthorizer.Authorize`. Allowed: the reason names the first binding (in visiting
    /// order) whose rules grant the request, with the first of its subjects that names the user.
    /// Denied: the reason is empty, unless bindings that apply to the user point at missing
    /// roles (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
    pub fn authorize(&self, user: &UserInfo, attrs: &Attributes) -> Decision {
        let namespace = attrs.namespace_or_empty();
        let verb = verb_bit(attrs.verb);
        // The earliest allowing (binding, subject) so far; later bindings cannot beat it.
        let mut best: Option<SubjectRef> = None;
        // Whether an applicable binding points at a missing role: only then is a denial's
        // reason worth a second pass.
        let mut missing = false;
        for list in self.candidate_lists(user, namespace) {
            for entry in list {
                if let Some(b) = best {
                    if entry.binding > b.binding {
                        break;
                    }
                    if entry.binding == b.binding {
                        if entry.subject < b.subject {
                            best = Some(*entry);
                        }
                        continue;
                    }
                }
                match &self.bindings[entry.binding as usize].rules {
                    Ok(rules) if rules.iter().any(|r| r.allows(attrs, verb)) => {
                        best = Some(*entry);
                        break;
                    }
                    Ok(_) => {}
                    Err(_) => missing = true,
                }
            }
        }
        match best {
            Some(b) => Decision {
                allowed: true,
                reason: self.bindings[b.binding as usize].reasons[b.subject as usize].clone(),
            },
            None if missing => {
                let errors = self.resolution_errors(user, namespace, ErrorStyle::Lister);
                Decision {
                    allowed: false,
                    reason: format!("RBAC: {}", aggregate(&errors)),
                }
            }
            None => Decision {
                allowed: false,
                reason: String::new(),
            },
        }
    }

    /// The bindings that apply to `user` in `namespace`, each once, in visiting order.
    fn applicable(&self, user: &UserInfo, namespace: &str) -> Vec<&Binding> {
        let mut positions: Vec<u32> = self
            .candidate_lists(user, namespace)
            .flat_map(|list| list.iter().map(|e| e.binding))
            .collect();
        positions.sort_unstable();
        positions.dedup();
        positions
            .into_iter()
            .map(|p| &self.bindings[p as usize])
            .collect()
    }

    fn resolution_errors(
        &self,
        user: &UserInfo,
        namespace: &str,
        style: ErrorStyle,
    ) -> Vec<String> {
        self.applicable(user, namespace)
            .into_iter()
            .filter_map(|b| b.rules.as_ref().err().map(|m| m.message(style)))
            .collect()
    }

    /// `RulesFor`: every rule granted to `user` in `namespace` (cluster-wide ones first), and the
    /// messages of references that did not resolve.
    pub(crate) fn rules_for(
        &self,
        user: &UserInfo,
        namespace: &str,
        style: ErrorStyle,
    ) -> (Vec<&PolicyRule>, Vec<String>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for binding in self.applicable(user, namespace) {
            match &binding.rules {
                Ok(granted) => rules.extend(granted.iter().map(|c| &c.rule)),
                Err(missing) => errors.push(missing.message(style)),
            }
        }
        (rules, errors)
    }

    /// `GetRoleReferenceRules` for a binding about to be written (registry wording).
    pub(crate) fn role_reference_rules(
        &self,
        kind: &str,
        name: &str,
        binding_namespace: &str,
    ) -> Result<Vec<PolicyRule>, MissingRole> {
        self.resolve(kind, name, binding_namespace)
            .map(|rules| rules.iter().map(|c| c.rule.clone()).collect())
    }

    /// How many bindings are indexed (ClusterRoleBindings and RoleBindings).
    pub fn binding_count(&self) -> usize {
        self.bindings.len()
    }
}

/// `describeSubject`: `User "student"`, `Group "system:masters"`, `ServiceAccount "name/ns"`.
fn describe_subject(kind: &str, name: &str, namespace: &str, binding_ns: Option<&str>) -> String {
    if kind == "ServiceAccount" {
        let ns = if namespace.is_empty() {
            binding_ns.unwrap_or_default()
        } else {
            namespace
        };
        format!("{kind} {}", go_quote(&format!("{name}/{ns}")))
    } else {
        format!("{kind} {}", go_quote(name))
    }
}

/// `utilerrors.NewAggregate(errs).Error()`: one message alone, several deduplicated in order
/// within brackets.
pub(crate) fn aggregate(messages: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for m in messages {
        if !seen.contains(&m.as_str()) {
            seen.push(m);
        }
    }
    match seen.as_slice() {
        [one] => one.to_string(),
        many => format!("[{}]", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::bootstrap;
    use super::super::tests::bootstrap_index;
    use super::*;
    use serde_json::json;

    fn role(ns: &str, name: &str, rules: Value) -> Value {
        json!({"kind": "Role", "metadata": {"namespace": ns, "name": name}, "rules": rules})
    }

    fn cluster_role(name: &str, rules: Value) -> Value {
        json!({"kind": "ClusterRole", "metadata": {"name": name}, "rules": rules})
    }

    fn binding(ns: Option<&str>, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
        let mut b = json!({
            "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": role},
            "subjects": subjects,
        });
        if let Some(ns) = ns {
            b["metadata"]["namespace"] = json!(ns);
        }
        b
    }

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo::new(name, groups)
    }

    fn pods<'a>(verb: &'a str, ns: &'a str) -> Attributes<'a> {
        Attributes::resource(verb, Some(ns), "", "pods")
    }

    fn reader() -> Value {
        json!([{"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods"]}])
    }

    #[test]
    fn bindings_apply_by_user_group_and_service_account() {
        let index = RbacIndex::build(
            &[],
            &[cluster_role("reader", reader())],
            &[
                binding(
                    Some("dev"),
                    "by-user",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "User", "name": "alice", "apiGroup": RBAC_GROUP}]),
                ),
                binding(
                    Some("dev"),
                    "by-group",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "Group", "name": "team", "apiGroup": RBAC_GROUP}]),
                ),
                binding(
                    Some("dev"),
                    "by-sa",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "ServiceAccount", "name": "bot"}]),
                ),
                binding(
                    Some("dev"),
                    "by-sa-group",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "Group", "name": "system:serviceaccounts:ci"}]),
                ),
            ],
            &[],
        );
        let get = pods("get", "dev");
        let alice = index.authorize(&user("alice", &[]), &get);
        assert_eq!(
            alice.reason,
            "RBAC: allowed by RoleBinding \"by-user/dev\" of ClusterRole \"reader\" to User \"alice\""
        );
        let bob = index.authorize(&user("bob", &["team"]), &get);
        assert_eq!(
            bob.reason,
            "RBAC: allowed by RoleBinding \"by-group/dev\" of ClusterRole \"reader\" to Group \"team\""
        );
        // An unqualified service account subject is in the binding's namespace.
        let bot = index.authorize(&user("system:serviceaccount:dev:bot", &[]), &get);
        assert_eq!(
            bot.reason,
            "RBAC: allowed by RoleBinding \"by-sa/dev\" of ClusterRole \"reader\" to ServiceAccount \"bot/dev\""
        );
        assert!(
            !index
                .authorize(&user("system:serviceaccount:other:bot", &[]), &get)
                .allowed
        );
        // Service accounts reach group bindings through the groups their token carries.
        let ci = super::super::service_account_user("ci", "runner");
        assert!(index.authorize(&ci, &get).allowed);
        assert!(
            !index
                .authorize(&user("carol", &["system:authenticated"]), &get)
                .allowed
        );
    }

    #[test]
    fn a_role_binding_grants_a_cluster_role_in_its_namespace_only() {
        let index = RbacIndex::build(
            &[role(
                "dev",
                "local",
                json!([{"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]}]),
            )],
            &[cluster_role("reader", reader())],
            &[
                binding(
                    Some("dev"),
                    "read",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
                binding(
                    Some("dev"),
                    "del",
                    "Role",
                    "local",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
                // A Role reference resolves in the binding's own namespace only.
                binding(
                    Some("prod"),
                    "del",
                    "Role",
                    "local",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
            ],
            &[],
        );
        let alice = user("alice", &[]);
        assert!(index.authorize(&alice, &pods("list", "dev")).allowed);
        assert!(index.authorize(&alice, &pods("delete", "dev")).allowed);
        assert!(!index.authorize(&alice, &pods("list", "prod")).allowed);
        assert!(!index.authorize(&alice, &pods("delete", "prod")).allowed);
        // Nor at the cluster scope (list pods across all namespaces).
        let all = Attributes::resource("list", None, "", "pods");
        assert!(!index.authorize(&alice, &all).allowed);
        // A ClusterRoleBinding grants everywhere.
        let index = RbacIndex::build(
            &[],
            &[cluster_role("reader", reader())],
            &[],
            &[binding(
                None,
                "everywhere",
                "ClusterRole",
                "reader",
                json!([{"kind": "User", "name": "alice"}]),
            )],
        );
        assert!(index.authorize(&alice, &pods("get", "anything")).allowed);
        assert!(index.authorize(&alice, &all).allowed);
    }

    #[test]
    fn missing_roles_grant_nothing_and_show_in_the_denial() {
        let index = RbacIndex::build(
            &[],
            &[cluster_role("reader", reader())],
            &[
                binding(
                    Some("dev"),
                    "a",
                    "Role",
                    "gone",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
                binding(
                    Some("dev"),
                    "b",
                    "ClusterRole",
                    "vanished",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
                binding(
                    Some("dev"),
                    "c",
                    "ClusterRole",
                    "vanished",
                    json!([{"kind": "Group", "name": "g"}]),
                ),
                binding(
                    Some("dev"),
                    "d",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "User", "name": "alice"}]),
                ),
            ],
            &[],
        );
        let alice = user("alice", &["g"]);
        assert!(index.authorize(&alice, &pods("get", "dev")).allowed);
        let denied = index.authorize(&alice, &pods("delete", "dev"));
        assert!(!denied.allowed);
        assert_eq!(
            denied.reason,
            "RBAC: [role.rbac.authorization.k8s.io \"gone\" not found, clusterrole.rbac.authorization.k8s.io \"vanished\" not found]"
        );
        // Only bindings that apply to the user count.
        let bob = index.authorize(&user("bob", &[]), &pods("get", "dev"));
        assert_eq!((bob.allowed, bob.reason.as_str()), (false, ""));
        let carol = index.authorize(&user("carol", &["g"]), &pods("get", "dev"));
        assert_eq!(
            carol.reason,
            "RBAC: clusterrole.rbac.authorization.k8s.io \"vanished\" not found"
        );
    }

    #[test]
    fn the_first_binding_in_visiting_order_names_the_reason() {
        let index = RbacIndex::build(
            &[],
            &[cluster_role("reader", reader())],
            &[binding(
                Some("dev"),
                "aaa",
                "ClusterRole",
                "reader",
                json!([{"kind": "User", "name": "alice"}]),
            )],
            &[
                binding(
                    None,
                    "zzz",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "Group", "name": "g"}, {"kind": "User", "name": "alice"}]),
                ),
                binding(
                    None,
                    "mmm",
                    "ClusterRole",
                    "reader",
                    json!([{"kind": "User", "name": "nobody"}, {"kind": "Group", "name": "g"}]),
                ),
            ],
        );
        // ClusterRoleBindings come first, by name; within one, the first matching subject.
        let d = index.authorize(&user("alice", &["g"]), &pods("get", "dev"));
        assert_eq!(
            d.reason,
            "RBAC: allowed by ClusterRoleBinding \"mmm\" of ClusterRole \"reader\" to Group \"g\""
        );
        let d = index.authorize(&user("alice", &[]), &pods("get", "dev"));
        assert_eq!(
            d.reason,
            "RBAC: allowed by ClusterRoleBinding \"zzz\" of ClusterRole \"reader\" to User \"alice\""
        );
        let index = RbacIndex::build(
            &[],
            &[cluster_role("reader", reader())],
            &[],
            &[binding(
                None,
                "both",
                "ClusterRole",
                "reader",
                json!([{"kind": "Group", "name": "g"}, {"kind": "User", "name": "alice"}]),
            )],
        );
        let d = index.authorize(&user("alice", &["g"]), &pods("get", "dev"));
        assert!(d.reason.ends_with("to Group \"g\""), "{}", d.reason);
    }

    #[test]
    fn the_student_reads_pods_in_default_only() {
        let index = bootstrap_index();
        let student = user("student", &["podflow:students", "system:authenticated"]);
        for verb in ["get", "list", "watch"] {
            let d = index.authorize(&student, &pods(verb, "default"));
            assert!(d.allowed, "{verb}");
            assert_eq!(
                d.reason,
                "RBAC: allowed by RoleBinding \"student-view/default\" of ClusterRole \"view\" to User \"student\""
            );
        }
        assert_eq!(
            index.authorize(&student, &pods("delete", "default")),
            Decision {
                allowed: false,
                reason: String::new()
            }
        );
        assert!(
            !index
                .authorize(&student, &pods("create", "default"))
                .allowed
        );
        assert!(
            !index
                .authorize(&student, &pods("get", "kube-system"))
                .allowed
        );
        let logs = Attributes {
            subresource: Some("log"),
            name: Some("web"),
            ..pods("get", "default")
        };
        assert!(index.authorize(&student, &logs).allowed);
        // view does not read secrets, nor RBAC objects.
        let secrets = Attributes::resource("get", Some("default"), "", "secrets");
        assert!(!index.authorize(&student, &secrets).allowed);
        let roles = Attributes::resource("list", Some("default"), RBAC_GROUP, "roles");
        assert!(!index.authorize(&student, &roles).allowed);
        // Every authenticated user may ask what it can do, and read discovery.
        let ssar = Attributes::resource(
            "create",
            None,
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
        );
        assert!(index.authorize(&student, &ssar).allowed);
        assert!(
            index
                .authorize(&student, &Attributes::non_resource("get", "/apis/apps/v1"))
                .allowed
        );
    }

    #[test]
    fn anonymous_reads_public_info_only() {
        let index = bootstrap_index();
        let anonymous = UserInfo::anonymous();
        for path in ["/version", "/version/", "/healthz", "/livez", "/readyz"] {
            let d = index.authorize(&anonymous, &Attributes::non_resource("get", path));
            assert!(d.allowed, "{path}");
            assert_eq!(
                d.reason,
                "RBAC: allowed by ClusterRoleBinding \"system:public-info-viewer\" of ClusterRole \"system:public-info-viewer\" to Group \"system:unauthenticated\""
            );
        }
        for path in ["/api", "/apis", "/openapi/v3", "/metrics", "/healthz/etcd"] {
            assert!(
                !index
                    .authorize(&anonymous, &Attributes::non_resource("get", path))
                    .allowed,
                "{path}"
            );
        }
        assert!(
            !index
                .authorize(&anonymous, &Attributes::non_resource("post", "/version"))
                .allowed
        );
        assert!(
            !index
                .authorize(&anonymous, &pods("list", "default"))
                .allowed
        );
        let ssar = Attributes::resource(
            "create",
            None,
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
        );
        assert!(!index.authorize(&anonymous, &ssar).allowed);
    }

    #[test]
    fn masters_are_allowed_by_the_bootstrap_cluster_admin_binding() {
        let index = bootstrap_index();
        let admin = user("admin", &["system:masters", "system:authenticated"]);
        for attrs in [
            pods("delete", "kube-system"),
            Attributes::resource("escalate", None, RBAC_GROUP, "clusterroles"),
            Attributes::non_resource("get", "/metrics"),
        ] {
            let d = index.authorize(&admin, &attrs);
            assert!(d.allowed);
            assert_eq!(
                d.reason,
                "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\""
            );
        }
    }

    #[test]
    fn components_hold_their_bootstrap_roles() {
        let index = bootstrap_index();
        let scheduler = user("system:kube-scheduler", &["system:authenticated"]);
        let bind = Attributes {
            subresource: Some("binding"),
            name: Some("web"),
            ..pods("create", "default")
        };
        assert!(index.authorize(&scheduler, &bind).allowed);
        assert!(
            index
                .authorize(
                    &scheduler,
                    &Attributes::resource("watch", None, "", "nodes")
                )
                .allowed
        );
        assert!(
            !index
                .authorize(&scheduler, &pods("create", "default"))
                .allowed
        );
        let kcm = user("system:kube-controller-manager", &["system:authenticated"]);
        for (verb, group, resource, sub) in [
            ("create", "", "pods", None),
            ("create", "apps", "replicasets", None),
            ("update", "apps", "deployments", Some("status")),
            ("update", "apps", "replicasets", Some("status")),
            ("patch", "", "nodes", Some("status")),
            ("create", "", "serviceaccounts", None),
            ("create", "", "events", None),
            ("watch", "coordination.k8s.io", "leases", None),
            ("delete", "", "pods", None),
        ] {
            let attrs = Attributes {
                subresource: sub,
                ..Attributes::resource(verb, Some("default"), group, resource)
            };
            assert!(
                index.authorize(&kcm, &attrs).allowed,
                "{verb} {resource} {sub:?}"
            );
        }
        // Nodes get nothing from RBAC: the system:node binding has no subjects.
        let kubelet = user("system:node:n1", &["system:nodes", "system:authenticated"]);
        assert!(!index.authorize(&kubelet, &pods("get", "default")).allowed);
    }

    /// `cargo test --release -- --ignored --nocapture decisions_are_fast`: a million decisions
    /// over the bootstrap policy, the mix a pipeline run makes (admins, components, the student,
    /// anonymous, denials).
    #[test]
    #[ignore]
    fn decisions_are_fast() {
        let index = bootstrap_index();
        let admin = user("admin", &["system:masters", "system:authenticated"]);
        let student = user("student", &["podflow:students", "system:authenticated"]);
        let scheduler = user("system:kube-scheduler", &["system:authenticated"]);
        let kcm = user("system:kube-controller-manager", &["system:authenticated"]);
        let anonymous = UserInfo::anonymous();
        let bind = Attributes {
            subresource: Some("binding"),
            name: Some("web-1"),
            ..pods("create", "default")
        };
        let rs_status = Attributes {
            subresource: Some("status"),
            name: Some("web"),
            ..Attributes::resource("update", Some("default"), "apps", "replicasets")
        };
        let cases: [(&UserInfo, Attributes, bool); 7] = [
            (&admin, pods("create", "default"), true),
            (&student, pods("get", "default"), true),
            (&student, pods("delete", "default"), false),
            (&scheduler, bind, true),
            (&kcm, rs_status, true),
            (&kcm, pods("create", "default"), true),
            (
                &anonymous,
                Attributes::non_resource("get", "/version"),
                true,
            ),
        ];
        const N: usize = 1_000_000;
        let start = std::time::Instant::now();
        let mut allowed = 0usize;
        for i in 0..N {
            let (u, a, _) = &cases[i % cases.len()];
            allowed += usize::from(index.authorize(u, a).allowed);
        }
        let per = start.elapsed() / N as u32;
        let expected: usize = (0..N).filter(|i| cases[i % cases.len()].2).count();
        assert_eq!(allowed, expected);
        println!("{per:?} per decision");
        // Unoptimized builds are an order of magnitude slower; hold the release build to it.
        if !cfg!(debug_assertions) {
            assert!(
                per < std::time::Duration::from_micros(1),
                "{per:?} per decision"
            );
        }
        let (roles, cluster_roles) = (bootstrap::roles(), bootstrap::cluster_roles());
        let role_bindings = [
            bootstrap::role_bindings(),
            vec![bootstrap::student_binding()],
        ]
        .concat();
        let cluster_role_bindings = bootstrap::cluster_role_bindings();
        let start = std::time::Instant::now();
        for _ in 0..1000 {
            std::hint::black_box(RbacIndex::build(
                &roles,
                &cluster_roles,
                &role_bindings,
                &cluster_role_bindings,
            ));
        }
        println!("{:?} per index build", start.elapsed() / 1000);
    }
}
