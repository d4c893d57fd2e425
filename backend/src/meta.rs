//! Meta's WhatsApp Cloud API (Graph API): the wire types ([`types`]) and the client
//! ([`client`]). Tests exercise the real client over real HTTP against the Graph API
//! stand-in of the `standins` crate (`standins/src/graph.rs`).

pub mod client;
pub mod types;

pub use client::{GraphClient, GraphError};
