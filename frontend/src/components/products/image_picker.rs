//! Choosing product images: previews before upload (object URLs), checks against
//! `shared`'s limits, and the images already saved.

use leptos::prelude::*;
use shared::product::{IMAGE_MIME_TYPES, MAX_IMAGE_BYTES, MAX_IMAGES};
use web_sys::{File, HtmlInputElement, Url};

use crate::client::ProductImage;

/// An image chosen for upload and not sent yet.
#[derive(Debug, Clone)]
pub struct PendingImage {
    /// Stable key for the list view.
    pub key: u64,
    /// The file, sent as a multipart part on save.
    pub file: File,
    /// `blob:` URL of the preview; revoked when the image is dropped.
    pub preview_url: String,
}

/// The pending images of one form (browser `File`s live in thread-local signals).
pub type PendingImages = RwSignal<Vec<PendingImage>, LocalStorage>;

/// A new, empty list of pending images.
pub fn pending_images() -> PendingImages {
    RwSignal::new_local(Vec::new())
}

/// Drops every pending image and frees its preview.
pub fn clear_pending(pending: PendingImages) {
    let dropped = pending.try_update(std::mem::take).unwrap_or_default();
    for image in dropped {
        // A failed revoke only leaks one preview until the page is closed.
        let _ = Url::revoke_object_url(&image.preview_url);
    }
}

/// The pending images' files, in order.
pub fn pending_files(pending: PendingImages) -> Vec<File> {
    pending.with_untracked(|images| images.iter().map(|image| image.file.clone()).collect())
}

/// Why a file cannot be uploaded, checked with `shared`'s limits.
pub fn image_problem(mime_type: &str, size_bytes: f64) -> Option<String> {
    if !IMAGE_MIME_TYPES.contains(&mime_type) {
        Some("only JPEG, PNG, WebP or GIF images can be uploaded".into())
    } else if size_bytes > MAX_IMAGE_BYTES as f64 {
        Some(format!(
            "is larger than {}",
            megabytes(MAX_IMAGE_BYTES as f64)
        ))
    } else {
        None
    }
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / (1024.0 * 1024.0))
}

/// Saved images (with a remove button each), pending images with previews, and the file
/// input that adds more.
#[component]
pub fn ImagePicker(
    /// Images not uploaded yet.
    pending: PendingImages,
    /// Images already saved on the product.
    #[prop(into)]
    saved: Signal<Vec<ProductImage>>,
    /// Removes a saved image.
    on_remove_saved: Callback<ProductImage>,
    /// The saved image being removed right now, if any.
    #[prop(into)]
    removing: Signal<Option<String>>,
    /// The API's error for the `images` field.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let rejected = RwSignal::new(Vec::<String>::new());
    let next_key = StoredValue::new(0u64);
    on_cleanup(move || clear_pending(pending));

    let on_choose = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else {
            return;
        };
        let mut room = MAX_IMAGES
            .saturating_sub(saved.with_untracked(Vec::len))
            .saturating_sub(pending.with_untracked(Vec::len));
        let mut problems = Vec::new();
        let mut added = Vec::new();
        for file in (0..files.length()).filter_map(|index| files.get(index)) {
            let problem = if room == 0 {
                Some(format!("a product can have at most {MAX_IMAGES} images"))
            } else {
                image_problem(&file.type_(), file.size())
            };
            if let Some(problem) = problem {
                problems.push(format!("{}: {problem}", file.name()));
                continue;
            }
            let Ok(preview_url) = Url::create_object_url_with_blob(&file) else {
                problems.push(format!("{}: could not be read", file.name()));
                continue;
            };
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            room -= 1;
            added.push(PendingImage {
                key,
                file,
                preview_url,
            });
        }
        // Let the same file be chosen again after it was removed.
        input.set_value("");
        rejected.set(problems);
        if !added.is_empty() {
            pending.update(|images| images.extend(added));
        }
    };

    let remove_pending = move |key: u64| {
        let removed = pending
            .try_update(|images| {
                let index = images.iter().position(|image| image.key == key)?;
                Some(images.remove(index))
            })
            .flatten();
        if let Some(image) = removed {
            let _ = Url::revoke_object_url(&image.preview_url);
        }
    };

    let accept = IMAGE_MIME_TYPES.join(",");
    let full = move || saved.with(Vec::len) + pending.with(Vec::len) >= MAX_IMAGES;
    view! {
        <div class="image-grid" data-testid="product-images">
            <For each=move || saved.get() key=|image| image.id.clone() let:image>
                {
                    let id = image.id.clone();
                    let busy = Signal::derive(move || {
                        removing.with(|removing| removing.as_deref() == Some(id.as_str()))
                    });
                    let to_remove = image.clone();
                    view! {
                        <figure class="image-tile" data-testid="product-image">
                            <img src=image.url.clone() alt="Product image" loading="lazy" />
                            <button
                                class="image-remove"
                                type="button"
                                data-testid="product-image-remove"
                                aria-label="Remove image"
                                disabled=busy
                                on:click=move |_| on_remove_saved.run(to_remove.clone())
                            >
                                {move || if busy.get() { "…" } else { "×" }}
                            </button>
                        </figure>
                    }
                }
            </For>
            <For each=move || pending.get() key=|image| image.key let:image>
                <figure class="image-tile image-pending" data-testid="product-image-pending">
                    <img src=image.preview_url.clone() alt=image.file.name() />
                    <span class="image-badge">"New"</span>
                    <button
                        class="image-remove"
                        type="button"
                        data-testid="product-image-pending-remove"
                        aria-label="Remove image"
                        on:click=move |_| remove_pending(image.key)
                    >
                        "×"
                    </button>
                </figure>
            </For>
            <Show when=move || !full()>
                <label class="image-add">
                    <span class="image-add-label">"+ Add images"</span>
                    <input
                        class="image-input"
                        id="product-image-input"
                        data-testid="product-image-input"
                        type="file"
                        multiple=true
                        accept=accept.clone()
                        on:change=on_choose
                    />
                </label>
            </Show>
        </div>
        <p class="field-hint">
            {format!(
                "JPEG, PNG, WebP or GIF, up to {} each, {MAX_IMAGES} per product. New images upload when you save.",
                megabytes(MAX_IMAGE_BYTES as f64),
            )}
        </p>
        <Show when=move || rejected.with(|r| !r.is_empty()) || error.with(Option::is_some)>
            <ul class="field-error" data-testid="product-image-input-error">
                {move || error.get().map(|error| view! { <li>{error}</li> })}
                {move || {
                    rejected
                        .get()
                        .into_iter()
                        .map(|problem| view! { <li>{problem}</li> })
                        .collect_view()
                }}
            </ul>
        </Show>
    }
}
