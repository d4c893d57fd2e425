//! The output guard: before any AI text reaches a customer, every money amount in it
//! must be a price the server stands behind.
//!
//! An amount passes when it is a catalog price or discounted price, a price offered
//! or agreed in the chat's stored negotiation, or an amount a tool computed in this
//! turn (quotes, counter-offers, order totals); and, when the text names products,
//! it is not below the lowest bargaining floor among them (unless a tool computed
//! it, e.g. a total). Anything else (a model "agreeing" to 5,000, a made-up discount)
//! blocks the whole reply.
//!
//! Amounts are found with or without a currency (`₦15k`, `NGN 1,200,000`, `$25`,
//! `12500.00`, `5,000`, `18 500`, `nineteen thousand naira`); a bare small number (a
//! size, a count) is not money. A reply naming no price may still not agree ("Yes,
//! deal!") to a customer's ask below the floor ([`GuardContext::check_agreement`]).

use std::collections::HashSet;

/// What the guard checks against.
#[derive(Debug, Clone, Default)]
pub struct GuardContext {
    /// Digits after the decimal point in the business's currency.
    pub exponent: u32,
    /// Every product: lower-case name, price, discounted price, floor (minor units).
    pub products: Vec<GuardProduct>,
    /// Offered / agreed prices from the stored negotiation (minor units).
    pub negotiated: Vec<i64>,
    /// Amounts computed by tools this turn (minor units).
    pub computed: Vec<i64>,
}

/// A product as the guard sees it.
#[derive(Debug, Clone)]
pub struct GuardProduct {
    /// Lower-case name.
    pub name: String,
    /// List price.
    pub price_minor: i64,
    /// Price after the standing discount.
    pub discounted_minor: i64,
    /// Bargaining floor.
    pub floor_minor: i64,
}

/// An amount found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAmount {
    /// As written.
    pub text: String,
    /// In minor units.
    pub minor: i64,
}

/// Why a text was blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The amounts that failed.
    pub amounts: Vec<FoundAmount>,
}

const CURRENCY_WORDS: &[&str] = &[
    "ngn", "naira", "usd", "dollar", "dollars", "eur", "euro", "euros", "gbp", "pounds", "kes",
    "ghs", "cedis", "zar", "rand", "inr", "rupees", "xof", "cfa",
];
const CURRENCY_SYMBOLS: &[char] = &['₦', '$', '€', '£', '₹', '¥', '₵'];
const UNIT_WORDS: &[&str] = &[
    "cm", "mm", "m", "kg", "g", "pcs", "pieces", "piece", "items", "item", "units", "unit", "in",
    "left", "pairs", "pair", "hours", "hour", "hrs", "days", "day", "minutes", "mins", "weeks",
    "years", "x", "%", "percent", "sizes", "size", "am", "pm", "st", "nd", "rd", "th",
];
const SIZE_WORDS: &[&str] = &[
    "size", "sizes", "eu", "uk", "us", "qty", "quantity", "no", "number", "order", "#", "x",
];

fn word_before(text: &str, start: usize) -> String {
    text[..start]
        .trim_end()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric() && !CURRENCY_SYMBOLS.contains(&c) && c != '#')
        .to_lowercase()
}

fn word_after(text: &str) -> String {
    text.trim_start()
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '%')
        .to_lowercase()
}

