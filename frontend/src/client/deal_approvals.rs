//! Deal approvals (the deals the AI could not agree to on its own, the owner's
//! decision, the business's rule) and the customer panel of a chat.

use shared::{DealApprovalReason, DealApprovalStatus, Money};

use super::models::{money, shared_enum, wire_enum};
use super::operations::{
    self, ApproveDeal, ChatCustomer, DealApprovalSettings as SettingsOp, DealApprovals,
    DeclineDeal, UpdateContact, UpdateDealApprovalSettings,
};
use super::transport::send;
use super::{Client, ClientError};

/// A deal waiting for (or decided by) the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealApproval {
    /// Opaque API id.
    pub id: String,
    /// The chat's id.
    pub chat_id: String,
    /// The customer's name.
    pub customer: String,
    /// The product.
    pub product: String,
    /// Units asked for.
    pub quantity: i64,
    /// Why the owner is asked.
    pub reason: DealApprovalReason,
    /// Where it stands.
    pub status: DealApprovalStatus,
    /// The customer's ask per unit.
    pub ask: Money,
    /// The bargaining floor.
    pub floor: Money,
    /// Our standing offer.
    pub offered: Money,
    /// The approved price.
    pub approved: Option<Money>,
    /// When it falls back to the floor (RFC 3339).
    pub expires_at: String,
    /// Whether the customer was sent the answer.
    pub customer_told: bool,
    /// Why the customer was not sent the answer.
    pub answer_error: Option<String>,
}

/// `TryFrom<module::DealApprovalFields>` for [`DealApproval`], per operation module.
macro_rules! deal_approval_from {
    ($($module:ident),+) => {$(
        impl TryFrom<operations::$module::DealApprovalFields> for DealApproval {
            type Error = ClientError;

            fn try_from(a: operations::$module::DealApprovalFields) -> Result<DealApproval, ClientError> {
                Ok(DealApproval {
                    reason: shared_enum(&a.reason, DealApprovalReason::parse, "deal approval reason")?,
                    status: shared_enum(&a.status, DealApprovalStatus::parse, "deal approval status")?,
                    ask: money(a.customer_ask.amount_minor, &a.customer_ask.currency)?,
                    floor: money(a.floor.amount_minor, &a.floor.currency)?,
                    offered: money(a.offered.amount_minor, &a.offered.currency)?,
                    approved: a.approved_price.map(|p| money(p.amount_minor, &p.currency)).transpose()?,
                    customer: a.chat.map(|c| c.contact.name).unwrap_or_default(),
                    id: a.id,
                    chat_id: a.chat_id,
                    product: a.product_name,
                    quantity: a.quantity,
                    expires_at: a.expires_at,
                    customer_told: a.customer_told,
                    answer_error: a.answer_error,
                })
            }
        }
    )+};
}

deal_approval_from!(
    deal_approvals,
    approve_deal,
    decline_deal,
    deal_approval_changed
);

/// The business's rule for deals outside the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalRule {
    /// Whether below-floor and bulk asks go to the owner.
    pub enabled: bool,
    /// Asks for at least this many units go to the owner too.
    pub bulk_quantity: Option<i64>,
    /// Minutes before an undecided request falls back to the floor.
    pub expiry_minutes: i64,
}

macro_rules! rule_from {
    ($($module:ident),+) => {$(
        impl From<operations::$module::DealApprovalSettingsFields> for ApprovalRule {
            fn from(r: operations::$module::DealApprovalSettingsFields) -> ApprovalRule {
                ApprovalRule { enabled: r.enabled, bulk_quantity: r.bulk_quantity, expiry_minutes: r.expiry_minutes }
            }
        }
    )+};
}

rule_from!(deal_approval_settings, update_deal_approval_settings);

/// The customer panel of a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Contact id.
    pub id: String,
    /// The name shown.
    pub name: String,
    /// The owner's name for them.
    pub custom_name: Option<String>,
    /// WhatsApp's profile name.
    pub profile_name: Option<String>,
    /// Phone number (digits).
    pub wa_id: Option<String>,
    /// WhatsApp username.
    pub username: Option<String>,
    /// The owner's notes.
    pub notes: Option<String>,
    /// Orders placed (cancelled aside).
    pub order_count: i64,
    /// What they spent, per currency, formatted.
    pub total_spent: Vec<String>,
    /// Blacklisted.
    pub blacklisted: bool,
}

