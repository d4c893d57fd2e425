//! The live inbox: one subscription connection per signed-in dashboard, shared by every page
//! that shows chats or messages.
//!
//! [`Live::provide`] runs in the signed-in shell, so the socket opens after log-in and closes
//! when the shell goes away (log-out, or a session the server ended). Pages register a
//! handler with [`Live::on_event`] for as long as they are mounted, and watch
//! [`Live::resyncs`] to reload what they show after the connection came back from a drop
//! (events sent while it was down are not replayed).

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::live::{LiveClient, LiveEvent, LiveHandlers, LiveStatus};
use crate::contexts::session::Session;

type Handler = Rc<dyn Fn(&LiveEvent)>;

/// The registered event handlers.
#[derive(Default)]
struct Handlers {
    next_id: u64,
    list: Vec<(u64, Handler)>,
}

/// The live-updates context: cheap to copy into closures.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    status: RwSignal<LiveStatus>,
    resyncs: RwSignal<u32>,
    handlers: StoredValue<Handlers, LocalStorage>,
    client: StoredValue<Option<LiveClient>, LocalStorage>,
}

/// The live context provided by the signed-in shell.
pub fn use_live() -> Live {
    expect_context::<Live>()
}

impl Live {
    /// Connects with the session's token and provides the context; the connection closes
    /// when the calling component is cleaned up or the session ends.
    pub fn provide(session: Session) -> Live {
        let live = Live {
            status: RwSignal::new(LiveStatus::Connecting),
            resyncs: RwSignal::new(0),
            handlers: StoredValue::new_local(Handlers::default()),
            client: StoredValue::new_local(None),
        };
        provide_context(live);

        if let Some(token) = session.token_untracked() {
            let was_live = StoredValue::new(false);
            let handlers = LiveHandlers {
                on_event: Box::new(move |event| live.dispatch(&event)),
                on_status: Box::new(move |status| {
                    if status == LiveStatus::Live {
                        // Back after a drop: what happened meanwhile must be reloaded.
                        if was_live.try_get_value() == Some(true) {
                            live.resyncs.try_update(|n| *n += 1);
                        }
                        was_live.try_set_value(true);
                    }
                    if live.status.try_get_untracked() != Some(status) {
                        live.status.try_set(status);
                    }
                }),
                on_rejected: Box::new(move || {
                    // The socket refused the token: ask the API; if the session is over, the
                    // client's hook signs out (and this connection closes with the shell).
                    let client = session.client();
                    spawn_local(async move {
                        let _ = client.me().await;
                    });
                }),
            };
            live.client
                .set_value(Some(LiveClient::connect(token, handlers)));
        }

        let close = move || {
            if let Some(Some(client)) = live.client.try_update_value(Option::take) {
                client.close();
            }
        };
        Effect::new(move |_| {
            if session.signed_in() != Some(true) {
                close();
            }
        });
        on_cleanup(close);
        live
    }

    fn dispatch(self, event: &LiveEvent) {
        // Copy the handlers out first: a handler may register or remove handlers.
        let handlers: Vec<Handler> = self
            .handlers
            .try_with_value(|h| h.list.iter().map(|(_, f)| f.clone()).collect())
            .unwrap_or_default();
        for handler in handlers {
            handler(event);
        }
    }

    /// Calls `handler` for every live event while the calling component is mounted.
    pub fn on_event(self, handler: impl Fn(&LiveEvent) + 'static) {
        let handlers = self.handlers;
        let id = handlers
            .try_update_value(|h| {
                h.next_id += 1;
                h.list.push((h.next_id, Rc::new(handler)));
                h.next_id
            })
            .unwrap_or_default();
        on_cleanup(move || {
            handlers.try_update_value(|h| h.list.retain(|(other, _)| *other != id));
        });
    }

    /// Where the connection stands (tracked).
    pub fn status(self) -> LiveStatus {
        self.status.get()
    }

    /// How many times the connection came back after a drop (tracked).
    pub fn resyncs(self) -> u32 {
        self.resyncs.get()
    }
}
