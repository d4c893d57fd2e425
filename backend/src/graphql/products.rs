//! The catalog API: queries, mutations, and `productChanged` (live stock and edits).

use async_graphql::connection::Connection;
use async_graphql::dataloader::DataLoader;
use async_graphql::futures_util::Stream;
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject, Subscription, Upload,
};
use chrono::{DateTime, Utc};
use shared::{BusinessId, Discount, ProductDraft, ProductId, ProductImageId};

use super::common::read_upload;
use super::common::{Money, business_records};
use super::loaders::ProductImagesLoader;
use super::paging::{Direction, Page, id_cursor};
use super::{Authenticated, ContextExt, ids};
use crate::app::AppState;
use crate::catalog;
use crate::db::products::{self as model, ListFilter, NewImage};
use crate::error::AppError;
use crate::events::EventKind;

/// Kind of standing discount.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "shared::DiscountKind")]
pub enum DiscountKind {
    /// No discount.
    None,
    /// A whole percentage off.
    Percent,
    /// A fixed amount off, in minor units.
    Fixed,
}

/// A standing discount.
#[derive(SimpleObject)]
pub struct DiscountValue {
    /// Kind.
    pub kind: DiscountKind,
    /// Whole percent for `PERCENT`, minor units for `FIXED`, 0 for `NONE`.
    pub value: i64,
}

/// A product image, served from `url` with long-lived caching.
#[derive(SimpleObject)]
pub struct ProductImage {
    /// Opaque id.
    pub id: ID,
    /// Where to fetch it (relative to the API's origin).
    pub url: String,
    /// Content type detected from the bytes.
    pub mime_type: String,
    /// Size in bytes.
    pub byte_size: i32,
}

/// A catalog product.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Product {
    /// Opaque id.
    pub id: ID,
    /// Name shown to customers.
    pub name: String,
    /// Description.
    pub description: String,
    /// List price.
    pub price: Money,
    /// Standing discount.
    #[graphql(name = "discount")]
    pub discount_info: DiscountValue,
    /// Price after the standing discount.
    pub discounted_price: Money,
    /// Lowest price the AI may agree to. Never shown to customers.
    pub bargain_floor: Money,
    /// Lowest price the owner may approve when a customer asks below the floor (deal
    /// approvals); `null`: any price above zero. Never shown to customers.
    pub hard_minimum: Option<Money>,
    /// Units in stock.
    pub quantity: i64,
    /// Colors on offer.
    pub colors: Vec<String>,
    /// Hidden from customers and the AI.
    pub archived: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub db_id: ProductId,
}

impl TryFrom<model::Product> for Product {
    type Error = AppError;

    fn try_from(p: model::Product) -> Result<Self, AppError> {
        let discount = p.discount();
        Ok(Product {
            id: ids::encode(p.id),
            price: p.money(p.price_minor).into(),
            discounted_price: p.money(p.discounted_price_minor()).into(),
            bargain_floor: p.money(p.bargain_floor_minor).into(),
            hard_minimum: p.hard_minimum_minor.map(|m| p.money(m).into()),
            discount_info: DiscountValue {
                kind: discount.kind().into(),
                value: discount.value(),
            },
            colors: p.colors,
            name: p.name,
            description: p.description,
            quantity: p.quantity,
            archived: p.archived,
            created_at: p.created_at.and_utc(),
            updated_at: p.updated_at.and_utc(),
            db_id: p.id,
        })
    }
}

#[ComplexObject]
impl Product {
    /// Images in display order.
    async fn images(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProductImage>> {
        let loader = ctx.data_unchecked::<DataLoader<ProductImagesLoader>>();
        let rows = loader.load_one(self.db_id).await?.unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|i| ProductImage {
                id: ids::encode(i.id),
                url: format!("/images/{}", i.url_key),
                mime_type: i.mime_type,
                byte_size: i.byte_size,
            })
            .collect())
    }
}

