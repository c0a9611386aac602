//! Web Push: the server's VAPID key pair (RFC 8292; made at first start and
//! kept in the database), payload encryption (RFC 8291 with the `aes128gcm`
//! content coding of RFC 8188), people's subscriptions, and sending.

use crate::db::{now_ms, statement};
use crate::error::AppError;
use crate::refusals::PushProblem;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{aead, agreement, hkdf, signature};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use sha2::Digest as _;

const VAPID_KEY: &str = "vapid_p256_pkcs8";
/// The record size announced in the header; one record carries the whole payload.
const RECORD_SIZE: u32 = 4096;
/// The largest payload a push service must accept, less the header and tag.
pub const MAX_PAYLOAD: usize = 3000;

/// The VAPID key pair, PKCS#8 (made once: the first process to start wins).
pub async fn vapid_pkcs8(db: &impl ConnectionTrait) -> Result<Vec<u8>, DbErr> {
    let backend = db.get_database_backend();
    let read = || async {
        let row = db
            .query_one_raw(statement(
                backend,
                "SELECT value FROM server_keys WHERE name = ?",
                [VAPID_KEY.into()],
            ))
            .await?;
        Ok::<_, DbErr>(row.and_then(|r| r.try_get::<String>("", "value").ok()))
    };
    if let Some(value) = read().await? {
        return B64
            .decode(value)
            .map_err(|_| DbErr::Custom("the stored VAPID key is not base64".into()));
    }
    let rng = SystemRandom::new();
    let pkcs8 =
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| DbErr::Custom("cannot generate the VAPID key".into()))?;
    db.execute_raw(statement(
        backend,
        "INSERT INTO server_keys (name, value, created_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [
            VAPID_KEY.into(),
            B64.encode(pkcs8.as_ref()).into(),
            now_ms().into(),
        ],
    ))
    .await?;
    let value = read()
        .await?
        .ok_or_else(|| DbErr::Custom("the VAPID key was not kept".into()))?;
    B64.decode(value)
        .map_err(|_| DbErr::Custom("the stored VAPID key is not base64".into()))
}

fn key_pair(pkcs8: &[u8]) -> Result<signature::EcdsaKeyPair, String> {
    signature::EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8,
        &SystemRandom::new(),
    )
    .map_err(|_| "the VAPID key cannot be read".to_owned())
}

/// The public key browsers pass to `pushManager.subscribe` (base64url, uncompressed point).
pub async fn vapid_public_key(db: &impl ConnectionTrait) -> Result<String, AppError> {
    use signature::KeyPair as _;
    let pair = key_pair(&vapid_pkcs8(db).await?).map_err(|_| AppError::Internal)?;
    Ok(B64.encode(pair.public_key().as_ref()))
}

/// `Authorization: vapid t=<JWT>, k=<public key>` for a push endpoint (RFC 8292).
pub fn vapid_header(
    pkcs8: &[u8],
    endpoint: &str,
    subject: &str,
    now_s: i64,
) -> Result<String, String> {
    use signature::KeyPair as _;
    let url = url::Url::parse(endpoint).map_err(|_| "bad endpoint".to_owned())?;
    let audience = url.origin().ascii_serialization();
    let pair = key_pair(pkcs8)?;
    let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let claims = serde_json::json!({ "aud": audience, "exp": now_s + 12 * 3600, "sub": subject });
    let claims = B64.encode(claims.to_string());
    let signing_input = format!("{header}.{claims}");
    let sig = pair
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .map_err(|_| "cannot sign the VAPID token".to_owned())?;
    Ok(format!(
        "vapid t={signing_input}.{}, k={}",
        B64.encode(sig.as_ref()),
        B64.encode(pair.public_key().as_ref())
    ))
}

struct Len(usize);
impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf_expand(prk: &hkdf::Prk, info: &[&[u8]], len: usize) -> Result<Vec<u8>, String> {
    let mut out = vec![0u8; len];
    prk.expand(info, Len(len))
        .and_then(|okm| okm.fill(&mut out))
        .map_err(|_| "key derivation failed".to_owned())?;
    Ok(out)
}

/// Decodes and checks a subscription's keys: the browser's P-256 public key
/// (65 bytes, a point on the curve) and its 16-byte authentication secret.
pub fn subscription_keys(p256dh: &str, auth: &str) -> Result<(Vec<u8>, Vec<u8>), PushProblem> {
    let public = B64
        .decode(p256dh.trim().trim_end_matches('='))
        .map_err(|_| PushProblem::KeyNotBase64)?;
    let secret = B64
        .decode(auth.trim().trim_end_matches('='))
        .map_err(|_| PushProblem::SecretNotBase64)?;
    if secret.len() != 16 {
        return Err(PushProblem::SecretLength);
    }
    if public.len() != 65 || public[0] != 4 {
        return Err(PushProblem::KeyNotUncompressed);
    }
    // A trial agreement tells whether the point lies on the curve.
    let rng = SystemRandom::new();
    let probe = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
        .map_err(|_| PushProblem::KeyUnchecked)?;
    agreement::agree_ephemeral(
        probe,
        &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, &public),
        |_| (),
    )
    .map_err(|_| PushProblem::KeyNotOnCurve)?;
    Ok((public, secret))
}

