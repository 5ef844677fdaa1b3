//! `cni`: the node's pod network, as the reference `bridge` plugin with `host-local` IPAM
//! builds it on a kind-like node. Owns the node's pod CIDR: the `cni0` bridge holds the
//! gateway `.1`, each sandbox gets the lowest free address from `.2` up and a veth pair, and
//! the errors (range exhausted, bad CIDR) read as libcni and host-local word them. Pure: no
//! interfaces are touched, nothing is written to `/var/lib/cni`.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The plugin the simulated node's CNI config (`/etc/cni/net.d/10-bridge.conflist`) runs;
/// libcni names it when an ADD fails.
pub const PLUGIN_TYPE: &str = "bridge";
/// The bridge on the node that holds every pod's gateway address.
pub const BRIDGE: &str = "cni0";
/// The interface name inside the pod (`CNI_IFNAME`).
pub const POD_INTERFACE: &str = "eth0";

/// What a successful CNI ADD gives a sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The pod IP (`status.podIP`).
    pub ip: Ipv4Addr,
    pub prefix_len: u8,
    /// The address of `cni0`, the pod's default route.
    pub gateway: Ipv4Addr,
    /// The interface inside the pod: `eth0`.
    pub interface: String,
    /// The host end of the veth pair, plugged into `cni0`: `veth` + 8 hex, fixed per sandbox.
    pub host_veth: String,
    /// The sandbox's network namespace (`/var/run/netns/cni-…`).
    pub netns: String,
}

impl Attachment {
    /// `10.244.1.2/24`, as `ip addr` inside the pod shows it.
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.ip, self.prefix_len)
    }
}

/// Why a CNI call failed. The texts are the ones libcni and the plugins produce, so the
/// kubelet's `FailedCreatePodSandBox` event reads as on a real node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CniError {
    /// Every address of the range is taken (host-local's error, wrapped by libcni).
    #[error(
        "plugin type=\"bridge\" failed (add): failed to allocate for range 0: no IP addresses available in range set: {range_start}-{range_end}"
    )]
    Exhausted {
        range_start: Ipv4Addr,
        range_end: Ipv4Addr,
    },
    /// Go's `net.ParseCIDR` refused the text.
    #[error("invalid CIDR address: {0}")]
    InvalidCidr(String),
    /// A /31 or /32: host-local cannot allocate from it.
    #[error("Network {0} too small to allocate from")]
    TooSmall(String),
    /// `10.244.1.5/24`: the address is not the network's.
    #[error(
        "network has host bits set. For a subnet mask of length {prefix_len} the network address is {network}"
    )]
    HostBitsSet { prefix_len: u8, network: Ipv4Addr },
    /// Valid, but outside what podflow simulates (IPv6, or wider than /8).
    #[error("podflow's host-local IPAM takes IPv4 pod CIDRs from /8 to /30, not {0}")]
    Unsupported(String),
}

/// The containerd + kubelet wording of a sandbox whose network setup failed: the whole
/// `FailedCreatePodSandBox` event message.
pub fn sandbox_network_error(sandbox_id: &str, err: &CniError) -> String {
    format!(
        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox {sandbox_id:?}: {err}"
    )
}

/// host-local IPAM over one node's pod CIDR.
#[derive(Debug, Clone)]
pub struct Ipam {
    network: u32,
    prefix_len: u8,
    /// `.1`: the bridge's own address, never handed out.
    gateway: u32,
    /// The range host-local reports (`rangeStart`-`rangeEnd`): `.1` to the address before
    /// broadcast. Allocation starts one above, skipping the gateway.
    range_start: u32,
    range_end: u32,
    by_ip: BTreeMap<u32, String>,
    by_container: BTreeMap<String, Attachment>,
    exhausted: bool,
}

