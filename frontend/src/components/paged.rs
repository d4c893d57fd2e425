//! A list loaded a page at a time ("Load more"), searched with a debounce: the one helper
//! behind the inbox's chat list and the catalog (state, search box and footer).
//!
//! Pages accumulate, so the list is state that each request extends or replaces, not a
//! `LocalResource`. Only the newest request may fill it (an older search can answer after
//! a newer one), and an item already shown is never listed twice.

use std::future::Future;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::{
    ActivityEntry, BlacklistEntry, Chat, ClientError, FollowUp, Order, Page, Product,
};
use crate::components::icons::Icon;

/// Pause in typing before a search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// Something listed by id.
pub trait Listed: Clone + Send + Sync + 'static {
    /// The API id that identifies it in the list.
    fn id(&self) -> &str;
}

impl Listed for Chat {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for BlacklistEntry {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for ActivityEntry {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for FollowUp {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for Order {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for Product {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The list as loaded so far.
#[derive(Debug, Clone, PartialEq)]
pub struct PagedList<T> {
    /// The items, in the API's order.
    pub items: Vec<T>,
    /// Cursor for the next page.
    pub end_cursor: Option<String>,
    /// Whether another page follows.
    pub has_next_page: bool,
    /// How many items match in all, when the API counts them.
    pub total_count: Option<i64>,
    /// A request is running.
    pub loading: bool,
    /// The last request failed.
    pub error: Option<ClientError>,
}

/// A paged list: its state and the number of the newest request.
#[derive(Debug)]
pub struct Paged<T: Listed> {
    /// What is shown.
    pub list: RwSignal<PagedList<T>>,
    latest_request: StoredValue<u64>,
}

impl<T: Listed> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Listed> Copy for Paged<T> {}

impl<T: Listed> Paged<T> {
    /// An empty list, loading its first page.
    pub fn start() -> Paged<T> {
        Paged {
            list: RwSignal::new(PagedList {
                items: Vec::new(),
                end_cursor: None,
                has_next_page: false,
                total_count: None,
                loading: true,
                error: None,
            }),
            latest_request: StoredValue::new(0),
        }
    }

    /// Loads the first page (`more == false`, replacing the list) or the next one
    /// (appending what is not listed yet). `fetch` gets the cursor to page after.
    pub fn load<F, Fut>(self, more: bool, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, ClientError>> + 'static,
    {
        let request = self.latest_request.get_value() + 1;
        self.latest_request.set_value(request);
        let after = if more {
            self.list.with_untracked(|l| l.end_cursor.clone())
        } else {
            None
        };
        self.list.update(|l| {
            l.loading = true;
            l.error = None;
        });
        let pending = fetch(after);
        spawn_local(async move {
            let result = pending.await;
            if self.latest_request.try_get_value() != Some(request) {
                return;
            }
            self.list.try_update(|l| {
                l.loading = false;
                match result {
                    Ok(page) => {
                        if more {
                            for item in page.items {
                                if !l.items.iter().any(|listed| listed.id() == item.id()) {
                                    l.items.push(item);
                                }
                            }
                        } else {
                            l.items = page.items;
                        }
                        l.end_cursor = page.end_cursor;
                        l.has_next_page = page.has_next_page;
                        l.total_count = page.total_count;
                    }
                    Err(error) => l.error = Some(error),
                }
            });
        });
    }

    /// Nothing loaded, nothing loading, no error (tracked).
    pub fn is_empty(self) -> bool {
        self.list
            .with(|l| !l.loading && l.error.is_none() && l.items.is_empty())
    }

    /// The first page is loading (tracked).
    pub fn first_loading(self) -> bool {
        self.list.with(|l| l.loading && l.items.is_empty())
    }
}

/// A search box that sets `search` (trimmed) once typing pauses.
#[component]
pub fn SearchBox(
    /// The search the list is loaded with.
    search: RwSignal<String>,
    /// Read out by screen readers.
    label: &'static str,
    /// Shown in the empty box.
    placeholder: &'static str,
    /// `data-testid` of the input.
    testid: &'static str,
) -> impl IntoView {
    let typed_text = RwSignal::new(String::new());
    let debounce = StoredValue::new(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(Some(handle)) = debounce.try_get_value() {
            handle.clear();
        }
    });
    let on_search = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        typed_text.set(typed.clone());
        if let Some(handle) = debounce.get_value() {
            handle.clear();
        }
        let run = move || {
            let wanted = typed.trim().to_string();
            if search
                .try_get_untracked()
                .is_some_and(|current| current != wanted)
            {
                search.set(wanted);
            }
        };
        debounce.set_value(set_timeout_with_handle(run, SEARCH_DEBOUNCE).ok());
    };
    view! {
        <label class="search">
            {Icon::Search.view()}
            <span class="visually-hidden">{label}</span>
            <input
                class="input search-input"
                type="search"
                placeholder=placeholder
                data-testid=testid
                prop:value=move || typed_text.get()
                on:input=on_search
                on:change=on_search
            />
        </label>
    }
}

/// Under the rows: the last error with "Try again", and the "Load more" button while
/// another page follows.
#[component]
pub fn PagedFooter<T: Listed>(
    /// The list.
    paged: Paged<T>,
    /// Classes of the error banner.
    error_class: &'static str,
    /// `data-testid` of the error banner.
    error_testid: &'static str,
    /// Classes of the "Load more" button.
    more_class: &'static str,
    /// `data-testid` of the "Load more" button.
    more_testid: &'static str,
    /// Loads the next page.
    on_load_more: Callback<()>,
    /// Loads the first page again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let list = paged.list;
    view! {
        {move || {
            list.with(|l| l.error.clone())
                .map(|error| {
                    view! {
                        <div class=error_class role="alert" data-testid=error_testid>
                            {error.to_string()}
                            " "
                            <button class="link-button" on:click=move |_| on_retry.run(())>
                                "Try again"
                            </button>
                        </div>
                    }
                })
        }}
        <Show when=move || list.with(|l| l.has_next_page && !l.items.is_empty())>
            <div class="load-more">
                <button
                    class=more_class
                    data-testid=more_testid
                    disabled=move || list.with(|l| l.loading)
                    on:click=move |_| on_load_more.run(())
                >
                    {move || if list.with(|l| l.loading) { "Loading…" } else { "Load more" }}
                </button>
            </div>
        </Show>
    }
}
