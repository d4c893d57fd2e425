//! `wasales-dev simulate`: plays a WhatsApp customer (or Meta's status callbacks) against a
//! running server, with real-shaped, signed deliveries.

use anyhow::Context;
use backend::config::Config;
use backend::webhooks::WEBHOOK_PATH;
use secrecy::ExposeSecret;
use standins::graph::SIMULATED_MEDIA_PREFIX;
use standins::webhook::{self, Customer};

use crate::bench::signed_post;

/// What to simulate.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// The customer's phone number (digits, country code first).
    #[arg(long, default_value = "15551234567")]
    pub from: String,
    /// The customer's profile name.
    #[arg(long, default_value = "Ada")]
    pub name: String,
    /// The customer's BSUID (default: derived from the phone number).
    #[arg(long)]
    pub user_id: Option<String>,
    /// The customer's WhatsApp username.
    #[arg(long)]
    pub username: Option<String>,
    /// Omit the phone number, like Meta does for username customers.
    #[arg(long)]
    pub no_phone: bool,
    /// Server base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// The business number the message is sent to.
    #[arg(long, default_value = webhook::DEMO_PHONE_NUMBER_ID)]
    pub phone_number_id: String,
    /// Send a status (`sent`, `delivered`, `read`, `failed`) for `--wamid` instead of a message.
    #[arg(long, requires = "wamid")]
    pub status: Option<String>,
    /// The message a status is about.
    #[arg(long)]
    pub wamid: Option<String>,
    /// Play the business owner typing the text to the customer in the WhatsApp Business
    /// app (a coexistence echo) instead of the customer writing.
    #[arg(long, conflicts_with = "status")]
    pub echo: bool,
    /// Send a photo (the Graph stand-in's sample picture; the text, if any, is its
    /// caption) instead of a text message.
    #[arg(long, conflicts_with_all = ["status", "echo"])]
    pub image: bool,
    /// The text the customer sends.
    pub text: Option<String>,
}

/// Builds, signs and posts the delivery; prints the HTTP status and the wamid.
pub async fn run(config: &Config, args: SimulateArgs) -> anyhow::Result<()> {
    let mut customer = Customer::with_phone(&args.from, &args.name);
    if let Some(user_id) = &args.user_id {
        customer.user_id = Some(user_id.clone());
    }
    customer.username.clone_from(&args.username);
    if args.no_phone {
        customer.wa_id = None;
    }
    let (delivery, wamid) = match &args.status {
        Some(status) => {
            let wamid = args.wamid.clone().context("--status needs --wamid")?;
            let s = if status == "failed" {
                webhook::failed_status(&wamid, &customer, 131026, "Message undeliverable")
            } else {
                webhook::status(&wamid, status, &customer)
            };
            let value = webhook::statuses_value(&args.phone_number_id, &[&customer], vec![s]);
            (webhook::single(value), wamid)
        }
        None if args.image => {
            let wamid = args.wamid.clone().unwrap_or_else(webhook::new_wamid);
            let mut image = serde_json::json!({
                "id": format!("{SIMULATED_MEDIA_PREFIX}{}", uuid::Uuid::new_v4().simple()),
                "mime_type": "image/png",
            });
            if let Some(caption) = &args.text {
                image["caption"] = caption.clone().into();
            }
            let message = webhook::message(&customer, &wamid, "image", image);
            let value = webhook::messages_value(&args.phone_number_id, &[&customer], vec![message]);
            (webhook::single(value), wamid)
        }
        None => {
            let text = args
                .text
                .clone()
                .context("give the message text, or --status with --wamid")?;
            let wamid = args.wamid.clone().unwrap_or_else(webhook::new_wamid);
            if args.echo {
                let value = webhook::echo_value(&args.phone_number_id, &customer, &wamid, &text);
                (webhook::single_field("smb_message_echoes", value), wamid)
            } else {
                let message = webhook::text_message(&customer, &wamid, &text);
                let value =
                    webhook::messages_value(&args.phone_number_id, &[&customer], vec![message]);
                (webhook::single(value), wamid)
            }
        }
    };
    let signed = webhook::signed(config.meta_app_secret.expose_secret().as_bytes(), &delivery);
    let url = format!("{}{WEBHOOK_PATH}", args.server.trim_end_matches('/'));
    let response = signed_post(&reqwest::Client::new(), &url, &signed)
        .send()
        .await
        .with_context(|| format!("posting to {url}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!("HTTP {} {}", status.as_u16(), text.trim());
    println!("wamid {wamid}");
    anyhow::ensure!(status.is_success(), "the server refused the delivery");
    Ok(())
}
