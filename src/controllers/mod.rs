//! `controllers`: the control loops of kube-controller-manager, each watching the API through
//! the in-process client as `system:kube-controller-manager` and writing back through the same
//! pipeline as everyone else.

pub mod service_account;
