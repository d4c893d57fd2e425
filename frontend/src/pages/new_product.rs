//! `/products/new`

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::icons::Icon;
use crate::components::products::product_form::ProductForm;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// An empty product form in the business's default currency.
#[component]
pub fn NewProductPage() -> impl IntoView {
    let session = use_session();
    let currency = untrack(|| session.business())
        .map(|business| business.default_currency)
        .unwrap_or_default();
    view! {
        <div class="page page-narrow">
            <header class="page-header">
                <div>
                    <A href=AppRoute::Products.path() attr:class="back-link">
                        {Icon::Back.view()}
                        <span>"Products"</span>
                    </A>
                    <h1 class="page-title">"New product"</h1>
                </div>
            </header>
            <ProductForm product=None default_currency=currency />
        </div>
    }
}
