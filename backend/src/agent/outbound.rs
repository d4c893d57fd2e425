//! How the agent's replies leave: through the one sender (`crate::sender`, branch
//! `inbox`). Until that lands in this branch, a minimal stand-in here stores the
//! outbound message (pending, `sent_by`), posts it to the Graph API and records the
//! outcome; it is replaced by a call to the sender at the merge.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shared::{BusinessId, MessageDirection, MessageKind, MessageStatus, SentBy};

use crate::app::App;
use crate::db::inbox::Recipient;
use crate::db::schema::{chats, messages, whatsapp_connections};
use crate::db::tenants::last_insert_id;
use crate::events::{DomainEvent, EventKind};

/// Stores and sends a text to a chat's customer; returns the message id.
pub async fn send_text(
    app: &App,
    business_id: u64,
    chat_id: u64,
    body: &str,
    sent_by: SentBy,
) -> anyhow::Result<u64> {
    let mut conn = app.db().await?;
    let (chat, contact) = crate::db::agent::chat_with_contact(&mut conn, chat_id)
        .await?
        .filter(|(c, _)| c.business_id == business_id)
        .ok_or_else(|| anyhow::anyhow!("chat {chat_id} not found"))?;
    let now = Utc::now().naive_utc();
    let message_id = conn
        .transaction::<u64, diesel::result::Error, _>(async |conn| {
            diesel::insert_into(messages::table)
                .values((
                    messages::business_id.eq(business_id),
                    messages::chat_id.eq(chat_id),
                    messages::direction.eq(MessageDirection::Outbound.as_str()),
                    messages::kind.eq(MessageKind::Text.as_str()),
                    messages::body.eq(body),
                    messages::sent_by.eq(sent_by.as_str()),
                    messages::status.eq(MessageStatus::Pending.as_str()),
                ))
                .execute(conn)
                .await?;
            let id: u64 = diesel::select(last_insert_id()).get_result(conn).await?;
            diesel::update(chats::table.find(chat_id))
                .set((
                    chats::last_message_at.eq(Some(now)),
                    chats::last_message_preview
                        .eq(Some(body.chars().take(120).collect::<String>())),
                ))
                .execute(conn)
                .await?;
            Ok(id)
        })
        .await?;
    let publish = |kind| {
        app.events.publish(DomainEvent {
            business_id: BusinessId(business_id),
            kind,
        })
    };
    publish(EventKind::MessageAdded {
        chat_id,
        message_id,
    });
    publish(EventKind::ChatUpdated { chat_id });

    let connection: Option<(String, Vec<u8>)> = match chat.connection_id {
        Some(id) => whatsapp_connections::table
            .find(id)
            .select((
                whatsapp_connections::phone_number_id,
                whatsapp_connections::access_token_enc,
            ))
            .first(&mut conn)
            .await
            .optional()?,
        None => None,
    };
    let outcome = match (connection, contact.recipient()) {
        (Some((phone_number_id, token_enc)), Some(recipient)) => {
            let token = app
                .config
                .meta_system_token
                .as_ref()
                .map(|t| t.expose_secret().to_string())
                .or_else(|| crate::crypto::decrypt(&app.config.data_key, &token_enc));
            let mut payload = json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "type": "text",
                "text": {"preview_url": false, "body": body},
            });
            match recipient {
                Recipient::Phone(p) => payload["to"] = json!(p),
                Recipient::UserId(u) => payload["recipient"] = json!(u),
            }
            let sent = app
                .http
                .post(format!(
                    "{}/{phone_number_id}/messages",
                    app.config.meta_graph_url
                ))
                .bearer_auth(token.unwrap_or_default())
                .json(&payload)
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {
                    let v: Value = r.json().await.unwrap_or_default();
                    Ok(v["messages"][0]["id"].as_str().map(str::to_string))
                }
                Ok(r) => Err(format!("Graph API answered {}", r.status())),
                Err(e) => Err(format!("Graph API unreachable: {e}")),
            }
        }
        _ => Err("no connected number or recipient".to_string()),
    };
    match outcome {
        Ok(wamid) => {
            diesel::update(messages::table.find(message_id))
                .set((
                    messages::wamid.eq(wamid),
                    messages::status.eq(MessageStatus::Sent.as_str()),
                ))
                .execute(&mut conn)
                .await?;
        }
        Err(e) => {
            diesel::update(messages::table.find(message_id))
                .set((
                    messages::status.eq(MessageStatus::Failed.as_str()),
                    messages::error_title.eq(Some(e.chars().take(255).collect::<String>())),
                ))
                .execute(&mut conn)
                .await?;
        }
    }
    publish(EventKind::MessageStatusChanged {
        chat_id,
        message_id,
    });
    Ok(message_id)
}
