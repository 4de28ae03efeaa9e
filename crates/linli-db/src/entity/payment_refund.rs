use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_refunds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub project_id: i64,
    pub house_id: i64,
    pub channel: String,
    pub out_refund_no: String,
    pub amount_fen: i64,
    pub reason: String,
    pub state: String,
    pub channel_refund_no: Option<String>,
    pub failure: Option<String>,
    pub requested_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub refunded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
