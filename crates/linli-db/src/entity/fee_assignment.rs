use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fee_assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub fee_item_id: i64,
    pub target: String,
    pub building_id: Option<i64>,
    pub house_usage: Option<String>,
    pub house_id: Option<i64>,
    pub service_level: Option<String>,
    pub quantity: i32,
    pub label: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
