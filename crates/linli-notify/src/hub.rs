//! Live pushes of in-app messages to the pages a user has open. In one process a broadcast
//! channel; several instances on PostgreSQL relay through LISTEN/NOTIFY into the same hub.

use linli_core::Id;
use serde::Serialize;
use tokio::sync::broadcast;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveMessage {
    pub user_id: Id,
    pub message_id: Id,
    pub subject: String,
    pub body: String,
    pub unread: u64,
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<LiveMessage>,
}

impl Default for Hub {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0 }
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
}
