//! `linli_core::Error` to `application/problem+json` (RFC 9457). The only place that picks
//! HTTP statuses; internal errors are logged with detail and answered without it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_core::{Code, Error, FieldError};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub code: Code,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With `still_referenced`: the kinds of records that still refer to what was to be deleted
    /// (`bill`, `meter`, `house`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referenced_by: Vec<String>,
}

#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Malformed(_) => StatusCode::BAD_REQUEST,
        Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Conflict(_) | Error::StillReferenced(_) => StatusCode::CONFLICT,
        Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn title_of(code: Code) -> &'static str {
    match code {
        Code::MalformedRequest => "The request could not be read",
        Code::ValidationFailed => "Some fields are invalid",
        Code::Unauthenticated => "Sign in first",
        Code::InvalidCredentials => "Wrong username or password",
        Code::AccountDisabled => "This account is disabled",
        Code::TooManyAttempts => "Too many attempts, try again later",
        Code::CsrfFailed => "Missing or wrong CSRF token",
        Code::Forbidden => "You may not do this",
        Code::NotFound => "Not found",
        Code::UsernameTaken => "This username is taken",
        Code::ProjectNameTaken => "A project with this name exists",
        Code::GrantExists => "The user already holds this role there",
        Code::CannotDisableSelf => "You cannot disable your own account",
        Code::BuildingNameTaken => "A building with this name exists in the project",
        Code::UnitNameTaken => "A unit with this name exists in the building",
        Code::HouseNumberTaken => "A house with this number exists in the unit",
        Code::BuildingNotEmpty => "The building still has units, houses or equipment",
        Code::UnitNotEmpty => "The unit still has houses",
        Code::HouseInUse => "The house has owners or occupants",
        Code::StillReferenced => "Other records still refer to this",
        Code::EquipmentCodeTaken => "Equipment with this code exists in the project",
        Code::OwnershipExists => "The person already owns this house",
        Code::OccupancyExists => "The person already lives in this house",
        Code::PersonBoundElsewhere => "This owner is already bound to another account",
        Code::MessageAlreadySent => "The message was sent already",
        Code::FeeItemCodeTaken => "A fee item with this code exists in the project",
        Code::RunNotPreview => "The billing run was confirmed already",
        Code::SameRequesterAndApprover => "The requester cannot approve their own adjustment",
        Code::AdjustmentDecided => "The adjustment was decided already",
        Code::IdempotencyKeyReused => "The Idempotency-Key was used for a different request",
        Code::MeterNumberTaken => "A meter with this number exists in the project",
        Code::ReadingNotPending => "The reading does not wait for confirmation",
        Code::ReadingNotLatest => "The meter has a reading of a later period",
        Code::ReceiptBookExhausted => "The receipt book has no numbers left",
        Code::ReceiptAlreadyVoided => "The receipt was voided already",
        Code::ReceiptNotVoidable => "An online payment is refunded through its channel, not voided",
        Code::PaymentBalanceSpent => "The payment's money was spent since: it cannot be reversed",
        Code::TillSessionOpen => "You already have an open till session in this project",
        Code::TillSessionClosed => "The till session was handed over already",
        Code::ReconciliationSignedOff => "The reconciled day was signed off already",
        Code::DiscrepanciesOpen => "Some differences of the day are not resolved yet",
        Code::DiscrepancyResolved => "The difference was resolved already",
        Code::TransitionNotAllowed => "The work order's state does not allow this",
        Code::Conflict => "The request conflicts with the current state",
        Code::MethodNotAllowed => "Method not allowed",
        Code::BodyTooLarge => "The request body is larger than this endpoint accepts",
        Code::SpreadsheetTooLarge => "The spreadsheet unpacks to more than the server reads",
        Code::TooManyRows => "The spreadsheet has more rows than one import takes",
        Code::ServiceUnavailable => "The service is unavailable, try again shortly",
        Code::Internal => "Something went wrong on our side",
    }
}

pub fn problem(status: StatusCode, code: Code, detail: Option<String>, errors: Vec<FieldError>) -> Response {
    problem_of(Problem {
        type_: format!("/problems/{}", code.as_str()),
        title: title_of(code).to_string(),
        status: status.as_u16(),
        code,
        detail,
        errors,
        referenced_by: vec![],
    })
}

fn problem_of(body: Problem) -> Response {
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(&e);
        let code = e.code();
        match e {
            Error::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                problem(status, code, None, vec![])
            }
            Error::Validation(errors) => problem(status, code, None, errors),
            Error::StillReferenced(kinds) => problem_of(Problem {
                type_: format!("/problems/{}", code.as_str()),
                title: title_of(code).to_string(),
                status: status.as_u16(),
                code,
                detail: None,
                errors: vec![],
                referenced_by: kinds,
            }),
            Error::Malformed(detail) => problem(status, code, Some(detail), vec![]),
            Error::TooManyAttempts { retry_after_secs } | Error::Unavailable { retry_after_secs } => {
                let mut res = problem(status, code, None, vec![]);
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                res
            }
            _ => problem(status, code, None, vec![]),
        }
    }
}

pub(crate) async fn method_not_allowed() -> Response {
    problem(StatusCode::METHOD_NOT_ALLOWED, Code::MethodNotAllowed, None, vec![])
}

pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    problem(StatusCode::INTERNAL_SERVER_ERROR, Code::Internal, None, vec![])
}

/// The largest error body of an axum rejection kept as the problem's `detail`.
const REJECTION_DETAIL_MAX: usize = 4096;

/// axum's own extractors and layers answer their rejections (a path parameter that does not parse,
/// a body over the limit, a wrong content type) as `text/plain`; every `/api` answer is
/// problem+json, whatever route and extractor produced it. Only error answers that are not
/// problem+json already are rewritten, so streams and files pass untouched.
pub(crate) async fn problem_for_rejections(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"));
    if is_problem {
        return res;
    }
    let (parts, body) = res.into_parts();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => Code::BodyTooLarge,
        StatusCode::NOT_FOUND => Code::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => Code::MethodNotAllowed,
        StatusCode::UNAUTHORIZED => Code::Unauthenticated,
        StatusCode::FORBIDDEN => Code::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => Code::TooManyAttempts,
        StatusCode::SERVICE_UNAVAILABLE => Code::ServiceUnavailable,
        s if s.is_server_error() => Code::Internal,
        _ => Code::MalformedRequest,
    };
    // Server errors say nothing of their cause; a client's mistake is explained.
    let detail = if status.is_server_error() {
        None
    } else {
        axum::body::to_bytes(body, REJECTION_DETAIL_MAX)
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut out = problem(status, code, detail, vec![]);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}
