//! Live updates: a small `graphql-transport-ws` client over the browser's WebSocket.
//!
//! One socket to `/graphql/ws` on the dashboard's origin (`wss:` under HTTPS). The protocol:
//! `connection_init` with the session token, wait for `connection_ack`, then one `subscribe`
//! per live operation; `next` carries events, `error` and `complete` end a subscription,
//! `ping` is answered with `pong`. A dropped socket is reopened with exponential backoff
//! and jitter, until [`LiveClient::close`].
//!
//! The operations are the subscriptions in `frontend/graphql/inbox.graphql`,
//! `orders.graphql`, `activity.graphql`, `blacklist.graphql`, `follow_ups.graphql` and
//! `deal_approvals.graphql`
//! (checked against the schema like every query), so an event's payload decodes into
//! the same models as query results.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use graphql_client::GraphQLQuery;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::operations::{
    self, ActivityAdded, BlacklistChanged, ChatUpdated, DealApprovalChanged, FollowUpChanged,
    MessageAdded, MessageStatusChanged, OrderChanged, activity_added, blacklist_changed,
    chat_updated, deal_approval_changed, follow_up_changed, message_added, message_status_changed,
    order_changed,
};
use super::{ActivityEntry, Chat, DealApproval, FollowUp, Message, Order};

/// Path of the subscription endpoint, on the dashboard's own origin.
const PATH: &str = "/graphql/ws";
/// The sub-protocol the server speaks.
const PROTOCOL: &str = "graphql-transport-ws";
/// How long the server may take to acknowledge `connection_init`.
const ACK_TIMEOUT_MS: u32 = 10_000;
/// First reconnect delay; it doubles per failed attempt up to [`MAX_BACKOFF_MS`].
const BASE_BACKOFF_MS: f64 = 1_000.0;
/// Longest wait between reconnect attempts.
const MAX_BACKOFF_MS: f64 = 30_000.0;
/// Wait before re-subscribing to an operation the server completed.
const RESUBSCRIBE_MS: u32 = 5_000;

/// Something that happened in the business's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// A message was stored (inbound, or outbound by the AI, staff or a follow-up).
    MessageAdded(Message),
    /// A message's delivery status changed.
    MessageStatusChanged(Message),
    /// A chat's preview, unread count, takeover or window changed.
    ChatUpdated(Chat),
    /// An order was recorded or changed.
    OrderChanged(Order),
    /// A blacklist entry was added, changed or removed (its id).
    BlacklistChanged(String),
    /// An entry was added to the activity log.
    ActivityAdded(ActivityEntry),
    /// A follow-up was scheduled or changed status.
    FollowUpChanged(FollowUp),
    /// A deal approval was raised, decided, expired or answered.
    DealApprovalChanged(DealApproval),
}

/// Where the live connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    /// Opening the socket or waiting for `connection_ack`.
    Connecting,
    /// Acknowledged and subscribed: events arrive.
    Live,
    /// The socket dropped; waiting to try again.
    Reconnecting,
    /// Closed for good (signed out).
    Closed,
}

/// One live operation: the `subscribe` id, its document, and how its data becomes an event.
struct Operation {
    id: &'static str,
    body: fn() -> Value,
    decode: fn(Value) -> Result<LiveEvent, String>,
}

fn body_of<Q: GraphQLQuery>(variables: Q::Variables) -> Value {
    serde_json::to_value(super::document::request_body::<Q>(variables)).unwrap_or(Value::Null)
}

fn data_of<T: DeserializeOwned>(data: Value) -> Result<T, String> {
    serde_json::from_value(data).map_err(|err| err.to_string())
}

