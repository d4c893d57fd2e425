//! JSON shapes of the Graph API calls we make, as the client sends and reads them.

use serde::{Deserialize, Serialize};

/// `GET /{media_id}`: where a customer's photo, voice note or document can be
/// downloaded (the URL needs the token too and lasts about five minutes).
#[derive(Debug, Clone, Deserialize)]
pub struct MediaInfo {
    /// The download URL.
    pub url: String,
    /// Its content type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// SHA-256 of the file (hex, or base64 in some of Meta's answers).
    #[serde(default)]
    pub sha256: Option<String>,
}

/// `GET /{phone_number_id}?fields=display_phone_number,verified_name`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhoneNumberInfo {
    /// The phone number id.
    pub id: String,
    /// The number as Meta displays it, e.g. `+1 555-0100`.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// The business name Meta verified for this number.
    #[serde(default)]
    pub verified_name: Option<String>,
}

/// Body of `POST /{phone_number_id}/messages` for a message.
///
/// Exactly one of `to` (phone number) and `recipient` (business-scoped user id) is set:
/// replies go to the phone number when known, else to the BSUID.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SendMessageRequest {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// Always `individual`.
    pub recipient_type: String,
    /// The customer's phone number (digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The customer's BSUID, when no phone number is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// Ours, echoed back in the message's status webhooks (at most 512 characters): it
    /// names the stored message, so a status can complete a send whose answer was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
    /// The content.
    #[serde(flatten)]
    pub content: MessageContent,
}

/// What an outbound message carries, tagged by `type`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageContent {
    /// Free-form text (only inside the 24-hour window).
    Text {
        /// The text.
        text: TextBody,
    },
    /// An approved template (allowed at any time).
    Template {
        /// The template.
        template: TemplateBody,
    },
    /// A picture, by its public link or an uploaded media id (only inside the 24-hour
    /// window).
    Image {
        /// The picture.
        image: MediaBody,
    },
    /// A document (PDF, ...), by an uploaded media id (only inside the 24-hour window).
    Document {
        /// The document.
        document: MediaBody,
    },
}

/// `image` or `document` of a media message: `link` or `id` (from
/// `POST /{phone_number_id}/media`), with an optional caption and, for documents, the
/// file name the customer sees.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct MediaBody {
    /// Where Meta fetches the file (HTTPS in production).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// An uploaded file's media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Text under the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// A document's file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

/// Meta's answer to a media upload.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadedMedia {
    /// The media id to send the file by.
    pub id: String,
}

/// `text` of a text message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TextBody {
    /// Whether WhatsApp shows a link preview.
    pub preview_url: bool,
    /// The text.
    pub body: String,
}

/// `template` of a template message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TemplateBody {
    /// Template name as approved in WhatsApp Manager.
    pub name: String,
    /// Its language.
    pub language: TemplateLanguage,
    /// Parameters; omitted when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<TemplateComponent>,
}

/// `{"code": "en_US"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TemplateLanguage {
    /// Language code, e.g. `en_US`.
    pub code: String,
}

/// One component of a template with its parameters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TemplateComponent {
    /// `body` (the only kind we fill today).
    #[serde(rename = "type")]
    pub kind: String,
    /// Parameters in order.
    pub parameters: Vec<TemplateParameter>,
}

/// A text parameter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TemplateParameter {
    /// `text`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value.
    pub text: String,
}

/// Body of `POST /{phone_number_id}/messages` marking a message read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReadReceiptRequest {
    /// Always `whatsapp`.
    pub messaging_product: String,
    /// Always `read`.
    pub status: String,
    /// The inbound message's wamid.
    pub message_id: String,
}

/// Meta's answer to a sent message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendMessageResponse {
    /// `whatsapp`.
    pub messaging_product: String,
    /// The addressee as Meta resolved it.
    #[serde(default)]
    pub contacts: Vec<SentContact>,
    /// The accepted message (one).
    pub messages: Vec<SentMessageId>,
}

/// An addressee in [`SendMessageResponse`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentContact {
    /// What we sent as `to` or `recipient`.
    pub input: String,
    /// The WhatsApp id (phone number), when Meta reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
    /// The BSUID, when Meta reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// The id Meta gave an accepted message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentMessageId {
    /// `wamid....`.
    pub id: String,
}