impl Ipam {
    /// IPAM for `pod_cidr` (`node.spec.podCIDR`, e.g. `10.244.1.0/24`): IPv4, /8 to /30, the
    /// network address itself (no host bits).
    pub fn new(pod_cidr: &str) -> Result<Ipam, CniError> {
        let invalid = || CniError::InvalidCidr(pod_cidr.to_string());
        let (addr, prefix) = pod_cidr.trim().split_once('/').ok_or_else(invalid)?;
        let prefix_len: u8 = prefix.parse().map_err(|_| invalid())?;
        let ip: Ipv4Addr = match addr.parse() {
            Ok(ip) => ip,
            Err(_) if addr.parse::<Ipv6Addr>().is_ok() && prefix_len <= 128 => {
                return Err(CniError::Unsupported(pod_cidr.to_string()));
            }
            Err(_) => return Err(invalid()),
        };
        if prefix_len > 32 {
            return Err(invalid());
        }
        let mask = if prefix_len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix_len))
        };
        let network = u32::from(ip) & mask;
        if prefix_len > 30 {
            // host-local prints the subnet as written, host bits and all.
            return Err(CniError::TooSmall(format!("{ip}/{prefix_len}")));
        }
        if network != u32::from(ip) {
            return Err(CniError::HostBitsSet {
                prefix_len,
                network: Ipv4Addr::from(network),
            });
        }
        if prefix_len < 8 {
            return Err(CniError::Unsupported(pod_cidr.to_string()));
        }
        let broadcast = network | !mask;
        Ok(Ipam {
            network,
            prefix_len,
            gateway: network + 1,
            range_start: network + 1,
            range_end: broadcast - 1,
            by_ip: BTreeMap::new(),
            by_container: BTreeMap::new(),
            exhausted: false,
        })
    }

    /// CNI ADD for a sandbox: the lowest free address from `.2` up. Calling it again for the
    /// same sandbox returns the same attachment (an ADD retried after a timeout must not take a
    /// second address).
    pub fn add(&mut self, container_id: &str, netns: &str) -> Result<Attachment, CniError> {
        if let Some(existing) = self.by_container.get(container_id) {
            return Ok(existing.clone());
        }
        let ip = self.lowest_free().ok_or(CniError::Exhausted {
            range_start: Ipv4Addr::from(self.range_start),
            range_end: Ipv4Addr::from(self.range_end),
        })?;
        let attachment = Attachment {
            ip: Ipv4Addr::from(ip),
            prefix_len: self.prefix_len,
            gateway: Ipv4Addr::from(self.gateway),
            interface: POD_INTERFACE.to_string(),
            host_veth: host_veth_name(container_id),
            netns: netns.to_string(),
        };
        self.by_ip.insert(ip, container_id.to_string());
        self.by_container
            .insert(container_id.to_string(), attachment.clone());
        Ok(attachment)
    }

    /// CNI DEL: releases the sandbox's address and returns it; `None` when it had none (DEL
    /// must succeed for unknown containers, the runtime calls it on every teardown).
    pub fn del(&mut self, container_id: &str) -> Option<Ipv4Addr> {
        let attachment = self.by_container.remove(container_id)?;
        self.by_ip.remove(&u32::from(attachment.ip));
        Some(attachment.ip)
    }

    /// The fault "IP range exhausted": every ADD for a new sandbox fails as if the range were
    /// full. Attachments already made keep working.
    pub fn set_exhausted(&mut self, on: bool) {
        self.exhausted = on;
    }

    /// The attachment of a sandbox, if it has one.
    pub fn attachment(&self, container_id: &str) -> Option<&Attachment> {
        self.by_container.get(container_id)
    }

    /// Addresses handed out now.
    pub fn allocated(&self) -> usize {
        self.by_ip.len()
    }

    /// Addresses pods can get: the range less network, gateway and broadcast (253 for a /24).
    pub fn capacity(&self) -> usize {
        (self.range_end - self.gateway) as usize
    }

    pub fn gateway(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.gateway)
    }

    /// `10.244.1.0/24`.
    pub fn pod_cidr(&self) -> String {
        format!("{}/{}", Ipv4Addr::from(self.network), self.prefix_len)
    }

    fn lowest_free(&self) -> Option<u32> {
        if self.exhausted {
            return None;
        }
        // Walk the taken addresses in order; the first gap is the lowest free one.
        let mut candidate = self.gateway + 1;
        for &taken in self
            .by_ip
            .range(candidate..=self.range_end)
            .map(|(ip, _)| ip)
        {
            if taken != candidate {
                break;
            }
            candidate += 1;
        }
        (candidate <= self.range_end).then_some(candidate)
    }
}

