//! Accounts and the business profile: sign up, log in, log out, `me`, `business`.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::common::User;
use super::{Authenticated, ContextExt, OwnerAuthority, ids};
use crate::accounts::{self, SignUp};
use crate::db::tenants::{self, BusinessChanges};
use crate::error::AppError;
use crate::staff;

/// How the AI salesperson sounds.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::ReplyTone")]
pub enum ReplyTone {
    /// Warm and casual.
    Friendly,
    /// Polite and businesslike.
    Professional,
    /// Short and to the point.
    Concise,
    /// Enthusiastic, sales-forward.
    Enthusiastic,
}

/// A business: the tenant everything else belongs to.
#[derive(SimpleObject)]
pub struct Business {
    /// Opaque id.
    pub id: ID,
    /// Display name.
    pub name: String,
    /// What it sells, e.g. "Fashion boutique".
    pub business_type: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Currency new products default to.
    pub default_currency: String,
    /// Whether the AI salesperson answers customers.
    pub ai_enabled: bool,
    /// The owner's instructions to the AI.
    pub ai_instructions: String,
    /// The AI's tone.
    pub reply_tone: ReplyTone,
    /// The business's time zone (an IANA name such as `Africa/Lagos`): the home page
    /// counts its days in it.
    pub time_zone: String,
    /// Coexistence: when the owner answers a chat from the WhatsApp Business app, the
    /// AI stands back in that chat for this many minutes (`null`: until someone turns
    /// it back on in the chat).
    pub phone_reply_pause_minutes: Option<i32>,
    /// When the business signed up.
    pub created_at: DateTime<Utc>,
}

impl From<tenants::Business> for Business {
    fn from(b: tenants::Business) -> Self {
        Business {
            id: ids::encode(b.id),
            name: b.name,
            business_type: b.business_type,
            country: b.country,
            default_currency: b.default_currency.code().to_string(),
            ai_enabled: b.ai_enabled,
            ai_instructions: b.ai_instructions,
            reply_tone: b.reply_tone.into(),
            time_zone: b.time_zone,
            phone_reply_pause_minutes: b.phone_reply_pause_minutes,
            created_at: b.created_at.and_utc(),
        }
    }
}

/// A new session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Bearer token for `Authorization: Bearer ...`.
    pub token: String,
    /// Who signed in.
    pub user: User,
    /// Their business.
    pub business: Business,
}

impl From<accounts::Session> for AuthPayload {
    fn from(s: accounts::Session) -> Self {
        AuthPayload {
            token: s.token,
            user: s.user.into(),
            business: s.business.into(),
        }
    }
}

/// Accepting a staff invitation.
#[derive(InputObject)]
pub struct AcceptInviteInput {
    /// The secret from the invitation link (after `#`).
    pub token: String,
    /// The staff member's name (1 to 120 characters).
    pub name: String,
    /// Their password (at least 8 characters).
    pub password: String,
}

/// Sign-up details.
#[derive(InputObject)]
pub struct SignUpInput {
    /// Business name.
    pub business_name: String,
    /// What the business sells.
    pub business_type: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `NG`.
    pub country: String,
    /// Owner's email (the login).
    pub email: String,
    /// At least 8 characters.
    pub password: String,
    /// Default currency (ISO 4217); `USD` when omitted.
    pub currency: Option<String>,
    /// The business's time zone, an IANA name such as `Africa/Lagos` (the dashboard
    /// sends the browser's); `UTC` when omitted.
    pub time_zone: Option<String>,
    /// The version of the privacy policy and terms the owner read and accepted; must
    /// be the current one (see the `/privacy` and `/terms` pages).
    pub accepted_policy_version: String,
    /// The owner confirms they are authorised to act for the business and over 16.
    #[graphql(name = "confirmedAuthorisedAndOver16")]
    pub confirmed_authorised_and_over_16: bool,
}

