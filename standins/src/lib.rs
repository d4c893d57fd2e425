//! Local stand-ins for the services the server talks to, speaking their HTTP and JSON
//! on loopback, so tests, the demo and the benchmarks run the server's real clients
//! without a Meta account or an Anthropic key.
//!
//! - [`graph`]: Meta's Graph API (WhatsApp Cloud API) the server sends through;
//! - [`webhook`]: the signed webhook deliveries Meta posts to the server;
//! - [`anthropic`]: the Anthropic Messages API;
//! - [`meta_sdk`]: Meta's JavaScript SDK as Embedded Signup uses it in the browser.
//!
//! This crate does not depend on the server: it knows the wire formats from Meta's and
//! Anthropic's documentation, so a drift in the server's own types shows up in tests.

pub mod anthropic;
pub mod graph;
pub mod meta_sdk;
pub mod webhook;

/// `n` random bytes as lowercase hex (ids Meta would generate).
fn random_hex(n: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
