//! One `PolicyRule` and how RBAC reads it: the matchers of `pkg/apis/rbac/v1/evaluation_helpers.go`
//! (`VerbMatches`, `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`,
//! `NonResourceURLMatches`), the coverage test of escalation prevention
//! (`component-helpers/auth/rbac/validation/policy_comparator.go`) and the compact form its
//! message prints (`CompactString`). Pure; reads JSON, allocates nothing while matching.

use serde_json::{Map, Value};

use super::Attributes;

/// `rbacv1.PolicyRule`. Any string is a valid verb, group or resource: an unknown verb simply
/// never matches a request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

const ALL: &str = "*";

impl PolicyRule {
    /// Reads a rule as stored; a missing or mistyped list is empty (Go's zero value).
    pub fn from_json(rule: &Value) -> PolicyRule {
        PolicyRule {
            verbs: strings(rule, "verbs"),
            api_groups: strings(rule, "apiGroups"),
            resources: strings(rule, "resources"),
            resource_names: strings(rule, "resourceNames"),
            non_resource_urls: strings(rule, "nonResourceURLs"),
        }
    }

    /// The rules of a role object (`rules`), in order.
    pub fn list_from_json(role: &Value) -> Vec<PolicyRule> {
        role.get("rules")
            .and_then(Value::as_array)
            .map(|rules| rules.iter().map(PolicyRule::from_json).collect())
            .unwrap_or_default()
    }

    /// The rule as the API writes it (`omitempty` lists left out; `verbs` always present).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("verbs".to_string(), string_array(&self.verbs));
        for (key, list) in [
            ("apiGroups", &self.api_groups),
            ("resources", &self.resources),
            ("resourceNames", &self.resource_names),
            ("nonResourceURLs", &self.non_resource_urls),
        ] {
            if !list.is_empty() {
                out.insert(key.to_string(), string_array(list));
            }
        }
        Value::Object(out)
    }

    /// `RuleAllows`: does this rule grant the request?
    pub fn allows(&self, attrs: &Attributes) -> bool {
        self.verb_matches(attrs.verb) && self.target_matches(attrs)
    }

    /// Everything `RuleAllows` checks but the verb.
    fn target_matches(&self, attrs: &Attributes) -> bool {
        if attrs.is_resource_request {
            self.api_group_matches(attrs.api_group)
                && self.resource_matches(attrs.resource, attrs.subresource.unwrap_or_default())
                && self.resource_name_matches(attrs.name.unwrap_or_default())
        } else {
            self.non_resource_url_matches(attrs.path)
        }
    }

    /// `VerbMatches`
    pub fn verb_matches(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| same(v, ALL) || same(v, verb))
    }

    /// `APIGroupMatches`
    pub fn api_group_matches(&self, group: &str) -> bool {
        self.api_groups
            .iter()
            .any(|g| same(g, ALL) || same(g, group))
    }

    /// `ResourceMatches`: `*`, the exact `resource` or `resource/subresource`, or `*/subresource`.
    /// A rule such as `pods/*` is only ever the literal string: it matches no request.
    pub fn resource_matches(&self, resource: &str, subresource: &str) -> bool {
        self.resources.iter().any(|r| {
            if same(r, ALL) {
                return true;
            }
            if subresource.is_empty() {
                return same(r, resource);
            }
            // `resource + "/" + subresource`, compared without building it.
            let combined = r.len() == resource.len() + 1 + subresource.len()
                && r.starts_with(resource)
                && r.as_bytes()[resource.len()] == b'/'
                && r.ends_with(subresource);
            combined
                || (r.len() == subresource.len() + 2
                    && r.starts_with("*/")
                    && r.ends_with(subresource))
        })
    }

    /// `ResourceNameMatches`: no names means any; otherwise the request's name must be listed, so
    /// a request without a name (list, watch, create) never matches a named rule.
    pub fn resource_name_matches(&self, name: &str) -> bool {
        self.resource_names.is_empty() || self.resource_names.iter().any(|n| same(n, name))
    }

    /// `NonResourceURLMatches`: `*`, the exact path, or a prefix ending in `*` (`/apis/*`).
    pub fn non_resource_url_matches(&self, path: &str) -> bool {
        self.non_resource_urls.iter().any(|u| {
            same(u, ALL)
                || same(u, path)
                || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
        })
    }

    /// `BreakdownRule`: one rule per group × resource × verb (× name), then one per
    /// non-resource URL × verb.
    pub fn breakdown(&self) -> Vec<PolicyRule> {
        let mut out = Vec::new();
        for group in &self.api_groups {
            for resource in &self.resources {
                for verb in &self.verbs {
                    let one = |names: Vec<String>| PolicyRule {
                        verbs: vec![verb.clone()],
                        api_groups: vec![group.clone()],
                        resources: vec![resource.clone()],
                        resource_names: names,
                        non_resource_urls: Vec::new(),
                    };
                    if self.resource_names.is_empty() {
                        out.push(one(Vec::new()));
                    } else {
                        out.extend(self.resource_names.iter().map(|n| one(vec![n.clone()])));
                    }
                }
            }
        }
        for url in &self.non_resource_urls {
            for verb in &self.verbs {
                out.push(PolicyRule {
                    verbs: vec![verb.clone()],
                    non_resource_urls: vec![url.clone()],
                    ..PolicyRule::default()
                });
            }
        }
        out
    }

    /// `ruleCovers`: does this (owner) rule grant everything the broken-down `sub` rule does?
    pub fn covers(&self, sub: &PolicyRule) -> bool {
        let verbs = has(&self.verbs, ALL) || has_all(&self.verbs, &sub.verbs);
        let groups = has(&self.api_groups, ALL) || has_all(&self.api_groups, &sub.api_groups);
        let resources = resource_covers_all(&self.resources, &sub.resources);
        let urls = sub.non_resource_urls.iter().all(|path| {
            self.non_resource_urls.iter().any(|owner| {
                owner == path
                    || (owner.ends_with('*') && path.starts_with(owner.trim_end_matches('*')))
            })
        });
        let names = if sub.resource_names.is_empty() {
            self.resource_names.is_empty()
        } else {
            self.resource_names.is_empty() || has_all(&self.resource_names, &sub.resource_names)
        };
        verbs && groups && resources && names && urls
    }

    /// `CompactString`: `{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`.
    pub fn compact_string(&self) -> String {
        let parts: Vec<String> = [
            ("APIGroups", &self.api_groups),
            ("Resources", &self.resources),
            ("NonResourceURLs", &self.non_resource_urls),
            ("ResourceNames", &self.resource_names),
            ("Verbs", &self.verbs),
        ]
        .iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(label, list)| format!("{label}:{}", go_quoted_list(list)))
        .collect();
        format!("{{{}}}", parts.join(", "))
    }
}

