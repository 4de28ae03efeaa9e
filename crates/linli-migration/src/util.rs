//! Helpers the migrations share: named foreign keys and indexes.

use sea_orm_migration::prelude::*;

pub(crate) fn fk(table: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

pub(crate) fn index(table: &'static str, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create().name(format!("ix_{table}_{name}")).table(table).take();
    for c in cols {
        i.col(*c);
    }
    i
}
