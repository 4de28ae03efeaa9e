//! Reconciliation (对账): a channel's day against Linli's books, its differences resolved and the
//! day signed off. Company-wide work: the merchant account serves every project.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_core::{Id, Page, PageRequest};
use linli_payments::reconcile::{Discrepancy, NewReconciliation, NewResolution, SignOff};
use linli_payments::{Reconciliation, ReconciliationDetail, ReconciliationFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};

/// Reconciled days, newest first.
#[utoipa::path(get, path = "/api/v1/reconciliations", tag = "payments", params(ReconciliationFilter, PageRequest),
    responses((status = 200, body = Page<Reconciliation>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn list_reconciliations(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<ReconciliationFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Reconciliation>>> {
    Ok(Json(app.reconcile.reconciliations(&user.authz, &filter, page.clamped()).await?))
}

/// Reconciles a channel's day now: its trade bill fetched and compared with Linli's payments and
/// refunds; again while the day is open (resolved differences are kept). The job does yesterday's
/// every morning. 409 `reconciliation_signed_off`; 422 `not_available` for a channel not
/// configured, `in_the_future`, `too_far_back`; 503 when the channel did not give its bill.
#[utoipa::path(post, path = "/api/v1/reconciliations", tag = "payments", request_body = NewReconciliation,
    responses((status = 201, body = ReconciliationDetail), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn create_reconciliation(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewReconciliation>,
) -> ApiResult<(StatusCode, Json<ReconciliationDetail>)> {
    Ok((StatusCode::CREATED, Json(app.reconcile.reconcile(&user.authz, new).await?)))
}

/// A reconciled day with its surpluses (长款) and shortfalls (短款).
#[utoipa::path(get, path = "/api/v1/reconciliations/{id}", tag = "payments", params(("id" = i64, Path)),
    responses((status = 200, body = ReconciliationDetail), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
async fn get_reconciliation(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<ReconciliationDetail>> {
    Ok(Json(app.reconcile.reconciliation(&user.authz, id).await?))
}

/// Resolves a difference with a note. `credited` settles the order the channel took money for
/// (the channel asked again); `refunded_at_channel` only for a surplus. 409
/// `discrepancy_resolved`, `reconciliation_signed_off`; 422 `does_not_fit`, `not_paid_at_channel`.
#[utoipa::path(post, path = "/api/v1/discrepancies/{id}/resolution", tag = "payments", params(("id" = i64, Path)),
    request_body = NewResolution,
    responses((status = 200, body = Discrepancy), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
              (status = 503, body = Problem)))]
async fn resolve_discrepancy(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewResolution>,
) -> ApiResult<Json<Discrepancy>> {
    Ok(Json(app.reconcile.resolve(&user.authz, id, new).await?))
}

/// Signs the day off once every difference is resolved. 409 `discrepancies_open`,
/// `reconciliation_signed_off`.
#[utoipa::path(post, path = "/api/v1/reconciliations/{id}/sign-off", tag = "payments", params(("id" = i64, Path)),
    request_body = SignOff,
    responses((status = 200, body = Reconciliation), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn sign_off_reconciliation(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(s): ApiJson<SignOff>,
) -> ApiResult<Json<Reconciliation>> {
    Ok(Json(app.reconcile.sign_off(&user.authz, id, s).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_reconciliations, create_reconciliation))
        .routes(routes!(get_reconciliation))
        .routes(routes!(resolve_discrepancy))
        .routes(routes!(sign_off_reconciliation))
}
