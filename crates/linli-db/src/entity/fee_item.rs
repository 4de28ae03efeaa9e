use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fee_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub cycle: String,
    pub due_day: i32,
    pub area_basis: String,
    pub meter_kind: Option<String>,
    pub loss_rate: String,
    pub vacancy_rate: Option<String>,
    pub late_fee_rate: String,
    pub late_fee_grace_days: i32,
    pub late_fee_cap_rate: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
