//! `/orders/new`: an order entered by hand: a new customer (name and phone), one or more
//! lines (up to the shared limit), each a product from the catalog (stock, price and
//! floor shown), its color and quantity and a unit price that defaults to the discounted
//! price and may not go below the floor (the rule in `shared`, checked here as you type
//! and again by the server), the running total, and the delivery.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::money::{Money, parse_major};
use shared::pricing::{MAX_ORDER_ITEMS, respects_floor};

use crate::client::{NewOrder, NewOrderLine, Product, ProductQuery};
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

/// The `data-testid` of a line's field: the first line's are plain (`order-product`),
/// later ones carry the line's position (`order-product-2`).
fn line_testid(base: &str, position: usize) -> String {
    if position == 0 {
        base.to_string()
    } else {
        format!("{base}-{}", position + 1)
    }
}

/// One line being typed: its own signals, and a key that outlives removals above it.
#[derive(Clone, Copy)]
struct LineDraft {
    key: usize,
    product_id: RwSignal<String>,
    color: RwSignal<String>,
    quantity: RwSignal<String>,
    price: RwSignal<String>,
}

impl LineDraft {
    fn new(key: usize) -> LineDraft {
        LineDraft {
            key,
            product_id: RwSignal::new(String::new()),
            color: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".to_string()),
            price: RwSignal::new(String::new()),
        }
    }

    /// The chosen product, if any.
    fn chosen(self, products: StoredValue<Vec<Product>>) -> Option<Product> {
        let id = self.product_id.get();
        products.with_value(|list| list.iter().find(|p| p.id == id).cloned())
    }

