//! Content negotiation: which form a client asked for. kubectl's `get` asks for
//! `application/json;as=Table;v=v1;g=meta.k8s.io`, discovery asks for the aggregated
//! `APIGroupDiscoveryList`, and everything else is plain JSON.

use crate::apiserver::table::IncludeObject;

/// The exact content type of aggregated discovery v2 (clients decide by this header).
pub const AGGREGATED_DISCOVERY: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// One media range of an Accept header, with its parameters.
fn media_ranges(accept: &str) -> impl Iterator<Item = (String, Vec<(String, String)>)> + '_ {
    accept.split(',').map(|range| {
        let mut parts = range.split(';').map(str::trim);
        let mime = parts.next().unwrap_or("").to_ascii_lowercase();
        let params = parts
            .filter_map(|p| {
                p.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        (mime, params)
    })
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Whether the client asked for a `meta.k8s.io` Table, and in which version.
pub fn wants_table(accept: &str) -> Option<&'static str> {
    media_ranges(accept).find_map(|(mime, params)| {
        let is_table = mime == "application/json"
            && param(&params, "as") == Some("Table")
            && param(&params, "g") == Some("meta.k8s.io");
        match (is_table, param(&params, "v")) {
            (true, Some("v1")) => Some("meta.k8s.io/v1"),
            (true, Some("v1beta1")) => Some("meta.k8s.io/v1beta1"),
            _ => None,
        }
    })
}

/// Whether the client prefers aggregated discovery (v2) over the legacy documents.
pub fn wants_aggregated_discovery(accept: &str) -> bool {
    media_ranges(accept).any(|(mime, params)| {
        mime == "application/json"
            && param(&params, "g") == Some("apidiscovery.k8s.io")
            && param(&params, "v") == Some("v2")
            && param(&params, "as") == Some("APIGroupDiscoveryList")
    })
}

/// `?includeObject=None|Metadata|Object` (default Metadata); anything else is a 400.
pub fn include_object(value: Option<&str>) -> Result<IncludeObject, crate::api::status::ApiError> {
    IncludeObject::parse(value).map_err(crate::api::status::ApiError::bad_request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_get_accept_header_wants_a_v1_table() {
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(wants_table(accept), Some("meta.k8s.io/v1"));
        assert_eq!(wants_table("application/json"), None);
    }

    #[test]
    fn kubectl_discovery_accept_header_wants_aggregated() {
        let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert!(wants_aggregated_discovery(accept));
        assert!(!wants_aggregated_discovery("application/json, */*"));
    }
}
