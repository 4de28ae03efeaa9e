use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub project_id: Option<i64>,
    pub user_id: Option<i64>,
    pub channel: String,
    pub address: String,
    pub kind: String,
    pub locale: String,
    pub params: Json,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    pub sms_template: Option<String>,
    pub dedupe_key: Option<String>,
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    pub send_after: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub read_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
