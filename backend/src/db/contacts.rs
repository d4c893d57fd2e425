//! The contact book: the customers of each business, as a batch of webhook deliveries
//! reads and writes them (one query to load, one multi-row insert for new ones).
//!
//! Customers: BSUID first, phone second. A contact found by either identifier gets the
//! other filled in when it was missing, so a customer first seen by phone and later by
//! BSUID (or the reverse) stays one contact. `user_changed_number` moves the contact to
//! the new number (and new BSUID, when given); if another contact still held that
//! number, that contact loses it (a number belongs to one customer at a time).
//!
//! The rows the inbox reads are in [`super::inbox`].

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ContactId};

use super::schema::contacts;

/// What Meta told us about one customer, and a stored contact's identifying columns
/// (embedded in [`super::inbox::Contact`]). At least one of `user_id` and `wa_id` is
/// set for a customer we store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = contacts,
    check_for_backend(diesel::mysql::Mysql),
    treat_none_as_null = true
)]
pub struct Identity {
    /// BSUID.
    pub user_id: Option<String>,
    /// Parent BSUID.
    pub parent_user_id: Option<String>,
    /// Phone number.
    pub wa_id: Option<String>,
    /// WhatsApp username.
    pub username: Option<String>,
    /// Profile name.
    pub profile_name: Option<String>,
    /// Country code.
    pub country_code: Option<String>,
}

impl Identity {
    /// Whether the two describe the same person (same BSUID, or same phone).
    pub fn matches(&self, user_id: Option<&str>, wa_id: Option<&str>) -> bool {
        (user_id.is_some() && self.user_id.as_deref() == user_id)
            || (wa_id.is_some() && self.wa_id.as_deref() == wa_id)
    }

    /// Whether it names anyone at all.
    pub fn is_identified(&self) -> bool {
        self.user_id.is_some() || self.wa_id.is_some()
    }
}

/// A customer moved to a new number (and possibly a new BSUID).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberChange {
    /// The new phone number.
    pub new_wa_id: Option<String>,
    /// The new BSUID.
    pub new_user_id: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = contacts)]
struct NewContact {
    business_id: BusinessId,
    #[diesel(embed)]
    fields: Identity,
}

/// A contact as the batch sees it: loaded (with `id`) or about to be inserted.
#[derive(Debug, Clone)]
struct ContactRow {
    id: Option<ContactId>,
    business_id: BusinessId,
    fields: Identity,
    /// Identifiers as loaded, to clear moved ones before reassigning them.
    loaded_user_id: Option<String>,
    loaded_wa_id: Option<String>,
    dirty: bool,
}

/// Where a contact sits in a [`ContactBook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContactSlot(usize);

/// The contacts a batch touches, indexed by (business, BSUID) and (business, phone).
#[derive(Default)]
pub struct ContactBook {
    rows: Vec<ContactRow>,
    by_user: HashMap<(BusinessId, String), usize>,
    by_wa: HashMap<(BusinessId, String), usize>,
}

/// The contacts of `businesses` holding any of the BSUIDs or phone numbers given.
fn holding<'a>(
    businesses: &'a [BusinessId],
    user_ids: &'a [&'a str],
    wa_ids: &'a [&'a str],
) -> contacts::BoxedQuery<'a, diesel::mysql::Mysql> {
    contacts::table
        .filter(contacts::business_id.eq_any(businesses))
        .filter(
            contacts::user_id
                .eq_any(user_ids)
                .or(contacts::wa_id.eq_any(wa_ids)),
        )
        .into_boxed()
}

/// A stored contact: id, business and its [`Identity`].
type ContactSelect = (ContactId, BusinessId, Identity);

