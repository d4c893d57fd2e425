//! The WhatsApp AI Sales dashboard: a Leptos single-page app built by Trunk.

mod app;
mod client;
mod components;
mod contexts;
mod pages;
mod routes;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
