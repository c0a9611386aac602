//! What the operator configured for files: the master keys and the limits.

use super::crypt::MasterKeys;

#[derive(Debug, Clone)]
pub struct FilesSettings {
    pub keys: MasterKeys,
    /// The largest file one upload may carry.
    pub max_upload_bytes: u64,
    /// What one patient may keep in all.
    pub quota_bytes: u64,
    /// The largest photo (photos are decoded whole to strip and turn them).
    pub max_photo_bytes: u64,
    /// The largest single DICOM instance (rendering decodes an instance whole).
    pub max_instance_bytes: u64,
    /// How long a signed link stays good.
    pub link_seconds: u32,
}

impl FilesSettings {
    /// Settings for tests and tools: the given master key, generous limits.
    pub fn with_key(key: [u8; 32]) -> Self {
        Self {
            keys: MasterKeys::new(key, Vec::new()),
            max_upload_bytes: 2 << 30,
            quota_bytes: 10 << 30,
            max_photo_bytes: 50 << 20,
            max_instance_bytes: 512 << 20,
            link_seconds: 300,
        }
    }
}
