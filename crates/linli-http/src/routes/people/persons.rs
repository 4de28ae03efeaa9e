use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_core::{Id, Page};
use linli_people::{
    EndOwnership, HousePeople, MoveOut, NewOccupancy, NewOwnership, NewPerson, Occupancy, Ownership, Person,
    PersonFilter, PersonHouses, PersonPatch, RevealedPerson,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::response::Response;

use crate::App;
use crate::download::{XLSX, attachment};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};
use linli_core::PageRequest;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    pub project_id: Option<Id>,
    /// Part of the name or phone.
    pub q: Option<String>,
    /// The whole ID number (exact match). Needs `people.person.reveal_id` (403 otherwise), is
    /// audited like a reveal and limited to 20 searches an hour per user (429 beyond).
    pub id_number: Option<String>,
    /// Owners and occupants of this house, present and past.
    pub house_id: Option<Id>,
}

/// Owners and residents; ID numbers and bank accounts masked.
#[utoipa::path(get, path = "/api/v1/persons", tag = "people", params(PersonQuery, PageRequest),
    responses((status = 200, body = Page<Person>), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn list_persons(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<PersonQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Person>>> {
    let filter = PersonFilter { project_id: q.project_id, q: q.q, id_number: q.id_number, house_id: q.house_id };
    Ok(Json(app.people.list(&user.authz, &filter, page).await?))
}

#[utoipa::path(post, path = "/api/v1/persons", tag = "people", request_body = NewPerson,
    responses((status = 201, body = Person), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_person(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewPerson>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    Ok((StatusCode::CREATED, Json(app.people.create(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = Person), (status = 404, body = Problem)))]
async fn get_person(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Person>> {
    Ok(Json(app.people.get(&user.authz, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/persons/{id}", tag = "people", params(("id" = i64, Path)), request_body = PersonPatch,
    responses((status = 200, body = Person), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_person(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<PersonPatch>,
) -> ApiResult<Json<Person>> {
    Ok(Json(app.people.update(&user.authz, id, patch).await?))
}

/// The whole ID number and bank account (`people.person.reveal_id`); every reveal is audited.
#[utoipa::path(post, path = "/api/v1/persons/{id}/reveal", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = RevealedPerson), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reveal_person(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<RevealedPerson>> {
    Ok(Json(app.people.reveal(&user.authz, id).await?))
}

/// The person's houses: ownerships and occupancies, with history.
#[utoipa::path(get, path = "/api/v1/persons/{id}/houses", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonHouses), (status = 404, body = Problem)))]
async fn person_houses(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<PersonHouses>> {
    Ok(Json(app.people.person_houses(&user.authz, id).await?))
}

/// Owners (current first, then past owners) and occupants of a house.
#[utoipa::path(get, path = "/api/v1/houses/{id}/people", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = HousePeople), (status = 404, body = Problem)))]
async fn house_people(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<HousePeople>> {
    Ok(Json(app.people.house_people(&user.authz, id).await?))
}

/// Records an owner; with `replace_current` the current owners' ownership ends (a sale).
#[utoipa::path(post, path = "/api/v1/houses/{id}/ownerships", tag = "people", params(("id" = i64, Path)), request_body = NewOwnership,
    responses((status = 201, body = Ownership), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_ownership(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewOwnership>,
) -> ApiResult<(StatusCode, Json<Ownership>)> {
    Ok((StatusCode::CREATED, Json(app.people.add_ownership(&user.authz, id, new).await?)))
}

#[utoipa::path(post, path = "/api/v1/ownerships/{id}/end", tag = "people", params(("id" = i64, Path)), request_body = EndOwnership,
    responses((status = 200, body = Ownership), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn end_ownership(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(end): ApiJson<EndOwnership>,
) -> ApiResult<Json<Ownership>> {
    Ok(Json(app.people.end_ownership(&user.authz, id, end).await?))
}

/// Moving in (入住); a vacant house becomes occupied.
#[utoipa::path(post, path = "/api/v1/houses/{id}/occupancies", tag = "people", params(("id" = i64, Path)), request_body = NewOccupancy,
    responses((status = 201, body = Occupancy), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_occupancy(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewOccupancy>,
) -> ApiResult<(StatusCode, Json<Occupancy>)> {
    Ok((StatusCode::CREATED, Json(app.people.add_occupancy(&user.authz, id, new).await?)))
}

/// Moving out; when the last occupant leaves, an occupied house becomes vacant.
#[utoipa::path(post, path = "/api/v1/occupancies/{id}/end", tag = "people", params(("id" = i64, Path)), request_body = MoveOut,
    responses((status = 200, body = Occupancy), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn end_occupancy(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(out): ApiJson<MoveOut>,
) -> ApiResult<Json<Occupancy>> {
    Ok(Json(app.people.end_occupancy(&user.authz, id, out).await?))
}

/// The people matching the list's filters as XLSX (ID numbers masked).
#[utoipa::path(get, path = "/api/v1/persons/export", tag = "people", params(PersonQuery),
    responses((status = 200, description = "XLSX file"), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 429, body = Problem)))]
async fn export_persons(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Response> {
    let filter = PersonFilter { project_id: q.project_id, q: q.q, id_number: q.id_number, house_id: q.house_id };
    Ok(attachment(app.people.export(&user.authz, &filter).await?, XLSX, "业主住户.xlsx"))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(export_persons))
        .routes(routes!(list_persons, create_person))
        .routes(routes!(get_person, update_person))
        .routes(routes!(reveal_person))
        .routes(routes!(person_houses))
        .routes(routes!(house_people))
        .routes(routes!(add_ownership))
        .routes(routes!(end_ownership))
        .routes(routes!(add_occupancy))
        .routes(routes!(end_occupancy))
}
