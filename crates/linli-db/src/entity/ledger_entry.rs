use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entry_key: String,
    pub project_id: i64,
    pub house_id: i64,
    pub bill_id: Option<i64>,
    pub fee_item_id: Option<i64>,
    pub kind: String,
    pub principal_fen: i64,
    pub late_fee_fen: i64,
    pub balance_fen: i64,
    pub earmark: i64,
    pub effective_on: Date,
    pub payment_id: Option<i64>,
    pub adjustment_id: Option<i64>,
    pub channel: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub seal: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
