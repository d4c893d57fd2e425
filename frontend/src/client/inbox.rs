//! The inbox: chats, messages, sending, read state and human takeover.

use web_sys::File;

use super::operations::{
    self, Chat as ChatOp, Chats, MarkChatRead, Messages, SendAttachment, SendMessage, SendTemplate,
    SetChatAiPaused, Upload,
};
use super::transport::{Uploads, send, send_with_uploads};
use super::{Chat, Client, ClientError, Message, MessagePage, Page};

/// Which chats to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChatQuery {
    /// Page size.
    pub first: i64,
    /// Cursor of the last chat already shown.
    pub after: Option<String>,
    /// Name or number search; empty lists everything.
    pub search: String,
    /// Only chats with unread customer messages.
    pub unread_only: bool,
}

/// An approved WhatsApp template to send outside the 24-hour window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateMessage {
    /// The template's name in Meta's WhatsApp Manager.
    pub name: String,
    /// Its language code, e.g. `en_US`.
    pub language: String,
    /// Body parameters `{{1}}`, `{{2}}`, ... in order.
    pub parameters: Vec<String>,
}

impl Client {
    /// One page of chats, newest activity first.
    pub async fn chats(&self, query: &ChatQuery) -> Result<Page<Chat>, ClientError> {
        let search = query.search.trim();
        let variables = operations::chats::Variables {
            first: query.first,
            after: query.after.clone(),
            unread_only: Some(query.unread_only),
            search: (!search.is_empty()).then(|| search.to_string()),
        };
        let data = self.watch(send::<Chats>(self.token.as_deref(), variables).await)?;
        Ok(Page {
            items: data.chats.nodes.into_iter().map(Chat::from).collect(),
            has_next_page: data.chats.page_info.has_next_page,
            end_cursor: data.chats.page_info.end_cursor,
            total_count: None,
        })
    }

    /// One chat.
    pub async fn chat(&self, id: &str) -> Result<Chat, ClientError> {
        let variables = operations::chat::Variables { id: id.to_string() };
        let data = self.watch(send::<ChatOp>(self.token.as_deref(), variables).await)?;
        Ok(Chat::from(data.chat))
    }

    /// The `last` messages before `before` (the newest when `None`), oldest first.
    pub async fn messages(
        &self,
        chat_id: &str,
        last: i64,
        before: Option<String>,
    ) -> Result<MessagePage, ClientError> {
        let variables = operations::messages::Variables {
            chat_id: chat_id.to_string(),
            last,
            before,
        };
        let data = self.watch(send::<Messages>(self.token.as_deref(), variables).await)?;
        Ok(MessagePage {
            messages: data
                .messages
                .nodes
                .into_iter()
                .map(Message::try_from)
                .collect::<Result<_, _>>()?,
            has_previous_page: data.messages.page_info.has_previous_page,
            start_cursor: data.messages.page_info.start_cursor,
        })
    }

    /// Sends free text; the API refuses it outside the 24-hour window.
    pub async fn send_message(&self, chat_id: &str, text: &str) -> Result<Message, ClientError> {
        let variables = operations::send_message::Variables {
            chat_id: chat_id.to_string(),
            text: text.to_string(),
        };
        let data = self.watch(send::<SendMessage>(self.token.as_deref(), variables).await)?;
        Message::try_from(data.send_message)
    }

    /// Sends a photo or document with an optional caption (a multipart request); the
    /// API refuses it outside the 24-hour window.
    pub async fn send_attachment(
        &self,
        chat_id: &str,
        file: &File,
        caption: Option<String>,
    ) -> Result<Message, ClientError> {
        let variables = operations::send_attachment::Variables {
            chat_id: chat_id.to_string(),
            file: Upload,
            caption,
        };
        let uploads = [Uploads::One {
            variable: "file",
            file,
        }];
        let result =
            send_with_uploads::<SendAttachment>(self.token.as_deref(), variables, &uploads).await;
        Message::try_from(self.watch(result)?.send_attachment)
    }

    /// Sends an approved template.
    pub async fn send_template(
        &self,
        chat_id: &str,
        template: TemplateMessage,
    ) -> Result<Message, ClientError> {
        let variables = operations::send_template::Variables {
            chat_id: chat_id.to_string(),
            template: operations::send_template::TemplateInput {
                name: template.name,
                language: template.language,
                parameters: template.parameters,
            },
        };
        let data = self.watch(send::<SendTemplate>(self.token.as_deref(), variables).await)?;
        Message::try_from(data.send_template)
    }

    /// Marks a chat's messages read; returns the chat with no unread messages.
    pub async fn mark_chat_read(&self, chat_id: &str) -> Result<Chat, ClientError> {
        let variables = operations::mark_chat_read::Variables {
            chat_id: chat_id.to_string(),
        };
        let data = self.watch(send::<MarkChatRead>(self.token.as_deref(), variables).await)?;
        Ok(Chat::from(data.mark_chat_read))
    }

    /// Pauses (human takeover) or resumes the AI in one chat.
    pub async fn set_chat_ai_paused(
        &self,
        chat_id: &str,
        paused: bool,
    ) -> Result<Chat, ClientError> {
        let variables = operations::set_chat_ai_paused::Variables {
            chat_id: chat_id.to_string(),
            paused,
        };
        let data = self.watch(send::<SetChatAiPaused>(self.token.as_deref(), variables).await)?;
        Ok(Chat::from(data.set_chat_ai_paused))
    }
}
