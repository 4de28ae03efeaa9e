use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reconciliation_discrepancies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub reconciliation_id: i64,
    pub kind: String,
    pub cause: String,
    pub record_kind: String,
    pub out_no: String,
    pub channel_no: String,
    pub linli_fen: Option<i64>,
    pub channel_fen: Option<i64>,
    pub order_id: Option<i64>,
    pub resolution: Option<String>,
    pub note: Option<String>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
