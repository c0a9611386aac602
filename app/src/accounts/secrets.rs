//! Random tokens and codes, and the hashes under which they are stored.
//! A token or code is shown once; only its SHA-256 reaches the database.

use base64::Engine as _;
use rand::Rng as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// Letters and digits that cannot be mistaken for one another when read aloud
/// or copied by hand (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// SHA-256 of a value, as lower-case hex.
pub fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// 256 random bits, URL-safe base64 (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A code of `groups` groups of four characters, e.g. `K7QM-2XHA-P9TC`
/// (12 characters carry about 59 bits).
pub fn new_code(groups: usize) -> String {
    let mut rng = rand::rng();
    (0..groups)
        .map(|_| {
            (0..4)
                .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The form of a typed code that is hashed: upper case, no spaces or dashes.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The stored hash of a code as a person types it.
pub fn code_hash(typed: &str) -> String {
    sha256_hex(&normalize_code(typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_hash_the_same_however_typed() {
        let code = new_code(3);
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        assert_eq!(
            code_hash(&code),
            code_hash(&code.to_lowercase().replace('-', " "))
        );
        assert_ne!(new_code(3), new_code(3));
    }
}
