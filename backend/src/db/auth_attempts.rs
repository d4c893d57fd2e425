//! Authentication attempts (log-in, sign-up, password change), counted for the
//! password-guessing limits. An attempt is written before its password is checked
//! ("pending") and counted at once, so concurrent requests never slip past a limit.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};

use super::schema::auth_attempts;

/// Outcome of a password still being checked (it counts as a wrong guess until then).
pub const PENDING: &str = "pending";
/// Outcome of a wrong password.
pub const FAILED: &str = "failed";
/// Outcome of a right password (not a guess that counts).
pub const SUCCEEDED: &str = "succeeded";

/// Records a pending attempt; returns its id.
pub async fn begin(
    conn: &mut AsyncMysqlConnection,
    kind: &str,
    account: Option<&str>,
    ip: &str,
) -> QueryResult<u64> {
    diesel::insert_into(auth_attempts::table)
        .values((
            auth_attempts::kind.eq(kind),
            auth_attempts::account.eq(account),
            auth_attempts::ip.eq(ip),
            auth_attempts::outcome.eq(PENDING),
        ))
        .execute(conn)
        .await?;
    // LAST_INSERT_ID() is per connection: this is our row's id.
    diesel::select(super::tenants::last_insert_id())
        .get_result(conn)
        .await
}

/// Sets an attempt's outcome.
pub async fn finish(conn: &mut AsyncMysqlConnection, id: u64, outcome: &str) -> QueryResult<()> {
    diesel::update(auth_attempts::table.find(id))
        .set(auth_attempts::outcome.eq(outcome))
        .execute(conn)
        .await
        .map(drop)
}

/// Forgets an attempt that was refused before its password was checked (a refused
/// request is not a guess, and must not keep extending a lock-out).
pub async fn forget(conn: &mut AsyncMysqlConnection, id: u64) -> QueryResult<()> {
    diesel::delete(auth_attempts::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

fn since(minutes: i64) -> NaiveDateTime {
    (Utc::now() - Duration::minutes(minutes)).naive_utc()
}

/// Password attempts against `account` in the last `minutes` that were not right
/// (wrong, or still being checked).
pub async fn guesses_for_account(
    conn: &mut AsyncMysqlConnection,
    account: &str,
    minutes: i64,
) -> QueryResult<i64> {
    auth_attempts::table
        .filter(auth_attempts::account.eq(account))
        .filter(auth_attempts::created_at.gt(since(minutes)))
        .filter(auth_attempts::outcome.ne(SUCCEEDED))
        .count()
        .get_result(conn)
        .await
}

/// Password attempts from `ip` in the last `minutes` that were not right.
pub async fn guesses_from_ip(
    conn: &mut AsyncMysqlConnection,
    ip: &str,
    minutes: i64,
) -> QueryResult<i64> {
    auth_attempts::table
        .filter(auth_attempts::ip.eq(ip))
        .filter(auth_attempts::kind.ne("sign_up"))
        .filter(auth_attempts::created_at.gt(since(minutes)))
        .filter(auth_attempts::outcome.ne(SUCCEEDED))
        .count()
        .get_result(conn)
        .await
}

/// Attempts of `kind` from `ip` in the last `minutes`, whatever their outcome.
pub async fn attempts_from_ip(
    conn: &mut AsyncMysqlConnection,
    kind: &str,
    ip: &str,
    minutes: i64,
) -> QueryResult<i64> {
    auth_attempts::table
        .filter(auth_attempts::ip.eq(ip))
        .filter(auth_attempts::kind.eq(kind))
        .filter(auth_attempts::created_at.gt(since(minutes)))
        .count()
        .get_result(conn)
        .await
}

/// Deletes attempts older than `minutes` (they no longer count for any limit).
pub async fn purge_older_than(conn: &mut AsyncMysqlConnection, minutes: i64) -> QueryResult<usize> {
    diesel::delete(auth_attempts::table.filter(auth_attempts::created_at.lt(since(minutes))))
        .execute(conn)
        .await
}
