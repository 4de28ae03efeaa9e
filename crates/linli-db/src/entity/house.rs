use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "houses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub building_id: i64,
    /// 0 when the house is directly in its building.
    pub unit_id: i64,
    pub number: String,
    pub floor: i32,
    pub layout: Option<String>,
    pub gross_area_x100: i64,
    pub inner_area_x100: Option<i64>,
    pub orientation: Option<String>,
    pub usage: String,
    pub state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
