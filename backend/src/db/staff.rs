//! Staff: the owner's invitations (by the SHA-256 of their one-time secret) and the
//! business's staff users. Every query is scoped by business.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, Role, StaffInviteId};

use super::schema::{sessions, staff_invites, users};
use super::tenants::{User, last_insert_id};
use crate::crypto::sha256_hex;

/// An invitation (never its secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff_invites, check_for_backend(diesel::mysql::Mysql))]
pub struct Invite {
    /// Id.
    pub id: StaffInviteId,
    /// Tenant.
    pub business_id: BusinessId,
    /// Who is invited (lower-cased); the account they create has this e-mail.
    pub email: String,
    /// Sent.
    pub created_at: NaiveDateTime,
    /// The secret stops working then.
    pub expires_at: NaiveDateTime,
}

/// Stores an invitation of `email` by its secret's digest, revoking any earlier
/// pending invitation of the same e-mail by this business; returns the row.
pub async fn create_invite(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    email: &str,
    secret: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<Invite> {
    let digest = sha256_hex(secret.as_bytes());
    conn.transaction(async |conn| {
        diesel::update(
            staff_invites::table
                .filter(staff_invites::business_id.eq(business_id))
                .filter(staff_invites::email.eq(email))
                .filter(staff_invites::accepted_at.is_null())
                .filter(staff_invites::revoked_at.is_null()),
        )
        .set(staff_invites::revoked_at.eq(Utc::now().naive_utc()))
        .execute(conn)
        .await?;
        diesel::insert_into(staff_invites::table)
            .values((
                staff_invites::business_id.eq(business_id),
                staff_invites::email.eq(email),
                staff_invites::token_sha256.eq(&digest),
                staff_invites::expires_at.eq(expires_at),
            ))
            .execute(conn)
            .await?;
        let id: u64 = diesel::select(last_insert_id()).get_result(conn).await?;
        staff_invites::table
            .find(id)
            .select(Invite::as_select())
            .first(conn)
            .await
    })
    .await
}

/// The business's invitations that can still be accepted.
fn pending(business_id: u64) -> staff_invites::BoxedQuery<'static, diesel::mysql::Mysql> {
    staff_invites::table
        .filter(staff_invites::business_id.eq(business_id))
        .filter(staff_invites::accepted_at.is_null())
        .filter(staff_invites::revoked_at.is_null())
        .filter(staff_invites::expires_at.gt(Utc::now().naive_utc()))
        .into_boxed()
}

/// The invitations that can still be accepted, newest first.
pub async fn list_pending(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<Vec<Invite>> {
    pending(business_id)
        .order(staff_invites::id.desc())
        .select(Invite::as_select())
        .load(conn)
        .await
}

/// Revokes a pending invitation; `None` when the business has no such pending one.
pub async fn revoke_invite(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: u64,
) -> QueryResult<Option<Invite>> {
    let found: Option<Invite> = pending(business_id)
        .filter(staff_invites::id.eq(id))
        .select(Invite::as_select())
        .first(conn)
        .await
        .optional()?;
    if found.is_some() {
        diesel::update(staff_invites::table.find(id))
            .set(staff_invites::revoked_at.eq(Utc::now().naive_utc()))
            .execute(conn)
            .await?;
    }
    Ok(found)
}

/// What accepting an invitation came to.
#[derive(Debug)]
pub enum Accepted {
    /// The staff user was created: (business, user).
    Joined(Invite, u64),
    /// No pending invitation has this secret (wrong, used, revoked or expired).
    NoInvite,
    /// An account with the invited e-mail exists already.
    EmailTaken,
}

/// Uses the invitation with `secret` once: in one transaction, marks it accepted and
/// creates the staff user with the invited e-mail. Two concurrent acceptances of one
/// invitation create one user.
pub async fn accept_invite(
    conn: &mut AsyncMysqlConnection,
    secret: &str,
    name: &str,
    password_hash: &str,
) -> QueryResult<Accepted> {
    let digest = sha256_hex(secret.as_bytes());
    let outcome = conn
        .transaction(async |conn| {
            let invite: Option<Invite> = staff_invites::table
                .filter(staff_invites::token_sha256.eq(&digest))
                .filter(staff_invites::accepted_at.is_null())
                .filter(staff_invites::revoked_at.is_null())
                .filter(staff_invites::expires_at.gt(Utc::now().naive_utc()))
                .select(Invite::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some(invite) = invite else {
                return Ok(Accepted::NoInvite);
            };
            let taken: i64 = users::table
                .filter(users::email.eq(&invite.email))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Ok(Accepted::EmailTaken);
            }
            diesel::update(staff_invites::table.find(invite.id))
                .set(staff_invites::accepted_at.eq(Utc::now().naive_utc()))
                .execute(conn)
                .await?;
            diesel::insert_into(users::table)
                .values((
                    users::business_id.eq(invite.business_id),
                    users::email.eq(&invite.email),
                    users::password_hash.eq(password_hash),
                    users::role.eq(Role::Staff),
                    users::name.eq(name),
                ))
                .execute(conn)
                .await
                .map_err(|e| match e {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    ) => diesel::result::Error::RollbackTransaction,
                    other => other,
                })?;
            let user_id: u64 = diesel::select(last_insert_id()).get_result(conn).await?;
            Ok(Accepted::Joined(invite, user_id))
        })
        .await;
    match outcome {
        // A concurrent sign-up or acceptance took the e-mail.
        Err(diesel::result::Error::RollbackTransaction) => Ok(Accepted::EmailTaken),
        other => other,
    }
}

/// The business's users, the owner first, then staff by when they joined.
pub async fn list_users(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
) -> QueryResult<Vec<User>> {
    let mut list: Vec<User> = users::table
        .filter(users::business_id.eq(business_id))
        .order(users::id.asc())
        .select(User::as_select())
        .load(conn)
        .await?;
    list.sort_by_key(|u| u.role != Role::Owner);
    Ok(list)
}

/// Removes a staff user of the business and their sessions; returns the user and the
/// ids of the sessions that were open, or `None` when the business has no such staff
/// user (owners cannot be removed this way).
pub async fn remove_staff(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
) -> QueryResult<Option<(User, Vec<String>)>> {
    conn.transaction(async |conn| {
        let user: Option<User> = users::table
            .filter(users::id.eq(user_id))
            .filter(users::business_id.eq(business_id))
            .filter(users::role.eq(Role::Staff))
            .select(User::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some(user) = user else {
            return Ok(None);
        };
        let open: Vec<String> = sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .select(sessions::id)
            .load(conn)
            .await?;
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id)))
            .execute(conn)
            .await?;
        diesel::delete(users::table.find(user_id))
            .execute(conn)
            .await?;
        Ok(Some((user, open)))
    })
    .await
}
