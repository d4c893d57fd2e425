//! The demo business: a realistic catalog a new user can explore at once.
//! Idempotent: running it again changes nothing.

use secrecy::SecretString;
use shared::{BusinessId, Discount, ProductDraft};

use crate::accounts::{self, SignUp};
use crate::app::AppState;
use crate::auth::Caller;
use crate::catalog;
use crate::db::tenants;
use crate::standin::graph::GraphStandin;
use crate::webhooks::fixtures::DEMO_PHONE_NUMBER_ID;
use crate::whatsapp::{self, ConnectRequest};

/// Demo owner login.
pub const DEMO_EMAIL: &str = "demo@wasales.test";
/// Demo owner password.
pub const DEMO_PASSWORD: &str = "demo-password";

struct DemoProduct {
    name: &'static str,
    description: &'static str,
    price: i64,
    discount: Discount,
    floor: i64,
    quantity: i64,
    colors: &'static [&'static str],
    image: &'static [u8],
}

const CATALOG: &[DemoProduct] = &[
    DemoProduct {
        name: "Ankara wrap dress",
        description: "Hand-sewn wrap dress in 100% cotton Ankara print. Sizes 8 to 16.",
        price: 2_500_000,
        discount: Discount::Percent(10),
        floor: 1_900_000,
        quantity: 14,
        colors: &["Red", "Blue", "Green"],
        image: include_bytes!("../assets/demo/ankara-dress.png"),
    },
    DemoProduct {
        name: "Linen shirt",
        description: "Breathable linen shirt, relaxed fit. S, M, L, XL.",
        price: 1_800_000,
        discount: Discount::None,
        floor: 1_500_000,
        quantity: 30,
        colors: &["Blue", "White", "Sand"],
        image: include_bytes!("../assets/demo/linen-shirt.png"),
    },
    DemoProduct {
        name: "Leather tote bag",
        description: "Full-grain leather tote with inner zip pocket; fits a 14\" laptop.",
        price: 4_500_000,
        discount: Discount::Fixed(500_000),
        floor: 3_600_000,
        quantity: 6,
        colors: &["Brown", "Black"],
        image: include_bytes!("../assets/demo/leather-bag.png"),
    },
    DemoProduct {
        name: "Canvas sneakers",
        description: "Lightweight canvas sneakers with rubber soles. EU 36 to 45.",
        price: 2_200_000,
        discount: Discount::Percent(5),
        floor: 1_800_000,
        quantity: 22,
        colors: &["White", "Black", "Navy"],
        image: include_bytes!("../assets/demo/canvas-sneakers.png"),
    },
    DemoProduct {
        name: "Gold hoop earrings",
        description: "18k gold-plated hoops, hypoallergenic, 4 cm.",
        price: 950_000,
        discount: Discount::None,
        floor: 800_000,
        quantity: 40,
        colors: &["Gold"],
        image: include_bytes!("../assets/demo/gold-earrings.png"),
    },
    DemoProduct {
        name: "Silk scarf",
        description: "Pure silk square scarf, 90 x 90 cm, hand-rolled edges.",
        price: 1_200_000,
        discount: Discount::Percent(15),
        floor: 900_000,
        quantity: 0,
        colors: &["Green", "Burgundy"],
        image: include_bytes!("../assets/demo/silk-scarf.png"),
    },
];

/// The demo's WhatsApp number, as the stand-in Graph API knows it.
pub const DEMO_ACCESS_TOKEN: &str = "demo-access-token";
/// Port the demo's Graph API stand-in prefers.
pub const DEMO_GRAPH_PORT: u16 = 8081;

/// Starts the Graph API stand-in the demo sends through (printing every message the
/// customer would receive), with the demo number registered.
pub async fn start_demo_graph() -> anyhow::Result<GraphStandin> {
    let standin = match GraphStandin::start(DEMO_GRAPH_PORT, true).await {
        Ok(s) => s,
        Err(_) => GraphStandin::start(0, true).await?,
    };
    standin.add_number(
        DEMO_PHONE_NUMBER_ID,
        DEMO_ACCESS_TOKEN,
        "+1 555-0100",
        "Ada's Boutique",
    );
    Ok(standin)
}

/// Creates the demo business and catalog when missing and, with `connect_number`,
/// connects the demo WhatsApp number (through the Graph API stand-in). Returns what to
/// tell the user.
pub async fn seed_demo(app: &AppState, connect_number: bool) -> anyhow::Result<String> {
    let existing = {
        let mut conn = app.db().await?;
        tenants::find_user_by_email(&mut conn, DEMO_EMAIL).await?
    };
    let business_id = match existing {
        Some(user) => BusinessId(user.business_id),
        None => create_demo_business(app).await?,
    };
    if connect_number
        && whatsapp::current(app, business_id)
            .await?
            .is_none_or(|c| c.status != "connected")
    {
        whatsapp::connect(
            app,
            business_id,
            ConnectRequest {
                phone_number_id: DEMO_PHONE_NUMBER_ID.into(),
                waba_id: "200000000000002".into(),
                display_phone_number: "+1 555-0100".into(),
                access_token: SecretString::from(DEMO_ACCESS_TOKEN.to_string()),
            },
        )
        .await?;
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

async fn create_demo_business(app: &AppState) -> anyhow::Result<BusinessId> {
    let session = accounts::sign_up(
        app,
        SignUp {
            business_name: "Ada's Boutique".into(),
            business_type: "Fashion & accessories".into(),
            country: "NG".into(),
            currency: Some("NGN".into()),
            email: DEMO_EMAIL.into(),
            password: DEMO_PASSWORD.into(),
        },
    )
    .await?;
    let caller = Caller {
        business_id: BusinessId(session.business.id),
        user_id: Some(shared::UserId(session.user.id)),
        session_id: None,
    };
    for p in CATALOG {
        let draft = ProductDraft {
            name: p.name.into(),
            description: p.description.into(),
            price_minor: p.price,
            currency: "NGN".into(),
            discount: p.discount,
            bargain_floor_minor: p.floor,
            quantity: p.quantity,
            colors: p.colors.iter().map(|c| (*c).to_string()).collect(),
        };
        let image = catalog::check_image(p.image.to_vec())?;
        catalog::create_product(app, &caller, &draft, vec![image]).await?;
    }
    Ok(caller.business_id)
}
