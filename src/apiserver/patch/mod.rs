//! Patches that no crate implements the Kubernetes way: strategic merge patch and server-side
//! apply. (JSON patch and merge patch come from the `json-patch` crate.)

pub mod apply;
pub mod strategic;
