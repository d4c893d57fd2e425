//! The business's people: `staffMembers`, `staffInvites`, `inviteStaff`,
//! `revokeStaffInvite`, `removeStaff`. Owner only, signed in to the dashboard: staff
//! and API tokens are FORBIDDEN; another business's ids are NOT_FOUND. Accepting an
//! invitation (`acceptInvite`) is with the other authentication operations in the
//! `business` part.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use shared::{StaffInviteId, UserId};

use super::common::User;
use super::{ContextExt, OwnerOnly, ids};
use crate::db::staff::Invite;
use crate::staff;

/// An invitation that can still be accepted (never its secret).
#[derive(SimpleObject)]
pub struct StaffInvite {
    /// Opaque id (for `revokeStaffInvite`).
    pub id: ID,
    /// Who is invited; their account gets this email.
    pub email: String,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When its link stops working.
    pub expires_at: DateTime<Utc>,
}

impl From<Invite> for StaffInvite {
    fn from(i: Invite) -> Self {
        StaffInvite {
            id: ids::encode(i.id),
            email: i.email,
            created_at: i.created_at.and_utc(),
            expires_at: i.expires_at.and_utc(),
        }
    }
}

/// A new invitation: its link (and the secret in it) is in this answer only.
#[derive(SimpleObject)]
pub struct CreatedStaffInvite {
    /// The link to send to the invited person; it works once, for 7 days.
    pub link: String,
    /// The one-time secret inside the link (for `acceptInvite(input: {token})`).
    pub token: String,
    /// The invitation's record.
    pub invite: StaffInvite,
}

/// Staff queries.
#[derive(Default)]
pub struct StaffQuery;

#[Object]
impl StaffQuery {
    /// The business's dashboard users: the owner first, then staff.
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly")]
    async fn staff_members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
        let list = staff::members(ctx.app(), ctx.caller()?).await?;
        Ok(list.into_iter().map(Into::into).collect())
    }

    /// Invitations not yet accepted, revoked or expired, newest first.
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly")]
    async fn staff_invites(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StaffInvite>> {
        let list = staff::pending_invites(ctx.app(), ctx.caller()?).await?;
        Ok(list.into_iter().map(Into::into).collect())
    }
}

/// Staff mutations.
#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
    /// Invites someone by email to work in the business as staff; returns the
    /// one-time link, shown once (inviting the same email again replaces the earlier
    /// link). Staff answer chats, manage products and orders, the blacklist and
    /// follow-ups; they cannot change owner-level settings, the WhatsApp connection,
    /// the AI key, API tokens or staff.
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly")]
    async fn invite_staff(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> async_graphql::Result<CreatedStaffInvite> {
        let created = staff::invite(ctx.app(), ctx.caller()?, &email).await?;
        Ok(CreatedStaffInvite {
            link: created.link,
            token: created.secret,
            invite: created.invite.into(),
        })
    }

    /// Revokes an invitation that was not accepted yet; its link stops working.
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly")]
    async fn revoke_staff_invite(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<StaffInvite> {
        let id = ids::decode::<StaffInviteId>(&id)?;
        Ok(staff::revoke_invite(ctx.app(), ctx.caller()?, id.0)
            .await?
            .into())
    }

    /// Removes a staff member: their account is deleted and their sessions end at once
    /// (open WebSockets close). Returns the removed user. The owner cannot be removed.
    /// Owner only, signed in to the dashboard (staff and API tokens: FORBIDDEN).
    #[graphql(guard = "OwnerOnly")]
    async fn remove_staff(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<User> {
        let id = ids::decode::<UserId>(&id)?;
        Ok(staff::remove(ctx.app(), ctx.caller()?, id.0).await?.into())
    }
}
