//! Telling the customer on WhatsApp that their order moved (confirmed, completed), when
//! the business switched it on. Through the one sender ([`crate::sender`]): free text
//! inside the 24-hour window, else the business's approved order-update template
//! (`{{1}}` the order number, `{{2}}` the new status), else nothing. Never to a
//! blacklisted customer. Every decision, sent or not and why, is an `OrderNotified`
//! entry in the order's timeline; a failure never fails the move itself.

use serde_json::json;
use shared::{ActivityKind, BusinessId, OrderId, OrderStatus, SentBy};

use crate::activity::{self, Actor, Entry, Subject};
use crate::app::AppState;
use crate::db::inbox as inbox_db;
use crate::db::orders::{self as model, NotificationSettings, Order};
use crate::error::{AppError, AppResult};
use crate::sender::{self, Outbound, Template};

/// What happened to a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Handed to the sender (the message id, and whether as a template).
    Sent { message_id: u64, template: bool },
    /// Not sent, and why (for the owner).
    NotSent(String),
}

/// The text a customer receives inside the window.
fn text(business_name: &str, number: &str, status: OrderStatus) -> String {
    match status {
        OrderStatus::Completed => format!(
            "Your order {number} is completed. Thank you for shopping with {business_name}!"
        ),
        _ => format!(
            "Your order {number} is {status}. {business_name} will let you know when it is on its way."
        ),
    }
}

/// Tells the customer of `order` that it is now `status`, when the business wants
/// that; records the outcome in the order's timeline. Never fails the caller.
pub async fn order_moved(
    app: &AppState,
    business_id: BusinessId,
    order: &Order,
    status: OrderStatus,
) {
    let outcome = match decide_and_send(app, business_id, order, status).await {
        Ok(Some(outcome)) => outcome,
        Ok(None) => return,
        Err(e) => Outcome::NotSent(match e {
            AppError::Internal(_) | AppError::Unavailable => {
                "the message could not be sent right now".to_string()
            }
            other => other.message(),
        }),
    };
    let number = format!("#{}", order.id);
    let (summary, details) = match &outcome {
        Outcome::Sent {
            message_id,
            template,
        } => (
            format!("Customer told order {number} is {status}"),
            json!({"order_id": order.id, "status": status, "sent": true,
                   "via": if *template { "template" } else { "text" }, "message_id": message_id}),
        ),
        Outcome::NotSent(reason) => (
            format!("Customer not told order {number} is {status}"),
            json!({"order_id": order.id, "status": status, "sent": false, "reason": reason}),
        ),
    };
    let Ok(mut conn) = app.db().await else {
        tracing::warn!(%business_id, "order notification outcome not logged: no connection");
        return;
    };
    activity::record_quietly(
        &mut conn,
        &app.events,
        business_id,
        &Actor::system(),
        Entry::new(
            ActivityKind::OrderNotified,
            Some(Subject::order(OrderId(order.id))),
            summary,
        )
        .details(details),
    )
    .await;
}

/// `None` when the business does not notify; else what was done.
async fn decide_and_send(
    app: &AppState,
    business_id: BusinessId,
    order: &Order,
    status: OrderStatus,
) -> AppResult<Option<Outcome>> {
    let mut conn = app.db().await?;
    let Some((business_name, settings)) =
        model::notification_settings(&mut conn, business_id).await?
    else {
        return Ok(None);
    };
    if !settings.enabled {
        return Ok(None);
    }
    let chat_id = match (order.chat_id, order.contact_id) {
        (Some(chat), _) => Some(chat),
        (None, Some(contact)) => model::chat_of_contact(&mut conn, business_id.0, contact).await?,
        (None, None) => None,
    };
    let chat = match chat_id {
        Some(id) => inbox_db::find_chat(&mut conn, business_id.0, id).await?,
        None => None,
    };
    let Some(chat) = chat else {
        return Ok(Some(Outcome::NotSent(
            "the customer has no WhatsApp conversation with the business".into(),
        )));
    };
    let Some(contact) = inbox_db::find_contact(&mut conn, business_id.0, chat.contact_id).await?
    else {
        return Ok(Some(Outcome::NotSent("the customer is unknown".into())));
    };
    if crate::blacklist::is_blocked(&mut conn, business_id, &contact).await? {
        return Ok(Some(Outcome::NotSent("the customer is blacklisted".into())));
    }
    drop(conn);
    let number = format!("#{}", order.id);
    let last_inbound = chat.last_inbound_at.map(|t| t.and_utc().timestamp());
    let content = if shared::window::window_open(last_inbound, chrono::Utc::now().timestamp()) {
        Outbound::Text(text(&business_name, &number, status))
    } else {
        match template(&settings, &number, status) {
            Some(t) => Outbound::Template(t),
            None => {
                return Ok(Some(Outcome::NotSent(
                    "the 24-hour window is closed and no order-update template is set".into(),
                )));
            }
        }
    };
    let template = matches!(content, Outbound::Template(_));
    let message = sender::send(app, business_id, chat.id, content, SentBy::System).await?;
    Ok(Some(Outcome::Sent {
        message_id: message.id,
        template,
    }))
}

/// The business's order-update template for this move, if it set one.
fn template(
    settings: &NotificationSettings,
    number: &str,
    status: OrderStatus,
) -> Option<Template> {
    let name = settings.template.clone().filter(|n| !n.is_empty())?;
    Some(Template {
        name,
        language: settings
            .template_language
            .clone()
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "en_US".into()),
        parameters: vec![number.to_string(), status.as_str().to_string()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_gets_the_order_number_and_status() {
        let settings = NotificationSettings {
            enabled: true,
            template: Some("order_update".into()),
            template_language: None,
        };
        let t = template(&settings, "#12", OrderStatus::Confirmed).unwrap();
        assert_eq!(t.name, "order_update");
        assert_eq!(t.language, "en_US");
        assert_eq!(t.parameters, ["#12", "confirmed"]);
        let none = NotificationSettings {
            template: None,
            ..settings
        };
        assert_eq!(template(&none, "#12", OrderStatus::Confirmed), None);
    }
}
