//! Authorization's words: the `Decision` an authorizer returns and the 403 kube-apiserver
//! answers when none allows a request. The deciding itself is `rbac` (privileged group, then
//! the Node authorizer, then RBAC), reached through `ApiServer::authorize`.

use crate::api::status::{ApiError, qualified_resource};
use crate::apiserver::authn::UserInfo;
use crate::apiserver::request_info::RequestInfo;

/// An authorizer's answer and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// The 403 kube-apiserver answers:
/// `pods "web" is forbidden: User "student" cannot delete resource "pods" in API group "" in the namespace "default"`,
/// with the authorizers' reason appended when they gave one.
pub fn forbidden(user: &UserInfo, info: &RequestInfo, reason: &str) -> ApiError {
    let suffix = if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    };
    if !info.is_resource_request {
        return ApiError::forbidden(format!(
            "forbidden: User \"{}\" cannot {} path \"{}\"{suffix}",
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
    // A namespace named in the path is the request's namespace, as RequestInfo reads it.
    let namespace = match (
        &info.namespace,
        info.resource.as_str(),
        info.api_group.as_str(),
    ) {
        (Some(ns), _, _) => Some(ns.as_str()),
        (None, "namespaces", "") => info.name.as_deref(),
        _ => None,
    };
    let scope = match namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    let mut details = serde_json::json!({"group": info.api_group, "kind": info.resource});
    if let Some(name) = &info.name {
        details["name"] = serde_json::json!(name);
    }
    ApiError::forbidden(format!(
        "{subject} is forbidden: User \"{}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}{suffix}",
        user.name, info.verb, info.api_group
    ))
    .with_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn the_real_forbidden_messages() {
        let student = UserInfo::new("student", &["system:authenticated"]);
        let info = RequestInfo::parse(
            &Method::DELETE,
            "/api/v1/namespaces/default/pods/web",
            false,
        );
        assert_eq!(
            forbidden(&student, &info, "").message,
            "pods \"web\" is forbidden: User \"student\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        let anonymous = UserInfo::anonymous();
        let api = RequestInfo::parse(&Method::GET, "/api", false);
        assert_eq!(
            forbidden(&anonymous, &api, "").message,
            "forbidden: User \"system:anonymous\" cannot get path \"/api\""
        );
        let nodes = RequestInfo::parse(&Method::GET, "/api/v1/nodes", false);
        assert!(
            forbidden(&anonymous, &nodes, "")
                .message
                .ends_with("at the cluster scope")
        );
        let ns = RequestInfo::parse(&Method::GET, "/api/v1/namespaces/dev", false);
        assert!(
            forbidden(&student, &ns, "")
                .message
                .ends_with("in the namespace \"dev\"")
        );
    }
}
