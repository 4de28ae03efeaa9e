//! Equipment archives: categories, items, their history, and printable QR labels.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use linli_audit::AuditEntry;
use linli_core::{Error, Id, Page, PageRequest};
use linli_equipment::{CategoryNode, Equipment, EquipmentFilter, EquipmentPatch, Maintained, NewEquipment, label};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};

/// The company's equipment categories as a tree.
#[utoipa::path(get, path = "/api/v1/equipment-categories", tag = "equipment",
    responses((status = 200, body = Vec<CategoryNode>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_equipment_categories(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Vec<CategoryNode>>> {
    Ok(Json(app.equipment.categories(&user.authz).await?))
}

/// The equipment register of the caller's projects, ordered by code.
#[utoipa::path(get, path = "/api/v1/equipment", tag = "equipment", params(EquipmentFilter, PageRequest),
    responses((status = 200, body = Page<Equipment>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn list_equipment(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<EquipmentFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Equipment>>> {
    Ok(Json(app.equipment.list(&user.authz, &filter, page.clamped()).await?))
}

/// Registers an item; its next maintenance date is derived from its cycle.
#[utoipa::path(post, path = "/api/v1/equipment", tag = "equipment", request_body = NewEquipment,
    responses((status = 201, body = Equipment), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_equipment(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewEquipment>,
) -> ApiResult<(StatusCode, Json<Equipment>)> {
    Ok((StatusCode::CREATED, Json(app.equipment.create(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/equipment/{id}", tag = "equipment", params(("id" = i64, Path)),
    responses((status = 200, body = Equipment), (status = 404, body = Problem)))]
async fn get_equipment(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Equipment>> {
    Ok(Json(app.equipment.get(&user.authz, id).await?))
}

/// Changes the named fields; `null` clears an optional one.
#[utoipa::path(patch, path = "/api/v1/equipment/{id}", tag = "equipment", params(("id" = i64, Path)),
    request_body = EquipmentPatch,
    responses((status = 200, body = Equipment), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_equipment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<EquipmentPatch>,
) -> ApiResult<Json<Equipment>> {
    Ok(Json(app.equipment.update(&user.authz, id, patch).await?))
}

/// Deletes the item with its attachments.
#[utoipa::path(delete, path = "/api/v1/equipment/{id}", tag = "equipment", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_equipment(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<StatusCode> {
    app.equipment.delete(&user.authz, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the day the item was maintained and moves its next maintenance date.
#[utoipa::path(post, path = "/api/v1/equipment/{id}/maintained", tag = "equipment", params(("id" = i64, Path)),
    request_body = Maintained,
    responses((status = 200, body = Equipment), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn record_equipment_maintained(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(m): ApiJson<Maintained>,
) -> ApiResult<Json<Equipment>> {
    Ok(Json(app.equipment.maintained(&user.authz, id, m).await?))
}

/// Every change to the item, newest first.
#[utoipa::path(get, path = "/api/v1/equipment/{id}/history", tag = "equipment", params(("id" = i64, Path), PageRequest),
    responses((status = 200, body = Page<AuditEntry>), (status = 404, body = Problem)))]
async fn list_equipment_history(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    Ok(Json(app.equipment.history(&user.authz, id, page.clamped()).await?))
}

/// `scheme://host` the caller reached us at: the scheme from `X-Forwarded-Proto` behind a proxy.
fn origin(headers: &HeaderMap, uri: &Uri) -> ApiResult<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(axum::http::uri::Authority::as_str))
        .ok_or_else(|| Error::Malformed("missing Host header".into()))?;
    let host_ok = !host.is_empty()
        && host.len() <= 255
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c));
    if !host_ok {
        return Err(Error::Malformed("invalid Host header".into()).into());
    }
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let scheme = match forwarded.as_deref().or(uri.scheme_str()) {
        Some("https") => "https",
        _ => "http",
    };
    Ok(format!("{scheme}://{host}"))
}

/// The origin a label's QR code opens: the configured public URL, which a phone can reach, else
/// the address this request came to.
fn label_origin(app: &App, headers: &HeaderMap, uri: &Uri) -> ApiResult<String> {
    match &app.public_url {
        Some(url) => Ok(url.trim_end_matches('/').to_owned()),
        None => origin(headers, uri),
    }
}

/// A 60 × 30 mm label whose QR code opens the item's mobile page.
#[utoipa::path(get, path = "/api/v1/equipment/{id}/label.svg", tag = "equipment", params(("id" = i64, Path)),
    responses((status = 200, description = "SVG label", content_type = "image/svg+xml", body = String),
              (status = 404, body = Problem)))]
async fn get_equipment_label(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let item = app.equipment.get(&user.authz, id).await?;
    let svg = label::label_svg(&item, &label::item_url(&label_origin(&app, &headers, &uri)?, item.id))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], svg)
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LabelsQuery {
    /// Item ids separated by commas, e.g. `1,2,3`.
    #[param(pattern = "^ *[0-9]{1,18} *(, *[0-9]{1,18} *)*$")]
    pub ids: String,
}

fn parse_ids(s: &str) -> ApiResult<Vec<Id>> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<Id>().map_err(|_| Error::invalid("ids", "invalid").into()))
        .collect()
}

/// A printable A4 page of labels for several items.
#[utoipa::path(get, path = "/api/v1/equipment/labels", tag = "equipment", params(LabelsQuery),
    responses((status = 200, description = "HTML page to print", content_type = "text/html", body = String),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn get_equipment_labels(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<LabelsQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let items = app.equipment.for_labels(&user.authz, &parse_ids(&q.ids)?).await?;
    let html = label::labels_page(&items, &label_origin(&app, &headers, &uri)?)?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], html)
        .into_response())
}

/// The register matching the list's filters as XLSX, in the import template's columns.
#[utoipa::path(get, path = "/api/v1/equipment/export", tag = "equipment", params(EquipmentFilter),
    responses((status = 200, description = "XLSX file"), (status = 403, body = Problem)))]
async fn export_equipment(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<EquipmentFilter>,
) -> ApiResult<Response> {
    let bytes = app.equipment.export(&user.authz, &filter).await?;
    Ok(crate::download::attachment(bytes, crate::download::XLSX, "设施设备.xlsx"))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_equipment_categories))
        .routes(routes!(export_equipment))
        .routes(routes!(list_equipment, create_equipment))
        .routes(routes!(get_equipment_labels))
        .routes(routes!(get_equipment, update_equipment, delete_equipment))
        .routes(routes!(record_equipment_maintained))
        .routes(routes!(list_equipment_history))
        .routes(routes!(get_equipment_label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_origin_is_the_host_asked_for_with_the_proxy_scheme() {
        let uri: Uri = "/api/v1/equipment/1/label.svg".parse().unwrap();
        assert_eq!(origin(&headers(&[("host", "wuye.example.cn")]), &uri).unwrap(), "http://wuye.example.cn");
        let proxied = headers(&[("host", "wuye.example.cn"), ("x-forwarded-proto", "https, http")]);
        assert_eq!(origin(&proxied, &uri).unwrap(), "https://wuye.example.cn");
        assert_eq!(origin(&headers(&[("host", "127.0.0.1:8080")]), &uri).unwrap(), "http://127.0.0.1:8080");
        assert!(origin(&headers(&[("host", "x\"><script>")]), &uri).is_err());
    }

    #[test]
    fn label_ids_are_a_comma_list_of_numbers() {
        assert_eq!(parse_ids("1, 2,3,").unwrap(), [1, 2, 3]);
        assert!(parse_ids("1,a").is_err());
    }
}
