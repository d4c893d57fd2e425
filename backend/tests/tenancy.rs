//! Two businesses probing each other: neither can read, change or even detect the
//! other's products.

use serde_json::json;

use crate::common::{TestApp, error_code, png_bytes, product_input};

#[tokio::test]
async fn a_business_cannot_read_change_or_detect_another_business_products() {
    let t = TestApp::spawn().await;
    let alice = t.sign_up("Alice Fashion", "alice@example.com").await;
    let bob = t.sign_up("Bob Shoes", "bob@example.com").await;
    let alices = t.create_product(&alice, "Alice's secret dress").await;
    // An id that exists nowhere, to compare answers with.
    let deleted = t.create_product(&bob, "Temporary").await;
    t.gql_ok(
        Some(&bob),
        "mutation($id: ID!) { deleteProduct(id: $id) }",
        json!({"id": deleted}),
    )
    .await;

    let probes: Vec<(&str, serde_json::Value)> = vec![
        ("query($id: ID!) { product(id: $id) { name } }", json!({})),
        (
            "mutation($id: ID!, $i: ProductInput!) { updateProduct(id: $id, input: $i) { name } }",
            json!({"i": product_input("Hijacked")}),
        ),
        (
            "mutation($id: ID!) { archiveProduct(id: $id) { name } }",
            json!({}),
        ),
        (
            "mutation($id: ID!) { unarchiveProduct(id: $id) { name } }",
            json!({}),
        ),
        ("mutation($id: ID!) { deleteProduct(id: $id) }", json!({})),
    ];
    for (query, extra) in probes {
        let mut vars_foreign = extra.clone();
        vars_foreign["id"] = json!(alices);
        let mut vars_missing = extra;
        vars_missing["id"] = json!(deleted);
        let foreign = t.gql(Some(&bob), query, vars_foreign).await;
        let missing = t.gql(Some(&bob), query, vars_missing).await;
        assert_eq!(error_code(&foreign), "NOT_FOUND", "{query}: {foreign}");
        assert_eq!(
            foreign["errors"][0]["message"], missing["errors"][0]["message"],
            "{query}: another tenant's id must look exactly like a missing one"
        );
    }

    // Images: neither add nor remove.
    let resp = t
        .gql_upload(
            &bob,
            "mutation($id: ID!, $f: [Upload!]!) { addProductImages(id: $id, images: $f) { id } }",
            json!({"id": alices}),
            png_bytes(),
            "x.png",
        )
        .await;
    assert_eq!(error_code(&resp), "NOT_FOUND");

    // Bob's list does not include it, not even in the count.
    let list = t
        .query_ok(
            &bob,
            "{ products(first: 50) { totalCount nodes { name } } }",
        )
        .await;
    assert_eq!(list["products"]["totalCount"], 0);

    // Alice's product is untouched.
    let mine = t
        .gql_ok(
            Some(&alice),
            "query($id: ID!) { product(id: $id) { name archived images { id } } }",
            json!({"id": alices}),
        )
        .await;
    assert_eq!(mine["product"]["name"], "Alice's secret dress");
    assert_eq!(mine["product"]["archived"], false);
    assert_eq!(mine["product"]["images"].as_array().unwrap().len(), 0);
}
