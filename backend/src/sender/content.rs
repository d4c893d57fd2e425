//! What can be sent (text, a template, a picture by link, a file staff attached) and
//! the checks made before anything is stored: lengths, template names and parameters,
//! and an attachment's type read from its content.

use shared::MessageKind;

use super::MAX_TEXT_CHARS;
use crate::error::{AppError, AppResult};

/// An approved WhatsApp template with its body parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Name as approved in WhatsApp Manager, e.g. `order_update`.
    pub name: String,
    /// Language code, e.g. `en_US`.
    pub language: String,
    /// Body parameters `{{1}}`, `{{2}}`, ... in order.
    pub parameters: Vec<String>,
}

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Free-form text: only inside the 24-hour window.
    Text(String),
    /// A template: allowed at any time.
    Template(Template),
    /// A picture by its public link, with an optional caption: only inside the 24-hour
    /// window.
    Image {
        /// Where Meta fetches it.
        link: String,
        /// Text under it.
        caption: Option<String>,
    },
    /// A photo or document staff attached: uploaded to Meta's media endpoint, then sent
    /// by its media id, and kept as the message's file. Only inside the 24-hour window.
    Attachment(Attachment),
}

/// Longest caption under a picture.
pub const MAX_CAPTION_CHARS: usize = shared::attachment::MAX_CAPTION_CHARS;

/// A file to send, its type read from its content (never from its name or the type the
/// browser claimed).
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// [`MessageKind::Image`] or [`MessageKind::Document`].
    pub kind: MessageKind,
    /// The content type found in the bytes.
    pub mime_type: String,
    /// The file name the customer sees on a document.
    pub filename: String,
    /// The file.
    pub data: Vec<u8>,
    /// Text under it.
    pub caption: Option<String>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("kind", &self.kind)
            .field("mime_type", &self.mime_type)
            .field("filename", &self.filename)
            .field("bytes", &self.data.len())
            .finish_non_exhaustive()
    }
}

impl Attachment {
    /// Reads an uploaded file: its type by content (JPEG, PNG, PDF, Office files; text
    /// when it is UTF-8 without control bytes), checked against `shared`'s rules.
    pub fn read(data: Vec<u8>, filename: &str, caption: Option<String>) -> AppResult<Attachment> {
        let mime_type = match infer::get(&data) {
            Some(found) => found.mime_type().to_string(),
            None if is_plain_text(&data) => "text/plain".to_string(),
            None => "application/octet-stream".to_string(),
        };
        if let Some(problem) = shared::attachment::problem(&mime_type, data.len() as u64) {
            return Err(AppError::invalid("file", problem));
        }
        let kind = shared::attachment::kind_of(&mime_type).unwrap_or(MessageKind::Document);
        let caption = caption
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        Ok(Attachment {
            kind,
            filename: clean_filename(filename, &mime_type),
            mime_type,
            data,
            caption,
        })
    }
}

/// Text files: UTF-8 with no control bytes but tabs and line ends.
fn is_plain_text(data: &[u8]) -> bool {
    std::str::from_utf8(data).is_ok_and(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    })
}

/// The last component of a browser's file name, without control characters, at most
/// [`shared::attachment::MAX_FILENAME_CHARS`]; `file.<ext>` when nothing is left.
fn clean_filename(name: &str, mime_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(shared::attachment::MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        format!("file.{}", shared::attachment::extension(mime_type))
    } else {
        cleaned.to_string()
    }
}

/// A caption under a picture or document: at most [`MAX_CAPTION_CHARS`].
fn check_caption(caption: Option<&str>) -> AppResult<()> {
    if caption.is_some_and(|c| c.chars().count() > MAX_CAPTION_CHARS) {
        return Err(AppError::invalid(
            "caption",
            format!("a caption holds at most {MAX_CAPTION_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks content before anything is stored (also used when a follow-up is scheduled).
pub fn validate(content: &Outbound) -> AppResult<()> {
    match content {
        Outbound::Image { link, caption } => {
            let link_ok = url::Url::parse(link)
                .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
            if !link_ok {
                return Err(AppError::invalid("image", "a picture needs a web address"));
            }
            check_caption(caption.as_deref())?;
        }
        Outbound::Attachment(a) => {
            if let Some(problem) = shared::attachment::problem(&a.mime_type, a.data.len() as u64) {
                return Err(AppError::invalid("file", problem));
            }
            check_caption(a.caption.as_deref())?;
        }
        Outbound::Text(text) => {
            if text.trim().is_empty() {
                return Err(AppError::invalid("text", "write a message first"));
            }
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(AppError::invalid(
                    "text",
                    format!("a WhatsApp message holds at most {MAX_TEXT_CHARS} characters"),
                ));
            }
        }
        Outbound::Template(t) => {
            let name_ok = !t.name.is_empty()
                && t.name.len() <= 512
                && t.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !name_ok {
                return Err(AppError::invalid(
                    "template",
                    "a template name is lowercase letters, digits and underscores",
                ));
            }
            let language_ok = !t.language.is_empty()
                && t.language.len() <= 15
                && t.language
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !language_ok {
                return Err(AppError::invalid(
                    "template",
                    "the template language is a code such as en_US",
                ));
            }
            if t.parameters.len() > 50
                || t.parameters
                    .iter()
                    .any(|p| p.trim().is_empty() || p.chars().count() > 1024)
            {
                return Err(AppError::invalid(
                    "template",
                    "template parameters must be non-empty (at most 1024 characters each)",
                ));
            }
        }
    }
    Ok(())
}

/// The readable body stored for a template message.
pub(super) fn template_body(t: &Template) -> String {
    if t.parameters.is_empty() {
        format!("Template {}", t.name)
    } else {
        format!("Template {}: {}", t.name, t.parameters.join(" · "))
    }
}
