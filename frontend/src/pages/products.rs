//! `/products`: the catalog, searchable, a page at a time.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::client::{Product, ProductQuery};
use crate::components::feedback::Spinner;
use crate::components::icons::Icon;
use crate::components::paged::{Paged, PagedFooter, SearchBox};
use crate::components::products::product_row::{ProductListHeader, ProductRow};
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// Products fetched per page.
const PAGE_SIZE: i64 = 20;

/// The catalog: search by name, archived or on sale, "load more" pagination.
#[component]
pub fn ProductsPage() -> impl IntoView {
    let session = use_session();
    let search = RwSignal::new(String::new());
    let archived = RwSignal::new(false);
    let paged = Paged::<Product>::start();
    let load = move |more: bool| {
        let client = session.client();
        paged.load(more, move |after| {
            let query = ProductQuery {
                first: PAGE_SIZE,
                after,
                search: search.get_untracked(),
                archived: archived.get_untracked(),
            };
            async move { client.products(&query).await }
        });
    };
    Effect::new(move |_| {
        search.track();
        archived.track();
        load(false);
    });

    let summary = move || {
        let total = paged.list.with(|list| list.total_count.unwrap_or_default());
        let noun = if total == 1 { "product" } else { "products" };
        let kind = if archived.get() { " archived" } else { "" };
        format!("{total}{kind} {noun}")
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
                <SearchBox search=search label="Search products by name" placeholder="Search by name" testid="product-search" />
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
                paged=paged
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
    paged: Paged<Product>,
    archived: RwSignal<bool>,
    search: RwSignal<String>,
    on_load_more: Callback<()>,
    on_retry: Callback<()>,
) -> impl IntoView {
    let list = paged.list;
    let has_products = move || list.with(|list| !list.items.is_empty());
    view! {
        <Show when=has_products>
            <div class="product-list" data-testid="product-list">
                <ProductListHeader />
                <For
                    each=move || list.with(|list| list.items.clone())
                    key=|product| product.id.clone()
                    let:product
                >
                    <ProductRow product=product />
                </For>
            </div>
        </Show>
        <Show when=move || paged.first_loading()>
            <Spinner label="Loading products" />
        </Show>
        <Show when=move || paged.is_empty()>
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
        <PagedFooter
            paged=paged
            error_class="banner banner-error"
            error_testid="product-list-error"
            more_class="btn btn-secondary"
            more_testid="product-load-more"
            on_load_more=on_load_more
            on_retry=on_retry
        />
    }
}
