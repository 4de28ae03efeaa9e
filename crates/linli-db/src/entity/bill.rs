use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bills")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub building_id: i64,
    pub house_id: i64,
    pub fee_item_id: i64,
    pub run_id: Option<i64>,
    pub bill_key: String,
    pub period_start: Date,
    pub period_end: Date,
    pub due_on: Date,
    pub amount_fen: i64,
    pub lines: Json,
    pub late_fee_rate: String,
    pub late_fee_grace_days: i32,
    pub late_fee_cap_rate: Option<String>,
    pub note: Option<String>,
    pub principal_due_fen: i64,
    pub late_fee_due_fen: i64,
    pub settled_on: Option<Date>,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
