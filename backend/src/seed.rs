//! The demo business: a realistic catalog a new user can explore at once.
//! Idempotent: running it again changes nothing.

use shared::{Discount, ProductDraft};

use crate::accounts::{self, SignUp};
use crate::app::AppState;
use crate::auth::Caller;
use crate::catalog;
use crate::db::tenants;

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

/// Creates the demo business and catalog when missing; returns a line with the login.
pub async fn seed_demo(app: &AppState) -> anyhow::Result<String> {
    let existing = {
        let mut conn = app.db().await?;
        tenants::find_user_by_email(&mut conn, DEMO_EMAIL).await?
    };
    let login = format!(
        "Demo business ready: log in at {} with {DEMO_EMAIL} / {DEMO_PASSWORD}",
        app.config.public_url
    );
    if existing.is_some() {
        return Ok(login);
    }
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
        business_id: shared::BusinessId(session.business.id),
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
    Ok(login)
}
