//! Secrets at rest are bound to their row and name their key: a ciphertext copied into
//! another row does not decrypt there, and a `DATA_KEY` rotation (the old key kept as
//! `DATA_KEY_PREVIOUS`, then `wasales reencrypt`) keeps every secret readable.

use backend::app::AppState;
use backend::config::{Config, DataKey};
use backend::crypto;
use backend::db::agent as agent_db;
use secrecy::ExposeSecret;
use serde_json::json;
use shared::BusinessId;

use crate::common::TestApp;
use crate::webhook_support;

const SET_KEY: &str = "mutation($k: String!) { setAnthropicKey(apiKey: $k) { usesOwnKey } }";

/// The business's own Anthropic key as the agent would use it (`None` when it cannot
/// be opened: the test configuration has no server key).
async fn own_key(app: &AppState, business: u64) -> Option<String> {
    let mut conn = app.db().await.unwrap();
    let profile = agent_db::profile(&mut conn, BusinessId(business))
        .await
        .unwrap()
        .unwrap();
    backend::agent::api_key(app, &profile).map(|k| k.expose_secret().to_string())
}

/// The sealed Anthropic key of a business.
async fn sealed_key(app: &AppState, business: u64) -> Vec<u8> {
    use backend::db::schema::businesses;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut conn = app.db().await.unwrap();
    businesses::table
        .find(business)
        .select(businesses::anthropic_key_enc)
        .first::<Option<Vec<u8>>>(&mut conn)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_secret_copied_into_another_row_does_not_decrypt_there() {
    let t = TestApp::spawn().await;
    let (alice, alice_id) = t.sign_up_alice().await;
    let (bob, bob_id) = t.sign_up_business("Bob Shoes", "bob@example.com").await;
    t.gql_ok(
        Some(&alice),
        SET_KEY,
        json!({"k": "sk-ant-api03-alice-secret-key-1111"}),
    )
    .await;
    t.gql_ok(
        Some(&bob),
        SET_KEY,
        json!({"k": "sk-ant-api03-bob-secret-key-22222"}),
    )
    .await;
    assert_eq!(
        own_key(&t.app, bob_id).await.as_deref(),
        Some("sk-ant-api03-bob-secret-key-22222")
    );
    // Someone with write access to the database copies Alice's sealed key onto Bob.
    t.execute(&format!(
        "UPDATE businesses SET anthropic_key_enc = (SELECT k FROM (SELECT anthropic_key_enc AS k FROM businesses WHERE id = {alice_id}) a) WHERE id = {bob_id}"
    ))
    .await;
    assert_eq!(
        sealed_key(&t.app, bob_id).await,
        sealed_key(&t.app, alice_id).await
    );
    assert_eq!(
        own_key(&t.app, bob_id).await,
        None,
        "Alice's key must not open as Bob's"
    );
    assert_eq!(
        own_key(&t.app, alice_id).await.as_deref(),
        Some("sk-ant-api03-alice-secret-key-1111")
    );

    // The same for access tokens: one connection's token copied onto another.
    let first = webhook_support::shop(&t, "First Shop", "111000111").await;
    let second = webhook_support::shop(&t, "Second Shop", "222000222").await;
    assert!(
        backend::whatsapp::sending_identity(&t.app, BusinessId(second.business_id))
            .await
            .is_ok()
    );
    t.execute(&format!(
        "UPDATE whatsapp_connections SET access_token_enc = (SELECT k FROM (SELECT access_token_enc AS k FROM whatsapp_connections WHERE id = {}) a) WHERE id = {}",
        first.connection_id, second.connection_id
    ))
    .await;
    assert!(
        backend::whatsapp::sending_identity(&t.app, BusinessId(second.business_id))
            .await
            .is_err()
    );
}

/// The test's configuration with other keys, on the same database.
async fn with_keys(t: &TestApp, current: &DataKey, previous: Option<&DataKey>) -> AppState {
    let config = Config {
        data_key: current.clone(),
        data_key_previous: previous.cloned(),
        ..t.app.config.clone()
    };
    backend::init(config).await.unwrap()
}

#[tokio::test]
async fn a_data_key_rotation_round_trips_through_reencrypt() {
    let t = TestApp::spawn().await;
    let old_key = t.app.config.data_key.clone();
    let (alice, alice_id) = t.sign_up_alice().await;
    t.gql_ok(
        Some(&alice),
        SET_KEY,
        json!({"k": "sk-ant-api03-alice-secret-key-1111"}),
    )
    .await;
    let shop = webhook_support::shop(&t, "Token Shop", "333000333").await;
    let new_key =
        DataKey::parse("8f14e45fceea167a5a36dedd4bea2543b6e7f1a2c3d4e5f60718293a4b5c6d7e").unwrap();

    // Step 1: the new key, the old one kept for reading: everything still opens.
    let rotating = with_keys(&t, &new_key, Some(&old_key)).await;
    assert_eq!(
        own_key(&rotating, alice_id).await.as_deref(),
        Some("sk-ant-api03-alice-secret-key-1111")
    );
    // Without the old key, nothing sealed under it opens.
    let new_only = with_keys(&t, &new_key, None).await;
    assert_eq!(own_key(&new_only, alice_id).await, None);

    // Step 2: reencrypt rewrites both secrets under the new key; a second run has
    // nothing left to do.
    let report = backend::rekey::reencrypt_all(&rotating).await.unwrap();
    assert_eq!(
        (report.rewritten, report.current, report.unreadable.len()),
        (2, 0, 0),
        "{report}"
    );
    let again = backend::rekey::reencrypt_all(&rotating).await.unwrap();
    assert_eq!((again.rewritten, again.current), (0, 2), "{again}");
    let sealed = sealed_key(&t.app, alice_id).await;
    assert_eq!(&sealed[..3], b"WS\x02");
    assert_eq!(&sealed[3..7], &crypto::key_id(&new_key));

    // Step 3: the old key is dropped; the new one alone opens everything.
    assert_eq!(
        own_key(&new_only, alice_id).await.as_deref(),
        Some("sk-ant-api03-alice-secret-key-1111")
    );
    let Ok(identity) =
        backend::whatsapp::sending_identity(&new_only, BusinessId(shop.business_id)).await
    else {
        panic!("the access token opens with the new key");
    };
    assert_eq!(
        identity.token.expose_secret(),
        "EAAG-fixture-token-333000333"
    );
    // And the old key alone no longer does.
    let old_only = with_keys(&t, &old_key, None).await;
    assert_eq!(own_key(&old_only, alice_id).await, None);
}
