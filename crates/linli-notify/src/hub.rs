//! Live pushes of in-app messages to the pages a user has open. In one process a broadcast
//! channel; several instances on PostgreSQL relay through LISTEN/NOTIFY into the same hub.

use linli_core::Id;
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use crate::Kind;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveMessage {
    pub user_id: Id,
    pub message_id: Id,
    pub kind: Kind,
    pub subject: String,
    pub body: String,
    pub unread: u64,
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<LiveMessage>,
    /// Turns true when the server shuts down, so open streams end and let it stop.
    closed: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0, closed: watch::channel(false).0 }
    }
}

impl Hub {
    pub fn publish(&self, m: LiveMessage) {
        // No subscriber is fine: nobody has a page open.
        let _ = self.tx.send(m);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.tx.subscribe()
    }

    /// Ends every open stream (the server is shutting down).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Resolves when the hub is closed.
    pub async fn wait_closed(&self) {
        let mut rx = self.closed.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }
}
