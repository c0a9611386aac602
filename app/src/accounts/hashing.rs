//! Password hashing — Argon2id with the library's defaults (19 MiB, 2
//! passes, 1 lane: the OWASP recommendation) — on a fixed set of threads,
//! one per core (at most four), each with its own 19 MiB of working memory
//! made once and reused. However many people sign in at once, hashing
//! holds at most that much memory and never blocks the async runtime; a
//! queue of [`QUEUE`] waiting requests absorbs a burst, and beyond it the
//! answer is `AppError::Busy` (503 with `Retry-After`) instead of more memory.

use crate::error::AppError;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::oneshot;

/// Requests that may wait for a hashing thread.
pub const QUEUE: usize = 64;

enum Work {
    Hash(String),
    Verify(String, Option<String>),
}

enum Answer {
    Hashed(String),
    Verified(bool),
}

type Job = (Work, oneshot::Sender<Result<Answer, String>>);

fn pool() -> &'static SyncSender<Job> {
    static POOL: OnceLock<SyncSender<Job>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = sync_channel::<Job>(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
        for n in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("hale-argon2-{n}"))
                .spawn(move || work(&rx));
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a password hashing thread");
            }
        }
        tx
    })
}

/// One hashing thread: takes jobs until the process ends.
fn work(jobs: &Mutex<Receiver<Job>>) {
    let mut memory = vec![Block::default(); Params::default().block_count()];
    loop {
        let next = jobs.lock().map(|rx| rx.recv());
        let Ok(Ok((job, reply))) = next else { return };
        let answer = match job {
            Work::Hash(password) => hash_with(&password, &mut memory).map(Answer::Hashed),
            Work::Verify(password, stored) => Ok(Answer::Verified(verify_with(
                &password,
                stored.as_deref(),
                &mut memory,
            ))),
        };
        let _ = reply.send(answer);
    }
}

async fn submit(work: Work) -> Result<Answer, AppError> {
    let (reply, answer) = oneshot::channel();
    match pool().try_send((work, reply)) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            tracing::warn!("password hashing queue full; asking to retry");
            return Err(AppError::Busy);
        }
        Err(TrySendError::Disconnected(_)) => return Err(AppError::Internal),
    }
    answer
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|err| {
            tracing::error!(error = %err, "password hashing failed");
            AppError::Internal
        })
}

/// A new Argon2id PHC string for `password`.
pub async fn hash(password: String) -> Result<String, AppError> {
    match submit(Work::Hash(password)).await? {
        Answer::Hashed(hash) => Ok(hash),
        Answer::Verified(_) => Err(AppError::Internal),
    }
}

/// Verifies against the stored hash, or against a dummy one when there is
/// none, so that both cases cost one verification.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    match submit(Work::Verify(password, stored)).await? {
        Answer::Verified(matches) => Ok(matches),
        Answer::Hashed(_) => Err(AppError::Internal),
    }
}

fn hash_with(password: &str, memory: &mut [Block]) -> Result<String, String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &str, stored: Option<&str>, memory: &mut [Block]) -> bool {
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash());
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::error!("a stored password hash cannot be parsed");
        return false;
    };
    let (Ok(params), Ok(algorithm), Some(expected), Some(salt)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm),
        parsed.hash,
        parsed.salt,
    ) else {
        tracing::error!("a stored password hash is incomplete");
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    // A hash made with more memory than ours (an older setting) gets its own.
    let mut larger;
    let memory = if params.block_count() <= memory.len() {
        &mut memory[..params.block_count()]
    } else {
        larger = vec![Block::default(); params.block_count()];
        &mut larger[..]
    };
    let computed = Output::init_with(expected.len(), |out| {
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    });
    // `Output`'s comparison takes the same time whatever the bytes.
    known && computed.is_ok_and(|computed| computed == expected)
}

/// A real hash of a random password, so that an unknown email costs one
/// verification too.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut memory = vec![Block::default(); Params::default().block_count()];
        hash_with("hale-no-such-account", &mut memory).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier as _;

    #[test]
    fn hashes_are_standard_phc_strings_and_verify_both_ways() {
        let mut memory = vec![Block::default(); Params::default().block_count()];
        let ours = hash_with("correct horse battery", &mut memory).unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        // The library verifies ours, and we verify the library's.
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let theirs = Argon2::default()
            .hash_password(b"another one entirely", &salt)
            .unwrap()
            .to_string();
        assert!(verify_with(
            "another one entirely",
            Some(&theirs),
            &mut memory
        ));
        assert!(!verify_with("another one", Some(&theirs), &mut memory));
        assert!(!verify_with("correct horse battery", None, &mut memory));
    }
}
