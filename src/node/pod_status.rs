//! The kubelet's status manager for one pod: what it has observed (sandbox, IP, each
//! container's state) and the `status` it reports from that — phase, the five conditions with
//! their transition times, podIP(s), hostIP(s), startTime and containerStatuses, in the shape
//! `kubectl get pods` and `kubectl describe pod` read.

use crate::api::time::format_time;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One container as the kubelet last saw it.
#[derive(Debug, Clone)]
enum State {
    Waiting {
        reason: String,
        message: String,
    },
    Running {
        started_ms: i64,
    },
    Terminated {
        exit_code: i32,
        reason: String,
        started_ms: i64,
        finished_ms: i64,
    },
}

#[derive(Debug, Clone)]
struct Container {
    state: State,
    image: String,
    image_id: String,
    container_id: String,
    restart_count: i64,
}

/// Everything the kubelet reports about one pod.
#[derive(Debug, Clone)]
pub struct Observed {
    start_ms: i64,
    pod_ip: String,
    sandbox_ready_ms: Option<i64>,
    initialized_ms: Option<i64>,
    /// When every container became ready (None while not).
    ready_ms: Option<i64>,
    /// The last time the pod went from ready to not ready (or was first seen).
    not_ready_since_ms: i64,
    containers: BTreeMap<String, Container>,
}

impl Observed {
    pub fn new(now: i64) -> Observed {
        Observed {
            start_ms: now,
            pod_ip: String::new(),
            sandbox_ready_ms: None,
            initialized_ms: None,
            ready_ms: None,
            not_ready_since_ms: now,
            containers: BTreeMap::new(),
        }
    }

    pub fn sandbox_ready(&mut self, now: i64, ip: &str) {
        self.sandbox_ready_ms = Some(now);
        self.pod_ip = ip.to_string();
    }

    pub fn waiting(&mut self, name: &str, image: &str, reason: &str, message: &str) {
        let entry = self.entry(name, image);
        entry.state = State::Waiting {
            reason: reason.to_string(),
            message: message.to_string(),
        };
    }

    pub fn started(&mut self, name: &str, image: &str, image_id: &str, id: &str, now: i64) {
        let entry = self.entry(name, image);
        entry.state = State::Running { started_ms: now };
        entry.image = image.to_string();
        entry.image_id = image_id.to_string();
        entry.container_id = format!("containerd://{id}");
    }

    pub fn init_completed(&mut self, name: &str, now: i64) {
        if let Some(c) = self.containers.get_mut(name) {
            let started_ms = match c.state {
                State::Running { started_ms } => started_ms,
                _ => now,
            };
            c.state = State::Terminated {
                exit_code: 0,
                reason: "Completed".to_string(),
                started_ms,
                finished_ms: now,
            };
        }
    }

    pub fn initialized(&mut self, now: i64) {
        self.initialized_ms.get_or_insert(now);
    }

    /// Every app container runs; with no readiness probe to wait for, the pod is ready.
    pub fn all_started(&mut self, now: i64) {
        self.ready_ms.get_or_insert(now);
    }

    pub fn set_ready(&mut self, ready: bool, now: i64) {
        match (ready, self.ready_ms) {
            (true, None) => self.ready_ms = Some(now),
            (false, Some(_)) => {
                self.ready_ms = None;
                self.not_ready_since_ms = now;
            }
            _ => {}
        }
    }

    fn entry(&mut self, name: &str, image: &str) -> &mut Container {
        self.containers
            .entry(name.to_string())
            .or_insert_with(|| Container {
                state: State::Waiting {
                    reason: "ContainerCreating".to_string(),
                    message: String::new(),
                },
                image: image.to_string(),
                image_id: String::new(),
                container_id: String::new(),
                restart_count: 0,
            })
    }

