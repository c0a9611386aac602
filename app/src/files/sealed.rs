//! Sealed blobs in the blob store. A blob of `size` bytes is kept as parts of
//! [`PART_BYTES`] (the last one shorter), each an object `<blob key>/<index>`
//! holding its segments sealed by [`crypt`](super::crypt). Parts let a large
//! upload be sent and resumed part by part, on any backend, without an
//! append operation and without a second pass over the bytes.

use super::crypt::{CryptError, DataKey, SEGMENT, TAG, segments};
use crate::blobs::BlobStore;

/// Plaintext bytes per part (a whole number of segments).
pub const PART_BYTES: u64 = 8 * 1024 * 1024;
const SEGMENTS_PER_PART: u64 = PART_BYTES / SEGMENT as u64;

#[derive(Debug, thiserror::Error)]
pub enum SealedError {
    #[error("storage: {0}")]
    Storage(#[from] opendal::Error),
    #[error(transparent)]
    Crypt(#[from] CryptError),
    #[error("a part is longer than expected")]
    TooLong,
    #[error("a part is shorter than expected")]
    TooShort,
}

/// The object that holds part `index` of the blob at `blob_key`.
pub fn part_key(blob_key: &str, index: u64) -> String {
    format!("{blob_key}/{index:06}")
}

/// How many parts a blob of `size` bytes has.
pub fn part_count(size: u64) -> u64 {
    size.div_ceil(PART_BYTES).max(1)
}

/// Plaintext length of part `index` of a blob of `size` bytes.
pub fn part_len(size: u64, index: u64) -> u64 {
    size.saturating_sub(index * PART_BYTES).min(PART_BYTES)
}

fn sealed_len(plain: u64) -> u64 {
    plain + segments(plain) * TAG as u64
}

/// Sealed bytes are handed to the store in batches of this size (fewer,
/// larger writes: on a local folder each write is a trip to a blocking thread).
const WRITE_BATCH: usize = 1 << 20;

/// Writes one part as its bytes arrive, sealing each full segment.
pub struct PartWriter {
    key: DataKey,
    writer: opendal::Writer,
    sealed: Vec<u8>,
    next_segment: u64,
    last_segment: u64,
    buffer: Vec<u8>,
    expected: u64,
    received: u64,
}

impl PartWriter {
    pub async fn open(
        store: &BlobStore,
        key: DataKey,
        blob_key: &str,
        size: u64,
        index: u64,
    ) -> Result<Self, SealedError> {
        Ok(Self {
            key,
            writer: store.writer(&part_key(blob_key, index)).await?,
            sealed: Vec::with_capacity(WRITE_BATCH + SEGMENT + TAG),
            next_segment: index * SEGMENTS_PER_PART,
            last_segment: segments(size) - 1,
            buffer: Vec::with_capacity(SEGMENT + TAG),
            expected: part_len(size, index),
            received: 0,
        })
    }

    pub async fn write(&mut self, mut bytes: &[u8]) -> Result<(), SealedError> {
        self.received += bytes.len() as u64;
        if self.received > self.expected {
            return Err(SealedError::TooLong);
        }
        while !bytes.is_empty() {
            let take = (SEGMENT - self.buffer.len()).min(bytes.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            // A full segment is sealed at once unless it may be the blob's last.
            if self.buffer.len() == SEGMENT && self.next_segment < self.last_segment {
                self.flush_segment().await?;
            }
        }
        Ok(())
    }

    async fn flush_segment(&mut self) -> Result<(), SealedError> {
        let last = self.next_segment == self.last_segment;
        self.key.seal(self.next_segment, last, &mut self.buffer);
        self.next_segment += 1;
        self.sealed.extend_from_slice(&self.buffer);
        self.buffer.clear();
        if self.sealed.len() >= WRITE_BATCH {
            self.write_sealed().await?;
        }
        Ok(())
    }

    async fn write_sealed(&mut self) -> Result<(), SealedError> {
        let batch = std::mem::replace(
            &mut self.sealed,
            Vec::with_capacity(WRITE_BATCH + SEGMENT + TAG),
        );
        self.writer.write(batch).await?;
        Ok(())
    }

    /// Seals what is left and closes the part.
    pub async fn close(mut self) -> Result<(), SealedError> {
        if self.received != self.expected {
            let _ = self.writer.abort().await;
            return Err(SealedError::TooShort);
        }
        if !self.buffer.is_empty() || self.next_segment == self.last_segment {
            self.flush_segment().await?;
        }
        if !self.sealed.is_empty() {
            self.write_sealed().await?;
        }
        self.writer.close().await?;
        Ok(())
    }

    pub async fn abort(mut self) {
        let _ = self.writer.abort().await;
    }
}

/// Writes a whole blob from memory (a cleaned photo, a thumbnail, a study's instance).
pub async fn write_all(
    store: &BlobStore,
    key: &DataKey,
    blob_key: &str,
    bytes: &[u8],
) -> Result<(), SealedError> {
    let size = bytes.len() as u64;
    let last = segments(size) - 1;
    for part in 0..part_count(size) {
        let start = part * PART_BYTES;
        let plain = &bytes[start as usize..(start + part_len(size, part)) as usize];
        let mut sealed = Vec::with_capacity(sealed_len(plain.len() as u64) as usize);
        let first = part * SEGMENTS_PER_PART;
        let mut chunks: Vec<&[u8]> = plain.chunks(SEGMENT).collect();
        if chunks.is_empty() {
            chunks.push(&[]);
        }
        for (i, chunk) in chunks.into_iter().enumerate() {
            let index = first + i as u64;
            let mut segment = chunk.to_vec();
            key.seal(index, index == last, &mut segment);
            sealed.extend_from_slice(&segment);
        }
        let mut writer = store.writer(&part_key(blob_key, part)).await?;
        writer.write(sealed).await?;
        writer.close().await?;
    }
    Ok(())
}

/// Reads and opens part `index` of a blob of `size` bytes.
pub async fn read_part(
    store: &BlobStore,
    key: &DataKey,
    blob_key: &str,
    size: u64,
    index: u64,
) -> Result<Vec<u8>, SealedError> {
    let mut sealed = store.read(&part_key(blob_key, index)).await?;
    let plain_len = part_len(size, index);
    if sealed.len() as u64 != sealed_len(plain_len) {
        return Err(CryptError::Tampered.into());
    }
    let last = segments(size) - 1;
    let first = index * SEGMENTS_PER_PART;
    let mut plain = Vec::with_capacity(plain_len as usize);
    for (i, chunk) in sealed.chunks_mut(SEGMENT + TAG).enumerate() {
        let at = first + i as u64;
        let n = key.open(at, at == last, chunk)?;
        plain.extend_from_slice(&chunk[..n]);
    }
    Ok(plain)
}

/// Reads a whole (small) blob into memory.
pub async fn read_all(
    store: &BlobStore,
    key: &DataKey,
    blob_key: &str,
    size: u64,
) -> Result<Vec<u8>, SealedError> {
    let mut out = Vec::with_capacity(size as usize);
    for index in 0..part_count(size) {
        out.extend(read_part(store, key, blob_key, size, index).await?);
    }
    Ok(out)
}

/// Deletes every part of a blob (parts that are missing are not an error).
pub async fn delete(store: &BlobStore, blob_key: &str) -> Result<(), SealedError> {
    store.delete_prefix(&format!("{blob_key}/")).await?;
    Ok(())
}

/// A blocking `Read + Seek` view of a sealed blob, one decrypted part held at a
/// time: for the DICOM parser and the ZIP reader, which want `std::io`. Use it
/// inside `spawn_blocking`.
pub struct SealedReader {
    runtime: tokio::runtime::Handle,
    store: BlobStore,
    key: DataKey,
    blob_key: String,
    size: u64,
    position: u64,
    part: Option<(u64, Vec<u8>)>,
}

impl SealedReader {
    pub fn new(store: BlobStore, key: DataKey, blob_key: String, size: u64) -> Self {
        Self {
            runtime: tokio::runtime::Handle::current(),
            store,
            key,
            blob_key,
            size,
            position: 0,
            part: None,
        }
    }
}

impl std::io::Read for SealedReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.position >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let index = self.position / PART_BYTES;
        if self.part.as_ref().is_none_or(|(i, _)| *i != index) {
            let bytes = self
                .runtime
                .block_on(read_part(
                    &self.store,
                    &self.key,
                    &self.blob_key,
                    self.size,
                    index,
                ))
                .map_err(std::io::Error::other)?;
            self.part = Some((index, bytes));
        }
        let (_, bytes) = self.part.as_ref().expect("loaded above");
        let offset = (self.position - index * PART_BYTES) as usize;
        let n = buf.len().min(bytes.len() - offset);
        buf[..n].copy_from_slice(&bytes[offset..offset + n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for SealedReader {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        let target = match pos {
            std::io::SeekFrom::Start(at) => Some(at),
            std::io::SeekFrom::End(delta) => self.size.checked_add_signed(delta),
            std::io::SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.position)
    }
}
