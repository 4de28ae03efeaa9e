//! One error type for the whole service layer. Each variant maps to one HTTP status in
//! `linli-http`; `Code` is the stable, closed set of machine-readable codes the web app translates.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable error codes. Serialised as snake_case; never rename one, only add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    MalformedRequest,
    ValidationFailed,
    Unauthenticated,
    InvalidCredentials,
    AccountDisabled,
    TooManyAttempts,
    CsrfFailed,
    Forbidden,
    NotFound,
    UsernameTaken,
    ProjectNameTaken,
    GrantExists,
    CannotDisableSelf,
    BuildingNameTaken,
    UnitNameTaken,
    HouseNumberTaken,
    BuildingNotEmpty,
    UnitNotEmpty,
    HouseInUse,
    EquipmentCodeTaken,
    OwnershipExists,
    OccupancyExists,
    PersonBoundElsewhere,
    MessageAlreadySent,
    FeeItemCodeTaken,
    RunNotPreview,
    SameRequesterAndApprover,
    AdjustmentDecided,
    IdempotencyKeyReused,
    MeterNumberTaken,
    ReadingNotPending,
    ReadingNotLatest,
    Conflict,
    MethodNotAllowed,
    Internal,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::MalformedRequest,
        Code::ValidationFailed,
        Code::Unauthenticated,
        Code::InvalidCredentials,
        Code::AccountDisabled,
        Code::TooManyAttempts,
        Code::CsrfFailed,
        Code::Forbidden,
        Code::NotFound,
        Code::UsernameTaken,
        Code::ProjectNameTaken,
        Code::GrantExists,
        Code::CannotDisableSelf,
        Code::BuildingNameTaken,
        Code::UnitNameTaken,
        Code::HouseNumberTaken,
        Code::BuildingNotEmpty,
        Code::UnitNotEmpty,
        Code::HouseInUse,
        Code::EquipmentCodeTaken,
        Code::OwnershipExists,
        Code::OccupancyExists,
        Code::PersonBoundElsewhere,
        Code::MessageAlreadySent,
        Code::FeeItemCodeTaken,
        Code::RunNotPreview,
        Code::SameRequesterAndApprover,
        Code::AdjustmentDecided,
        Code::IdempotencyKeyReused,
        Code::MeterNumberTaken,
        Code::ReadingNotPending,
        Code::ReadingNotLatest,
        Code::Conflict,
        Code::MethodNotAllowed,
        Code::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::MalformedRequest => "malformed_request",
            Code::ValidationFailed => "validation_failed",
            Code::Unauthenticated => "unauthenticated",
            Code::InvalidCredentials => "invalid_credentials",
            Code::AccountDisabled => "account_disabled",
            Code::TooManyAttempts => "too_many_attempts",
            Code::CsrfFailed => "csrf_failed",
            Code::Forbidden => "forbidden",
            Code::NotFound => "not_found",
            Code::UsernameTaken => "username_taken",
            Code::ProjectNameTaken => "project_name_taken",
            Code::GrantExists => "grant_exists",
            Code::CannotDisableSelf => "cannot_disable_self",
            Code::BuildingNameTaken => "building_name_taken",
            Code::UnitNameTaken => "unit_name_taken",
            Code::HouseNumberTaken => "house_number_taken",
            Code::BuildingNotEmpty => "building_not_empty",
            Code::UnitNotEmpty => "unit_not_empty",
            Code::HouseInUse => "house_in_use",
            Code::EquipmentCodeTaken => "equipment_code_taken",
            Code::OwnershipExists => "ownership_exists",
            Code::OccupancyExists => "occupancy_exists",
            Code::PersonBoundElsewhere => "person_bound_elsewhere",
            Code::MessageAlreadySent => "message_already_sent",
            Code::FeeItemCodeTaken => "fee_item_code_taken",
            Code::RunNotPreview => "run_not_preview",
            Code::SameRequesterAndApprover => "same_requester_and_approver",
            Code::AdjustmentDecided => "adjustment_decided",
            Code::IdempotencyKeyReused => "idempotency_key_reused",
            Code::MeterNumberTaken => "meter_number_taken",
            Code::ReadingNotPending => "reading_not_pending",
            Code::ReadingNotLatest => "reading_not_latest",
            Code::Conflict => "conflict",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::Internal => "internal",
        }
    }
}

/// One invalid field: `{"field":"area","code":"must_be_positive"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("not authenticated")]
    Unauthenticated(Code),
    #[error("too many attempts, retry after {retry_after_secs}s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("forbidden")]
    Forbidden(Code),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("conflict: {}", .0.as_str())]
    Conflict(Code),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    #[allow(clippy::needless_pass_by_value)] // ids by value keep call sites short
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Error::NotFound { entity, id: id.to_string() }
    }

    pub fn invalid(field: &str, code: &str) -> Self {
        Error::Validation(vec![FieldError::new(field, code)])
    }

    pub fn internal(msg: impl std::fmt::Display) -> Self {
        Error::Internal(anyhow::anyhow!("{msg}"))
    }

    pub fn code(&self) -> Code {
        match self {
            Error::Malformed(_) => Code::MalformedRequest,
            Error::Validation(_) => Code::ValidationFailed,
            Error::Unauthenticated(c) | Error::Forbidden(c) | Error::Conflict(c) => *c,
            Error::TooManyAttempts { .. } => Code::TooManyAttempts,
            Error::NotFound { .. } => Code::NotFound,
            Error::Internal(_) => Code::Internal,
        }
    }
}

/// Collects field errors so a request reports all of them at once.
#[derive(Debug, Default)]
pub struct Validator(Vec<FieldError>);

impl Validator {
    pub fn check(&mut self, ok: bool, field: &str, code: &str) -> &mut Self {
        if !ok {
            self.0.push(FieldError::new(field, code));
        }
        self
    }

    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::Validation(self.0)) }
    }
}

/// Trims a required text field and checks its length in characters.
pub fn required_text(v: &mut Validator, field: &str, value: &str, max_chars: usize) -> String {
    let t = value.trim();
    v.check(!t.is_empty(), field, "required");
    v.check(t.chars().count() <= max_chars, field, "too_long");
    t.to_string()
}
