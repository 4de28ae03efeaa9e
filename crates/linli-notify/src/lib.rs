//! Notifications: one outbox for email, SMS and in-app messages. A business transaction writes
//! the message (rendered from a template, in the recipient's language, on the channels they
//! chose) together with a delivery job; the job sends it, retrying with backoff. Nothing is sent
//! from inside a request. In-app messages reach open pages at once through the live hub.

mod channel;
mod hub;
mod kind;
mod message;
mod quiet;
mod service;
pub mod sms;
mod template;
pub mod unsubscribe;

pub use channel::{Channel, DeliveryError, InApp};
pub use hub::{Hub, LiveMessage};
pub use kind::Kind;
pub use message::{
    DeliveryChannel, Message, MessageFilter, MessageState, NewMessage, Notification, Recipient, StateCount,
};
pub use quiet::send_after;
pub use service::{DELIVER_JOB, Delivered, NotifyRepo, NotifyService, Preference};
pub use sms::{SmsProviderKind, SmsTemplate, SmsTemplateConfig, SmsTemplates};
pub use template::{Rendered, render, sms_body, sms_fields};
