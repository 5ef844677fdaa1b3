//! podflow: a live mini Kubernetes control plane that shows, hop by hop, how a manifest
//! becomes running pods. `cluster` composes the parts; `apiserver` is the one request
//! pipeline; `store` is etcd; `flow` records every hop; `clock` is virtual time; `client` is
//! the in-process API client of podflow's own components.

pub mod api;
pub mod apiserver;
pub mod bench;
pub mod client;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod flow;
pub mod kubectl;
pub mod node;
pub mod scheduler;
pub mod store;
pub mod trace;
pub mod tui;
