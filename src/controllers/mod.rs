//! `controllers`: kube-controller-manager's loops, each a reconcile over informer caches that
//! writes through the API as `system:kube-controller-manager` — the serviceaccount controller,
//! the replicaset and deployment controllers (pure reconcile functions in `replicaset` and
//! `deployment`, run by `workloads`), the node-lifecycle controller and the garbage collector.

pub mod deployment;
pub mod garbage_collector;
pub mod node_lifecycle;
pub mod pod_template_hash;
pub mod replicaset;
pub mod service_account;
pub mod workloads;
