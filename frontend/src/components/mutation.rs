//! Mutations: every change the dashboard asks of the API goes through one helper around a
//! Leptos [`Action`].
//!
//! The action runs the call and tracks it: [`Mutation::pending`] is true while a call runs
//! (buttons disable and say "Saving…"). Only the newest dispatch's result is handed to the
//! caller: an older answer arriving after a newer one is dropped, and so is any answer
//! that arrives after the component that asked was removed.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;

use crate::client::{Client, ClientError};
use crate::contexts::session::use_session;

/// One kind of API change, dispatched with an input of type `I`.
pub struct Mutation<I: 'static, O: 'static> {
    action: Action<I, ()>,
    pending: Memo<bool>,
    latest: StoredValue<u64>,
    _output: std::marker::PhantomData<fn() -> O>,
}

impl<I, O> Clone for Mutation<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for Mutation<I, O> {}

impl<I: Clone + 'static, O: 'static> Mutation<I, O> {
    /// A mutation that calls `run` with the signed-in client and the dispatched input, and
    /// hands the newest result, with its input, to `on_done`.
    pub fn new<F, Fu>(run: F, on_done: impl Fn(I, Result<O, ClientError>) + 'static) -> Self
    where
        F: Fn(Client, I) -> Fu + 'static,
        Fu: Future<Output = Result<O, ClientError>> + 'static,
    {
        let session = use_session();
        let latest = StoredValue::new(0u64);
        let on_done = Rc::new(on_done);
        let action = Action::new_local(move |input: &I| {
            let dispatch = latest.get_value();
            let input = input.clone();
            let call = run(session.client(), input.clone());
            let on_done = Rc::clone(&on_done);
            async move {
                let result = call.await;
                if latest.try_get_value() == Some(dispatch) {
                    on_done(input, result);
                }
            }
        });
        Mutation {
            action,
            pending: action.pending(),
            latest,
            _output: std::marker::PhantomData,
        }
    }

    /// A mutation whose failure is shown as a sentence in `error` (the banner of a card),
    /// and whose success goes to `on_ok`.
    pub fn reporting<F, Fu>(
        error: RwSignal<Option<String>>,
        run: F,
        on_ok: impl Fn(O) + 'static,
    ) -> Self
    where
        F: Fn(Client, I) -> Fu + 'static,
        Fu: Future<Output = Result<O, ClientError>> + 'static,
    {
        Mutation::new(run, move |_, result| match result {
            Ok(output) => on_ok(output),
            Err(failure) => {
                error.try_set(Some(failure.to_string()));
            }
        })
    }

    /// Sends `input`; a result still due from an earlier dispatch will be dropped.
    pub fn dispatch(self, input: I) {
        self.latest.update_value(|n| *n += 1);
        self.action.dispatch_local(input);
    }

    /// Whether a call is running (tracked).
    pub fn pending(self) -> bool {
        self.pending.get()
    }

    /// Whether a call is running (not tracked).
    pub fn pending_untracked(self) -> bool {
        self.pending.get_untracked()
    }
}
