//! Catalog lookup for the AI salesperson, shared by the tools ([`super::tools`]) and
//! the built-in responder ([`super::builtin`]): which products a customer's words name,
//! and the catalog facts either may tell a customer (never the bargaining floor).
//! Amounts are formatted by [`shared::Money`].

use serde_json::{Value, json};

use crate::db::products::Product;

/// Words too common to identify a product.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "how", "much", "what", "you", "your", "have", "with", "this", "that",
    "price", "cost", "many", "are", "any", "can", "get", "want", "need", "please", "is",
];

/// The lower-case words of a text.
pub fn words(text: &str) -> Vec<String> {
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
            .colors
            .clone()
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

/// One line of catalog facts about a product.
pub fn describe(product: &Product) -> String {
    let price = product.price_minor;
    let now = product.discounted_price_minor();
    let mut line = if now < price {
        format!(
            "{}: {} (was {})",
            product.name,
            product.money(now).display(),
            product.money(price).display()
        )
    } else {
        format!("{}: {}", product.name, product.money(price).display())
    };
    if product.quantity > 0 {
        line.push_str(&format!(", {} in stock", product.quantity));
    } else {
        line.push_str(", out of stock at the moment");
    }
    let colors = &product.colors;
    if !colors.is_empty() {
        line.push_str(&format!(", colors: {}", colors.join(", ")));
    }
    line.push('.');
    line
}

/// The facts about a product the model may see (never the floor).
pub fn facts(p: &Product) -> Value {
    let now = p.discounted_price_minor();
    json!({
        "product_id": p.id,
        "name": p.name,
        "description": p.description.chars().take(300).collect::<String>(),
        "price": p.money(p.price_minor).display(),
        "discounted_price": p.money(now).display(),
        "discounted_price_major": p.money(now).to_input(),
        "on_sale": now < p.price_minor,
        "in_stock": p.quantity,
        "colors": &p.colors,
    })
}
