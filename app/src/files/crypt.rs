//! Encryption at rest. Each blob has its own random data key; the blob is cut
//! into 64 KiB segments, each sealed with AES-256-GCM under that key (nonce =
//! the segment's index, so segments cannot be reordered; the last segment is
//! marked in the associated data, so a blob cannot be cut short). Data keys are
//! wrapped by the master key (AES-256-GCM, random nonce, bound to the blob's
//! storage key) and stored with the file's row; the master key itself comes
//! from the environment or a file and is never stored in the database.
//! Rotating the master key re-wraps data keys; blobs are not rewritten.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

/// Plaintext bytes per sealed segment.
pub const SEGMENT: usize = 64 * 1024;
/// The authentication tag each sealed segment carries.
pub const TAG: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptError {
    #[error("a segment failed authentication (tampered or cut short)")]
    Tampered,
    #[error("the data key was wrapped by a master key this server does not have ({0})")]
    UnknownMasterKey(String),
    #[error("a wrapped data key is malformed")]
    Malformed,
}

fn key(bytes: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("32-byte AES-256 key"))
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .expect("the system's random source");
    out
}

/// One blob's data key.
pub struct DataKey(LessSafeKey);

impl DataKey {
    fn nonce(index: u64) -> Nonce {
        let mut nonce = [0u8; NONCE_LEN];
        nonce[4..].copy_from_slice(&index.to_be_bytes());
        Nonce::assume_unique_for_key(nonce)
    }

    fn aad(last: bool) -> [u8; 13] {
        let mut aad = *b"hale-blob-v1\0";
        aad[12] = u8::from(last);
        aad
    }

    /// Seals segment `index` in place (appends the tag).
    pub fn seal(&self, index: u64, last: bool, segment: &mut Vec<u8>) {
        self.0
            .seal_in_place_append_tag(Self::nonce(index), Aad::from(Self::aad(last)), segment)
            .expect("a segment is far below AES-GCM's limit");
    }

    /// Opens sealed segment `index`; answers its plaintext length (the bytes
    /// are left at the start of `sealed`).
    pub fn open(&self, index: u64, last: bool, sealed: &mut [u8]) -> Result<usize, CryptError> {
        self.0
            .open_in_place(Self::nonce(index), Aad::from(Self::aad(last)), sealed)
            .map(|plain| plain.len())
            .map_err(|_| CryptError::Tampered)
    }
}

/// How many segments a blob of `size` bytes has (an empty blob has one).
pub fn segments(size: u64) -> u64 {
    size.div_ceil(SEGMENT as u64).max(1)
}

/// The master keys: the current one wraps, older ones (during a rotation) still unwrap.
#[derive(Clone)]
pub struct MasterKeys {
    current: ([u8; 32], String),
    previous: Vec<([u8; 32], String)>,
}

impl std::fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKeys")
            .field("current", &self.current.1)
            .field("previous", &self.previous.len())
            .finish()
    }
}

