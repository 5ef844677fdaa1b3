//! `podflow bench`: the figures the issues ask for, one a line as `METRIC VALUE UNIT`. Each is
//! the median of several runs (machines are shared and noisy). Benchmarks are not tests: they
//! never fail because the machine was slow.

use crate::cluster::Cluster;
use crate::store::{Backend, MemoryBackend, Op, Txn};
use anyhow::Result;
use bytes::Bytes;
use serde_json::json;
use std::time::Instant;

const RUNS: usize = 5;

pub fn run(which: Option<&str>) -> Result<()> {
    let all = which.is_none() || which == Some("all");
    let mut ran = false;
    if all || which == Some("store") {
        print(
            "store_writes_per_s",
            median(RUNS, store_writes_per_s),
            "writes/s",
        );
        ran = true;
    }
    if all || which == Some("pipeline") {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            runs.push(rt.block_on(pipeline_creates_per_s())?);
        }
        print("pipeline_creates_per_s", median_of(runs), "creates/s");
        ran = true;
    }
    if !ran {
        anyhow::bail!(
            "unknown benchmark {:?}: choose store, pipeline or all",
            which.unwrap_or("")
        );
    }
    Ok(())
}

fn print(metric: &str, value: f64, unit: &str) {
    println!("{metric} {value:.0} {unit}");
}

fn median(runs: usize, f: impl Fn() -> f64) -> f64 {
    median_of((0..runs).map(|_| f()).collect())
}

fn median_of(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Puts of ~2 KiB values into the in-memory store, one writer, over 10,000 keys.
fn store_writes_per_s() -> f64 {
    const WRITES: usize = 200_000;
    let store = MemoryBackend::new();
    let value = Bytes::from(vec![b'x'; 2048]);
    let keys: Vec<String> = (0..10_000)
        .map(|i| format!("/registry/pods/default/pod-{i:05}"))
        .collect();
    let start = Instant::now();
    for i in 0..WRITES {
        let key = keys[i % keys.len()].clone();
        let _ = store.txn(Txn {
            compare: vec![],
            success: vec![Op::Put {
                key,
                value: value.clone(),
            }],
            failure: vec![],
        });
    }
    WRITES as f64 / start.elapsed().as_secs_f64()
}

/// Pod creates through the whole in-process pipeline: authn, authz, admission, field
/// validation, defaulting, validation, managedFields and the store.
async fn pipeline_creates_per_s() -> Result<f64> {
    const CREATES: usize = 5_000;
    let cluster = Cluster::embedded(1, 1.0).await?;
    let client = cluster.admin_client();
    let pod = |i: usize| {
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": format!("web-{i}"), "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                      "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}}]},
        })
    };
    let bodies: Vec<_> = (0..CREATES).map(pod).collect();
    let start = Instant::now();
    for body in &bodies {
        client
            .create(
                "/api/v1/namespaces/default/pods?fieldValidation=Strict",
                body,
            )
            .await
            .map_err(|e| anyhow::anyhow!("create failed: {}", e.message))?;
    }
    Ok(CREATES as f64 / start.elapsed().as_secs_f64())
}
