//! The demo business: a realistic catalog (`assets/demo/catalog.json` and its images) a
//! new user can explore at once, its number connected through a local Graph API
//! stand-in, and the demo server (`wasales-dev demo`, what `scripts/run.sh` runs).
//! Seeding is idempotent: running it again changes nothing.

use backend::accounts::{self, SignUp};
use backend::activity::Actor;
use backend::app::AppState;
use backend::auth::Caller;
use backend::config::Config;
use backend::db::tenants;
use backend::whatsapp::{self, ConnectRequest};
use secrecy::SecretString;
use serde::Deserialize;
use shared::{ActorKind, BusinessId, ProductDraft};
use standins::graph::GraphStandin;
use standins::webhook::DEMO_PHONE_NUMBER_ID;

/// Demo owner login.
pub const DEMO_EMAIL: &str = "demo@wasales.test";
/// Demo owner password.
pub const DEMO_PASSWORD: &str = "demo-password";
/// The access token the demo number is connected with (the stand-in accepts it).
pub const DEMO_ACCESS_TOKEN: &str = "demo-access-token";
/// Port the demo's Graph API stand-in prefers.
const DEMO_GRAPH_PORT: u16 = 8081;
/// The demo number as the stand-in displays it.
const DEMO_DISPLAY_NUMBER: &str = "+1 555-0100";

/// The demo catalog: products as the owner would type them, each with one image.
const CATALOG_JSON: &str = include_str!("../assets/demo/catalog.json");

/// The images `catalog.json` names.
const IMAGES: &[(&str, &[u8])] = &[
    (
        "ankara-dress.png",
        include_bytes!("../assets/demo/ankara-dress.png"),
    ),
    (
        "linen-shirt.png",
        include_bytes!("../assets/demo/linen-shirt.png"),
    ),
    (
        "leather-bag.png",
        include_bytes!("../assets/demo/leather-bag.png"),
    ),
    (
        "canvas-sneakers.png",
        include_bytes!("../assets/demo/canvas-sneakers.png"),
    ),
    (
        "gold-earrings.png",
        include_bytes!("../assets/demo/gold-earrings.png"),
    ),
    (
        "silk-scarf.png",
        include_bytes!("../assets/demo/silk-scarf.png"),
    ),
];

/// One entry of `catalog.json`.
#[derive(Deserialize)]
struct DemoProduct {
    /// File name in [`IMAGES`].
    image: String,
    product: ProductDraft,
}

/// Runs the server with the demo: the Graph API stand-in (unless `META_GRAPH_URL` points
/// at a real one), the demo business seeded, its login printed.
pub async fn serve(mut config: Config) -> anyhow::Result<()> {
    // The demo talks to a local Graph API stand-in unless a real one is configured,
    // so a new user sees the whole loop without a Meta account.
    let standin = if std::env::var("META_GRAPH_URL").is_err() {
        let standin = start_graph().await?;
        config.meta_graph_url = standin.url.clone();
        Some(standin)
    } else {
        None
    };
    let addr = config.bind_addr;
    let app = backend::init(config).await?;
    println!("{}", seed(&app, standin.is_some()).await?);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "listening; open http://{addr}");
    backend::serve(app, listener, backend::http::shutdown_signal()).await
}

/// Starts the Graph API stand-in the demo sends through (printing every message the
/// customer would receive), with the demo number registered.
async fn start_graph() -> anyhow::Result<GraphStandin> {
    let standin = match GraphStandin::start(DEMO_GRAPH_PORT, true).await {
        Ok(s) => s,
        Err(_) => GraphStandin::start(0, true).await?,
    };
    register_number(&standin, "Ada's Boutique");
    Ok(standin)
}

/// Makes the demo number known to a Graph API stand-in, usable with the demo token.
pub fn register_number(graph: &GraphStandin, verified_name: &str) {
    graph.add_number(
        DEMO_PHONE_NUMBER_ID,
        DEMO_ACCESS_TOKEN,
        DEMO_DISPLAY_NUMBER,
        verified_name,
    );
}

