//! What the AI salesperson reads and writes: the business's AI profile (key, budget,
//! last error), token usage, recent history, the chat's negotiation state, hand-offs
//! and the activity log. Suppression (the blacklist) is [`super::blacklist`].

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Unsigned};
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use shared::{BusinessId, ChatId, ContactId, Currency, ReplyTone, SentBy};

use super::inbox::{Chat, Contact, Message};
use super::products::Product;
use super::schema::{ai_usage, businesses, chats, contacts, messages, products};

/// The AI side of a business.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = businesses, check_for_backend(diesel::mysql::Mysql))]
pub struct AiProfile {
    /// Id.
    pub id: BusinessId,
    /// Display name (the prompt names it).
    pub name: String,
    /// Currency new products default to.
    pub default_currency: Currency,
    /// AI on/off.
    pub ai_enabled: bool,
    /// Owner's instructions.
    pub ai_instructions: String,
    /// The voice the AI answers in.
    pub reply_tone: ReplyTone,
    /// The business's own key, encrypted (`crypto::encrypt`).
    pub anthropic_key_enc: Option<Vec<u8>>,
    /// Its masked hint.
    pub anthropic_key_hint: Option<String>,
    /// Daily token budget (input + output); `None` = unlimited.
    pub ai_daily_token_budget: Option<i64>,
    /// Last provider error shown to the owner.
    pub ai_last_error: Option<String>,
    /// When it happened.
    pub ai_last_error_at: Option<NaiveDateTime>,
}

/// A business's AI profile.
pub async fn profile(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
) -> QueryResult<Option<AiProfile>> {
    businesses::table
        .find(business_id)
        .select(AiProfile::as_select())
        .first(conn)
        .await
        .optional()
}

