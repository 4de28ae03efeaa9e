use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reconciliations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub channel: String,
    pub bill_date: Date,
    pub state: String,
    pub linli_count: i64,
    pub linli_net_fen: i64,
    pub channel_count: i64,
    pub channel_net_fen: i64,
    pub matched: i64,
    pub reconciled_at: DateTimeUtc,
    pub signed_off_by: Option<i64>,
    pub signed_off_at: Option<DateTimeUtc>,
    pub sign_off_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
