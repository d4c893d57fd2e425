//! The schema as the WebSocket serves it: subscriptions only. Queries and mutations
//! belong on HTTP, where the rate limits, the one-authentication-per-request rule and
//! the read-only token check apply.

use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, ErrorExtensions, Executor, Request, Response};

use crate::error::AppError;
use crate::graphql::AppSchema;
use crate::graphql::operation;

/// Runs subscriptions; answers any other operation with one BAD_USER_INPUT error.
#[derive(Clone)]
pub struct SubscriptionsOnly(pub AppSchema);

/// The answer to a query or mutation sent over the WebSocket.
fn refused(kind: OperationType) -> Response {
    let error = AppError::BadRequest(format!(
        "only subscriptions run over the WebSocket; send this {} as an HTTP POST to /graphql",
        match kind {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        }
    ));
    Response::from_errors(vec![error.extend().into_server_error(Default::default())])
}

/// The kind of operation `request` selects, when it is not a subscription.
fn not_a_subscription(request: &Request) -> Option<OperationType> {
    operation::inspect(&request.query, request.operation_name.as_deref())
        .and_then(|found| found.kind)
        .filter(|kind| *kind != OperationType::Subscription)
}

impl Executor for SubscriptionsOnly {
    async fn execute(&self, request: Request) -> Response {
        match not_a_subscription(&request) {
            Some(kind) => refused(kind),
            None => Executor::execute(&self.0, request).await,
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match not_a_subscription(&request) {
            Some(kind) => stream::once(async move { refused(kind) }).boxed(),
            None => Executor::execute_stream(&self.0, request, session_data),
        }
    }
}