/// Finds money amounts. `bare_threshold_minor`: a number with no currency, no
/// thousands separator and no `k` counts as money only from this size up.
pub fn find_amounts(text: &str, exponent: u32, bare_threshold_minor: i64) -> Vec<FoundAmount> {
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if !c.is_ascii_digit() {
            i += 1;
            continue;
        }
        // Part of a word or of a time like 2:30?
        let prev = if i > 0 { Some(bytes[i - 1].1) } else { None };
        if prev.is_some_and(|p| p.is_alphabetic() && !matches!(p, 'N' | 'n')) || prev == Some(':') {
            while i < bytes.len() && (bytes[i].1.is_ascii_alphanumeric()) {
                i += 1;
            }
            continue;
        }
        let attached_n = prev.is_some_and(|p| matches!(p, 'N' | 'n'))
            && (i < 2 || !bytes[i - 2].1.is_alphanumeric());
        if prev.is_some_and(|p| matches!(p, 'N' | 'n')) && !attached_n {
            while i < bytes.len() && bytes[i].1.is_ascii_alphanumeric() {
                i += 1;
            }
            continue;
        }
        // The number: digits, thousands separators, one decimal part.
        let mut j = i;
        let mut grouped = false;
        let mut decimals: Option<usize> = None;
        let mut group_len = 0usize;
        while j < bytes.len() {
            let ch = bytes[j].1;
            if ch.is_ascii_digit() {
                j += 1;
                group_len += 1;
            } else if matches!(ch, ' ' | '\u{a0}' | '\u{202f}')
                && decimals.is_none()
                && group_len <= 3
            {
                // "18 500": thousands grouped with a (narrow) space, as many locales write.
                if !group_follows(&bytes, j, char::is_alphanumeric) {
                    break;
                }
                grouped = true;
                group_len = 0;
                j += 1;
            } else if ch == ',' && decimals.is_none() {
                if !group_follows(&bytes, j, |a| a.is_ascii_digit()) {
                    break;
                }
                grouped = true;
                group_len = 0;
                j += 1;
            } else if ch == '.' && decimals.is_none() {
                let digits = bytes[j + 1..]
                    .iter()
                    .take_while(|(_, c)| c.is_ascii_digit())
                    .count();
                if digits == 0 {
                    break;
                }
                decimals = Some(digits);
                j += 1 + digits;
                break;
            } else {
                break;
            }
        }
        let end = bytes.get(j).map_or(text.len(), |(b, _)| *b);
        let literal = &text[start..end];
        let cleaned: String = literal
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        let Ok(whole_value) = whole.parse::<i64>() else {
            i = j;
            continue;
        };
        // Multiplier suffix: 15k, 1.2m, 2 million.
        let rest = &text[end..];
        let suffix = word_after(rest);
        let attached_suffix: String = rest
            .chars()
            .take_while(|c| c.is_alphabetic())
            .collect::<String>()
            .to_lowercase();
        let multiplier: i64 = match attached_suffix.as_str() {
            "k" => 1_000,
            "m" | "mn" => 1_000_000,
            _ => match suffix.as_str() {
                "k" | "thousand" => 1_000,
                "million" | "mn" => 1_000_000,
                _ => 1,
            },
        };
        let before = word_before(text, start);
        let symbol_before = text[..start]
            .trim_end()
            .chars()
            .last()
            .is_some_and(|c| CURRENCY_SYMBOLS.contains(&c));
        let currency = attached_n
            || symbol_before
            || CURRENCY_WORDS.contains(&before.as_str())
            || CURRENCY_WORDS.contains(&suffix.as_str())
            || CURRENCY_WORDS.contains(&attached_suffix.as_str());
        let frac_digits = frac.len() as u32;
        let scale = 10i64.pow(exponent);
        let frac_minor = if frac.is_empty() {
            0
        } else if frac_digits <= exponent {
            frac.parse::<i64>().unwrap_or(0) * 10i64.pow(exponent - frac_digits)
        } else {
            // More decimals than the currency has: round down to the minor unit.
            frac[..exponent as usize].parse::<i64>().unwrap_or(0)
        };
        let minor = if multiplier > 1 {
            // 1.2m: the fraction scales with the multiplier.
            let frac_value = if frac.is_empty() {
                0
            } else {
                frac.parse::<i64>().unwrap_or(0) * multiplier / 10i64.pow(frac_digits)
            };
            whole_value
                .saturating_mul(multiplier)
                .saturating_add(frac_value)
                .saturating_mul(scale)
        } else {
            whole_value.saturating_mul(scale).saturating_add(frac_minor)
        };
        let money_format = grouped || (decimals == Some(exponent as usize) && exponent > 0);
        let unit_after = multiplier == 1
            && (UNIT_WORDS.contains(&suffix.as_str())
                || UNIT_WORDS.contains(&attached_suffix.as_str()));
        let size_before =
            SIZE_WORDS.contains(&before.as_str()) || text[..start].trim_end().ends_with('#');
        let is_money = currency
            || multiplier > 1
            || ((money_format || minor >= bare_threshold_minor) && !unit_after && !size_before);
        if is_money {
            let shown_end = if multiplier > 1 && !attached_suffix.is_empty() {
                end + attached_suffix.len()
            } else {
                end
            };
            out.push(FoundAmount {
                text: text[start..shown_end.min(text.len())].to_string(),
                minor,
            });
        }
        i = j.max(i + 1);
    }
    out.extend(word_amounts(text, exponent, bare_threshold_minor));
    out
}

/// Whether the separator at `j` is followed by a three-digit group that is not
/// followed by a character `continues` accepts (then the group would be longer).
fn group_follows(bytes: &[(usize, char)], j: usize, continues: impl Fn(char) -> bool) -> bool {
    let next3: String = bytes[j + 1..].iter().take(3).map(|(_, c)| *c).collect();
    let after = bytes.get(j + 4).map(|(_, c)| *c);
    next3.len() == 3 && next3.chars().all(|d| d.is_ascii_digit()) && !after.is_some_and(continues)
}

fn small_number(word: &str) -> Option<i64> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(n) = UNITS.iter().position(|u| *u == word) {
        return i64::try_from(n).ok();
    }
    TENS.iter()
        .position(|t| *t == word)
        .and_then(|n| i64::try_from(n).ok())
        .map(|n| (n + 2) * 10)
}

