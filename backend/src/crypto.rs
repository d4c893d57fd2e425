//! Secrets at rest (AES-256-GCM), password hashing (argon2), token digests and masks.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::DataKey;

const NONCE_LEN: usize = 12;

/// Encrypts `plaintext`; the output is `nonce || ciphertext+tag`.
pub fn encrypt(key: &DataKey, plaintext: &str) -> Vec<u8> {
    let cipher = Aes256Gcm::new((&key.0).into());
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail"),
    );
    out
}

/// Decrypts what [`encrypt`] produced; `None` when the key is wrong or data corrupt.
pub fn decrypt(key: &DataKey, data: &[u8]) -> Option<String> {
    if data.len() < NONCE_LEN {
        return None;
    }
    let (nonce, body) = data.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new((&key.0).into());
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let plain = cipher.decrypt(&Nonce::from(nonce), body).ok()?;
    String::from_utf8(plain).ok()
}

/// A hint safe to show: `••••abcd` (last four characters only).
pub fn mask_secret(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("••••{tail}")
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hex SHA-256 of a token (API tokens are stored only as digests).
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips_and_rejects_the_wrong_key() {
        let key = DataKey([7; 32]);
        let sealed = encrypt(&key, "EAAG-secret-token");
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(decrypt(&key, &sealed).as_deref(), Some("EAAG-secret-token"));
        assert_eq!(decrypt(&DataKey([8; 32]), &sealed), None);
    }

    #[test]
    fn passwords_verify_only_when_right() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
    }

    #[test]
    fn masks_show_only_the_tail() {
        assert_eq!(mask_secret("sk-ant-123456789"), "••••6789");
    }
}
