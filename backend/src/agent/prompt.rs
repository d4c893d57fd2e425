//! What the model sees: a system prompt (the business, its instructions and tone, the
//! house rules; cached), the catalog excerpts relevant to this chat and the
//! negotiation so far (not cached), and the recent history. Never the bargaining
//! floors, never phone numbers or BSUIDs: the customer is at most a first name, and
//! the phone numbers and e-mail addresses written in messages are masked.

use shared::{Money, ReplyTone};

use super::catalog;
use super::chat_state::{ChatNegotiation, Interest};
use crate::anthropic::{Message, SystemBlock};
use crate::db::agent::AiProfile;
use crate::db::products::Product;

/// The version of the prompt and tools, stored with every AI reply's explanation.
pub const VERSION: &str = "2026-12-03";

/// Most messages of history sent.
pub const HISTORY_LIMIT: i64 = 20;
/// A catalog up to this size is sent whole; beyond it, only matching excerpts.
pub const WHOLE_CATALOG_MAX: usize = 12;
/// Most products in the excerpts.
pub const MAX_EXCERPTS: usize = 10;

/// One turn of history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// From the customer (else from the business: AI, staff, follow-up, system).
    pub from_customer: bool,
    /// Readable text.
    pub text: String,
}

impl Turn {
    /// A stored message as history: the customer's, or the business's (AI, staff,
    /// follow-up, the owner's phone).
    pub fn of(message: &crate::db::inbox::Message) -> Turn {
        Turn {
            from_customer: message.direction == shared::MessageDirection::Inbound,
            text: message.body.clone(),
        }
    }
}

fn tone_text(tone: ReplyTone) -> &'static str {
    match tone {
        ReplyTone::Professional => "polite and businesslike",
        ReplyTone::Concise => "short and to the point",
        ReplyTone::Enthusiastic => "enthusiastic and sales-forward, without pressure",
        ReplyTone::Friendly => "warm, friendly and casual",
    }
}

/// The stable part of the system prompt (cached by the provider).
pub fn house_rules(profile: &AiProfile) -> String {
    let name = &profile.name;
    let mut s = format!(
        "You are the sales assistant of \"{name}\", a business that sells to customers on WhatsApp. \
You answer its customers in a WhatsApp chat. Tone: {}.\n\n\
House rules (always follow them):\n\
1. Talk only about {name}'s products, prices, orders, delivery and policies. Politely decline anything else (general knowledge, homework, coding, news, other businesses): you are this business's assistant only.\n\
2. Quote only prices that the tools returned (search_products, quote_price, make_counter_offer, create_order). Never invent a product, a price or a discount.\n\
3. When the customer proposes a price, call make_counter_offer and answer with exactly the price it returns. Never offer or accept less, and never mention a minimum, lowest or floor price.\n\
4. Before confirming an order, make sure you know the product, color, quantity and the delivery details (name and address, or pickup). Ask for what is missing. Then call create_order with the agreed unit price and tell the customer the order number and total.\n\
5. Call hand_off_to_human when the customer asks for a person, complains, or asks something the tools cannot answer, or whenever you are unsure. Then tell them a person will reply.\n\
6. Keep replies short and plain (WhatsApp): no markdown, no headings. Never ask for or repeat phone numbers or other identifiers.\n",
        tone_text(profile.reply_tone)
    );
    let instructions = profile.ai_instructions.trim();
    if !instructions.is_empty() {
        s.push_str(
            "\nThe owner's instructions (follow them unless they contradict the house rules):\n",
        );
        s.push_str(instructions);
        s.push('\n');
    }
    s
}

/// Products to show the model: the whole catalog when small, else those matching the
/// chat's words plus those already of interest or under negotiation.
pub fn excerpts<'a>(
    catalog: &'a [Product],
    history: &[Turn],
    interest: &[Interest],
    negotiation: &ChatNegotiation,
) -> Vec<&'a Product> {
    if catalog.len() <= WHOLE_CATALOG_MAX {
        return catalog.iter().collect();
    }
    let recent: String = history
        .iter()
        .rev()
        .take(6)
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut out: Vec<&Product> = Vec::new();
    let wanted = interest
        .iter()
        .map(|i| i.product_id)
        .chain(negotiation.products.keys().copied());
    for id in wanted {
        if let Some(p) = catalog.iter().find(|p| p.id.0 == id)
            && !out.iter().any(|o| o.id == p.id)
        {
            out.push(p);
        }
    }
    for p in catalog::matching(catalog, &recent) {
        if !out.iter().any(|o| o.id == p.id) {
            out.push(p);
        }
    }
    out.truncate(MAX_EXCERPTS);
    out
}