macro_rules! customer_from {
    ($($module:ident),+) => {$(
        impl From<operations::$module::CustomerFields> for Customer {
            fn from(c: operations::$module::CustomerFields) -> Customer {
                Customer {
                    id: c.id,
                    name: c.name,
                    custom_name: c.custom_name,
                    profile_name: c.profile_name,
                    wa_id: c.wa_id,
                    username: c.username,
                    notes: c.notes,
                    order_count: c.order_count,
                    total_spent: c.total_spent.into_iter().map(|m| m.formatted).collect(),
                    blacklisted: c.blacklisted,
                }
            }
        }
    )+};
}

customer_from!(chat_customer, update_contact);

impl Client {
    /// Deals, newest first: only these statuses (empty: all), only one chat.
    pub async fn deal_approvals(
        &self,
        statuses: &[DealApprovalStatus],
        chat_id: Option<&str>,
    ) -> Result<Vec<DealApproval>, ClientError> {
        let status = if statuses.is_empty() {
            None
        } else {
            Some(
                statuses
                    .iter()
                    .map(|s| wire_enum(s.as_str()))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        let variables = operations::deal_approvals::Variables {
            first: 50,
            status,
            chat_id: chat_id.map(str::to_string),
        };
        let data = self.watch(send::<DealApprovals>(self.token.as_deref(), variables).await)?;
        data.deal_approvals
            .nodes
            .into_iter()
            .map(DealApproval::try_from)
            .collect()
    }

    /// Approves a deal at `price_minor` per unit.
    pub async fn approve_deal(
        &self,
        id: &str,
        price_minor: i64,
    ) -> Result<DealApproval, ClientError> {
        let variables = operations::approve_deal::Variables {
            input: operations::approve_deal::ApproveDealInput {
                id: id.to_string(),
                price: Some(price_minor),
                note: None,
            },
        };
        let data = self.watch(send::<ApproveDeal>(self.token.as_deref(), variables).await)?;
        DealApproval::try_from(data.approve_deal)
    }

    /// Declines a deal.
    pub async fn decline_deal(&self, id: &str) -> Result<DealApproval, ClientError> {
        let variables = operations::decline_deal::Variables {
            input: operations::decline_deal::DeclineDealInput {
                id: id.to_string(),
                note: None,
            },
        };
        let data = self.watch(send::<DeclineDeal>(self.token.as_deref(), variables).await)?;
        DealApproval::try_from(data.decline_deal)
    }

    /// The business's rule for deals outside the policy.
    pub async fn approval_rule(&self) -> Result<ApprovalRule, ClientError> {
        let data = self.watch(
            send::<SettingsOp>(
                self.token.as_deref(),
                operations::deal_approval_settings::Variables,
            )
            .await,
        )?;
        Ok(data.deal_approval_settings.into())
    }

    /// Saves the business's rule for deals outside the policy.
    pub async fn save_approval_rule(
        &self,
        rule: ApprovalRule,
    ) -> Result<ApprovalRule, ClientError> {
        let variables = operations::update_deal_approval_settings::Variables {
            input: operations::update_deal_approval_settings::DealApprovalSettingsInput {
                enabled: Some(rule.enabled),
                bulk_quantity: Some(rule.bulk_quantity.unwrap_or(0)),
                expiry_minutes: Some(rule.expiry_minutes),
            },
        };
        let data =
            self.watch(send::<UpdateDealApprovalSettings>(self.token.as_deref(), variables).await)?;
        Ok(data.update_deal_approval_settings.into())
    }

    /// The customer of a chat.
    pub async fn chat_customer(&self, chat_id: &str) -> Result<Customer, ClientError> {
        let variables = operations::chat_customer::Variables {
            id: chat_id.to_string(),
        };
        let data = self.watch(send::<ChatCustomer>(self.token.as_deref(), variables).await)?;
        Ok(data.chat.contact.into())
    }

    /// Saves the owner's name and notes for a customer.
    pub async fn update_contact(
        &self,
        id: &str,
        name: &str,
        notes: &str,
    ) -> Result<Customer, ClientError> {
        let variables = operations::update_contact::Variables {
            input: operations::update_contact::UpdateContactInput {
                id: id.to_string(),
                name: Some(name.to_string()),
                notes: Some(notes.to_string()),
            },
        };
        let data = self.watch(send::<UpdateContact>(self.token.as_deref(), variables).await)?;
        Ok(data.update_contact.into())
    }
}
