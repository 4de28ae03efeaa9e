use async_trait::async_trait;

use crate::{DeliveryChannel, Kind, Message};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Try again later (the server is down, the provider throttles).
    Retry(String),
    /// Never going to work (bad address, template rejected).
    GiveUp(String),
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryError::Retry(m) | DeliveryError::GiveUp(m) => f.write_str(m),
        }
    }
}

/// A way out: SMTP, an SMS provider, the in-app inbox. Adapters live with the gateway; this
/// module only asks them to deliver a rendered message and answer the provider's id.
#[async_trait]
pub trait Channel: Send + Sync {
    fn kind(&self) -> DeliveryChannel;
    /// Whether messages of `kind` go out this way at all (an SMS account without a template for
    /// the kind: they are then not written for this channel).
    fn accepts(&self, _kind: Kind) -> bool {
        true
    }
    async fn deliver(&self, message: &Message) -> Result<String, DeliveryError>;
}

/// The in-app inbox: the message row is the delivery; the service pushes it live.
pub struct InApp;

#[async_trait]
impl Channel for InApp {
    fn kind(&self) -> DeliveryChannel {
        DeliveryChannel::InApp
    }

    async fn deliver(&self, message: &Message) -> Result<String, DeliveryError> {
        Ok(format!("inbox-{}", message.id))
    }
}
