//! The activity log: a page of entries, newest first, filtered.

use shared::{ActivityKind, ActorKind};

use super::models::wire_enum;
use super::operations::{self, Activity};
use super::transport::send;
use super::{ActivityEntry, Client, ClientError, Page};

/// Which entries to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityQuery {
    /// Page size.
    pub first: i64,
    /// Cursor of the last entry already shown.
    pub after: Option<String>,
    /// Only these kinds (empty: every kind).
    pub kinds: Vec<ActivityKind>,
    /// Only by this kind of actor.
    pub actor: Option<ActorKind>,
    /// At or after (RFC 3339).
    pub since: Option<String>,
    /// Before (RFC 3339).
    pub until: Option<String>,
    /// Only about this record (its opaque id).
    pub subject_id: Option<String>,
}

impl ActivityQuery {
    fn filter(&self) -> Result<Option<operations::activity::ActivityFilterInput>, ClientError> {
        if self.kinds.is_empty()
            && self.actor.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.subject_id.is_none()
        {
            return Ok(None);
        }
        let kinds = if self.kinds.is_empty() {
            None
        } else {
            Some(
                self.kinds
                    .iter()
                    .map(|k| wire_enum(k.as_str()))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        Ok(Some(operations::activity::ActivityFilterInput {
            kinds,
            actor: self.actor.map(|a| wire_enum(a.as_str())).transpose()?,
            subject_id: self.subject_id.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
        }))
    }

    /// Whether a new entry belongs in the list this query shows (live updates).
    pub fn admits(&self, entry: &ActivityEntry) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&entry.kind))
            && self.actor.is_none_or(|a| a == entry.actor_kind)
            && self.until.is_none()
            && self
                .subject_id
                .as_ref()
                .is_none_or(|id| entry.subject.as_ref().is_some_and(|(_, s)| s == id))
    }
}

impl Client {
    /// One page of the activity log.
    pub async fn activity(
        &self,
        query: &ActivityQuery,
    ) -> Result<Page<ActivityEntry>, ClientError> {
        let variables = operations::activity::Variables {
            first: query.first,
            after: query.after.clone(),
            filter: query.filter()?,
        };
        let data = self.watch(send::<Activity>(self.token.as_deref(), variables).await)?;
        let page = data.activity;
        Ok(Page {
            items: page
                .nodes
                .into_iter()
                .map(ActivityEntry::try_from)
                .collect::<Result<_, _>>()?,
            has_next_page: page.page_info.has_next_page,
            end_cursor: page.page_info.end_cursor,
            total_count: None,
        })
    }
}