/// `{"success": true}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuccessResponse {
    /// Whether Meta accepted the call.
    pub success: bool,
}

/// `GET /oauth/access_token`: the business token an Embedded Signup code exchanges for.
#[derive(Deserialize)]
pub struct AccessTokenResponse {
    /// The business integration system user token.
    pub access_token: String,
}

impl std::fmt::Debug for AccessTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessTokenResponse([REDACTED])")
    }
}

/// `POST /{phone_number_id}/register`: the number on Cloud API, with the two-step
/// verification pin it gets.
#[derive(Serialize)]
pub struct RegisterRequest {
    /// Always `whatsapp`.
    pub messaging_product: &'static str,
    /// Six digits.
    pub pin: String,
}

impl std::fmt::Debug for RegisterRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegisterRequest { pin: [REDACTED] }")
    }
}

/// `POST /{phone_number_id}/smb_app_data`: asks a coexistence number's WhatsApp Business
/// app to share its contacts (`smb_app_state_sync`) or its past chats (`history`).
#[derive(Debug, Serialize)]
pub struct SyncRequest {
    /// Always `whatsapp`.
    pub messaging_product: &'static str,
    /// `smb_app_state_sync` or `history`.
    pub sync_type: &'static str,
}

/// `GET /{waba_id}/message_templates`: one page of the WABA's templates.
#[derive(Debug, Clone, Deserialize)]
pub struct TemplatesPage {
    /// The templates.
    #[serde(default)]
    pub data: Vec<TemplateInfo>,
}

/// One message template as Meta lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct TemplateInfo {
    /// Its name.
    pub name: String,
    /// Its language code (`en_US`).
    #[serde(default)]
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`...
    #[serde(default)]
    pub status: String,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    #[serde(default)]
    pub category: String,
    /// Header, body, footer, buttons (raw).
    #[serde(default)]
    pub components: Vec<serde_json::Value>,
}

impl TemplateInfo {
    /// The body's text, with its `{{1}}`... placeholders.
    pub fn body(&self) -> String {
        self.components
            .iter()
            .find(|c| c["type"].as_str() == Some("BODY"))
            .and_then(|c| c["text"].as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// Meta's error envelope: `{"error": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: MetaError,
}

/// One Graph API error.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetaError {
    /// Human-readable message (may be long; never contains our token).
    #[serde(default)]
    pub message: String,
    /// E.g. `OAuthException`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The error code (`190`, `130429`, `131047`, ...).
    #[serde(default)]
    pub code: i64,
    /// Sub-code, when Meta gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<i64>,
    /// WhatsApp-specific details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<MetaErrorData>,
    /// Short title Meta gives some errors (e.g. `Re-engagement message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    /// Meta's trace id, for support requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
}

/// `error.error_data`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetaErrorData {
    /// `whatsapp`.
    #[serde(default)]
    pub messaging_product: String,
    /// Longer explanation.
    #[serde(default)]
    pub details: String,
}

impl SendMessageRequest {
    /// A message addressed to a phone number (`to`) or a BSUID (`recipient`).
    pub fn new(to: Option<String>, recipient: Option<String>, content: MessageContent) -> Self {
        SendMessageRequest {
            messaging_product: "whatsapp".into(),
            recipient_type: "individual".into(),
            to,
            recipient,
            biz_opaque_callback_data: None,
            content,
        }
    }
}

impl TemplateBody {
    /// A template with body text parameters (no components when there are none).
    pub fn new(name: &str, language: &str, parameters: &[String]) -> Self {
        let components = if parameters.is_empty() {
            Vec::new()
        } else {
            vec![TemplateComponent {
                kind: "body".into(),
                parameters: parameters
                    .iter()
                    .map(|p| TemplateParameter {
                        kind: "text".into(),
                        text: p.clone(),
                    })
                    .collect(),
            }]
        };
        TemplateBody {
            name: name.to_string(),
            language: TemplateLanguage {
                code: language.to_string(),
            },
            components,
        }
    }
}
