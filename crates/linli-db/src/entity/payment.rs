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
    pub receipt_book_id: Option<i64>,
    pub till_session_id: Option<i64>,
    pub reference: Option<String>,
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by: Option<i64>,
    pub void_reason: Option<String>,
    pub prints: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
