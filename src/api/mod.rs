//! `api`: the object model of the Kubernetes API as podflow serves it — the kinds registry,
//! the real OpenAPI schemas, field validation, defaulting, validation and registry strategies,
//! `Status` errors, quantities, label and field selectors, API time. Pure functions over
//! `serde_json::Value`; no I/O.

pub mod defaults;
pub mod field_error;
pub mod field_selector;
pub mod fields;
pub mod kinds;
pub mod label_selector;
pub mod pointer;
pub mod protobuf;
pub mod quantity;
pub mod schema;
pub mod status;
pub mod strategy;
pub mod time;
pub mod validation;