/// Amounts written in English words ("nineteen thousand five hundred naira"), as money
/// when a currency is named or the value reaches the bare-number threshold.
fn word_amounts(text: &str, exponent: u32, bare_threshold_minor: i64) -> Vec<FoundAmount> {
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let scale = 10i64.pow(exponent);
    let mut out = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        let (mut total, mut current, mut used, mut any) = (0i64, 0i64, 0usize, false);
        let mut m = k;
        while m < tokens.len() {
            let w = tokens[m];
            if let Some(n) = small_number(w) {
                current = current.saturating_add(n);
            } else if w == "hundred" && any {
                current = current.max(1).saturating_mul(100);
            } else if matches!(w, "thousand" | "million") && any {
                let factor = if w == "thousand" { 1_000 } else { 1_000_000 };
                total = total.saturating_add(current.max(1).saturating_mul(factor));
                current = 0;
            } else if w == "and" && any {
                // "five hundred and fifty"
            } else {
                break;
            }
            any = true;
            m += 1;
            used = m - k;
        }
        if used == 0 {
            k += 1;
            continue;
        }
        let value = total.saturating_add(current);
        let after = tokens.get(m).copied().unwrap_or("");
        let before = if k > 0 { tokens[k - 1] } else { "" };
        let minor = value.saturating_mul(scale);
        let currency = CURRENCY_WORDS.contains(&after) || CURRENCY_WORDS.contains(&before);
        if value > 0 && (currency || minor >= bare_threshold_minor) {
            out.push(FoundAmount {
                text: tokens[k..m].join(" "),
                minor,
            });
        }
        k = m;
    }
    out
}

fn words(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl GuardContext {
    /// The smallest bare number treated as money: half the lowest floor (so sizes and
    /// counts are not), at least one major unit.
    fn bare_threshold(&self) -> i64 {
        let lowest = self
            .products
            .iter()
            .map(|p| p.floor_minor.max(1))
            .min()
            .unwrap_or(10i64.pow(self.exponent) * 100);
        (lowest / 2).max(10i64.pow(self.exponent))
    }

    /// Products the text names (a distinctive name word appears in it).
    fn mentioned(&self, text: &str) -> Vec<&GuardProduct> {
        let text_words = words(text);
        self.products
            .iter()
            .filter(|p| {
                p.name
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.chars().count() >= 4)
                    .any(|w| text_words.contains(w))
            })
            .collect()
    }

    /// Checks a reply; `Err` lists the amounts that may not be sent.
    pub fn check(&self, text: &str) -> Result<(), Blocked> {
        let mut allowed: HashSet<i64> = HashSet::new();
        for p in &self.products {
            allowed.insert(p.price_minor);
            allowed.insert(p.discounted_minor);
        }
        allowed.extend(self.negotiated.iter().copied());
        let computed: HashSet<i64> = self.computed.iter().copied().collect();
        let mentioned_floor = self.mentioned(text).iter().map(|p| p.floor_minor).min();
        let bad: Vec<FoundAmount> = find_amounts(text, self.exponent, self.bare_threshold())
            .into_iter()
            .filter(|a| {
                if computed.contains(&a.minor) {
                    return false;
                }
                let known = allowed.contains(&a.minor);
                let below_floor = mentioned_floor.is_some_and(|f| a.minor < f);
                !known || below_floor
            })
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(Blocked { amounts: bad })
        }
    }
}

/// Words that agree to something.
const AGREEING: &[&str] = &[
    "yes",
    "yeah",
    "yep",
    "deal",
    "agreed",
    "agree",
    "ok",
    "okay",
    "fine",
    "accept",
    "accepted",
    "done",
    "sure",
    "alright",
    "absolutely",
    "certainly",
    "perfect",
];

