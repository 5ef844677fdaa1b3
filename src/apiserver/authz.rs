//! Authorization: may this user do this verb on this resource? Until RBAC objects are served
//! (the gatekeepers issue), the rules are the built-in ones every cluster has: `system:masters`
//! may do anything; anybody may read the public-info paths (`/version`, `/healthz`, `/livez`,
//! `/readyz`); authenticated users may read discovery and OpenAPI (`system:discovery`);
//! everything else is forbidden, with kube-apiserver's own message.

use crate::api::status::{ApiError, qualified_resource};
use crate::apiserver::authn::UserInfo;
use crate::apiserver::request_info::RequestInfo;

/// Why a request was allowed, for the hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

const PUBLIC_INFO: &[&str] = &["/version", "/healthz", "/livez", "/readyz"];
const DISCOVERY_PREFIXES: &[&str] = &["/api", "/apis", "/openapi"];

pub fn authorize(user: &UserInfo, info: &RequestInfo) -> Decision {
    if user.in_group("system:masters") {
        return Decision {
            allowed: true,
            reason: "group system:masters is a superuser".to_string(),
        };
    }
    if !info.is_resource_request && info.verb == "get" {
        let path = info.path.trim_end_matches('/');
        if PUBLIC_INFO
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")))
        {
            return Decision {
                allowed: true,
                reason: "clusterrole system:public-info-viewer".to_string(),
            };
        }
        let discovery = DISCOVERY_PREFIXES
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")));
        if discovery && user.in_group("system:authenticated") {
            return Decision {
                allowed: true,
                reason: "clusterrole system:discovery".to_string(),
            };
        }
    }
    Decision {
        allowed: false,
        reason: "no rule allows it".to_string(),
    }
}

/// The 403 kube-apiserver answers:
/// `pods "web" is forbidden: User "student" cannot delete resource "pods" in API group "" in the namespace "default"`.
pub fn forbidden(user: &UserInfo, info: &RequestInfo) -> ApiError {
    if !info.is_resource_request {
        return ApiError::forbidden(format!(
            "forbidden: User \"{}\" cannot {} path \"{}\"",
            user.name, info.verb, info.path
        ))
        .with_details(serde_json::json!({}));
    }
    let resource = match &info.subresource {
        Some(sub) => format!("{}/{sub}", info.resource),
        None => info.resource.clone(),
    };
    let subject = match &info.name {
        Some(name) => format!(
            "{} \"{name}\"",
            qualified_resource(&info.api_group, &info.resource)
        ),
        None => qualified_resource(&info.api_group, &info.resource),
    };
    let scope = match &info.namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    let mut details = serde_json::json!({"group": info.api_group, "kind": info.resource});
    if let Some(name) = &info.name {
        details["name"] = serde_json::json!(name);
    }
    ApiError::forbidden(format!(
        "{subject} is forbidden: User \"{}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
        user.name, info.verb, info.api_group
    ))
    .with_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn masters_may_do_anything_and_others_get_the_real_message() {
        let info = RequestInfo::parse(
            &Method::DELETE,
            "/api/v1/namespaces/default/pods/web",
            false,
        );
        assert!(authorize(&UserInfo::new("admin", &["system:masters"]), &info).allowed);
        let student = UserInfo::new("student", &["system:authenticated"]);
        assert!(!authorize(&student, &info).allowed);
        assert_eq!(
            forbidden(&student, &info).message,
            "pods \"web\" is forbidden: User \"student\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\""
        );
    }

    #[test]
    fn public_info_and_discovery() {
        let anonymous = UserInfo::anonymous();
        let version = RequestInfo::parse(&Method::GET, "/version", false);
        assert!(authorize(&anonymous, &version).allowed);
        let api = RequestInfo::parse(&Method::GET, "/api", false);
        assert!(!authorize(&anonymous, &api).allowed);
        assert_eq!(
            forbidden(&anonymous, &api).message,
            "forbidden: User \"system:anonymous\" cannot get path \"/api\""
        );
        assert!(authorize(&UserInfo::new("student", &["system:authenticated"]), &api).allowed);
        let nodes = RequestInfo::parse(&Method::GET, "/api/v1/nodes", false);
        assert!(
            forbidden(&anonymous, &nodes)
                .message
                .ends_with("at the cluster scope")
        );
    }
}
