//! Meta's Embedded Signup in the browser: loads Meta's JavaScript SDK (from the URL the
//! server names, so tests can serve a stand-in), runs `FB.login` with the operator's
//! Facebook Login for Business configuration, and collects the authorisation code and
//! the `WA_EMBEDDED_SIGNUP` session info (the WABA and the number the owner chose). The
//! browser never exchanges the code: it hands both to `connectWhatsAppWithMeta`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::SignupSetup;

/// The Graph API version the SDK is initialised with.
const GRAPH_VERSION: &str = "v21.0";
/// How long to wait for the session info after the login window closed with a code.
const SESSION_INFO_WAIT_MS: u32 = 10_000;

/// What Embedded Signup gave the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupResult {
    /// The one-time authorisation code.
    pub code: String,
    /// The WhatsApp Business Account.
    pub waba_id: String,
    /// The phone number.
    pub phone_number_id: String,
}

/// Why Embedded Signup did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupError {
    /// The owner closed Meta's window; the step they were at, when Meta said.
    Cancelled(Option<String>),
    /// Something failed (the SDK did not load, Meta reported an error...).
    Failed(String),
}

impl std::fmt::Display for SignupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignupError::Cancelled(Some(step)) => {
                write!(
                    f,
                    "You closed Meta's window at step “{step}”: nothing was connected. Start again when ready."
                )
            }
            SignupError::Cancelled(None) => f.write_str(
                "You closed Meta's window: nothing was connected. Start again when ready.",
            ),
            SignupError::Failed(why) => f.write_str(why),
        }
    }
}

fn failed(what: &str) -> impl Fn(JsValue) -> SignupError + '_ {
    move |_| SignupError::Failed(what.to_string())
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string().filter(|s| !s.is_empty())
}

/// Loads the SDK once (a `<script>` tag), resolving when `window.FB` exists.
async fn load_sdk(window: &web_sys::Window, url: &str) -> Result<JsValue, SignupError> {
    let fb = get(window, "FB");
    if fb.is_object() {
        return Ok(fb);
    }
    let document = window
        .document()
        .ok_or_else(|| SignupError::Failed("no document".into()))?;
    let script = document
        .create_element("script")
        .map_err(failed("could not load Meta's SDK"))?;
    script
        .set_attribute("src", url)
        .map_err(failed("could not load Meta's SDK"))?;
    script
        .set_attribute("async", "")
        .map_err(failed("could not load Meta's SDK"))?;
    script
        .set_attribute("crossorigin", "anonymous")
        .map_err(failed("could not load Meta's SDK"))?;
    let loaded = Promise::new(&mut |resolve, reject| {
        let _ = Reflect::set(&script, &"onload".into(), &resolve);
        let _ = Reflect::set(&script, &"onerror".into(), &reject);
    });
    document
        .body()
        .ok_or_else(|| SignupError::Failed("no page body".into()))?
        .append_child(&script)
        .map_err(failed("could not load Meta's SDK"))?;
    JsFuture::from(loaded).await.map_err(failed(
        "Meta's login could not be loaded: check your connection (and that no blocker stops facebook.net), then try again",
    ))?;
    let fb = get(window, "FB");
    if fb.is_object() {
        Ok(fb)
    } else {
        Err(SignupError::Failed("Meta's SDK loaded without FB".into()))
    }
}

/// Whether a `message` event may carry Meta's session info: from Meta's domain, or
/// from this page itself (a stand-in SDK in tests runs in the page).
fn trusted_origin(origin: &str, own: &str) -> bool {
    origin == own
        || origin
            .strip_prefix("https://")
            .is_some_and(|host| host == "facebook.com" || host.ends_with(".facebook.com"))
}

/// The session info: `Ok((waba_id, phone_number_id))`, or the cancel/error it reports.
type SessionInfo = Result<(String, String), SignupError>;

/// Reads a `WA_EMBEDDED_SIGNUP` message (JSON text or object), if it is one.
fn session_info(data: &JsValue) -> Option<SessionInfo> {
    let data = match data.as_string() {
        Some(json) => js_sys::JSON::parse(&json).ok()?,
        None => data.clone(),
    };
    if text(&data, "type").as_deref() != Some("WA_EMBEDDED_SIGNUP") {
        return None;
    }
    let event = text(&data, "event").unwrap_or_default();
    let payload = get(&data, "data");
    Some(match event.as_str() {
        "CANCEL" => Err(SignupError::Cancelled(text(&payload, "current_step"))),
        "ERROR" => Err(SignupError::Failed(format!(
            "Meta reported an error: {}",
            text(&payload, "error_message").unwrap_or_else(|| "unknown".into())
        ))),
        _ => match (text(&payload, "waba_id"), text(&payload, "phone_number_id")) {
            (Some(waba), Some(number)) => Ok((waba, number)),
            _ => Err(SignupError::Failed(
                "Meta did not report a WhatsApp number: choose or add one in Meta's window".into(),
            )),
        },
    })
}

