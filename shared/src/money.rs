//! Money in integer minor units (cents, kobo) with its currency: never floats.

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code, upper-case, three letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(transparent)]
pub struct Currency(String);

#[cfg(feature = "diesel")]
impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::mysql::Mysql> for Currency {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::mysql::Mysql>,
    ) -> diesel::serialize::Result {
        diesel::serialize::ToSql::<diesel::sql_types::Text, diesel::mysql::Mysql>::to_sql(
            self.0.as_str(),
            out,
        )
    }
}

/// A stored code that is not a currency code is an error, never a silent default.
#[cfg(feature = "diesel")]
impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::mysql::Mysql> for Currency {
    fn from_sql(value: diesel::mysql::MysqlValue<'_>) -> diesel::deserialize::Result<Self> {
        let text = <String as diesel::deserialize::FromSql<
            diesel::sql_types::Text,
            diesel::mysql::Mysql,
        >>::from_sql(value)?;
        Currency::parse(&text)
            .ok_or_else(|| format!("unknown currency {text:?} in the database").into())
    }
}

impl Currency {
    /// Parses a code such as `usd` or `NGN`; `None` unless it is three ASCII letters.
    pub fn parse(code: &str) -> Option<Currency> {
        let code = code.trim();
        (code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()))
            .then(|| Currency(code.to_ascii_uppercase()))
    }

    /// The code, e.g. `NGN`.
    pub fn code(&self) -> &str {
        &self.0
    }

    /// How many digits the minor unit has (ISO 4217 exponent).
    pub fn exponent(&self) -> u32 {
        match self.0.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// The exponent of a stored code; 2, the common case, when it is not a currency
    /// code (reading amounts then never turns cents into whole units).
    pub fn exponent_of(code: &str) -> u32 {
        Currency::parse(code).map_or(2, |c| c.exponent())
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Amount in the currency's minor unit.
    pub amount_minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Builds an amount.
    pub fn new(amount_minor: i64, currency: Currency) -> Money {
        Money {
            amount_minor,
            currency,
        }
    }

    /// Human text such as `NGN 12,500.00`.
    pub fn display(&self) -> String {
        format_minor(self.amount_minor, &self.currency)
    }

    /// A plain decimal for an input field or a machine reader (`12500.00`).
    pub fn to_input(&self) -> String {
        minor_to_input(self.amount_minor, &self.currency)
    }

    /// An amount in the currency with this (stored) code; `None` when the code is not
    /// a currency code.
    pub fn in_code(amount_minor: i64, code: &str) -> Option<Money> {
        Currency::parse(code).map(|c| Money::new(amount_minor, c))
    }

    /// [`Money::display`] of an amount in the currency with this stored code. A code
    /// that is not a currency gives the bare number of minor units: never a guessed
    /// currency or exponent (stricter than formatting it as some default currency).
    pub fn display_code(amount_minor: i64, code: &str) -> String {
        Money::in_code(amount_minor, code).map_or_else(|| amount_minor.to_string(), |m| m.display())
    }

    /// [`Money::to_input`] of an amount in the currency with this stored code, with the
    /// same strict fallback as [`Money::display_code`].
    pub fn input_code(amount_minor: i64, code: &str) -> String {
        Money::in_code(amount_minor, code)
            .map_or_else(|| amount_minor.to_string(), |m| m.to_input())
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// Formats minor units with thousands separators: `format_minor(1250000, NGN)` is
/// `NGN 12,500.00`.
pub fn format_minor(amount_minor: i64, currency: &Currency) -> String {
    let exp = currency.exponent();
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    let scale = 10u64.pow(exp);
    let major = abs / scale;
    let minor = abs % scale;
    let digits = major.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if exp == 0 {
        format!("{currency} {sign}{grouped}")
    } else {
        format!(
            "{currency} {sign}{grouped}.{minor:0width$}",
            width = exp as usize
        )
    }
}

/// Parses a decimal amount typed by a person (`12500`, `12,500.5`) into minor units.
pub fn parse_major(text: &str, currency: &Currency) -> Option<i64> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
    if cleaned.is_empty() || cleaned.starts_with('-') {
        return None;
    }
    let exp = currency.exponent() as usize;
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > exp
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut frac_padded = frac.to_string();
    while frac_padded.len() < exp {
        frac_padded.push('0');
    }
    let frac: i64 = if frac_padded.is_empty() {
        0
    } else {
        frac_padded.parse().ok()?
    };
    whole.checked_mul(10i64.pow(exp as u32))?.checked_add(frac)
}

/// Formats minor units as a plain decimal for an input field (`12500.00`).
pub fn minor_to_input(amount_minor: i64, currency: &Currency) -> String {
    let exp = currency.exponent();
    if exp == 0 {
        return amount_minor.to_string();
    }
    let scale = 10i64.pow(exp);
    format!(
        "{}.{:0width$}",
        amount_minor / scale,
        (amount_minor % scale).abs(),
        width = exp as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ngn() -> Currency {
        Currency::parse("ngn").unwrap()
    }

    #[test]
    fn formats_with_groups_and_exponent() {
        assert_eq!(format_minor(1_250_000, &ngn()), "NGN 12,500.00");
        assert_eq!(format_minor(5, &ngn()), "NGN 0.05");
        assert_eq!(
            format_minor(1500, &Currency::parse("JPY").unwrap()),
            "JPY 1,500"
        );
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse_major("12,500", &ngn()), Some(1_250_000));
        assert_eq!(parse_major("12.5", &ngn()), Some(1250));
        assert_eq!(parse_major("12.555", &ngn()), None);
        assert_eq!(parse_major("-3", &ngn()), None);
        assert_eq!(parse_major("abc", &ngn()), None);
        assert_eq!(minor_to_input(1250, &ngn()), "12.50");
    }

    #[test]
    fn stored_codes_format_and_an_unknown_code_is_never_guessed() {
        assert_eq!(Money::display_code(1_250_000, "NGN"), "NGN 12,500.00");
        assert_eq!(Money::input_code(1_250_000, "NGN"), "12500.00");
        assert_eq!(Money::input_code(1500, "JPY"), "1500");
        assert_eq!(Money::new(1250, ngn()).to_string(), "NGN 12.50");
        // Not a currency: the bare minor units, no made-up code or decimals.
        assert_eq!(Money::display_code(1_250_000, "N1N"), "1250000");
        assert_eq!(Money::input_code(1_250_000, ""), "1250000");
        assert_eq!(Money::in_code(5, "??"), None);
        assert_eq!(Currency::exponent_of("JPY"), 0);
        assert_eq!(Currency::exponent_of("??"), 2);
    }

    #[test]
    fn currency_codes() {
        assert!(Currency::parse("US").is_none());
        assert!(Currency::parse("U$D").is_none());
        assert_eq!(Currency::parse(" eur ").unwrap().code(), "EUR");
    }
}
