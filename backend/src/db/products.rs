//! The catalog: products and their images. Every function takes the business id and
//! filters by it: a product of another business is simply not found.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use shared::{
    BusinessId, Currency, Discount, DiscountKind, Money, ProductDraft, ProductId, ProductImageId,
};

use super::schema::{product_images, products};
use super::tenants::last_insert_id;

/// A product row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = products, check_for_backend(diesel::mysql::Mysql))]
pub struct Product {
    /// Id.
    pub id: ProductId,
    /// Tenant.
    pub business_id: BusinessId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// List price, minor units.
    pub price_minor: i64,
    /// ISO 4217.
    pub currency: Currency,
    /// How the standing discount is expressed.
    pub discount_kind: DiscountKind,
    /// Percent or minor units.
    pub discount_value: i64,
    /// Lowest agreeable price, minor units.
    pub bargain_floor_minor: i64,
    /// Lowest price the owner may approve below the floor (deal approvals).
    pub hard_minimum_minor: Option<i64>,
    /// Stock.
    pub quantity: i64,
    /// Colors on offer (stored as a JSON array; anything else is a load error).
    #[diesel(deserialize_as = ColorsJson)]
    pub colors: Vec<String>,
    /// Hidden from customers and the AI.
    pub archived: bool,
    /// Created.
    pub created_at: chrono::NaiveDateTime,
    /// Last change.
    pub updated_at: chrono::NaiveDateTime,
}

impl Product {
    /// The standing discount. Writes validate a percentage to 0 to 100; a stored one
    /// outside that range counts as that bound, the same rule
    /// `shared::pricing::discounted_price` applies.
    pub fn discount(&self) -> Discount {
        match self.discount_kind {
            DiscountKind::None => Discount::None,
            DiscountKind::Percent => Discount::Percent(
                u32::try_from(self.discount_value.clamp(0, 100)).unwrap_or_default(),
            ),
            DiscountKind::Fixed => Discount::Fixed(self.discount_value),
        }
    }

    /// Price after the standing discount.
    pub fn discounted_price_minor(&self) -> i64 {
        shared::pricing::discounted_price(self.price_minor, self.discount())
    }

    /// An amount in this product's currency.
    pub fn money(&self, amount_minor: i64) -> Money {
        Money::new(amount_minor, self.currency.clone())
    }
}

/// The `colors` column: a JSON array of names. Anything else is a load error naming
/// the column, never an empty list.
#[derive(Debug, diesel::deserialize::FromSqlRow)]
pub struct ColorsJson(Vec<String>);

impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::mysql::Mysql> for ColorsJson {
    fn from_sql(value: diesel::mysql::MysqlValue<'_>) -> diesel::deserialize::Result<Self> {
        let text = <String as diesel::deserialize::FromSql<
            diesel::sql_types::Text,
            diesel::mysql::Mysql,
        >>::from_sql(value)?;
        serde_json::from_str(&text)
            .map(ColorsJson)
            .map_err(|e| format!("products.colors is not a JSON list of names: {e}").into())
    }
}

impl From<ColorsJson> for Vec<String> {
    fn from(colors: ColorsJson) -> Self {
        colors.0
    }
}

/// Image metadata (the bytes are read only when served).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = product_images, check_for_backend(diesel::mysql::Mysql))]
pub struct ProductImage {
    /// Id.
    pub id: ProductImageId,
    /// Owning product.
    pub product_id: ProductId,
    /// Random key in the public URL.
    pub url_key: String,
    /// Content type detected from the bytes.
    pub mime_type: String,
    /// Size in bytes.
    pub byte_size: i32,
    /// Display order.
    pub position: i32,
}

/// A validated image ready to store.
#[derive(Debug, Clone)]
pub struct NewImage {
    /// Detected content type.
    pub mime_type: &'static str,
    /// The bytes.
    pub data: Vec<u8>,
}

/// Filters for listing.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    /// Show archived (true) or active (false) products.
    pub archived: bool,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

