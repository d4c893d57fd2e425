//! Who a blacklist entry names: a phone number, a business-scoped user id (BSUID) or a
//! WhatsApp username (DESIGN.md "Who the customer is"). The one place that turns what
//! an owner types into the key the server stores and matches, so `+1 555-123-4567`,
//! `1 (555) 123 4567` and `15551234567` are one entry, and `@Ada` and `ada` are one.

use serde::{Deserialize, Serialize};

pub use crate::enums::BlockKind;
use crate::phone::{display_phone, normalize_phone};

/// Longest reason an owner may give, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Longest BSUID or username accepted, in characters (the stored column's width).
pub const MAX_ID_CHARS: usize = 128;

/// Why a typed identifier cannot name anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Nothing was typed.
    Empty,
    /// Not a phone number of 7 to 15 digits.
    BadPhone,
    /// Longer than [`MAX_ID_CHARS`].
    TooLong,
    /// Spaces or control characters inside a user id or username.
    BadCharacters,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyError::Empty => "must not be empty",
            KeyError::BadPhone => {
                "must be a phone number with its country code: 7 to 15 digits, \
                 spaces, dashes, brackets and a leading + allowed"
            }
            KeyError::TooLong => "is too long (at most 128 characters)",
            KeyError::BadCharacters => "must not contain spaces or control characters",
        })
    }
}

impl std::error::Error for KeyError {}

/// A normalised identifier: what the blacklist stores and matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlockKey {
    /// Which identifier.
    pub kind: BlockKind,
    /// Its normalised value.
    pub value: String,
}

fn single_token(input: &str) -> Result<&str, KeyError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(KeyError::Empty);
    }
    if t.chars().count() > MAX_ID_CHARS {
        return Err(KeyError::TooLong);
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(KeyError::BadCharacters);
    }
    Ok(t)
}

impl BlockKey {
    /// A phone number as typed (`+1 555-123-4567`), kept as its digits.
    pub fn phone(input: &str) -> Result<BlockKey, KeyError> {
        if input.trim().is_empty() {
            return Err(KeyError::Empty);
        }
        normalize_phone(input)
            .map(|value| BlockKey {
                kind: BlockKind::Phone,
                value,
            })
            .ok_or(KeyError::BadPhone)
    }

    /// A BSUID, kept exactly as Meta writes it (trimmed).
    pub fn user_id(input: &str) -> Result<BlockKey, KeyError> {
        single_token(input).map(|t| BlockKey {
            kind: BlockKind::UserId,
            value: t.to_string(),
        })
    }

    /// A username, case-insensitive, a leading `@` stripped.
    pub fn username(input: &str) -> Result<BlockKey, KeyError> {
        let t = input.trim();
        let t = t.strip_prefix('@').unwrap_or(t);
        single_token(t).map(|t| BlockKey {
            kind: BlockKind::Username,
            value: t.to_lowercase(),
        })
    }

    /// The key for `input` of `kind`.
    pub fn parse(kind: BlockKind, input: &str) -> Result<BlockKey, KeyError> {
        match kind {
            BlockKind::Phone => BlockKey::phone(input),
            BlockKind::UserId => BlockKey::user_id(input),
            BlockKind::Username => BlockKey::username(input),
        }
    }

    /// How to show it: a phone as `+15551234567`, a username as `@ada`, a BSUID as is.
    pub fn display(&self) -> String {
        display_value(self.kind, &self.value)
    }
}

/// How to show a stored value of `kind` (see [`BlockKey::display`]).
pub fn display_value(kind: BlockKind, value: &str) -> String {
    match kind {
        BlockKind::Phone => display_phone(value),
        BlockKind::Username => format!("@{value}"),
        BlockKind::UserId => value.to_string(),
    }
}

/// Checks a reason's length (at most [`MAX_REASON_CHARS`] characters); returns it
/// trimmed.
pub fn check_reason(reason: &str) -> Result<&str, String> {
    let r = reason.trim();
    if r.chars().count() > MAX_REASON_CHARS {
        return Err(format!("must be at most {MAX_REASON_CHARS} characters"));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_spellings_of_one_phone_are_one_key() {
        let keys: Vec<BlockKey> = ["+1 555-123-4567", "1 (555) 123 4567", "15551234567"]
            .iter()
            .map(|s| BlockKey::phone(s).unwrap())
            .collect();
        assert!(keys.iter().all(|k| k.value == "15551234567"));
        assert_eq!(keys[0].kind, BlockKind::Phone);
        assert_eq!(keys[0].display(), "+15551234567");
    }

    #[test]
    fn a_bad_phone_is_a_clear_error() {
        assert_eq!(BlockKey::phone("123456"), Err(KeyError::BadPhone));
        assert_eq!(BlockKey::phone("1234567890123456"), Err(KeyError::BadPhone));
        assert_eq!(BlockKey::phone("call me"), Err(KeyError::BadPhone));
        assert_eq!(BlockKey::phone("  "), Err(KeyError::Empty));
        assert!(BlockKey::phone("1234567").is_ok());
        assert!(KeyError::BadPhone.to_string().contains("7 to 15 digits"));
    }

    #[test]
    fn usernames_ignore_case_and_a_leading_at() {
        let a = BlockKey::username("@Ada_Shop").unwrap();
        let b = BlockKey::username(" ada_shop ").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.kind, BlockKind::Username);
        assert_eq!(a.display(), "@ada_shop");
        assert_eq!(BlockKey::username("@"), Err(KeyError::Empty));
        assert_eq!(BlockKey::username("ada shop"), Err(KeyError::BadCharacters));
    }

    #[test]
    fn a_bsuid_is_its_own_kind_and_kept_as_written() {
        let k = BlockKey::user_id(" NG.1502576394655843 ").unwrap();
        assert_eq!(k.kind, BlockKind::UserId);
        assert_eq!(k.value, "NG.1502576394655843");
        assert_eq!(BlockKey::user_id(&"x".repeat(129)), Err(KeyError::TooLong));
        // A phone-looking BSUID is still a user id: the kind decides, not the shape.
        assert_eq!(
            BlockKey::parse(BlockKind::UserId, "15551234567")
                .unwrap()
                .kind,
            BlockKind::UserId
        );
    }

    #[test]
    fn kinds_round_trip_through_their_stored_text() {
        for k in BlockKind::ALL {
            assert_eq!(BlockKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(BlockKind::parse("wa_id"), None);
    }

    #[test]
    fn reasons_are_capped_at_500_characters() {
        assert_eq!(check_reason("  spam  "), Ok("spam"));
        assert!(check_reason(&"é".repeat(500)).is_ok());
        assert!(check_reason(&"é".repeat(501)).is_err());
    }
}
