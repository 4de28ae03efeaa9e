use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub house_id: i64,
    pub channel: String,
    pub amount_fen: i64,
    pub received_on: Date,
    pub earmark_fee_item_id: Option<i64>,
    pub receipt_no: String,
    pub idempotency_key: Option<String>,
    pub payer: Option<String>,
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
