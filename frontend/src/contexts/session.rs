//! The browser session: the token in local storage, who is signed in, and the API client
//! that carries the token.
//!
//! The token lives under [`TOKEN_KEY`] in local storage so a reload keeps the user signed in;
//! at start-up the `me` query turns a stored token back into a session. Any
//! `UNAUTHENTICATED` answer clears the session, and the route guards then send the user to
//! the login page.

use std::future::Future;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::{AuthSession, Business, Client, ClientError, User};

/// Local-storage key of the session token.
pub const TOKEN_KEY: &str = "wasales.token";

/// Where the session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// A stored token is being checked with the API.
    Restoring,
    /// The stored token could not be checked (server unreachable); the token is kept.
    RestoreFailed(ClientError),
    /// Nobody is signed in.
    SignedOut,
    /// Signed in.
    SignedIn {
        /// Who.
        user: User,
        /// Their business.
        business: Business,
    },
}

/// The session context: cheap to copy into closures.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
    token: RwSignal<Option<String>>,
}

/// The session provided by [`Session::provide`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}

fn stored_token() -> Option<String> {
    LocalStorage::raw()
        .get_item(TOKEN_KEY)
        .ok()
        .flatten()
        .filter(|token| !token.is_empty())
}

fn store_token(token: Option<&str>) {
    let storage = LocalStorage::raw();
    // Storage can refuse (private mode, quota); the session then simply lasts one page load.
    let _ = match token {
        Some(token) => storage.set_item(TOKEN_KEY, token),
        None => storage.remove_item(TOKEN_KEY),
    };
}

impl Session {
    /// Creates the session from local storage, provides it as context, and starts restoring
    /// a stored token.
    pub fn provide() -> Session {
        let token = stored_token();
        let state = if token.is_some() {
            SessionState::Restoring
        } else {
            SessionState::SignedOut
        };
        let session = Session {
            state: RwSignal::new(state),
            token: RwSignal::new(token),
        };
        provide_context(session);
        if session.token.get_untracked().is_some() {
            session.restore();
        }
        session
    }

    /// Checks the stored token with the API (`me`), again after a failure.
    pub fn restore(self) {
        self.state.set(SessionState::Restoring);
        let client = self.client();
        spawn_local(async move {
            match client.me().await {
                Ok((user, business)) => self.state.set(SessionState::SignedIn { user, business }),
                // The client's hook has already cleared the session.
                Err(ClientError::Unauthenticated(_)) => {}
                Err(error) => self.state.set(SessionState::RestoreFailed(error)),
            }
        });
    }

    /// An API client carrying the current token; an `UNAUTHENTICATED` answer clears this
    /// session.
    pub fn client(self) -> Client {
        Client::new(self.token.get_untracked(), move || self.clear())
    }

    /// Data loaded with this session's client: `fetch` runs again when a signal it reads
    /// changes, or on `refetch()`.
    pub fn resource<T, Fu>(self, fetch: impl Fn(Client) -> Fu + 'static) -> LocalResource<T>
    where
        T: 'static,
        Fu: Future<Output = T> + 'static,
    {
        LocalResource::new(move || fetch(self.client()))
    }

    /// Starts a session from a sign-up or log-in answer.
    pub fn sign_in(self, auth: AuthSession) {
        store_token(Some(&auth.token));
        self.token.set(Some(auth.token));
        self.state.set(SessionState::SignedIn {
            user: auth.user,
            business: auth.business,
        });
    }

    /// Forgets the session in this browser.
    pub fn clear(self) {
        store_token(None);
        if self.token.get_untracked().is_some() {
            self.token.set(None);
        }
        if self.state.get_untracked() != SessionState::SignedOut {
            self.state.set(SessionState::SignedOut);
        }
    }

    /// Ends the session on the server (best effort), then in this browser.
    pub async fn log_out(self) {
        // Whatever the server says, the user asked to leave: the local session ends anyway.
        let _ = self.client().log_out().await;
        self.clear();
    }

    /// The current session token (not tracked), for the live connection.
    pub fn token_untracked(self) -> Option<String> {
        self.token.get_untracked()
    }

    /// Where the session stands (tracked).
    pub fn state(self) -> SessionState {
        self.state.get()
    }

    /// `Some(true)` when signed in, `Some(false)` when signed out, `None` while unknown
    /// (tracked): the shape route guards want.
    pub fn signed_in(self) -> Option<bool> {
        self.state.with(|state| match state {
            SessionState::SignedIn { .. } => Some(true),
            SessionState::SignedOut => Some(false),
            SessionState::Restoring | SessionState::RestoreFailed(_) => None,
        })
    }

    /// The signed-in user's business (tracked).
    pub fn business(self) -> Option<Business> {
        self.state.with(|state| match state {
            SessionState::SignedIn { business, .. } => Some(business.clone()),
            _ => None,
        })
    }

    /// The signed-in user (tracked).
    pub fn user(self) -> Option<User> {
        self.state.with(|state| match state {
            SessionState::SignedIn { user, .. } => Some(user.clone()),
            _ => None,
        })
    }

    /// Replaces the business after the settings page saved it.
    pub fn set_business(self, updated: Business) {
        self.state.update(|state| {
            if let SessionState::SignedIn { business, .. } = state {
                *business = updated;
            }
        });
    }
}
