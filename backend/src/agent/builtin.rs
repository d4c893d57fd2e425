//! The built-in responder: answers from the catalog without any AI provider, so no
//! customer waits unanswered when there is no key, the provider keeps failing, or the
//! daily budget is spent. It quotes only catalog facts (price, discount, stock,
//! colors), haggles by the owner's concession policy (never below the floor), records
//! a pending order once a price is agreed and the customer gave the color (when there
//! are several), the quantity (one unless said) and a delivery address (through the
//! same `create_order` tool the model uses, so the same order rules hold), and
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
                "quantity": mentioned_quantity(p, text).unwrap_or(1),
            });
            let (result, refused) = tools.run("make_counter_offer", &input).await;
            let result: Value = serde_json::from_str(&result).unwrap_or(Value::Null);
            match result["decision"].as_str() {
                Some("needs_owner_approval") => {
                    return format!(
                        "That's more than I can agree to myself on the {}, so let me check with {business_name} and come back to you shortly.",
                        p.name
                    );
                }
                Some("awaiting_owner") => {
                    return format!(
                        "I'm still waiting for {business_name}'s answer on the {}; I'll come back to you as soon as I hear.",
                        p.name
                    );
                }
                _ => {}
            }
            if !refused && let Some(price) = result["price"].as_str() {
                return match result["decision"].as_str() {
                    Some("accept") => format!(
                        "Deal! You can have the {}{} for {price}. {}",
                        p.name,
                        mentioned_color(p, text)
                            .map(|c| format!(" in {c}"))
                            .unwrap_or_default(),
                        order_or_next_step(tools, p, text, business_name).await
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
                order_or_next_step(tools, p, text, business_name).await
            );
        } else if tools.agreed_price(p).is_some() && order_details(p, text).is_some() {
            // The price was agreed earlier; these words bring what was missing.
            return order_or_next_step(tools, p, text, business_name).await;
        }
    }
    respond(business_name, tools.catalog, text)
}

/// What the customer's words give for an order of a product: the color (required when
/// the product comes in several), the quantity (one unless they say otherwise) and the
/// delivery address.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OrderDetails {
    color: Option<String>,
    quantity: i64,
    address: String,
}

/// The order details in `text`; `None` until the color and the address are both there.
fn order_details(p: &Product, text: &str) -> Option<OrderDetails> {
    let color = mentioned_color(p, text);
    if p.colors.len() > 1 && color.is_none() {
        return None;
    }
    Some(OrderDetails {
        color,
        quantity: mentioned_quantity(p, text).unwrap_or(1),
        address: delivery_address(text)?,
    })
}

/// Phrases that introduce a delivery address.
const ADDRESS_MARKERS: &[&str] = &[
    "deliver it to",
    "deliver to",
    "delivery to",
    "delivered to",
    "send it to",
    "send to",
    "ship to",
    "bring it to",
    "address is",
    "address:",
    "address -",
    "my address",
];

/// Words that end a street name.
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "close",
    "estate",
    "lane",
    "crescent",
    "way",
    "drive",
    "boulevard",
    "str",
];

/// Words that say how many: "2 pieces", "2 pcs".
const COUNT_WORDS: &[&str] = &["pieces", "piece", "pcs", "units", "unit", "items"];

/// The delivery address in the customer's words: what follows "deliver to",
/// "address:"... or, without such a phrase, the stretch from a house number up to the
/// end of the line that names a street ("4 Marina Road, Lagos").
fn delivery_address(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let after_marker = ADDRESS_MARKERS
        .iter()
        .filter_map(|m| lower.find(m).map(|at| at + m.len()))
        .min();
    let raw = match after_marker {
        Some(start) => &text[start..],
        None => {
            let spans = word_spans(text);
            let street = spans
                .iter()
                .position(|(_, w)| STREET_WORDS.contains(&w.to_ascii_lowercase().as_str()))?;
            let number = spans[..street]
                .iter()
                .rposition(|(_, w)| w.starts_with(|c: char| c.is_ascii_digit()))
                .filter(|n| street - n <= 4)?;
            &text[spans[number].0..]
        }
    };
    let line = raw.lines().next().unwrap_or("");
    let address = line
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | ','))
        .trim_start_matches("is ")
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!' | ','))
        .trim();
    let useful = address.chars().filter(|c| c.is_alphanumeric()).count() >= 4;
    useful.then(|| address.chars().take(crate::orders::MAX_TEXT).collect())
}

/// The words of `text` (letters and digits) with their byte offsets.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, &text[s..]));
    }
    spans
}

