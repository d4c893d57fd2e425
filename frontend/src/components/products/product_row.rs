//! One product in the catalog list.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{Discount, Money};

use crate::client::Product;
use crate::components::icons::Icon;
use crate::routes::AppRoute;

/// The column titles above the rows (hidden on phones, where rows become cards).
#[component]
pub fn ProductListHeader() -> impl IntoView {
    view! {
        <div class="product-row product-row-head" aria-hidden="true">
            <span></span>
            <span>"Product"</span>
            <span>"Price"</span>
            <span>"Floor"</span>
            <span>"Stock"</span>
        </div>
    }
}

/// A row linking to the product's edit page: thumbnail, name, colors, price (with the
/// discounted price), bargaining floor and stock.
#[component]
pub fn ProductRow(
    /// The product shown.
    product: Product,
) -> impl IntoView {
    let href = AppRoute::EditProduct(product.id.clone()).path();
    let thumbnail = product.images.first().map(|image| image.url.clone());
    let discount = match product.discount {
        Discount::None => None,
        Discount::Percent(percent) => Some(format!("−{percent}%")),
        Discount::Fixed(amount) => Some(format!(
            "−{}",
            Money::new(amount, product.price.currency.clone())
        )),
    };
    let stock = match product.quantity {
        0 => view! { <span class="badge badge-warning">"Out of stock"</span> }.into_any(),
        quantity => view! { <span>{quantity}</span> }.into_any(),
    };
    let id = product.id.clone();
    let name = product.name.clone();
    view! {
        <A
            href=href
            attr:class="product-row"
            attr:data-testid="product-row"
            attr:data-product-id=id
            attr:data-product-name=name
        >
            <span class="thumb">
                {match thumbnail {
                    Some(url) => view! { <img src=url alt="" loading="lazy" /> }.into_any(),
                    None => Icon::Image.view().into_any(),
                }}
            </span>
            <span class="product-main">
                <span class="product-name" data-testid="product-row-name">
                    {product.name.clone()}
                </span>
                {product.archived.then(|| view! { <span class="badge">"Archived"</span> })}
                <span class="chips">
                    {product
                        .colors
                        .iter()
                        .map(|color| view! { <span class="chip">{color.clone()}</span> })
                        .collect_view()}
                </span>
            </span>
            <span class="product-price" data-testid="product-row-price">
                <span class="cell-label">"Price"</span>
                <span class="price-now">{product.discounted_price.to_string()}</span>
                {discount
                    .map(|discount| {
                        view! {
                            <span class="price-was">{product.price.to_string()}</span>
                            <span class="badge badge-accent">{discount}</span>
                        }
                    })}
            </span>
            <span class="product-floor" data-testid="product-row-floor">
                <span class="cell-label">"Floor"</span>
                {product.bargain_floor.to_string()}
            </span>
            <span class="product-stock" data-testid="product-row-stock">
                <span class="cell-label">"Stock"</span>
                {stock}
            </span>
        </A>
    }
}