    /// The typed unit price in minor units: `Ok(None)` when left empty (the discounted
    /// price), an error naming the floor when below it.
    fn unit_price(self, products: StoredValue<Vec<Product>>) -> Result<Option<i64>, String> {
        let text = self.price.get();
        let text = text.trim();
        match self.chosen(products) {
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
    }

    /// The line as the API takes it, or what is wrong with it (`n` counts from 1).
    fn to_line(
        self,
        products: StoredValue<Vec<Product>>,
        n: usize,
    ) -> Result<NewOrderLine, String> {
        let Some(p) = self.chosen(products) else {
            return Err(format!("Line {n}: choose a product"));
        };
        let unit_price_minor = self
            .unit_price(products)
            .map_err(|e| format!("Line {n}: {e}"))?;
        let quantity = match self.quantity.get().trim().parse::<i64>() {
            Ok(q) if q > 0 => q,
            _ => return Err(format!("Line {n}: type how many")),
        };
        let color = Some(self.color.get()).filter(|c| !c.is_empty());
        if p.colors.len() > 1 && color.is_none() {
            return Err(format!("Line {n}: choose a color of {}", p.name));
        }
        Ok(NewOrderLine {
            product_id: p.id,
            color,
            quantity,
            unit_price_minor,
        })
    }

    /// The line's amount as far as it can be read: (minor units, currency code).
    fn amount(self, products: StoredValue<Vec<Product>>) -> Option<(i64, String)> {
        let p = self.chosen(products)?;
        let unit = match self.unit_price(products) {
            Ok(Some(minor)) => minor,
            Ok(None) => p.discounted_price.amount_minor,
            Err(_) => return None,
        };
        let quantity = self.quantity.get().trim().parse::<i64>().ok()?;
        Some((
            unit.checked_mul(quantity)?,
            p.discounted_price.currency.code().to_string(),
        ))
    }
}

/// The running total, one amount per currency ("NGN 32,000.00").
fn running_total(lines: &[LineDraft], products: StoredValue<Vec<Product>>) -> String {
    let mut sums: Vec<(String, i64)> = Vec::new();
    for (minor, code) in lines.iter().filter_map(|l| l.amount(products)) {
        match sums.iter_mut().find(|(c, _)| *c == code) {
            Some((_, sum)) => *sum = sum.saturating_add(minor),
            None => sums.push((code, minor)),
        }
    }
    sums.into_iter()
        .map(|(code, minor)| Money::display_code(minor, &code))
        .collect::<Vec<_>>()
        .join(" + ")
}

#[component]
fn OrderForm(products: Vec<Product>) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let products = StoredValue::new(products);
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let next_key = StoredValue::new(1usize);
    let lines = RwSignal::new(vec![LineDraft::new(0)]);
    let delivery = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let add_line = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        lines.update(|l| {
            if l.len() < MAX_ORDER_ITEMS {
                l.push(LineDraft::new(key));
            }
        });
    };
    let total = move || lines.with(|l| running_total(l, products));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let drafts = lines.get_untracked();
        let parsed = drafts
            .iter()
            .enumerate()
            .map(|(i, line)| line.to_line(products, i + 1))
            .collect::<Result<Vec<_>, _>>();
        let order_lines = match parsed {
            Ok(order_lines) => order_lines,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        let new = NewOrder {
            customer_name: name.get_untracked(),
            phone: phone.get_untracked(),
            lines: order_lines,
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
            <For
                each=move || lines.get().into_iter().enumerate()
                key=|(position, line)| (*position, line.key)
                children=move |(position, line)| {
                    let remove = move |_| lines.update(|l| l.retain(|x| x.key != line.key));
                    view! {
                        <LineFields
                            line=line
                            position=position
                            products=products
                            on_remove=(position > 0).then(|| Callback::new(remove))
                        />
                    }
                }
            />
            <div class="form-actions">
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    data-testid="order-add-line"
                    prop:disabled=move || lines.with(|l| l.len() >= MAX_ORDER_ITEMS)
                    on:click=add_line
                >
                    "Add another product"
                </button>
                <span class="muted" data-testid="order-total">
                    {move || {
                        let total = total();
                        if total.is_empty() { String::new() } else { format!("Total {total}") }
                    }}
                </span>
            </div>
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

/// One line's fields: product, color (when the product has several), quantity and unit
/// price with the floor shown as you type.
#[component]
fn LineFields(
    line: LineDraft,
    position: usize,
    products: StoredValue<Vec<Product>>,
    on_remove: Option<Callback<leptos::ev::MouseEvent>>,
) -> impl IntoView {
    let chosen = Memo::new(move |_| line.chosen(products));
    let unit_price = Memo::new(move |_| line.unit_price(products));
    let id = move |base: &str| line_testid(base, position);
    view! {
        <fieldset class="order-line" data-testid=id("order-line")>
            <legend class="field-label">{format!("Product {}", position + 1)}</legend>
            <label class="field">
                <span class="field-label">"Product"</span>
                <select
                    class="input"
                    data-testid=id("order-product")
                    on:change=move |ev| {
                        line.product_id.set(event_target_value(&ev));
                        line.color.set(String::new());
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
                        data-testid=id("order-color")
                        on:change=move |ev| line.color.set(event_target_value(&ev))
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
            <label class="field">
                <span class="field-label">"Quantity"</span>
                <input
                    class="input"
                    inputmode="numeric"
                    data-testid=id("order-quantity")
                    prop:value=move || line.quantity.get()
                    on:input=move |ev| line.quantity.set(event_target_value(&ev))
                />
            </label>
            <label class="field" class:has-error=move || unit_price.with(Result::is_err)>
                <span class="field-label">"Unit price"</span>
                <input
                    class="input"
                    data-testid=id("order-unit-price")
                    placeholder=move || {
                        chosen
                            .get()
                            .map(|p| format!("{} (the discounted price)", p.discounted_price.display()))
                            .unwrap_or_default()
                    }
                    prop:value=move || line.price.get()
                    on:input=move |ev| line.price.set(event_target_value(&ev))
                />
                <span class="field-error" data-testid=id("order-unit-price-error")>
                    {move || unit_price.get().err()}
                </span>
            </label>
            {on_remove.map(|remove| view! {
                <button
                    type="button"
                    class="btn btn-ghost btn-small"
                    data-testid=id("order-remove-line")
                    on:click=move |ev| remove.run(ev)
                >
                    "Remove"
                </button>
            })}
        </fieldset>
    }
}
