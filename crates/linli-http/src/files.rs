//! Uploaded files in a directory, content-addressed (`ab/ab12…`). One machine's disk; several
//! instances on PostgreSQL need the directory shared or an object store behind `FileStore`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use linli_core::{Error, Result};
use linli_equipment::FileStore;
use linli_equipment::attachment::is_storage_key;

pub struct LocalFiles {
    dir: PathBuf,
}

impl LocalFiles {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        if is_storage_key(key) {
            Ok(self.dir.join(key))
        } else {
            Err(Error::internal(format!("bad storage key {key}")))
        }
    }
}

/// Names temporary files apart when two requests store the same content at once.
static SEQ: AtomicU64 = AtomicU64::new(0);

fn io(e: std::io::Error) -> Error {
    Error::Internal(anyhow::Error::new(e).context("file storage"))
}

#[async_trait]
impl FileStore for LocalFiles {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(key)?;
        if tokio::fs::metadata(&path).await.is_ok_and(|m| m.len() == bytes.len() as u64) {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        // Written aside and renamed, so a crash never leaves a partial file under the hash.
        let tmp = path.with_extension(format!("tmp-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)));
        tokio::fs::write(&tmp, bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        tokio::fs::read(self.path(key)?).await.map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_stored_under_its_key_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("linli-files-test-{}", std::process::id()));
        let files = LocalFiles::new(&dir);
        let key = "ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        files.put(key, b"abc").await.unwrap();
        files.put(key, b"abc").await.unwrap();
        assert_eq!(files.get(key).await.unwrap(), b"abc");
        assert!(files.put("../escape", b"x").await.is_err());
        assert_eq!(std::fs::read_dir(dir.join("ba")).unwrap().count(), 1, "no temporary files left");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