    /// The pod's status as the kubelet reports it. `pod` gives the spec (container order,
    /// init containers), the scheduler's PodScheduled condition and the qosClass.
    pub fn to_status(&self, pod: &Value, host_ip: &str) -> Value {
        let spec_names = |list: &str| -> Vec<(String, String)> {
            pod.pointer(&format!("/spec/{list}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| {
                    let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    (text("name"), text("image"))
                })
                .collect()
        };
        let init = spec_names("initContainers");
        let app = spec_names("containers");
        let ready = self.ready_ms.is_some();
        let statuses = |list: &[(String, String)], is_init: bool| -> Vec<Value> {
            list.iter()
                .map(|(name, image)| {
                    self.container_status(name, image, ready, is_init, !init.is_empty())
                })
                .collect()
        };
        let any_running = app.iter().any(|(name, _)| {
            matches!(
                self.containers.get(name).map(|c| &c.state),
                Some(State::Running { .. })
            )
        });
        let phase = if any_running { "Running" } else { "Pending" };
        let t = format_time;
        let condition = |kind: &str, ok: bool, since: Option<i64>, reason: Option<&str>| {
            let mut c = json!({"type": kind, "status": if ok { "True" } else { "False" },
                               "lastProbeTime": null,
                               "lastTransitionTime": t(since.unwrap_or(self.not_ready_since_ms))});
            match reason.filter(|_| !ok) {
                Some(reason) => c["reason"] = json!(reason),
                // Sent as a strategic merge patch: a condition that turned True drops the
                // reason and message it had while False (the kubelet's two-way diff does).
                None => {
                    c["reason"] = Value::Null;
                    c["message"] = Value::Null;
                }
            }
            c
        };
        let not_ready_containers: Vec<&str> = app
            .iter()
            .filter(|(name, _)| {
                !ready
                    || !matches!(
                        self.containers.get(name).map(|c| &c.state),
                        Some(State::Running { .. })
                    )
            })
            .map(|(name, _)| name.as_str())
            .collect();
        let mut ready_condition =
            condition("Ready", ready, self.ready_ms, Some("ContainersNotReady"));
        let mut containers_ready = condition(
            "ContainersReady",
            ready,
            self.ready_ms,
            Some("ContainersNotReady"),
        );
        if !ready {
            let message = format!(
                "containers with unready status: [{}]",
                not_ready_containers.join(" ")
            );
            ready_condition["message"] = json!(message);
            containers_ready["message"] = json!(message);
        }
        let mut initialized = condition(
            "Initialized",
            self.initialized_ms.is_some() || init.is_empty(),
            self.initialized_ms.or(Some(self.start_ms)),
            Some("ContainersNotInitialized"),
        );
        if self.initialized_ms.is_none() && !init.is_empty() {
            let names: Vec<&str> = init.iter().map(|(n, _)| n.as_str()).collect();
            initialized["message"] = json!(format!(
                "containers with incomplete status: [{}]",
                names.join(" ")
            ));
        }
        let mut conditions = vec![
            condition(
                "PodReadyToStartContainers",
                self.sandbox_ready_ms.is_some(),
                self.sandbox_ready_ms.or(Some(self.start_ms)),
                None,
            ),
            initialized,
            ready_condition,
            containers_ready,
        ];
        if let Some(scheduled) = pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|cs| {
                cs.iter()
                    .find(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled"))
            })
        {
            conditions.push(scheduled.clone());
        }
        let mut status = json!({
            "phase": phase,
            "conditions": conditions,
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "startTime": t(self.start_ms),
            "containerStatuses": statuses(&app, false),
        });
        if !self.pod_ip.is_empty() {
            status["podIP"] = json!(self.pod_ip);
            status["podIPs"] = json!([{"ip": self.pod_ip}]);
        }
        if !init.is_empty() {
            status["initContainerStatuses"] = json!(statuses(&init, true));
        }
        if let Some(qos) = pod.pointer("/status/qosClass") {
            status["qosClass"] = qos.clone();
        }
        status
    }

