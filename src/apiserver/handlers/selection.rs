//! Which objects a list, watch or deletecollection selects: the namespace of the path, the
//! `labelSelector` and the `fieldSelector` (only the fields kube-apiserver supports per kind).

use crate::api::field_selector::{self, FieldSelector};
use crate::api::kinds::ResourceType;
use crate::api::label_selector::LabelSelector;
use crate::api::status::ApiError;
use crate::apiserver::Ctx;
use serde_json::Value;

pub struct Selection {
    labels: Option<LabelSelector>,
    fields: Option<FieldSelector>,
    group: &'static str,
    kind: &'static str,
}

impl Selection {
    /// For a pods watch narrowed to one node (`spec.nodeName=<node>`, every kubelet's), the
    /// bytes a stored pod must contain to be selected: `"nodeName":"<node>"`, as the store's
    /// compact JSON writes it. Lets a watch skip most events without decoding them — what
    /// kube-apiserver's watch cache does with its nodeName trigger index.
    pub fn node_name_needle(&self) -> Option<Vec<u8>> {
        if !self.group.is_empty() || self.kind != "Pod" {
            return None;
        }
        let node = self
            .fields
            .as_ref()?
            .requires_exact_match("spec.nodeName")?;
        if node.is_empty() {
            return None;
        }
        serde_json::to_vec(node)
            .ok()
            .map(|quoted| [b"\"nodeName\":".as_slice(), &quoted].concat())
    }

    pub fn from_query(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<Selection, ApiError> {
        let labels = match ctx
            .req
            .query("labelSelector")
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => Some(LabelSelector::parse(s).map_err(ApiError::bad_request)?),
            None => None,
        };
        let fields = match ctx
            .req
            .query("fieldSelector")
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => {
                let selector = field_selector::parse(s).map_err(ApiError::bad_request)?;
                Some(
                    selector
                        .convert(rt.group, rt.kind)
                        .map_err(ApiError::bad_request)?,
                )
            }
            None => None,
        };
        Ok(Selection {
            labels,
            fields,
            group: rt.group,
            kind: rt.kind,
        })
    }

    pub fn matches(&self, object: &Value) -> bool {
        if let Some(labels) = &self.labels
            && !labels.matches_object(object)
        {
            return false;
        }
        match &self.fields {
            Some(fields) => fields.matches(self.group, self.kind, object),
            None => true,
        }
    }
}
