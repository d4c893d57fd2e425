//! Phone numbers as WhatsApp writes them: digits only, country code first, no `+`.

/// Normalises a typed phone number (`+234 803-123 4567`) to WhatsApp's form
/// (`2348031234567`). `None` unless it has 7 to 15 digits (E.164 bounds).
pub fn normalize_phone(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
    {
        return None;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    (7..=15).contains(&digits.len()).then_some(digits)
}

/// Shows a stored number as `+2348031234567`.
pub fn display_phone(wa_id: &str) -> String {
    format!("+{wa_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_shapes() {
        assert_eq!(
            normalize_phone("+234 803-123 4567").as_deref(),
            Some("2348031234567")
        );
        assert_eq!(
            normalize_phone("1 (555) 123-4567").as_deref(),
            Some("15551234567")
        );
        assert_eq!(normalize_phone("12ab"), None);
        assert_eq!(normalize_phone("123"), None);
    }
}
