//! The catalog API: validation, listing, search, pagination and images.

use serde_json::{Value, json};

use crate::common::{TestApp, error_code, png_bytes, product_input};

const CREATE: &str = "mutation($i: ProductInput!) { createProduct(input: $i) { id name price { amountMinor formatted } discountedPrice { amountMinor } bargainFloor { amountMinor } colors quantity } }";

#[tokio::test]
async fn create_product_stores_prices_in_minor_units() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    let mut input = product_input("Ankara dress");
    input["colors"] = json!(["Red", " red ", "Blue"]);
    let data = t.gql_ok(Some(&token), CREATE, json!({"i": input})).await;
    let p = &data["createProduct"];
    assert_eq!(p["price"]["amountMinor"], 2_000_000);
    assert_eq!(p["price"]["formatted"], "NGN 20,000.00");
    assert_eq!(p["discountedPrice"]["amountMinor"], 1_800_000);
    assert_eq!(p["colors"], json!(["Red", "Blue"]));
}

async fn invalid(t: &TestApp, token: &str, patch: Value) -> Value {
    let mut input = product_input("Dress");
    for (k, v) in patch.as_object().unwrap() {
        input[k] = v.clone();
    }
    t.gql(Some(token), CREATE, json!({"i": input})).await
}

#[tokio::test]
async fn each_invalid_field_is_named_and_nothing_is_stored() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    let cases = [
        (json!({"bargainFloor": 1_900_000}), "bargainFloor"),
        (json!({"price": -1}), "price"),
        (json!({"quantity": -3}), "quantity"),
        (json!({"name": "   "}), "name"),
        (json!({"name": "x".repeat(121)}), "name"),
        (json!({"currency": "naira"}), "currency"),
        (
            json!({"discountKind": "PERCENT", "discountValue": 120}),
            "discount",
        ),
        (
            json!({"discountKind": "FIXED", "discountValue": 3_000_000, "bargainFloor": 0}),
            "discount",
        ),
        (json!({"colors": ["x".repeat(41)]}), "colors"),
    ];
    for (patch, field) in cases {
        let resp = invalid(&t, &token, patch.clone()).await;
        assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{patch}: {resp}");
        assert_eq!(
            resp["errors"][0]["extensions"]["field"], field,
            "{patch}: {resp}"
        );
    }
    assert_eq!(t.rows("products").await, 0);
}

#[tokio::test]
async fn update_with_a_floor_above_the_price_changes_nothing() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    let id = t.create_product(&token, "Dress").await;
    let mut input = product_input("Renamed");
    input["bargainFloor"] = json!(5_000_000);
    let resp = t
        .gql(
            Some(&token),
            "mutation($id: ID!, $i: ProductInput!) { updateProduct(id: $id, input: $i) { name } }",
            json!({"id": id, "i": input}),
        )
        .await;
    assert_eq!(resp["errors"][0]["extensions"]["field"], "bargainFloor");
    let p = t
        .gql_ok(
            Some(&token),
            "query($id: ID!) { product(id: $id) { name } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(p["product"]["name"], "Dress");
}

#[tokio::test]
async fn list_pages_searches_and_hides_archived() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    for i in 0..5 {
        t.create_product(&token, &format!("Dress {i}")).await;
    }
    let shoe = t.create_product(&token, "Leather shoe").await;
    let q = "query($after: String, $s: String, $a: Boolean) { products(first: 4, after: $after, search: $s, archived: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }";
    let page1 = t.gql_ok(Some(&token), q, json!({})).await;
    assert_eq!(page1["products"]["totalCount"], 6);
    assert_eq!(
        page1["products"]["nodes"][0]["name"], "Leather shoe",
        "newest first"
    );
    assert_eq!(page1["products"]["pageInfo"]["hasNextPage"], true);
    let cursor = page1["products"]["pageInfo"]["endCursor"].clone();
    let page2 = t.gql_ok(Some(&token), q, json!({"after": cursor})).await;
    let names: Vec<&str> = page2["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Dress 1", "Dress 0"]);
    assert_eq!(page2["products"]["pageInfo"]["hasNextPage"], false);

    let found = t.gql_ok(Some(&token), q, json!({"s": "SHOE"})).await;
    assert_eq!(found["products"]["totalCount"], 1);
    let wildcard = t.gql_ok(Some(&token), q, json!({"s": "%"})).await;
    assert_eq!(
        wildcard["products"]["totalCount"], 0,
        "LIKE wildcards are escaped"
    );

    t.gql_ok(
        Some(&token),
        "mutation($id: ID!) { archiveProduct(id: $id) { archived } }",
        json!({"id": shoe}),
    )
    .await;
    let active = t.gql_ok(Some(&token), q, json!({})).await;
    assert_eq!(active["products"]["totalCount"], 5);
    let archived = t.gql_ok(Some(&token), q, json!({"a": true})).await;
    assert_eq!(archived["products"]["nodes"][0]["name"], "Leather shoe");
}

