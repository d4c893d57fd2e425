//! Secrets at rest (AES-256-GCM bound to their row, with a key id for rotation),
//! password hashing (argon2), token digests and masks.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::DataKey;

const NONCE_LEN: usize = 12;

/// The start of a sealed value in the current format: `WS`, version 2.
const SEALED_V2: &[u8; 3] = b"WS\x02";
/// Bytes of the key id after [`SEALED_V2`].
const KEY_ID_LEN: usize = 4;

/// The row a secret at rest belongs to. Its table, column and row key are the
/// AES-GCM associated data: a ciphertext copied into another row (or column) does not
/// decrypt there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedFor {
    table: &'static str,
    column: &'static str,
    row: String,
}

impl SealedFor {
    /// A business's own Anthropic key (`businesses.anthropic_key_enc`, by business id).
    pub fn anthropic_key(business_id: u64) -> SealedFor {
        SealedFor {
            table: "businesses",
            column: "anthropic_key_enc",
            row: business_id.to_string(),
        }
    }

    /// A connection's Meta access token (`whatsapp_connections.access_token_enc`, by
    /// its unique phone number id: the row is inserted after the token is sealed).
    pub fn access_token(phone_number_id: &str) -> SealedFor {
        SealedFor {
            table: "whatsapp_connections",
            column: "access_token_enc",
            row: phone_number_id.to_string(),
        }
    }

    /// The two-step verification pin a number was registered with
    /// (`whatsapp_connections.registration_pin_enc`, by phone number id, like the token).
    pub fn registration_pin(phone_number_id: &str) -> SealedFor {
        SealedFor {
            table: "whatsapp_connections",
            column: "registration_pin_enc",
            row: phone_number_id.to_string(),
        }
    }

    fn associated_data(&self) -> Vec<u8> {
        format!("wasales:{}.{}:{}", self.table, self.column, self.row).into_bytes()
    }
}

/// The id a sealed value names its key by: the first bytes of a SHA-256 of the key
/// (not of any secret), so rotation can tell which key sealed what.
pub fn key_id(key: &DataKey) -> [u8; KEY_ID_LEN] {
    let digest = Sha256::new()
        .chain_update(b"wasales data key id\0")
        .chain_update(key.0)
        .finalize();
    let mut id = [0u8; KEY_ID_LEN];
    id.copy_from_slice(&digest[..KEY_ID_LEN]);
    id
}

/// Encrypts `plaintext` for the row `owner` under `key`: the output is
/// `WS\x02 || key id || nonce || ciphertext+tag`, with the row as associated data.
pub fn encrypt(key: &DataKey, plaintext: &str, owner: &SealedFor) -> Vec<u8> {
    let cipher = Aes256Gcm::new((&key.0).into());
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let aad = owner.associated_data();
    let mut out = SEALED_V2.to_vec();
    out.extend(key_id(key));
    out.extend(nonce.iter().copied());
    out.extend(
        cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail"),
    );
    out
}

/// A secret opened by [`decrypt`].
#[derive(Debug)]
pub struct Opened {
    /// The secret.
    pub plaintext: String,
    /// Whether it was sealed in the current format under `keys[0]` (else
    /// `wasales reencrypt` rewrites it).
    pub current: bool,
}

/// Decrypts what [`encrypt`] produced for `owner` with one of `keys` (the current key
/// first, then the previous one kept for reading during a rotation); also reads the
/// older format (`nonce || ciphertext`, no key id, no row binding). `None` when no key
/// opens it, or it belongs to another row.
pub fn decrypt(keys: &[&DataKey], data: &[u8], owner: &SealedFor) -> Option<Opened> {
    if data.starts_with(SEALED_V2)
        && let Some(opened) = decrypt_v2(keys, data, owner)
    {
        return Some(opened);
    }
    keys.iter().find_map(|key| {
        decrypt_legacy(key, data).map(|plaintext| Opened {
            plaintext,
            current: false,
        })
    })
}

/// The current format: the key named by its id, the row as associated data.
fn decrypt_v2(keys: &[&DataKey], data: &[u8], owner: &SealedFor) -> Option<Opened> {
    let header = SEALED_V2.len() + KEY_ID_LEN;
    if data.len() <= header + NONCE_LEN {
        return None;
    }
    let id = &data[SEALED_V2.len()..header];
    let (i, key) = keys.iter().enumerate().find(|(_, k)| key_id(k) == id)?;
    let (nonce, body) = data[header..].split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let aad = owner.associated_data();
    let plain = Aes256Gcm::new((&key.0).into())
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: body,
                aad: &aad,
            },
        )
        .ok()?;
    String::from_utf8(plain).ok().map(|plaintext| Opened {
        plaintext,
        current: i == 0,
    })
}

/// The format before secrets were bound to their row: `nonce || ciphertext+tag`.
fn decrypt_legacy(key: &DataKey, data: &[u8]) -> Option<String> {
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

    fn open(keys: &[&DataKey], data: &[u8], owner: &SealedFor) -> Option<String> {
        decrypt(keys, data, owner).map(|o| o.plaintext)
    }

    #[test]
    fn encryption_round_trips_and_rejects_the_wrong_key() {
        let key = DataKey([7; 32]);
        let row = SealedFor::access_token("106540352242922");
        let sealed = encrypt(&key, "EAAG-secret-token", &row);
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert!(sealed.starts_with(SEALED_V2));
        assert_eq!(&sealed[3..7], &key_id(&key));
        assert_eq!(
            open(&[&key], &sealed, &row).as_deref(),
            Some("EAAG-secret-token")
        );
        assert!(decrypt(&[&key], &sealed, &row).unwrap().current);
        assert_eq!(open(&[&DataKey([8; 32])], &sealed, &row), None);
    }

    #[test]
    fn a_ciphertext_copied_to_another_row_or_column_does_not_decrypt() {
        let key = DataKey([7; 32]);
        let sealed = encrypt(&key, "sk-ant-api03-secret", &SealedFor::anthropic_key(1));
        assert_eq!(open(&[&key], &sealed, &SealedFor::anthropic_key(2)), None);
        assert_eq!(open(&[&key], &sealed, &SealedFor::access_token("1")), None);
        assert!(open(&[&key], &sealed, &SealedFor::anthropic_key(1)).is_some());
    }

    #[test]
    fn the_previous_key_still_reads_and_the_old_format_too() {
        let old = DataKey([1; 32]);
        let new = DataKey([2; 32]);
        let row = SealedFor::anthropic_key(9);
        let sealed = encrypt(&old, "secret-under-the-old-key", &row);
        let opened = decrypt(&[&new, &old], &sealed, &row).unwrap();
        assert_eq!(opened.plaintext, "secret-under-the-old-key");
        assert!(!opened.current, "sealed under the previous key");
        assert!(decrypt(&[&new], &sealed, &row).is_none());
        // The format before row binding: nonce || ciphertext.
        let cipher = Aes256Gcm::new((&old.0).into());
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let mut legacy = nonce.to_vec();
        legacy.extend(cipher.encrypt(&nonce, b"legacy-secret".as_slice()).unwrap());
        let opened = decrypt(&[&new, &old], &legacy, &row).unwrap();
        assert_eq!(opened.plaintext, "legacy-secret");
        assert!(!opened.current);
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
