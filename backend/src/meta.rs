//! Meta's WhatsApp Cloud API: the Graph API's wire types ([`types`]) and client
//! ([`client`]), and the JSON of the webhooks Meta sends us ([`webhook`]). The Graph
//! API stand-in speaks the same types, so tests exercise the real client over real
//! HTTP.

pub mod client;
pub mod types;
pub mod webhook;

pub use client::{GraphClient, GraphError};
