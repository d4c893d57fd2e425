//! DataLoaders for every relation a list resolves, registered in `build_schema`.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::app::AppState;
use crate::db::chats;
use crate::db::inbox::Contact;
use crate::db::products::{self, ProductImage};
use crate::error::AppError;

/// Loads the images of many products in one query.
pub struct ProductImagesLoader(pub AppState);

impl Loader<u64> for ProductImagesLoader {
    type Value = Vec<ProductImage>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[u64]) -> Result<HashMap<u64, Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let rows = products::images_for(&mut conn, keys)
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<u64, Vec<ProductImage>> = HashMap::new();
        for row in rows {
            out.entry(row.product_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// Loads many chats' contacts in one query (`Chat.contact`). Keys come from chats
/// already scoped to the caller's business.
pub struct ContactLoader(pub AppState);

impl Loader<u64> for ContactLoader {
    type Value = Contact;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[u64]) -> Result<HashMap<u64, Self::Value>, Self::Error> {
        let mut conn = self.0.db().await?;
        let rows = chats::contacts_by_ids(&mut conn, keys)
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}