/// Creates the demo business and catalog when missing and, with `connect_number`,
/// connects the demo WhatsApp number (through the Graph API stand-in). Returns what to
/// tell the user.
pub async fn seed(app: &AppState, connect_number: bool) -> anyhow::Result<String> {
    let existing = {
        let mut conn = app.db().await?;
        tenants::find_user_by_email(&mut conn, DEMO_EMAIL).await?
    };
    let business_id = match existing {
        Some(user) => user.business_id,
        None => create_business(app).await?,
    };
    if connect_number
        && whatsapp::current(app, business_id)
            .await?
            .is_none_or(|c| c.status != shared::ConnectionStatus::Connected)
    {
        connect(app, business_id).await?;
    }
    let mut lines = vec![format!(
        "Demo business ready: log in at {} with {DEMO_EMAIL} / {DEMO_PASSWORD}",
        app.config.public_url
    )];
    if connect_number {
        lines.push(format!(
            "Its WhatsApp number {DEMO_PHONE_NUMBER_ID} is connected to a local Graph API stand-in. Play a customer with:\n  ./scripts/simulate.sh --from 15551234567 --name Ada \"how much is the ankara dress?\""
        ));
    }
    Ok(lines.join("\n"))
}

/// Connects the demo number to `business_id` the way an owner does (`connectWhatsApp`:
/// Meta, here a stand-in it is registered with, checks the number first).
pub async fn connect(app: &AppState, business_id: BusinessId) -> anyhow::Result<()> {
    whatsapp::connect(
        app,
        business_id,
        &Actor::named(ActorKind::Owner, DEMO_EMAIL),
        ConnectRequest {
            phone_number_id: DEMO_PHONE_NUMBER_ID.into(),
            waba_id: "200000000000002".into(),
            display_phone_number: DEMO_DISPLAY_NUMBER.into(),
            access_token: SecretString::from(DEMO_ACCESS_TOKEN.to_string()),
        },
    )
    .await?;
    Ok(())
}

/// The demo business's sign-up, as its owner types it.
pub fn owner() -> SignUp {
    SignUp {
        business_name: "Ada's Boutique".into(),
        business_type: "Fashion & accessories".into(),
        country: "NG".into(),
        currency: Some("NGN".into()),
        time_zone: Some("Africa/Lagos".into()),
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
        accepted_policy_version: shared::legal::POLICY_VERSION.into(),
        confirmed_authorised_and_over_16: true,
    }
}

/// Signs a business up as its owner would; returns the owner as a caller.
pub async fn sign_up(app: &AppState, business: SignUp) -> anyhow::Result<Caller> {
    let email = business.email.clone();
    let local = backend::auth::ClientInfo::from_ip(std::net::Ipv4Addr::LOCALHOST.into());
    let session = accounts::sign_up(app, business, &local).await?;
    Ok(Caller {
        business_id: session.business.id,
        user_id: Some(session.user.id),
        session_id: None,
        actor: Actor::named(ActorKind::Owner, email),
        api_token_id: None,
        scope: shared::ApiTokenScope::Write,
    })
}

async fn create_business(app: &AppState) -> anyhow::Result<BusinessId> {
    let caller = sign_up(app, owner()).await?;
    let catalog: Vec<DemoProduct> = serde_json::from_str(CATALOG_JSON)?;
    for p in catalog {
        let (_, image) = IMAGES
            .iter()
            .find(|(name, _)| *name == p.image)
            .ok_or_else(|| anyhow::anyhow!("catalog.json names a missing image {}", p.image))?;
        let image = backend::catalog::check_image(image.to_vec())?;
        backend::catalog::create_product(app, &caller, &p.product, vec![image]).await?;
    }
    Ok(caller.business_id)
}
