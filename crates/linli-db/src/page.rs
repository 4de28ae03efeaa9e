//! Paging a list: the one place that counts, offsets and limits, so every list pages alike.

use linli_core::{Page, PageRequest, Result};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QuerySelect, QueryTrait, Select};

use crate::error::OrInternal;

/// One page of `sel` (already filtered and ordered) and the total it pages through.
pub(crate) async fn fetch<E, C>(sel: Select<E>, c: &C, page: PageRequest) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    // The count needs no order: without it no planner sorts (or walks an index in order) just
    // to count.
    let mut counting = sel.clone();
    QueryTrait::query(&mut counting).clear_order_by();
    let total = counting.count(c).await.or_internal()?;
    fetch_counted(sel, c, page, total).await
}

/// One page of `sel` with a total kept elsewhere (a counter maintained with the rows), for lists
/// too long to count on every page.
pub(crate) async fn fetch_counted<E, C>(sel: Select<E>, c: &C, page: PageRequest, total: u64) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let rows = sel.offset(page.offset()).limit(page.limit()).all(c).await.or_internal()?;
    Ok(Page::new(rows, total, page))
}
