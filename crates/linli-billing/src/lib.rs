//! Billing (收费管理): fee items and standards, periods, bill computation, late fees, allocation of
//! money to bills, and the append-only ledger every balance is derived from.
//!
//! The rules here are pure; storage and the use cases that write bills live in `service` and
//! `linli-db`. Money is `Fen`; prices and rates are `Decimal`; each bill line is rounded once,
//! half away from zero.

pub mod account;
pub mod adjustment;
mod adjustment_service;
pub mod allocation;
pub mod bill;
pub mod charge;
mod counter_service;
mod document_service;
pub mod fee;
mod fee_service;
pub mod late_fee;
pub mod ledger;
pub mod ledger_check;
mod payment_service;
pub mod period;
pub mod receipt;
pub mod reminder;
pub mod report;
mod report_service;
pub mod report_sheet;
pub mod run;
mod run_service;
mod service;
pub mod settings;
pub mod spending;
pub mod statement;
pub mod tier;
pub mod till;

pub use account::{
    Adjustment, AdjustmentKind, AdjustmentState, Balance, HouseAccount, NewAdjustment, NewCharge, NewPayment,
    NewRefund, OpenBill, Payment, PaymentChannel, Receipt, paid_by,
};
pub use adjustment_service::AdjustmentService;
pub use allocation::{Allocation, AllocationOrder, BillOrder, LateFeeOrder, Open, Part, allocate};
pub use bill::{Bill, BillDetail, BillFilter, BillState, Entry, NewBill};
pub use charge::{ChargeError, HouseFacts, Line, LineKind, compute_area_or_fixed, compute_metered, total};
pub use counter_service::{CounterRepo, CounterService};
pub use document_service::DocumentService;
pub use fee::{AreaBasis, BillingCycle, FeeItem, FeeKind, LateFeeRule, Standard, Tier, standard_for};
pub use fee_service::FeeService;
pub use late_fee::{
    Backdated, LateFee, LateFeeDay, PrincipalChange, accrued, backdating_saving, late_fee, principal_changes,
};
pub use ledger::{BillDues, EntryKind, NewEntry, PostedEntry, Seal, Sealed};
pub use ledger_check::LedgerCheck;
pub use payment_service::{PaymentListener, PaymentService};
pub use period::Period;
pub use receipt::{
    CounterPayment, NewVoid, PaymentFilter, PaymentRow, ReceiptBook, ReceiptFacts, ReceiptLayout, ReceiptLine,
};
pub use report::{AgeBands, ArrearsReport, ArrearsRow, CollectionRow, IncomeRow};
pub use report_service::ReportService;
pub use run::{Assignment, AssignmentTarget, HouseRow, Run, RunInputs, RunItem, RunState, RunWarning, RunWarningCode};
pub use run_service::RunService;
pub use service::{
    AccountRepo, AdjustmentRepo, BillingRepo, BillingService, FeeRepo, MAX_AMOUNT, RUN_JOB, ReportNames, ReportRepo,
    RunRepo, RunSummary,
};
pub use settings::{NewAssignment, NewFeeItem, NewStandard};
pub use till::{NewTillSession, TillFilter, TillHandOver, TillReport, TillSession, TillState};
