//! `/products/new`

use leptos::prelude::*;

use crate::components::layout::SubPageHeader;
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
            <SubPageHeader back=AppRoute::Products back_label="Products" title="New product" />
            <ProductForm product=None default_currency=currency />
        </div>
    }
}
