use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub kind: String,
    pub name: String,
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub id_type: Option<String>,
    pub id_number_enc: Option<String>,
    pub id_number_index: Option<String>,
    pub id_number_masked: Option<String>,
    pub gender: Option<String>,
    pub emergency_contact: Option<String>,
    pub emergency_phone: Option<String>,
    pub bank_account_enc: Option<String>,
    pub bank_account_index: Option<String>,
    pub bank_account_masked: Option<String>,
    pub notes: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
