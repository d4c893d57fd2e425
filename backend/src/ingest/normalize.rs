//! Every inbound message type, turned into a kind and a body a person can read.
//!
//! The dashboard shows `body`; the structured content stays in `payload` (the
//! message's own JSON) for every non-text kind, so nothing Meta sent is lost.

use serde_json::Value;
use shared::MessageKind;
use shared::money::{Currency, format_minor};

use super::{clip, from_unix};
use crate::db::contacts::{Identity, NumberChange};
use crate::db::messages::InboundMessage;
use crate::meta::webhook::MessageIn;

/// Normalises one message; `raw` is its JSON, `typed` the common fields.
pub fn inbound(raw: &Value, typed: &MessageIn, sender: Identity) -> InboundMessage {
    let mut msg = InboundMessage {
        wamid: typed.id.trim().to_string(),
        sender,
        kind: MessageKind::Unsupported,
        body: String::new(),
        media_id: None,
        media_mime: None,
        payload: Some(raw.to_string()),
        context_wamid: typed
            .context
            .as_ref()
            .and_then(|c| c.id.as_deref())
            .map(|id| clip(id.trim(), 191))
            .filter(|id| !id.is_empty()),
        wa_timestamp: typed.timestamp.and_then(from_unix),
        counts_unread: true,
        updates_preview: true,
        opens_window: true,
        number_change: None,
        direction: shared::MessageDirection::Inbound,
        sent_by: shared::SentBy::Customer,
        stands_ai_back: false,
    };
    let content = &raw[typed.kind.as_str()];
    match typed.kind.as_str() {
        "text" => {
            msg.kind = MessageKind::Text;
            msg.body = content["body"].as_str().unwrap_or_default().to_string();
            if typed.context.is_none() && raw.get("referral").is_none() {
                msg.payload = None;
            }
        }
        "image" | "video" | "audio" | "document" | "sticker" => media(&mut msg, typed, content),
        "location" => {
            msg.kind = MessageKind::Location;
            msg.body = location(content);
        }
        "contacts" => {
            msg.kind = MessageKind::Contacts;
            msg.body = contacts(&raw["contacts"]);
        }
        "interactive" => {
            msg.kind = MessageKind::Interactive;
            msg.body = interactive(content);
        }
        "button" => {
            msg.kind = MessageKind::Button;
            msg.body = first_text(&[&content["text"], &content["payload"]])
                .unwrap_or_else(|| "Button tapped".into());
        }
        "order" => {
            msg.kind = MessageKind::Order;
            msg.body = order(content);
        }
        "reaction" => {
            msg.kind = MessageKind::Reaction;
            msg.context_wamid = first_text(&[&content["message_id"]]).map(|id| clip(&id, 191));
            msg.body = match first_text(&[&content["emoji"]]) {
                Some(emoji) => format!("Reacted {emoji}"),
                None => "Removed a reaction".into(),
            };
            msg.counts_unread = false;
            msg.updates_preview = false;
        }
        "system" => {
            msg.kind = MessageKind::System;
            msg.body = first_text(&[&content["body"]]).unwrap_or_else(|| "System notice".into());
            msg.counts_unread = false;
            msg.opens_window = false;
            if content["type"].as_str() == Some("user_changed_number") {
                let change = NumberChange {
                    new_wa_id: first_text(&[&content["wa_id"], &content["new_wa_id"]])
                        .map(|w| clip(&w, 32)),
                    new_user_id: first_text(&[
                        &content["user_id"],
                        &content["new_user_id"],
                        &content["customer"],
                    ])
                    .map(|u| clip(&u, 128)),
                };
                msg.number_change = Some(change);
            }
        }
        "request_welcome" => {
            msg.kind = MessageKind::System;
            msg.body = "👋 Customer opened the chat".into();
            msg.counts_unread = false;
        }
        _ => {
            msg.kind = MessageKind::Unsupported;
            msg.body = unsupported(typed);
        }
    }
    if msg.body.is_empty() {
        msg.body = format!("({})", msg.kind);
    }
    msg
}

/// A coexistence echo: what the owner typed to `customer` in the WhatsApp Business app.
/// Stored as the business's own message; the AI stands back in that chat.
pub fn echo(raw: &Value, typed: &MessageIn, customer: Identity) -> InboundMessage {
    let mut msg = inbound(raw, typed, customer);
    msg.direction = shared::MessageDirection::Outbound;
    msg.sent_by = shared::SentBy::Phone;
    msg.counts_unread = false;
    msg.opens_window = false;
    msg.number_change = None;
    msg.stands_ai_back = true;
    msg
}

/// A message of a past chat (coexistence `history`), placed at its own time: never
/// unread, never opening the window, never answered or followed up.
pub fn history(
    raw: &Value,
    typed: &MessageIn,
    customer: Identity,
    from_me: bool,
) -> InboundMessage {
    let mut msg = inbound(raw, typed, customer);
    if from_me {
        msg.direction = shared::MessageDirection::Outbound;
        msg.sent_by = shared::SentBy::Phone;
    }
    msg.counts_unread = false;
    msg.opens_window = false;
    msg.number_change = None;
    msg
}

