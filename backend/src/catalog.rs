//! The catalog domain: validated product writes and image checks. Resolvers, the
//! seeder, the AI's tools and tests all go through here.

use shared::product::{IMAGE_MIME_TYPES, MAX_IMAGE_BYTES, MAX_IMAGES};
use shared::{ProductDraft, ProductId, ProductImageId};

use serde_json::json;
use shared::ActivityKind;

use crate::activity::{Entry, Subject};
use crate::app::App;
use crate::auth::Caller;
use crate::db::products::{self, NewImage, Product};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventKind};

/// Checks an uploaded file by its content (magic bytes), never by its name, and caps
/// its size.
pub fn check_image(data: Vec<u8>) -> AppResult<NewImage> {
    if data.len() > MAX_IMAGE_BYTES {
        return Err(AppError::invalid(
            "images",
            format!(
                "each image must be at most {} MB",
                MAX_IMAGE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let mime = infer::get(&data).map(|k| k.mime_type());
    match mime.and_then(|m| IMAGE_MIME_TYPES.iter().find(|t| **t == m)) {
        Some(m) => Ok(NewImage { mime_type: m, data }),
        None => Err(AppError::invalid(
            "images",
            "only JPEG, PNG, WebP or GIF images are accepted",
        )),
    }
}

fn publish(app: &App, caller: &Caller, id: ProductId) {
    app.events.publish(DomainEvent {
        business_id: caller.business_id,
        kind: EventKind::ProductChanged(id.0),
    });
}

/// Logs a catalog change in the activity log (never failing the change itself).
async fn log(
    app: &App,
    conn: &mut crate::db::DbConn,
    caller: &Caller,
    kind: ActivityKind,
    id: ProductId,
    name: &str,
) {
    let verb = match kind {
        ActivityKind::ProductCreated => "added",
        ActivityKind::ProductArchived => "archived",
        ActivityKind::ProductDeleted => "deleted",
        _ => "updated",
    };
    let entry = Entry::new(
        kind,
        Some(Subject::product(id)),
        format!("Product \"{name}\" {verb}"),
    )
    .details(json!({ "name": name }));
    caller.record(conn, &app.events, entry).await;
}

/// Validates and creates a product with its images.
pub async fn create_product(
    app: &App,
    caller: &Caller,
    draft: &ProductDraft,
    images: Vec<NewImage>,
) -> AppResult<Product> {
    draft.validate().map_err(AppError::Invalid)?;
    if images.len() > MAX_IMAGES {
        return Err(AppError::invalid(
            "images",
            format!("at most {MAX_IMAGES} images per product"),
        ));
    }
    let mut conn = app.db().await?;
    let product = products::create(&mut conn, caller.business_id.0, draft, &images).await?;
    publish(app, caller, product.id);
    log(
        app,
        &mut conn,
        caller,
        ActivityKind::ProductCreated,
        product.id,
        &product.name,
    )
    .await;
    Ok(product)
}

/// Validates and replaces a product's fields.
pub async fn update_product(
    app: &App,
    caller: &Caller,
    id: ProductId,
    draft: &ProductDraft,
) -> AppResult<Product> {
    draft.validate().map_err(AppError::Invalid)?;
    let mut conn = app.db().await?;
    let product = products::update(&mut conn, caller.business_id.0, id, draft)
        .await?
        .ok_or(AppError::NotFound("product"))?;
    publish(app, caller, id);
    log(
        app,
        &mut conn,
        caller,
        ActivityKind::ProductUpdated,
        id,
        &product.name,
    )
    .await;
    Ok(product)
}

/// Archives or restores a product.
pub async fn set_archived(
    app: &App,
    caller: &Caller,
    id: ProductId,
    archived: bool,
) -> AppResult<Product> {
    let mut conn = app.db().await?;
    let product = products::set_archived(&mut conn, caller.business_id.0, id, archived)
        .await?
        .ok_or(AppError::NotFound("product"))?;
    publish(app, caller, id);
    let kind = if archived {
        ActivityKind::ProductArchived
    } else {
        ActivityKind::ProductUpdated
    };
    log(app, &mut conn, caller, kind, id, &product.name).await;
    Ok(product)
}

/// Deletes a product for good.
pub async fn delete_product(app: &App, caller: &Caller, id: ProductId) -> AppResult<()> {
    let mut conn = app.db().await?;
    let name = products::find(&mut conn, caller.business_id.0, id)
        .await?
        .ok_or(AppError::NotFound("product"))?
        .name;
    if !products::delete(&mut conn, caller.business_id.0, id).await? {
        return Err(AppError::NotFound("product"));
    }
    publish(app, caller, id);
    log(
        app,
        &mut conn,
        caller,
        ActivityKind::ProductDeleted,
        id,
        &name,
    )
    .await;
    Ok(())
}

/// Adds images to a product, keeping the total within the cap.
pub async fn add_images(
    app: &App,
    caller: &Caller,
    id: ProductId,
    images: Vec<NewImage>,
) -> AppResult<Product> {
    if images.is_empty() {
        return Err(AppError::invalid("images", "choose at least one image"));
    }
    let mut conn = app.db().await?;
    match products::add_images(&mut conn, caller.business_id.0, id, &images, MAX_IMAGES).await? {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound("product")),
        Err(current) => {
            return Err(AppError::invalid(
                "images",
                format!("at most {MAX_IMAGES} images per product (it has {current})"),
            ));
        }
    }
    publish(app, caller, id);
    products::find(&mut conn, caller.business_id.0, id)
        .await?
        .ok_or(AppError::NotFound("product"))
}

/// Removes one image.
pub async fn remove_image(
    app: &App,
    caller: &Caller,
    product_id: ProductId,
    image_id: ProductImageId,
) -> AppResult<Product> {
    let mut conn = app.db().await?;
    if !products::remove_image(&mut conn, caller.business_id.0, product_id, image_id).await? {
        return Err(AppError::NotFound("image"));
    }
    publish(app, caller, product_id);
    products::find(&mut conn, caller.business_id.0, product_id)
        .await?
        .ok_or(AppError::NotFound("product"))
}
