//! The built-in responder: answers from the catalog without any AI provider, so no
//! customer waits unanswered when there is no key, the provider keeps failing, or the
//! daily budget is spent. It quotes only catalog facts (price, discount, stock,
//! colors) and otherwise says a person will reply.

use shared::Currency;
use shared::money::format_minor;

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
/// Words too common to identify a product.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "how", "much", "what", "you", "your", "have", "with", "this", "that",
    "price", "cost", "many", "are", "any", "can", "get", "want", "need", "please", "is",
];

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// How well `product` matches the customer's words (0 = not at all).
pub fn match_score(product: &Product, customer_words: &[String]) -> usize {
    let name_words = words(&product.name);
    let mut score = 0;
    for w in customer_words {
        if w.len() < 3 || STOP_WORDS.contains(&w.as_str()) {
            continue;
        }
        let stem = w.trim_end_matches('s');
        if name_words
            .iter()
            .any(|n| n == w || n.trim_end_matches('s') == stem)
        {
            score += 3;
        } else if product
            .color_list()
            .iter()
            .any(|c| c.eq_ignore_ascii_case(w))
        {
            score += 1;
        }
    }
    score
}

/// Products matching the text, best first (only the best-scoring ones).
pub fn matching<'a>(catalog: &'a [Product], text: &str) -> Vec<&'a Product> {
    let ws = words(text);
    let mut scored: Vec<(usize, &Product)> = catalog
        .iter()
        .map(|p| (match_score(p, &ws), p))
        .filter(|(s, _)| *s >= 3)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    let best = scored.first().map_or(0, |(s, _)| *s);
    scored
        .into_iter()
        .filter(|(s, _)| *s == best)
        .map(|(_, p)| p)
        .take(3)
        .collect()
}

fn money(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Some(c) => format_minor(minor, &c),
        None => minor.to_string(),
    }
}

/// One line of catalog facts about a product.
pub fn describe(product: &Product) -> String {
    let price = product.price_minor;
    let now = product.discounted_price_minor();
    let mut line = if now < price {
        format!(
            "{}: {} (was {})",
            product.name,
            money(now, &product.currency),
            money(price, &product.currency)
        )
    } else {
        format!("{}: {}", product.name, money(price, &product.currency))
    };
    if product.quantity > 0 {
        line.push_str(&format!(", {} in stock", product.quantity));
    } else {
        line.push_str(", out of stock at the moment");
    }
    let colors = product.color_list();
    if !colors.is_empty() {
        line.push_str(&format!(", colors: {}", colors.join(", ")));
    }
    line.push('.');
    line
}

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
