//! The blacklist: list, block, unblock.

use super::operations::{self, AddToBlacklist, Blacklist, RemoveFromBlacklist};
use super::transport::send;
use super::{BlacklistEntry, Client, ClientError, Page};

/// Who to block: one identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockTarget {
    /// A customer of the inbox, by contact id.
    Contact(String),
    /// A phone number as typed (`+1 555-123-4567`).
    Phone(String),
    /// A WhatsApp username (with or without `@`).
    Username(String),
    /// A business-scoped user id.
    UserId(String),
}

impl Client {
    /// One page of the blacklist, newest first; `search` matches numbers and reasons.
    pub async fn blacklist(
        &self,
        first: i64,
        after: Option<String>,
        search: &str,
    ) -> Result<Page<BlacklistEntry>, ClientError> {
        let search = search.trim();
        let variables = operations::blacklist::Variables {
            first,
            after,
            search: (!search.is_empty()).then(|| search.to_string()),
        };
        let data = self.watch(send::<Blacklist>(self.token.as_deref(), variables).await)?;
        let page = data.blacklist;
        Ok(Page {
            items: page
                .nodes
                .into_iter()
                .map(BlacklistEntry::try_from)
                .collect::<Result<_, _>>()?,
            has_next_page: page.page_info.has_next_page,
            end_cursor: page.page_info.end_cursor,
            total_count: None,
        })
    }

    /// Blocks `target` with `reason` (an entry already there gets the new reason).
    pub async fn add_to_blacklist(
        &self,
        target: &BlockTarget,
        reason: &str,
    ) -> Result<BlacklistEntry, ClientError> {
        let mut input = operations::add_to_blacklist::AddToBlacklistInput {
            contact_id: None,
            phone: None,
            user_id: None,
            username: None,
            reason: Some(reason.trim().to_string()),
        };
        match target {
            BlockTarget::Contact(id) => input.contact_id = Some(id.clone()),
            BlockTarget::Phone(p) => input.phone = Some(p.clone()),
            BlockTarget::Username(u) => input.username = Some(u.clone()),
            BlockTarget::UserId(u) => input.user_id = Some(u.clone()),
        }
        let variables = operations::add_to_blacklist::Variables { input };
        let data = self.watch(send::<AddToBlacklist>(self.token.as_deref(), variables).await)?;
        BlacklistEntry::try_from(data.add_to_blacklist)
    }

    /// Unblocks: an entry's id removes it; a contact's id removes every entry naming them.
    pub async fn remove_from_blacklist(&self, id: &str) -> Result<(), ClientError> {
        let variables = operations::remove_from_blacklist::Variables { id: id.to_string() };
        self.watch(send::<RemoveFromBlacklist>(self.token.as_deref(), variables).await)?;
        Ok(())
    }
}
