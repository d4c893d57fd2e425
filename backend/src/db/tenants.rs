//! Businesses (tenants) and their dashboard users.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};

use shared::{BusinessId, Currency, ReplyTone, Role, UserId};

use super::schema::{businesses, users};

/// A business row (secrets excluded: the encrypted key is read only where needed).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = businesses, check_for_backend(diesel::mysql::Mysql))]
pub struct Business {
    /// Id.
    pub id: BusinessId,
    /// Display name.
    pub name: String,
    /// Free text, e.g. "Fashion boutique".
    pub business_type: String,
    /// ISO country code.
    pub country: String,
    /// Currency new products default to.
    pub default_currency: Currency,
    /// Whether the AI answers customers.
    pub ai_enabled: bool,
    /// Owner's instructions to the AI.
    pub ai_instructions: String,
    /// Reply tone.
    pub reply_tone: ReplyTone,
    /// Masked hint of the business's own Anthropic key.
    pub anthropic_key_hint: Option<String>,
    /// Daily token budget.
    pub ai_daily_token_budget: Option<i64>,
    /// Created.
    pub created_at: chrono::NaiveDateTime,
    /// IANA time zone name (see [`crate::calendar`]).
    pub time_zone: String,
    /// How long the AI stands back in a chat the owner answered from the phone
    /// (coexistence), in minutes; `None`: until the owner turns it back on.
    pub phone_reply_pause_minutes: Option<i32>,
}

/// A dashboard user.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::mysql::Mysql))]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Tenant.
    pub business_id: BusinessId,
    /// Login email (lower-cased).
    pub email: String,
    /// argon2 hash.
    pub password_hash: String,
    /// Owner or staff.
    pub role: Role,
    /// Created.
    pub created_at: chrono::NaiveDateTime,
    /// Display name (staff give it when they join; owners have none yet).
    pub name: Option<String>,
}

/// What sign-up stores.
#[derive(Debug, Clone)]
pub struct NewBusiness<'a> {
    /// Display name.
    pub name: &'a str,
    /// Business type.
    pub business_type: &'a str,
    /// ISO country.
    pub country: &'a str,
    /// Default currency.
    pub currency: &'a str,
    /// IANA time zone name (validated).
    pub time_zone: &'a str,
    /// Owner email (lower-cased).
    pub email: &'a str,
    /// Owner password hash.
    pub password_hash: &'a str,
    /// The privacy policy and terms version the owner accepted (with their
    /// confirmation that they are authorised and over 16), recorded now.
    pub accepted_policy_version: &'a str,
}

/// Outcome of sign-up.
#[derive(Debug)]
pub enum SignUpOutcome {
    /// Created: (business id, user id).
    Created(u64, u64),
    /// The email is taken.
    EmailTaken,
}

/// Creates a business and its owner in one transaction.
pub async fn create_business_with_owner(
    conn: &mut AsyncMysqlConnection,
    new: NewBusiness<'_>,
) -> QueryResult<SignUpOutcome> {
    conn.transaction(async |conn| {
        let taken: i64 = users::table
            .filter(users::email.eq(new.email))
            .count()
            .get_result(conn)
            .await?;
        if taken > 0 {
            return Ok(SignUpOutcome::EmailTaken);
        }
        diesel::insert_into(businesses::table)
            .values((
                businesses::name.eq(new.name),
                businesses::business_type.eq(new.business_type),
                businesses::country.eq(new.country),
                businesses::default_currency.eq(new.currency),
                businesses::time_zone.eq(new.time_zone),
                businesses::ai_instructions.eq(""),
            ))
            .execute(conn)
            .await?;
        let business_id: u64 = diesel::select(last_insert_id()).get_result(conn).await?;
        let inserted = diesel::insert_into(users::table)
            .values((
                users::business_id.eq(business_id),
                users::email.eq(new.email),
                users::password_hash.eq(new.password_hash),
                users::role.eq("owner"),
                users::accepted_policy_version.eq(new.accepted_policy_version),
                users::accepted_policy_at.eq(Utc::now().naive_utc()),
                users::confirmed_authorised_over_16_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)
            .await;
        match inserted {
            Ok(_) => {}
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => return Err(diesel::result::Error::RollbackTransaction),
            Err(e) => return Err(e),
        }
        let user_id: u64 = diesel::select(last_insert_id()).get_result(conn).await?;
        Ok(SignUpOutcome::Created(business_id, user_id))
    })
    .await
    .or_else(|e| match e {
        // A concurrent sign-up won the unique email.
        diesel::result::Error::RollbackTransaction => Ok(SignUpOutcome::EmailTaken),
        other => Err(other),
    })
}

diesel::define_sql_function! {
    /// MySQL's `LAST_INSERT_ID()` (no `RETURNING` on MySQL).
    fn last_insert_id() -> Unsigned<BigInt>;
}

/// A user by login email.
pub async fn find_user_by_email(
    conn: &mut AsyncMysqlConnection,
    email: &str,
) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .await
        .optional()
}

/// A user of a business.
pub async fn find_user(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
) -> QueryResult<User> {
    users::table
        .filter(users::id.eq(user_id))
        .filter(users::business_id.eq(business_id))
        .select(User::as_select())
        .first(conn)
        .await
}

/// A business by id.
pub async fn find_business(conn: &mut AsyncMysqlConnection, id: u64) -> QueryResult<Business> {
    businesses::table
        .find(id)
        .select(Business::as_select())
        .first(conn)
        .await
}

/// Profile and AI settings a business may change (each `None` leaves it as is).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = businesses)]
pub struct BusinessChanges {
    /// Display name.
    pub name: Option<String>,
    /// Business type.
    pub business_type: Option<String>,
    /// ISO country.
    pub country: Option<String>,
    /// Default currency.
    pub default_currency: Option<String>,
    /// AI on/off.
    pub ai_enabled: Option<bool>,
    /// Instructions to the AI.
    pub ai_instructions: Option<String>,
    /// Reply tone.
    pub reply_tone: Option<ReplyTone>,
    /// IANA time zone name (validated).
    pub time_zone: Option<String>,
    /// Phone-reply pause in minutes (`Some(None)`: until the owner resumes).
    pub phone_reply_pause_minutes: Option<Option<i32>>,
    /// Last change.
    pub updated_at: Option<chrono::NaiveDateTime>,
}

/// Applies changes to a business.
pub async fn update_business(
    conn: &mut AsyncMysqlConnection,
    id: u64,
    mut changes: BusinessChanges,
) -> QueryResult<Business> {
    changes.updated_at = Some(Utc::now().naive_utc());
    diesel::update(businesses::table.find(id))
        .set(&changes)
        .execute(conn)
        .await?;
    find_business(conn, id).await
}

/// Replaces a user's password hash.
pub async fn set_password_hash(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    user_id: u64,
    password_hash: &str,
) -> QueryResult<usize> {
    diesel::update(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::business_id.eq(business_id)),
    )
    .set(users::password_hash.eq(password_hash))
    .execute(conn)
    .await
}
