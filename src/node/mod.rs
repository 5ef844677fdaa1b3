//! `node`: what runs on each simulated machine — the kubelet (registration, lease heartbeats,
//! pod workers, the status manager), the container runtime it drives over CRI (`cri`, with
//! `images` and `logs`), and the CNI plugin that wires pods into the node's network (`cni`).
//! Nodes talk to the cluster only through the API client, as `system:node:<name>`.

pub mod cni;
pub mod cri;
pub mod images;
pub mod kubelet;
pub mod logs;
pub mod node_object;
pub mod pod_status;
