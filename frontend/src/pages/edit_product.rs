//! `/products/:id`

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::client::ClientError;
use crate::components::feedback::{LoadError, Spinner};
use crate::components::layout::SubPageHeader;
use crate::components::products::product_form::ProductForm;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// The product form filled with a saved product, plus archive and delete.
#[component]
pub fn EditProductPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let id = move || params.read().get(AppRoute::ID).unwrap_or_default();
    let product = session.resource(move |client| {
        let id = id();
        async move { client.product(&id).await }
    });

    view! {
        <div class="page page-narrow">
            <SubPageHeader back=AppRoute::Products back_label="Products" title="Edit product" />
            <Suspense fallback=|| view! { <Spinner label="Loading product" /> }>
                {move || {
                    product
                        .get()
                        .map(|result| match result {
                            Ok(loaded) => {
                                let currency = loaded.price.currency.code().to_string();
                                view! { <ProductForm product=Some(loaded) default_currency=currency /> }
                                    .into_any()
                            }
                            Err(ClientError::NotFound(_)) => {
                                view! {
                                    <div class="empty-state" data-testid="product-not-found">
                                        <p class="empty-title">"This product does not exist"</p>
                                        <p class="muted">"It may have been deleted."</p>
                                        <A href=AppRoute::Products.path() attr:class="btn btn-secondary">
                                            "Back to products"
                                        </A>
                                    </div>
                                }
                                    .into_any()
                            }
                            Err(error) => {
                                view! {
                                    <LoadError
                                        error=error
                                        on_retry=Callback::new(move |()| product.refetch())
                                    />
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </div>
    }
}