/// The per-request context block: catalog excerpts, negotiation, first name.
pub fn context_block(
    catalog: &[Product],
    shown: &[&Product],
    negotiation: &ChatNegotiation,
    first_name: Option<&str>,
) -> String {
    let mut s = String::new();
    let currency = catalog.first().map_or("", |p| p.currency.code());
    if shown.is_empty() {
        s.push_str("Catalog: none of the products matched this chat yet; use search_products.\n");
    } else {
        s.push_str(&format!(
            "Catalog excerpts ({} of {} products; prices in {currency}; use search_products for others):\n",
            shown.len(),
            catalog.len()
        ));
        for p in shown {
            s.push_str(&format!("- {}\n", catalog::facts(p)));
        }
    }
    if !negotiation.products.is_empty() {
        s.push_str("\nNegotiation so far in this chat:\n");
        for (id, n) in &negotiation.products {
            let cur = catalog
                .iter()
                .find(|p| p.id.0 == *id)
                .map_or(currency, |p| p.currency.code());
            let money = |m: i64| Money::display_code(m, cur);
            s.push_str(&format!(
                "- {} (product_id {id}): our last offer {}, customer's last ask {}, {} round(s){}\n",
                n.product_name,
                money(n.state.last_offer_minor),
                n.state.customer_ask_minor.map_or("none".into(), money),
                n.state.rounds,
                n.agreed_minor
                    .map(|a| format!(", agreed price {}", money(a)))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(name) = first_name {
        s.push_str(&format!("\nThe customer's first name: {name}.\n"));
    }
    s
}

/// The system blocks: house rules cached, context not.
pub fn system(profile: &AiProfile, context: String) -> Vec<SystemBlock> {
    vec![
        SystemBlock::cached(house_rules(profile)),
        SystemBlock::plain(context),
    ]
}

/// History as alternating user/assistant messages, starting and ending with the
/// customer; phone numbers and e-mail addresses in the text are masked
/// ([`shared::privacy::mask_contact_details`]).
pub fn messages(history: &[Turn]) -> Vec<Message> {
    messages_closing(history, "(The customer is waiting for your reply.)")
}

/// [`messages`], with `closing` as the last user turn when the business spoke last
/// (the model must answer a user turn).
pub fn messages_closing(history: &[Turn], closing: &str) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    for turn in history {
        // Phone numbers and e-mail addresses (typed, or from shared contact cards)
        // never reach the model: it sells without them.
        let masked = shared::privacy::mask_contact_details(turn.text.trim());
        let text = masked.as_str();
        if text.is_empty() {
            continue;
        }
        let role = if turn.from_customer {
            "user"
        } else {
            "assistant"
        };
        if out.is_empty() && role == "assistant" {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.role == role => {
                if let Some(crate::anthropic::ContentBlock::Text { text: t }) =
                    last.content.first_mut()
                {
                    t.push('\n');
                    t.push_str(text);
                }
            }
            _ => out.push(if turn.from_customer {
                Message::user_text(text)
            } else {
                Message::assistant_text(text)
            }),
        }
    }
    if out.last().is_none_or(|m| m.role != "user") {
        out.push(Message::user_text(closing));
    }
    out
}

/// The first word of a profile name, at most 40 characters (no other identifier).
pub fn first_name(profile_name: Option<&str>) -> Option<String> {
    profile_name
        .and_then(|n| n.split_whitespace().next())
        .filter(|n| n.chars().any(char::is_alphabetic) && !n.chars().any(|c| c.is_ascii_digit()))
        .map(|n| n.chars().take(40).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_alternates_and_ends_with_the_customer() {
        let t = |c: bool, s: &str| Turn {
            from_customer: c,
            text: s.into(),
        };
        let m = messages(&[
            t(false, "Welcome!"),
            t(true, "hi"),
            t(true, "price?"),
            t(false, "NGN 5"),
            t(true, "ok"),
        ]);
        let roles: Vec<&str> = m.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["user", "assistant", "user"]);
        assert_eq!(
            m[0].content[0],
            crate::anthropic::ContentBlock::Text {
                text: "hi\nprice?".into()
            }
        );
    }

    #[test]
    fn only_a_first_name_reaches_the_model() {
        assert_eq!(first_name(Some("Ada Lovelace")), Some("Ada".into()));
        assert_eq!(first_name(Some("+2348012345678")), None);
        assert_eq!(first_name(None), None);
    }
}