/// Log-in details.
#[derive(InputObject)]
pub struct LogInInput {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Profile and AI settings to change; omitted fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateBusinessInput {
    /// Business name.
    pub name: Option<String>,
    /// What it sells.
    pub business_type: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
    /// Default currency.
    pub default_currency: Option<String>,
    /// AI on or off for the whole business.
    pub ai_enabled: Option<bool>,
    /// Instructions to the AI (at most 4000 characters).
    pub ai_instructions: Option<String>,
    /// The AI's tone.
    pub reply_tone: Option<ReplyTone>,
    /// The business's time zone (an IANA name such as `Africa/Lagos`).
    pub time_zone: Option<String>,
    /// Minutes the AI stands back in a chat the owner answered from the phone (1 to
    /// 10080); `null`: until someone turns it back on.
    pub phone_reply_pause_minutes: MaybeUndefined<i32>,
}

/// Queries about the caller and their business.
#[derive(Default)]
pub struct BusinessQuery;

#[Object]
impl BusinessQuery {
    /// The signed-in user.
    #[graphql(guard = "Authenticated")]
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let caller = ctx.caller()?;
        let user_id = caller
            .user_id
            .ok_or_else(|| AppError::Forbidden("API tokens have no user".into()))?;
        let mut conn = ctx.app().db().await?;
        let user = tenants::find_user(&mut conn, caller.business_id.0, user_id.0)
            .await
            .map_err(AppError::from)?;
        Ok(user.into())
    }

    /// The caller's business.
    #[graphql(guard = "Authenticated")]
    async fn business(&self, ctx: &Context<'_>) -> async_graphql::Result<Business> {
        let caller = ctx.caller()?;
        let mut conn = ctx.app().db().await?;
        let b = tenants::find_business(&mut conn, caller.business_id.0)
            .await
            .map_err(AppError::from)?;
        Ok(b.into())
    }
}

/// Account mutations.
#[derive(Default)]
pub struct BusinessMutation;

#[Object]
impl BusinessMutation {
    /// Creates a business and its owner, and signs in (anyone; limited per IP address,
    /// and one authentication operation per HTTP request).
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        input: SignUpInput,
    ) -> async_graphql::Result<AuthPayload> {
        let session = accounts::sign_up(
            ctx.app(),
            SignUp {
                business_name: input.business_name,
                business_type: input.business_type,
                country: input.country,
                currency: input.currency,
                time_zone: input.time_zone,
                email: input.email,
                password: input.password,
                accepted_policy_version: input.accepted_policy_version,
                confirmed_authorised_and_over_16: input.confirmed_authorised_and_over_16,
            },
            &ctx.client(),
        )
        .await?;
        Ok(session.into())
    }

    /// Signs in with email and password (anyone). At most 10 wrong passwords per
    /// account per 15 minutes, and a limit per IP address (RATE_LIMITED beyond); one
    /// authentication operation per HTTP request.
    async fn log_in(
        &self,
        ctx: &Context<'_>,
        input: LogInInput,
    ) -> async_graphql::Result<AuthPayload> {
        Ok(
            accounts::log_in(ctx.app(), &input.email, &input.password, &ctx.client())
                .await?
                .into(),
        )
    }

    /// Accepts a staff invitation (anyone holding its one-time secret, from the link the
    /// owner shared): creates the staff user with the invited email and signs in. A
    /// wrong, used, revoked or expired secret is BAD_USER_INPUT on `token`. Limited per
    /// IP address like sign-up; one authentication operation per HTTP request.
    async fn accept_invite(
        &self,
        ctx: &Context<'_>,
        input: AcceptInviteInput,
    ) -> async_graphql::Result<AuthPayload> {
        let acceptance = staff::Acceptance {
            token: input.token,
            name: input.name,
            password: input.password,
        };
        Ok(staff::accept(ctx.app(), acceptance, &ctx.client())
            .await?
            .into())
    }

    /// Ends the current session; its token stops working at once.
    #[graphql(guard = "Authenticated")]
    async fn log_out(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(accounts::log_out(ctx.app(), ctx.caller()?).await?)
    }

    /// Changes the business profile or AI settings.
    /// Owner only, in the dashboard or with an API token (staff: FORBIDDEN).
    #[graphql(guard = "OwnerAuthority")]
    async fn update_business(
        &self,
        ctx: &Context<'_>,
        input: UpdateBusinessInput,
    ) -> async_graphql::Result<Business> {
        let b = accounts::update_business(
            ctx.app(),
            ctx.caller()?,
            BusinessChanges {
                name: input.name,
                business_type: input.business_type,
                country: input.country,
                default_currency: input.default_currency,
                ai_enabled: input.ai_enabled,
                ai_instructions: input.ai_instructions,
                reply_tone: input.reply_tone.map(shared::ReplyTone::from),
                time_zone: input.time_zone,
                phone_reply_pause_minutes: match input.phone_reply_pause_minutes {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(minutes) => Some(Some(minutes)),
                },
                updated_at: None,
            },
        )
        .await?;
        Ok(b.into())
    }
}
