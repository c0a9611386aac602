//! Short-lived signed links: `/files/<id>/<purpose>?e=<expiry>&s=<signature>`.
//! The signature (HMAC-SHA256 under a key derived from the master key) covers
//! the account the link was made for, the file, the purpose and the expiry;
//! the handler also checks the session is that account's and runs the access
//! check again, so a copied link is worth nothing to anyone else.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Shown in the page (inline).
    View,
    /// Saved as a file (attachment).
    Download,
    Thumb,
    /// A DICOM frame rendered to PNG.
    Frame,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::View => "view",
            Purpose::Download => "download",
            Purpose::Thumb => "thumb",
            Purpose::Frame => "frame",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        [
            Purpose::View,
            Purpose::Download,
            Purpose::Thumb,
            Purpose::Frame,
        ]
        .into_iter()
        .find(|p| p.as_str() == text)
    }
}

fn mac(
    key: &[u8; 32],
    account_id: i64,
    file_id: i64,
    purpose: Purpose,
    expires: i64,
) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{account_id}|{file_id}|{}|{expires}", purpose.as_str()).as_bytes());
    mac
}

/// A link for `account_id` to `file_id`, good until `expires` (Unix seconds).
pub fn sign(
    key: &[u8; 32],
    account_id: i64,
    file_id: i64,
    purpose: Purpose,
    expires: i64,
) -> String {
    let signature = B64.encode(
        mac(key, account_id, file_id, purpose, expires)
            .finalize()
            .into_bytes(),
    );
    format!(
        "/files/{file_id}/{}?e={expires}&s={signature}",
        purpose.as_str()
    )
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    Expired,
    BadSignature,
}

/// Checks a link's signature (constant time) and expiry.
pub fn verify(
    key: &[u8; 32],
    account_id: i64,
    file_id: i64,
    purpose: Purpose,
    expires: i64,
    signature: &str,
    now_s: i64,
) -> Result<(), LinkError> {
    let given = B64.decode(signature).map_err(|_| LinkError::BadSignature)?;
    mac(key, account_id, file_id, purpose, expires)
        .verify_slice(&given)
        .map_err(|_| LinkError::BadSignature)?;
    if expires < now_s {
        return Err(LinkError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(link: &str) -> (i64, String) {
        let query = link.split_once('?').unwrap().1;
        let mut e = 0;
        let mut s = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("e", v) => e = v.parse().unwrap(),
                ("s", v) => s = v.to_owned(),
                _ => {}
            }
        }
        (e, s)
    }

    #[test]
    fn a_link_is_good_only_for_its_account_file_purpose_and_time() {
        let key = [9u8; 32];
        let link = sign(&key, 5, 42, Purpose::View, 1_000);
        assert!(link.starts_with("/files/42/view?e=1000&s="));
        let (e, s) = parts(&link);
        assert_eq!(verify(&key, 5, 42, Purpose::View, e, &s, 999), Ok(()));
        assert_eq!(
            verify(&key, 5, 42, Purpose::View, e, &s, 1_001),
            Err(LinkError::Expired)
        );
        assert_eq!(
            verify(&key, 6, 42, Purpose::View, e, &s, 999),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            verify(&key, 5, 43, Purpose::View, e, &s, 999),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            verify(&key, 5, 42, Purpose::Download, e, &s, 999),
            Err(LinkError::BadSignature)
        );
        // A later expiry written into the link breaks the signature.
        assert_eq!(
            verify(&key, 5, 42, Purpose::View, e + 60, &s, 999),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            verify(&[8u8; 32], 5, 42, Purpose::View, e, &s, 999),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            verify(&key, 5, 42, Purpose::View, e, "not base64!", 999),
            Err(LinkError::BadSignature)
        );
    }
}
