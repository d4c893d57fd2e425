//! The blacklist's rows: one entry per (business, kind, value), where the value is a
//! normalised phone, BSUID or username ([`shared::blacklist`]). A contact is on the
//! list when ANY of its identifiers matches an entry; the matching is one SQL
//! condition ([`matches_contact`]) shared by every reader here.
//!
//! The rules (who may add, activity, events) are in [`crate::blacklist`].

use chrono::{NaiveDateTime, Utc};
use diesel::dsl::Eq as SqlEq;
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::blacklist::BlockKey;
use shared::{ActorKind, BlacklistEntryId, BlockKind, BusinessId, ChatId, ContactId};

use super::contacts::Identity;
use super::inbox::Contact;
use super::schema::{blacklist, chats, contacts};

/// One blacklist entry.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = blacklist, check_for_backend(diesel::mysql::Mysql))]
pub struct BlacklistEntry {
    /// Id.
    pub id: BlacklistEntryId,
    /// Tenant.
    pub business_id: BusinessId,
    /// Which identifier it names.
    pub kind: BlockKind,
    /// The normalised identifier.
    pub value: String,
    /// Why (may be empty).
    pub reason: String,
    /// Who added it: owner, staff, API token, customer (STOP)...
    pub created_by_kind: ActorKind,
    /// The user's email or the token's name, when there is one.
    pub created_by: Option<String>,
    /// Added.
    pub created_at: NaiveDateTime,
    /// Reason last changed.
    pub updated_at: NaiveDateTime,
}

impl BlacklistEntry {
    /// The identifier it names.
    pub fn key(&self) -> BlockKey {
        BlockKey {
            kind: self.kind,
            value: self.value.clone(),
        }
    }
}

/// Who adds an entry.
#[derive(Debug, Clone, Copy)]
pub struct AddedBy<'a> {
    /// Owner, staff, API token, customer...
    pub kind: ActorKind,
    /// Email or token name.
    pub name: Option<&'a str>,
}

/// The SQL condition "this blacklist row names this contact" (same business, and the
/// phone, BSUID or username matches). A NULL identifier matches nothing; the
/// columns' collation compares usernames case-insensitively.
#[diesel::dsl::auto_type]
fn matches_contact() -> _ {
    let phone: SqlEq<blacklist::kind, BlockKind> = blacklist::kind.eq(BlockKind::Phone);
    let user: SqlEq<blacklist::kind, BlockKind> = blacklist::kind.eq(BlockKind::UserId);
    let name: SqlEq<blacklist::kind, BlockKind> = blacklist::kind.eq(BlockKind::Username);
    blacklist::business_id.eq(contacts::business_id).and(
        phone
            .and(contacts::wa_id.assume_not_null().eq(blacklist::value))
            .or(user.and(contacts::user_id.assume_not_null().eq(blacklist::value)))
            .or(name.and(contacts::username.assume_not_null().eq(blacklist::value))),
    )
}

/// Adds an entry, or updates the reason of the one already there. Returns the entry
/// and whether it is new.
pub async fn upsert(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    key: &BlockKey,
    reason: &str,
    by: AddedBy<'_>,
) -> QueryResult<(BlacklistEntry, bool)> {
    let now = Utc::now().naive_utc();
    let inserted = diesel::insert_or_ignore_into(blacklist::table)
        .values((
            blacklist::business_id.eq(business_id),
            blacklist::kind.eq(key.kind),
            blacklist::value.eq(&key.value),
            blacklist::reason.eq(reason),
            blacklist::created_by_kind.eq(by.kind),
            blacklist::created_by.eq(by.name),
            blacklist::created_at.eq(now),
            blacklist::updated_at.eq(now),
        ))
        .execute(conn)
        .await?
        > 0;
    if !inserted {
        diesel::update(by_key(business_id, key.kind, &key.value))
            .filter(blacklist::reason.ne(reason))
            .set((blacklist::reason.eq(reason), blacklist::updated_at.eq(now)))
            .execute(conn)
            .await?;
    }
    let entry = by_key(business_id, key.kind, &key.value)
        .select(BlacklistEntry::as_select())
        .first(conn)
        .await?;
    Ok((entry, inserted))
}

