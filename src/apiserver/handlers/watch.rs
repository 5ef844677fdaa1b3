//! `watch`: a stream of changes, one JSON object a line (`{"type":"ADDED","object":…}`),
//! flushed per event. It starts from the given resourceVersion (exclusive, as kube-apiserver
//! does: the client has seen that one), or with the current objects as ADDED when none is
//! given; objects that move in or out of the selectors arrive as ADDED or DELETED; bookmarks
//! when asked; a compacted resourceVersion ends the watch with a 410 `Expired` ERROR event.

use super::selection::Selection;
use crate::api::kinds::ResourceType;
use crate::api::status::ApiError;
use crate::apiserver::rbac::node::node_identity;
use crate::apiserver::request::{ApiResponse, Chunk};
use crate::apiserver::storage::{self, set_resource_version};
use crate::apiserver::table::{self, IncludeObject};
use crate::apiserver::watch_cache::{Change, ChangeSource};
use crate::apiserver::{Ctx, negotiation};
use crate::clock::Clock;
use crate::flow::{Flow, Hop, HopKind, ObjectRef};
use crate::store::{EventType, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// kube-apiserver's --min-request-timeout: a watch without timeoutSeconds ends after this.
const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);
/// How often bookmarks go out when the client allows them.
const BOOKMARK_EVERY: Duration = Duration::from_secs(60);

