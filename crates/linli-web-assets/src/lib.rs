//! The built web app, embedded in the binary (see `build.rs`), with the gzip and brotli
//! encodings the web build made of its compressible files.

/// Path, content type, bytes, and the gzip and brotli encodings when the build made them.
type Entry = (&'static str, &'static str, &'static [u8], Option<&'static [u8]>, Option<&'static [u8]>);

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub struct Asset {
    pub mime: &'static str,
    pub bytes: &'static [u8],
    /// The same bytes gzip-encoded, when that is smaller.
    pub gzip: Option<&'static [u8]>,
    /// The same bytes brotli-encoded, when that is smaller.
    pub brotli: Option<&'static [u8]>,
}

/// A file of the built app by its path relative to the app root (`index.html`, `assets/…`).
pub fn get(path: &str) -> Option<Asset> {
    FILES.binary_search_by(|(p, ..)| (*p).cmp(path)).ok().map(|i| {
        let (_, mime, bytes, gzip, brotli) = FILES[i];
        Asset { mime, bytes, gzip, brotli }
    })
}

/// False for a binary built with `LINLI_SKIP_WEB_BUILD=1`.
pub fn is_embedded() -> bool {
    !FILES.is_empty()
}
