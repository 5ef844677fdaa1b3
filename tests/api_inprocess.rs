//! The API server through its in-process door (the same pipeline HTTPS requests run): paging,
//! watches, compaction, subresources, dry runs and bad input.

use bytes::Bytes;
use podflow::apiserver::request::ApiResponse;
use podflow::cluster::Cluster;
use podflow::store::Backend;
use serde_json::{Value, json};

fn pod(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
    })
}

async fn raw(
    cluster: &Cluster,
    method: http::Method,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Value) {
    let client = cluster.admin_client();
    let response = client
        .send(method, path, content_type, Bytes::copy_from_slice(body))
        .await;
    let status = response.status();
    (
        status,
        serde_json::from_slice(&response.body()).unwrap_or(Value::Null),
    )
}

/// Reads watch events from a streamed response until `n` have arrived (bounded).
async fn watch_events(response: ApiResponse, n: usize) -> Vec<Value> {
    let ApiResponse::Stream { mut chunks, .. } = response else {
        panic!("not a stream")
    };
    let mut events = Vec::new();
    let mut buffer = Vec::new();
    while events.len() < n {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(30), chunks.recv())
            .await
            .expect("watch event within the bound");
        let Some(chunk) = chunk else { break };
        buffer.extend_from_slice(&chunk.into_bytes());
        while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            events.push(serde_json::from_slice(&line).expect("one JSON object a line"));
        }
    }
    events
}

