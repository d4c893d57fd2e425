//! What visitors wrote through the public contact form (`contact_messages`).

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};

use super::schema::contact_messages as cm;

/// A stored message.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cm, check_for_backend(diesel::mysql::Mysql))]
pub struct ContactMessage {
    /// Id.
    pub id: u64,
    /// Who wrote (as they gave it).
    pub name: String,
    /// Where to answer.
    pub email: String,
    /// What they wrote.
    pub message: String,
    /// The client's address.
    pub ip: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Stores a message.
pub async fn insert(
    conn: &mut AsyncMysqlConnection,
    name: &str,
    email: &str,
    message: &str,
    ip: &str,
) -> QueryResult<()> {
    diesel::insert_into(cm::table)
        .values((
            cm::name.eq(name),
            cm::email.eq(email),
            cm::message.eq(message),
            cm::ip.eq(ip),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// How many messages `ip` sent in the last `minutes`.
pub async fn recent_from_ip(
    conn: &mut AsyncMysqlConnection,
    ip: &str,
    minutes: i64,
) -> QueryResult<i64> {
    cm::table
        .filter(cm::ip.eq(ip))
        .filter(cm::created_at.gt(Utc::now().naive_utc() - Duration::minutes(minutes)))
        .count()
        .get_result(conn)
        .await
}

/// The messages since `since`, newest first, at most `limit`.
pub async fn since(
    conn: &mut AsyncMysqlConnection,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<ContactMessage>> {
    cm::table
        .filter(cm::created_at.ge(since))
        .order(cm::id.desc())
        .limit(limit)
        .select(ContactMessage::as_select())
        .load(conn)
        .await
}