const OPERATIONS: &[Operation] = &[
    Operation {
        id: "messageAdded",
        body: || body_of::<MessageAdded>(message_added::Variables),
        decode: |data| {
            let data: message_added::ResponseData = data_of(data)?;
            Message::try_from(data.message_added)
                .map(LiveEvent::MessageAdded)
                .map_err(|err| err.to_string())
        },
    },
    Operation {
        id: "messageStatusChanged",
        body: || body_of::<MessageStatusChanged>(message_status_changed::Variables),
        decode: |data| {
            let data: message_status_changed::ResponseData = data_of(data)?;
            Message::try_from(data.message_status_changed)
                .map(LiveEvent::MessageStatusChanged)
                .map_err(|err| err.to_string())
        },
    },
    Operation {
        id: "chatUpdated",
        body: || body_of::<ChatUpdated>(chat_updated::Variables),
        decode: |data| {
            let data: operations::chat_updated::ResponseData = data_of(data)?;
            Ok(LiveEvent::ChatUpdated(Chat::from(data.chat_updated)))
        },
    },
    Operation {
        id: "orderChanged",
        body: || body_of::<OrderChanged>(order_changed::Variables),
        decode: |data| {
            let data: order_changed::ResponseData = data_of(data)?;
            Order::try_from(data.order_changed)
                .map(LiveEvent::OrderChanged)
                .map_err(|err| err.to_string())
        },
    },
    Operation {
        id: "blacklistChanged",
        body: || body_of::<BlacklistChanged>(blacklist_changed::Variables),
        decode: |data| {
            let data: blacklist_changed::ResponseData = data_of(data)?;
            Ok(LiveEvent::BlacklistChanged(data.blacklist_changed.id))
        },
    },
    Operation {
        id: "activityAdded",
        body: || body_of::<ActivityAdded>(activity_added::Variables),
        decode: |data| {
            let data: activity_added::ResponseData = data_of(data)?;
            ActivityEntry::try_from(data.activity_added)
                .map(LiveEvent::ActivityAdded)
                .map_err(|err| err.to_string())
        },
    },
    Operation {
        id: "followUpChanged",
        body: || body_of::<FollowUpChanged>(follow_up_changed::Variables),
        decode: |data| {
            let data: follow_up_changed::ResponseData = data_of(data)?;
            FollowUp::try_from(data.follow_up_changed)
                .map(LiveEvent::FollowUpChanged)
                .map_err(|err| err.to_string())
        },
    },
    Operation {
        id: "dealApprovalChanged",
        body: || body_of::<DealApprovalChanged>(deal_approval_changed::Variables),
        decode: |data| {
            let data: deal_approval_changed::ResponseData = data_of(data)?;
            DealApproval::try_from(data.deal_approval_changed)
                .map(LiveEvent::DealApprovalChanged)
                .map_err(|err| err.to_string())
        },
    },
];

/// What the owner of a [`LiveClient`] is told.
pub struct LiveHandlers {
    /// Every event, in arrival order.
    pub on_event: Box<dyn Fn(LiveEvent)>,
    /// Every change of [`LiveStatus`].
    pub on_status: Box<dyn Fn(LiveStatus)>,
    /// The server refused the token (close codes 4401/4403): the session may have ended.
    pub on_rejected: Box<dyn Fn()>,
}

/// The browser callbacks of one socket, kept alive as long as the socket is in use.
struct SocketCallbacks {
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

struct Inner {
    token: String,
    handlers: LiveHandlers,
    socket: Option<WebSocket>,
    callbacks: Option<SocketCallbacks>,
    /// Reconnect attempts since the last acknowledged connection.
    attempt: u32,
    /// Set by [`LiveClient::close`]: nothing reopens the socket after it.
    stopped: bool,
    /// The pending reconnect or `connection_ack` deadline.
    timer: Option<Timeout>,
    /// Pending re-subscriptions after a server `complete`.
    resubscribe: Vec<Timeout>,
}

/// A live connection; dropping it does not close it, [`LiveClient::close`] does.
#[derive(Clone)]
pub struct LiveClient {
    inner: Rc<RefCell<Inner>>,
}

/// `ws://host/graphql/ws` or `wss://host/graphql/ws` for the page's origin.
fn endpoint() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss:"
    } else {
        "ws:"
    };
    Some(format!("{scheme}//{}{PATH}", location.host().ok()?))
}

fn send_json(socket: &WebSocket, message: &Value) {
    // A socket that is closing cannot send; its close handler reconnects.
    let _ = socket.send_with_str(&message.to_string());
}

impl LiveClient {
    /// Opens the connection for the session `token`.
    pub fn connect(token: String, handlers: LiveHandlers) -> LiveClient {
        let client = LiveClient {
            inner: Rc::new(RefCell::new(Inner {
                token,
                handlers,
                socket: None,
                callbacks: None,
                attempt: 0,
                stopped: false,
                timer: None,
                resubscribe: Vec::new(),
            })),
        };
        open(&client.inner);
        client
    }

    /// Closes the socket for good (on log-out) and cancels any reconnect.
    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.stopped = true;
        inner.timer = None;
        inner.resubscribe.clear();
        if let Some(socket) = inner.socket.take() {
            detach(&socket);
            let _ = socket.close_with_code_and_reason(1000, "signed out");
        }
        inner.callbacks = None;
        let on_status = &inner.handlers.on_status;
        on_status(LiveStatus::Closed);
    }
}

fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onmessage(None);
    socket.set_onclose(None);
}

/// Opens a socket and wires its callbacks; on failure schedules the next attempt.
fn open(inner_rc: &Rc<RefCell<Inner>>) {
    if inner_rc.borrow().stopped {
        return;
    }
    (inner_rc.borrow().handlers.on_status)(LiveStatus::Connecting);
    let Some(socket) = endpoint().and_then(|url| WebSocket::new_with_str(&url, PROTOCOL).ok())
    else {
        schedule_reconnect(inner_rc);
        return;
    };

    let weak = Rc::downgrade(inner_rc);
    let on_open = Closure::<dyn FnMut()>::new({
        let weak = weak.clone();
        move || on_open(&weak)
    });
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
        let weak = weak.clone();
        move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                on_message(&weak, &text);
            }
        }
    });
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new({
        let weak = weak.clone();
        move |event: CloseEvent| on_close(&weak, event.code())
    });
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));

    let mut inner = inner_rc.borrow_mut();
    inner.socket = Some(socket);
    inner.callbacks = Some(SocketCallbacks {
        _open: on_open,
        _message: on_message,
        _close: on_close,
    });
}

