//! `wasales simulate`: plays a WhatsApp customer (or Meta's status callbacks) against a
//! running server, with real-shaped, signed deliveries.

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::webhooks::WEBHOOK_PATH;
use crate::webhooks::fixtures::{self, Customer};
use crate::webhooks::signature::SIGNATURE_HEADER;

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
    #[arg(long, default_value = fixtures::DEMO_PHONE_NUMBER_ID)]
    pub phone_number_id: String,
    /// Send a status (`sent`, `delivered`, `read`, `failed`) for `--wamid` instead of a message.
    #[arg(long, requires = "wamid")]
    pub status: Option<String>,
    /// The message a status is about.
    #[arg(long)]
    pub wamid: Option<String>,
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
                fixtures::failed_status(&wamid, &customer, 131026, "Message undeliverable")
            } else {
                fixtures::status(&wamid, status, &customer)
            };
            let value = fixtures::statuses_value(&args.phone_number_id, &[&customer], vec![s]);
            (fixtures::single(value), wamid)
        }
        None => {
            let text = args
                .text
                .clone()
                .context("give the message text, or --status with --wamid")?;
            let wamid = args.wamid.clone().unwrap_or_else(fixtures::new_wamid);
            let message = fixtures::text_message(&customer, &wamid, &text);
            let value =
                fixtures::messages_value(&args.phone_number_id, &[&customer], vec![message]);
            (fixtures::single(value), wamid)
        }
    };
    let (body, signature) =
        fixtures::signed(config.meta_app_secret.expose_secret().as_bytes(), &delivery);
    let url = format!("{}{WEBHOOK_PATH}", args.server.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .post(&url)
        .header(SIGNATURE_HEADER, signature)
        .header("content-type", "application/json")
        .body(body)
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