macro_rules! filtered {
    ($business_id:expr, $filter:expr) => {{
        let mut q = products::table
            .filter(products::business_id.eq($business_id))
            .filter(products::archived.eq($filter.archived))
            .into_boxed();
        if let Some(s) = $filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            q = q.filter(products::name.like(format!("%{}%", escape_like(s))));
        }
        q
    }};
}

/// Counts products matching a filter.
pub async fn count(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    filter: &ListFilter,
) -> QueryResult<i64> {
    filtered!(business_id, filter)
        .count()
        .get_result(conn)
        .await
}

/// One page, newest first: products with id below `after_id` (exclusive), at most
/// `limit`.
pub async fn list_page(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    filter: &ListFilter,
    after_id: Option<ProductId>,
    limit: i64,
) -> QueryResult<Vec<Product>> {
    let mut q = filtered!(business_id, filter);
    if let Some(after) = after_id {
        q = q.filter(products::id.lt(after));
    }
    q.order(products::id.desc())
        .limit(limit)
        .select(Product::as_select())
        .load(conn)
        .await
}

/// One product of this business.
pub async fn find(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: ProductId,
) -> QueryResult<Option<Product>> {
    products::table
        .filter(products::id.eq(id))
        .filter(products::business_id.eq(business_id))
        .select(Product::as_select())
        .first(conn)
        .await
        .optional()
}

/// Images of many products (for a DataLoader), ordered.
pub async fn images_for(
    conn: &mut AsyncMysqlConnection,
    product_ids: &[ProductId],
) -> QueryResult<Vec<ProductImage>> {
    product_images::table
        .filter(product_images::product_id.eq_any(product_ids))
        .order((
            product_images::product_id,
            product_images::position,
            product_images::id,
        ))
        .select(ProductImage::as_select())
        .load(conn)
        .await
}

/// An image's bytes by its public key: (mime type, bytes).
pub async fn image_data(
    conn: &mut AsyncMysqlConnection,
    url_key: &str,
) -> QueryResult<Option<(String, Vec<u8>)>> {
    product_images::table
        .filter(product_images::url_key.eq(url_key))
        .select((product_images::mime_type, product_images::data))
        .first(conn)
        .await
        .optional()
}

/// The draft's currency; drafts are validated before they reach the database, so an
/// invalid code here is refused rather than stored.
fn draft_currency(draft: &ProductDraft) -> QueryResult<Currency> {
    Currency::parse(&draft.currency).ok_or_else(|| {
        diesel::result::Error::SerializationError(
            format!("not a currency code: {:?}", draft.currency).into(),
        )
    })
}

fn colors_json(draft: &ProductDraft) -> String {
    serde_json::to_string(&draft.normalized_colors()).unwrap_or_else(|_| "[]".into())
}