impl ContactBook {
    /// Loads, in one query, every stored contact of `named` (each a business and a
    /// customer Meta described) and of the numbers and BSUIDs customers `moved_to`.
    pub async fn load(
        conn: &mut AsyncMysqlConnection,
        named: &[(BusinessId, &Identity)],
        moved_to: &[&NumberChange],
    ) -> QueryResult<ContactBook> {
        let mut businesses = HashSet::new();
        let mut user_ids = HashSet::new();
        let mut wa_ids = HashSet::new();
        for &(business_id, i) in named {
            businesses.insert(business_id);
            user_ids.extend(i.user_id.as_deref());
            wa_ids.extend(i.wa_id.as_deref());
        }
        for c in moved_to {
            user_ids.extend(c.new_user_id.as_deref());
            wa_ids.extend(c.new_wa_id.as_deref());
        }
        let mut book = ContactBook::default();
        if businesses.is_empty() || (user_ids.is_empty() && wa_ids.is_empty()) {
            return Ok(book);
        }
        let businesses: Vec<BusinessId> = businesses.into_iter().collect();
        let user_ids: Vec<&str> = user_ids.into_iter().collect();
        let wa_ids: Vec<&str> = wa_ids.into_iter().collect();
        let rows: Vec<ContactSelect> = holding(&businesses, &user_ids, &wa_ids)
            .select((contacts::id, contacts::business_id, Identity::as_select()))
            .order(contacts::id)
            .load(conn)
            .await?;
        for (id, business_id, fields) in rows {
            book.push(ContactRow {
                id: Some(id),
                business_id,
                loaded_user_id: fields.user_id.clone(),
                loaded_wa_id: fields.wa_id.clone(),
                fields,
                dirty: false,
            });
        }
        Ok(book)
    }

    fn push(&mut self, row: ContactRow) -> usize {
        let idx = self.rows.len();
        if let Some(u) = &row.fields.user_id {
            self.by_user
                .entry((row.business_id, u.clone()))
                .or_insert(idx);
        }
        if let Some(w) = &row.fields.wa_id {
            self.by_wa
                .entry((row.business_id, w.clone()))
                .or_insert(idx);
        }
        self.rows.push(row);
        idx
    }

    /// The contact `ident` names (BSUID first, phone second), completed with what
    /// `ident` adds; created when unknown and `create` is set.
    pub fn resolve(
        &mut self,
        business_id: BusinessId,
        ident: &Identity,
        create: bool,
    ) -> Option<ContactSlot> {
        let by_user = ident
            .user_id
            .as_ref()
            .and_then(|u| self.by_user.get(&(business_id, u.clone())).copied());
        let by_wa = ident
            .wa_id
            .as_ref()
            .and_then(|w| self.by_wa.get(&(business_id, w.clone())).copied());
        let Some(idx) = by_user.or(by_wa) else {
            if !create || !ident.is_identified() {
                return None;
            }
            return Some(ContactSlot(self.push(ContactRow {
                id: None,
                business_id,
                fields: ident.clone(),
                loaded_user_id: None,
                loaded_wa_id: None,
                dirty: false,
            })));
        };
        let row = &mut self.rows[idx];
        let mut dirty = false;
        // A missing identifier is filled in, unless another contact already holds it.
        for (new, held, have, index) in [
            (
                &ident.user_id,
                by_user,
                &mut row.fields.user_id,
                &mut self.by_user,
            ),
            (&ident.wa_id, by_wa, &mut row.fields.wa_id, &mut self.by_wa),
        ] {
            if let Some(new) = new
                && have.is_none()
                && held.is_none()
            {
                *have = Some(new.clone());
                index.insert((business_id, new.clone()), idx);
                dirty = true;
            }
        }
        for (have, new) in [
            (&mut row.fields.parent_user_id, &ident.parent_user_id),
            (&mut row.fields.username, &ident.username),
            (&mut row.fields.profile_name, &ident.profile_name),
            (&mut row.fields.country_code, &ident.country_code),
        ] {
            if new.is_some() && have != new {
                have.clone_from(new);
                dirty = true;
            }
        }
        row.dirty |= dirty;
        Some(ContactSlot(idx))
    }

    /// `user_changed_number`: the contact takes the new number (and BSUID).
    pub fn move_number(&mut self, slot: ContactSlot, change: &NumberChange) {
        let idx = slot.0;
        let business_id = self.rows[idx].business_id;
        if let Some(new_wa) = &change.new_wa_id
            && self.rows[idx].fields.wa_id.as_ref() != Some(new_wa)
        {
            let key = (business_id, new_wa.clone());
            if let Some(&holder) = self.by_wa.get(&key)
                && holder != idx
            {
                self.rows[holder].fields.wa_id = None;
                self.rows[holder].dirty = true;
            }
            if let Some(old) = self.rows[idx].fields.wa_id.take() {
                self.by_wa.remove(&(business_id, old));
            }
            self.rows[idx].fields.wa_id = Some(new_wa.clone());
            self.by_wa.insert(key, idx);
            self.rows[idx].dirty = true;
        }
        if let Some(new_user) = &change.new_user_id
            && self.rows[idx].fields.user_id.as_ref() != Some(new_user)
        {
            let key = (business_id, new_user.clone());
            if self.by_user.get(&key).is_some_and(|&holder| holder != idx) {
                tracing::warn!("user_changed_number names a BSUID another contact holds");
                return;
            }
            if let Some(old) = self.rows[idx].fields.user_id.take() {
                self.by_user.remove(&(business_id, old));
            }
            self.rows[idx].fields.user_id = Some(new_user.clone());
            self.by_user.insert(key, idx);
            self.rows[idx].dirty = true;
        }
    }

