//! The NodePorts plugin, and the host port bookkeeping of `framework.HostPortInfo`. Filter: the
//! host ports a pod asks for (`hostPort` on its containers' ports) must be free on the node,
//! where `0.0.0.0` conflicts with every address.

use serde_json::Value;

use crate::scheduler::framework::{Code, CycleState, FilterPlugin, PreFilterResult, Status};
use crate::scheduler::snapshot::{NodeInfo, PodInfo, Snapshot};

pub const NAME: &str = "NodePorts";
/// `ErrReason`.
pub const ERR_REASON: &str = "node(s) didn't have free ports for the requested pod ports";

/// `DefaultBindAllHostIP`.
const BIND_ALL: &str = "0.0.0.0";

/// A container port with a host port, sanitised as `HostPortInfo` stores it: an empty host IP
/// is `0.0.0.0` and an empty protocol is `TCP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub host_ip: String,
    pub protocol: String,
    pub host_port: i64,
}

impl ContainerPort {
    /// The ports of the pod's containers (not init containers, as the real `getContainerPorts`)
    /// that ask for a host port.
    pub fn host_ports_of(spec: &Value) -> Vec<ContainerPort> {
        let containers = spec
            .get("containers")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        containers
            .iter()
            .filter_map(|c| c.get("ports").and_then(Value::as_array))
            .flatten()
            .filter_map(|p| {
                let host_port = p.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
                (host_port > 0).then(|| {
                    let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
                    ContainerPort {
                        host_ip: non_empty_or(s("hostIP"), BIND_ALL),
                        protocol: non_empty_or(s("protocol"), "TCP"),
                        host_port,
                    }
                })
            })
            .collect()
    }
}

fn non_empty_or(s: &str, default: &str) -> String {
    if s.is_empty() { default } else { s }.to_string()
}

/// `framework.HostPortInfo`: the host ports in use on a node, counted so that removing one of
/// two pods that (wrongly) share a port keeps it in use.
#[derive(Debug, Clone, Default)]
pub struct HostPortInfo {
    used: Vec<(ContainerPort, u32)>,
}

impl HostPortInfo {
    pub fn add(&mut self, port: &ContainerPort) {
        match self.used.iter_mut().find(|(p, _)| p == port) {
            Some((_, n)) => *n += 1,
            None => self.used.push((port.clone(), 1)),
        }
    }

    pub fn remove(&mut self, port: &ContainerPort) {
        if let Some(i) = self.used.iter().position(|(p, _)| p == port) {
            self.used[i].1 -= 1;
            if self.used[i].1 == 0 {
                self.used.swap_remove(i);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }

    /// `HostPortInfo.CheckConflict`: the same protocol and port on the same IP, where a wanted
    /// `0.0.0.0` conflicts with any IP and any wanted IP conflicts with a used `0.0.0.0`.
    pub fn conflicts(&self, want: &ContainerPort) -> bool {
        self.used.iter().any(|(p, _)| {
            p.protocol == want.protocol
                && p.host_port == want.host_port
                && (want.host_ip == BIND_ALL || p.host_ip == BIND_ALL || p.host_ip == want.host_ip)
        })
    }
}

pub struct NodePorts;

impl FilterPlugin for NodePorts {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_filter<'a>(
        &self,
        _state: &mut CycleState<'a>,
        pod: &'a PodInfo,
        _snapshot: &'a Snapshot,
    ) -> PreFilterResult<'a> {
        if pod.host_ports.is_empty() {
            PreFilterResult::skip()
        } else {
            PreFilterResult::success()
        }
    }

    fn filter(&self, _state: &CycleState<'_>, pod: &PodInfo, node: &NodeInfo) -> Status {
        if pod.host_ports.iter().any(|p| node.used_ports.conflicts(p)) {
            Status::new(Code::Unschedulable, ERR_REASON)
        } else {
            Status::success()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    fn pod(name: &str, ports: Value) -> PodInfo {
        PodInfo::from_pod(&json!({
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx", "ports": ports}]}
        }))
    }

    #[test]
    fn host_port_conflicts_by_ip_protocol_and_port() {
        let mut node = NodeInfo::from_node(&json!({
            "metadata": {"name": "n1"},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}
        }));
        node.add_pod(Arc::new(pod(
            "web",
            json!([{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.1"}]),
        )));
        let state = CycleState::default();
        let same = pod("a", json!([{"containerPort": 80, "hostPort": 8080}]));
        let s = NodePorts.filter(&state, &same, &node);
        assert_eq!(s.code(), Code::Unschedulable);
        assert_eq!(s.message(), ERR_REASON);
        let other_ip = pod(
            "b",
            json!([{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.2"}]),
        );
        assert!(NodePorts.filter(&state, &other_ip, &node).is_success());
        let udp = pod(
            "c",
            json!([{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}]),
        );
        assert!(NodePorts.filter(&state, &udp, &node).is_success());
        // Without host ports the filter is skipped for the cycle.
        let none = pod("d", json!([{"containerPort": 80}]));
        let snapshot = Snapshot::new();
        let mut state = CycleState::default();
        assert!(
            NodePorts
                .pre_filter(&mut state, &none, &snapshot)
                .status
                .is_skip()
        );
        assert!(node.remove_pod("default/web"));
        assert!(node.used_ports.is_empty());
    }
}
