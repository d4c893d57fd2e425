//! App-wide state provided through Leptos contexts.

pub mod live;
pub mod session;
