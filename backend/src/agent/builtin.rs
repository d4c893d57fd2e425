//! The built-in responder: answers from the catalog without any AI provider, so no
//! customer waits unanswered when there is no key, the provider keeps failing, or the
//! daily budget is spent. It quotes only catalog facts (price, discount, stock,
//! colors), haggles by the owner's concession policy (never below the floor), and
//! otherwise says a person will reply.

use serde_json::{Value, json};

use super::catalog::{describe, matching, words};
use super::guard::find_amounts;
use super::tools::ToolBox;
use crate::db::products::Product;

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "good morning",
    "good afternoon",
    "good evening",
    "morning",
    "evening",
    "howdy",
    "greetings",
    "yo",
    "hola",
    "bonjour",
];
const CATALOG_WORDS: &[&str] = &[
    "catalog",
    "catalogue",
    "products",
    "price list",
    "pricelist",
    "what do you sell",
    "what do you have",
    "menu",
    "items",
    "available",
];
fn is_greeting(text: &str) -> bool {
    let t = text.to_lowercase();
    let t = t
        .trim_matches(|c: char| !c.is_alphanumeric() && !c.is_whitespace())
        .trim();
    GREETINGS
        .iter()
        .any(|g| t == *g || t.starts_with(&format!("{g} ")) || t.starts_with(&format!("{g},")))
}

/// The answer to the customer's latest messages (joined), from the catalog only.
pub fn respond(business_name: &str, catalog: &[Product], customer_text: &str) -> String {
    let found = matching(catalog, customer_text);
    if !found.is_empty() {
        let lines: Vec<String> = found.iter().map(|p| describe(p)).collect();
        return format!(
            "{}\nTell us the color and quantity you'd like, and a person from {business_name} will confirm your order.",
            lines.join("\n")
        );
    }
    let lower = customer_text.to_lowercase();
    let names: Vec<&str> = catalog
        .iter()
        .filter(|p| p.quantity > 0)
        .take(6)
        .map(|p| p.name.as_str())
        .collect();
    if CATALOG_WORDS.iter().any(|w| lower.contains(w)) && !names.is_empty() {
        let lines: Vec<String> = catalog
            .iter()
            .filter(|p| p.quantity > 0)
            .take(6)
            .map(describe)
            .collect();
        return format!("Here is what we have:\n{}", lines.join("\n"));
    }
    if is_greeting(customer_text) {
        if names.is_empty() {
            return format!("Hello! Welcome to {business_name}. How can we help you?");
        }
        return format!(
            "Hello! Welcome to {business_name}. We have {}. Ask me about any of them for prices, colors and stock.",
            names.join(", ")
        );
    }
    format!("Thanks for your message! A person from {business_name} will reply soon.")
}

/// The safe reply used when the guard blocks a model's text.
pub fn safe_reply(business_name: &str, catalog: &[Product], customer_text: &str) -> String {
    let found = matching(catalog, customer_text);
    if found.is_empty() {
        "Let me confirm that price with the team; a person will get back to you shortly.".into()
    } else {
        let lines: Vec<String> = found.iter().map(|p| describe(p)).collect();
        format!(
            "{}\nLet me confirm anything else about the price with the team at {business_name}; a person will get back to you shortly.",
            lines.join("\n")
        )
    }
}

/// Words that say the customer wants to buy now.
const ORDER_WORDS: &[&str] = &[
    "take",
    "buy",
    "order",
    "deliver",
    "delivery",
    "reserve",
    "deal",
    "i'll have",
    "send it",
    "ship",
    "purchase",
];

fn wants_to_order(text: &str) -> bool {
    let lower = text.to_lowercase();
    let ws = words(&lower);
    ORDER_WORDS.iter().any(|w| {
        if w.contains(' ') || w.contains('\'') {
            lower.contains(w)
        } else {
            ws.iter().any(|x| x == w)
        }
    })
}

/// The product the customer's latest words are about: the one they name, else (when
/// they name none) the one they asked about last in this chat.
fn product_in_focus<'a>(tools: &mut ToolBox<'a>, text: &str) -> Option<&'a Product> {
    let found = matching(tools.catalog, text);
    for p in found.iter().rev() {
        tools.note_interest(p);
    }
    match found.as_slice() {
        [one] => Some(*one),
        [] => tools
            .interest
            .first()
            .and_then(|i| tools.catalog.iter().find(|p| p.id.0 == i.product_id)),
        _ => None,
    }
}

