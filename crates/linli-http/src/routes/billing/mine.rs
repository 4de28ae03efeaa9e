//! A resident's own houses' accounts and bills: what a bound owner or resident sees on the
//! phone. Each answer is for one house the signed-in user is bound to today; any other house is
//! 404, whether it exists or not.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use linli_billing::{Bill, BillDetail, BillState, HouseAccount, PaymentRow};
use linli_core::{Id, Page, PageRequest, date};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, CurrentUser};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AsOf {
    /// The day late fees are computed up to (included); today by default.
    #[serde(default, deserialize_with = "date::any::opt_day")]
    as_of: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MyBillsQuery {
    state: Option<BillState>,
}

/// What my house owes as of a day: open bills with their late fees, and its prepaid balance.
#[utoipa::path(get, path = "/api/v1/my/houses/{id}/account", tag = "billing", params(("id" = i64, Path), AsOf),
    responses((status = 200, body = HouseAccount), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn my_house_account(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<HouseAccount>> {
    let resident = app.people.resident_of(&user.authz, id).await?;
    Ok(Json(app.billing.payments.resident_account(&resident, q.as_of).await?))
}

/// My house's bills, newest period first.
#[utoipa::path(get, path = "/api/v1/my/houses/{id}/bills", tag = "billing", params(("id" = i64, Path), MyBillsQuery, PageRequest),
    responses((status = 200, body = Page<Bill>), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn my_house_bills(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<MyBillsQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Bill>>> {
    let resident = app.people.resident_of(&user.authz, id).await?;
    Ok(Json(app.billing.payments.resident_bills(&resident, q.state, page.clamped()).await?))
}

/// One bill of my house with its lines, its ledger entries and its late fee day by day.
#[utoipa::path(get, path = "/api/v1/my/houses/{id}/bills/{bill_id}", tag = "billing",
    params(("id" = i64, Path), ("bill_id" = i64, Path), AsOf),
    responses((status = 200, body = BillDetail), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn my_house_bill(
    State(app): State<App>,
    user: CurrentUser,
    Path((id, bill_id)): Path<(Id, Id)>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<BillDetail>> {
    let resident = app.people.resident_of(&user.authz, id).await?;
    Ok(Json(app.billing.payments.resident_bill(&resident, bill_id, q.as_of).await?))
}

/// My house's payments (缴费记录), newest first, each with its receipt number.
#[utoipa::path(get, path = "/api/v1/my/houses/{id}/payments", tag = "billing", params(("id" = i64, Path), PageRequest),
    responses((status = 200, body = Page<PaymentRow>), (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn my_house_payments(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<PaymentRow>>> {
    let resident = app.people.resident_of(&user.authz, id).await?;
    Ok(Json(app.billing.counter.resident_payments(&resident, page.clamped()).await?))
}

/// The electronic receipt (电子收据) of a payment of my house, as a page for the phone; reading it
/// is not a printing (the office's first print stays the original).
#[utoipa::path(get, path = "/api/v1/my/houses/{id}/payments/{payment_id}/receipt", tag = "billing",
    params(("id" = i64, Path), ("payment_id" = i64, Path)),
    responses((status = 200, description = "HTML", content_type = "text/html"), (status = 401, body = Problem),
              (status = 404, body = Problem)))]
async fn my_payment_receipt(
    State(app): State<App>,
    user: CurrentUser,
    Path((id, payment_id)): Path<(Id, Id)>,
) -> ApiResult<Response> {
    let resident = app.people.resident_of(&user.authz, id).await?;
    Ok(super::counter::html(app.billing.counter.resident_receipt_html(&resident, payment_id).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(my_house_account))
        .routes(routes!(my_house_bills))
        .routes(routes!(my_house_bill))
        .routes(routes!(my_house_payments))
        .routes(routes!(my_payment_receipt))
}
