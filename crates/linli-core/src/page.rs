//! List paging: `?page=1&page_size=50`, answered as `{"items","total","page","page_size"}`.

use serde::{Deserialize, Serialize};

pub const MAX_PAGE_SIZE: u64 = 500;
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Far beyond any list, small enough that page × size stays an `i64` offset.
pub const MAX_PAGE: u64 = 10_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// 1-based page number.
    #[serde(default = "one", deserialize_with = "page_no")]
    #[param(minimum = 1, maximum = 10_000_000)]
    #[schema(minimum = 1, maximum = 10_000_000)]
    pub page: u64,
    /// Rows per page, at most 500.
    #[serde(default = "default_size", deserialize_with = "page_size")]
    #[param(minimum = 1, maximum = 500)]
    #[schema(minimum = 1, maximum = 500)]
    pub page_size: u64,
}

fn one() -> u64 {
    1
}
fn default_size() -> u64 {
    DEFAULT_PAGE_SIZE
}

/// A page number outside 1..=`MAX_PAGE` is refused (422 from the query extractor), as the
/// document says, rather than quietly answered with another page.
fn page_no<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    in_range(d, MAX_PAGE)
}

fn page_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    in_range(d, MAX_PAGE_SIZE)
}

fn in_range<'de, D: serde::Deserializer<'de>>(d: D, max: u64) -> Result<u64, D::Error> {
    let n = u64::deserialize(d)?;
    if (1..=max).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format_args!("must be between 1 and {max}")))
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, page_size: DEFAULT_PAGE_SIZE }
    }
}

impl PageRequest {
    /// Page and size brought into range, so a caller can never ask for an unbounded list.
    /// Brought into range for an API caller: at most `MAX_PAGE_SIZE` rows, and a page number
    /// whose offset the databases accept (a huge `?page=` must not overflow into a 500).
    pub fn clamped(self) -> Self {
        Self { page: self.page.clamp(1, MAX_PAGE), page_size: self.page_size.clamp(1, MAX_PAGE_SIZE) }
    }

    /// Every row, for an internal caller that needs the whole list (a project's buildings to
    /// resolve names, the meters of a reading sheet). Never built from API input.
    pub const fn all() -> Self {
        Self { page: 1, page_size: i64::MAX as u64 }
    }

    /// Internal callers (exports) may ask for larger pages; API input is clamped first.
    pub fn offset(self) -> u64 {
        (self.page.max(1) - 1).saturating_mul(self.page_size.max(1)).min(i64::MAX as u64)
    }

    pub fn limit(self) -> u64 {
        self.page_size.max(1)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: u64, req: PageRequest) -> Self {
        let req = req.clamped();
        Self { items, total, page: req.page, page_size: req.page_size }
    }

    /// The same page holding other items (rows turned into views by an async lookup).
    pub fn with_items<U>(self, items: Vec<U>) -> Page<U> {
        Page { items, total: self.total, page: self.page, page_size: self.page_size }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_capped_and_page_starts_at_one() {
        let p = PageRequest { page: 0, page_size: 10_000 }.clamped();
        assert_eq!((p.page, p.page_size), (1, MAX_PAGE_SIZE));
        assert_eq!(PageRequest { page: 3, page_size: 20 }.offset(), 40);
        let huge = PageRequest { page: u64::MAX, page_size: u64::MAX };
        assert_eq!(huge.clamped().page, MAX_PAGE);
        assert!(i64::try_from(huge.offset()).is_ok());
    }
}