/// The product color the customer named, if any.
fn mentioned_color(p: &Product, text: &str) -> Option<String> {
    let ws = words(text);
    p.colors
        .clone()
        .into_iter()
        .find(|c| ws.contains(&c.to_lowercase()))
}

/// Words that say the customer gave (or asked about) a delivery address.
const DELIVERY_WORDS: &[&str] = &[
    "deliver", "delivery", "address", "street", "avenue", "road", "close", "estate", "lane",
    "crescent", "ship", "send", "pickup", "pick",
];

/// The next step after a price is agreed: what we still need to know.
fn next_step(p: &Product, text: &str, business_name: &str) -> String {
    let ws = words(text);
    let mut missing = Vec::new();
    let colors = &p.colors;
    if colors.len() > 1 && mentioned_color(p, text).is_none() {
        missing.push(format!("which color you'd like ({})", colors.join(", ")));
    }
    if !ws.iter().any(|w| DELIVERY_WORDS.contains(&w.as_str())) {
        missing.push("where we should deliver".to_string());
    }
    if missing.is_empty() {
        format!("A person from {business_name} will confirm your order and delivery shortly.")
    } else {
        format!(
            "Tell me {}, and a person from {business_name} will confirm your order.",
            missing.join(" and ")
        )
    }
}

/// The built-in responder inside a conversation: like [`respond`], and it also haggles
/// by the owner's concession policy through the same `make_counter_offer` tool the model
/// uses (so the floor holds and the negotiation is stored on the chat), and answers a
/// customer ready to buy with the price that applies to them.
pub async fn respond_in_chat(business_name: &str, tools: &mut ToolBox<'_>, text: &str) -> String {
    if let Some(p) = product_in_focus(tools, text) {
        let exponent = p.currency.exponent();
        // A bare number counts as a price from a tenth of the floor up, so "2 dresses"
        // or "size 12" are not asks.
        let threshold = (p.bargain_floor_minor / 10).max(10i64.pow(exponent));
        if let Some(ask) = find_amounts(text, exponent, threshold).last() {
            let input = json!({
                "product_id": p.id,
                "customer_offer": p.money(ask.minor).to_input(),
            });
            let (result, refused) = tools.run("make_counter_offer", &input).await;
            let result: Value = serde_json::from_str(&result).unwrap_or(Value::Null);
            if !refused && let Some(price) = result["price"].as_str() {
                return match result["decision"].as_str() {
                    Some("accept") => format!(
                        "Deal! You can have the {}{} for {price}. {}",
                        p.name,
                        mentioned_color(p, text)
                            .map(|c| format!(" in {c}"))
                            .unwrap_or_default(),
                        next_step(p, text, business_name)
                    ),
                    Some("final") => format!(
                        "{price} is our best price for the {}; we can't go any lower. Shall I reserve one for you?",
                        p.name
                    ),
                    _ => format!(
                        "I can't go that low on the {}, but I can give it to you for {price}. Shall I reserve one for you?",
                        p.name
                    ),
                };
            }
        } else if wants_to_order(text) {
            let unit = tools.unit_price(p);
            let color = mentioned_color(p, text);
            if p.quantity == 0 {
                return format!(
                    "Sorry, the {} is out of stock at the moment. A person from {business_name} will let you know when it is back.",
                    p.name
                );
            }
            return format!(
                "Great choice! The {}{} at {}. {}",
                p.name,
                color.map(|c| format!(" in {c}")).unwrap_or_default(),
                p.money(unit).display(),
                next_step(p, text, business_name)
            );
        }
    }
    respond(business_name, tools.catalog, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::tests::dress;

    #[test]
    fn the_next_step_asks_only_for_what_is_missing() {
        let p = dress();
        assert_eq!(
            next_step(&p, "ok 20000", "Ada's"),
            "Tell me which color you'd like (Red, Blue) and where we should deliver, and a person from Ada's will confirm your order."
        );
        assert_eq!(
            next_step(&p, "the blue one please, 4 Marina Road", "Ada's"),
            "A person from Ada's will confirm your order and delivery shortly."
        );
        assert_eq!(
            next_step(&p, "red", "Ada's"),
            "Tell me where we should deliver, and a person from Ada's will confirm your order."
        );
    }

    #[test]
    fn order_words_are_whole_words() {
        assert!(wants_to_order("I'll take the red one"));
        assert!(wants_to_order("please deliver to Ikeja"));
        assert!(!wants_to_order("is it a mistake?"));
        assert!(!wants_to_order("what colors do you have"));
    }
}
