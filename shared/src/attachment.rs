//! What staff may attach in the composer, as WhatsApp takes it: photos (JPEG or PNG, at
//! most 5 MB, Meta's image limit) and documents (PDF, plain text, Word, Excel,
//! PowerPoint, at most 16 MB, what the inbox keeps). The dashboard checks a file before
//! uploading it; the server checks the same rules on the file's content.

use crate::enums::MessageKind;

/// Largest photo WhatsApp delivers as an image message.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Largest document kept and sent (one `MEDIUMBLOB`; Meta allows more).
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024 - 1;
/// Longest caption under a photo or document.
pub const MAX_CAPTION_CHARS: usize = 1_024;
/// Longest file name kept for a document.
pub const MAX_FILENAME_CHARS: usize = 240;

/// Photo types WhatsApp sends as images.
pub const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png"];
/// Document types WhatsApp accepts.
pub const DOCUMENT_TYPES: &[&str] = &[
    "application/pdf",
    "text/plain",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The `accept` list of the composer's file picker.
pub const ACCEPT: &str =
    "image/jpeg,image/png,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx";

/// How a file of `mime_type` is sent: [`MessageKind::Image`] or
/// [`MessageKind::Document`]; `None` when WhatsApp does not take it.
pub fn kind_of(mime_type: &str) -> Option<MessageKind> {
    if PHOTO_TYPES.contains(&mime_type) {
        Some(MessageKind::Image)
    } else if DOCUMENT_TYPES.contains(&mime_type) {
        Some(MessageKind::Document)
    } else {
        None
    }
}

/// The usual file extension of a type this module accepts (`bin` for others).
pub fn extension(mime_type: &str) -> &'static str {
    match mime_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.ms-powerpoint" => "ppt",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        _ => "bin",
    }
}

/// The largest file of `kind`.
pub fn max_bytes(kind: MessageKind) -> usize {
    if kind == MessageKind::Image {
        MAX_PHOTO_BYTES
    } else {
        MAX_DOCUMENT_BYTES
    }
}

/// Why a file of this type and size cannot be sent, in words for the owner.
pub fn problem(mime_type: &str, size_bytes: u64) -> Option<String> {
    let Some(kind) = kind_of(mime_type) else {
        return Some(
            "WhatsApp takes photos as JPEG or PNG, and documents as PDF, text, Word, Excel or PowerPoint files"
                .into(),
        );
    };
    if size_bytes == 0 {
        return Some("the file is empty".into());
    }
    let max = max_bytes(kind);
    (size_bytes > max as u64).then(|| {
        let what = if kind == MessageKind::Image {
            "a photo"
        } else {
            "a document"
        };
        format!("{what} can be at most {} MB", max.div_ceil(1024 * 1024))
    })
}

/// The readable body of a media message, as the inbox lists it: its label, then the
/// file name and caption, e.g. `📄 Document: price-list.pdf — our prices`.
pub fn body(label: &str, filename: Option<&str>, caption: Option<&str>) -> String {
    match (filename, caption) {
        (Some(f), Some(c)) => format!("{label}: {f} — {c}"),
        (Some(t), None) | (None, Some(t)) => format!("{label}: {t}"),
        (None, None) => label.to_string(),
    }
}

/// The label of a media message of `kind` (voice notes are labelled by the caller).
pub fn label(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Image => "📷 Photo",
        MessageKind::Video => "🎥 Video",
        MessageKind::Audio => "🎵 Audio",
        MessageKind::Document => "📄 Document",
        _ => "💟 Sticker",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_and_documents_are_told_apart_and_everything_else_refused() {
        assert_eq!(kind_of("image/png"), Some(MessageKind::Image));
        assert_eq!(kind_of("application/pdf"), Some(MessageKind::Document));
        assert_eq!(kind_of("image/gif"), None);
        assert_eq!(kind_of("application/x-msdownload"), None);
        for mime in PHOTO_TYPES.iter().chain(DOCUMENT_TYPES) {
            assert_ne!(extension(mime), "bin", "{mime}");
        }
    }

    #[test]
    fn sizes_are_capped_per_kind() {
        assert_eq!(problem("image/jpeg", MAX_PHOTO_BYTES as u64), None);
        assert_eq!(
            problem("image/jpeg", MAX_PHOTO_BYTES as u64 + 1).as_deref(),
            Some("a photo can be at most 5 MB")
        );
        assert_eq!(problem("application/pdf", MAX_PHOTO_BYTES as u64 + 1), None);
        assert_eq!(
            problem("application/pdf", MAX_DOCUMENT_BYTES as u64 + 1).as_deref(),
            Some("a document can be at most 16 MB")
        );
        assert!(problem("image/png", 0).is_some());
        assert!(problem("video/mp4", 10).is_some());
    }

    #[test]
    fn the_body_names_the_file_and_caption() {
        assert_eq!(
            body("📄 Document", Some("prices.pdf"), Some("our prices")),
            "📄 Document: prices.pdf — our prices"
        );
        assert_eq!(body("📷 Photo", None, Some("red")), "📷 Photo: red");
        assert_eq!(body("📷 Photo", None, None), "📷 Photo");
    }
}
