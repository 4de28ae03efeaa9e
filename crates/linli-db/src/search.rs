//! Text search for `q=` filters. What a user types is matched literally: `%`, `_` and the escape
//! character are escaped, and the escape character is declared, so the pattern means the same on
//! SQLite (which has no default escape) and PostgreSQL. Persons and houses are first narrowed by
//! their n-grams (`search_grams`, kept here by the writes of those rows), then matched so.

use std::collections::BTreeSet;

use linli_core::{Id, Result};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect,
};

use crate::entity::{building, house, person, search_gram, unit};
use crate::error::OrInternal;

const ESCAPE: char = '\\';

/// `q` with LIKE's wildcards and the escape character escaped.
pub(crate) fn escape_like(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    for c in q.chars() {
        if matches!(c, '%' | '_' | ESCAPE) {
            out.push(ESCAPE);
        }
        out.push(c);
    }
    out
}

/// The pattern "contains `q`".
pub(crate) fn containing(q: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(q))).escape(ESCAPE)
}

/// The pattern "starts with `q`".
pub(crate) fn starting(q: &str) -> LikeExpr {
    LikeExpr::new(format!("{}%", escape_like(q))).escape(ESCAPE)
}

/// `col` contains `q` literally.
pub(crate) fn contains(col: impl ColumnTrait, q: &str) -> Expr {
    col.like(containing(q))
}

/// `col` starts with `q` literally.
pub(crate) fn starts_with(col: impl ColumnTrait, q: &str) -> Expr {
    col.like(starting(q))
}

/// What `search_grams` holds grams of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Person,
    House,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::House => "house",
        }
    }
}

/// The ids of `kind` (in `project`, when given) having every gram of `q`: a subquery that narrows
/// a `q=` search before its literal match. None when `q` has no gram (`grams::query_grams`).
pub(crate) fn narrowed(kind: Kind, project: Option<Id>, q: &str) -> Option<SelectStatement> {
    let grams = linli_core::grams::query_grams(q)?;
    let n = grams.len() as i64;
    let mut sel = Query::select();
    sel.column(search_gram::Column::TargetId)
        .from(search_gram::Entity)
        .and_where(search_gram::Column::Kind.eq(kind.as_str()))
        .and_where(search_gram::Column::Gram.is_in(grams));
    if let Some(p) = project {
        sel.and_where(search_gram::Column::ProjectId.eq(p));
    }
    if n > 1 {
        sel.group_by_col(search_gram::Column::TargetId)
            .and_having(Expr::col(search_gram::Column::TargetId).count().eq(n));
    }
    Some(sel)
}

/// Writes the grams of these rows (project, id, grams) in place of what they had.
async fn replace(c: &impl ConnectionTrait, kind: Kind, rows: Vec<(Id, Id, BTreeSet<String>)>) -> Result<()> {
    let ids: Vec<Id> = rows.iter().map(|(_, id, _)| *id).collect();
    forget(c, kind, &ids).await?;
    index_new(c, kind, rows).await
}

/// Writes the grams of rows just created (project, id, grams).
pub(crate) async fn index_new(
    c: &impl ConnectionTrait,
    kind: Kind,
    rows: Vec<(Id, Id, BTreeSet<String>)>,
) -> Result<()> {
    let mut models = rows
        .into_iter()
        .flat_map(|(project, id, grams)| {
            grams.into_iter().map(move |gram| search_gram::ActiveModel {
                kind: Set(kind.as_str().to_owned()),
                gram: Set(gram),
                project_id: Set(project),
                target_id: Set(id),
            })
        })
        .peekable();
    while models.peek().is_some() {
        let chunk: Vec<_> = models.by_ref().take(1000).collect();
        search_gram::Entity::insert_many(chunk).exec(c).await.or_internal()?;
    }
    Ok(())
}

/// Drops the grams of these rows (deleted, or about to be written again).
pub(crate) async fn forget(c: &impl ConnectionTrait, kind: Kind, ids: &[Id]) -> Result<()> {
    for chunk in ids.chunks(500) {
        search_gram::Entity::delete_many()
            .filter(search_gram::Column::Kind.eq(kind.as_str()))
            .filter(search_gram::Column::TargetId.is_in(chunk.iter().copied()))
            .exec(c)
            .await
            .or_internal()?;
    }
    Ok(())
}

/// The grams row of a person as written: its name and phone (`grams::of_person`).
pub(crate) fn person_row(p: &person::Model) -> (Id, Id, BTreeSet<String>) {
    (p.project_id, p.id, linli_core::grams::of_person(&p.name, p.phone.as_deref()))
}

/// Keeps the grams of a person whose name or phone may have changed.
pub(crate) async fn reindex_person(c: &impl ConnectionTrait, p: &person::Model) -> Result<()> {
    replace(c, Kind::Person, vec![person_row(p)]).await
}

/// A part of the name or the phone, among the persons with the query's grams.
pub(crate) fn persons_matching(project: Option<Id>, q: &str) -> Condition {
    let literal = Condition::any().add(contains(person::Column::Name, q)).add(contains(person::Column::Phone, q));
    match narrowed(Kind::Person, project, q) {
        Some(ids) => Condition::all().add(person::Column::Id.in_subquery(ids)).add(literal),
        None => literal,
    }
}

/// Keeps the grams of these houses' labels as they are now (after a house, its building or its
/// unit was written).
pub(crate) async fn index_houses(c: &impl ConnectionTrait, house_ids: &[Id]) -> Result<()> {
    for chunk in house_ids.chunks(500) {
        let rows: Vec<(Id, Id, String, Option<String>, String)> = house::Entity::find()
            .select_only()
            .column(house::Column::Id)
            .column(house::Column::ProjectId)
            .column_as(building::Column::Name, "building")
            .column_as(unit::Column::Name, "unit")
            .column(house::Column::Number)
            .join(
                JoinType::InnerJoin,
                house::Entity::belongs_to(building::Entity)
                    .from(house::Column::BuildingId)
                    .to(building::Column::Id)
                    .into(),
            )
            .join(
                JoinType::LeftJoin,
                house::Entity::belongs_to(unit::Entity).from(house::Column::UnitId).to(unit::Column::Id).into(),
            )
            .filter(house::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(c)
            .await
            .or_internal()?;
        let rows = rows
            .into_iter()
            .map(|(id, p, b, u, n)| (p, id, linli_core::grams::of_house(&b, u.as_deref(), &n)))
            .collect();
        replace(c, Kind::House, rows).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_the_escape_character_are_escaped() {
        assert_eq!(escape_like("702"), "702");
        assert_eq!(escape_like("%"), "\\%");
        assert_eq!(escape_like("a_b"), "a\\_b");
        assert_eq!(escape_like("50%\\_"), "50\\%\\\\\\_");
    }
}