/// The bridge plugin names the host end `veth` + 8 random hex digits; here they come from the
/// sandbox id so a replay names the same interfaces.
fn host_veth_name(container_id: &str) -> String {
    let hash = container_id.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    format!("veth{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    #[test]
    fn hands_out_lowest_free_from_dot_two() {
        let mut ipam = Ipam::new("10.244.1.0/24").unwrap();
        assert_eq!(ipam.gateway(), ip("10.244.1.1"));
        assert_eq!(ipam.capacity(), 253);
        let a = ipam.add("sb-a", "/var/run/netns/cni-a").unwrap();
        let b = ipam.add("sb-b", "/var/run/netns/cni-b").unwrap();
        let c = ipam.add("sb-c", "/var/run/netns/cni-c").unwrap();
        assert_eq!(
            (a.ip, b.ip, c.ip),
            (ip("10.244.1.2"), ip("10.244.1.3"), ip("10.244.1.4"))
        );
        assert_eq!(a.prefix_len, 24);
        assert_eq!(a.gateway, ip("10.244.1.1"));
        assert_eq!(a.interface, "eth0");
        assert_eq!(a.netns, "/var/run/netns/cni-a");
        assert_eq!(a.cidr(), "10.244.1.2/24");
        assert_eq!(ipam.allocated(), 3);

        // Release the middle one: it is the next handed out.
        assert_eq!(ipam.del("sb-b"), Some(ip("10.244.1.3")));
        assert_eq!(ipam.del("sb-b"), None);
        assert_eq!(ipam.allocated(), 2);
        assert_eq!(ipam.add("sb-d", "/n/d").unwrap().ip, ip("10.244.1.3"));
        assert_eq!(ipam.add("sb-e", "/n/e").unwrap().ip, ip("10.244.1.5"));
    }

    #[test]
    fn add_is_idempotent_per_sandbox() {
        let mut ipam = Ipam::new("10.244.1.0/24").unwrap();
        let first = ipam.add("sb-a", "/n/a").unwrap();
        let again = ipam.add("sb-a", "/n/a").unwrap();
        assert_eq!(first, again);
        assert_eq!(ipam.allocated(), 1);
        assert_eq!(ipam.attachment("sb-a"), Some(&first));
    }

    #[test]
    fn veth_names_are_fixed_per_sandbox() {
        let mut ipam = Ipam::new("10.244.1.0/24").unwrap();
        let a = ipam.add("abc", "/n").unwrap();
        assert_eq!(a.host_veth, host_veth_name("abc"));
        assert_eq!(a.host_veth.len(), 12);
        assert!(a.host_veth.starts_with("veth"));
        assert!(a.host_veth[4..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(host_veth_name("abc"), host_veth_name("abd"));
    }

    #[test]
    fn exhaustion_reads_like_host_local() {
        let mut ipam = Ipam::new("10.244.7.0/30").unwrap();
        assert_eq!(ipam.capacity(), 1);
        assert_eq!(ipam.add("one", "/n/1").unwrap().ip, ip("10.244.7.2"));
        let err = ipam.add("two", "/n/2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "plugin type=\"bridge\" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.244.7.1-10.244.7.2"
        );
        ipam.del("one");
        assert!(ipam.add("two", "/n/2").is_ok());

        let mut full = Ipam::new("10.244.1.0/24").unwrap();
        for i in 0..253 {
            full.add(&format!("sb-{i}"), "/n").unwrap();
        }
        assert_eq!(full.allocated(), full.capacity());
        assert!(
            full.by_ip
                .keys()
                .all(|&a| a != u32::from(full.gateway()) && a < 0x0af4_01ff)
        );
        let err = full.add("one-too-many", "/n").unwrap_err();
        assert_eq!(
            sandbox_network_error("4f2a", &err),
            "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"4f2a\": plugin type=\"bridge\" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.244.1.1-10.244.1.254"
        );
    }

    #[test]
    fn exhausted_fault() {
        let mut ipam = Ipam::new("10.244.1.0/24").unwrap();
        let kept = ipam.add("kept", "/n").unwrap();
        ipam.set_exhausted(true);
        assert!(matches!(
            ipam.add("new", "/n"),
            Err(CniError::Exhausted { .. })
        ));
        assert_eq!(ipam.add("kept", "/n").unwrap(), kept);
        ipam.set_exhausted(false);
        assert_eq!(ipam.add("new", "/n").unwrap().ip, ip("10.244.1.3"));
    }

    #[test]
    fn wide_ranges() {
        let mut ipam = Ipam::new("10.244.0.0/16").unwrap();
        assert_eq!(ipam.capacity(), 65_533);
        assert_eq!(ipam.add("a", "/n").unwrap().ip, ip("10.244.0.2"));
        let eight = Ipam::new("10.0.0.0/8").unwrap();
        assert_eq!(eight.capacity(), (1 << 24) - 3);
        assert_eq!(eight.pod_cidr(), "10.0.0.0/8");
    }

    #[test]
    fn bad_cidrs() {
        let err = |cidr: &str| Ipam::new(cidr).unwrap_err().to_string();
        assert_eq!(err("10.244.1.0"), "invalid CIDR address: 10.244.1.0");
        assert_eq!(err("10.244.1.0/33"), "invalid CIDR address: 10.244.1.0/33");
        assert_eq!(
            err("10.244.300.0/24"),
            "invalid CIDR address: 10.244.300.0/24"
        );
        assert_eq!(err("banana"), "invalid CIDR address: banana");
        assert_eq!(
            err("10.244.1.0/31"),
            "Network 10.244.1.0/31 too small to allocate from"
        );
        assert_eq!(
            err("10.244.1.1/32"),
            "Network 10.244.1.1/32 too small to allocate from"
        );
        assert_eq!(
            err("10.244.1.5/24"),
            "network has host bits set. For a subnet mask of length 24 the network address is 10.244.1.0"
        );
        assert!(matches!(
            Ipam::new("10.0.0.0/7"),
            Err(CniError::Unsupported(_))
        ));
        assert!(matches!(
            Ipam::new("fd00:10:244::/64"),
            Err(CniError::Unsupported(_))
        ));
    }
}
