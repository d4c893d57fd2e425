//! Meta's WhatsApp Cloud API: the Graph API's wire types ([`types`]) and client
//! ([`client`]), and the JSON of the webhooks Meta sends us ([`webhook`]). Tests
//! exercise the real client over real HTTP against the Graph API stand-in of the
//! `standins` crate (`standins/src/graph.rs`).

pub mod client;
pub mod types;
pub mod webhook;

pub use client::{GraphClient, GraphError};
