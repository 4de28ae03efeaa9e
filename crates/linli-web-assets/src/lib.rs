//! The built web app, embedded in the binary (see `build.rs`).

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub struct Asset {
    pub mime: &'static str,
    pub bytes: &'static [u8],
}

/// A file of the built app by its path relative to the app root (`index.html`, `assets/…`).
pub fn get(path: &str) -> Option<Asset> {
    FILES.binary_search_by(|(p, _, _)| (*p).cmp(path)).ok().map(|i| Asset { mime: FILES[i].1, bytes: FILES[i].2 })
}

/// False for a binary built with `LINLI_SKIP_WEB_BUILD=1`.
pub fn is_embedded() -> bool {
    !FILES.is_empty()
}
