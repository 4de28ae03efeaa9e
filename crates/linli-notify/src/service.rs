//! Writing notices into the outbox, delivering them from the delivery job, the inbox, the
//! console's message log, and each user's choice of channels.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_core::{Authz, Code, Error, Id, Page, PageRequest, Permission, Result, Scope};
use serde::{Deserialize, Serialize};

use crate::{
    Channel, DeliveryChannel, DeliveryError, Hub, Kind, LiveMessage, Message, MessageFilter, MessageState, NewMessage,
    Notification, Recipient, StateCount, render, send_after,
};

/// The job kind that delivers one message; its payload is `{"message_id": …}`.
pub const DELIVER_JOB: &str = "notify.deliver";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Preference {
    pub kind: Kind,
    pub channels: Vec<DeliveryChannel>,
}

#[async_trait]
pub trait NotifyRepo: Send + Sync {
    /// Inserts the messages and one delivery job each, in one transaction; a message whose
    /// dedupe key exists is skipped. Answers the ids inserted.
    async fn enqueue(&self, messages: Vec<NewMessage>) -> Result<Vec<Id>>;
    async fn message(&self, id: Id) -> Result<Option<Message>>;
    async fn mark_sent(&self, id: Id, provider_id: &str, now: DateTime<Utc>) -> Result<()>;
    async fn mark_failed(&self, id: Id, error: &str, given_up: bool, now: DateTime<Utc>) -> Result<()>;
    /// Back to pending with a new delivery job (a failed or given-up message sent again).
    async fn requeue(&self, scope: &Scope, id: Id) -> Result<Message>;

    async fn inbox(&self, user_id: Id, page: PageRequest) -> Result<Page<Message>>;
    async fn unread(&self, user_id: Id) -> Result<u64>;
    /// Marks one of the user's in-app messages read (or all with `None`); `NotFound` when `id` is
    /// not one of the user's in-app messages.
    async fn mark_read(&self, user_id: Id, id: Option<Id>, now: DateTime<Utc>) -> Result<u64>;

    async fn list(&self, scope: &Scope, filter: &MessageFilter, page: PageRequest) -> Result<Page<Message>>;
    async fn stats(&self, scope: &Scope) -> Result<Vec<StateCount>>;

    async fn preferences(&self, user_id: Id) -> Result<Vec<Preference>>;
    async fn set_preference(&self, user_id: Id, pref: &Preference) -> Result<()>;
}

/// What a delivery did, for the job's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Sent,
    AlreadySent,
    Failed(String),
    GaveUp(String),
}

#[derive(Clone)]
pub struct NotifyService {
    repo: Arc<dyn NotifyRepo>,
    channels: HashMap<DeliveryChannel, Arc<dyn Channel>>,
    hub: Hub,
    /// Signs unsubscribe links, and the origin they point at.
    unsubscribe: Option<([u8; 32], String)>,
}

impl NotifyService {
    pub fn new(repo: Arc<dyn NotifyRepo>, hub: Hub) -> Self {
        Self { repo, channels: HashMap::new(), hub, unsubscribe: None }
    }

    /// Email to a user then carries a one-click unsubscribe link to `origin`.
    #[must_use]
    pub fn with_unsubscribe(mut self, key: [u8; 32], origin: &str) -> Self {
        self.unsubscribe = Some((key, origin.trim_end_matches('/').to_string()));
        self
    }

    /// Follows an unsubscribe link: email is removed from the user's channels for that kind.
    pub async fn unsubscribe(&self, token: &str) -> Result<Kind> {
        let (key, _) = self.unsubscribe.as_ref().ok_or_else(|| Error::not_found("unsubscribe link", token))?;
        let (user, kind) =
            crate::unsubscribe::verify(key, token).ok_or_else(|| Error::not_found("unsubscribe link", token))?;
        let current = self.repo.preferences(user).await?.into_iter().find(|p| p.kind == kind);
        let mut channels = current.map_or_else(|| kind.default_channels().to_vec(), |p| p.channels);
        channels.retain(|c| *c != DeliveryChannel::Email);
        self.repo.set_preference(user, &Preference { kind, channels }).await?;
        Ok(kind)
    }