fn on_open(weak: &Weak<RefCell<Inner>>) {
    let Some(inner_rc) = weak.upgrade() else {
        return;
    };
    let mut inner = inner_rc.borrow_mut();
    let Some(socket) = inner.socket.clone() else {
        return;
    };
    send_json(
        &socket,
        &json!({ "type": "connection_init", "payload": { "token": inner.token } }),
    );
    // No acknowledgement in time: drop this socket; its close handler reconnects.
    inner.timer = Some(Timeout::new(ACK_TIMEOUT_MS, move || {
        let _ = socket.close_with_code_and_reason(4408, "connection_ack timeout");
    }));
}

fn subscribe(socket: &WebSocket, operation: &Operation) {
    send_json(
        socket,
        &json!({ "id": operation.id, "type": "subscribe", "payload": (operation.body)() }),
    );
}

fn on_message(weak: &Weak<RefCell<Inner>>, text: &str) {
    let Some(inner_rc) = weak.upgrade() else {
        return;
    };
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        leptos::logging::warn!("live: ignoring a message that is not JSON");
        return;
    };
    let Some(socket) = inner_rc.borrow().socket.clone() else {
        return;
    };
    let id = message["id"].as_str().unwrap_or_default();
    match message["type"].as_str().unwrap_or_default() {
        "connection_ack" => {
            {
                let mut inner = inner_rc.borrow_mut();
                inner.attempt = 0;
                inner.timer = None;
            }
            for operation in OPERATIONS {
                subscribe(&socket, operation);
            }
            (inner_rc.borrow().handlers.on_status)(LiveStatus::Live);
        }
        "ping" => send_json(&socket, &json!({ "type": "pong" })),
        "next" => {
            let Some(operation) = OPERATIONS.iter().find(|op| op.id == id) else {
                return;
            };
            let payload = &message["payload"];
            if let Some(errors) = payload.get("errors").filter(|e| !e.is_null()) {
                leptos::logging::warn!("live {id}: {errors}");
            }
            let data = payload.get("data").cloned().unwrap_or(Value::Null);
            if data.is_null() {
                return;
            }
            match (operation.decode)(data) {
                Ok(event) => (inner_rc.borrow().handlers.on_event)(event),
                Err(err) => leptos::logging::warn!("live {id}: undecodable event: {err}"),
            }
        }
        // The server refused the subscription (a bad document): retrying would fail again.
        "error" => leptos::logging::error!("live {id}: {}", message["payload"]),
        // The server ended a subscription: subscribe again a little later.
        "complete" => {
            let Some(operation) = OPERATIONS.iter().find(|op| op.id == id) else {
                return;
            };
            let weak = weak.clone();
            let timer = Timeout::new(RESUBSCRIBE_MS, move || {
                let socket = weak
                    .upgrade()
                    .and_then(|inner| inner.borrow().socket.clone());
                if let Some(socket) = socket {
                    subscribe(&socket, operation);
                }
            });
            inner_rc.borrow_mut().resubscribe.push(timer);
        }
        _ => {}
    }
}

fn on_close(weak: &Weak<RefCell<Inner>>, code: u16) {
    let Some(inner_rc) = weak.upgrade() else {
        return;
    };
    {
        let mut inner = inner_rc.borrow_mut();
        if let Some(socket) = inner.socket.take() {
            detach(&socket);
        }
        inner.timer = None;
        inner.resubscribe.clear();
        if inner.stopped {
            return;
        }
    }
    // The browser still runs this closure: free it only after it returns.
    let callbacks = inner_rc.borrow_mut().callbacks.take();
    let _ = wasm_bindgen_futures::future_to_promise(async move {
        drop(callbacks);
        Ok(wasm_bindgen::JsValue::UNDEFINED)
    });
    if matches!(code, 4401 | 4403) {
        (inner_rc.borrow().handlers.on_rejected)();
    }
    schedule_reconnect(&inner_rc);
}

fn schedule_reconnect(inner_rc: &Rc<RefCell<Inner>>) {
    let delay = {
        let mut inner = inner_rc.borrow_mut();
        if inner.stopped {
            return;
        }
        let exponent = inner.attempt.min(10) as i32;
        inner.attempt += 1;
        let ceiling = (BASE_BACKOFF_MS * 2f64.powi(exponent)).min(MAX_BACKOFF_MS);
        // Jitter: many dashboards reconnecting after a server restart spread out.
        ceiling * (0.5 + js_sys::Math::random() / 2.0)
    };
    (inner_rc.borrow().handlers.on_status)(LiveStatus::Reconnecting);
    let weak = Rc::downgrade(inner_rc);
    let timer = Timeout::new(delay as u32, move || {
        if let Some(inner_rc) = weak.upgrade() {
            open(&inner_rc);
        }
    });
    inner_rc.borrow_mut().timer = Some(timer);
}
