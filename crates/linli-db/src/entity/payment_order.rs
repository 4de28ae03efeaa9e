use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub house_id: i64,
    pub channel: String,
    pub out_trade_no: String,
    pub amount_fen: i64,
    pub description: String,
    pub state: String,
    pub code_url: Option<String>,
    pub expires_at: DateTimeUtc,
    pub idempotency_key: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub channel_trade_no: Option<String>,
    pub paid_at: Option<DateTimeUtc>,
    pub payment_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
