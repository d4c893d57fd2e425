//! Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`.
//!
//! Checked on the exact bytes received, before any parsing, and compared in constant
//! time (`hmac`'s `verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header Meta signs deliveries with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

type HmacSha256 = Hmac<Sha256>;

/// The header value Meta would send for `body` signed with `app_secret` (the stand-in
/// of Meta's deliveries in `standins/src/webhook.rs` signs the same way; the server
/// itself only verifies).
#[cfg(test)]
fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(app_secret).expect("HMAC accepts keys of any size");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` (the `X-Hub-Signature-256` value) signs `body` with `app_secret`.
/// A missing prefix, bad hex or wrong length is simply invalid.
pub fn verify(app_secret: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_digest) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(app_secret).expect("HMAC accepts keys of any size");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_right_signature() {
        let body = br#"{"object":"whatsapp_business_account"}"#;
        let header = sign(b"secret", body);
        assert!(verify(b"secret", body, Some(&header)));
        assert!(!verify(b"other", body, Some(&header)));
        assert!(!verify(b"secret", b"{}", Some(&header)));
        assert!(!verify(
            b"secret",
            body,
            Some(header.trim_start_matches("sha256="))
        ));
        assert!(!verify(b"secret", body, Some("sha256=zz")));
        assert!(!verify(b"secret", body, None));
    }

    #[test]
    fn matches_a_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
