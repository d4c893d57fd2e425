//! Form building blocks: labelled fields with their error, and the error state of a form
//! (live rule errors from `shared`, plus the API's `BAD_USER_INPUT` field errors).

use std::collections::HashSet;
use std::future::Future;

use leptos::prelude::*;
use shared::FieldErrors;

use crate::client::{Client, ClientError, ServerFieldError};
use crate::components::mutation::Mutation;

/// A label, the input (children), an optional hint and the field's error message.
///
/// The error paragraph's `data-testid` is `{input_id}-error`.
#[component]
pub fn Field(
    /// Label text.
    #[prop(into)]
    label: String,
    /// `id` of the input inside, for the label's `for`.
    #[prop(into)]
    input_id: String,
    /// The message to show, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Help text under the input.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    /// The input.
    children: Children,
) -> impl IntoView {
    let error_id = format!("{input_id}-error");
    view! {
        <div class="field" class:has-error=move || error.with(Option::is_some)>
            <label class="field-label" for=input_id>
                {label}
            </label>
            {children()}
            {move || hint.get().map(|hint| view! { <p class="field-hint">{hint}</p> })}
            <Show when=move || error.with(Option::is_some)>
                <p class="field-error" data-testid=error_id.clone() id=error_id.clone()>
                    {move || error.get()}
                </p>
            </Show>
        </div>
    }
}

/// The API's name for a field, reduced to the form's: `input.price` is `price`,
/// `images.0` is `images`, and the two discount inputs are the one `discount` field.
fn form_field_name(api_field: &str) -> &str {
    let field = api_field.strip_prefix("input.").unwrap_or(api_field);
    let field = field.split(['.', '[']).next().unwrap_or(field);
    match field {
        "discountKind" | "discountValue" => "discount",
        other => other,
    }
}

/// The error state of one form.
///
/// Rule errors come live from a `shared` validation; each shows once the user has edited
/// that field (or at once, for forms opened on saved data). Server field errors show until
/// the user edits the field again. Nothing here ever clears what the user typed.
#[derive(Debug, Clone, Copy)]
pub struct FormErrors {
    rules: Memo<FieldErrors>,
    touched: RwSignal<HashSet<&'static str>>,
    show_all: RwSignal<bool>,
    server: RwSignal<Vec<ServerFieldError>>,
    fields: &'static [&'static str],
    /// The message above the submit button (failures that concern no single field).
    pub banner: RwSignal<Option<String>>,
}

impl FormErrors {
    /// Error state for a form with the given `fields` (API names), checked by `rules`.
    pub fn new(
        fields: &'static [&'static str],
        rules: impl Fn() -> FieldErrors + Send + Sync + 'static,
    ) -> FormErrors {
        FormErrors {
            rules: Memo::new(move |_| rules()),
            touched: RwSignal::new(HashSet::new()),
            show_all: RwSignal::new(false),
            server: RwSignal::new(Vec::new()),
            fields,
            banner: RwSignal::new(None),
        }
    }

    /// Shows rule errors for every field from now on (a form opened on saved data).
    pub fn show_all(self) {
        self.show_all.set(true);
    }

    /// Records that the user edited `field`: its rule error shows, its server error goes.
    pub fn touch(self, field: &'static str) {
        if !self
            .touched
            .with_untracked(|touched| touched.contains(field))
        {
            self.touched.update(|touched| {
                touched.insert(field);
            });
        }
        if self
            .server
            .with_untracked(|server| server.iter().any(|e| form_field_name(&e.field) == field))
        {
            self.server
                .update(|server| server.retain(|e| form_field_name(&e.field) != field));
        }
    }

    /// Whether the user has edited `field` (not tracked).
    pub fn was_touched(self, field: &'static str) -> bool {
        self.touched
            .with_untracked(|touched| touched.contains(field))
    }

    /// The message to show next to `field` (tracked).
    pub fn message(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            let visible = self.show_all.get() || self.touched.with(|t| t.contains(field));
            let rule = if visible {
                self.rules
                    .with(|errors| errors.for_field(field).map(str::to_owned))
            } else {
                None
            };
            rule.or_else(|| {
                self.server.with(|server| {
                    server
                        .iter()
                        .find(|e| form_field_name(&e.field) == field)
                        .map(|e| e.message.clone())
                })
            })
        })
    }

    /// Whether the rules pass (tracked).
    pub fn is_valid(self) -> bool {
        self.rules.with(FieldErrors::is_empty)
    }

    /// Whether some rule error is hidden because its field was not edited yet (tracked).
    pub fn has_hidden_errors(self) -> bool {
        !self.show_all.get()
            && self.rules.with(|errors| {
                self.touched
                    .with(|touched| errors.0.iter().any(|e| !touched.contains(e.field)))
            })
    }

    /// Clears the messages before a new submit.
    pub fn clear_failure(self) {
        self.banner.set(None);
        self.server.set(Vec::new());
    }

    /// The form's save: a [`Mutation`] that hands a success to `on_ok` and shows a failure
    /// on the form ([`FormErrors::show_failure`]).
    pub fn mutation<I, O, F, Fu>(self, run: F, on_ok: impl Fn(O) + 'static) -> Mutation<I, O>
    where
        I: Clone + 'static,
        O: 'static,
        F: Fn(Client, I) -> Fu + 'static,
        Fu: Future<Output = Result<O, ClientError>> + 'static,
    {
        Mutation::new(run, move |_, result| match result {
            Ok(output) => on_ok(output),
            Err(error) => self.show_failure(&error),
        })
    }

    /// Submits the form through `save` unless a save is running or a rule fails: clears the
    /// last failure and dispatches `input()`. `false` when nothing was sent.
    pub fn submit<I: Clone + 'static, O: 'static>(
        self,
        save: Mutation<I, O>,
        input: impl FnOnce() -> I,
    ) -> bool {
        if save.pending_untracked() || !untrack(|| self.is_valid()) {
            return false;
        }
        self.clear_failure();
        save.dispatch(input());
        true
    }

    /// Shows a failed submit: field errors next to their inputs, the rest in the banner.
    pub fn show_failure(self, error: &ClientError) {
        let fields = error.field_errors().to_vec();
        let unplaced: Vec<String> = fields
            .iter()
            .filter(|e| !self.fields.contains(&form_field_name(&e.field)))
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        let mut banner = if fields.is_empty() {
            error.to_string()
        } else {
            "Please correct the highlighted fields.".to_string()
        };
        if !unplaced.is_empty() {
            banner = format!("{banner} {}", unplaced.join("; "));
        }
        self.server.set(fields);
        self.banner.set(Some(banner));
    }
}

