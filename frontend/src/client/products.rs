//! The catalog: list, read, create, edit, images, archive, delete.

use shared::ProductDraft;
use web_sys::File;

use super::models::wire_enum;
use super::operations::{
    self, AddProductImages, ArchiveProduct, CreateProduct, DeleteProduct, Product as ProductOp,
    Products, RemoveProductImage, UnarchiveProduct, UpdateProduct, Upload,
};
use super::transport::{Uploads, send, send_with_uploads};
use super::{Client, ClientError, Page, Product};

/// Which products to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductQuery {
    /// Page size.
    pub first: i64,
    /// Cursor of the last product already shown.
    pub after: Option<String>,
    /// Name search; empty lists everything.
    pub search: String,
    /// List archived products instead of those on sale.
    pub archived: bool,
}

/// The `ProductInput` of operation module `$module`, from a validated draft.
macro_rules! product_input {
    ($module:ident, $draft:expr) => {{
        let draft: &ProductDraft = $draft;
        operations::$module::ProductInput {
            name: draft.name.trim().to_string(),
            description: draft.description.trim().to_string(),
            price: draft.price_minor,
            currency: draft.currency.trim().to_ascii_uppercase(),
            discount_kind: wire_enum(draft.discount.kind_str())?,
            discount_value: draft.discount.value(),
            bargain_floor: draft.bargain_floor_minor,
            hard_minimum: draft.hard_minimum_minor,
            quantity: draft.quantity,
            colors: draft.normalized_colors(),
        }
    }};
}

impl Client {
    /// One page of products.
    pub async fn products(&self, query: &ProductQuery) -> Result<Page<Product>, ClientError> {
        let search = query.search.trim();
        let variables = operations::products::Variables {
            first: query.first,
            after: query.after.clone(),
            search: (!search.is_empty()).then(|| search.to_string()),
            archived: query.archived,
        };
        let data = self.watch(send::<Products>(self.token.as_deref(), variables).await)?;
        let page = data.products;
        Ok(Page {
            items: page
                .nodes
                .into_iter()
                .map(Product::try_from)
                .collect::<Result<_, _>>()?,
            has_next_page: page.page_info.has_next_page,
            end_cursor: page.page_info.end_cursor,
            total_count: Some(page.total_count),
        })
    }

    /// One product.
    pub async fn product(&self, id: &str) -> Result<Product, ClientError> {
        let variables = operations::product::Variables { id: id.to_string() };
        let data = self.watch(send::<ProductOp>(self.token.as_deref(), variables).await)?;
        Product::try_from(data.product)
    }

    /// Creates a product with its images (a multipart request when there are images).
    pub async fn create_product(
        &self,
        draft: &ProductDraft,
        images: &[File],
    ) -> Result<Product, ClientError> {
        let variables = operations::create_product::Variables {
            input: product_input!(create_product, draft),
            images: (!images.is_empty()).then(|| vec![Upload; images.len()]),
        };
        let token = self.token.as_deref();
        let result = if images.is_empty() {
            send::<CreateProduct>(token, variables).await
        } else {
            let uploads = [Uploads::List {
                variable: "images",
                files: images,
            }];
            send_with_uploads::<CreateProduct>(token, variables, &uploads).await
        };
        Product::try_from(self.watch(result)?.create_product)
    }

    /// Saves a product's fields.
    pub async fn update_product(
        &self,
        id: &str,
        draft: &ProductDraft,
    ) -> Result<Product, ClientError> {
        let variables = operations::update_product::Variables {
            id: id.to_string(),
            input: product_input!(update_product, draft),
        };
        let data = self.watch(send::<UpdateProduct>(self.token.as_deref(), variables).await)?;
        Product::try_from(data.update_product)
    }

    /// Adds images to a product (a multipart request).
    pub async fn add_product_images(
        &self,
        id: &str,
        images: &[File],
    ) -> Result<Product, ClientError> {
        let variables = operations::add_product_images::Variables {
            id: id.to_string(),
            images: vec![Upload; images.len()],
        };
        let uploads = [Uploads::List {
            variable: "images",
            files: images,
        }];
        let result =
            send_with_uploads::<AddProductImages>(self.token.as_deref(), variables, &uploads).await;
        Product::try_from(self.watch(result)?.add_product_images)
    }

    /// Removes one image from a product.
    pub async fn remove_product_image(
        &self,
        id: &str,
        image_id: &str,
    ) -> Result<Product, ClientError> {
        let variables = operations::remove_product_image::Variables {
            id: id.to_string(),
            image_id: image_id.to_string(),
        };
        let data =
            self.watch(send::<RemoveProductImage>(self.token.as_deref(), variables).await)?;
        Product::try_from(data.remove_product_image)
    }

    /// Archives (`true`) or unarchives (`false`) a product.
    pub async fn set_product_archived(
        &self,
        id: &str,
        archived: bool,
    ) -> Result<Product, ClientError> {
        let token = self.token.as_deref();
        let id = id.to_string();
        if archived {
            let variables = operations::archive_product::Variables { id };
            let data = self.watch(send::<ArchiveProduct>(token, variables).await)?;
            Product::try_from(data.archive_product)
        } else {
            let variables = operations::unarchive_product::Variables { id };
            let data = self.watch(send::<UnarchiveProduct>(token, variables).await)?;
            Product::try_from(data.unarchive_product)
        }
    }

    /// Deletes a product for good.
    pub async fn delete_product(&self, id: &str) -> Result<(), ClientError> {
        let variables = operations::delete_product::Variables { id: id.to_string() };
        self.watch(send::<DeleteProduct>(self.token.as_deref(), variables).await)?;
        Ok(())
    }
}
