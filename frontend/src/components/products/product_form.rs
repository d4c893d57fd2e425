//! The product form: create and edit, with live validation by `shared`'s product rules,
//! server field errors, images, and (when editing) archive and delete.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::{Currency, Discount, Money, ProductDraft};
use web_sys::File;

use crate::client::{Product, ProductImage};
use crate::components::feedback::Banner;
use crate::components::forms::{Field, FormErrors, FormHint, SubmitButton, TextField};
use crate::components::locale::currency_codes;
use crate::components::mutation::Mutation;
use crate::components::products::draft::{PRODUCT_FIELDS, ProductText};
use crate::components::products::image_picker::{
    ImagePicker, clear_pending, pending_files, pending_images,
};
use crate::routes::AppRoute;

/// One signal per form field.
#[derive(Debug, Clone, Copy)]
struct ProductInputs {
    name: RwSignal<String>,
    description: RwSignal<String>,
    price: RwSignal<String>,
    currency: RwSignal<String>,
    discount_kind: RwSignal<String>,
    discount_value: RwSignal<String>,
    bargain_floor: RwSignal<String>,
    hard_minimum: RwSignal<String>,
    quantity: RwSignal<String>,
    colors: RwSignal<String>,
}

impl ProductInputs {
    fn new(text: ProductText) -> ProductInputs {
        ProductInputs {
            name: RwSignal::new(text.name),
            description: RwSignal::new(text.description),
            price: RwSignal::new(text.price),
            currency: RwSignal::new(text.currency),
            discount_kind: RwSignal::new(text.discount_kind),
            discount_value: RwSignal::new(text.discount_value),
            bargain_floor: RwSignal::new(text.bargain_floor),
            hard_minimum: RwSignal::new(text.hard_minimum),
            quantity: RwSignal::new(text.quantity),
            colors: RwSignal::new(text.colors),
        }
    }

    /// The typed text (tracked).
    fn text(self) -> ProductText {
        ProductText {
            name: self.name.get(),
            description: self.description.get(),
            price: self.price.get(),
            currency: self.currency.get(),
            discount_kind: self.discount_kind.get(),
            discount_value: self.discount_value.get(),
            bargain_floor: self.bargain_floor.get(),
            hard_minimum: self.hard_minimum.get(),
            quantity: self.quantity.get(),
            colors: self.colors.get(),
        }
    }
}

/// What a save did.
enum Saved {
    /// A new product was created (with its images).
    Created,
    /// A saved product's fields were changed; `images` is the upload of new images, if any.
    Updated {
        /// The product after the change.
        product: Product,
        /// The product after adding the images, or why that failed.
        images: Option<Result<Product, crate::client::ClientError>>,
    },
}

