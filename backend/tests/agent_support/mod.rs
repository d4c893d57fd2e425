//! The agent tests' world: a real server on its own database, the Anthropic stand-in
//! (scripted), a recording Graph API stand-in, a shop with a connected number and a
//! catalog, and customers writing through the real signed webhook.

use std::time::{Duration, Instant};

use backend::config::Config;
use secrecy::SecretString;
use serde_json::{Value, json};
use standins::anthropic::{Scripted, StandInAnthropic};
use standins::graph::GraphStandin;
use standins::webhook::Customer;

use crate::common::{TestApp, decode_id};
use crate::webhook_support::{self, Shop};

/// What the customer receives: the Graph API stand-in's recorded sends.
pub struct GraphRecorder {
    /// The stand-in (`META_GRAPH_URL`).
    pub standin: GraphStandin,
}

impl GraphRecorder {
    /// Every message payload sent, in order.
    pub fn payloads(&self) -> Vec<Value> {
        self.standin
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
            .filter_map(|r| r.body)
            .filter(|b| b.get("status").is_none())
            .collect()
    }

    /// Every text body sent, in order.
    pub fn texts(&self) -> Vec<String> {
        self.payloads()
            .iter()
            .filter_map(|v| v["text"]["body"].as_str().map(str::to_string))
            .collect()
    }
}

/// Everything an agent test needs.
pub struct World {
    /// The server.
    pub app: TestApp,
    /// The scripted model.
    pub model: StandInAnthropic,
    /// What customers receive.
    pub graph: GraphRecorder,
    /// The shop.
    pub shop: Shop,
    /// Its owner's token.
    pub token: String,
    /// The customer.
    pub customer: Customer,
    /// The dress's database id.
    pub dress_id: u64,
}

/// The dress: NGN 25,000.00, 10 % off (22,500.00), floor 19,000.00, 14 in stock.
pub fn dress_input() -> Value {
    json!({
        "name": "Ankara wrap dress", "description": "Hand-sewn cotton wrap dress, sizes 8 to 16",
        "price": 2_500_000, "currency": "NGN", "discountKind": "PERCENT", "discountValue": 10,
        "bargainFloor": 1_900_000, "quantity": 14, "colors": ["Red", "Blue", "Green"]
    })
}

/// Earrings: NGN 9,500.00, floor 8,000.00.
pub fn earrings_input() -> Value {
    json!({
        "name": "Gold hoop earrings", "description": "18k gold-plated hoops",
        "price": 950_000, "currency": "NGN", "discountKind": "NONE", "discountValue": 0,
        "bargainFloor": 800_000, "quantity": 40, "colors": ["Gold"]
    })
}

/// The model's `create_order` call `id`: one order line (`product_id`, `quantity`,
/// `color`, `unit_price` in major units) delivered to `address`, for the customer named
/// `customer_name` when the model passes one.
pub fn create_order(id: &str, line: Value, customer_name: Option<&str>, address: &str) -> Scripted {
    let mut input = json!({"items": [line], "delivery_address": address});
    if let Some(name) = customer_name {
        input["customer_name"] = json!(name);
    }
    Scripted::tool_use(id, "create_order", input)
}

impl World {
    /// A world with a server key, after `adjust` tweaks the configuration.
    pub async fn new_with(adjust: impl FnOnce(&mut Config)) -> World {
        let model = StandInAnthropic::start().await.unwrap();
        let graph = GraphRecorder {
            standin: GraphStandin::start(0, false).await.unwrap(),
        };
        let (model_url, graph_url) = (model.url.clone(), graph.standin.url.clone());
        let app = TestApp::spawn_with(|c| {
            c.anthropic_base_url = model_url;
            c.anthropic_api_key = Some(SecretString::from(
                "sk-ant-server-test-key-000000".to_string(),
            ));
            c.meta_graph_url = graph_url;
            adjust(c);
        })
        .await;
        let shop = webhook_support::shop(&app, "Ada Boutique", "555000111").await;
        graph.standin.add_number(
            &shop.phone_number_id,
            "EAAG-fixture-token-555000111",
            "15550001111",
            "Ada Boutique",
        );
        let token = shop.token.clone();
        let dress = app.create_product_from(&token, dress_input()).await;
        app.create_product_from(&token, earrings_input()).await;
        World {
            app,
            model,
            graph,
            shop,
            token,
            customer: Customer::with_phone("2348011112222", "Ada Customer"),
            dress_id: decode_id(&dress),
        }
    }

    /// A world with the default test configuration and a server key.
    pub async fn new() -> World {
        World::new_with(|_| {}).await
    }

    /// The customer writes `text` (a signed webhook delivery); returns its wamid.
    pub async fn customer_says(&self, text: &str) -> String {
        webhook_support::text_to(&self.app, &self.shop.phone_number_id, &self.customer, text).await
    }

    /// The customer writes `text`, then the customer has received `n` messages in
    /// total; returns them.
    pub async fn customer_says_and_gets(&self, text: &str, n: usize) -> Vec<String> {
        self.customer_says(text).await;
        self.received(n).await
    }

    /// Waits until the customer has received `n` messages in total; returns them.
    pub async fn received(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let texts = self.graph.texts();
            if texts.len() >= n {
                return texts;
            }
            assert!(
                Instant::now() < deadline,
                "customer received {} messages, expected {n}: {texts:?}; model saw {} requests",
                texts.len(),
                self.model.request_count()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until every reply job is done (none pending); panics after a deadline.
    pub async fn jobs_settled(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.open_jobs().await > 0 {
            assert!(Instant::now() < deadline, "jobs did not settle");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A SQL count.
    pub async fn count(&self, sql: &str) -> i64 {
        self.app.count(sql).await
    }

    /// Counts the rows of `from` (see [`TestApp::rows`]).
    pub async fn rows(&self, from: &str) -> i64 {
        self.app.rows(from).await
    }

    /// The shop's activity events of `kind` (e.g. `ai_reply_blocked`).
    pub async fn activity(&self, kind: &str) -> i64 {
        self.rows(&format!(
            "activity_events WHERE business_id = {} AND kind = '{kind}'",
            self.shop.business_id
        ))
        .await
    }

    /// Jobs not done yet (follow-ups and deal approvals' expiries, due hours later,
    /// aside).
    pub async fn open_jobs(&self) -> i64 {
        // Work scheduled hours ahead is not work in progress (follow-ups, deal
        // approvals' expiry, the next retention purge).
        self.rows(
            "jobs WHERE done_at IS NULL AND (kind NOT IN ('follow_up', 'deal_approval', 'message_counts', 'retention_purge') OR run_at <= UTC_TIMESTAMP(6))",
        )
        .await
    }

    /// The units of `product` in stock.
    pub async fn stock(&self, product: u64) -> i64 {
        self.count(&format!(
            "SELECT quantity AS n FROM products WHERE id = {product}"
        ))
        .await
    }

    /// Runs a GraphQL operation without variables as the shop's owner; returns `data`.
    pub async fn owner_query(&self, query: &str) -> Value {
        self.app.query_ok(&self.token, query).await
    }
}
