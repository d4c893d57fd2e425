//! A stand-in for Meta's JavaScript SDK (`connect.facebook.net/.../sdk.js`) as the
//! dashboard uses it for Embedded Signup: `FB.init`, and `FB.login` that plays Meta's
//! popup: it posts the `WA_EMBEDDED_SIGNUP` session info to the page (as Meta's window
//! does, JSON text) and then calls back with the authorisation code, or reports a
//! cancel at a step. Served on `127.0.0.1:<port>/sdk.js` with the CORS header Meta's
//! CDN sends; what the page passed to `FB.init` and `FB.login` is kept in
//! `window.__metaSdk` for browser tests.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// How the next Embedded Signup ends.
#[derive(Debug, Clone)]
enum Scenario {
    Finish {
        code: String,
        waba_id: String,
        phone_number_id: String,
    },
    Cancel {
        step: String,
    },
}

/// A running SDK stand-in; stops when dropped.
pub struct MetaSdkStandin {
    /// The script's URL (`META_SDK_URL`).
    pub url: String,
    scenario: Arc<Mutex<Scenario>>,
    _shutdown: oneshot::Sender<()>,
}

impl MetaSdkStandin {
    /// Starts on a free port of 127.0.0.1.
    pub async fn start() -> anyhow::Result<MetaSdkStandin> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        let scenario = Arc::new(Mutex::new(Scenario::Cancel {
            step: "BUSINESS_ACCOUNT_SELECTION".into(),
        }));
        let router = Router::new()
            .route("/sdk.js", get(script))
            .with_state(scenario.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(MetaSdkStandin {
            url: format!("http://{addr}/sdk.js"),
            scenario,
            _shutdown: tx,
        })
    }

    /// The owner finishes: Meta reports this WABA and number and hands out `code`.
    pub fn finish(&self, code: &str, waba_id: &str, phone_number_id: &str) {
        *self.lock() = Scenario::Finish {
            code: code.into(),
            waba_id: waba_id.into(),
            phone_number_id: phone_number_id.into(),
        };
    }

    /// The owner closes Meta's window at `step` (e.g. `PHONE_NUMBER_VERIFICATION`).
    pub fn cancel_at(&self, step: &str) {
        *self.lock() = Scenario::Cancel { step: step.into() };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Scenario> {
        self.scenario.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn script(State(scenario): State<Arc<Mutex<Scenario>>>) -> impl IntoResponse {
    let scenario = scenario.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let plan: Value = match scenario {
        Scenario::Finish {
            code,
            waba_id,
            phone_number_id,
        } => json!({"code": code, "waba_id": waba_id, "phone_number_id": phone_number_id}),
        Scenario::Cancel { step } => json!({"cancel_step": step}),
    };
    let body = format!(
        r#"(function () {{
  var plan = {plan};
  window.__metaSdk = {{ inits: [], logins: [] }};
  window.FB = {{
    init: function (options) {{ window.__metaSdk.inits.push(options); }},
    login: function (callback, options) {{
      window.__metaSdk.logins.push(options);
      var coexistence = options && options.extras && options.extras.featureType === 'whatsapp_business_app_onboarding';
      var message = plan.cancel_step
        ? {{ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: {{ current_step: plan.cancel_step }}, version: 3 }}
        : {{ type: 'WA_EMBEDDED_SIGNUP', event: coexistence ? 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING' : 'FINISH',
             data: {{ phone_number_id: plan.phone_number_id, waba_id: plan.waba_id, business_id: '5550001' }}, version: 3 }};
      setTimeout(function () {{
        window.postMessage(JSON.stringify(message), window.location.origin);
        setTimeout(function () {{
          callback(plan.cancel_step
            ? {{ authResponse: null, status: 'unknown' }}
            : {{ authResponse: {{ code: plan.code, userID: '' }}, status: 'connected' }});
        }}, 20);
      }}, 20);
    }}
  }};
}})();
"#
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
}