impl GuardContext {
    /// Checks that a reply naming no price does not agree to the customer's ask below a
    /// floor ("Can I have it for 5,000?" - "Yes, deal!"). The floor is that of the
    /// products the two texts name, else the highest in the catalog; an ask a tool
    /// accepted this turn, or one already agreed, is fine.
    pub fn check_agreement(&self, reply: &str, customer_text: &str) -> Result<(), Blocked> {
        let threshold = self.bare_threshold();
        if !find_amounts(reply, self.exponent, threshold).is_empty() {
            // Amounts in the reply are checked by [`GuardContext::check`].
            return Ok(());
        }
        let reply_words = words(reply);
        if !AGREEING.iter().any(|w| reply_words.contains(*w)) {
            return Ok(());
        }
        let mut named = self.mentioned(customer_text);
        named.extend(self.mentioned(reply));
        let floor = if named.is_empty() {
            self.products.iter().map(|p| p.floor_minor).max()
        } else {
            named.iter().map(|p| p.floor_minor).max()
        };
        let Some(floor) = floor else { return Ok(()) };
        let bad: Vec<FoundAmount> = find_amounts(customer_text, self.exponent, threshold)
            .into_iter()
            .filter(|a| a.minor < floor)
            .filter(|a| !self.computed.contains(&a.minor) && !self.negotiated.contains(&a.minor))
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(Blocked { amounts: bad })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo catalog's shape, in NGN (two decimals).
    fn shop() -> GuardContext {
        GuardContext {
            exponent: 2,
            products: vec![
                GuardProduct {
                    name: "ankara wrap dress".into(),
                    price_minor: 2_500_000,
                    discounted_minor: 2_250_000,
                    floor_minor: 1_900_000,
                },
                GuardProduct {
                    name: "gold hoop earrings".into(),
                    price_minor: 950_000,
                    discounted_minor: 950_000,
                    floor_minor: 800_000,
                },
            ],
            negotiated: vec![2_110_000],
            computed: vec![4_500_000],
        }
    }

    #[test]
    fn space_grouped_and_worded_amounts_are_found() {
        let found = |t: &str| -> Vec<i64> {
            find_amounts(t, 2, 400_000)
                .into_iter()
                .map(|a| a.minor)
                .collect()
        };
        assert_eq!(found("ok, 18 500 it is"), [1_850_000]);
        assert_eq!(found("1 250 000 for all"), [125_000_000]);
        assert_eq!(found("nineteen thousand naira"), [1_900_000]);
        assert_eq!(
            found("I can do eighteen thousand five hundred"),
            [1_850_000]
        );
        assert_eq!(found("two hundred and fifty thousand"), [25_000_000]);
        // Counts, sizes and volumes stay out.
        assert!(found("2 500ml bottles, size 12, one dress").is_empty());
    }

    #[test]
    fn a_bare_yes_to_an_ask_below_the_floor_is_blocked() {
        let g = shop();
        let ask = "Can I get the ankara dress for 15,000?";
        for reply in ["Yes, deal!", "OK, done. I'll send it today", "Sure thing!"] {
            assert!(g.check_agreement(reply, ask).is_err(), "{reply}");
        }
        // Declining, countering with a real price, or agreeing to a fair ask is fine.
        assert!(
            g.check_agreement("Sorry, that's too low for this dress.", ask)
                .is_ok()
        );
        assert!(
            g.check_agreement("Sure, I can't do that, but 21,100 works", ask)
                .is_ok()
        );
        assert!(
            g.check_agreement("Yes, deal!", "can I get the ankara dress for 20,000?")
                .is_ok()
        );
        // No product named: the highest floor applies.
        assert!(g.check_agreement("Okay!", "would you take 10k?").is_err());
    }

    #[test]
    fn adversarial_amounts_are_blocked() {
        let g = shop();
        for text in [
            "ok, 5,000 it is",
            "Fine, 5,000 it is!",
            "I can do ₦15k for you",
            "Special price: NGN 1,200,000",
            "Final offer 12500.00",
            "Let's say N15000 for the dress",
            "You can have it for 15000",
            "deal at ₦ 18,999",
            "1.5m naira",
            "$5",
            "just 18k for the ankara dress",
            "The Ankara wrap dress for ₦9,500",
        ] {
            assert!(g.check(text).is_err(), "{text:?} must be blocked");
        }
    }

    #[test]
    fn catalog_offered_and_computed_amounts_pass() {
        let g = shop();
        for text in [
            "The Ankara wrap dress is ₦22,500 (was ₦25,000).",
            "The dress is NGN 22,500.00 today",
            "I can do NGN 21,100.00 for you",
            "Two dresses come to NGN 45,000.00",
            "The gold hoop earrings are ₦9,500 and we have 40 in stock",
            "We have sizes 8 to 16 in Red, Blue and Green; 14 left.",
            "Delivery takes 2 days. Your order number is #12.",
            "Hello! How can I help you today?",
        ] {
            assert_eq!(g.check(text), Ok(()), "{text:?} must pass");
        }
    }

    #[test]
    fn finds_amounts_in_every_notation() {
        let f = |t: &str| {
            find_amounts(t, 2, 100_000)
                .into_iter()
                .map(|a| a.minor)
                .collect::<Vec<_>>()
        };
        assert_eq!(f("₦15k"), vec![1_500_000]);
        assert_eq!(f("NGN 1,200,000"), vec![120_000_000]);
        assert_eq!(f("12500.00"), vec![1_250_000]);
        assert_eq!(f("ok, 5,000 it is"), vec![500_000]);
        assert_eq!(f("size 12 and 3 pieces"), Vec::<i64>::new());
        assert_eq!(f("1.2m"), vec![120_000_000]);
        assert_eq!(f("$25 or 30 dollars"), vec![2_500, 3_000]);
    }
}
