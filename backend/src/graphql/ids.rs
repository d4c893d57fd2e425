//! Opaque ids: `base64url("Product:42")`. Clients must not parse them; a malformed id,
//! an id of the wrong type and another tenant's id are all `NOT_FOUND`.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

/// Encodes a database id of a given type.
pub fn encode(kind: &str, id: u64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// Decodes an id that must be of type `kind`.
pub fn decode(kind: &'static str, id: &ID) -> Result<u64, AppError> {
    URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (k, n) = s.split_once(':')?;
            (k == kind).then(|| n.parse().ok()).flatten()
        })
        .ok_or(AppError::NotFound(kind_label(kind)))
}

fn kind_label(kind: &'static str) -> &'static str {
    match kind {
        "Product" => "product",
        "ProductImage" => "image",
        "Chat" => "chat",
        "Message" => "message",
        "Order" => "order",
        _ => "record",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_type_check() {
        let id = encode("Product", 42);
        assert_eq!(decode("Product", &id).unwrap(), 42);
        assert!(decode("Chat", &id).is_err());
        assert!(decode("Product", &ID("not-base64!".into())).is_err());
    }
}
