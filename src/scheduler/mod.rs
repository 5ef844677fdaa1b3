//! The scheduler: kube-scheduler's default profile in miniature. `snapshot` is its typed view
//! of nodes and bound pods; `framework` the plugin interfaces; `plugins` the filter and score
//! plugins; `schedule` one scheduling cycle; `decision` the record of it the flow shows;
//! `queue` and `run` make it a component that watches the API and binds pods.

pub mod decision;
pub mod framework;
pub mod plugins;
pub mod queue;
pub mod run;
pub mod schedule;
pub mod snapshot;

pub use decision::{DecisionRecord, FilterVerdict, NodeDecision, ScoreEntry};
pub use framework::{Code, Status};
pub use schedule::Scheduler;
pub use snapshot::{NodeInfo, PodInfo, Snapshot};
