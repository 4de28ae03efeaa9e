use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meter_readings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub meter_id: i64,
    pub period: String,
    pub value_x1000: i64,
    pub read_on: Date,
    pub previous_x1000: i64,
    pub consumption_x1000: i64,
    pub state: String,
    pub flags: String,
    pub old_final_x1000: Option<i64>,
    pub new_initial_x1000: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
