//! The one error type of the API client, built from the `extensions.code` the API puts on
//! every error.

use serde::Deserialize;

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
    /// `INTERNAL` (or an unknown code): the server failed; its details stay on the server.
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
            .unwrap_or("");
        let message = error.message.clone();
        match code {
            "UNAUTHENTICATED" => ClientError::Unauthenticated(message),
            "FORBIDDEN" => ClientError::Forbidden(message),
            "NOT_FOUND" => ClientError::NotFound(message),
            "BAD_USER_INPUT" => ClientError::BadUserInput {
                message,
                fields: extension("fields")
                    .and_then(|fields| Vec::<ServerFieldError>::deserialize(fields).ok())
                    .unwrap_or_default(),
            },
            "RATE_LIMITED" => ClientError::RateLimited,
            _ => ClientError::Internal,
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