/// The create/edit form. `product` is the saved product, or `None` to create one in
/// `default_currency`.
#[component]
pub fn ProductForm(
    /// The product being edited; `None` for a new one.
    product: Option<Product>,
    /// Currency a new product starts in.
    #[prop(into)]
    default_currency: String,
) -> impl IntoView {
    let navigate = use_navigate();
    let editing = product.is_some();
    let text = product
        .as_ref()
        .map(ProductText::from_product)
        .unwrap_or_else(|| ProductText::new(&default_currency));
    let inputs = ProductInputs::new(text);
    let saved = RwSignal::new(product);
    let draft = Memo::new(move |_| inputs.text().to_draft());
    let errors = FormErrors::new(PRODUCT_FIELDS, move || {
        draft.with(|draft| draft.as_ref().err().cloned().unwrap_or_default())
    });
    if editing {
        errors.show_all();
    }
    let pending = pending_images();
    let notice = RwSignal::new(None::<String>);
    let removing_image = RwSignal::new(None::<String>);

    let navigate_to_list = navigate.clone();
    let save = errors.mutation(
        |client, (valid, files, saved_id): (ProductDraft, Vec<File>, Option<String>)| async move {
            match saved_id {
                None => {
                    client.create_product(&valid, &files).await?;
                    Ok(Saved::Created)
                }
                Some(id) => {
                    let product = client.update_product(&id, &valid).await?;
                    let images = if files.is_empty() {
                        None
                    } else {
                        Some(client.add_product_images(&id, &files).await)
                    };
                    Ok(Saved::Updated { product, images })
                }
            }
        },
        move |outcome| match outcome {
            Saved::Created => {
                clear_pending(pending);
                navigate_to_list(&AppRoute::Products.path(), Default::default());
            }
            Saved::Updated { product, images } => {
                saved.set(Some(product));
                match images {
                    None => notice.set(Some("Changes saved.".into())),
                    Some(Ok(product)) => {
                        saved.set(Some(product));
                        clear_pending(pending);
                        notice.set(Some("Changes and images saved.".into()));
                    }
                    Some(Err(error)) => {
                        notice.set(Some("Changes saved.".into()));
                        errors.show_failure(&error);
                    }
                }
            }
        },
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(valid)) = draft.try_get_untracked() else {
            return;
        };
        let files = pending_files(pending);
        let saved_id = saved.with_untracked(|p| p.as_ref().map(|p| p.id.clone()));
        if errors.submit(save, move || (valid, files, saved_id)) {
            notice.set(None);
        }
    };

    let remove_image = Mutation::new(
        |client, (id, image_id): (String, String)| async move {
            client.remove_product_image(&id, &image_id).await
        },
        move |_, result| {
            match result {
                Ok(product) => saved.set(Some(product)),
                Err(error) => errors.show_failure(&error),
            }
            removing_image.set(None);
        },
    );
    let remove_saved_image = Callback::new(move |image: ProductImage| {
        let Some(id) = saved.with_untracked(|p| p.as_ref().map(|p| p.id.clone())) else {
            return;
        };
        removing_image.set(Some(image.id.clone()));
        notice.set(None);
        remove_image.dispatch((id, image.id));
    });

    let saved_images = Signal::derive(move || {
        saved.with(|p| p.as_ref().map(|p| p.images.clone()).unwrap_or_default())
    });
    let description_error = errors.message("description");
    let discount_error = errors.message("discount");
    let colors_preview = move || {
        inputs.colors.with(|colors| {
            ProductDraft {
                colors: colors.split(',').map(str::to_string).collect(),
                ..empty_draft()
            }
            .normalized_colors()
        })
    };
    let discount_unit = move || match inputs.discount_kind.get().as_str() {
        "percent" => "%".to_string(),
        _ => inputs.currency.get().trim().to_ascii_uppercase(),
    };
    let submit_label = if editing {
        "Save changes"
    } else {
        "Create product"
    };

    view! {
        <form class="form product-form" on:submit=submit novalidate=true data-testid="product-form">
            <section class="card">
                <h2 class="card-title">"Details"</h2>
                <TextField
                    label="Name"
                    id="product-name"
                    field="name"
                    value=inputs.name
                    errors=errors
                    placeholder="Ankara wrap dress"
                />
                <Field label="Description" input_id="product-description" error=description_error>
                    <textarea
                        class="input"
                        id="product-description"
                        data-testid="product-description"
                        rows="4"
                        placeholder="Material, sizes, care: what a customer would ask."
                        aria-invalid=move || description_error.with(Option::is_some).to_string()
                        prop:value=move || inputs.description.get()
                        on:input=move |ev| {
                            inputs.description.set(event_target_value(&ev));
                            errors.touch("description");
                        }
                        on:change=move |ev| {
                            inputs.description.set(event_target_value(&ev));
                            errors.touch("description");
                        }
                    ></textarea>
                </Field>
                <TextField
                    label="Colors"
                    id="product-colors"
                    field="colors"
                    value=inputs.colors
                    errors=errors
                    placeholder="Red, Blue, Green"
                    hint="Separate colors with commas."
                />
                <Show when=move || !colors_preview().is_empty()>
                    <div class="chips" data-testid="product-colors-preview">
                        {move || {
                            colors_preview()
                                .into_iter()
                                .map(|color| view! { <span class="chip">{color}</span> })
                                .collect_view()
                        }}
                    </div>
                </Show>
            </section>

            <section class="card">
                <h2 class="card-title">"Pricing and stock"</h2>
                <div class="field-row">
                    <TextField
                        label="Price"
                        id="product-price"
                        field="price"
                        value=inputs.price
                        errors=errors
                        inputmode="decimal"
                        placeholder="20,000.00"
                    />
                    <TextField
                        label="Currency"
                        id="product-currency"
                        field="currency"
                        value=inputs.currency
                        errors=errors
                        list="product-currency-codes"
                        placeholder="NGN"
                    />
                </div>
                <div class="field-row">
                    <Field label="Discount type" input_id="product-discount-kind" error=Signal::derive(|| None::<String>)>
                        <select
                            class="input"
                            id="product-discount-kind"
                            data-testid="product-discount-kind"
                            prop:value=move || inputs.discount_kind.get()
                            on:change=move |ev| {
                                inputs.discount_kind.set(event_target_value(&ev));
                                errors.touch("discount");
                            }
                        >
                            <option value=Discount::None.kind_str()>"No discount"</option>
                            <option value=Discount::Percent(0).kind_str()>"Percentage off"</option>
                            <option value=Discount::Fixed(0).kind_str()>"Amount off"</option>
                        </select>
                    </Field>
                    <Field label="Discount" input_id="product-discount-value" error=discount_error>
                        <div class="input-group">
                            <input
                                class="input"
                                id="product-discount-value"
                                data-testid="product-discount-value"
                                inputmode="decimal"
                                placeholder=move || {
                                    if inputs.discount_kind.get() == "percent" { "10" } else { "0.00" }
                                }
                                disabled=move || inputs.discount_kind.get() == "none"
                                aria-invalid=move || discount_error.with(Option::is_some).to_string()
                                prop:value=move || inputs.discount_value.get()
                                on:input=move |ev| {
                                    inputs.discount_value.set(event_target_value(&ev));
                                    errors.touch("discount");
                                }
                                on:change=move |ev| {
                                    inputs.discount_value.set(event_target_value(&ev));
                                    errors.touch("discount");
                                }
                            />
                            <span class="input-addon">{discount_unit}</span>
                        </div>
                    </Field>
                </div>
                <div class="field-row">
                    <TextField
                        label="Bargaining floor"
                        id="product-floor"
                        field="bargainFloor"
                        value=inputs.bargain_floor
                        errors=errors
                        inputmode="decimal"
                        placeholder="15,000.00"
                        hint="The AI never agrees to less. Use the discounted price to forbid haggling."
                    />
                    <TextField
                        label="In stock"
                        id="product-quantity"
                        field="quantity"
                        value=inputs.quantity
                        errors=errors
                        inputmode="numeric"
                        placeholder="12"
                    />
                </div>
                <TextField
                    label="Hard minimum (optional)"
                    id="product-hard-minimum"
                    field="hardMinimum"
                    value=inputs.hard_minimum
                    errors=errors
                    inputmode="decimal"
                    placeholder="14,000.00"
                    hint="When a customer asks below the floor and deal approvals are on, you may approve down to this price, never lower."
                />
                <PriceSummary draft=draft />
                <datalist id="product-currency-codes">
                    {currency_codes()
                        .into_iter()
                        .map(|code| view! { <option value=code></option> })
                        .collect_view()}
                </datalist>
            </section>

            <section class="card">
                <h2 class="card-title">"Images"</h2>
                <ImagePicker
                    pending=pending
                    saved=saved_images
                    on_remove_saved=remove_saved_image
                    removing=removing_image
                    error=errors.message("images")
                />
            </section>

            <div class="form-footer">
                <Banner message=errors.banner testid="product-form-error" />
                <Banner message=notice success=true testid="product-form-notice" />
                <FormHint errors=errors />
                <SubmitButton save=save errors=errors testid="product-submit" label=submit_label busy_label="Saving…" />
            </div>
        </form>
        <Show when=move || saved.with(Option::is_some)>
            <ProductActions saved=saved />
        </Show>
    }
}

