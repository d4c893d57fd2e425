//! App-wide state provided through Leptos contexts.

pub mod session;
