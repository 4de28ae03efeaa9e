use sea_orm::entity::prelude::*;

// `model` is the equipment's model (型号), not the ORM's.
#[allow(clippy::struct_field_names)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "equipment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub category_id: i64,
    pub code: String,
    pub name: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub supplier: Option<String>,
    pub purchased_on: Option<Date>,
    pub purchase_price_fen: Option<i64>,
    pub building_id: Option<i64>,
    pub location: Option<String>,
    pub warranty_until: Option<Date>,
    pub cycle_unit: Option<String>,
    pub cycle_every: Option<i32>,
    pub last_maintained_on: Option<Date>,
    pub next_maintenance_on: Option<Date>,
    pub state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
