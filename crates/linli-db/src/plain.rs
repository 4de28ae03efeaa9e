//! The benches' baselines: rows built before the clock starts and written the fastest plain way
//! the driver offers — multi-row prepared INSERTs in one transaction on SQLite, COPY on
//! PostgreSQL — with no lookups, no computing and no checks. The product never writes this way;
//! a baseline says how fast its own writes of the same rows could at best be.

use chrono::Utc;
use linli_billing::{NewBill, Seal};
use linli_core::{Error, Id, Result};
use sea_orm::sea_query::{ExprTrait as _, Value};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityName, EntityTrait, IdenStatic, Iterable, QueryFilter,
    QuerySelect, Statement,
};

use crate::entity::{audit_log, bill, building, house, ledger_entry, search_gram, unit};
use crate::error::OrInternal;
use crate::{Backend, Db};

/// One table's rows, every column given.
struct Table {
    name: String,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

fn table<A: ActiveModelTrait>(models: Vec<A>) -> Table {
    let columns: Vec<_> = <A::Entity as EntityTrait>::Column::iter().collect();
    let rows = models
        .into_iter()
        .map(|m| columns.iter().map(|&c| m.get(c).into_value().unwrap_or(Value::BigInt(None))).collect())
        .collect();
    Table {
        name: A::Entity::default().table_name().to_string(),
        columns: columns.iter().map(|c| c.as_str().to_string()).collect(),
        rows,
    }
}

/// Rows ready to send: the statements, or the COPY data.
pub struct Prepared {
    work: Vec<Work>,
    rows: usize,
}

enum Work {
    Insert(Statement),
    Copy { sql: String, data: Vec<u8>, table: String },
}

impl Prepared {
    /// The rows the bench counts (bills, houses).
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// `counted`: the table whose rows the bench counts.
fn prepare(db: &Db, tables: Vec<Table>, counted: usize) -> Result<Prepared> {
    let rows = tables.get(counted).map_or(0, |t| t.rows.len());
    let mut work = Vec::new();
    for t in tables {
        let cols = t.columns.join(", ");
        match db.backend {
            Backend::Sqlite => {
                // As many rows per statement as SQLite binds (32,766 values), at most 500.
                let per = (32_766 / t.columns.len().max(1)).clamp(1, 500);
                let one = format!("({})", vec!["?"; t.columns.len()].join(", "));
                for chunk in t.rows.chunks(per) {
                    let sql = format!(
                        "INSERT INTO {} ({cols}) VALUES {}",
                        t.name,
                        vec![one.as_str(); chunk.len()].join(", ")
                    );
                    let values: Vec<Value> = chunk.iter().flatten().cloned().collect();
                    work.push(Work::Insert(Statement::from_sql_and_values(sea_orm::DbBackend::Sqlite, sql, values)));
                }
            }
            Backend::Postgres => {
                let mut data = String::new();
                for row in &t.rows {
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            data.push('\t');
                        }
                        copy_text(&mut data, v)?;
                    }
                    data.push('\n');
                }
                let sql = format!("COPY {} ({cols}) FROM STDIN", t.name);
                work.push(Work::Copy { sql, data: data.into_bytes(), table: t.name });
            }
        }
    }
    Ok(Prepared { work, rows })
}

/// A value in COPY's text format: `\N` for NULL, backslash escapes for the separators.
fn copy_text(out: &mut String, v: &Value) -> Result<()> {
    let text = match v {
        Value::Bool(Some(b)) => b.to_string(),
        Value::Int(Some(n)) => n.to_string(),
        Value::BigInt(Some(n)) => n.to_string(),
        Value::String(Some(s)) => s.clone(),
        Value::Json(Some(j)) => j.to_string(),
        Value::ChronoDate(Some(d)) => d.to_string(),
        Value::ChronoDateTimeUtc(Some(t)) => t.to_rfc3339(),
        Value::Bool(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::Json(None)
        | Value::ChronoDate(None)
        | Value::ChronoDateTimeUtc(None) => {
            out.push_str("\\N");
            return Ok(());
        }
        other => return Err(Error::internal(format!("no COPY text for {other:?}"))),
    };
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    Ok(())
}

/// Writes the prepared rows in one transaction.
pub async fn write(db: &Db, p: Prepared) -> Result<()> {
    match db.backend {
        Backend::Sqlite => {
            let tx = db.begin().await.or_internal()?;
            for w in p.work {
                if let Work::Insert(s) = w {
                    tx.execute_raw(s).await.or_internal()?;
                }
            }
            tx.commit().await.or_internal()?;
        }
        Backend::Postgres => {
            let pool = db.writer().get_postgres_connection_pool();
            let mut tx = pool.begin().await.or_internal()?;
            let mut tables = Vec::new();
            for w in p.work {
                if let Work::Copy { sql, data, table } = w {
                    let mut copy = (*tx).copy_in_raw(&sql).await.or_internal()?;
                    copy.send(data).await.or_internal()?;
                    copy.finish().await.or_internal()?;
                    tables.push(table);
                }
            }
            // The ids were chosen here, not by the sequences: move them past.
            for t in tables {
                let sql = format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))");
                sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.or_internal()?;
            }
            tx.commit().await.or_internal()?;
        }
    }
    Ok(())
}