/// A draft with every field empty (for tidying colors alone).
fn empty_draft() -> ProductDraft {
    ProductDraft {
        name: String::new(),
        description: String::new(),
        price_minor: 0,
        currency: String::new(),
        discount: Discount::None,
        bargain_floor_minor: 0,
        hard_minimum_minor: None,
        quantity: 0,
        colors: Vec::new(),
    }
}

/// What customers will pay and where the AI stops bargaining, from the current draft.
#[component]
fn PriceSummary(draft: Memo<Result<ProductDraft, shared::FieldErrors>>) -> impl IntoView {
    let summary = move || {
        draft.with(|draft| {
            let draft = draft.as_ref().ok()?;
            let currency = Currency::parse(&draft.currency)?;
            let amount = |minor: i64| Money::new(minor, currency.clone());
            let price = amount(draft.price_minor);
            let selling = amount(draft.discounted_price_minor());
            let floor = amount(draft.bargain_floor_minor);
            let sells_for = if draft.discount == Discount::None {
                format!("Customers see {price}.")
            } else {
                format!("Customers see {selling} (down from {price}).")
            };
            Some(format!(
                "{sells_for} The AI can bargain down to {floor}, never lower."
            ))
        })
    };
    view! {
        <Show when=move || summary().is_some()>
            <p class="price-summary" data-testid="product-price-summary">
                {summary}
            </p>
        </Show>
    }
}