/// Runs Embedded Signup (a new number, or with `coexistence` the number of the owner's
/// WhatsApp Business app) and returns what the server needs.
pub async fn embedded_signup(
    setup: &SignupSetup,
    coexistence: bool,
) -> Result<SignupResult, SignupError> {
    let window = web_sys::window().ok_or_else(|| SignupError::Failed("no window".into()))?;
    let fb = load_sdk(&window, &setup.sdk_url).await?;
    let init_options = Object::new();
    let _ = Reflect::set(
        &init_options,
        &"appId".into(),
        &setup.app_id.as_str().into(),
    );
    let _ = Reflect::set(&init_options, &"autoLogAppEvents".into(), &true.into());
    let _ = Reflect::set(&init_options, &"xfbml".into(), &true.into());
    let _ = Reflect::set(&init_options, &"version".into(), &GRAPH_VERSION.into());
    get(&fb, "init")
        .dyn_into::<Function>()
        .map_err(failed("Meta's SDK has no init"))?
        .call1(&fb, &init_options)
        .map_err(failed("Meta's SDK refused to start"))?;

    let own_origin = window.location().origin().unwrap_or_default();
    let received: Rc<RefCell<Option<SessionInfo>>> = Rc::new(RefCell::new(None));
    let listener = {
        let received = received.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if !trusted_origin(&event.origin(), &own_origin) {
                return;
            }
            if let Some(info) = session_info(&event.data()) {
                received.borrow_mut().get_or_insert(info);
            }
        })
    };
    window
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .map_err(failed("could not listen to Meta's window"))?;

    let extras = Object::new();
    let _ = Reflect::set(&extras, &"setup".into(), &Object::new());
    let _ = Reflect::set(
        &extras,
        &"featureType".into(),
        &(if coexistence {
            "whatsapp_business_app_onboarding"
        } else {
            ""
        })
        .into(),
    );
    let _ = Reflect::set(&extras, &"sessionInfoVersion".into(), &"3".into());
    let login_options = Object::new();
    let _ = Reflect::set(
        &login_options,
        &"config_id".into(),
        &setup.config_id.as_str().into(),
    );
    let _ = Reflect::set(&login_options, &"response_type".into(), &"code".into());
    let _ = Reflect::set(
        &login_options,
        &"override_default_response_type".into(),
        &true.into(),
    );
    let _ = Reflect::set(&login_options, &"extras".into(), &extras);
    let login = get(&fb, "login")
        .dyn_into::<Function>()
        .map_err(failed("Meta's SDK has no login"))?;
    let answered = Promise::new(&mut |resolve, _reject| {
        let _ = login.call2(&fb, &resolve, &login_options);
    });
    let outcome = async {
        let response = JsFuture::from(answered)
            .await
            .map_err(failed("Meta's login failed"))?;
        let code = text(&get(&response, "authResponse"), "code");
        // The session info comes as a message, usually just before the callback.
        let mut waited = 0;
        while received.borrow().is_none() && waited < SESSION_INFO_WAIT_MS && code.is_some() {
            gloo_timers::future::TimeoutFuture::new(100).await;
            waited += 100;
        }
        let info = received.borrow_mut().take();
        match (code, info) {
            (_, Some(Err(e))) => Err(e),
            (None, _) => Err(SignupError::Cancelled(None)),
            (Some(_), None) => Err(SignupError::Failed(
                "Meta did not say which number you chose: start again and finish every step".into(),
            )),
            (Some(code), Some(Ok((waba_id, phone_number_id)))) => Ok(SignupResult {
                code,
                waba_id,
                phone_number_id,
            }),
        }
    }
    .await;
    let _ =
        window.remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    outcome
}

#[cfg(test)]
mod tests {
    use super::trusted_origin;

    #[test]
    fn only_meta_or_this_page_may_report_the_number() {
        let own = "https://app.example.com";
        assert!(trusted_origin("https://www.facebook.com", own));
        assert!(trusted_origin("https://web.facebook.com", own));
        assert!(trusted_origin(own, own));
        assert!(!trusted_origin("https://evilfacebook.com", own));
        assert!(!trusted_origin("http://www.facebook.com", own));
        assert!(!trusted_origin("https://facebook.com.evil.net", own));
    }
}
