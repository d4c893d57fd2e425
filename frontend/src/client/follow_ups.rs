//! Follow-ups: list, schedule, cancel, and the business's rule.

use shared::FollowUpStatus;

use super::models::wire_enum;
use super::operations::{
    self, CancelFollowUp, FollowUpRule as FollowUpRuleOp, FollowUps, ScheduleFollowUp,
    UpdateFollowUpRule,
};
use super::transport::send;
use super::{Client, ClientError, FollowUp, FollowUpRule, Page};

/// Which follow-ups to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FollowUpQuery {
    /// Page size.
    pub first: i64,
    /// Cursor of the last one already shown.
    pub after: Option<String>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<FollowUpStatus>,
    /// Only this chat.
    pub chat_id: Option<String>,
}

impl Client {
    /// One page of follow-ups, newest first.
    pub async fn follow_ups(&self, query: &FollowUpQuery) -> Result<Page<FollowUp>, ClientError> {
        let status = if query.statuses.is_empty() {
            None
        } else {
            Some(
                query
                    .statuses
                    .iter()
                    .map(|s| wire_enum(s.as_str()))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        let variables = operations::follow_ups::Variables {
            first: query.first,
            after: query.after.clone(),
            status,
            chat_id: query.chat_id.clone(),
        };
        let data = self.watch(send::<FollowUps>(self.token.as_deref(), variables).await)?;
        let page = data.follow_ups;
        Ok(Page {
            items: page
                .nodes
                .into_iter()
                .map(FollowUp::try_from)
                .collect::<Result<_, _>>()?,
            has_next_page: page.page_info.has_next_page,
            end_cursor: page.page_info.end_cursor,
            total_count: None,
        })
    }

    /// Schedules free text for a chat at `due_at` (RFC 3339).
    pub async fn schedule_follow_up(
        &self,
        chat_id: &str,
        due_at: &str,
        text: &str,
    ) -> Result<FollowUp, ClientError> {
        let variables = operations::schedule_follow_up::Variables {
            input: operations::schedule_follow_up::ScheduleFollowUpInput {
                chat_id: chat_id.to_string(),
                due_at: due_at.to_string(),
                text: Some(text.to_string()),
                template: None,
            },
        };
        let data = self.watch(send::<ScheduleFollowUp>(self.token.as_deref(), variables).await)?;
        FollowUp::try_from(data.schedule_follow_up)
    }

    /// Cancels a scheduled follow-up.
    pub async fn cancel_follow_up(&self, id: &str) -> Result<FollowUp, ClientError> {
        let variables = operations::cancel_follow_up::Variables { id: id.to_string() };
        let data = self.watch(send::<CancelFollowUp>(self.token.as_deref(), variables).await)?;
        FollowUp::try_from(data.cancel_follow_up)
    }

    /// The business's follow-up rule.
    pub async fn follow_up_rule(&self) -> Result<FollowUpRule, ClientError> {
        let data = self.watch(
            send::<FollowUpRuleOp>(self.token.as_deref(), operations::follow_up_rule::Variables)
                .await,
        )?;
        Ok(data.follow_up_rule.into())
    }

    /// Saves the business's follow-up rule (an empty text: the default message).
    pub async fn update_follow_up_rule(
        &self,
        rule: &FollowUpRule,
    ) -> Result<FollowUpRule, ClientError> {
        let variables = operations::update_follow_up_rule::Variables {
            input: operations::update_follow_up_rule::FollowUpRuleInput {
                enabled: Some(rule.enabled),
                after_hours: Some(rule.after_hours),
                text: Some(rule.text.clone().unwrap_or_default()),
            },
        };
        let data =
            self.watch(send::<UpdateFollowUpRule>(self.token.as_deref(), variables).await)?;
        Ok(data.update_follow_up_rule.into())
    }
}
