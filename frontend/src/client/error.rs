//! The one error type of the API client, built from the `extensions.code` the API puts on
//! every error: one [`ClientError`] per [`ErrorCode`], matched without a wildcard, so a
//! code added to `shared` does not compile here until it has its own message.

use serde::Deserialize;
use shared::ErrorCode;

/// A problem with one input field, as reported by the API in `extensions.fields`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerFieldError {
    /// The input field, in the API's camelCase (`price`, `bargainFloor`, `email`).
    pub field: String,
    /// A sentence to show next to that field.
    pub message: String,
}

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// `UNAUTHENTICATED`: no valid session (or wrong credentials on log-in).
    #[error("{0}")]
    Unauthenticated(String),
    /// `FORBIDDEN`: signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// `NOT_FOUND`: the object does not exist (or belongs to another business).
    #[error("{0}")]
    NotFound(String),
    /// `BAD_USER_INPUT`: the input broke a rule; `fields` names the fields concerned.
    #[error("{message}")]
    BadUserInput {
        /// The API's summary message.
        message: String,
        /// Per-field messages, to show next to the inputs.
        fields: Vec<ServerFieldError>,
    },
    /// `RATE_LIMITED`: too many requests.
    #[error("Too many requests. Wait a moment and try again.")]
    RateLimited,
    /// `UNAVAILABLE`: the server is overloaded or a dependency is down, for a moment.
    #[error("The service is busy right now. Please try again in a moment.")]
    Unavailable,
    /// `INTERNAL` (or no code the dashboard knows): the server failed; its details stay
    /// on the server.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never got an answer (offline, server down).
    #[error("Can't reach the server. Check your connection and try again.")]
    Network(String),
    /// The answer was not a GraphQL response the dashboard understands.
    #[error("The server sent an unexpected answer. Please reload the page.")]
    Protocol(String),
}

impl ClientError {
    /// Builds the error for one GraphQL error object.
    pub(super) fn from_graphql(error: &graphql_client::Error) -> ClientError {
        let extension = |key: &str| error.extensions.as_ref().and_then(|ext| ext.get(key));
        let code = extension("code")
            .and_then(|code| code.as_str())
            .and_then(ErrorCode::parse);
        let message = error.message.clone();
        let Some(code) = code else {
            // No code (an error async-graphql raised before our resolvers ran) or one from
            // a newer server.
            return ClientError::Internal;
        };
        match code {
            ErrorCode::Unauthenticated => ClientError::Unauthenticated(message),
            ErrorCode::Forbidden => ClientError::Forbidden(message),
            ErrorCode::NotFound => ClientError::NotFound(message),
            ErrorCode::BadUserInput => ClientError::BadUserInput {
                message,
                fields: extension("fields")
                    .and_then(|fields| Vec::<ServerFieldError>::deserialize(fields).ok())
                    .unwrap_or_default(),
            },
            ErrorCode::RateLimited => ClientError::RateLimited,
            ErrorCode::Unavailable => ClientError::Unavailable,
            ErrorCode::Internal => ClientError::Internal,
        }
    }

    /// Builds the error for an HTTP answer that carried no GraphQL response.
    pub(super) fn from_status(status: u16) -> ClientError {
        match status {
            401 => {
                ClientError::Unauthenticated("Your session has ended. Please log in again.".into())
            }
            403 => ClientError::Forbidden("You are not allowed to do that.".into()),
            413 => ClientError::BadUserInput {
                message: "That is too large to send. Try fewer or smaller images.".into(),
                fields: Vec::new(),
            },
            429 => ClientError::RateLimited,
            503 => ClientError::Unavailable,
            500..=599 => ClientError::Internal,
            other => ClientError::Protocol(format!("HTTP status {other}")),
        }
    }

    /// Per-field messages from a `BAD_USER_INPUT` error (empty for every other error).
    pub fn field_errors(&self) -> &[ServerFieldError] {
        match self {
            ClientError::BadUserInput { fields, .. } => fields,
            _ => &[],
        }
    }
}