    /// The stored id of a contact (after [`ContactBook::save`]).
    pub fn id(&self, slot: ContactSlot) -> ContactId {
        self.rows[slot.0]
            .id
            .expect("every contact has an id once the book is saved")
    }

    /// Writes changed contacts, then inserts new ones and reads their ids back.
    pub async fn save(
        &mut self,
        conn: &mut AsyncMysqlConnection,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        // Identifiers that moved away are released first, so reassigning them cannot
        // collide with the unique keys.
        for row in self.rows.iter().filter(|r| r.dirty && r.id.is_some()) {
            let id = row.id.expect("filtered");
            let target = contacts::table.filter(contacts::id.eq(id));
            if row.loaded_wa_id.is_some() && row.loaded_wa_id != row.fields.wa_id {
                diesel::update(target)
                    .set(contacts::wa_id.eq(None::<String>))
                    .execute(conn)
                    .await?;
            }
            if row.loaded_user_id.is_some() && row.loaded_user_id != row.fields.user_id {
                diesel::update(target)
                    .set(contacts::user_id.eq(None::<String>))
                    .execute(conn)
                    .await?;
            }
        }
        for row in self.rows.iter().filter(|r| r.dirty && r.id.is_some()) {
            diesel::update(contacts::table.filter(contacts::id.eq(row.id.expect("filtered"))))
                .set((&row.fields, contacts::updated_at.eq(now)))
                .execute(conn)
                .await?;
        }
        let new: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.rows[i].id.is_none())
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let inserts: Vec<NewContact> = new
            .iter()
            .map(|&i| {
                let r = &self.rows[i];
                NewContact {
                    business_id: r.business_id,
                    fields: r.fields.clone(),
                }
            })
            .collect();
        diesel::insert_into(contacts::table)
            .values(&inserts)
            .execute(conn)
            .await?;
        let businesses: Vec<BusinessId> = new.iter().map(|&i| self.rows[i].business_id).collect();
        let user_ids: Vec<&str> = new
            .iter()
            .filter_map(|&i| self.rows[i].fields.user_id.as_deref())
            .collect();
        let wa_ids: Vec<&str> = new
            .iter()
            .filter_map(|&i| self.rows[i].fields.wa_id.as_deref())
            .collect();
        let ids: Vec<(ContactId, BusinessId, Option<String>, Option<String>)> =
            holding(&businesses, &user_ids, &wa_ids)
                .select((
                    contacts::id,
                    contacts::business_id,
                    contacts::user_id,
                    contacts::wa_id,
                ))
                .load(conn)
                .await?;
        for (id, business_id, user_id, wa_id) in ids {
            let idx = user_id
                .and_then(|u| self.by_user.get(&(business_id, u)).copied())
                .or_else(|| wa_id.and_then(|w| self.by_wa.get(&(business_id, w)).copied()));
            if let Some(idx) = idx
                && self.rows[idx].id.is_none()
            {
                self.rows[idx].id = Some(id);
            }
        }
        if new.iter().any(|&i| self.rows[i].id.is_none()) {
            return Err(diesel::result::Error::NotFound);
        }
        Ok(())
    }
}

/// The contact of `business_id` with this phone number, created (with `name` as its
/// profile name) when there is none: a customer entered by hand in the back office.
pub async fn find_or_create_by_phone(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    wa_id: &str,
    name: &str,
) -> QueryResult<ContactId> {
    diesel::insert_or_ignore_into(contacts::table)
        .values((
            contacts::business_id.eq(business_id),
            contacts::wa_id.eq(wa_id),
            contacts::profile_name.eq(name),
        ))
        .execute(conn)
        .await?;
    contacts::table
        .filter(contacts::business_id.eq(business_id))
        .filter(contacts::wa_id.eq(wa_id))
        .select(contacts::id)
        .first(conn)
        .await
}
