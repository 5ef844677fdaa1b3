//! `RequestInfo`: what a request path means, as kube-apiserver's `RequestInfoFactory` reads
//! it — a resource request (verb, group, version, namespace, resource, name, subresource) or a
//! non-resource one (`/version`, `/healthz`, discovery, OpenAPI).

use http::Method;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    pub is_resource_request: bool,
    /// The RBAC verb: get, list, watch, create, update, patch, delete, deletecollection (or the
    /// lowercased HTTP method for non-resource requests).
    pub verb: String,
    pub path: String,
    pub api_group: String,
    pub api_version: String,
    pub namespace: Option<String>,
    pub resource: String,
    pub subresource: Option<String>,
    pub name: Option<String>,
}

impl RequestInfo {
    pub fn parse(method: &Method, path: &str, watch_param: bool) -> RequestInfo {
        let non_resource = |verb: &str| RequestInfo {
            is_resource_request: false,
            verb: verb.to_string(),
            path: path.to_string(),
            api_group: String::new(),
            api_version: String::new(),
            namespace: None,
            resource: String::new(),
            subresource: None,
            name: None,
        };
        let http_verb = method.as_str().to_ascii_lowercase();
        let parts: Vec<&str> = path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let (group, version, rest) = match parts.as_slice() {
            ["api", version, rest @ ..] => ("", *version, rest),
            ["apis", group, version, rest @ ..] => (*group, *version, rest),
            _ => return non_resource(&http_verb),
        };
        if rest.is_empty() {
            return non_resource(&http_verb);
        }
        // Deprecated `/watch/` prefix: same as `?watch=true`.
        let (rest, path_watch) = match rest {
            ["watch", tail @ ..] => (tail, true),
            other => (other, false),
        };
        let (namespace, rest): (Option<String>, &[&str]) = match rest {
            // `/namespaces/<ns>` alone (or with a namespace subresource) is the namespace object.
            ["namespaces", ns, tail @ ..]
                if !tail.is_empty() && !matches!(tail, ["status" | "finalize"]) =>
            {
                (Some((*ns).to_string()), tail)
            }
            other => (None, other),
        };
        let (resource, name, subresource) = match rest {
            [resource] => (*resource, None, None),
            [resource, name] => (*resource, Some((*name).to_string()), None),
            [resource, name, sub] => (
                *resource,
                Some((*name).to_string()),
                Some((*sub).to_string()),
            ),
            _ => ("", None, None),
        };
        if resource.is_empty() {
            return non_resource(&http_verb);
        }
        let watch = watch_param || path_watch;
        let verb = match *method {
            Method::GET | Method::HEAD if name.is_some() && !watch => "get",
            Method::GET | Method::HEAD if watch => "watch",
            Method::GET | Method::HEAD => "list",
            Method::POST => "create",
            Method::PUT => "update",
            Method::PATCH => "patch",
            Method::DELETE if name.is_some() => "delete",
            Method::DELETE => "deletecollection",
            _ => http_verb.as_str(),
        };
        RequestInfo {
            is_resource_request: true,
            verb: verb.to_string(),
            path: path.to_string(),
            api_group: group.to_string(),
            api_version: version.to_string(),
            namespace,
            resource: resource.to_string(),
            subresource,
            name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(method: Method, path: &str) -> RequestInfo {
        RequestInfo::parse(&method, path, false)
    }

    #[test]
    fn namespaced_resources() {
        let info = parse(Method::GET, "/api/v1/namespaces/default/pods/web");
        assert_eq!(info.verb, "get");
        assert_eq!(info.namespace.as_deref(), Some("default"));
        assert_eq!(info.resource, "pods");
        assert_eq!(info.name.as_deref(), Some("web"));
        let info = parse(Method::POST, "/api/v1/namespaces/default/pods/web/binding");
        assert_eq!(
            (info.verb.as_str(), info.subresource.as_deref()),
            ("create", Some("binding"))
        );
        let info = parse(Method::GET, "/apis/apps/v1/namespaces/ns1/deployments");
        assert_eq!(
            (info.api_group.as_str(), info.verb.as_str()),
            ("apps", "list")
        );
    }

    #[test]
    fn namespaces_themselves() {
        let info = parse(Method::GET, "/api/v1/namespaces/default");
        assert_eq!(
            (info.resource.as_str(), info.name.as_deref(), info.namespace),
            ("namespaces", Some("default"), None)
        );
        let info = parse(Method::PUT, "/api/v1/namespaces/default/finalize");
        assert_eq!(info.subresource.as_deref(), Some("finalize"));
        let info = parse(Method::GET, "/api/v1/namespaces");
        assert_eq!(info.verb, "list");
    }

    #[test]
    fn watch_and_non_resource() {
        let info = RequestInfo::parse(&Method::GET, "/api/v1/pods", true);
        assert_eq!(info.verb, "watch");
        let info = parse(Method::GET, "/api/v1/watch/namespaces/default/pods");
        assert_eq!(
            (info.verb.as_str(), info.namespace.as_deref()),
            ("watch", Some("default"))
        );
        assert!(!parse(Method::GET, "/version").is_resource_request);
        assert!(!parse(Method::GET, "/apis/apps/v1").is_resource_request);
        assert_eq!(
            parse(Method::DELETE, "/api/v1/namespaces/x/pods").verb,
            "deletecollection"
        );
    }
}