/// Encrypts `payload` for a subscription (RFC 8291, one `aes128gcm` record).
pub fn encrypt(payload: &[u8], ua_public: &[u8], auth_secret: &[u8]) -> Result<Vec<u8>, String> {
    let rng = SystemRandom::new();
    let mut salt = [0u8; 16];
    rng.fill(&mut salt)
        .map_err(|_| "no randomness".to_owned())?;
    let ephemeral = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
        .map_err(|_| "cannot make a key".to_owned())?;
    let as_public = ephemeral
        .compute_public_key()
        .map_err(|_| "cannot make a key".to_owned())?
        .as_ref()
        .to_vec();
    let ecdh_secret = agreement::agree_ephemeral(
        ephemeral,
        &agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ua_public),
        |secret| secret.to_vec(),
    )
    .map_err(|_| "the subscription's key is not valid".to_owned())?;
    // IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32)
    let prk_key = hkdf::Salt::new(hkdf::HKDF_SHA256, auth_secret).extract(&ecdh_secret);
    let ikm = hkdf_expand(&prk_key, &[b"WebPush: info\0", ua_public, &as_public], 32)?;
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &salt).extract(&ikm);
    let cek = hkdf_expand(&prk, &[b"Content-Encoding: aes128gcm\0"], 16)?;
    let nonce = hkdf_expand(&prk, &[b"Content-Encoding: nonce\0"], 12)?;
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek).map_err(|_| "bad key".to_owned())?,
    );
    // The last (only) record ends with the delimiter 0x02.
    let mut record = payload.to_vec();
    record.push(2);
    let nonce =
        aead::Nonce::try_assume_unique_for_key(&nonce).map_err(|_| "bad nonce".to_owned())?;
    key.seal_in_place_append_tag(nonce, aead::Aad::empty(), &mut record)
        .map_err(|_| "encryption failed".to_owned())?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + 65 + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// Checks an endpoint: an `https` URL (or `http` when the operator allows it, for tests).
pub fn check_endpoint(endpoint: &str, allow_http: bool) -> Result<(), PushProblem> {
    if endpoint.len() > 1000 {
        return Err(PushProblem::EndpointTooLong);
    }
    let url = url::Url::parse(endpoint).map_err(|_| PushProblem::EndpointNotUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        _ => return Err(PushProblem::EndpointNotHttps),
    }
    // The server sends to this address: never to this machine or a private
    // network (unless the operator allows loopback for tests). A name is
    // checked again, resolved, when each message is sent (`outbound`).
    let internal = match url.host() {
        Some(url::Host::Ipv4(ip)) => !crate::outbound::is_public(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !crate::outbound::is_public(std::net::IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => true,
    };
    if internal && !allow_http {
        return Err(PushProblem::EndpointNotPublic);
    }
    Ok(())
}

fn endpoint_hash(endpoint: &str) -> String {
    let digest = sha2::Sha256::digest(endpoint.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds (or renews) a device's subscription.
pub async fn subscribe(
    db: &impl ConnectionTrait,
    account_id: i64,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    label: &str,
    allow_http: bool,
) -> Result<i64, AppError> {
    let bad = |reason: PushProblem| AppError::BadPushSubscription { reason };
    check_endpoint(endpoint.trim(), allow_http).map_err(bad)?;
    subscription_keys(p256dh, auth).map_err(bad)?;
    let label: String = label.trim().chars().take(120).collect();
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "INSERT INTO push_subscriptions (account_id, endpoint, endpoint_hash, p256dh, auth, label, \
             created_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, endpoint_hash) \
             DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, label = excluded.label \
             RETURNING id",
            [
                account_id.into(),
                endpoint.trim().into(),
                endpoint_hash(endpoint.trim()).into(),
                p256dh.trim().into(),
                auth.trim().into(),
                if label.is_empty() { "Browser".to_owned() } else { label }.into(),
                now_ms().into(),
            ],
        ))
        .await?
        .ok_or(AppError::Internal)?;
    Ok(row.try_get("", "id")?)
}

/// Removes one of the account's devices.
pub async fn unsubscribe(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<(), AppError> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "DELETE FROM push_subscriptions WHERE id = ? AND account_id = ?",
            [id.into(), account_id.into()],
        ))
        .await?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub async fn subscription_ids(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<i64>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT id FROM push_subscriptions WHERE account_id = ? ORDER BY id",
            [account_id.into()],
        ))
        .await?;
    rows.iter().map(|r| r.try_get("", "id")).collect()
}

