//! Local stand-ins for the services we call, speaking their HTTP and JSON, so tests
//! and demos run the real clients against loopback servers (DESIGN.md section 8).

pub mod anthropic;
pub mod graph;