/// Archive/unarchive and delete (with confirmation) for a saved product.
#[component]
fn ProductActions(saved: RwSignal<Option<Product>>) -> impl IntoView {
    let navigate = use_navigate();
    let confirming_delete = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let archived = move || saved.with(|p| p.as_ref().is_some_and(|p| p.archived));
    let id = move || saved.with_untracked(|p| p.as_ref().map(|p| p.id.clone()));

    let set_archived = Mutation::new(
        |client, (id, archive): (String, bool)| async move {
            client.set_product_archived(&id, archive).await
        },
        move |_, result| match result {
            Ok(product) => saved.set(Some(product)),
            Err(error) => failure.set(Some(error.to_string())),
        },
    );
    let delete_product = Mutation::new(
        |client, id: String| async move { client.delete_product(&id).await },
        move |_, result| match result {
            Ok(()) => navigate(&AppRoute::Products.path(), Default::default()),
            Err(error) => {
                failure.set(Some(error.to_string()));
                confirming_delete.set(false);
            }
        },
    );
    let busy = move || set_archived.pending() || delete_product.pending();
    let toggle_archived = move |_| {
        let Some(id) = id() else { return };
        failure.set(None);
        set_archived.dispatch((id, !archived()));
    };
    let delete = move |_| {
        let Some(id) = id() else { return };
        failure.set(None);
        delete_product.dispatch(id);
    };

    view! {
        <section class="card danger-zone">
            <h2 class="card-title">"Availability"</h2>
            <div class="action-row">
                <div>
                    <p class="action-title">
                        {move || if archived() { "This product is archived" } else { "Archive" }}
                    </p>
                    <p class="muted">
                        {move || {
                            if archived() {
                                "The AI does not offer it. Unarchive to put it back on sale."
                            } else {
                                "Hide it from the AI and the product list, keeping its history."
                            }
                        }}
                    </p>
                </div>
                <button
                    class="btn btn-secondary"
                    type="button"
                    data-testid="product-archive-toggle"
                    disabled=busy
                    on:click=toggle_archived
                >
                    {move || if archived() { "Unarchive" } else { "Archive" }}
                </button>
            </div>
            <div class="action-row">
                <div>
                    <p class="action-title">"Delete"</p>
                    <p class="muted">"Removes the product and its images for good."</p>
                </div>
                <Show
                    when=move || confirming_delete.get()
                    fallback=move || {
                        view! {
                            <button
                                class="btn btn-danger-outline"
                                type="button"
                                data-testid="product-delete"
                                disabled=busy
                                on:click=move |_| confirming_delete.set(true)
                            >
                                "Delete…"
                            </button>
                        }
                    }
                >
                    <div class="confirm" role="alertdialog" aria-label="Confirm deletion">
                        <span>"Delete for good?"</span>
                        <button
                            class="btn btn-danger"
                            type="button"
                            data-testid="product-delete-confirm"
                            disabled=busy
                            on:click=delete
                        >
                            "Delete"
                        </button>
                        <button
                            class="btn btn-secondary"
                            type="button"
                            data-testid="product-delete-cancel"
                            on:click=move |_| confirming_delete.set(false)
                        >
                            "Cancel"
                        </button>
                    </div>
                </Show>
            </div>
            <Banner message=failure testid="product-actions-error" />
        </section>
    }
}
