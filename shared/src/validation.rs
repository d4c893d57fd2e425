//! Field-level validation errors, shaped so the API can name the field and the
//! dashboard can show the message next to the input.

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input field, in the API's camelCase (`bargainFloor`, `colors`).
    pub field: &'static str,
    /// A sentence a business owner understands.
    pub message: String,
}

/// Every problem found in one input; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Records a problem with `field`.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The first message recorded for `field`, if any.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// Checks a trimmed text's length in characters (not bytes).
pub fn check_length(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) {
    let len = value.trim().chars().count();
    if len < min {
        if min == 1 {
            errors.add(field, "is required");
        } else {
            errors.add(field, format!("must be at least {min} characters"));
        }
    } else if len > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
}

/// A loose but useful email check: one `@`, something on each side, a dot in the domain.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
        && email.len() <= 254
}

/// Minimum password length for dashboard accounts.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Validates sign-up input; the same rules run in the form and on the server.
pub fn validate_sign_up(
    business_name: &str,
    business_type: &str,
    country: &str,
    email: &str,
    password: &str,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    check_length(&mut errors, "businessName", business_name, 1, 120);
    check_length(&mut errors, "businessType", business_type, 1, 80);
    if !is_country_code(country) {
        errors.add(
            "country",
            "must be a two-letter country code, e.g. NG or US",
        );
    }
    if !is_plausible_email(email) {
        errors.add("email", "must be a valid email address");
    }
    check_password(&mut errors, "password", password);
    errors.into_result()
}

/// The rule for a new dashboard password (sign-up, password change): at least
/// [`MIN_PASSWORD_LEN`] characters and at most 256 bytes.
pub fn check_password(errors: &mut FieldErrors, field: &'static str, password: &str) {
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.add(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        );
    } else if password.len() > 256 {
        errors.add(field, "must be at most 256 characters");
    }
}

/// Whether `code` is an ISO 3166-1 alpha-2 shaped code (two ASCII capital letters).
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_names_each_bad_field() {
        let err = validate_sign_up("", "Fashion", "nigeria", "nope", "short").unwrap_err();
        assert_eq!(err.for_field("businessName"), Some("is required"));
        assert!(err.for_field("country").is_some());
        assert!(err.for_field("email").is_some());
        assert!(err.for_field("password").is_some());
        assert!(err.for_field("businessType").is_none());
    }

    #[test]
    fn sign_up_accepts_good_input() {
        assert!(
            validate_sign_up(
                "Ada's Boutique",
                "Fashion",
                "NG",
                "ada@example.com",
                "s3cret-pass"
            )
            .is_ok()
        );
    }

    #[test]
    fn emails() {
        assert!(is_plausible_email("a@b.co"));
        assert!(!is_plausible_email("a@b"));
        assert!(!is_plausible_email("a b@c.de"));
        assert!(!is_plausible_email("@c.de"));
    }
}
