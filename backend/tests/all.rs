//! The backend's integration tests as one binary (crates.io's layout): each test file
//! of this folder is a module, and the fixtures they share are modules too.
//!
//! Fixtures: `common` (the server harness, sign-up and products, and `common::browser`
//! for headless Chromium), `inbox_support` (a connected number on the Graph stand-in,
//! chats and messages inserted directly, a WebSocket client), `webhook_support` (shops
//! and signed Meta deliveries) and `agent_support` (the AI salesperson's world).
//!
//! Run one file's tests with a filter: `cargo test -p backend --test all -- inbox::`.

mod agent_support;
mod common;
mod inbox_support;
mod webhook_support;

mod accounts;
mod activity;
mod agent_conversation;
mod agent_disconnect;
mod agent_privacy;
mod agent_resilience;
mod agent_suppression;
mod ai_limits;
mod assets;
mod attachments;
mod blacklist;
mod catalog;
mod coexistence;
mod contacts;
mod cross_tenant;
mod deal_approvals;
mod e2e_ai;
mod e2e_blacklist;
mod e2e_dashboard;
mod e2e_deals;
mod e2e_follow_ups;
mod e2e_inbox;
mod e2e_orders;
mod e2e_privacy;
mod e2e_public;
mod e2e_team;
mod e2e_templates;
mod e2e_whatsapp;
mod embedded_signup;
mod fleet;
mod follow_ups;
mod health;
mod home;
mod inbox;
mod media;
mod orders;
mod privacy;
mod production;
mod public_pages;
mod schema_contract;
mod secrets_at_rest;
mod security;
mod sender;
mod staff;
mod subscriptions;
mod templates;
mod tenancy;
mod webhook_types;
mod webhooks;
mod whatsapp;
mod why;
