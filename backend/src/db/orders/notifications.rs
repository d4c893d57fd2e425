//! A business's order-notification settings: whether customers are told on WhatsApp
//! when their order moves, and the template used outside the 24-hour window.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::BusinessId;

use crate::db::schema::businesses;

/// A business's order-notification settings.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = businesses, check_for_backend(diesel::mysql::Mysql))]
pub struct NotificationSettings {
    /// Whether customers are told on WhatsApp when their order moves.
    #[diesel(column_name = notify_order_updates)]
    pub enabled: bool,
    /// The approved template used outside the 24-hour window.
    #[diesel(column_name = order_update_template)]
    pub template: Option<String>,
    /// Its language code.
    #[diesel(column_name = order_update_template_language)]
    pub template_language: Option<String>,
}

/// The name and order-notification settings of a business (`None` when it does not
/// exist).
pub async fn notification_settings(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
) -> QueryResult<Option<(String, NotificationSettings)>> {
    businesses::table
        .find(business_id)
        .select((businesses::name, NotificationSettings::as_select()))
        .first(conn)
        .await
        .optional()
}

/// Replaces a business's order-notification settings.
pub async fn set_notification_settings(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    settings: &NotificationSettings,
) -> QueryResult<()> {
    diesel::update(businesses::table.find(business_id))
        .set((
            businesses::notify_order_updates.eq(settings.enabled),
            businesses::order_update_template.eq(&settings.template),
            businesses::order_update_template_language.eq(&settings.template_language),
            businesses::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