/// What the streaming task needs, owned.
struct Stream {
    rt: &'static ResourceType,
    selection: Selection,
    table: Option<(&'static str, IncludeObject)>,
    clock: Arc<Clock>,
    flow: Arc<Flow>,
    client: String,
    /// The watcher's node, for a kubelet's watch.
    node: Option<String>,
    tx: mpsc::Sender<Chunk>,
    last_revision: i64,
}

pub fn watch(ctx: &Ctx<'_>, rt: &'static ResourceType) -> Result<ApiResponse, ApiError> {
    let selection = Selection::from_query(ctx, rt)?;
    let prefix = rt.prefix(ctx.info.namespace.as_deref());
    let table = negotiation::wants_table(&ctx.req.accept)
        .map(|version| {
            negotiation::include_object(ctx.req.query("includeObject"))
                .map(|include| (version, include))
        })
        .transpose()?;
    let bookmarks = ctx.req.query("allowWatchBookmarks") == Some("true");
    let timeout = ctx
        .req
        .query("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_WATCH_TIMEOUT);
    let send_initial = ctx.req.query("sendInitialEvents") == Some("true");
    let requested = match ctx
        .req
        .query("resourceVersion")
        .filter(|rv| !rv.is_empty() && *rv != "0")
    {
        Some(rv) => Some(
            rv.parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv}")))?,
        ),
        None => None,
    };

    let objects = ctx.server.objects();
    // Without a resourceVersion the client gets the current state first, then changes.
    let (initial, from) = match requested {
        Some(rv) if !send_initial => (Vec::new(), rv + 1),
        _ => {
            let page = objects.list(&prefix, 0, None, 0, &|o| selection.matches(o))?;
            (page.items, page.revision + 1)
        }
    };
    let (tx, rx) = mpsc::channel(256);
    let mut stream = Stream {
        rt,
        selection,
        table,
        clock: ctx.server.clock().clone(),
        flow: ctx.server.flow().clone(),
        client: ctx.client.to_string(),
        node: node_identity(ctx.user).map(str::to_string),
        tx,
        last_revision: from - 1,
    };
    let opened = match ctx.server.watch_cache(rt) {
        Some(cache) => cache.watch(
            &prefix,
            from,
            stream.selection.exact_field(cache.trigger().field),
        ),
        None => objects
            .backend()
            .watch(&prefix, from)
            .map(ChangeSource::Store),
    };
    let watcher = match opened {
        Ok(watcher) => watcher,
        Err(StoreError::Compacted { compact_revision }) => {
            let rv = requested.unwrap_or(from - 1);
            let status = ApiError::expired(format!(
                "too old resource version: {rv} ({compact_revision})"
            ))
            .to_status();
            let line = Chunk::event("ERROR", Arc::new(status));
            tokio::spawn(async move {
                let _ = stream.tx.send(line).await;
            });
            return Ok(ApiResponse::Stream {
                status: 200,
                content_type: "application/json",
                chunks: rx,
            });
        }
        Err(e) => return Err(storage::store_error(e)),
    };
    tokio::spawn(async move {
        for object in initial {
            if !stream.send("ADDED", Arc::new(object)).await {
                return;
            }
        }
        if send_initial {
            let bookmark = stream.bookmark(true);
            if stream.tx.send(bookmark).await.is_err() {
                return;
            }
        }
        stream.run(watcher, bookmarks, timeout).await;
    });
    Ok(ApiResponse::Stream {
        status: 200,
        content_type: "application/json",
        chunks: rx,
    })
}

impl Stream {
    async fn run(mut self, mut watcher: ChangeSource, bookmarks: bool, timeout: Duration) {
        let clock = self.clock.clone();
        let deadline = clock.sleep(timeout);
        tokio::pin!(deadline);
        loop {
            let bookmark_tick = clock.sleep(BOOKMARK_EVERY);
            tokio::select! {
                biased;
                _ = self.tx.closed() => return,
                _ = &mut deadline => return,
                changes = watcher.next() => {
                    let Some(changes) = changes else { return };
                    self.last_revision = changes.revision;
                    for change in changes.changes {
                        if !self.deliver(change).await {
                            return;
                        }
                    }
                }
                _ = bookmark_tick, if bookmarks => {
                    let bookmark = self.bookmark(false);
                    if self.tx.send(bookmark).await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Turns one change into the watch event this client should see, if any.
    async fn deliver(&mut self, change: Change) -> bool {
        let was_selected = change
            .previous
            .as_ref()
            .is_some_and(|p| self.selection.selects_everything() || self.selection.matches(p));
        match change.kind {
            EventType::Put => {
                let Some(current) = change.object else {
                    return true;
                };
                let selected = self.selection.matches(&current);
                match (was_selected, selected) {
                    (true, true) => self.send("MODIFIED", current).await,
                    (false, true) => self.send("ADDED", current).await,
                    (true, false) => self.send("DELETED", current).await,
                    (false, false) => true,
                }
            }
            EventType::Delete => match change.previous {
                Some(gone) if was_selected => {
                    let mut gone = Arc::unwrap_or_clone(gone);
                    set_resource_version(&mut gone, change.revision);
                    self.send("DELETED", Arc::new(gone)).await
                }
                _ => true,
            },
        }
    }

    async fn send(&mut self, kind: &'static str, object: Arc<Value>) -> bool {
        let meta = |p: &str| {
            object
                .pointer(p)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let object_ref = ObjectRef {
            kind: self.rt.kind.to_string(),
            namespace: meta("/metadata/namespace"),
            name: meta("/metadata/name").unwrap_or_default(),
            uid: meta("/metadata/uid"),
        };
        let rev = meta("/metadata/resourceVersion")
            .and_then(|rv| rv.parse().ok())
            .unwrap_or(self.last_revision);
        let payload = match self.table {
            Some((version, include)) => {
                let mut table = table::table(
                    self.rt.group,
                    self.rt.kind,
                    std::slice::from_ref(object.as_ref()),
                    self.clock.now_ms(),
                    include,
                );
                table["apiVersion"] = json!(version);
                table["metadata"] = json!({"resourceVersion": rev.to_string()});
                Arc::new(table)
            }
            None => object,
        };
        let mut hop = Hop::new(
            "apiserver",
            self.client.clone(),
            HopKind::WatchEventDelivered,
            format!("watch {kind} {object_ref}"),
        )
        .object(Some(object_ref))
        .rev(rev);
        if let Some(node) = &self.node {
            hop = hop.on_node(node.clone());
        }
        self.flow.pass(hop).await;
        self.tx.send(Chunk::event(kind, payload)).await.is_ok()
    }

    fn bookmark(&self, initial_events_end: bool) -> Chunk {
        let mut metadata =
            json!({"resourceVersion": self.last_revision.to_string(), "creationTimestamp": null});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({"kind": self.rt.kind, "apiVersion": self.rt.api_version(), "metadata": metadata});
        Chunk::event("BOOKMARK", Arc::new(object))
    }
}
