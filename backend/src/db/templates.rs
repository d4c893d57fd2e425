//! The cache of a business's approved message templates (`message_templates`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::BusinessId;

use super::schema::message_templates as mt;

/// One cached template.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mt, check_for_backend(diesel::mysql::Mysql))]
pub struct CachedTemplate {
    /// Its name.
    pub name: String,
    /// Its language code.
    pub language: String,
    /// Meta's category.
    pub category: String,
    /// The body with its `{{n}}` placeholders.
    pub body: String,
    /// How many body parameters it takes.
    pub parameter_count: i32,
    /// When Meta was last asked.
    pub fetched_at: NaiveDateTime,
}

/// A template to cache.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = mt)]
pub struct NewTemplate {
    /// Tenant.
    pub business_id: BusinessId,
    /// Its name.
    pub name: String,
    /// Its language code.
    pub language: String,
    /// Meta's category.
    pub category: String,
    /// The body.
    pub body: String,
    /// Body parameters.
    pub parameter_count: i32,
    /// Now.
    pub fetched_at: NaiveDateTime,
}

/// The business's cached templates, by name and language.
pub async fn list(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
) -> QueryResult<Vec<CachedTemplate>> {
    mt::table
        .filter(mt::business_id.eq(business_id))
        .order((mt::name, mt::language))
        .select(CachedTemplate::as_select())
        .load(conn)
        .await
}

/// Replaces the business's cache with `rows`, in one transaction.
pub async fn replace(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    rows: &[NewTemplate],
) -> QueryResult<()> {
    conn.transaction(async |conn| {
        diesel::delete(mt::table.filter(mt::business_id.eq(business_id)))
            .execute(conn)
            .await?;
        if !rows.is_empty() {
            diesel::insert_or_ignore_into(mt::table)
                .values(rows)
                .execute(conn)
                .await?;
        }
        Ok(())
    })
    .await
}
