//! Opaque ids: `base64url("Product:42")`, where the type name is the id newtype's
//! `KIND` (`shared::ids`). Clients must not parse them; a malformed id, an id of the
//! wrong type and another tenant's id are all `NOT_FOUND`.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use shared::{
    ActivityId, ApiTokenId, BlacklistEntryId, BusinessId, ChatId, ConnectionId, ContactId,
    DealApprovalId, FollowUpId, MessageId, OrderId, ProductId, ProductImageId, StaffInviteId,
    SubjectKind, UserId,
};

use crate::error::AppError;

/// An id newtype the API hands out as an opaque id.
pub trait OpaqueId: Copy {
    /// The type name inside the opaque id (the newtype's `KIND`).
    const KIND: &'static str;
    /// What `NOT_FOUND` names when an id does not decode to this type.
    const NOT_FOUND: &'static str;
    /// Wraps a database id.
    fn from_raw(id: u64) -> Self;
    /// The database id.
    fn raw(self) -> u64;
}

macro_rules! opaque_id {
    ($($id:ident => $label:literal),* $(,)?) => {$(
        impl OpaqueId for $id {
            const KIND: &'static str = $id::KIND;
            const NOT_FOUND: &'static str = $label;
            fn from_raw(id: u64) -> Self {
                $id(id)
            }
            fn raw(self) -> u64 {
                self.0
            }
        }
    )*};
}

opaque_id! {
    BusinessId => "record",
    UserId => "record",
    ProductId => "product",
    ProductImageId => "image",
    ContactId => "record",
    ChatId => "chat",
    MessageId => "message",
    OrderId => "order",
    ConnectionId => "record",
    BlacklistEntryId => "record",
    ActivityId => "record",
    FollowUpId => "follow-up",
    DealApprovalId => "deal approval",
    ApiTokenId => "API token",
    StaffInviteId => "invitation",
}

/// The type name inside a session's opaque id (sessions are keyed by a UUID).
const SESSION_KIND: &str = "Session";

/// The opaque id of a dashboard session.
pub fn encode_session(id: &str) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{SESSION_KIND}:{id}")))
}

/// Decodes a session's opaque id; anything else is `NOT_FOUND`.
pub fn decode_session(id: &ID) -> Result<String, AppError> {
    URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (k, n) = s.split_once(':')?;
            (k == SESSION_KIND && uuid::Uuid::parse_str(n).is_ok()).then(|| n.to_string())
        })
        .ok_or(AppError::NotFound("session"))
}

/// The id newtype's `KIND` of what an activity entry is about.
fn subject_type(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Chat => ChatId::KIND,
        SubjectKind::Order => OrderId::KIND,
        SubjectKind::Product => ProductId::KIND,
        SubjectKind::Contact => ContactId::KIND,
        SubjectKind::BlacklistEntry => BlacklistEntryId::KIND,
        SubjectKind::FollowUp => FollowUpId::KIND,
        SubjectKind::Business => BusinessId::KIND,
        SubjectKind::Connection => ConnectionId::KIND,
    }
}

/// The opaque id of an activity entry's subject (the same id its own type hands out).
pub fn encode_subject(kind: SubjectKind, id: u64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", subject_type(kind), id)))
}

/// Which subject an opaque id names, of any type an activity entry can be about.
pub fn decode_subject(id: &ID) -> Result<(SubjectKind, u64), AppError> {
    URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (k, n) = s.split_once(':')?;
            let kind = SubjectKind::ALL
                .iter()
                .copied()
                .find(|kind| subject_type(*kind) == k)?;
            Some((kind, n.parse().ok()?))
        })
        .ok_or(AppError::NotFound("record"))
}

/// The opaque id of `id`.
pub fn encode<T: OpaqueId>(id: T) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", T::KIND, id.raw())))
}

/// Decodes an id that must be of type `T`; anything else is `NOT_FOUND`.
pub fn decode<T: OpaqueId>(id: &ID) -> Result<T, AppError> {
    URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (k, n) = s.split_once(':')?;
            (k == T::KIND).then(|| n.parse().ok()).flatten()
        })
        .map(T::from_raw)
        .ok_or(AppError::NotFound(T::NOT_FOUND))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_type_check() {
        let id = encode(ProductId(42));
        assert_eq!(decode::<ProductId>(&id).unwrap(), ProductId(42));
        assert!(decode::<ChatId>(&id).is_err());
        assert!(decode::<ProductId>(&ID("not-base64!".into())).is_err());
    }

    #[test]
    fn the_wire_form_is_the_kind_and_the_number() {
        assert_eq!(
            encode(ProductId(42)).0,
            URL_SAFE_NO_PAD.encode("Product:42")
        );
        assert_eq!(
            encode(ConnectionId(7)).0,
            URL_SAFE_NO_PAD.encode("WhatsAppConnection:7")
        );
    }

    #[test]
    fn a_subject_id_is_the_id_its_own_type_hands_out() {
        let order = encode_subject(SubjectKind::Order, 12);
        assert_eq!(order, encode(OrderId(12)));
        assert_eq!(decode_subject(&order).unwrap(), (SubjectKind::Order, 12));
        assert_eq!(
            decode_subject(&encode(ConnectionId(3))).unwrap(),
            (SubjectKind::Connection, 3)
        );
        assert!(decode_subject(&encode(MessageId(1))).is_err());
    }

    #[test]
    fn a_wrong_id_names_what_was_not_found() {
        let chat = encode(ChatId(1));
        let err = decode::<ProductImageId>(&chat).unwrap_err();
        assert!(matches!(err, AppError::NotFound("image")), "{err:?}");
        let err = decode::<OrderId>(&chat).unwrap_err();
        assert!(matches!(err, AppError::NotFound("order")), "{err:?}");
    }
}
