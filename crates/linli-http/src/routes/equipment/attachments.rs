//! Attachments of equipment (manuals, photos): upload as multipart, list, download, delete.

use std::fmt::Write;

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_core::{Error, Id};
use linli_equipment::attachment::MAX_BYTES;
use linli_equipment::{Attachment, Upload};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::CurrentUser;
use crate::files::LocalFiles;

/// The largest request body the server reads: an attachment plus its multipart framing.
pub const MAX_BODY: usize = MAX_BYTES + 1024 * 1024;

/// `multipart/form-data` with the file in the field `file`.
// Deserialize only for `deny_unknown_fields`: the document says the form has no other fields.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // documents the form; the handler reads the stream
pub struct AttachmentForm {
    /// PDF, JPEG/PNG/GIF/WebP, Word/Excel/PowerPoint or plain text, at most 20 MiB.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
}

fn files(app: &App) -> LocalFiles {
    LocalFiles::new(&app.files_dir)
}

fn too_large() -> Error {
    Error::invalid("file", "too_large")
}

/// Reads the `file` field, stopping as soon as it passes the size limit.
async fn read_upload(mut form: Multipart) -> ApiResult<Upload> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { Error::Malformed(e.body_text()) }
    };
    let Some(mut field) = form.next_field().await.map_err(broken)? else {
        return Err(Error::invalid("file", "required").into());
    };
    if field.name() != Some("file") {
        // The document says the form has `file` only (`deny_unknown_fields`).
        return Err(Error::invalid("form", "unknown_field").into());
    }
    let file_name = field.file_name().unwrap_or_default().to_string();
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(broken)? {
        if bytes.len() + chunk.len() > MAX_BYTES {
            return Err(too_large().into());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Upload { file_name, bytes })
}

/// Attaches a file to an item. The type is decided by the file's name and its first bytes.
#[utoipa::path(post, path = "/api/v1/equipment/{id}/attachments", tag = "equipment", params(("id" = i64, Path)),
    request_body(content = AttachmentForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn upload_equipment_attachment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let form = form.map_err(|e| Error::Malformed(e.body_text()))?;
    // Refuse before reading up to 20 MiB for nothing.
    app.equipment.may_attach(&user.authz, id).await?;
    let upload = read_upload(form).await?;
    let a = app.equipment.add_attachment(&user.authz, id, upload, &files(&app)).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(get, path = "/api/v1/equipment/{id}/attachments", tag = "equipment", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = Problem)))]
async fn list_equipment_attachments(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(app.equipment.attachments(&user.authz, id).await?))
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII fallback for old
/// clients, the real name percent-encoded for everyone else.
fn content_disposition(file_name: &str) -> HeaderValue {
    let fallback: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    HeaderValue::from_str(&format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The file, with its content type and name.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "equipment", params(("id" = i64, Path)),
    responses((status = 200, description = "The file, in the type it was accepted as (`attachment::TYPES`)",
               content(("application/pdf"), ("image/png"), ("image/jpeg"), ("image/gif"), ("image/webp"), ("application/msword"), ("application/vnd.ms-excel"), ("application/vnd.ms-powerpoint"), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/vnd.openxmlformats-officedocument.presentationml.presentation"), ("text/plain"))),
              (status = 404, body = Problem)))]
async fn download_attachment(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Response> {
    let (a, bytes) = app.equipment.download(&user.authz, id, &files(&app)).await?;
    let content_type = HeaderValue::from_str(&a.content_type).map_err(Error::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, content_disposition(&a.file_name)),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600")),
            // Even a file that slipped past the checks cannot run script in our origin.
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox")),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/attachments/{id}", tag = "equipment", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete_attachment(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<StatusCode> {
    app.equipment.delete_attachment(&user.authz, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(upload_equipment_attachment, list_equipment_attachments))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .merge(OpenApiRouter::new().routes(routes!(download_attachment, delete_attachment)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_file_names_survive_in_the_content_disposition() {
        let v = content_disposition("电梯 说明书.pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"__ ___.pdf\"; filename*=UTF-8''%E7%94%B5%E6%A2%AF%20%E8%AF%B4%E6%98%8E%E4%B9%A6.pdf"
        );
    }
}