#[tokio::test]
async fn pages_are_consistent_and_expire_after_compaction() {
    let cluster = Cluster::embedded(1, 1.0).await.unwrap();
    let client = cluster.admin_client();
    for i in 0..5 {
        client
            .create("/api/v1/namespaces/default/pods", &pod(&format!("p{i}")))
            .await
            .unwrap();
    }
    let first = client
        .get("/api/v1/namespaces/default/pods?limit=2")
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["metadata"]["remainingItemCount"], 3);
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    // A write between pages does not show up: the list stays at its revision.
    client
        .create("/api/v1/namespaces/default/pods", &pod("p00"))
        .await
        .unwrap();
    let second = client
        .get(&format!(
            "/api/v1/namespaces/default/pods?limit=10&continue={token}"
        ))
        .await
        .unwrap();
    let names: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["p2", "p3", "p4"]);
    assert!(second["metadata"].get("continue").is_none());
    assert_eq!(
        second["metadata"]["resourceVersion"],
        first["metadata"]["resourceVersion"]
    );
    // Once history is compacted past the list's revision, the token is too old.
    cluster.store.compact(cluster.store.revision()).unwrap();
    let err = client
        .get(&format!(
            "/api/v1/namespaces/default/pods?limit=10&continue={token}"
        ))
        .await
        .unwrap_err();
    assert_eq!((err.code, err.reason.as_str()), (410, "Expired"));
    assert!(
        err.message
            .starts_with("The provided continue parameter is too old"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn watch_replays_from_a_revision_and_expires_when_compacted() {
    let cluster = Cluster::embedded(1, 1.0).await.unwrap();
    let client = cluster.admin_client();
    let created = client
        .create("/api/v1/namespaces/default/pods", &pod("a"))
        .await
        .unwrap();
    let rv: i64 = created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    client
        .patch(
            "/api/v1/namespaces/default/pods/a",
            "application/merge-patch+json",
            &json!({"metadata": {"labels": {"x": "1"}}}),
        )
        .await
        .unwrap();
    client
        .delete("/api/v1/namespaces/default/pods/a")
        .await
        .unwrap();
    // From the create's revision (exclusive): the MODIFIED and the DELETED.
    let response = client
        .send(
            http::Method::GET,
            &format!("/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}"),
            "",
            Bytes::new(),
        )
        .await;
    let events = watch_events(response, 2).await;
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["MODIFIED", "DELETED"]);
    assert_eq!(events[0]["object"]["metadata"]["labels"]["x"], "1");
    // Label selectors turn leaving the selection into DELETED.
    let response = client.send(http::Method::GET, &format!("/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}&labelSelector=x%21%3D1"), "", Bytes::new()).await;
    let events = watch_events(response, 1).await;
    assert_eq!(events[0]["type"], "DELETED");
    // After compaction, watching from the old revision is a 410 ERROR event.
    cluster.store.compact(cluster.store.revision()).unwrap();
    let response = client
        .send(
            http::Method::GET,
            &format!("/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}"),
            "",
            Bytes::new(),
        )
        .await;
    assert_eq!(response.status(), 200);
    let events = watch_events(response, 1).await;
    assert_eq!(events[0]["type"], "ERROR");
    assert_eq!(events[0]["object"]["code"], 410);
    assert_eq!(events[0]["object"]["reason"], "Expired");
    assert!(
        events[0]["object"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("too old resource version: {rv} ("))
    );
}

#[tokio::test]
async fn watch_without_revision_starts_with_the_current_objects_and_sends_bookmarks_as_tables() {
    let cluster = Cluster::embedded(1, 1.0).await.unwrap();
    let client = cluster.admin_client();
    client
        .create("/api/v1/namespaces/default/pods", &pod("a"))
        .await
        .unwrap();
    let mut request = podflow::apiserver::request::ApiRequest::new(
        http::Method::GET,
        "/api/v1/namespaces/default/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
    );
    request.accept = "application/json;as=Table;v=v1;g=meta.k8s.io".to_string();
    request.credentials =
        podflow::apiserver::request::Credentials::InProcess(client.user().clone());
    let response = cluster.api.handle(request).await;
    let events = watch_events(response, 2).await;
    assert_eq!(events[0]["type"], "ADDED");
    assert_eq!(events[0]["object"]["kind"], "Table");
    assert_eq!(events[0]["object"]["rows"][0]["cells"][0], "a");
    assert_eq!(events[1]["type"], "BOOKMARK");
    assert_eq!(
        events[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
}

#[tokio::test]
async fn generate_name_dry_run_and_metadata_of_creates() {
    let cluster = Cluster::embedded(7, 1.0).await.unwrap();
    let client = cluster.admin_client();
    let mut body = pod("");
    body["metadata"] = json!({"generateName": "web-"});
    let created = client
        .create("/api/v1/namespaces/default/pods", &body)
        .await
        .unwrap();
    let name = created["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    assert!(
        name[4..]
            .chars()
            .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c))
    );
    assert_eq!(created["metadata"]["uid"].as_str().unwrap().len(), 36);
    assert!(
        created["metadata"]["creationTimestamp"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(created["status"]["phase"], "Pending");
    assert_eq!(
        created["spec"]["containers"][0]["imagePullPolicy"],
        "IfNotPresent"
    );
    let dry = client
        .create("/api/v1/namespaces/default/pods?dryRun=All", &pod("dry"))
        .await
        .unwrap();
    assert_eq!(dry["metadata"]["name"], "dry");
    assert_eq!(
        client
            .get("/api/v1/namespaces/default/pods/dry")
            .await
            .unwrap_err()
            .code,
        404
    );
    let deploy = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
    });
    let created = client
        .create("/apis/apps/v1/namespaces/default/deployments", &deploy)
        .await
        .unwrap();
    assert_eq!(created["metadata"]["generation"], 1);
    assert_eq!(created["spec"]["replicas"], 1);
    assert_eq!(
        created["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
        "Always"
    );
}

#[tokio::test]
async fn status_binding_scale_and_eviction() {
    let cluster = Cluster::embedded(1, 1.0).await.unwrap();
    let client = cluster.admin_client();
    let created = client
        .create("/api/v1/namespaces/default/pods", &pod("web"))
        .await
        .unwrap();
    // A status update changes status only.
    let mut updated = created.clone();
    updated["status"]["phase"] = json!("Running");
    updated["spec"]["activeDeadlineSeconds"] = json!(5);
    let stored = client
        .update("/api/v1/namespaces/default/pods/web/status", &updated)
        .await
        .unwrap();
    assert_eq!(stored["status"]["phase"], "Running");
    assert!(stored["spec"].get("activeDeadlineSeconds").is_none());
    // Binding sets nodeName and PodScheduled; a second binding conflicts.
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"kind": "Node", "name": "node-2"}});
    let status = client
        .create("/api/v1/namespaces/default/pods/web/binding", &binding)
        .await
        .unwrap();
    assert_eq!(status["status"], "Success");
    let bound = client
        .get("/api/v1/namespaces/default/pods/web")
        .await
        .unwrap();
    assert_eq!(bound["spec"]["nodeName"], "node-2");
    assert_eq!(bound["status"]["conditions"][0]["type"], "PodScheduled");
    let err = client
        .create("/api/v1/namespaces/default/pods/web/binding", &binding)
        .await
        .unwrap_err();
    assert_eq!(err.code, 409);
    assert!(
        err.message
            .contains("is already assigned to node \"node-2\""),
        "{}",
        err.message
    );
    // Eviction deletes — gracefully, as the pod is bound to a node: it stays Terminating
    // until its kubelet (none runs in this control-plane-only cluster) stops it.
    let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web", "namespace": "default"}});
    client
        .create("/api/v1/namespaces/default/pods/web/eviction", &eviction)
        .await
        .unwrap();
    let terminating = client
        .get("/api/v1/namespaces/default/pods/web")
        .await
        .unwrap();
    assert!(terminating["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(terminating["metadata"]["deletionGracePeriodSeconds"], 30);
    client
        .delete("/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0")
        .await
        .unwrap();
    assert_eq!(
        client
            .get("/api/v1/namespaces/default/pods/web")
            .await
            .unwrap_err()
            .code,
        404
    );
    // Scale reads and writes spec.replicas.
    let rs = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
    });
    client
        .create("/apis/apps/v1/namespaces/default/replicasets", &rs)
        .await
        .unwrap();
    let scale = client
        .get("/apis/apps/v1/namespaces/default/replicasets/web/scale")
        .await
        .unwrap();
    assert_eq!(
        (scale["kind"].as_str(), scale["spec"]["replicas"].as_i64()),
        (Some("Scale"), Some(2))
    );
    assert_eq!(scale["status"]["selector"], "app=web");
    client
        .patch(
            "/apis/apps/v1/namespaces/default/replicasets/web/scale",
            "application/merge-patch+json",
            &json!({"spec": {"replicas": 4}}),
        )
        .await
        .unwrap();
    let rs = client
        .get("/apis/apps/v1/namespaces/default/replicasets/web")
        .await
        .unwrap();
    assert_eq!(rs["spec"]["replicas"], 4);
    assert_eq!(rs["metadata"]["generation"], 2);
    let err = client
        .patch(
            "/apis/apps/v1/namespaces/default/replicasets/web/scale",
            "application/merge-patch+json",
            &json!({"spec": {"replicas": -1}}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, 422);
}

