use chrono::{DateTime, Utc};
use linli_core::Id;
use linli_core::text_enum;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Kind;

text_enum! {
    DeliveryChannel {
        Email = "email",
        Sms = "sms",
        InApp = "in_app",
    }
}

text_enum! {
    /// pending → sent; pending → failed (will retry) → sent or given_up.
    MessageState {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
        GivenUp = "given_up",
    }
}

/// Who a notice is for. The channels used are those the recipient has an address for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Option<Id>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `zh-CN` (default) or `en`.
    pub locale: Option<String>,
}

/// What a business transaction asks to tell someone.
#[derive(Debug, Clone)]
pub struct Notification {
    pub company_id: Id,
    pub project_id: Option<Id>,
    pub kind: Kind,
    pub recipient: Recipient,
    pub params: Value,
    /// The same key twice sends once (per channel), e.g. `bill_overdue:<bill>:<date>`.
    pub dedupe_key: Option<String>,
}

/// One rendered message ready for the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub company_id: Id,
    pub project_id: Option<Id>,
    pub user_id: Option<Id>,
    pub channel: DeliveryChannel,
    pub address: String,
    pub kind: Kind,
    pub locale: String,
    pub params: Value,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    /// Unused since the SMS template is the provider account's configuration, looked up when the
    /// message is delivered (`linli_notify::sms`); older rows hold a fixed code.
    pub sms_template: Option<String>,
    pub dedupe_key: Option<String>,
    pub send_after: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: Id,
    pub project_id: Option<Id>,
    pub user_id: Option<Id>,
    pub channel: DeliveryChannel,
    /// The email address or phone number (masked in lists for SMS), or the user for in-app.
    pub address: String,
    pub kind: Kind,
    pub locale: String,
    pub subject: String,
    pub body: String,
    #[serde(skip)]
    pub html: Option<String>,
    #[serde(skip)]
    pub params: Value,
    #[serde(skip)]
    pub sms_template: Option<String>,
    pub state: MessageState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub send_after: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageFilter {
    pub project_id: Option<Id>,
    /// Part of the address (email or phone), or the user id.
    pub recipient: Option<String>,
    pub kind: Option<Kind>,
    pub channel: Option<DeliveryChannel>,
    pub state: Option<MessageState>,
}

/// Delivery statistics: how many messages of a channel are in a state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StateCount {
    pub channel: DeliveryChannel,
    pub state: MessageState,
    pub count: u64,
}