/// Extra fields on the product list.
#[derive(SimpleObject)]
pub struct ProductConnectionFields {
    /// How many products match the filter (all pages).
    pub total_count: i64,
}

/// A product as the owner writes it. Money in minor units.
#[derive(InputObject)]
pub struct ProductInput {
    /// Name (1-120 characters).
    pub name: String,
    /// Description (at most 4000 characters).
    #[graphql(default)]
    pub description: String,
    /// List price in minor units.
    pub price: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Kind of standing discount.
    #[graphql(default_with = "DiscountKind::None")]
    pub discount_kind: DiscountKind,
    /// Whole percent (0-100) for `PERCENT`, minor units for `FIXED`.
    #[graphql(default)]
    pub discount_value: i64,
    /// Lowest price the AI may agree to, minor units; at most the discounted price.
    pub bargain_floor: i64,
    /// Lowest price the owner may approve below the floor, minor units; at most the
    /// floor. Omitted or `null`: no hard minimum.
    pub hard_minimum: Option<i64>,
    /// Units in stock (not negative).
    pub quantity: i64,
    /// Colors on offer.
    #[graphql(default)]
    pub colors: Vec<String>,
}

impl ProductInput {
    fn into_draft(self) -> Result<ProductDraft, AppError> {
        let discount = match self.discount_kind {
            DiscountKind::None => Discount::None,
            DiscountKind::Percent => {
                Discount::Percent(u32::try_from(self.discount_value).map_err(|_| {
                    AppError::invalid("discount", "a percentage must be between 0 and 100")
                })?)
            }
            DiscountKind::Fixed => Discount::Fixed(self.discount_value),
        };
        Ok(ProductDraft {
            name: self.name,
            description: self.description,
            price_minor: self.price,
            currency: self.currency,
            discount,
            bargain_floor_minor: self.bargain_floor,
            hard_minimum_minor: self.hard_minimum,
            quantity: self.quantity,
            colors: self.colors,
        })
    }
}

/// Reads uploads, checking each by content and size.
fn read_uploads(ctx: &Context<'_>, uploads: Vec<Upload>) -> Result<Vec<NewImage>, AppError> {
    uploads
        .into_iter()
        .map(|u| {
            let (_, data) = read_upload(ctx, u, shared::product::MAX_IMAGE_BYTES, "images")?;
            catalog::check_image(data)
        })
        .collect()
}

/// Catalog queries.
#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// The catalog, newest first. `search` matches names; `archived: true` lists
    /// archived products instead of active ones.
    #[graphql(guard = "Authenticated")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        archived: Option<bool>,
    ) -> async_graphql::Result<Connection<String, Product, ProductConnectionFields>> {
        let caller = ctx.caller()?;
        let page = Page::new(
            Direction::Forward,
            first,
            after.as_deref(),
            id_cursor::<ProductId>,
        )?;
        let filter = ListFilter {
            search,
            archived: archived.unwrap_or(false),
        };
        let mut conn = ctx.app().db().await?;
        let total = model::count(&mut conn, caller.business_id.0, &filter)
            .await
            .map_err(AppError::from)?;
        let rows = model::list_page(
            &mut conn,
            caller.business_id.0,
            &filter,
            page.cursor,
            page.fetch_limit(),
        )
        .await
        .map_err(AppError::from)?;
        Ok(
            page.connection(rows, ProductConnectionFields { total_count: total }, |p| {
                Ok((ids::encode(p.id).0, Product::try_from(p)?))
            })?,
        )
    }

    /// One product. Another business's product is `NOT_FOUND`.
    #[graphql(guard = "Authenticated")]
    async fn product(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Product> {
        let caller = ctx.caller()?;
        let id = ids::decode::<ProductId>(&id)?;
        let mut conn = ctx.app().db().await?;
        let p = model::find(&mut conn, caller.business_id.0, id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound("product"))?;
        Ok(p.try_into()?)
    }
}