#[tokio::test]
async fn bad_input_gets_the_status_kube_apiserver_gives() {
    let cluster = Cluster::embedded(1, 1.0).await.unwrap();
    let (code, status) = raw(
        &cluster,
        http::Method::POST,
        "/api/v1/namespaces/default/pods",
        "application/json",
        b"{\"apiVersion\": \"v1\", \"kind\": ",
    )
    .await;
    assert_eq!(code, 400);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("line 1 column"),
        "{status}"
    );
    let (code, status) = raw(
        &cluster,
        http::Method::POST,
        "/api/v1/namespaces/default/configmaps",
        "application/yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n",
    )
    .await;
    assert_eq!(code, 400);
    assert!(
        status["message"].as_str().unwrap().contains("line"),
        "{status}"
    );
    let huge = vec![b' '; 3 * 1024 * 1024 + 1];
    let (code, status) = raw(
        &cluster,
        http::Method::POST,
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        &huge,
    )
    .await;
    assert_eq!(
        (code, status["reason"].as_str()),
        (413, Some("RequestEntityTooLarge"))
    );
    let (code, status) = raw(
        &cluster,
        http::Method::GET,
        "/api/v1/namespaces/default/widgets",
        "",
        b"",
    )
    .await;
    assert_eq!(
        (code, status["message"].as_str()),
        (
            404,
            Some("the server could not find the requested resource")
        )
    );
    let (code, status) = raw(
        &cluster,
        http::Method::GET,
        "/api/v1/namespaces/default/pods?labelSelector=a%20in%20(",
        "",
        b"",
    )
    .await;
    assert_eq!(code, 400, "{status}");
    let (code, _) = raw(
        &cluster,
        http::Method::POST,
        "/api/v1/namespaces/nope/pods",
        "application/json",
        pod("x").to_string().as_bytes(),
    )
    .await;
    assert_eq!(code, 404);
    let (code, status) = raw(
        &cluster,
        http::Method::PUT,
        "/api/v1/namespaces/default/pods/ghost",
        "application/json",
        pod("ghost").to_string().as_bytes(),
    )
    .await;
    assert_eq!(
        (code, status["message"].as_str()),
        (404, Some("pods \"ghost\" not found"))
    );
    let (code, status) = raw(&cluster, http::Method::POST, "/api/v1/namespaces/default/pods", "application/json", json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [{"name": "a", "image": "nginx"}], "restartPolicy": 5}}).to_string().as_bytes()).await;
    assert_eq!(code, 400, "{status}");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy"),
        "{status}"
    );
}