async fn insert_images(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    product_id: ProductId,
    images: &[NewImage],
) -> QueryResult<()> {
    let start: Option<i32> = product_images::table
        .filter(product_images::product_id.eq(product_id))
        .select(diesel::dsl::max(product_images::position))
        .first(conn)
        .await?;
    let start = start.map_or(0, |p| p + 1);
    for (i, img) in images.iter().enumerate() {
        diesel::insert_into(product_images::table)
            .values((
                product_images::business_id.eq(business_id),
                product_images::product_id.eq(product_id),
                product_images::url_key.eq(crate::crypto::random_hex(16)),
                product_images::mime_type.eq(img.mime_type),
                product_images::byte_size.eq(i32::try_from(img.data.len()).unwrap_or(i32::MAX)),
                product_images::data.eq(&img.data),
                product_images::position.eq(start + i32::try_from(i).unwrap_or(0)),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Creates a product (already validated) with its images, in one transaction.
pub async fn create(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    draft: &ProductDraft,
    images: &[NewImage],
) -> QueryResult<Product> {
    conn.transaction(async |conn| {
        diesel::insert_into(products::table)
            .values((
                products::business_id.eq(business_id),
                products::name.eq(draft.name.trim()),
                products::description.eq(draft.description.trim()),
                products::price_minor.eq(draft.price_minor),
                products::currency.eq(draft_currency(draft)?),
                products::discount_kind.eq(draft.discount.kind()),
                products::discount_value.eq(draft.discount.value()),
                products::bargain_floor_minor.eq(draft.bargain_floor_minor),
                products::hard_minimum_minor.eq(draft.hard_minimum_minor),
                products::quantity.eq(draft.quantity),
                products::colors.eq(colors_json(draft)),
            ))
            .execute(conn)
            .await?;
        let id = ProductId(diesel::select(last_insert_id()).get_result(conn).await?);
        insert_images(conn, business_id, id, images).await?;
        products::table
            .find(id)
            .select(Product::as_select())
            .first(conn)
            .await
    })
    .await
}

/// Replaces a product's fields; `None` when it is not this business's.
pub async fn update(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: ProductId,
    draft: &ProductDraft,
) -> QueryResult<Option<Product>> {
    diesel::update(
        products::table
            .filter(products::id.eq(id))
            .filter(products::business_id.eq(business_id)),
    )
    .set((
        products::name.eq(draft.name.trim()),
        products::description.eq(draft.description.trim()),
        products::price_minor.eq(draft.price_minor),
        products::currency.eq(draft_currency(draft)?),
        products::discount_kind.eq(draft.discount.kind()),
        products::discount_value.eq(draft.discount.value()),
        products::bargain_floor_minor.eq(draft.bargain_floor_minor),
        products::hard_minimum_minor.eq(draft.hard_minimum_minor),
        products::quantity.eq(draft.quantity),
        products::colors.eq(colors_json(draft)),
        products::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(conn)
    .await?;
    find(conn, business_id, id).await
}

/// Sets the archived flag; `None` when not this business's.
pub async fn set_archived(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: ProductId,
    archived: bool,
) -> QueryResult<Option<Product>> {
    diesel::update(
        products::table
            .filter(products::id.eq(id))
            .filter(products::business_id.eq(business_id)),
    )
    .set((
        products::archived.eq(archived),
        products::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(conn)
    .await?;
    find(conn, business_id, id).await
}

/// Deletes a product and its images; `false` when not this business's.
pub async fn delete(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: ProductId,
) -> QueryResult<bool> {
    let n = diesel::delete(
        products::table
            .filter(products::id.eq(id))
            .filter(products::business_id.eq(business_id)),
    )
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Adds images to a product; `false` when not this business's. Refuses to go past
/// `max_images` in total (returns `Err(count)` with the current count).
pub async fn add_images(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    id: ProductId,
    images: &[NewImage],
    max_images: usize,
) -> QueryResult<Result<bool, i64>> {
    conn.transaction(async |conn| {
        let exists: Option<ProductId> = products::table
            .filter(products::id.eq(id))
            .filter(products::business_id.eq(business_id))
            .select(products::id)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        if exists.is_none() {
            return Ok(Ok(false));
        }
        let current: i64 = product_images::table
            .filter(product_images::product_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        if usize::try_from(current).unwrap_or(usize::MAX) + images.len() > max_images {
            return Ok(Err(current));
        }
        insert_images(conn, business_id, id, images).await?;
        Ok(Ok(true))
    })
    .await
}

/// Removes one image of one product of this business; `false` when none matched.
pub async fn remove_image(
    conn: &mut AsyncMysqlConnection,
    business_id: u64,
    product_id: ProductId,
    image_id: ProductImageId,
) -> QueryResult<bool> {
    let n = diesel::delete(
        product_images::table
            .filter(product_images::id.eq(image_id))
            .filter(product_images::product_id.eq(product_id))
            .filter(product_images::business_id.eq(business_id)),
    )
    .execute(conn)
    .await?;
    Ok(n > 0)
}