/// Adds an entry unless one is there (then keeps it as it is, reason included).
/// Returns the new entry's id, `None` when it was already there.
pub async fn insert_if_missing(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    key: &BlockKey,
    reason: &str,
    by: AddedBy<'_>,
) -> QueryResult<Option<BlacklistEntryId>> {
    let n = diesel::insert_or_ignore_into(blacklist::table)
        .values((
            blacklist::business_id.eq(business_id),
            blacklist::kind.eq(key.kind),
            blacklist::value.eq(&key.value),
            blacklist::reason.eq(reason),
            blacklist::created_by_kind.eq(by.kind),
            blacklist::created_by.eq(by.name),
        ))
        .execute(conn)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    by_key(business_id, key.kind, &key.value)
        .select(blacklist::id)
        .first(conn)
        .await
        .map(Some)
}

#[diesel::dsl::auto_type(no_type_alias)]
fn by_key<'a>(business_id: BusinessId, kind: BlockKind, value: &'a str) -> _ {
    blacklist::table
        .filter(blacklist::business_id.eq(business_id))
        .filter(blacklist::kind.eq(kind))
        .filter(blacklist::value.eq(value))
}

/// An entry of this business.
pub async fn find(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    id: BlacklistEntryId,
) -> QueryResult<Option<BlacklistEntry>> {
    blacklist::table
        .filter(blacklist::id.eq(id))
        .filter(blacklist::business_id.eq(business_id))
        .select(BlacklistEntry::as_select())
        .first(conn)
        .await
        .optional()
}