/// Stores (or clears, with `None`) the business's own key, encrypted, and its hint.
pub async fn set_anthropic_key(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    key: Option<(Vec<u8>, String)>,
) -> QueryResult<()> {
    let (enc, hint) = key.unzip();
    diesel::update(businesses::table.find(business_id))
        .set((
            businesses::anthropic_key_enc.eq(enc),
            businesses::anthropic_key_hint.eq(hint),
            businesses::ai_last_error.eq(None::<String>),
            businesses::ai_last_error_at.eq(None::<NaiveDateTime>),
            businesses::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Sets (or clears) the daily token budget.
pub async fn set_daily_budget(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    budget: Option<i64>,
) -> QueryResult<()> {
    diesel::update(businesses::table.find(business_id))
        .set((
            businesses::ai_daily_token_budget.eq(budget),
            businesses::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Records the last provider error (or clears it); returns whether the text changed.
pub async fn set_last_error(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    error: Option<&str>,
) -> QueryResult<bool> {
    let current: Option<String> = businesses::table
        .find(business_id)
        .select(businesses::ai_last_error)
        .first(conn)
        .await?;
    if current.as_deref() == error {
        return Ok(false);
    }
    diesel::update(businesses::table.find(business_id))
        .set((
            businesses::ai_last_error.eq(error),
            businesses::ai_last_error_at.eq(error.map(|_| Utc::now().naive_utc())),
        ))
        .execute(conn)
        .await?;
    Ok(true)
}

/// One day of token usage.
#[derive(Debug, Clone, Copy, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = ai_usage, check_for_backend(diesel::mysql::Mysql))]
pub struct UsageDay {
    /// The UTC day.
    pub day: NaiveDate,
    /// Input tokens (cached ones included).
    pub input_tokens: i64,
    /// Output tokens.
    pub output_tokens: i64,
    /// Model requests.
    pub requests: i32,
}

/// Adds one request's tokens to today's row.
pub async fn record_usage(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    day: NaiveDate,
    input_tokens: i64,
    output_tokens: i64,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO ai_usage (business_id, day, input_tokens, output_tokens, requests) \
         VALUES (?, ?, ?, ?, 1) ON DUPLICATE KEY UPDATE \
         input_tokens = input_tokens + VALUES(input_tokens), \
         output_tokens = output_tokens + VALUES(output_tokens), \
         requests = requests + 1",
    )
    .bind::<Unsigned<BigInt>, _>(business_id)
    .bind::<Date, _>(day)
    .bind::<BigInt, _>(input_tokens)
    .bind::<BigInt, _>(output_tokens)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Usage from `since` (inclusive), oldest first; days without use are absent.
pub async fn usage_since(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    since: NaiveDate,
) -> QueryResult<Vec<UsageDay>> {
    ai_usage::table
        .filter(ai_usage::business_id.eq(business_id))
        .filter(ai_usage::day.ge(since))
        .order(ai_usage::day)
        .select(UsageDay::as_select())
        .load(conn)
        .await
}

/// Tokens (input + output) used on `day`.
pub async fn tokens_on(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    day: NaiveDate,
) -> QueryResult<i64> {
    let row: Option<(i64, i64)> = ai_usage::table
        .filter(ai_usage::business_id.eq(business_id))
        .filter(ai_usage::day.eq(day))
        .select((ai_usage::input_tokens, ai_usage::output_tokens))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map_or(0, |(i, o)| i + o))
}

/// What the reply scheduler needs about a chat.
#[derive(Debug, Clone, Queryable)]
pub struct ReplyTarget {
    /// Chat.
    pub chat_id: ChatId,
    /// Tenant.
    pub business_id: BusinessId,
    /// Customer.
    pub contact_id: ContactId,
    /// Human takeover.
    pub ai_paused: bool,
    /// When a timed takeover ends by itself.
    pub ai_paused_until: Option<NaiveDateTime>,
    /// AI on for the business.
    pub ai_enabled: bool,
    /// Customer's phone.
    pub wa_id: Option<String>,
    /// Customer's BSUID.
    pub user_id: Option<String>,
    /// Customer's username.
    pub username: Option<String>,
}

impl ReplyTarget {
    /// Whether the AI stays silent in the chat at `now` (paused, and not by a timed
    /// pause that has run out).
    pub fn ai_stands_back(&self, now: NaiveDateTime) -> bool {
        self.ai_paused && self.ai_paused_until.is_none_or(|until| until > now)
    }

    /// The customer's identifiers (what the blacklist matches).
    pub fn identity(&self) -> super::contacts::Identity {
        super::contacts::Identity {
            wa_id: self.wa_id.clone(),
            user_id: self.user_id.clone(),
            username: self.username.clone(),
            ..Default::default()
        }
    }
}

/// Chats with their pause flag, the business's AI switch and the contact's ids.
pub async fn reply_targets(
    conn: &mut AsyncMysqlConnection,
    chat_ids: &[ChatId],
) -> QueryResult<Vec<ReplyTarget>> {
    chats::table
        .inner_join(contacts::table)
        .inner_join(businesses::table.on(businesses::id.eq(chats::business_id)))
        .filter(chats::id.eq_any(chat_ids))
        .select((
            chats::id,
            chats::business_id,
            chats::contact_id,
            chats::ai_paused,
            chats::ai_paused_until,
            businesses::ai_enabled,
            contacts::wa_id,
            contacts::user_id,
            contacts::username,
        ))
        .load(conn)
        .await
}

/// A chat with its contact.
pub async fn chat_with_contact(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
) -> QueryResult<Option<(Chat, Contact)>> {
    chats::table
        .inner_join(contacts::table)
        .filter(chats::id.eq(chat_id))
        .select((Chat::as_select(), Contact::as_select()))
        .first(conn)
        .await
        .optional()
}

/// The last `limit` messages of a chat, oldest first.
pub async fn recent_messages(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut rows: Vec<Message> = messages::table
        .filter(messages::chat_id.eq(chat_id))
        .order(messages::id.desc())
        .limit(limit)
        .select(Message::as_select())
        .load(conn)
        .await?;
    rows.reverse();
    Ok(rows)
}

/// AI replies to a chat since `since` (the per-contact rate limit).
pub async fn ai_replies_since(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    messages::table
        .filter(messages::chat_id.eq(chat_id))
        .filter(messages::sent_by.eq(SentBy::Ai))
        .filter(messages::created_at.ge(since))
        .count()
        .get_result(conn)
        .await
}

/// Products the AI may talk about (not archived), by id.
pub async fn active_products(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    limit: i64,
) -> QueryResult<Vec<Product>> {
    products::table
        .filter(products::business_id.eq(business_id))
        .filter(products::archived.eq(false))
        .order(products::id)
        .limit(limit)
        .select(Product::as_select())
        .load(conn)
        .await
}

/// Stores the chat's negotiation state and product interest (JSON).
pub async fn save_chat_ai_state(
    conn: &mut AsyncMysqlConnection,
    chat_id: ChatId,
    negotiation: &str,
    product_interest: &str,
) -> QueryResult<()> {
    diesel::update(chats::table.find(chat_id))
        .set((
            chats::negotiation.eq(Some(negotiation)),
            chats::product_interest.eq(Some(product_interest)),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Pauses the AI on a chat (human takeover) with the reason.
pub async fn hand_off(
    conn: &mut AsyncMysqlConnection,
    business_id: BusinessId,
    chat_id: ChatId,
    reason: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        chats::table
            .filter(chats::id.eq(chat_id))
            .filter(chats::business_id.eq(business_id)),
    )
    .set((
        chats::ai_paused.eq(true),
        chats::handoff_reason.eq(Some(reason)),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}
