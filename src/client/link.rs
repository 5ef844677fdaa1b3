//! The network between a component and the apiserver. A link that goes down cuts the
//! component off — the node lost power, or its cable: its requests never arrive (no hop
//! shows them), its open watches end, and it hears nothing until the link is back.

use tokio::sync::watch;

#[derive(Clone)]
pub struct Link {
    up: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for Link {
    fn default() -> Self {
        Link::new()
    }
}

impl Link {
    pub fn new() -> Link {
        Link {
            up: std::sync::Arc::new(watch::channel(true).0),
        }
    }

    pub fn is_up(&self) -> bool {
        *self.up.borrow()
    }

    pub fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }

    /// Resolves once the link is down (at once if it is).
    pub async fn down(&self) {
        let mut receiver = self.up.subscribe();
        let _ = receiver.wait_for(|up| !up).await;
    }
}
