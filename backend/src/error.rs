//! The error policy.
//!
//! - Model code returns `diesel::QueryResult`; startup and workers use `anyhow`.
//! - At the edge (GraphQL resolvers, REST handlers) everything becomes an [`AppError`],
//!   which maps to a code clients can act on (`extensions.code` in GraphQL, a status in
//!   REST). Internal errors are logged with their detail and answered with a generic
//!   message: SQL, stack traces and secrets never reach a client.
//! - Another tenant's id and a missing id are the same `NOT_FOUND`: nobody can detect
//!   what another business owns.

use async_graphql::ErrorExtensions;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::{ErrorCode, FieldErrors};

/// An error answered to a client.
///
/// Deliberately not `Display`: async-graphql converts every `Display` type into an
/// error without extensions, and ours must always carry `extensions.code`.
#[derive(Debug)]
pub enum AppError {
    /// No valid credentials.
    Unauthenticated,
    /// Credentials valid, action not allowed.
    Forbidden(String),
    /// The thing does not exist for this caller.
    NotFound(&'static str),
    /// Input the client can fix; each problem names its field.
    Invalid(FieldErrors),
    /// A request that cannot be served as asked (not tied to one field).
    BadRequest(String),
    /// Too many requests; try later.
    RateLimited(String),
    /// A dependency (database pool) is exhausted or down.
    Unavailable,
    /// Anything else: logged, never shown.
    Internal(anyhow::Error),
}

/// Result alias for edge code.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        AppError::Invalid(errors)
    }

    /// The message shown to the client (never internal detail).
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => "authentication required".into(),
            AppError::Forbidden(m) | AppError::BadRequest(m) | AppError::RateLimited(m) => {
                m.clone()
            }
            AppError::NotFound(what) => format!("{what} not found"),
            AppError::Invalid(errors) => errors.to_string(),
            AppError::Unavailable => "service temporarily unavailable; try again".into(),
            AppError::Internal(_) => "internal error".into(),
        }
    }

    /// The machine-readable code, from the one list the dashboard also matches on.
    pub fn code(&self) -> &'static str {
        let code = match self {
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Invalid(_) | AppError::BadRequest(_) => ErrorCode::BadUserInput,
            AppError::RateLimited(_) => ErrorCode::RateLimited,
            AppError::Unavailable => ErrorCode::Unavailable,
            AppError::Internal(_) => ErrorCode::Internal,
        };
        code.as_str()
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            AppError::Unavailable => tracing::warn!("dependency unavailable"),
            _ => {}
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound("record"),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool error");
        AppError::Unavailable
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        self.log();
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let AppError::Invalid(errors) = self {
                if let Some(first) = errors.0.first() {
                    ext.set("field", first.field);
                }
                let fields: Vec<async_graphql::Value> = errors
                    .0
                    .iter()
                    .map(|e| {
                        let mut map = async_graphql::indexmap::IndexMap::new();
                        map.insert(
                            async_graphql::Name::new("field"),
                            async_graphql::Value::from(e.field),
                        );
                        map.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(e.message.clone()),
                        );
                        async_graphql::Value::Object(map)
                    })
                    .collect();
                ext.set("fields", async_graphql::Value::List(fields));
            }
        })
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        e.extend()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let body =
            serde_json::json!({ "error": { "code": self.code(), "message": self.message() } });
        (self.status(), axum::Json(body)).into_response()
    }
}

impl From<AppError> for anyhow::Error {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Internal(inner) => inner,
            other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
        }
    }
}
