//! Equipment archives (设施设备档案): categories, items with maintenance cycles, state,
//! attachments and printable QR labels. Repair and maintenance history is added by the
//! facilities module.
