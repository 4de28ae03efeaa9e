use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub house_id: Option<i64>,
    pub building_id: Option<i64>,
    pub kind: String,
    pub number: String,
    pub multiplier_x1000: i64,
    pub apportion: Option<String>,
    pub max_consumption_x1000: Option<i64>,
    pub initial_value_x1000: i64,
    pub location: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
