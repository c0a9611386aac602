//! Blob storage over OpenDAL: a local folder by default, S3 or Azure Blob by
//! configuration. Later areas add domain methods over typed keys here.

use opendal::{Operator, services};

/// Where blobs live. Credentials come from the environment or files only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobBackend {
    Fs {
        root: String,
    },
    S3 {
        bucket: String,
        region: String,
        endpoint: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
    },
    Azblob {
        container: String,
        endpoint: String,
        account_name: Option<String>,
        account_key: Option<String>,
    },
}

impl BlobBackend {
    /// The backend's kind, for logs and `/readyz` (never its credentials).
    pub fn kind(&self) -> &'static str {
        match self {
            BlobBackend::Fs { .. } => "fs",
            BlobBackend::S3 { .. } => "s3",
            BlobBackend::Azblob { .. } => "azblob",
        }
    }

    /// The folder of a local (`fs`) store, whose disk must keep room.
    pub fn local_root(&self) -> Option<std::path::PathBuf> {
        match self {
            BlobBackend::Fs { root } => Some(root.into()),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct BlobStore {
    operator: Operator,
}

impl BlobStore {
    pub fn new(backend: &BlobBackend) -> opendal::Result<Self> {
        // S3 and Azure speak HTTP: install OpenDAL's reqwest transport (once
        // per process; without it every request fails with "default HTTP
        // transport is not installed").
        opendal::install_default();
        let operator = match backend {
            BlobBackend::Fs { root } => {
                std::fs::create_dir_all(root).map_err(|err| {
                    opendal::Error::new(opendal::ErrorKind::Unexpected, "cannot create blob folder")
                        .set_source(err)
                })?;
                Operator::new(services::Fs::default().root(root))?
            }
            BlobBackend::S3 {
                bucket,
                region,
                endpoint,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = services::S3::default().bucket(bucket).region(region);
                if let Some(endpoint) = endpoint {
                    builder = builder.endpoint(endpoint);
                }
                if let Some(key) = access_key_id {
                    builder = builder.access_key_id(key);
                }
                if let Some(secret) = secret_access_key {
                    builder = builder.secret_access_key(secret);
                }
                Operator::new(builder)?
            }
            BlobBackend::Azblob {
                container,
                endpoint,
                account_name,
                account_key,
            } => {
                let mut builder = services::Azblob::default()
                    .container(container)
                    .endpoint(endpoint);
                if let Some(name) = account_name {
                    builder = builder.account_name(name);
                }
                if let Some(key) = account_key {
                    builder = builder.account_key(key);
                }
                Operator::new(builder)?
            }
        };
        Ok(Self { operator })
    }

    /// Answers whether the store is reachable (for `/readyz`): asks for a
    /// probe key that does not exist; "not found" is the healthy answer.
    pub async fn check(&self) -> opendal::Result<()> {
        match self.operator.stat(".hale-readiness-probe").await {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == opendal::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err),
        }
    }
}

/// The user-safe error of a failed blob operation: a full disk is named
/// (and `/readyz` told), anything else is logged once as internal.
pub fn failure(err: &dyn std::fmt::Display) -> crate::error::AppError {
    let text = err.to_string();
    if crate::db::health::says_full(&text) {
        crate::db::health::note_full();
        tracing::error!(error = %text, "the blob store's disk is full");
        return crate::error::AppError::StorageFull;
    }
    tracing::error!(error = %text, "blob store error");
    crate::error::AppError::Internal
}

/// Blob operations the domain areas use. Keys are always made by the server.
impl BlobStore {
    /// A writer for a new blob (write chunks, then `close`, or `abort`).
    pub async fn writer(&self, key: &str) -> opendal::Result<opendal::Writer> {
        self.operator.writer(key).await
    }

    /// A blob's size in bytes.
    pub async fn size(&self, key: &str) -> opendal::Result<u64> {
        Ok(self.operator.stat(key).await?.content_length())
    }

    /// Bytes `[from, to)` of a blob.
    pub async fn read_range(&self, key: &str, from: u64, to: u64) -> opendal::Result<Vec<u8>> {
        Ok(self.operator.read_with(key).range(from..to).await?.to_vec())
    }

    /// A whole (small) object.
    pub async fn read(&self, key: &str) -> opendal::Result<Vec<u8>> {
        Ok(self.operator.read(key).await?.to_vec())
    }

    /// Deletes every object whose key starts with `prefix` (ends in `/`):
    /// listed, then deleted one by one (recursive delete is not the same on
    /// every backend), then the folder itself where the backend has folders.
    pub async fn delete_prefix(&self, prefix: &str) -> opendal::Result<()> {
        for (key, _) in self.list(prefix).await? {
            self.operator.delete(&key).await?;
        }
        match self.operator.delete(prefix).await {
            Err(err) if err.kind() != opendal::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }

    /// Every object key under `prefix`, with its last-modified time when known (ms).
    pub async fn list(&self, prefix: &str) -> opendal::Result<Vec<(String, Option<i64>)>> {
        let entries = match self.operator.list_with(prefix).recursive(true).await {
            Err(err) if err.kind() == opendal::ErrorKind::NotFound => return Ok(Vec::new()),
            other => other?,
        };
        Ok(entries
            .into_iter()
            .filter(|e| e.metadata().is_file())
            .map(|e| {
                let modified = e
                    .metadata()
                    .last_modified()
                    .map(|t| t.into_inner().as_millisecond());
                (e.path().to_owned(), modified)
            })
            .collect())
    }

    /// When an object was last written (ms), if the backend knows.
    pub async fn modified_ms(&self, key: &str) -> opendal::Result<Option<i64>> {
        Ok(self
            .operator
            .stat(key)
            .await?
            .last_modified()
            .map(|t| t.into_inner().as_millisecond()))
    }

    /// Deletes a blob (a missing blob is not an error).
    pub async fn delete(&self, key: &str) -> opendal::Result<()> {
        self.operator.delete(key).await
    }
}

/// A blocking `Read + Seek` view of a plain (unsealed) blob, read in
/// 256 KiB ranges, for parsers on a blocking thread (a ZIP's directory is
/// at its end). `consumed` counts the bytes read (for a progress bar).
pub struct RangeReader {
    runtime: tokio::runtime::Handle,
    store: BlobStore,
    key: String,
    size: u64,
    position: u64,
    window: Vec<u8>,
    window_at: u64,
    consumed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl RangeReader {
    const WINDOW: u64 = 256 * 1024;

    /// Made on the async runtime; read on a blocking thread.
    pub fn new(
        store: BlobStore,
        key: String,
        size: u64,
        consumed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        RangeReader {
            runtime: tokio::runtime::Handle::current(),
            store,
            key,
            size,
            position: 0,
            window: Vec::new(),
            window_at: 0,
            consumed,
        }
    }
}

impl std::io::Read for RangeReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.position >= self.size || out.is_empty() {
            return Ok(0);
        }
        let in_window = self.position >= self.window_at
            && self.position < self.window_at + self.window.len() as u64;
        if !in_window {
            let to = (self.position + Self::WINDOW).min(self.size);
            self.window = self
                .runtime
                .block_on(self.store.read_range(&self.key, self.position, to))
                .map_err(std::io::Error::other)?;
            self.window_at = self.position;
            if self.window.is_empty() {
                return Ok(0);
            }
        }
        let offset = (self.position - self.window_at) as usize;
        let n = out.len().min(self.window.len() - offset);
        out[..n].copy_from_slice(&self.window[offset..offset + n]);
        self.position += n as u64;
        self.consumed
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

impl std::io::Seek for RangeReader {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            std::io::SeekFrom::Start(at) => Some(at),
            std::io::SeekFrom::End(back) => self.size.checked_add_signed(back),
            std::io::SeekFrom::Current(by) => self.position.checked_add_signed(by),
        };
        let target = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        self.position = target;
        Ok(target)
    }
}
