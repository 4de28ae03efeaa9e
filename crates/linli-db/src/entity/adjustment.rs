use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "adjustments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub house_id: i64,
    pub bill_id: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub reason: String,
    pub state: String,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub payment_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