/// A key's public name: the start of its SHA-256 (the key cannot be derived from it).
fn key_id(bytes: &[u8; 32]) -> String {
    let digest = Sha256::digest([b"hale-master-key-id:".as_slice(), bytes].concat());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

impl MasterKeys {
    pub fn new(current: [u8; 32], previous: Vec<[u8; 32]>) -> Self {
        Self {
            current: (current, key_id(&current)),
            previous: previous.into_iter().map(|k| (k, key_id(&k))).collect(),
        }
    }

    /// A new random key, in the text form key files and variables hold.
    pub fn generate_text() -> String {
        base64::engine::general_purpose::STANDARD.encode(random::<32>())
    }

    /// Reads a key's text form: base64 of 32 bytes.
    pub fn parse(text: &str) -> Option<[u8; 32]> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?;
        bytes.try_into().ok()
    }

    pub fn current_id(&self) -> &str {
        &self.current.1
    }

    /// The key that signs download links (derived, so all instances agree).
    pub fn link_key(&self) -> [u8; 32] {
        Sha256::digest([b"hale-signed-links-v1:".as_slice(), &self.current.0].concat()).into()
    }

    /// A new data key and its wrapped form for the blob at `blob_key`.
    pub fn new_data_key(&self, blob_key: &str) -> (DataKey, String) {
        let raw = random::<32>();
        (DataKey(key(&raw)), self.wrap(&raw, blob_key))
    }

    fn wrap(&self, raw: &[u8; 32], blob_key: &str) -> String {
        let nonce = random::<NONCE_LEN>();
        let mut sealed = raw.to_vec();
        key(&self.current.0)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(blob_key.as_bytes()),
                &mut sealed,
            )
            .expect("wrapping a 32-byte key");
        format!(
            "{}.{}",
            self.current.1,
            B64.encode([nonce.as_slice(), &sealed].concat())
        )
    }

    fn unwrap_raw(&self, wrapped: &str, blob_key: &str) -> Result<[u8; 32], CryptError> {
        let (id, body) = wrapped.split_once('.').ok_or(CryptError::Malformed)?;
        let master = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|(_, kid)| kid == id)
            .ok_or_else(|| CryptError::UnknownMasterKey(id.to_owned()))?;
        let mut bytes = B64.decode(body).map_err(|_| CryptError::Malformed)?;
        if bytes.len() != NONCE_LEN + 32 + TAG {
            return Err(CryptError::Malformed);
        }
        let mut sealed = bytes.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| CryptError::Malformed)?;
        let plain = key(&master.0)
            .open_in_place(nonce, Aad::from(blob_key.as_bytes()), &mut sealed)
            .map_err(|_| CryptError::Tampered)?;
        plain.try_into().map_err(|_| CryptError::Malformed)
    }

    /// The data key of the blob at `blob_key`.
    pub fn unwrap(&self, wrapped: &str, blob_key: &str) -> Result<DataKey, CryptError> {
        Ok(DataKey(key(&self.unwrap_raw(wrapped, blob_key)?)))
    }

    /// The same data key wrapped by the current master key, or `None` when it already is.
    pub fn rewrap(&self, wrapped: &str, blob_key: &str) -> Result<Option<String>, CryptError> {
        if wrapped.starts_with(&format!("{}.", self.current.1)) {
            return Ok(None);
        }
        Ok(Some(
            self.wrap(&self.unwrap_raw(wrapped, blob_key)?, blob_key),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_open_only_in_place_and_order() {
        let keys = MasterKeys::new([7; 32], vec![]);
        let (dk, wrapped) = keys.new_data_key("p/1/a");
        let mut seg = b"hello".to_vec();
        dk.seal(3, true, &mut seg);
        let again = keys.unwrap(&wrapped, "p/1/a").unwrap();
        let mut copy = seg.clone();
        assert_eq!(again.open(3, true, &mut copy), Ok(5));
        assert_eq!(&copy[..5], b"hello");
        // Another index, a segment not marked last, another blob's key: refused.
        assert_eq!(
            again.open(4, true, &mut seg.clone()),
            Err(CryptError::Tampered)
        );
        assert_eq!(
            again.open(3, false, &mut seg.clone()),
            Err(CryptError::Tampered)
        );
        assert!(keys.unwrap(&wrapped, "p/1/b").is_err());
        let mut flipped = seg.clone();
        flipped[0] ^= 1;
        assert_eq!(again.open(3, true, &mut flipped), Err(CryptError::Tampered));
    }

    #[test]
    fn rotation_rewraps_with_the_new_key_and_keeps_the_data_key() {
        let old = MasterKeys::new([1; 32], vec![]);
        let (dk, wrapped) = old.new_data_key("k");
        let mut seg = b"x".to_vec();
        dk.seal(0, true, &mut seg);
        let rotated = MasterKeys::new([2; 32], vec![[1; 32]]);
        let new_wrapped = rotated.rewrap(&wrapped, "k").unwrap().unwrap();
        assert!(new_wrapped.starts_with(rotated.current_id()));
        assert_eq!(rotated.rewrap(&new_wrapped, "k").unwrap(), None);
        let only_new = MasterKeys::new([2; 32], vec![]);
        assert!(matches!(
            only_new.unwrap(&wrapped, "k"),
            Err(CryptError::UnknownMasterKey(_))
        ));
        let dk2 = only_new.unwrap(&new_wrapped, "k").unwrap();
        assert_eq!(dk2.open(0, true, &mut seg), Ok(1));
    }
}
