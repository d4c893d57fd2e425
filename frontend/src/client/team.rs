//! The business's people, for the owner: staff members, invitations, removal.

use shared::Role;

use super::models::role;
use super::operations::{self, InviteStaff, RemoveStaff, RevokeStaffInvite, Team};
use super::transport::send;
use super::{Client, ClientError};

/// A dashboard user of the business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    /// Opaque id (for removal).
    pub id: String,
    /// Log-in email.
    pub email: String,
    /// The name they gave when they joined.
    pub name: Option<String>,
    /// Owner or staff.
    pub role: Role,
    /// Joined (RFC 3339).
    pub created_at: String,
}

/// An invitation not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvite {
    /// Opaque id (for revoking).
    pub id: String,
    /// Who is invited.
    pub email: String,
    /// Sent (RFC 3339).
    pub created_at: String,
    /// The link stops working then (RFC 3339).
    pub expires_at: String,
}

/// The team: its members (the owner first) and pending invitations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamView {
    /// Members.
    pub members: Vec<TeamMember>,
    /// Invitations.
    pub invites: Vec<PendingInvite>,
}

impl Client {
    /// The business's members and pending invitations.
    pub async fn team(&self) -> Result<TeamView, ClientError> {
        let data =
            self.watch(send::<Team>(self.token.as_deref(), operations::team::Variables).await)?;
        let members = data
            .staff_members
            .into_iter()
            .map(|m| {
                Ok(TeamMember {
                    role: role(&m.role)?,
                    id: m.id,
                    email: m.email,
                    name: m.name,
                    created_at: m.created_at,
                })
            })
            .collect::<Result<_, ClientError>>()?;
        let invites = data
            .staff_invites
            .into_iter()
            .map(|i| PendingInvite {
                id: i.id,
                email: i.email,
                created_at: i.created_at,
                expires_at: i.expires_at,
            })
            .collect();
        Ok(TeamView { members, invites })
    }

    /// Invites `email` as staff; returns the one-time link to pass on.
    pub async fn invite_staff(&self, email: String) -> Result<String, ClientError> {
        let variables = operations::invite_staff::Variables {
            email: email.trim().to_string(),
        };
        let data = self.watch(send::<InviteStaff>(self.token.as_deref(), variables).await)?;
        Ok(data.invite_staff.link)
    }

    /// Revokes a pending invitation.
    pub async fn revoke_staff_invite(&self, id: String) -> Result<(), ClientError> {
        let variables = operations::revoke_staff_invite::Variables { id };
        self.watch(send::<RevokeStaffInvite>(self.token.as_deref(), variables).await)?;
        Ok(())
    }

    /// Removes a staff member.
    pub async fn remove_staff(&self, id: String) -> Result<(), ClientError> {
        let variables = operations::remove_staff::Variables { id };
        self.watch(send::<RemoveStaff>(self.token.as_deref(), variables).await)?;
        Ok(())
    }
}
