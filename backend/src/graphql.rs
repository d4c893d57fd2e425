//! The GraphQL API: one schema merged from per-domain parts.
//!
//! Conventions: opaque ids, Relay cursor connections, errors with
//! `extensions.code`, every resolver scoped to the caller's business, depth and
//! complexity limits. Every field states who may call it with its guard:
//! [`Authenticated`] (owner, staff and API tokens: the daily work), [`OwnerAuthority`]
//! (owner-level settings: the owner or an API token, never staff) or [`OwnerOnly`] (the
//! owner in the dashboard); public fields (sign-up, log-in, accepting an invitation,
//! the contact form) have none.
//!
//! The parts (`business`, `products`, `whatsapp`, `inbox`, `orders`, `ai`, `activity`,
//! `blacklist`, `follow_ups`, `home`, `why`, `sessions`, `api_tokens`, `staff`,
//! `contact`, `privacy`) import
//! the shared modules (`common`, `ids`, `paging`, `loaders`) and this one; only
//! `inbox` (the order and AI fields of `Chat`) and `blacklist` (an entry's `Contact`
//! and `ActivityActor`) name types of other parts, and nothing imports those two back.

pub mod activity;
pub mod ai;
pub mod api_tokens;
pub mod blacklist;
pub mod business;
pub mod common;
pub mod contact;
pub mod deal_approvals;
pub mod follow_ups;
pub mod home;
pub mod ids;
pub mod inbox;
pub mod loaders;
pub mod operation;
pub mod orders;
pub mod paging;
pub mod privacy;
pub mod products;
pub mod sessions;
pub mod staff;
pub mod whatsapp;
pub mod why;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::app::AppState;
use crate::auth::{Caller, ClientInfo};
use crate::error::AppError;

/// Every query, merged from the domain parts.
// The parts' order is the fields' order in `schema.graphql`: the AI settings, the
// orders, then the "try it" console.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    business::BusinessQuery,
    products::ProductQuery,
    whatsapp::WhatsAppQuery,
    inbox::InboxQuery,
    ai::AiQuery,
    orders::OrderQuery,
    orders::OrderSettingsQuery,
    ai::AiPreviewQuery,
    activity::ActivityQuery,
    blacklist::BlacklistQuery,
    follow_ups::FollowUpQuery,
    deal_approvals::DealApprovalQuery,
    home::HomeQuery,
    why::WhyQuery,
    sessions::SessionQuery,
    api_tokens::ApiTokenQuery,
    staff::StaffQuery,
    privacy::PrivacyQuery,
);

/// Every mutation, merged from the domain parts.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    business::BusinessMutation,
    products::ProductMutation,
    whatsapp::WhatsAppMutation,
    inbox::InboxMutation,
    ai::AiMutation,
    blacklist::BlacklistMutation,
    follow_ups::FollowUpMutation,
    orders::OrderMutation,
    deal_approvals::DealApprovalMutation,
    sessions::SessionMutation,
    api_tokens::ApiTokenMutation,
    staff::StaffMutation,
    contact::ContactMutation,
    privacy::PrivacyMutation,
);

/// Every subscription (WebSocket at `/graphql/ws`), merged from the domain parts.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    inbox::InboxSubscription,
    products::ProductSubscription,
    orders::OrderSubscription,
    activity::ActivitySubscription,
    blacklist::BlacklistSubscription,
    follow_ups::FollowUpSubscription,
    deal_approvals::DealApprovalSubscription,
);

/// The schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Maximum query depth.
pub const MAX_DEPTH: usize = 15;
/// Maximum query complexity.
pub const MAX_COMPLEXITY: usize = 2_000;
/// The schema without data, for exporting the SDL.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
}

/// The schema with the app state and DataLoaders registered.
pub fn build_schema(app: AppState) -> AppSchema {
    schema_builder()
        .data(DataLoader::new(
            loaders::ProductImagesLoader(app.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::ContactLoader(app.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::MediaLoader(app.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::ChatOrdersLoader(app.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::ChatLoader(app.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::ContactBlacklistLoader(app.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::EntryContactLoader(app.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            loaders::ContactSpentLoader(app.clone()),
            tokio::spawn,
        ))
        .data(app)
        .finish()
}

/// The SDL as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// Helpers every resolver uses.
pub trait ContextExt {
    /// The app state.
    fn app(&self) -> &AppState;
    /// The authenticated caller, or `UNAUTHENTICATED`.
    fn caller(&self) -> Result<&Caller, AppError>;
    /// Where the request comes from (an unknown client when the transport gave none).
    fn client(&self) -> ClientInfo;
}

impl ContextExt for Context<'_> {
    fn app(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn caller(&self) -> Result<&Caller, AppError> {
        self.data_opt::<Caller>().ok_or(AppError::Unauthenticated)
    }

    fn client(&self) -> ClientInfo {
        self.data_opt::<ClientInfo>().cloned().unwrap_or_else(|| {
            ClientInfo::from_ip(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
        })
    }
}

/// Guard for fields that need a signed-in caller: the owner, staff or an API token
/// (the daily work: chats, orders, products, blacklist, follow-ups, deals).
pub struct Authenticated;

impl async_graphql::Guard for Authenticated {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        ctx.caller().map(|_| ()).map_err(Into::into)
    }
}

/// Guard for what only the owner, signed in to the dashboard, may do: the WhatsApp
/// connection, the Anthropic key, staff, API tokens. Staff and API tokens are
/// FORBIDDEN.
pub struct OwnerOnly;

impl async_graphql::Guard for OwnerOnly {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        ctx.caller()?.owner().map(|_| ()).map_err(Into::into)
    }
}

/// Guard for the business's owner-level settings (profile, AI switch and budget,
/// automation rules): the owner in the dashboard or through an API token; staff are
/// FORBIDDEN.
pub struct OwnerAuthority;

impl async_graphql::Guard for OwnerAuthority {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        ctx.caller()?.owner_authority().map_err(Into::into)
    }
}
