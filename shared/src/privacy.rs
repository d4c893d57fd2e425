//! Less personal data to the AI model: phone numbers and e-mail addresses inside
//! message text (typed, or from shared contact cards) are replaced by [`PHONE_MASK`]
//! and [`EMAIL_MASK`] before a conversation is sent to the model. Amounts, quantities,
//! dates and order numbers are left alone: the model needs them to sell.

/// What a phone number becomes.
pub const PHONE_MASK: &str = "[phone]";
/// What an e-mail address becomes.
pub const EMAIL_MASK: &str = "[email]";

/// Fewest and most digits of a phone number (E.164 allows up to 15; local numbers
/// have at least 7).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// Currency codes and words that, written just before a number, make it an amount.
const CURRENCY_WORDS: &[&str] = &[
    "ngn",
    "usd",
    "eur",
    "gbp",
    "kes",
    "ghs",
    "zar",
    "xof",
    "xaf",
    "egp",
    "inr",
    "cad",
    "aud",
    "naira",
    "dollars",
    "euros",
    "pounds",
    "cedis",
    "shillings",
    "rand",
    "n",
];

/// Currency symbols that make the number after them an amount.
const CURRENCY_SYMBOLS: &[char] = &['$', '€', '£', '₦', '¥', '₹', '₵', '₩'];

/// `text` with every phone number replaced by [`PHONE_MASK`] and every e-mail address
/// by [`EMAIL_MASK`].
pub fn mask_contact_details(text: &str) -> String {
    mask_phones(&mask_emails(text))
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

/// Replaces `local@domain.tld` addresses.
fn mask_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > copied && is_local_char(chars[start - 1]) {
            start -= 1;
        }
        // A sentence's full stop or quote before the address is not part of it.
        while start < i && matches!(chars[start], '.' | '\'' | '-') {
            start += 1;
        }
        let mut end = i + 1;
        while end < chars.len() && is_domain_char(chars[end]) {
            end += 1;
        }
        while end > i + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1;
        }
        let domain: String = chars[i + 1..end].iter().collect();
        let tld_ok = domain.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
        });
        if start < i && tld_ok {
            out.extend(&chars[copied..start]);
            out.push_str(EMAIL_MASK);
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.extend(&chars[copied..]);
    out
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')
}

/// Where a run of digits and separators that could be a phone number ends (its last
/// digit or closing parenthesis, exclusive), starting at `start`.
fn run_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    let mut last_good = start;
    let mut separators = 0;
    let mut open = 0;
    while end < chars.len() {
        let c = chars[end];
        if c.is_ascii_digit() {
            separators = 0;
            end += 1;
            last_good = end;
        } else if c == '+' && end == start {
            end += 1;
        } else if c == ')' {
            // Only a bracket the number opened closes inside it: `(555) 123`, not the
            // `)` after `Ada (555 1234)`.
            if open == 0 || separators > 0 {
                break;
            }
            open -= 1;
            end += 1;
            last_good = end;
        } else if is_separator(c) && separators < 2 {
            if c == '(' {
                open += 1;
            }
            separators += 1;
            end += 1;
        } else {
            break;
        }
    }
    last_good
}

/// The word (letters only) or symbol just before `start`, skipping spaces.
fn word_before(chars: &[char], start: usize) -> (Option<char>, String) {
    let mut i = start;
    while i > 0 && chars[i - 1].is_whitespace() {
        i -= 1;
    }
    let symbol = i.checked_sub(1).map(|j| chars[j]);
    let mut word = String::new();
    while i > 0 && chars[i - 1].is_alphabetic() {
        i -= 1;
        word.insert(0, chars[i].to_ascii_lowercase());
    }
    (symbol, word)
}

