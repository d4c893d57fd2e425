//! Headless Chromium driven through chromedriver (WebDriver), for end-to-end tests of
//! the built dashboard against a running backend.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Where the built SPA is: `WASALES_SPA_DIR`, else `frontend/dist`.
pub fn spa_dir() -> String {
    let dir = std::env::var("WASALES_SPA_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/dist").into());
    assert!(
        std::path::Path::new(&dir).join("index.html").exists(),
        "the dashboard is not built at {dir}: run ./scripts/test.sh (it builds it with trunk)"
    );
    dir
}

/// A chromedriver process and a browser session; both end on drop.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    profile: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How long to wait for the page to reach an expected state.
pub const WAIT: Duration = Duration::from_secs(20);

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    pub async fn start() -> Browser {
        Self::start_with(None).await
    }

    /// Starts the browser as if its computer were in the time zone `zone` (an IANA
    /// name, through `TZ`).
    pub async fn start_in_time_zone(zone: &str) -> Browser {
        Self::start_with(Some(zone)).await
    }

    async fn start_with(time_zone: Option<&str>) -> Browser {
        let port = free_port();
        let mut driver = Command::new(
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
        );
        if let Some(zone) = time_zone {
            driver.env("TZ", zone);
        }
        let driver = driver
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/test.sh installs it)");
        let profile = std::env::temp_dir().join(format!("wasales-chrome-{}", uuid::Uuid::new_v4()));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let caps: fantoccini::wd::Capabilities = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen: retry the session until it answers.
        let deadline = tokio::time::Instant::now() + WAIT;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("could not start a browser session: {e}"),
            }
        };
        Browser {
            client,
            driver,
            profile,
        }
    }

    /// Signs up `business` (fashion, Nigeria, NGN) with `email` and the password
    /// `correct-horse-1`, accepting the policies, on the sign-up page of the app at
    /// `app_url`, skips the last step (connecting WhatsApp) and returns on the home page.
    pub async fn sign_up(&self, app_url: &str, business: &str, email: &str) {
        self.sign_up_to_welcome(app_url, business, email).await;
        self.click("welcome-continue").await;
        self.wait_path("/").await;
    }

    /// Signs up as [`Browser::sign_up`] does and returns on sign-up's last step, the
    /// `/welcome` page that connects WhatsApp.
    pub async fn sign_up_to_welcome(&self, app_url: &str, business: &str, email: &str) {
        self.client
            .goto(&format!("{app_url}/signup"))
            .await
            .unwrap();
        self.fill("signup-business-name", business).await;
        self.fill("signup-business-type", "Fashion").await;
        self.select("signup-country", "NG").await;
        self.fill("signup-currency", "NGN").await;
        self.fill("signup-email", email).await;
        self.fill("signup-password", "correct-horse-1").await;
        self.click("signup-accept-policies").await;
        self.click("signup-confirm-authorised").await;
        self.click("signup-submit").await;
        self.find("logout-button").await;
        self.wait_path("/welcome").await;
    }

    /// Waits for an element by `data-testid`.
    pub async fn find(&self, testid: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&format!("[data-testid='{testid}']")))
            .await
            .unwrap_or_else(|e| panic!("element {testid} did not appear: {e}"))
    }

    /// Waits for a CSS selector.
    pub async fn find_css(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Clears an input and types into it.
    pub async fn fill(&self, testid: &str, text: &str) {
        let el = self.find(testid).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// Chooses an option of a `<select>` by value.
    pub async fn select(&self, testid: &str, value: &str) {
        let el = self.find(testid).await;
        el.select_by_value(value).await.unwrap();
    }

    /// Clicks an element by `data-testid`, once it is enabled.
    pub async fn click(&self, testid: &str) {
        let el = self.find(testid).await;
        let deadline = tokio::time::Instant::now() + WAIT;
        while !el.is_enabled().await.unwrap_or(false) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{testid} stayed disabled"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        el.click().await.unwrap();
    }

    /// Waits until the path is `path`.
    pub async fn wait_path(&self, path: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let url = self.client.current_url().await.unwrap();
            if url.path() == path {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected to reach {path}, still at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until a JavaScript expression is truthy.
    pub async fn wait_js(&self, what: &str, expr: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let v = self
                .client
                .execute(&format!("return !!({expr});"), vec![])
                .await
                .unwrap();
            if v.as_bool() == Some(true) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Evaluates a JavaScript expression.
    pub async fn js(&self, expr: &str) -> serde_json::Value {
        self.client
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium outlives a killed chromedriver: end every process of this browser
        // (they all carry its unique profile directory on their command line).
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(self.profile.as_os_str())
            .status();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
