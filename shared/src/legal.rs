//! The legal pages' version: sign-up sends the version of the privacy policy and terms
//! the person accepted, and the server records it only when it is this one.

/// The version of the privacy policy and terms now in force (a date).
pub const POLICY_VERSION: &str = "2026-12-07";

/// Whose data the contact form may carry at most: a name, an e-mail and a message.
pub const CONTACT_MESSAGE_MAX_CHARS: usize = 5_000;