/// How many the customer asked for: "2 pieces", "2 pcs", "x2", "2x", or a number
/// before a word of the product's name ("2 dresses"); `None` when they did not say.
fn mentioned_quantity(p: &Product, text: &str) -> Option<i64> {
    let name_words = words(&p.name.to_lowercase());
    let ws = words(&text.to_lowercase());
    let small = |w: &str| w.parse::<i64>().ok().filter(|n| (1..=99).contains(n));
    for (i, w) in ws.iter().enumerate() {
        if let Some(n) = w
            .strip_prefix('x')
            .or_else(|| w.strip_suffix('x'))
            .and_then(small)
        {
            return Some(n);
        }
        let Some(n) = small(w) else { continue };
        let Some(next) = ws.get(i + 1) else { continue };
        let singular = next.trim_end_matches('s').trim_end_matches("e");
        let names_product = name_words
            .iter()
            .any(|nw| nw == next || (singular.len() >= 3 && nw.starts_with(singular)));
        if COUNT_WORDS.contains(&next.as_str()) || names_product {
            return Some(n);
        }
    }
    None
}

/// Records the pending order when the customer gave everything for it (at the price
/// that applies to them: agreed, else discounted) and says so with its number; else
/// asks for what is missing. An order already pending for this product in the chat is
/// not recorded twice.
async fn order_or_next_step(
    tools: &mut ToolBox<'_>,
    p: &Product,
    text: &str,
    business_name: &str,
) -> String {
    let Some(details) = order_details(p, text) else {
        return next_step(p, text, business_name);
    };
    if let Some(number) = tools.pending_order_with(p).await {
        return format!(
            "Your order #{number} is already recorded; a person from {business_name} will confirm it shortly."
        );
    }
    let unit = tools.unit_price(p);
    let input = json!({
        "items": [{
            "product_id": p.id,
            "quantity": details.quantity,
            "color": details.color,
            "unit_price": p.money(unit).to_input(),
        }],
        "delivery_address": details.address,
    });
    let (result, refused) = tools.run("create_order", &input).await;
    let result: Value = serde_json::from_str(&result).unwrap_or(Value::Null);
    if refused {
        let reason = result["error"]
            .as_str()
            .unwrap_or("it could not be recorded");
        return format!(
            "I couldn't record the order ({reason}). A person from {business_name} will help you shortly."
        );
    }
    let what = format!(
        "{} x {}{}",
        details.quantity,
        p.name,
        details
            .color
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default()
    );
    match result["order_number"].as_str() {
        Some(number) => format!(
            "I've recorded your order {number}: {what}, {}, delivery to {}. A person from {business_name} will confirm it shortly.",
            result["total"].as_str().unwrap_or_default(),
            details.address
        ),
        None => format!(
            "I'll record your order: {what}, delivery to {}. A person from {business_name} will confirm it shortly.",
            details.address
        ),
    }
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
    fn delivery_addresses_are_read_from_the_customers_words() {
        assert_eq!(
            delivery_address("fine, 19,000 for the red one. Deliver to 12 Allen Avenue").as_deref(),
            Some("12 Allen Avenue")
        );
        assert_eq!(
            delivery_address("red please. 4 Marina Road, Lagos.").as_deref(),
            Some("4 Marina Road, Lagos")
        );
        assert_eq!(
            delivery_address("My address: Plot 7, Lekki Phase 1\nthanks").as_deref(),
            Some("Plot 7, Lekki Phase 1")
        );
        assert_eq!(delivery_address("can you deliver?"), None);
        assert_eq!(delivery_address("ok 20000 for the red"), None);
    }

    #[test]
    fn quantities_are_read_only_when_said() {
        let p = dress();
        assert_eq!(mentioned_quantity(&p, "2 dresses in red"), Some(2));
        assert_eq!(mentioned_quantity(&p, "I'll take 3 pieces"), Some(3));
        assert_eq!(mentioned_quantity(&p, "x2 please"), Some(2));
        assert_eq!(mentioned_quantity(&p, "deliver to 4 Marina Road"), None);
        assert_eq!(mentioned_quantity(&p, "size 12 in red"), None);
    }

    #[test]
    fn an_order_needs_a_color_when_there_are_several_and_an_address() {
        let p = dress();
        assert_eq!(order_details(&p, "deliver to 4 Marina Road"), None);
        assert_eq!(order_details(&p, "the red one"), None);
        assert_eq!(
            order_details(&p, "the red one, deliver to 4 Marina Road"),
            Some(OrderDetails {
                color: Some("Red".into()),
                quantity: 1,
                address: "4 Marina Road".into()
            })
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
