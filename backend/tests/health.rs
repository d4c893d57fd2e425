//! Health and static serving.

use crate::common::TestApp;

#[tokio::test]
async fn healthz_reports_the_database() {
    let t = TestApp::spawn().await;
    let resp = t.get("/healthz").await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert_eq!(body["events"], "local", "no broker configured");
}

#[tokio::test]
async fn graphiql_is_served_for_integrators() {
    let t = TestApp::spawn().await;
    let resp = t.get("/graphql").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
}