async fn upload(t: &TestApp, token: &str, bytes: Vec<u8>, file_name: &str) -> Value {
    t.gql_upload(
        token,
        "mutation($i: ProductInput!, $f: [Upload!]) { createProduct(input: $i, images: $f) { id images { url mimeType byteSize } } }",
        json!({"i": product_input("Pictured dress")}),
        bytes,
        file_name,
    )
    .await
}

#[tokio::test]
async fn images_are_checked_by_content_stored_and_served_with_caching() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;

    let fake = upload(&t, &token, b"<?php echo 'hi'; ?>".to_vec(), "photo.png").await;
    assert_eq!(error_code(&fake), "BAD_USER_INPUT", "{fake}");
    assert_eq!(fake["errors"][0]["extensions"]["field"], "images");
    assert_eq!(t.rows("products").await, 0);

    let ok = upload(&t, &token, png_bytes(), "anything.txt").await;
    assert!(ok.get("errors").is_none(), "{ok}");
    let image = &ok["data"]["createProduct"]["images"][0];
    assert_eq!(image["mimeType"], "image/png");
    let url = image["url"].as_str().unwrap();
    let resp = t.get(url).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = resp.headers()["etag"].clone();
    assert_eq!(resp.bytes().await.unwrap().to_vec(), png_bytes());
    let again = t
        .http
        .get(format!("{}{url}", t.url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let missing = t.get(&format!("/images/{}", "0".repeat(32))).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn oversized_images_are_refused() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    let mut big = png_bytes();
    big.resize(shared::product::MAX_IMAGE_BYTES + 10_000, 0);
    let resp = upload(&t, &token, big, "big.png").await;
    assert!(resp.get("errors").is_some(), "{resp}");
    assert_eq!(t.rows("product_images").await, 0);
    assert_eq!(t.rows("products").await, 0);
}

#[tokio::test]
async fn api_refuses_oversized_pages_and_batches_and_deep_queries() {
    let t = TestApp::spawn().await;
    let token = t.sign_up("Shop", "a@example.com").await;
    let batch: Vec<Value> = (0..11)
        .map(|_| json!({"query": "{ me { email } }"}))
        .collect();
    let resp: Value = t
        .http
        .post(format!("{}/graphql", t.url))
        .bearer_auth(&token)
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{resp}");
    let neg = t
        .gql(
            Some(&token),
            "{ products(first: -1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&neg), "BAD_USER_INPUT");
}

/// Rows are typed at the database boundary: a stored value this build does not know
/// (a corrupted colors list, an unknown currency, tone or discount kind) is a load
/// error, never a silent default.
#[tokio::test]
async fn unknown_stored_values_are_load_errors_not_defaults() {
    use diesel_async::RunQueryDsl;
    use shared::ProductId;

    let t = TestApp::spawn().await;
    let (token, business_id) = t.sign_up_alice().await;
    let id = crate::common::decode_id(&t.create_product(&token, "Ankara dress").await);
    let mut conn = t.app.db().await.unwrap();
    let find = async |conn: &mut diesel_async::AsyncMysqlConnection| {
        backend::db::products::find(conn, business_id, ProductId(id)).await
    };
    assert!(find(&mut conn).await.unwrap().is_some());

    for (column, value) in [
        ("colors", "'not a list'"),
        ("currency", "'N1'"),
        ("discount_kind", "'bogus'"),
    ] {
        diesel::sql_query(format!(
            "UPDATE products SET {column} = {value} WHERE id = {id}"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
        let err = find(&mut conn)
            .await
            .expect_err(&format!("a stored {column} of {value} must not load"));
        assert!(
            matches!(err, diesel::result::Error::DeserializationError(_)),
            "{column}: {err:?}"
        );
        let listed = t
            .gql(
                Some(&token),
                "{ products(first: 5) { nodes { name } } }",
                json!({}),
            )
            .await;
        assert_eq!(error_code(&listed), "INTERNAL", "{column}: {listed}");
        diesel::sql_query(format!(
            "UPDATE products SET colors = '[]', currency = 'NGN', discount_kind = 'none' WHERE id = {id}"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
        assert!(find(&mut conn).await.unwrap().is_some());
    }

    diesel::sql_query(format!(
        "UPDATE businesses SET reply_tone = 'sarcastic' WHERE id = {business_id}"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    assert!(matches!(
        backend::db::tenants::find_business(&mut conn, business_id).await,
        Err(diesel::result::Error::DeserializationError(_))
    ));
}
