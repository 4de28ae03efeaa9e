//! Text search for `q=` filters. What a user types is matched literally: `%`, `_` and the escape
//! character are escaped, and the escape character is declared, so the pattern means the same on
//! SQLite (which has no default escape) and PostgreSQL.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, LikeExpr};

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