/// Whether the run `run` (digits, `+`, separators) preceded by `before` is a phone
/// number rather than an amount, a quantity, a date or a code.
fn is_phone(run: &[char], before: (Option<char>, String)) -> bool {
    let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
    if !PHONE_DIGITS.contains(&digits) {
        return false;
    }
    let (symbol, word) = before;
    if symbol.is_some_and(|s| CURRENCY_SYMBOLS.contains(&s))
        || CURRENCY_WORDS.contains(&word.as_str())
    {
        return false;
    }
    if run.first() == Some(&'+') {
        return true;
    }
    // The digit groups and the separators between them.
    let mut groups: Vec<usize> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let mut current = 0;
    let mut pending: Option<char> = None;
    for &c in run {
        if c.is_ascii_digit() {
            if current == 0 && !groups.is_empty() {
                seps.push(pending.take().unwrap_or(' '));
            }
            current += 1;
        } else {
            if current > 0 {
                groups.push(current);
                current = 0;
            }
            if !matches!(c, '(' | ')' | '+') && pending.is_none() {
                pending = Some(if c.is_whitespace() { ' ' } else { c });
            }
        }
    }
    if current > 0 {
        groups.push(current);
    }
    if groups.len() == 1 {
        // A bare number: an amount in most shops up to 9 digits; a phone number when
        // it is longer, or written the local way with a leading 0.
        let first = run.iter().find(|c| c.is_ascii_digit());
        return digits >= 10 || first == Some(&'0');
    }
    let last = groups.last().copied().unwrap_or_default();
    // 1250.50 or 1.500.000,5: a decimal amount.
    if seps.last() == Some(&'.') && last <= 2 {
        return false;
    }
    // 2026-12-07, 07.12.2026: a date.
    if groups.len() == 3
        && (groups == [4, 2, 2] || groups == [2, 2, 4])
        && seps.iter().all(|s| *s == '-' || *s == '.')
    {
        return false;
    }
    // 1 500 000 or 2.500.000: thousands grouped.
    let thousands = groups[0] <= 3
        && groups[1..].iter().all(|g| *g == 3)
        && seps.iter().all(|s| *s == ' ' || *s == '.')
        && !run.contains(&'(');
    !thousands
}

/// Replaces phone numbers: `+` and a country code, spaces, dashes, dots and brackets
/// allowed inside.
fn mask_phones(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let starts = c.is_ascii_digit() || ((c == '+' || c == '(') && next_digit);
        let after_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if !starts || after_word {
            out.push(c);
            i += 1;
            continue;
        }
        let end = run_end(&chars, i).max(i + 1);
        let glued = chars
            .get(end)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '@');
        if !glued && is_phone(&chars[i..end], word_before(&chars, i)) {
            out.push_str(PHONE_MASK);
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        mask_contact_details(text)
    }

    #[test]
    fn international_and_local_phone_numbers_are_masked() {
        for (text, want) in [
            (
                "call me on +234 803 123 4567 please",
                "call me on [phone] please",
            ),
            ("+2348031234567", "[phone]"),
            ("my number: 2348031234567.", "my number: [phone]."),
            ("08031234567", "[phone]"),
            ("0803 123 4567", "[phone]"),
            ("0803-123-4567!", "[phone]!"),
            ("(555) 123-4567", "[phone]"),
            ("+1 (555) 123-4567 or +44 7911 123456", "[phone] or [phone]"),
            ("555.123.4567", "[phone]"),
            ("15551234567", "[phone]"),
            ("+49 30 901820", "[phone]"),
            ("whatsapp me +254-712-345-678", "whatsapp me [phone]"),
        ] {
            assert_eq!(masked(text), want, "{text}");
        }
    }

    #[test]
    fn shared_contact_cards_lose_their_numbers_not_their_names() {
        assert_eq!(
            masked(
                "👤 Shared contact: Mama Ada (+234 803 555 0199, 2348035550199); Tunde (+1 650-555-1234)"
            ),
            "👤 Shared contact: Mama Ada ([phone], [phone]); Tunde ([phone])"
        );
    }

    #[test]
    fn email_addresses_are_masked() {
        for (text, want) in [
            ("mail ada.obi+shop@example.com.ng now", "mail [email] now"),
            ("Email: ADA@Example.COM.", "Email: [email]."),
            ("me@x.io, you@y.co", "[email], [email]"),
        ] {
            assert_eq!(masked(text), want, "{text}");
        }
    }

    #[test]
    fn prices_quantities_dates_and_codes_are_kept() {
        for text in [
            "$1,250.00",
            "I can pay 1,250,000 naira",
            "NGN 1500000 is my last price",
            "₦ 2 500 000",
            "my budget is 1 500 000",
            "2.500.000",
            "1250000.50",
            "I will pay 1500000",
            "2 pieces, x3, 10 dresses",
            "order #1042 on 2026-12-07 at 14:30",
            "deliver on 07.12.2026",
            "size 12, 4 Marina Road, Lagos 100001",
            "code ABC1234567",
            "twitter @ada_shops",
            "ada@localhost",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn text_around_masks_is_untouched() {
        assert_eq!(
            masked(
                "Hi! Send the red one (size 12) to ada@example.com, tel 0803 123 4567. Thanks 🙏"
            ),
            "Hi! Send the red one (size 12) to [email], tel [phone]. Thanks 🙏"
        );
    }
}