/// The verbs every resource request uses, one bit each; others are compared as strings.
const STANDARD_VERBS: [&str; 8] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// The bit of a standard verb, 0 for any other.
pub(crate) fn verb_bit(verb: &str) -> u8 {
    STANDARD_VERBS
        .iter()
        .position(|v| same(v, verb))
        .map_or(0, |i| 1 << i)
}

/// A rule with its verbs as a bit set: the authorizer's hot path rejects most rules of a role
/// on the verb without comparing strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompiledRule {
    pub(crate) rule: PolicyRule,
    /// The rule lists `*`.
    any_verb: bool,
    /// Bits of the standard verbs it lists.
    verb_bits: u8,
}

impl CompiledRule {
    pub(crate) fn new(rule: PolicyRule) -> CompiledRule {
        CompiledRule {
            any_verb: rule.verbs.iter().any(|v| same(v, ALL)),
            verb_bits: rule.verbs.iter().fold(0, |bits, v| bits | verb_bit(v)),
            rule,
        }
    }

    /// [`PolicyRule::allows`], given `verb_bit(attrs.verb)`.
    pub(crate) fn allows(&self, attrs: &Attributes, verb_bit: u8) -> bool {
        let verb = self.any_verb
            || if verb_bit == 0 {
                self.rule.verb_matches(attrs.verb)
            } else {
                self.verb_bits & verb_bit != 0
            };
        verb && self.rule.target_matches(attrs)
    }
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
pub(crate) fn go_quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| crate::api::validation::go_quote(s))
        .collect();
    format!("[{}]", quoted.join(" "))
}