/// A labelled one-line text input bound to `value`, with its error from `errors`.
///
/// The input's `id` and `data-testid` are both `id`; its error's `data-testid` is
/// `{id}-error`.
#[component]
pub fn TextField(
    /// Label text.
    #[prop(into)]
    label: String,
    /// `id` and `data-testid` of the input.
    id: &'static str,
    /// The API field this input fills (for its error message).
    field: &'static str,
    /// The text.
    value: RwSignal<String>,
    /// The form's error state.
    errors: FormErrors,
    /// The input's `type`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// Placeholder text.
    #[prop(optional)]
    placeholder: &'static str,
    /// The `autocomplete` hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The `inputmode` hint (`decimal`, `numeric`, ...).
    #[prop(default = "text")]
    inputmode: &'static str,
    /// `id` of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
    /// Help text under the input.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
) -> impl IntoView {
    let error = errors.message(field);
    view! {
        <Field label=label input_id=id error=error hint=hint>
            <input
                class="input"
                id=id
                name=id
                data-testid=id
                type=input_type
                placeholder=placeholder
                autocomplete=autocomplete
                inputmode=inputmode
                list=list
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    errors.touch(field);
                }
                // Some ways of emptying a field (WebDriver's clear, autofill) send only `change`.
                on:change=move |ev| {
                    value.set(event_target_value(&ev));
                    errors.touch(field);
                }
            />
        </Field>
    }
}

/// A form's submit button: disabled while `save` runs or a rule fails, and saying
/// `busy_label` while it runs.
#[component]
pub fn SubmitButton<I: Clone + 'static, O: 'static>(
    /// The form's save.
    save: Mutation<I, O>,
    /// The form's error state.
    errors: FormErrors,
    /// `data-testid` of the button.
    testid: &'static str,
    /// The button's text.
    label: &'static str,
    /// Its text while the save runs.
    busy_label: &'static str,
    /// Its classes.
    #[prop(default = "btn btn-primary")]
    class: &'static str,
) -> impl IntoView {
    view! {
        <button
            class=class
            type="submit"
            data-testid=testid
            disabled=move || save.pending() || !errors.is_valid()
        >
            {move || if save.pending() { busy_label } else { label }}
        </button>
    }
}

/// Says why submit is disabled when the remaining errors sit on fields not edited yet.
#[component]
pub fn FormHint(
    /// The form's error state.
    errors: FormErrors,
    /// The sentence to show.
    #[prop(default = "Fill in the required fields to continue.")]
    text: &'static str,
) -> impl IntoView {
    view! {
        <Show when=move || errors.has_hidden_errors()>
            <p class="form-hint">{text}</p>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::form_field_name;

    #[test]
    fn api_field_names_map_to_form_fields() {
        assert_eq!(form_field_name("input.price"), "price");
        assert_eq!(form_field_name("images.0"), "images");
        assert_eq!(form_field_name("discountValue"), "discount");
        assert_eq!(form_field_name("bargainFloor"), "bargainFloor");
    }
}

/// A "From … To …" pair of date inputs (`YYYY-MM-DD`, the browser's days) for list
/// filters; `testid` prefixes `-from` and `-to`.
#[component]
pub fn DateRange(
    from: RwSignal<String>,
    to: RwSignal<String>,
    testid: &'static str,
) -> impl IntoView {
    let input = move |label: &'static str, suffix: &'static str, value: RwSignal<String>| {
        view! {
            <label class="field-inline">
                <span>{label}</span>
                <input
                    class="input"
                    type="date"
                    data-testid=format!("{testid}-{suffix}")
                    prop:value=move || value.get()
                    on:change=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };
    view! {
        {input("From", "from", from)}
        {input("To", "to", to)}
    }
}
