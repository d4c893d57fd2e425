//! The machine-readable codes the API puts on every error: `extensions.code` in GraphQL
//! and `error.code` in the REST answers. The server picks one per error
//! (`backend/src/error.rs`); the dashboard turns each into what it shows
//! (`frontend/src/client/error.rs`). Both match on this enum without a wildcard, so a new
//! code is a compile error on both sides until it is handled.

use serde::{Deserialize, Serialize};

/// Why the API refused or failed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// No valid session (or wrong credentials on log-in).
    Unauthenticated,
    /// Signed in, but not allowed.
    Forbidden,
    /// The object does not exist for this caller.
    NotFound,
    /// Input the client can fix (`extensions.fields` names the fields).
    BadUserInput,
    /// Too many requests; try later.
    RateLimited,
    /// A dependency (the database pool) is exhausted or down; try again.
    Unavailable,
    /// The server failed; the details stay in its log.
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::BadUserInput,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The text on the wire, e.g. `BAD_USER_INPUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// The code for its wire text; `None` for text this build does not know.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == text)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// The strings clients already rely on: changing one breaks every deployed dashboard.
    #[test]
    fn wire_texts_are_pinned() {
        let texts: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            texts,
            [
                "UNAUTHENTICATED",
                "FORBIDDEN",
                "NOT_FOUND",
                "BAD_USER_INPUT",
                "RATE_LIMITED",
                "UNAVAILABLE",
                "INTERNAL"
            ]
        );
    }

    #[test]
    fn serde_and_parse_agree_with_the_wire_text() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("bad_user_input"), None);
        assert_eq!(ErrorCode::parse(""), None);
    }
}