/// String equality without a call to `memcmp`: the words compared here are a few bytes long
/// (verbs, groups, resources), where the library call costs more than the comparison.
#[inline]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn has(set: &[String], item: &str) -> bool {
    set.iter().any(|s| s == item)
}

fn has_all(set: &[String], items: &[String]) -> bool {
    items.iter().all(|i| has(set, i))
}

/// `resourceCoversAll`: `*`, every resource listed, or `*/sub` for each subresource asked.
fn resource_covers_all(owner: &[String], wanted: &[String]) -> bool {
    if has(owner, ALL) || has_all(owner, wanted) {
        return true;
    }
    wanted.iter().all(|path| {
        has(owner, path)
            || path
                .split_once('/')
                .is_some_and(|(_, sub)| owner.iter().any(|o| o.strip_prefix("*/") == Some(sub)))
    })
}

fn strings(rule: &Value, key: &str) -> Vec<String> {
    rule.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn string_array(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(v: Value) -> PolicyRule {
        PolicyRule::from_json(&v)
    }

    fn resource<'a>(
        verb: &'a str,
        group: &'a str,
        resource: &'a str,
        sub: Option<&'a str>,
        name: Option<&'a str>,
    ) -> Attributes<'a> {
        super::super::tests::attrs(verb, Some("default"), group, resource, sub, name)
    }

    #[test]
    fn verbs_groups_and_resources_match_exactly_or_by_star() {
        let r = rule(json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}));
        assert!(r.allows(&resource("get", "", "pods", None, None)));
        assert!(r.allows(&resource("list", "", "pods", None, None)));
        assert!(!r.allows(&resource("delete", "", "pods", None, None)));
        assert!(!r.allows(&resource("get", "apps", "pods", None, None)));
        assert!(!r.allows(&resource("get", "", "pod", None, None)));
        // The rule does not grant its subresources.
        assert!(!r.allows(&resource("get", "", "pods", Some("log"), Some("web"))));
        let star = rule(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
        assert!(star.allows(&resource(
            "escalate",
            "rbac.authorization.k8s.io",
            "roles",
            None,
            None
        )));
        assert!(star.allows(&resource("get", "", "pods", Some("log"), Some("web"))));
        // Unknown verbs are just strings.
        let odd = rule(json!({"verbs": ["frobnicate"], "apiGroups": [""], "resources": ["pods"]}));
        assert!(odd.allows(&resource("frobnicate", "", "pods", None, None)));
        assert!(!odd.allows(&resource("get", "", "pods", None, None)));
    }

    #[test]
    fn subresources_match_combined_or_star_slash() {
        let log = rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]}));
        assert!(log.allows(&resource("get", "", "pods", Some("log"), Some("web"))));
        assert!(!log.allows(&resource("get", "", "pods", None, Some("web"))));
        assert!(!log.allows(&resource("get", "", "pods", Some("status"), Some("web"))));
        let scale = rule(json!({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*/scale"]}));
        assert!(scale.allows(&resource(
            "get",
            "apps",
            "deployments",
            Some("scale"),
            Some("d")
        )));
        assert!(!scale.allows(&resource("get", "apps", "deployments", None, Some("d"))));
        assert!(!scale.allows(&resource(
            "get",
            "apps",
            "deployments",
            Some("status"),
            Some("d")
        )));
        // `pods/*` is not a wildcard in RBAC.
        let pods_star = rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/*"]}));
        assert!(!pods_star.allows(&resource("get", "", "pods", Some("log"), Some("web"))));
        assert!(!pods_star.allows(&resource("get", "", "pods", None, Some("web"))));
        // A near miss of the same length is no match.
        let near = rule(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["podsxlog"]}));
        assert!(!near.allows(&resource("get", "", "pods", Some("log"), None)));
    }

    #[test]
    fn resource_names_need_a_named_request() {
        let r = rule(
            json!({"verbs": ["get", "list", "watch", "create", "update"], "apiGroups": [""],
                            "resources": ["configmaps"], "resourceNames": ["app-config"]}),
        );
        assert!(r.allows(&resource("get", "", "configmaps", None, Some("app-config"))));
        assert!(r.allows(&resource(
            "update",
            "",
            "configmaps",
            None,
            Some("app-config")
        )));
        assert!(!r.allows(&resource("get", "", "configmaps", None, Some("other"))));
        // list, watch and create carry no name: a named rule never grants them.
        assert!(!r.allows(&resource("list", "", "configmaps", None, None)));
        assert!(!r.allows(&resource("watch", "", "configmaps", None, None)));
        assert!(!r.allows(&resource("create", "", "configmaps", None, None)));
    }

    #[test]
    fn non_resource_urls_match_exactly_or_by_prefix() {
        let r = rule(
            json!({"verbs": ["get"], "nonResourceURLs": ["/healthz", "/apis/*", "/version/"]}),
        );
        let path = |verb, path| Attributes::non_resource(verb, path);
        assert!(r.allows(&path("get", "/healthz")));
        assert!(!r.allows(&path("get", "/healthz/etcd")));
        assert!(r.allows(&path("get", "/apis/apps/v1")));
        assert!(r.allows(&path("get", "/apis/")));
        assert!(!r.allows(&path("get", "/apis")));
        assert!(r.allows(&path("get", "/version/")));
        assert!(!r.allows(&path("get", "/version")));
        assert!(!r.allows(&path("post", "/healthz")));
        let all = rule(json!({"verbs": ["*"], "nonResourceURLs": ["*"]}));
        assert!(all.allows(&path("delete", "/anything")));
        // A resource rule never grants a path, nor a path rule a resource.
        assert!(!all.allows(&resource("get", "", "pods", None, None)));
        let pods = rule(json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}));
        assert!(!pods.allows(&path("get", "/healthz")));
    }

    #[test]
    fn junk_rules_read_as_empty() {
        let r = rule(json!({"verbs": "get", "apiGroups": [1, null], "resources": {"a": 1}}));
        assert_eq!(r.verbs, Vec::<String>::new());
        assert_eq!(r.api_groups, vec!["".to_string(), "".to_string()]);
        assert!(!r.allows(&resource("get", "", "pods", None, None)));
        assert_eq!(rule(json!(null)), PolicyRule::default());
        assert_eq!(PolicyRule::list_from_json(&json!({"rules": 3})), vec![]);
    }

    #[test]
    fn breakdown_covers_and_compact_string() {
        let r = rule(
            json!({"verbs": ["get", "delete"], "apiGroups": ["", "apps"], "resources": ["pods"],
                            "resourceNames": ["a", "b"]}),
        );
        assert_eq!(r.breakdown().len(), 8);
        let owner =
            rule(json!({"verbs": ["get"], "apiGroups": ["*"], "resources": ["*/status", "pods"]}));
        let sub = |v: Value| rule(v);
        assert!(owner.covers(&sub(
            json!({"verbs": ["get"], "apiGroups": ["apps"], "resources": ["deployments/status"]})
        )));
        assert!(owner.covers(&sub(json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"], "resourceNames": ["x"]}))));
        assert!(!owner.covers(&sub(
            json!({"verbs": ["get"], "apiGroups": [""], "resources": ["nodes"]})
        )));
        let named = rule(
            json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"], "resourceNames": ["x"]}),
        );
        assert!(!named.covers(&sub(
            json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]})
        )));
        let urls = rule(json!({"verbs": ["get"], "nonResourceURLs": ["/apis/*"]}));
        assert!(urls.covers(&sub(
            json!({"verbs": ["get"], "nonResourceURLs": ["/apis/apps"]})
        )));
        assert!(!urls.covers(&sub(json!({"verbs": ["get"], "nonResourceURLs": ["/api"]}))));
        assert_eq!(
            sub(json!({"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]}))
                .compact_string(),
            r#"{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}"#
        );
        assert_eq!(
            sub(json!({"verbs": ["get", "watch"], "nonResourceURLs": ["/healthz"]}))
                .compact_string(),
            r#"{NonResourceURLs:["/healthz"], Verbs:["get" "watch"]}"#
        );
        assert_eq!(
            r.to_json(),
            json!({"verbs": ["get", "delete"], "apiGroups": ["", "apps"], "resources": ["pods"], "resourceNames": ["a", "b"]})
        );
    }
}
