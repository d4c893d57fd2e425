//! Meta's WhatsApp Cloud API (Graph API): the wire types ([`types`]) and the client
//! ([`client`]). The stand-in server in `crate::standin::graph` speaks the same types,
//! so tests exercise the real client over real HTTP.

pub mod client;
pub mod types;

pub use client::{GraphClient, GraphError};
