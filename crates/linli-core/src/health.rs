//! What `/healthz` asks storage: a trait the database implements, so the HTTP layer can check
//! that the database answers without knowing which one it is.

use std::future::Future;
use std::pin::Pin;

use crate::Result;

/// Storage that can say whether it answers. `ping` runs a real query and gives up after
/// `timeout`, answering `Error::Unavailable`.
pub trait Probe: Send + Sync {
    fn ping(&self, timeout: std::time::Duration) -> Pin<Box<dyn Future<Output = Result<()>> + Send + '_>>;
}