/// Deletes an entry of this business; returns whether it was there.
pub async fn delete(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    id: BlacklistEntryId,
) -> QueryResult<bool> {
    let n = diesel::delete(
        blacklist::table
            .filter(blacklist::id.eq(id))
            .filter(blacklist::business_id.eq(business_id)),
    )
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Escapes `%`, `_` and `\` for a `LIKE` pattern.
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A page of the business's entries, newest first, after `cursor` (an entry id).
/// `search` matches the value or the reason; a search that is a phone number as typed
/// (`+1 555-123`) also matches stored digits.
pub async fn list(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    search: Option<&str>,
    cursor: Option<BlacklistEntryId>,
    limit: i64,
) -> QueryResult<Vec<BlacklistEntry>> {
    let mut q = blacklist::table
        .filter(blacklist::business_id.eq(business_id))
        .into_boxed();
    if let Some(c) = cursor {
        q = q.filter(blacklist::id.lt(c));
    }
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let text = like_pattern(s.strip_prefix('@').unwrap_or(s));
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let looks_like_phone = !digits.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
        let digits = if looks_like_phone {
            like_pattern(&digits)
        } else {
            text.clone()
        };
        q = q.filter(
            blacklist::value
                .like(text.clone())
                .or(blacklist::reason.like(text))
                .or(blacklist::value.like(digits)),
        );
    }
    q.order(blacklist::id.desc())
        .limit(limit)
        .select(BlacklistEntry::as_select())
        .load(conn)
        .await
}

/// The business's entries that name this contact (any of its identifiers), oldest
/// first.
pub async fn entries_for_contact(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    contact_id: ContactId,
) -> QueryResult<Vec<BlacklistEntry>> {
    contacts::table
        .inner_join(blacklist::table.on(matches_contact()))
        .filter(contacts::id.eq(contact_id))
        .filter(contacts::business_id.eq(business_id))
        .order(blacklist::id)
        .select(BlacklistEntry::as_select())
        .load(conn)
        .await
}

/// For many contacts (ids already scoped to the caller's business), the entries naming
/// each, oldest first (the `Contact.blacklisted` DataLoader).
pub async fn entries_for_contacts(
    conn: &mut AsyncMysqlConnection,
    contact_ids: &[ContactId],
) -> QueryResult<Vec<(ContactId, BlacklistEntry)>> {
    contacts::table
        .inner_join(blacklist::table.on(matches_contact()))
        .filter(contacts::id.eq_any(contact_ids))
        .order(blacklist::id)
        .select((contacts::id, BlacklistEntry::as_select()))
        .load(conn)
        .await
}

/// For many entries (ids already scoped to the caller's business), the contacts they
/// name (the `BlacklistEntry.contact` DataLoader).
pub async fn contacts_for_entries(
    conn: &mut AsyncMysqlConnection,
    entry_ids: &[BlacklistEntryId],
) -> QueryResult<Vec<(BlacklistEntryId, Contact)>> {
    contacts::table
        .inner_join(blacklist::table.on(matches_contact()))
        .filter(blacklist::id.eq_any(entry_ids))
        .order(contacts::id)
        .select((blacklist::id, Contact::as_select()))
        .load(conn)
        .await
}

/// The chats of the contacts an identifier names (their inbox rows change with it).
pub async fn chats_named_by(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    key: &BlockKey,
) -> QueryResult<Vec<ChatId>> {
    let q = chats::table
        .inner_join(contacts::table)
        .filter(chats::business_id.eq(business_id))
        .select(chats::id)
        .into_boxed();
    let v = key.value.as_str();
    let q = match key.kind {
        BlockKind::Phone => q.filter(contacts::wa_id.eq(v)),
        BlockKind::UserId => q.filter(contacts::user_id.eq(v)),
        BlockKind::Username => q.filter(contacts::username.eq(v)),
    };
    q.load(conn).await
}

/// The keys among `keys` on any business's list, as (business, key): one query for a
/// whole ingest batch (callers keep the pairs of the business they care about).
pub async fn listed_keys(
    conn: &mut AsyncMysqlConnection,
    keys: &[BlockKey],
) -> QueryResult<Vec<(BusinessId, BlockKey)>> {
    let of = |kind: BlockKind| -> Vec<&str> {
        keys.iter()
            .filter(|k| k.kind == kind)
            .map(|k| k.value.as_str())
            .collect()
    };
    let (phones, users, names) = (
        of(BlockKind::Phone),
        of(BlockKind::UserId),
        of(BlockKind::Username),
    );
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(BusinessId, BlockKind, String)> = blacklist::table
        .filter(
            blacklist::kind
                .eq(BlockKind::Phone)
                .and(blacklist::value.eq_any(phones))
                .or(blacklist::kind
                    .eq(BlockKind::UserId)
                    .and(blacklist::value.eq_any(users)))
                .or(blacklist::kind
                    .eq(BlockKind::Username)
                    .and(blacklist::value.eq_any(names))),
        )
        .select((blacklist::business_id, blacklist::kind, blacklist::value))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(b, kind, value)| (b, BlockKey { kind, value }))
        .collect())
}

/// The keys a contact's identity can be matched by (phone, BSUID, username), as the
/// list stores them.
pub fn identity_keys(identity: &Identity) -> Vec<BlockKey> {
    let mut keys = Vec::new();
    if let Some(p) = identity.wa_id.as_deref().filter(|p| !p.is_empty()) {
        keys.push(BlockKey {
            kind: BlockKind::Phone,
            value: p.to_string(),
        });
    }
    if let Some(u) = identity.user_id.as_deref().filter(|u| !u.is_empty()) {
        keys.push(BlockKey {
            kind: BlockKind::UserId,
            value: u.to_string(),
        });
    }
    if let Some(n) = identity.username.as_deref()
        && let Ok(k) = BlockKey::username(n)
    {
        keys.push(k);
    }
    keys
}

/// Whether any of these keys is on the business's list.
pub async fn any_listed(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    keys: &[BlockKey],
) -> QueryResult<bool> {
    Ok(listed_keys(conn, keys)
        .await?
        .iter()
        .any(|(b, _)| *b == business_id))
}
