//! The signed-in user's inbox (with a live stream), the console's message log, and
//! notification preferences.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use linli_core::{Error, Id, Page};
use linli_notify::{DeliveryChannel, Kind, Message, MessageFilter, MessageState, Preference, Recipient, StateCount};
use serde::{Deserialize, Serialize};
use tokio_stream::wrappers::BroadcastStream;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};
use linli_core::PageRequest;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Unread {
    pub unread: u64,
}

/// My in-app messages, newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "notifications", params(PageRequest),
    responses((status = 200, body = Page<Message>), (status = 401, body = Problem)))]
async fn list_inbox(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Message>>> {
    Ok(Json(app.notify.inbox(&user.authz, page).await?))
}

#[utoipa::path(get, path = "/api/v1/inbox/unread", tag = "notifications",
    responses((status = 200, body = Unread), (status = 401, body = Problem)))]
async fn inbox_unread(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread { unread: app.notify.unread(&user.authz).await? }))
}

/// Marks one message read; answers the unread count left. Someone else's message is 404.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Unread), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn read_inbox_message(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread { unread: app.notify.mark_read(&user.authz, Some(id)).await? }))
}

#[utoipa::path(post, path = "/api/v1/inbox/read-all", tag = "notifications",
    responses((status = 200, body = Unread), (status = 401, body = Problem)))]
async fn read_all_inbox(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Unread>> {
    Ok(Json(Unread { unread: app.notify.mark_read(&user.authz, None).await? }))
}

/// Server-sent events: `unread` once on connect, then a `message` event (`LiveMessage` JSON) for
/// each in-app message delivered to me. Keeps itself alive with comments every 15 s.
#[utoipa::path(get, path = "/api/v1/inbox/stream", tag = "notifications",
    responses((status = 200, description = "text/event-stream"), (status = 401, body = Problem)))]
async fn inbox_stream(
    State(app): State<App>,
    user: CurrentUser,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let me = user.authz.actor().user_id.ok_or(Error::Forbidden(linli_core::Code::Forbidden))?;
    let unread = app.notify.unread(&user.authz).await?;
    let first = stream::once(async move { Ok(Event::default().event("unread").data(unread.to_string())) });
    let live = BroadcastStream::new(app.notify.hub().subscribe()).filter_map(move |m| async move {
        let m = m.ok().filter(|m| m.user_id == me)?;
        Some(Ok(Event::default().event("message").json_data(&m).unwrap_or_default()))
    });
    // The stream ends when the server shuts down; otherwise an open page would keep it alive.
    let hub = app.notify.hub().clone();
    let stream = first.chain(live).take_until(async move { hub.wait_closed().await });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    pub project_id: Option<Id>,
    /// Part of the email address or phone number, or the user id.
    pub recipient: Option<String>,
    pub kind: Option<Kind>,
    pub channel: Option<DeliveryChannel>,
    pub state: Option<MessageState>,
}

/// The message log of the caller's projects: every email, SMS and in-app message and its delivery.
#[utoipa::path(get, path = "/api/v1/messages", tag = "notifications", params(MessageQuery, PageRequest),
    responses((status = 200, body = Page<Message>), (status = 403, body = Problem)))]
async fn list_messages(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<MessageQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Message>>> {
    let filter = MessageFilter {
        project_id: q.project_id,
        recipient: q.recipient,
        kind: q.kind,
        channel: q.channel,
        state: q.state,
    };
    Ok(Json(app.notify.list(&user.authz, &filter, page).await?))
}

/// Counts per channel and state, for the delivery statistics.
#[utoipa::path(get, path = "/api/v1/messages/stats", tag = "notifications",
    responses((status = 200, body = Vec<StateCount>), (status = 403, body = Problem)))]
async fn message_stats(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Vec<StateCount>>> {
    Ok(Json(app.notify.stats(&user.authz).await?))
}

/// Sends a failed or given-up message again.
#[utoipa::path(post, path = "/api/v1/messages/{id}/resend", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Message), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn resend_message(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Message>> {
    Ok(Json(app.notify.resend(&user.authz, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUserMessage {
    pub user_id: Id,
    /// The project the message is about (staff granted there may send); none for company-wide senders.
    pub project_id: Option<Id>,
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Queued {
    /// One message per channel the recipient receives this kind on.
    pub message_ids: Vec<Id>,
}

/// A message from staff to one user: in-app (live), and by SMS or email as the user chose.
#[utoipa::path(post, path = "/api/v1/messages", tag = "notifications", request_body = NewUserMessage,
    responses((status = 202, body = Queued), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn send_message(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewUserMessage>,
) -> ApiResult<(axum::http::StatusCode, Json<Queued>)> {
    let scope = user.authz.scope(linli_core::Permission::NotifyMessageSend)?;
    let to = app.users.contact(&scope, req.user_id).await?;
    let recipient = Recipient { user_id: Some(req.user_id), email: None, phone: to.phone, locale: None };
    let ids = app.notify.send_to_user(&user.authz, &recipient, req.project_id, &req.title, &req.text).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(Queued { message_ids: ids })))
}

/// The channels I receive each kind of message on.
#[utoipa::path(get, path = "/api/v1/notification-preferences", tag = "notifications",
    responses((status = 200, body = Vec<Preference>), (status = 401, body = Problem)))]
async fn list_preferences(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Vec<Preference>>> {
    Ok(Json(app.notify.preferences(&user.authz).await?))
}

#[utoipa::path(put, path = "/api/v1/notification-preferences", tag = "notifications", request_body = Preference,
    responses((status = 200, body = Preference), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn set_preference(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(p): ApiJson<Preference>,
) -> ApiResult<Json<Preference>> {
    Ok(Json(app.notify.set_preference(&user.authz, p).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    pub token: String,
}

/// The one-click link in every email to a user: no sign-in, the signed token says who and what.
#[utoipa::path(get, path = "/api/v1/notifications/unsubscribe", tag = "notifications", security(()), params(UnsubscribeQuery),
    responses((status = 200, description = "A short HTML page confirming it"), (status = 404, body = Problem)))]
async fn unsubscribe(
    State(app): State<App>,
    ApiQuery(q): ApiQuery<UnsubscribeQuery>,
) -> ApiResult<axum::response::Html<String>> {
    let kind = app.notify.unsubscribe(&q.token).await?;
    Ok(axum::response::Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>已退订</title>\
         <body style=\"font-family:sans-serif;padding:2em\"><h3>已退订</h3><p>您将不再通过邮件收到此类消息（{}）。可在“我的 → 通知设置”中重新开启。</p>\
         <p style=\"color:#888\">Unsubscribed: you will no longer receive these messages by email.</p></body></html>",
        kind.as_str()
    )))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_inbox))
        .routes(routes!(inbox_unread))
        .routes(routes!(read_all_inbox))
        .routes(routes!(read_inbox_message))
        .routes(routes!(inbox_stream))
        .routes(routes!(list_messages, send_message))
        .routes(routes!(message_stats))
        .routes(routes!(resend_message))
        .routes(routes!(list_preferences, set_preference))
        .routes(routes!(unsubscribe))
}
