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
    /// The one value the field selector allows for `field` (`spec.nodeName=node-1`), if any.
    pub fn exact_field(&self, field: &str) -> Option<&str> {
        self.fields
            .as_ref()?
            .requires_exact_match(field)
            .filter(|value| !value.is_empty())
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

    /// Whether every object matches (no selector at all).
    pub fn selects_everything(&self) -> bool {
        self.labels.is_none() && self.fields.is_none()
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