fn media(msg: &mut InboundMessage, typed: &MessageIn, content: &Value) {
    let kind = match typed.kind.as_str() {
        "image" => MessageKind::Image,
        "video" => MessageKind::Video,
        "audio" => MessageKind::Audio,
        "document" => MessageKind::Document,
        _ => MessageKind::Sticker,
    };
    let label = if kind == MessageKind::Audio && content["voice"].as_bool() == Some(true) {
        "🎤 Voice message"
    } else {
        shared::attachment::label(kind)
    };
    msg.kind = kind;
    msg.media_id = first_text(&[&content["id"]]).map(|id| clip(&id, 128));
    msg.media_mime = first_text(&[&content["mime_type"]]).map(|m| clip(&m, 128));
    let caption = first_text(&[&content["caption"]]);
    let filename = first_text(&[&content["filename"]]);
    msg.body = shared::attachment::body(label, filename.as_deref(), caption.as_deref());
}

fn location(content: &Value) -> String {
    let place: Vec<String> = [&content["name"], &content["address"]]
        .into_iter()
        .filter_map(|v| first_text(&[v]))
        .collect();
    let coords = match (content["latitude"].as_f64(), content["longitude"].as_f64()) {
        (Some(lat), Some(long)) => format!(" ({lat}, {long})"),
        _ => String::new(),
    };
    if place.is_empty() {
        format!("📍 Location{coords}")
    } else {
        format!("📍 Location: {}{coords}", place.join(", "))
    }
}

fn contacts(cards: &Value) -> String {
    let people: Vec<String> = cards
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|card| {
            let name = first_text(&[&card["name"]["formatted_name"], &card["name"]["first_name"]])
                .unwrap_or_else(|| "Contact".into());
            let phones: Vec<String> = card["phones"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|p| first_text(&[&p["phone"], &p["wa_id"]]))
                .collect();
            if phones.is_empty() {
                name
            } else {
                format!("{name} ({})", phones.join(", "))
            }
        })
        .collect();
    format!("👤 Shared contact: {}", people.join("; "))
}

fn interactive(content: &Value) -> String {
    let kind = content["type"].as_str().unwrap_or_default();
    match kind {
        "button_reply" | "list_reply" => {
            let reply = &content[kind];
            let title = first_text(&[&reply["title"], &reply["id"]]).unwrap_or_default();
            match first_text(&[&reply["description"]]) {
                Some(d) => format!("{title} — {d}"),
                None => title,
            }
        }
        "nfm_reply" => first_text(&[&content["nfm_reply"]["body"]])
            .map(|b| format!("📝 Form reply: {b}"))
            .unwrap_or_else(|| "📝 Form reply".into()),
        _ => "Interactive reply".into(),
    }
}

/// `🛒 Order: 2 × SKU-1 (NGN 250.00 each), 1 × SKU-2 (NGN 80.00 each) — total NGN 580.00`.
fn order(content: &Value) -> String {
    let items = content["product_items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut lines = Vec::new();
    let mut totals: Vec<(Currency, i64)> = Vec::new();
    for item in items {
        let sku = first_text(&[&item["product_retailer_id"]]).unwrap_or_else(|| "item".into());
        let quantity = number(&item["quantity"]).unwrap_or(1.0).max(0.0);
        let currency = item["currency"].as_str().and_then(Currency::parse);
        let price = number(&item["item_price"]);
        match (currency, price) {
            (Some(currency), Some(price)) => {
                let unit_minor = (price * 10f64.powi(currency.exponent() as i32)).round() as i64;
                let line_minor = unit_minor.saturating_mul(quantity as i64);
                lines.push(format!(
                    "{quantity} × {sku} ({} each)",
                    format_minor(unit_minor, &currency)
                ));
                match totals.iter_mut().find(|(c, _)| *c == currency) {
                    Some((_, total)) => *total = total.saturating_add(line_minor),
                    None => totals.push((currency, line_minor)),
                }
            }
            _ => lines.push(format!("{quantity} × {sku}")),
        }
    }
    let mut body = format!("🛒 Order: {}", lines.join(", "));
    if !totals.is_empty() {
        let totals: Vec<String> = totals.iter().map(|(c, t)| format_minor(*t, c)).collect();
        body.push_str(&format!(" — total {}", totals.join(" + ")));
    }
    if let Some(note) = first_text(&[&content["text"]]) {
        body.push_str(&format!(" — “{note}”"));
    }
    body
}

fn unsupported(typed: &MessageIn) -> String {
    match typed.errors.first() {
        Some(e) => {
            let title = e
                .title
                .as_deref()
                .or(e.message.as_deref())
                .unwrap_or("unknown");
            match e.code {
                Some(code) => format!("⚠️ Unsupported message ({code}: {title})"),
                None => format!("⚠️ Unsupported message ({title})"),
            }
        }
        None => "⚠️ Unsupported message".into(),
    }
}

/// The first value that is a non-empty string (numbers are printed).
fn first_text(values: &[&Value]) -> Option<String> {
    values.iter().find_map(|v| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A number given as JSON number or numeric string.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
