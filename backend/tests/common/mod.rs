//! The one integration-test harness: a real server on an ephemeral port, against its
//! own fresh MariaDB database that is dropped when the test ends; businesses signed up
//! through the API, products, uploads and opaque ids.

pub mod browser;

use std::collections::BTreeSet;
use std::net::SocketAddr;

use backend::app::AppState;
use backend::config::Config;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Where tests find MariaDB (override with `TEST_DATABASE_SERVER`).
pub fn database_server() -> String {
    std::env::var("TEST_DATABASE_SERVER").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// Where fleet tests find NATS (override with `TEST_NATS_URL`).
pub fn nats_url() -> String {
    std::env::var("TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// Where fleet tests find Redis (override with `TEST_REDIS_URL`).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A test's database: created by the first server on it, dropped with the last.
struct TestDatabase {
    url: String,
}

/// A running server for one test.
pub struct TestApp {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// Bound address.
    pub addr: SocketAddr,
    /// The app state (call domain code directly).
    pub app: AppState,
    /// HTTP client.
    pub http: reqwest::Client,
    database: std::sync::Arc<TestDatabase>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// Starts a server with the default test configuration.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after `adjust` tweaks the configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let name = format!("wasales_test_{}", uuid::Uuid::new_v4().simple());
        let database = std::sync::Arc::new(TestDatabase {
            url: format!("{}/{}", database_server(), name),
        });
        Self::start(database, adjust).await
    }

    /// Starts `replicas` servers on one fresh database, as a fleet of replicas behind
    /// a load balancer runs; each is configured by `adjust` (point them at a broker
    /// and Redis to make them one system). They share the fleet prefix, derived from
    /// the database name, so parallel tests on one broker never meet.
    pub async fn spawn_fleet(replicas: usize, adjust: impl Fn(&mut Config)) -> Vec<TestApp> {
        let first = Self::spawn_with(&adjust).await;
        let mut fleet = Vec::with_capacity(replicas);
        for _ in 1..replicas {
            // One after the other: the first has migrated the database already.
            fleet.push(Self::start(first.database.clone(), &adjust).await);
        }
        fleet.insert(0, first);
        fleet
    }

    async fn start(
        database: std::sync::Arc<TestDatabase>,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config::for_tests(&database.url);
        adjust(&mut config);
        let app = backend::init(config).await.expect("app starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = app.clone();
        tokio::spawn(async move {
            backend::serve(served, listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        TestApp {
            url: format!("http://{addr}"),
            addr,
            app,
            http: reqwest::Client::new(),
            database,
            shutdown: Some(tx),
        }
    }

    /// A plain GET of `path` (e.g. `/healthz`) on this server.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }

    /// Sends a GraphQL operation; returns the whole JSON response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    /// Like [`TestApp::gql`] but panics on errors and returns `data`.
    pub async fn gql_ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let resp = self.gql(token, query, variables).await;
        assert!(resp.get("errors").is_none(), "unexpected errors: {resp}");
        resp["data"].clone()
    }

    /// Runs an operation without variables as the caller of `token`; panics on errors
    /// and returns `data`.
    pub async fn query_ok(&self, token: &str, query: &str) -> Value {
        self.gql_ok(Some(token), query, json!({})).await
    }

    /// Signs up a business; returns its token.
    pub async fn sign_up(&self, business: &str, email: &str) -> String {
        let data = self
            .gql_ok(
                None,
                "mutation($i: SignUpInput!) { signUp(input: $i) { token } }",
                json!({ "i": {
                    "businessName": business, "businessType": "Fashion", "country": "NG",
                    "email": email, "password": "correct-horse-1", "currency": "NGN",
                    "acceptedPolicyVersion": shared::legal::POLICY_VERSION,
                    "confirmedAuthorisedAndOver16": true
                }}),
            )
            .await;
        data["signUp"]["token"].as_str().unwrap().to_string()
    }

    /// Logs in with the password every test signs up with; returns the new token.
    pub async fn log_in(&self, email: &str) -> String {
        let data = self
            .gql_ok(
                None,
                "mutation($e: String!) { logIn(input: {email: $e, password: \"correct-horse-1\"}) { token } }",
                json!({ "e": email }),
            )
            .await;
        data["logIn"]["token"].as_str().unwrap().to_string()
    }

    /// Signs up `business` with `email`; returns the owner's token and the business id.
    pub async fn sign_up_business(&self, business: &str, email: &str) -> (String, u64) {
        let token = self.sign_up(business, email).await;
        let id = self.business_id(&token).await;
        (token, id)
    }

    /// Signs up Alice Fashion (alice@example.com), the business most tests act as;
    /// returns her token and her business id.
    pub async fn sign_up_alice(&self) -> (String, u64) {
        self.sign_up_business("Alice Fashion", "alice@example.com")
            .await
    }

    /// The database id of the caller's business.
    pub async fn business_id(&self, token: &str) -> u64 {
        let data = self
            .gql_ok(Some(token), "{ business { id } }", json!({}))
            .await;
        decode_id(data["business"]["id"].as_str().unwrap())
    }

    /// Creates a product named `name` from [`product_input`]; returns its id.
    pub async fn create_product(&self, token: &str, name: &str) -> String {
        self.create_product_from(token, product_input(name)).await
    }

    /// Creates a product from a whole `ProductInput`; returns its id.
    pub async fn create_product_from(&self, token: &str, input: Value) -> String {
        let data = self
            .gql_ok(
                Some(token),
                "mutation($i: ProductInput!) { createProduct(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        data["createProduct"]["id"].as_str().unwrap().to_string()
    }

    /// Sends a GraphQL multipart request (the upload spec) in which the variable `f` is
    /// one file (`$f: Upload!`) or a list holding one file (`$f: [Upload!]`); returns
    /// the whole JSON response.
    pub async fn gql_upload(
        &self,
        token: &str,
        query: &str,
        mut variables: Value,
        file: Vec<u8>,
        file_name: &str,
    ) -> Value {
        let slot = if query.replace(' ', "").contains("$f:[Upload") {
            variables["f"] = json!([null]);
            "variables.f.0"
        } else {
            variables["f"] = Value::Null;
            "variables.f"
        };
        let form = reqwest::multipart::Form::new()
            .text(
                "operations",
                json!({ "query": query, "variables": variables }).to_string(),
            )
            .text("map", json!({"0": [slot]}).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(file).file_name(file_name.to_string()),
            );
        self.http
            .post(format!("{}/graphql", self.url))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Counts the rows of `from`: a table, optionally with a condition
    /// (`"messages WHERE direction = 'outbound'"`).
    pub async fn rows(&self, from: &str) -> i64 {
        self.count(&format!("SELECT COUNT(*) AS n FROM {from}"))
            .await
    }

    /// Runs a SQL statement (a test's setup, e.g. moving time forward) against this
    /// test's database.
    pub async fn execute(&self, sql: &str) {
        use diesel_async::RunQueryDsl;
        let mut conn = self.app.db().await.unwrap();
        diesel::sql_query(sql).execute(&mut conn).await.unwrap();
    }

    /// Runs a SQL count against this test's database.
    pub async fn count(&self, sql: &str) -> i64 {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.app.db().await.unwrap();
        let row: Row = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
        row.n
    }
}

/// Decodes an opaque GraphQL id to its database id.
pub fn decode_id(id: &str) -> u64 {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).unwrap()).unwrap();
    text.split_once(':').unwrap().1.parse().unwrap()
}

/// The opaque GraphQL id of database id `id` of type `kind` (`"Product"`).
pub fn encode_id(kind: &str, id: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// A valid product input.
pub fn product_input(name: &str) -> Value {
    json!({
        "name": name, "description": "Hand-made", "price": 2_000_000, "currency": "NGN",
        "discountKind": "PERCENT", "discountValue": 10, "bargainFloor": 1_500_000,
        "quantity": 12, "colors": ["Red", "Blue"]
    })
}

/// The `extensions.code` of the first error.
pub fn error_code(resp: &Value) -> &str {
    resp["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = self.url.clone();
        // Drop the database on a separate runtime: Drop cannot await.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(backend::db::drop_database(&url))
        })
        .join();
    }
}

/// The field names of root type `root` (`"MutationRoot"`) in the committed
/// `schema.graphql`.
pub fn schema_root_fields(root: &str) -> BTreeSet<String> {
    let sdl = include_str!("../../../schema.graphql");
    let body = sdl
        .split(&format!("type {root} {{"))
        .nth(1)
        .unwrap_or_else(|| panic!("schema.graphql has a {root}"))
        .split("\n}")
        .next()
        .unwrap();
    let mut names = BTreeSet::new();
    let mut in_description = false;
    let mut depth = 0i64;
    for line in body.lines() {
        let line = line.trim();
        if line.starts_with("\"\"\"") {
            // A one-line description opens and closes on the same line.
            if !(line.len() > 3 && line.ends_with("\"\"\"")) {
                in_description = !in_description;
            }
            continue;
        }
        if in_description || line.is_empty() {
            continue;
        }
        // A field starts at depth 0; arguments printed one per line are inside `( )`.
        if depth == 0 {
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
        depth += line.matches('(').count() as i64 - line.matches(')').count() as i64;
    }
    names
}

/// A tiny valid PNG (1x1, red).
pub fn png_bytes() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8,
        0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}