pub async fn devices(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<super::DeviceView>, DbErr> {
    super::DeviceView::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT id, label, created_ms, last_ok_ms FROM push_subscriptions WHERE account_id = ? \
         ORDER BY id",
        [account_id.into()],
    ))
    .all(db)
    .await
}

/// How a send ended.
pub enum Sent {
    Ok,
    /// The push service says the subscription is gone (404/410): it is removed.
    Gone,
}

/// Sends an encrypted payload to subscription `id`. The endpoint was chosen
/// by a browser, so it goes through `outbound`: resolved once, every address
/// public, the request pinned to the checked address.
pub async fn send(
    db: &impl ConnectionTrait,
    settings: &super::settings::NotifySettings,
    id: i64,
    payload: &[u8],
) -> Result<Sent, String> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(statement(
            backend,
            "SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE id = ?",
            [id.into()],
        ))
        .await
        .map_err(|e| e.to_string())?;
    let Some(row) = row else {
        return Ok(Sent::Gone);
    };
    let text = |name: &str| row.try_get::<String>("", name).map_err(|e| e.to_string());
    let endpoint = text("endpoint")?;
    check_endpoint(&endpoint, settings.allow_http_push).map_err(|p| p.to_string())?;
    let (public, secret) =
        subscription_keys(&text("p256dh")?, &text("auth")?).map_err(|p| p.to_string())?;
    let body = encrypt(payload, &public, &secret)?;
    let pkcs8 = vapid_pkcs8(db).await.map_err(|e| e.to_string())?;
    let authorization = vapid_header(&pkcs8, &endpoint, &settings.push_subject, now_ms() / 1000)?;
    let url = url::Url::parse(&endpoint).map_err(|_| "the endpoint is not a URL".to_owned())?;
    let checked = crate::outbound::resolve(&url, settings.allow_http_push).await?;
    let response = crate::outbound::client_for(&checked)
        .post(&endpoint)
        .header("Authorization", authorization)
        .header("Content-Encoding", "aes128gcm")
        .header("Content-Type", "application/octet-stream")
        .header("TTL", "86400")
        .header("Urgency", "high")
        .body(body)
        .send()
        .await
        .map_err(|_| "the push service cannot be reached".to_owned())?;
    let status = response.status().as_u16();
    match status {
        200..=299 => {
            db.execute_raw(statement(
                backend,
                "UPDATE push_subscriptions SET last_ok_ms = ? WHERE id = ?",
                [now_ms().into(), id.into()],
            ))
            .await
            .map_err(|e| e.to_string())?;
            Ok(Sent::Ok)
        }
        404 | 410 => {
            db.execute_raw(statement(
                backend,
                "DELETE FROM push_subscriptions WHERE id = ?",
                [id.into()],
            ))
            .await
            .map_err(|e| e.to_string())?;
            Ok(Sent::Gone)
        }
        other => Err(format!("the push service answered {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_subscription_keys_are_refused_with_the_reason() {
        let auth = B64.encode([7u8; 16]);
        assert!(
            subscription_keys("not base64!", &auth)
                .unwrap_err()
                .to_string()
                .contains("base64url")
        );
        assert!(
            subscription_keys(&B64.encode([4u8; 65]), &auth)
                .unwrap_err()
                .to_string()
                .contains("curve")
        );
        assert!(
            subscription_keys(&B64.encode([4u8; 33]), &auth)
                .unwrap_err()
                .to_string()
                .contains("uncompressed")
        );
        let rng = SystemRandom::new();
        let key = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let public = B64.encode(key.compute_public_key().unwrap().as_ref());
        assert!(
            subscription_keys(&public, &B64.encode([7u8; 8]))
                .unwrap_err()
                .to_string()
                .contains("16 bytes")
        );
        assert!(subscription_keys(&public, &auth).is_ok());
        assert!(check_endpoint("http://push.example/x", false).is_err());
        assert!(check_endpoint("https://push.example/x", false).is_ok());
        for internal in [
            "https://127.0.0.1/x",
            "https://10.0.0.8/x",
            "https://169.254.169.254/x",
            "https://[::1]/x",
            "https://localhost/x",
        ] {
            assert!(
                check_endpoint(internal, false)
                    .unwrap_err()
                    .to_string()
                    .contains("public"),
                "{internal}"
            );
        }
    }

    #[test]
    fn the_encrypted_body_has_the_aes128gcm_header() {
        let rng = SystemRandom::new();
        let key = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let public = key.compute_public_key().unwrap().as_ref().to_vec();
        let body = encrypt(b"hello", &public, &[1u8; 16]).unwrap();
        assert_eq!(&body[16..20], &RECORD_SIZE.to_be_bytes());
        assert_eq!(body[20], 65);
        // salt + rs + idlen + key id + (payload + delimiter) + tag
        assert_eq!(body.len(), 16 + 4 + 1 + 65 + 6 + 16);
    }
}