async fn next_id<E: EntityTrait>(db: &Db, id: E::Column) -> Result<Id> {
    let max: Option<Option<Id>> = E::find()
        .select_only()
        .column_as(sea_orm::sea_query::Expr::col(id).max(), "m")
        .into_tuple::<Option<Id>>()
        .one(&db.conn)
        .await
        .or_internal()?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

/// The bills a run would write, with their charge entries, as plain rows.
pub async fn bills(db: &Db, new: &[NewBill], seal: &Seal) -> Result<Prepared> {
    let mut next = next_id::<bill::Entity>(db, bill::Column::Id).await?;
    let now = Utc::now();
    let mut bills = Vec::with_capacity(new.len());
    let mut entries = Vec::with_capacity(new.len());
    let mut entry = next_id::<ledger_entry::Entity>(db, ledger_entry::Column::Id).await?;
    for b in new {
        let mut m = crate::billing::bill_model(b, None, now)?;
        m.id = sea_orm::Set(next);
        bills.push(m);
        let mut e = crate::billing::entry_model(&b.charge_entry(Some(next)), format!("charge:{}", b.bill_key), seal);
        e.id = sea_orm::Set(entry);
        entries.push(e);
        next += 1;
        entry += 1;
    }
    prepare(db, vec![table(bills), table(entries)], 0)
}

/// New ids for copied rows, from the table's next free id, remembering old → new.
struct Renumber {
    next: Id,
    ids: std::collections::HashMap<Id, Id>,
}

impl Renumber {
    async fn from<E: EntityTrait>(db: &Db, id: E::Column) -> Result<Self> {
        Ok(Self { next: next_id::<E>(db, id).await?, ids: std::collections::HashMap::new() })
    }

    fn take(&mut self, old: Id) -> Id {
        let id = self.next;
        self.next += 1;
        self.ids.insert(old, id);
        id
    }

    fn get(&self, old: Id) -> Option<Id> {
        self.ids.get(&old).copied()
    }
}

/// Every row an import into `from` wrote — its buildings, units and houses, their audit rows
/// and search grams — again for the project `to`, as plain rows with ids of their own.
pub async fn copy_of_project(db: &Db, from: Id, to: Id) -> Result<Prepared> {
    use sea_orm::Set;
    let c = &db.conn;
    let mut b_ids = Renumber::from::<building::Entity>(db, building::Column::Id).await?;
    let mut u_ids = Renumber::from::<unit::Entity>(db, unit::Column::Id).await?;
    let mut h_ids = Renumber::from::<house::Entity>(db, house::Column::Id).await?;
    let mut a_ids = Renumber::from::<audit_log::Entity>(db, audit_log::Column::Id).await?;
    let mut buildings = Vec::new();
    for b in building::Entity::find().filter(building::Column::ProjectId.eq(from)).all(c).await.or_internal()? {
        let id = b_ids.take(b.id);
        buildings.push(building::ActiveModel { id: Set(id), project_id: Set(to), ..b.into() });
    }
    let mut units = Vec::new();
    for u in unit::Entity::find().filter(unit::Column::ProjectId.eq(from)).all(c).await.or_internal()? {
        let (id, building_id) = (u_ids.take(u.id), b_ids.get(u.building_id).unwrap_or_default());
        units.push(unit::ActiveModel { id: Set(id), project_id: Set(to), building_id: Set(building_id), ..u.into() });
    }
    let mut houses = Vec::new();
    for h in house::Entity::find().filter(house::Column::ProjectId.eq(from)).all(c).await.or_internal()? {
        let id = h_ids.take(h.id);
        let (building_id, unit_id) = (b_ids.get(h.building_id).unwrap_or_default(), u_ids.get(h.unit_id).unwrap_or(0));
        houses.push(house::ActiveModel {
            id: Set(id),
            project_id: Set(to),
            building_id: Set(building_id),
            unit_id: Set(unit_id),
            ..h.into()
        });
    }
    let mut audits = Vec::new();
    for a in audit_log::Entity::find().filter(audit_log::Column::ProjectId.eq(from)).all(c).await.or_internal()? {
        let entity_id = match a.entity.as_str() {
            "house" => a.entity_id.map(|i| h_ids.get(i).unwrap_or(i)),
            "building" => a.entity_id.map(|i| b_ids.get(i).unwrap_or(i)),
            _ => a.entity_id,
        };
        let id = a_ids.take(a.id);
        audits.push(audit_log::ActiveModel {
            id: Set(id),
            project_id: Set(Some(to)),
            entity_id: Set(entity_id),
            ..a.into()
        });
    }
    let mut grams = Vec::new();
    let of_houses = search_gram::Entity::find()
        .filter(search_gram::Column::Kind.eq("house"))
        .filter(search_gram::Column::ProjectId.eq(from));
    for g in of_houses.all(c).await.or_internal()? {
        let target_id = h_ids.get(g.target_id).unwrap_or_default();
        grams.push(search_gram::ActiveModel { project_id: Set(to), target_id: Set(target_id), ..g.into() });
    }
    prepare(db, vec![table(buildings), table(units), table(houses), table(audits), table(grams)], 2)
}
