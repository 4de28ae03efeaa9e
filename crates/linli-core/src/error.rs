//! One error type for the whole service layer. Each variant maps to one HTTP status in
//! `linli-http`; `Code` is the stable, closed set of machine-readable codes the web app translates.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

crate::text_enum! {
    /// Stable error codes. Serialised as snake_case; never rename one, only add.
    Code {
        MalformedRequest = "malformed_request",
        ValidationFailed = "validation_failed",
        Unauthenticated = "unauthenticated",
        InvalidCredentials = "invalid_credentials",
        AccountDisabled = "account_disabled",
        TooManyAttempts = "too_many_attempts",
        CsrfFailed = "csrf_failed",
        Forbidden = "forbidden",
        NotFound = "not_found",
        UsernameTaken = "username_taken",
        ProjectNameTaken = "project_name_taken",
        GrantExists = "grant_exists",
        CannotDisableSelf = "cannot_disable_self",
        BuildingNameTaken = "building_name_taken",
        UnitNameTaken = "unit_name_taken",
        HouseNumberTaken = "house_number_taken",
        /// Superseded by `StillReferenced`; kept so the code stays stable.
        BuildingNotEmpty = "building_not_empty",
        /// Superseded by `StillReferenced`; kept so the code stays stable.
        UnitNotEmpty = "unit_not_empty",
        /// Superseded by `StillReferenced`; kept so the code stays stable.
        HouseInUse = "house_in_use",
        /// A delete refused because other records still refer to the row (`referenced_by` names them).
        StillReferenced = "still_referenced",
        EquipmentCodeTaken = "equipment_code_taken",
        OwnershipExists = "ownership_exists",
        OccupancyExists = "occupancy_exists",
        PersonBoundElsewhere = "person_bound_elsewhere",
        MessageAlreadySent = "message_already_sent",
        FeeItemCodeTaken = "fee_item_code_taken",
        RunNotPreview = "run_not_preview",
        SameRequesterAndApprover = "same_requester_and_approver",
        AdjustmentDecided = "adjustment_decided",
        IdempotencyKeyReused = "idempotency_key_reused",
        MeterNumberTaken = "meter_number_taken",
        ReadingNotPending = "reading_not_pending",
        ReadingNotLatest = "reading_not_latest",
        /// A receipt book has no numbers left (or is retired): start a new one.
        ReceiptBookExhausted = "receipt_book_exhausted",
        ReceiptAlreadyVoided = "receipt_already_voided",
        /// An online channel's payment is refunded through its channel, not voided.
        ReceiptNotVoidable = "receipt_not_voidable",
        /// The payment's money was spent since (e.g. by a later bill): it cannot be reversed.
        PaymentBalanceSpent = "payment_balance_spent",
        /// The cashier already has an open till session in this project.
        TillSessionOpen = "till_session_open",
        TillSessionClosed = "till_session_closed",
        /// A reconciled day already signed off is kept as it is.
        ReconciliationSignedOff = "reconciliation_signed_off",
        /// A day is signed off only when every difference is resolved.
        DiscrepanciesOpen = "discrepancies_open",
        DiscrepancyResolved = "discrepancy_resolved",
        /// A work order's state does not allow this action (completing a cancelled order).
        TransitionNotAllowed = "transition_not_allowed",
        Conflict = "conflict",
        MethodNotAllowed = "method_not_allowed",
        BodyTooLarge = "body_too_large",
        SpreadsheetTooLarge = "spreadsheet_too_large",
        TooManyRows = "too_many_rows",
        ServiceUnavailable = "service_unavailable",
        Internal = "internal",
    }
}

/// Field codes of rules that depend on what is stored or on today, which a request's schema
/// cannot state: a date outside its window around today, a day before the record it ends or
/// follows, a reference to something of another project, a wrong current password or code. The
/// API document lists them (`x-rule-codes` on `FieldError`), so the fuzzer in CI lets a
/// schema-valid request be refused with these, and only these; every other field code must be
/// prevented by the schema itself (lengths, patterns, ranges).
pub const RULE_FIELD_CODES: &[&str] = &[
    "date_out_of_range",
    "too_far_back",
    "in_the_future",
    "before_start",
    "before_last_maintenance",
    "not_in_project",
    "not_found",
    "before_purchase",
    "not_in_building",
    "exceeds_gross_area",
    "not_one_off",
    "exceeds_balance",
    // A refund within what the order paid; a discrepancy's resolution that fits its cause; an
    // order credited only once the channel says it was paid.
    "exceeds_paid",
    "does_not_fit",
    "not_paid_at_channel",
    // A payment channel this installation has not configured (no merchant keys).
    "not_available",
    // Co-owners' shares fill at most the whole house: it depends on the house's other owners.
    "exceeds_total",
    "lower_than_previous",
    // A field required, or a sign allowed, by another field's value.
    "conditionally_required",
    "negative_only_for_adjust",
    // Tiers in ascending order, a file's content of an accepted type, a meter still in use.
    "not_increasing",
    "open_tier_not_last",
    "unsupported_type",
    "unreadable",
    "lower_than_new_initial",
    "in_future",
    "inactive",
    "incorrect",
    "same_as_current",
    "binding_code_invalid",
    // An ID number checked against its type (身份证 by default): its check digit and birth date.
    "id_type_mismatch",
    "invalid_checksum",
    "invalid_birth_date",
];

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
    /// A delete of a row other records still refer to: 409 `still_referenced`, with the kinds of
    /// those records (`bill`, `meter`…, snake_case singular), sorted; empty when storage could
    /// not tell which.
    #[error("still referenced by {0:?}")]
    StillReferenced(Vec<String>),
    /// The request (or a file in it) is larger than the server reads: `BodyTooLarge`,
    /// `SpreadsheetTooLarge` (unzipped size, columns), `TooManyRows`.
    #[error("too large: {}", .0.as_str())]
    TooLarge(Code),
    /// Storage cannot be reached or has no free connection; the request may be retried.
    #[error("service unavailable, retry after {retry_after_secs}s")]
    Unavailable { retry_after_secs: u64 },
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
            Error::Unauthenticated(c) | Error::Forbidden(c) | Error::Conflict(c) | Error::TooLarge(c) => *c,
            Error::Unavailable { .. } => Code::ServiceUnavailable,
            Error::StillReferenced(_) => Code::StillReferenced,
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

/// The same for a request of one text field (a reason, a note): the trimmed text, or its error.
pub fn required_text_alone(field: &str, value: &str, max_chars: usize) -> Result<String> {
    let mut v = Validator::default();
    let t = required_text(&mut v, field, value, max_chars);
    v.finish().map(|()| t)
}
