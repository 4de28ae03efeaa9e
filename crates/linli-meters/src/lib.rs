//! Meters and their readings (抄表): the meter register, a period's readings with their checks,
//! replacements, shared meters apportioned (公摊) to houses, and the use billing charges for.
//! Rules in `meter` (pure), use cases in `service`, the reading sheet in `reading_sheet`.
//! The energy module extends this with interval data.

pub mod meter;
pub mod reading_sheet;
mod service;

pub use meter::{
    Apportion, HouseShare, Meter, MeterFields, MeterKind, MeterPatch, MeterUse, MeteredUse, NewMeter, Reading,
    ReadingFlag, ReadingState, Replacement,
};
pub use service::{
    MeterFilter, MeterRepo, MeterService, NewReading, ReadingFields, ReadingFilter, ReadingOutcome, ReadingWrite,
    ReadingsBatch, SheetRow, UsageRow,
};
