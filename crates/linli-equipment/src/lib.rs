//! Equipment archives (设施设备档案): categories, items with maintenance cycles, state,
//! attachments and printable QR labels. Repair and maintenance history is added by the
//! facilities module; until then `maintained` keeps the schedule.

pub mod attachment;
mod category;
mod cycle;
pub mod import;
mod item;
pub mod label;
mod service;
pub mod sheet;

pub use attachment::{Attachment, FileStore, StoredFile, Upload};
pub use category::{Category, CategoryNode, DEFAULT_CATEGORIES, DefaultCategory};
pub use cycle::{Cycle, CycleUnit, next_maintenance_on};
pub use import::{ImportPlan, ImportWrite};
pub use item::{Equipment, EquipmentFields, EquipmentFilter, EquipmentPatch, EquipmentState, Maintained, NewEquipment};
pub use service::{EquipmentRepo, EquipmentService, MAX_LABELS};
