//! The inbox's pieces: chat rows, the conversation and its thread, message bubbles and the
//! composer.

pub mod chat_row;
pub mod composer;
pub mod conversation;
pub mod customer_panel;
pub mod format;
pub mod message_bubble;
pub mod state;
pub mod thread;
pub mod why;
