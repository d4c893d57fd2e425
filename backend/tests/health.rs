//! Health and static serving.

mod common;

use common::TestApp;

#[tokio::test]
async fn healthz_reports_the_database() {
    let t = TestApp::spawn().await;
    let resp = t
        .http
        .get(format!("{}/healthz", t.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn graphiql_is_served_for_integrators() {
    let t = TestApp::spawn().await;
    let resp = t
        .http
        .get(format!("{}/graphql", t.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
}