/// Random requests (methods, paths from the API's own words, bodies good and bad) never crash
/// the server, never produce a 500, and never disturb the next request.
#[tokio::test]
async fn random_requests_never_break_the_server() {
    use rand::{Rng, SeedableRng};
    let cluster = Cluster::embedded(1, 1.0).await.unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let segments = [
        "api",
        "apis",
        "v1",
        "apps",
        "namespaces",
        "default",
        "kube-system",
        "pods",
        "deployments",
        "web",
        "status",
        "scale",
        "binding",
        "eviction",
        "log",
        "watch",
        "nodes",
        "events",
        "",
        "..",
        "%zz",
        "configmaps",
        "leases",
        "coordination.k8s.io",
    ];
    let queries = [
        "",
        "?watch=1&timeoutSeconds=0",
        "?limit=1",
        "?continue=garbage",
        "?labelSelector=!!",
        "?fieldSelector=a==b==c",
        "?dryRun=All",
        "?fieldValidation=Bogus",
        "?resourceVersion=abc",
        "?includeObject=Nope",
    ];
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        pod("web").to_string().into_bytes(),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": "x"}).to_string().into_bytes(),
        json!([{"op": "replace", "path": "/spec", "value": 1}]).to_string().into_bytes(),
        json!({"metadata": {"labels": null}, "spec": {"containers": [{"$patch": "delete"}]}}).to_string().into_bytes(),
        vec![0xff, 0xfe, 0x00],
    ];
    let methods = [
        http::Method::GET,
        http::Method::POST,
        http::Method::PUT,
        http::Method::PATCH,
        http::Method::DELETE,
    ];
    let content_types = [
        "application/json",
        "application/yaml",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/json-patch+json",
        "application/apply-patch+yaml",
        "text/plain",
    ];
    for _ in 0..600 {
        let depth = rng.random_range(1..7);
        let path: Vec<&str> = (0..depth)
            .map(|_| segments[rng.random_range(0..segments.len())])
            .collect();
        let path = format!(
            "/{}{}",
            path.join("/"),
            queries[rng.random_range(0..queries.len())]
        );
        let method = methods[rng.random_range(0..methods.len())].clone();
        let body = &bodies[rng.random_range(0..bodies.len())];
        let content_type = content_types[rng.random_range(0..content_types.len())];
        let (code, status) = raw(&cluster, method.clone(), &path, content_type, body).await;
        assert!(
            code != 500,
            "{method} {path} ({content_type}) → 500: {status}"
        );
        let (code, _) = raw(&cluster, http::Method::GET, "/version", "", b"").await;
        assert_eq!(code, 200);
    }
}

/// YAML turns into JSON as Go's YAML library writes it: `3.0` is stored as the integer 3, so
/// the object reads back (and updates) cleanly.
#[tokio::test]
async fn yaml_integral_floats_are_stored_as_integers() {
    let cluster = Cluster::embedded(1, 1.0).await.unwrap();
    let yaml = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: f\nspec:\n  terminationGracePeriodSeconds: 3.0\n  containers:\n  - name: a\n    image: nginx\n";
    let (code, pod) = raw(
        &cluster,
        http::Method::POST,
        "/api/v1/namespaces/default/pods",
        "application/yaml",
        yaml,
    )
    .await;
    assert_eq!(code, 201, "{pod}");
    assert!(pod["spec"]["terminationGracePeriodSeconds"].is_i64());
    let client = cluster.admin_client();
    client
        .update("/api/v1/namespaces/default/pods/f", &pod)
        .await
        .unwrap();
}
