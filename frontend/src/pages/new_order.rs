//! `/orders/new`: an order entered by hand: a new customer (name and phone), a product
//! from the catalog (stock, price and floor shown), its color and quantity, a unit price
//! that defaults to the discounted price and may not go below the floor (the rule in
//! `shared`, checked here as you type and again by the server), and the delivery.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::money::parse_major;
use shared::pricing::respects_floor;

use crate::client::{NewOrder, Product, ProductQuery};
use crate::components::feedback::{Banner, LoadError, Spinner};
use crate::components::layout::SubPageHeader;
use crate::contexts::session::use_session;
use crate::routes::AppRoute;

/// The most products the picker lists (the API's page cap).
const PICKER_SIZE: i64 = 100;

/// One line of the picker: name, price, stock and floor.
fn picker_label(p: &Product) -> String {
    format!(
        "{} · {} · {} in stock · floor {}",
        p.name,
        p.discounted_price.display(),
        p.quantity,
        p.bargain_floor.display()
    )
}

/// The manual order form.
#[component]
pub fn NewOrderPage() -> impl IntoView {
    let session = use_session();
    let products = session.resource(move |client| async move {
        client
            .products(&ProductQuery {
                first: PICKER_SIZE,
                ..ProductQuery::default()
            })
            .await
            .map(|page| page.items)
    });
    view! {
        <div class="page page-narrow">
            <SubPageHeader back=AppRoute::Orders back_label="Orders" title="New order" />
            <Suspense fallback=|| view! { <Spinner label="Loading products" /> }>
                {move || {
                    products
                        .get()
                        .map(|result| match result {
                            Ok(list) => view! { <OrderForm products=list /> }.into_any(),
                            Err(error) => {
                                view! {
                                    <LoadError
                                        error=error
                                        on_retry=Callback::new(move |()| products.refetch())
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

#[component]
fn OrderForm(products: Vec<Product>) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let products = StoredValue::new(products);
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let product_id = RwSignal::new(String::new());
    let color = RwSignal::new(String::new());
    let quantity = RwSignal::new("1".to_string());
    let price = RwSignal::new(String::new());
    let delivery = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let chosen = Memo::new(move |_| {
        let id = product_id.get();
        products.with_value(|list| list.iter().find(|p| p.id == id).cloned())
    });
    // The typed price in minor units: `Ok(None)` when left empty (the discounted price).
    let unit_price = Memo::new(move |_| {
        let text = price.get();
        let text = text.trim();
        match chosen.get() {
            _ if text.is_empty() => Ok(None),
            None => Ok(None),
            Some(p) => match parse_major(text, &p.discounted_price.currency) {
                None => Err("Type a price such as 19000 or 19,000.50".to_string()),
                Some(minor) if !respects_floor(minor, p.bargain_floor.amount_minor) => Err(
                    format!("The floor of {} is {}", p.name, p.bargain_floor.display()),
                ),
                Some(minor) => Ok(Some(minor)),
            },
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(p) = chosen.get_untracked() else {
            error.set(Some("Choose a product".into()));
            return;
        };
        let unit_price_minor = match unit_price.get_untracked() {
            Ok(minor) => minor,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        let Ok(quantity) = quantity.get_untracked().trim().parse::<i64>() else {
            error.set(Some("Type how many".into()));
            return;
        };
        let new = NewOrder {
            customer_name: name.get_untracked(),
            phone: phone.get_untracked(),
            product_id: p.id.clone(),
            color: Some(color.get_untracked()).filter(|c| !c.is_empty()),
            quantity,
            unit_price_minor,
            delivery_details: delivery.get_untracked(),
            notes: notes.get_untracked(),
        };
        let client = session.client();
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match client.create_order(&new).await {
                Ok(order) => navigate(&AppRoute::Order(order.id).path(), Default::default()),
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };

    let text_field = move |label: &'static str, testid: &'static str, value: RwSignal<String>| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input
                    class="input"
                    data-testid=testid
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };

    view! {
        <form class="form card" on:submit=submit data-testid="order-form">
            {text_field("Customer name", "order-customer-name", name)}
            {text_field("Phone number", "order-customer-phone", phone)}
            <label class="field">
                <span class="field-label">"Product"</span>
                <select
                    class="input"
                    data-testid="order-product"
                    on:change=move |ev| {
                        product_id.set(event_target_value(&ev));
                        color.set(String::new());
                    }
                >
                    <option value="" selected=true>"Choose a product"</option>
                    {products
                        .get_value()
                        .into_iter()
                        .map(|p| {
                            let label = picker_label(&p);
                            view! { <option value=p.id.clone() disabled=p.quantity == 0>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <Show when=move || chosen.with(|p| p.as_ref().is_some_and(|p| p.colors.len() > 1))>
                <label class="field">
                    <span class="field-label">"Color"</span>
                    <select
                        class="input"
                        data-testid="order-color"
                        on:change=move |ev| color.set(event_target_value(&ev))
                    >
                        <option value="" selected=true>"Choose a color"</option>
                        {move || {
                            chosen
                                .get()
                                .map(|p| p.colors)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
            </Show>
            {text_field("Quantity", "order-quantity", quantity)}
            <label class="field" class:has-error=move || unit_price.with(Result::is_err)>
                <span class="field-label">"Unit price"</span>
                <input
                    class="input"
                    data-testid="order-unit-price"
                    placeholder=move || {
                        chosen
                            .get()
                            .map(|p| format!("{} (the discounted price)", p.discounted_price.display()))
                            .unwrap_or_default()
                    }
                    prop:value=move || price.get()
                    on:input=move |ev| price.set(event_target_value(&ev))
                />
                <span class="field-error" data-testid="order-unit-price-error">
                    {move || unit_price.get().err()}
                </span>
            </label>
            {text_field("Delivery address", "order-delivery", delivery)}
            {text_field("Notes", "order-notes", notes)}
            <Banner message=Signal::derive(move || error.get()) testid="order-form-error" />
            <div class="form-actions">
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="order-submit"
                    prop:disabled=move || busy.get()
                >
                    "Record order"
                </button>
            </div>
        </form>
    }
}