/// Catalog mutations.
#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    /// Creates a product, optionally with images (GraphQL multipart request).
    #[graphql(guard = "Authenticated")]
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: ProductInput,
        images: Option<Vec<Upload>>,
    ) -> async_graphql::Result<Product> {
        let draft = input.into_draft()?;
        draft.validate().map_err(AppError::Invalid)?;
        let images = read_uploads(ctx, images.unwrap_or_default())?;
        Ok(
            catalog::create_product(ctx.app(), ctx.caller()?, &draft, images)
                .await?
                .try_into()?,
        )
    }

    /// Replaces a product's fields (images are managed separately).
    #[graphql(guard = "Authenticated")]
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProductInput,
    ) -> async_graphql::Result<Product> {
        let id = ids::decode::<ProductId>(&id)?;
        let draft = input.into_draft()?;
        Ok(
            catalog::update_product(ctx.app(), ctx.caller()?, id, &draft)
                .await?
                .try_into()?,
        )
    }

    /// Adds images to a product (at most 8 in total).
    #[graphql(guard = "Authenticated")]
    async fn add_product_images(
        &self,
        ctx: &Context<'_>,
        id: ID,
        images: Vec<Upload>,
    ) -> async_graphql::Result<Product> {
        let id = ids::decode::<ProductId>(&id)?;
        let images = read_uploads(ctx, images)?;
        Ok(catalog::add_images(ctx.app(), ctx.caller()?, id, images)
            .await?
            .try_into()?)
    }

    /// Removes one image from a product.
    #[graphql(guard = "Authenticated")]
    async fn remove_product_image(
        &self,
        ctx: &Context<'_>,
        id: ID,
        image_id: ID,
    ) -> async_graphql::Result<Product> {
        let id = ids::decode::<ProductId>(&id)?;
        let image_id = ids::decode::<ProductImageId>(&image_id)?;
        Ok(
            catalog::remove_image(ctx.app(), ctx.caller()?, id, image_id)
                .await?
                .try_into()?,
        )
    }

    /// Hides a product from customers and the AI, keeping it and its orders.
    #[graphql(guard = "Authenticated")]
    async fn archive_product(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Product> {
        let id = ids::decode::<ProductId>(&id)?;
        Ok(catalog::set_archived(ctx.app(), ctx.caller()?, id, true)
            .await?
            .try_into()?)
    }

    /// Brings an archived product back.
    #[graphql(guard = "Authenticated")]
    async fn unarchive_product(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Product> {
        let id = ids::decode::<ProductId>(&id)?;
        Ok(catalog::set_archived(ctx.app(), ctx.caller()?, id, false)
            .await?
            .try_into()?)
    }

    /// Deletes a product and its images for good; returns its id.
    #[graphql(guard = "Authenticated")]
    async fn delete_product(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        let db_id = ids::decode::<ProductId>(&id)?;
        catalog::delete_product(ctx.app(), ctx.caller()?, db_id).await?;
        Ok(id)
    }
}

/// Live catalog updates over WebSocket (`/graphql/ws`): each subscriber receives only
/// its own business's products.
#[derive(Default)]
pub struct ProductSubscription;

#[Subscription]
impl ProductSubscription {
    /// A product was created or edited, or its stock changed (an order took it, a
    /// cancel gave it back). A deleted product is not sent (it cannot be loaded).
    #[graphql(guard = "Authenticated")]
    async fn product_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Product> + use<>> {
        let business_id = ctx.caller()?.business_id;
        Ok(business_records(
            ctx.app(),
            business_id,
            |kind| match kind {
                EventKind::ProductChanged(id) => Some(id),
                _ => None,
            },
            |app, business_id, id| async move { load_product(&app, business_id, ProductId(id)).await },
        ))
    }
}

/// One product of `business_id`; `None` when it is not theirs, gone or unreadable.
async fn load_product(app: &AppState, business_id: BusinessId, id: ProductId) -> Option<Product> {
    let mut conn = app.db().await.ok()?;
    let p = model::find(&mut conn, business_id.0, id).await.ok()??;
    Product::try_from(p).ok()
}