    fn container_status(
        &self,
        name: &str,
        image: &str,
        pod_ready: bool,
        is_init: bool,
        has_init: bool,
    ) -> Value {
        let Some(c) = self.containers.get(name) else {
            // App containers wait on init containers as PodInitializing.
            let reason = if is_init || !has_init || self.initialized_ms.is_some() {
                "ContainerCreating"
            } else {
                "PodInitializing"
            };
            return json!({"name": name, "image": image, "imageID": "", "ready": false,
                          "restartCount": 0, "started": false, "lastState": {},
                          "state": {"waiting": {"reason": reason}}});
        };
        let (state, running) = match &c.state {
            State::Waiting { reason, message } => {
                let mut waiting = json!({"reason": reason});
                if !message.is_empty() {
                    waiting["message"] = json!(message);
                }
                (json!({"waiting": waiting}), false)
            }
            State::Running { started_ms } => (
                json!({"running": {"startedAt": format_time(*started_ms)}}),
                true,
            ),
            State::Terminated {
                exit_code,
                reason,
                started_ms,
                finished_ms,
            } => (
                json!({"terminated": {"exitCode": exit_code, "reason": reason,
                       "startedAt": format_time(*started_ms), "finishedAt": format_time(*finished_ms),
                       "containerID": c.container_id}}),
                false,
            ),
        };
        let mut status = json!({
            "name": name,
            "image": c.image,
            "imageID": c.image_id,
            "ready": if is_init { matches!(c.state, State::Terminated { exit_code: 0, .. }) } else { running && pod_ready },
            "restartCount": c.restart_count,
            "started": running,
            "lastState": {},
            "state": state,
        });
        if !c.container_id.is_empty() {
            status["containerID"] = json!(c.container_id);
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Value {
        json!({"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
               "status": {"qosClass": "Burstable", "conditions": [
                   {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-01-01T00:00:00Z"}]}})
    }

    #[test]
    fn pending_then_running_and_ready() {
        let mut observed = Observed::new(1_000);
        let status = observed.to_status(&pod(), "172.18.0.3");
        assert_eq!(status["phase"], "Pending");
        assert_eq!(
            status["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ContainerCreating"
        );
        assert!(status.get("podIP").is_none());
        observed.sandbox_ready(2_000, "10.244.1.2");
        observed.initialized(2_000);
        observed.started(
            "nginx",
            "docker.io/library/nginx:1.27",
            "docker.io/library/nginx@sha256:ab",
            "c0ffee",
            3_000,
        );
        observed.all_started(3_000);
        let status = observed.to_status(&pod(), "172.18.0.3");
        assert_eq!(status["phase"], "Running");
        assert_eq!(status["podIP"], "10.244.1.2");
        assert_eq!(status["qosClass"], "Burstable");
        let c = &status["containerStatuses"][0];
        assert_eq!(c["ready"], true);
        assert_eq!(c["containerID"], "containerd://c0ffee");
        assert_eq!(c["state"]["running"]["startedAt"], format_time(3_000));
        let types: Vec<&str> = status["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled"
            ]
        );
        assert!(
            status["conditions"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["status"] == "True")
        );
    }

    #[test]
    fn an_image_pull_failure_shows_as_waiting_with_the_reason() {
        let mut observed = Observed::new(0);
        observed.sandbox_ready(1, "10.244.1.3");
        observed.waiting(
            "nginx",
            "nginx:1.27",
            "ImagePullBackOff",
            "Back-off pulling image",
        );
        let status = observed.to_status(&pod(), "172.18.0.3");
        assert_eq!(status["phase"], "Pending");
        assert_eq!(
            status["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ImagePullBackOff"
        );
        assert_eq!(status["conditions"][2]["reason"], "ContainersNotReady");
        assert_eq!(
            status["conditions"][2]["message"],
            "containers with unready status: [nginx]"
        );
    }
}
