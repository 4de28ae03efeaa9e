use sea_orm::entity::prelude::*;

/// One attempt counter; times are Unix seconds.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "throttle_counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub purpose: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject: String,
    pub count: i64,
    pub window_started_at: i64,
    pub resets_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
