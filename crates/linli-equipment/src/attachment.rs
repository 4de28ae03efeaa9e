//! Attachments of an item (manuals, photos, certificates): which files are accepted, and how a
//! file is named in storage. Files are content-addressed (`sha256[0..2]/sha256`), so the same
//! manual uploaded for forty lifts is stored once; rows in `attachments` are the references.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_core::{Error, Id, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The largest file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The `entity` of attachment rows that belong to equipment.
pub const ENTITY: &str = "equipment";

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: Id,
    pub project_id: Id,
    /// What the file is attached to: `equipment`.
    pub entity: String,
    pub entity_id: Id,
    pub file_name: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// A file as received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An accepted file, described for its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
}

/// Where files are kept: a directory on one machine, an object store for several instances.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under `key`. Keys name their content, so storing a key again is harmless.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()>;
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
}

/// How a file type starts; the extension alone would let any file through under a good name.
#[derive(Clone, Copy)]
enum Magic {
    Prefix(&'static [u8]),
    Webp,
    Text,
}

/// Accepted types: PDF, photos, office documents and plain text. No SVG or HTML: the browser
/// would run their scripts.
const TYPES: &[(&str, &str, Magic)] = &[
    ("pdf", "application/pdf", Magic::Prefix(b"%PDF-")),
    ("png", "image/png", Magic::Prefix(b"\x89PNG\r\n\x1a\n")),
    ("jpg", "image/jpeg", Magic::Prefix(b"\xff\xd8\xff")),
    ("jpeg", "image/jpeg", Magic::Prefix(b"\xff\xd8\xff")),
    ("gif", "image/gif", Magic::Prefix(b"GIF8")),
    ("webp", "image/webp", Magic::Webp),
    ("doc", "application/msword", Magic::Prefix(OLE)),
    ("xls", "application/vnd.ms-excel", Magic::Prefix(OLE)),
    ("ppt", "application/vnd.ms-powerpoint", Magic::Prefix(OLE)),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Magic::Prefix(ZIP)),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Magic::Prefix(ZIP)),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", Magic::Prefix(ZIP)),
    ("txt", "text/plain", Magic::Text),
];

const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
const ZIP: &[u8] = b"PK\x03\x04";

fn matches(magic: Magic, bytes: &[u8]) -> bool {
    match magic {
        Magic::Prefix(p) => bytes.starts_with(p),
        Magic::Webp => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        // Text in any encoding (UTF-8, GB18030) has no NUL bytes; binaries almost always do.
        Magic::Text => !bytes.iter().take(8192).any(|b| *b == 0),
    }
}

/// The content type to serve the file with, when its extension and its first bytes agree.
pub fn content_type_of(file_name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    TYPES.iter().find(|(e, _, magic)| *e == ext && matches(*magic, bytes)).map(|(_, ct, _)| *ct)
}

/// The name a browser sent, without the folders some include (`C:\fakepath\…`), control
/// characters or quotes, at most 200 characters.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control() && *c != '"').collect();
    let trimmed = clean.trim();
    let count = trimmed.chars().count();
    if count <= 200 {
        return trimmed.to_string();
    }
    // Keep the extension, which decides the type.
    let ext = trimmed.rsplit_once('.').map(|(_, e)| e).filter(|e| e.chars().count() <= 10).unwrap_or_default();
    let keep = 200 - ext.chars().count() - 1;
    format!("{}.{ext}", trimmed.chars().take(keep).collect::<String>())
}

/// `ab/ab12…`: two levels keep any one directory small.
pub fn storage_key(sha256_hex: &str) -> String {
    format!("{}/{sha256_hex}", &sha256_hex[..2])
}

/// Whether `key` is one `storage_key` makes, so a stored key can never walk out of the files
/// directory.
pub fn is_storage_key(key: &str) -> bool {
    let Some((dir, name)) = key.split_once('/') else { return false };
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    name.len() == 64 && hex(name) && name.starts_with(dir)
}

/// Checks an upload and names it for storage. Field `file`: `required` (empty), `too_large`,
/// `unsupported_type`.
pub fn accept(upload: &Upload) -> Result<StoredFile> {
    if upload.bytes.is_empty() {
        return Err(Error::invalid("file", "required"));
    }
    if upload.bytes.len() > MAX_BYTES {
        return Err(Error::invalid("file", "too_large"));
    }
    let file_name = clean_file_name(&upload.file_name);
    let content_type =
        content_type_of(&file_name, &upload.bytes).ok_or_else(|| Error::invalid("file", "unsupported_type"))?;
    let sha256 = hex::encode(Sha256::digest(&upload.bytes));
    Ok(StoredFile {
        file_name,
        content_type,
        size: upload.bytes.len() as i64,
        storage_key: storage_key(&sha256),
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, bytes: &[u8]) -> Result<StoredFile> {
        accept(&Upload { file_name: name.into(), bytes: bytes.to_vec() })
    }

    fn code(r: Result<StoredFile>) -> String {
        match r {
            Err(Error::Validation(e)) => format!("{}:{}", e[0].field, e[0].code),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn documents_and_photos_are_accepted_when_their_bytes_match_their_names() {
        assert_eq!(up("说明书.PDF", b"%PDF-1.7 ...").unwrap().content_type, "application/pdf");
        assert_eq!(up("铭牌.jpg", b"\xff\xd8\xff\xe0....").unwrap().content_type, "image/jpeg");
        assert_eq!(up("a.webp", b"RIFF\0\0\0\0WEBPVP8 ").unwrap().content_type, "image/webp");
        assert!(up("维保记录.xlsx", b"PK\x03\x04rest").unwrap().content_type.contains("spreadsheetml"));
        assert_eq!(up("notes.txt", "维保电话 400-000-0000".as_bytes()).unwrap().content_type, "text/plain");
    }

    #[test]
    fn other_types_and_disguised_files_are_unsupported() {
        assert_eq!(code(up("run.exe", b"MZ\x90\0")), "file:unsupported_type");
        assert_eq!(code(up("page.html", b"<script>")), "file:unsupported_type");
        assert_eq!(code(up("logo.svg", b"<svg>")), "file:unsupported_type");
        assert_eq!(code(up("fake.pdf", b"<html>")), "file:unsupported_type");
        assert_eq!(code(up("bin.txt", b"ab\0cd")), "file:unsupported_type");
        assert_eq!(code(up("noext", b"%PDF-")), "file:unsupported_type");
        assert_eq!(code(up("empty.pdf", b"")), "file:required");
    }

    #[test]
    fn files_are_named_by_their_sha256() {
        let f = up("a.txt", b"abc").unwrap();
        assert_eq!(f.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(f.storage_key, "ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(is_storage_key(&f.storage_key));
        assert!(!is_storage_key("../etc/passwd"));
        assert!(!is_storage_key("ab/../../ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"));
    }

    #[test]
    fn browser_paths_and_control_characters_leave_the_name() {
        assert_eq!(clean_file_name("C:\\fakepath\\电梯 说明书.pdf"), "电梯 说明书.pdf");
        assert_eq!(clean_file_name("../../a\n\"b\".pdf"), "ab.pdf");
        let long = format!("{}.pdf", "长".repeat(300));
        let cut = clean_file_name(&long);
        assert_eq!(cut.chars().count(), 200);
        assert_eq!(cut.rsplit_once('.').map(|(_, ext)| ext), Some("pdf"));
    }
}
