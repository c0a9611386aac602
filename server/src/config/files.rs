//! The files settings: master keys (from the environment or files only)
//! and the limits of uploads.

use super::keys::Layers;
use super::{ConfigError, DEFAULT_KEY_PATH, Secret};
use std::path::PathBuf;

/// The master keys and the limits of files.
#[derive(Debug, Clone)]
pub struct FilesConfig {
    /// The current master key (base64 of 32 bytes); none: the key file below.
    pub master_key: Option<Secret>,
    /// Earlier master keys (comma-separated), still accepted while rotating.
    pub previous_master_keys: Option<Secret>,
    /// Where the key is kept (made at first start) when none is configured.
    pub key_path: PathBuf,
    pub max_upload_bytes: u64,
    pub quota_bytes: u64,
    pub link_seconds: u32,
}

pub fn config(layers: &Layers) -> Result<FilesConfig, ConfigError> {
    let bytes = |key: &str, default: u64| {
        layers.bytes(
            key,
            default,
            1 << 20..=1 << 40,
            "a number of bytes from 1048576 to 1099511627776",
        )
    };
    let secret = |key: &str| layers.optional(key).map(Secret);
    let master_key = secret("files.master_key");
    if let Some(key) = &master_key
        && hale_app::files::crypt::MasterKeys::parse(key.expose()).is_none()
    {
        return Err(ConfigError::Invalid {
            key: "files.master_key".into(),
            origin: layers.origin("files.master_key"),
            expected: "base64 of 32 random bytes (e.g. `openssl rand -base64 32`)".into(),
            found: "(not shown)".into(),
        });
    }
    Ok(FilesConfig {
        master_key,
        previous_master_keys: secret("files.previous_master_keys"),
        key_path: PathBuf::from(layers.string("files.key_path", DEFAULT_KEY_PATH)),
        max_upload_bytes: bytes("files.max_upload_bytes", 4 << 30)?,
        quota_bytes: bytes("files.quota_bytes", 20 << 30)?,
        link_seconds: layers.parsed("files.link_seconds", 300, "seconds from 30 to 3600", |v| {
            v.parse::<u32>().ok().filter(|s| (30..=3600).contains(s))
        })?,
    })
}
