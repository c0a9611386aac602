//! The blob store: a folder (the default), S3 or Azure Blob.

use super::keys::Layers;
use super::{ConfigError, DEFAULT_BLOB_ROOT};
use hale_app::blobs::BlobBackend;

pub fn backend(layers: &Layers) -> Result<BlobBackend, ConfigError> {
    let backend = layers.parsed("blobs.backend", "fs".to_owned(), "fs, s3 or azblob", |v| {
        ["fs", "s3", "azblob"].contains(&v).then(|| v.to_owned())
    })?;
    let optional = |key: &str| layers.get(key).map(|raw| raw.value.clone());
    let required = |key: &str, expected: &str| {
        optional(key).ok_or_else(|| ConfigError::Invalid {
            key: key.to_owned(),
            origin: "blobs.backend".into(),
            expected: expected.to_owned(),
            found: String::new(),
        })
    };
    Ok(match backend.as_str() {
        "s3" => BlobBackend::S3 {
            bucket: required("blobs.bucket", "a bucket name (HALE_BLOBS_BUCKET)")?,
            region: optional("blobs.region").unwrap_or_else(|| "us-east-1".into()),
            endpoint: optional("blobs.endpoint"),
            access_key_id: optional("blobs.access_key_id"),
            secret_access_key: optional("blobs.secret_access_key"),
        },
        "azblob" => BlobBackend::Azblob {
            container: required("blobs.container", "a container name (HALE_BLOBS_CONTAINER)")?,
            endpoint: required(
                "blobs.endpoint",
                "the blob endpoint URL (HALE_BLOBS_ENDPOINT)",
            )?,
            account_name: optional("blobs.account_name"),
            account_key: optional("blobs.account_key"),
        },
        _ => BlobBackend::Fs {
            root: layers.string("blobs.root", DEFAULT_BLOB_ROOT),
        },
    })
}
