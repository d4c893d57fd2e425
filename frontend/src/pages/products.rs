//! `/products`: the catalog, searchable, a page at a time.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::client::{ClientError, Product, ProductQuery};
use crate::components::feedback::Spinner;
use crate::components::icons::Icon;
use crate::components::products::product_row::{ProductListHeader, ProductRow};
use crate::contexts::session::use_session;
use crate::pages::AppRoute;

/// Products fetched per page.
const PAGE_SIZE: i64 = 20;
/// Pause in typing before the search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// The list as loaded so far.
#[derive(Debug, Clone, Default, PartialEq)]
struct ProductList {
    products: Vec<Product>,
    end_cursor: Option<String>,
    has_next_page: bool,
    total_count: i64,
    loading: bool,
    error: Option<ClientError>,
}

/// The catalog: search by name, archived or on sale, "load more" pagination.
#[component]
pub fn ProductsPage() -> impl IntoView {
    let session = use_session();
    let search_text = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let archived = RwSignal::new(false);
    let list = RwSignal::new(ProductList {
        loading: true,
        ..ProductList::default()
    });
    // Pages accumulate ("Load more"), so the list is state that each request extends or
    // replaces, not a `LocalResource`. Only the newest request may fill it: an older
    // search can answer after a newer one.
    let latest_request = StoredValue::new(0u64);

    let load = move |more: bool| {
        let request = latest_request.get_value() + 1;
        latest_request.set_value(request);
        let query = ProductQuery {
            first: PAGE_SIZE,
            after: if more {
                list.with_untracked(|list| list.end_cursor.clone())
            } else {
                None
            },
            search: search.get_untracked(),
            archived: archived.get_untracked(),
        };
        list.update(|list| {
            list.loading = true;
            list.error = None;
        });
        let client = session.client();
        spawn_local(async move {
            let result = client.products(&query).await;
            if latest_request.try_get_value() != Some(request) {
                return;
            }
            list.try_update(|list| {
                list.loading = false;
                match result {
                    Ok(page) => {
                        if more {
                            list.products.extend(page.products);
                        } else {
                            list.products = page.products;
                        }
                        list.end_cursor = page.end_cursor;
                        list.has_next_page = page.has_next_page;
                        list.total_count = page.total_count;
                    }
                    Err(error) => list.error = Some(error),
                }
            });
        });
    };
    Effect::new(move |_| {
        search.track();
        archived.track();
        load(false);
    });

    let debounce = StoredValue::new(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(Some(handle)) = debounce.try_get_value() {
            handle.clear();
        }
    });
    let on_search = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        search_text.set(typed.clone());
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

    let summary = move || {
        list.with(|list| {
            let noun = if list.total_count == 1 {
                "product"
            } else {
                "products"
            };
            let kind = if archived.get() { " archived" } else { "" };
            format!("{}{kind} {noun}", list.total_count)
        })
    };

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1 class="page-title">"Products"</h1>
                    <p class="muted" data-testid="product-count">{summary}</p>
                </div>
                <A
                    href=AppRoute::NewProduct.path()
                    attr:class="btn btn-primary"
                    attr:data-testid="product-new"
                >
                    {Icon::Plus.view()}
                    <span>"New product"</span>
                </A>
            </header>
            <div class="toolbar">
                <label class="search">
                    {Icon::Search.view()}
                    <span class="visually-hidden">"Search products by name"</span>
                    <input
                        class="input search-input"
                        type="search"
                        placeholder="Search by name"
                        data-testid="product-search"
                        prop:value=move || search_text.get()
                        on:input=on_search
                        on:change=on_search
                    />
                </label>
                <label class="switch">
                    <input
                        type="checkbox"
                        data-testid="product-show-archived"
                        prop:checked=move || archived.get()
                        on:change=move |ev| archived.set(event_target_checked(&ev))
                    />
                    <span class="switch-track" aria-hidden="true"></span>
                    <span>"Show archived"</span>
                </label>
            </div>
            <ProductListView
                list=list
                archived=archived
                search=search
                on_load_more=Callback::new(move |()| load(true))
                on_retry=Callback::new(move |()| load(false))
            />
        </div>
    }
}

/// The rows, or an empty state, an error, or a spinner, and the "Load more" button.
#[component]
fn ProductListView(
    list: RwSignal<ProductList>,
    archived: RwSignal<bool>,
    search: RwSignal<String>,
    on_load_more: Callback<()>,
    on_retry: Callback<()>,
) -> impl IntoView {
    let has_products = move || list.with(|list| !list.products.is_empty());
    let first_load = move || list.with(|list| list.loading && list.products.is_empty());
    let empty =
        move || list.with(|list| !list.loading && list.error.is_none() && list.products.is_empty());
    view! {
        <Show when=has_products>
            <div class="product-list" data-testid="product-list">
                <ProductListHeader />
                <For
                    each=move || list.with(|list| list.products.clone())
                    key=|product| product.id.clone()
                    let:product
                >
                    <ProductRow product=product />
                </For>
            </div>
        </Show>
        <Show when=first_load>
            <Spinner label="Loading products" />
        </Show>
        <Show when=empty>
            <div class="empty-state" data-testid="product-empty">
                {move || {
                    let searched = search.get();
                    if !searched.is_empty() {
                        view! {
                            <p class="empty-title">{format!("No products match “{searched}”")}</p>
                            <p class="muted">"Try another name."</p>
                        }
                            .into_any()
                    } else if archived.get() {
                        view! {
                            <p class="empty-title">"No archived products"</p>
                            <p class="muted">"Products you archive appear here."</p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <p class="empty-title">"No products yet"</p>
                            <p class="muted">
                                "Add what you sell: the AI quotes prices and stock from this list."
                            </p>
                            <A href=AppRoute::NewProduct.path() attr:class="btn btn-primary">
                                "Add your first product"
                            </A>
                        }
                            .into_any()
                    }
                }}
            </div>
        </Show>
        {move || {
            list.with(|list| list.error.clone())
                .map(|error| {
                    view! {
                        <div class="banner banner-error" role="alert" data-testid="product-list-error">
                            {error.to_string()}
                            " "
                            <button class="link-button" on:click=move |_| on_retry.run(())>
                                "Try again"
                            </button>
                        </div>
                    }
                })
        }}
        <Show when=move || list.with(|list| list.has_next_page && !list.products.is_empty())>
            <div class="load-more">
                <button
                    class="btn btn-secondary"
                    data-testid="product-load-more"
                    disabled=move || list.with(|list| list.loading)
                    on:click=move |_| on_load_more.run(())
                >
                    {move || if list.with(|list| list.loading) { "Loading…" } else { "Load more" }}
                </button>
            </div>
        </Show>
    }
}
