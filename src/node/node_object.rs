//! The Node a kubelet registers: capacity and allocatable, labels, the control-plane taint,
//! addresses, node info and conditions, as `kubectl describe node` shows them on a kind
//! cluster. Pure: the kubelet sends what this builds.

use serde_json::{Value, json};

/// The facts of one simulated machine.
#[derive(Debug, Clone)]
pub struct Machine {
    pub name: String,
    /// 0 for the control plane, i for `node-i`.
    pub index: usize,
    pub control_plane: bool,
}

pub const KUBELET_VERSION: &str = "v1.32.4";
pub const CONTAINER_RUNTIME_VERSION: &str = "containerd://1.7.24";
pub const CPU: &str = "4";
pub const MEMORY: &str = "8Gi";
pub const MAX_PODS: &str = "110";
pub const CONTROL_PLANE_LABEL: &str = "node-role.kubernetes.io/control-plane";
const ZONES: [&str; 3] = ["zone-a", "zone-b", "zone-c"];

impl Machine {
    pub fn control_plane() -> Machine {
        Machine {
            name: "control-plane".to_string(),
            index: 0,
            control_plane: true,
        }
    }

    pub fn worker(i: usize) -> Machine {
        Machine {
            name: format!("node-{i}"),
            index: i,
            control_plane: false,
        }
    }

    /// `10.244.<i>.0/24`: the range this node's pods get their IPs from.
    pub fn pod_cidr(&self) -> String {
        format!("10.244.{}.0/24", self.index % 256)
    }

    /// The node's own address, as on a kind network.
    pub fn internal_ip(&self) -> String {
        format!("172.18.{}.{}", self.index / 250, self.index % 250 + 2)
    }

    /// Workers spread over three zones; the control plane sits in the first.
    pub fn zone(&self) -> &'static str {
        if self.control_plane {
            ZONES[0]
        } else {
            ZONES[(self.index + ZONES.len() - 1) % ZONES.len()]
        }
    }
}

/// The four node conditions, healthy, stamped `now`.
pub fn healthy_conditions(now: &str) -> Value {
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "lastHeartbeatTime": now, "lastTransitionTime": now,
               "reason": reason, "message": message})
    };
    json!([
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        condition(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        condition(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status"
        ),
    ])
}

/// The Node object the kubelet registers. `images` is `status.images`.
pub fn node(machine: &Machine, now: &str, images: Value) -> Value {
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": machine.name,
        "kubernetes.io/os": "linux",
        "topology.kubernetes.io/zone": machine.zone(),
    });
    let mut spec = json!({
        "podCIDR": machine.pod_cidr(),
        "podCIDRs": [machine.pod_cidr()],
        "providerID": format!("kind://docker/podflow/{}", machine.name),
    });
    if machine.control_plane {
        labels[CONTROL_PLANE_LABEL] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
        spec["taints"] = json!([{"key": CONTROL_PLANE_LABEL, "effect": "NoSchedule"}]);
    }
    let resources = json!({
        "cpu": CPU, "memory": MEMORY, "pods": MAX_PODS,
        "ephemeral-storage": "100Gi", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
    });
    let id = format!("{:032x}", fnv(&machine.name));
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": machine.name,
            "labels": labels,
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "capacity": resources,
            "allocatable": resources,
            "conditions": healthy_conditions(now),
            "addresses": [
                {"type": "InternalIP", "address": machine.internal_ip()},
                {"type": "Hostname", "address": machine.name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": id,
                "containerRuntimeVersion": CONTAINER_RUNTIME_VERSION,
                "kernelVersion": "6.8.0-podflow",
                "kubeProxyVersion": "",
                "kubeletVersion": KUBELET_VERSION,
                "machineID": id,
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": id,
            },
            "images": images,
        },
    })
}

/// A stable 128-bit id from a name (FNV-1a, twice): machine and boot ids that do not change
/// from run to run.
fn fnv(name: &str) -> u128 {
    let mut hash: u128 = 0x6c62272e07bb014262b821756295c58d;
    for byte in name.bytes() {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(0x0000000001000000000000000000013B);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_plane_is_tainted_and_labelled_workers_spread_over_zones() {
        let cp = node(&Machine::control_plane(), "2026-01-01T00:00:00Z", json!([]));
        assert_eq!(
            cp["spec"]["taints"],
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])
        );
        assert_eq!(cp["metadata"]["labels"][CONTROL_PLANE_LABEL], "");
        let zones: Vec<&str> = (1..=4).map(|i| Machine::worker(i).zone()).collect();
        assert_eq!(zones, ["zone-a", "zone-b", "zone-c", "zone-a"]);
        let n2 = node(&Machine::worker(2), "2026-01-01T00:00:00Z", json!([]));
        assert_eq!(n2["spec"]["podCIDR"], "10.244.2.0/24");
        assert_eq!(n2["status"]["allocatable"]["cpu"], "4");
        assert_eq!(n2["status"]["addresses"][0]["address"], "172.18.0.4");
        assert!(n2["spec"].get("taints").is_none());
    }
}