    #[must_use]
    pub fn with_channel(mut self, channel: Arc<dyn Channel>) -> Self {
        self.channels.insert(channel.kind(), channel);
        self
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Renders a notice for each channel the recipient can be reached on and has chosen (or the
    /// kind's defaults), and writes them to the outbox with their delivery jobs.
    pub async fn notify(&self, notice: Notification, now: DateTime<Utc>) -> Result<Vec<Id>> {
        let r = &notice.recipient;
        let locale = r.locale.clone().unwrap_or_else(|| "zh-CN".into());
        let chosen = match r.user_id {
            Some(u) => self.repo.preferences(u).await?.into_iter().find(|p| p.kind == notice.kind).map(|p| p.channels),
            None => None,
        };
        let channels = chosen.unwrap_or_else(|| notice.kind.default_channels().to_vec());
        let mut messages = Vec::new();
        for channel in channels {
            if self.channels.get(&channel).is_some_and(|c| !c.accepts(notice.kind)) {
                continue;
            }
            let address = match channel {
                DeliveryChannel::Email => r.email.clone(),
                DeliveryChannel::Sms => r.phone.clone(),
                DeliveryChannel::InApp => r.user_id.map(|u| u.to_string()),
            };
            let Some(address) = address else { continue };
            let mut params = notice.params.clone();
            if let (DeliveryChannel::Email, Some(user), Some((key, origin)), serde_json::Value::Object(m)) =
                (channel, r.user_id, &self.unsubscribe, &mut params)
            {
                let t = crate::unsubscribe::token(key, user, notice.kind);
                m.insert(
                    "unsubscribe_url".into(),
                    format!("{origin}/api/v1/notifications/unsubscribe?token={t}").into(),
                );
            }
            let rendered = render(notice.kind, channel, &locale, &params)?;
            let urgent = notice.kind.urgent() || channel == DeliveryChannel::InApp;
            messages.push(NewMessage {
                company_id: notice.company_id,
                project_id: notice.project_id,
                user_id: r.user_id,
                channel,
                address,
                kind: notice.kind,
                locale: locale.clone(),
                params,
                subject: rendered.subject,
                body: rendered.body,
                html: rendered.html,
                // The template is the provider account's configuration, looked up on delivery.
                sms_template: None,
                dedupe_key: notice.dedupe_key.as_ref().map(|k| format!("{k}:{}", channel.as_str())),
                send_after: send_after(now, urgent),
            });
        }
        self.repo.enqueue(messages).await
    }

    /// Called by the delivery job. Idempotent: a message already sent is not sent again. An error
    /// asks the job to retry; on the last attempt the message is given up.
    pub async fn deliver(&self, message_id: Id, last_attempt: bool) -> Result<Delivered> {
        let Some(m) = self.repo.message(message_id).await? else {
            return Ok(Delivered::GaveUp("message not found".into()));
        };
        if m.state == MessageState::Sent {
            return Ok(Delivered::AlreadySent);
        }
        let Some(channel) = self.channels.get(&m.channel) else {
            let why = format!("no {} channel configured", m.channel.as_str());
            self.repo.mark_failed(m.id, &why, last_attempt, Utc::now()).await?;
            return Ok(if last_attempt { Delivered::GaveUp(why) } else { Delivered::Failed(why) });
        };
        match channel.deliver(&m).await {
            Ok(provider_id) => {
                self.repo.mark_sent(m.id, &provider_id, Utc::now()).await?;
                if let (DeliveryChannel::InApp, Some(user_id)) = (m.channel, m.user_id) {
                    let unread = self.repo.unread(user_id).await?;
                    self.hub.publish(LiveMessage {
                        user_id,
                        message_id: m.id,
                        kind: m.kind,
                        subject: m.subject,
                        body: m.body,
                        unread,
                    });
                }
                Ok(Delivered::Sent)
            }
            Err(DeliveryError::GiveUp(why)) => {
                self.repo.mark_failed(m.id, &why, true, Utc::now()).await?;
                Ok(Delivered::GaveUp(why))
            }
            Err(DeliveryError::Retry(why)) => {
                self.repo.mark_failed(m.id, &why, last_attempt, Utc::now()).await?;
                Ok(if last_attempt { Delivered::GaveUp(why) } else { Delivered::Failed(why) })
            }
        }
    }

    /// A message from staff to one user (站内信, and SMS/email per their choices), e.g. the service
    /// desk answering a question. The user must be in the sender's company.
    pub async fn send_to_user(
        &self,
        authz: &Authz,
        to: &Recipient,
        project_id: Option<Id>,
        title: &str,
        text: &str,
    ) -> Result<Vec<Id>> {
        match project_id {
            Some(p) => {
                authz.require(Permission::NotifyMessageSend, p)?;
            }
            None => {
                authz.require_company(Permission::NotifyMessageSend)?;
            }
        }
        let mut v = linli_core::error::Validator::default();
        let title = linli_core::error::required_text(&mut v, "title", title, 100);
        let text = linli_core::error::required_text(&mut v, "text", text, 2000);
        v.finish()?;
        let notice = Notification {
            company_id: authz.actor().company_id,
            project_id,
            kind: Kind::NoticePublished,
            recipient: to.clone(),
            params: serde_json::json!({ "title": title, "summary": text }),
            dedupe_key: None,
        };
        self.notify(notice, Utc::now()).await
    }

    fn me(authz: &Authz) -> Result<Id> {
        authz.actor().user_id.ok_or(Error::Forbidden(Code::Forbidden))
    }

    pub async fn inbox(&self, authz: &Authz, page: PageRequest) -> Result<Page<Message>> {
        self.repo.inbox(Self::me(authz)?, page).await
    }

    pub async fn unread(&self, authz: &Authz) -> Result<u64> {
        self.repo.unread(Self::me(authz)?).await
    }

    /// Marks one message (or all, with `None`) read; answers the unread count left.
    pub async fn mark_read(&self, authz: &Authz, id: Option<Id>) -> Result<u64> {
        let me = Self::me(authz)?;
        self.repo.mark_read(me, id, Utc::now()).await?;
        self.repo.unread(me).await
    }

    pub async fn list(&self, authz: &Authz, filter: &MessageFilter, page: PageRequest) -> Result<Page<Message>> {
        self.repo.list(&authz.scope(Permission::NotifyMessageRead)?, filter, page).await
    }

    pub async fn stats(&self, authz: &Authz) -> Result<Vec<StateCount>> {
        self.repo.stats(&authz.scope(Permission::NotifyMessageRead)?).await
    }

    pub async fn resend(&self, authz: &Authz, id: Id) -> Result<Message> {
        self.repo.requeue(&authz.scope(Permission::NotifyMessageResend)?, id).await
    }

    /// Every kind with the channels in force for the user (chosen, else the defaults).
    pub async fn preferences(&self, authz: &Authz) -> Result<Vec<Preference>> {
        let chosen = self.repo.preferences(Self::me(authz)?).await?;
        Ok(Kind::ALL
            .iter()
            .copied()
            .map(|k| {
                chosen
                    .iter()
                    .find(|p| p.kind == k)
                    .cloned()
                    .unwrap_or_else(|| Preference { kind: k, channels: k.default_channels().to_vec() })
            })
            .collect())
    }

    pub async fn set_preference(&self, authz: &Authz, pref: Preference) -> Result<Preference> {
        let mut pref = pref;
        pref.channels.sort_by_key(|c| c.as_str());
        pref.channels.dedup();
        self.repo.set_preference(Self::me(authz)?, &pref).await?;
        Ok(pref)
    }
}
