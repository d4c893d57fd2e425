//! Follow-ups in a real headless Chromium: schedule one from a chat, see it on the
//! Follow-ups page, see why another was skipped, cancel one.

use crate::common::browser::{Browser, spa_dir};
use crate::inbox_support::{NewChat, alice_chatting_with, chat_gid, spawn_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_from_a_chat_see_it_listed_and_cancel_it() {
    let dist = spa_dir();
    // No job workers: what is scheduled stays scheduled while the page is looked at.
    let (t, standin) = spawn_with(|c| {
        c.static_dir = dist;
        c.agent.workers = 0;
    })
    .await;
    let (_, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(5)).await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/login", t.url)).await.unwrap();
    b.fill("login-email", "alice@example.com").await;
    b.fill("login-password", "correct-horse-1").await;
    b.click("login-submit").await;
    b.find("logout-button").await;

    c.goto(&format!("{}/inbox/{}", t.url, chat_gid(chat)))
        .await
        .unwrap();
    b.click("follow-up-open").await;
    b.fill("follow-up-text", "Shall I reserve the red dress for you?")
        .await;
    b.click("follow-up-submit").await;
    b.find("follow-up-done").await;
    assert_eq!(
        t.rows("follow_ups WHERE status = 'scheduled' AND body = 'Shall I reserve the red dress for you?' AND due_at > NOW(6)")
            .await,
        1
    );

    // One that was skipped shows its reason in the Skipped tab.
    let mut conn = t.app.db().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "INSERT INTO follow_ups (business_id, chat_id, due_at, body, status, skip_reason) \
             SELECT business_id, id, NOW(6), 'Earlier', 'skipped', 'the customer wrote since' FROM chats WHERE id = {chat}"
        )),
        &mut conn,
    )
    .await
    .unwrap();
    drop(conn);

    c.goto(&format!("{}/follow-ups", t.url)).await.unwrap();
    b.find_css("[data-testid='follow-up-row'][data-status='scheduled']")
        .await;
    b.wait_js(
        "the scheduled text listed",
        "(document.querySelector(\"[data-testid='follow-up-list']\")?.textContent || '').includes('Shall I reserve the red dress')",
    )
    .await;
    b.click("follow-up-tab-skipped").await;
    b.wait_js(
        "the skip reason shown",
        "(document.querySelector(\"[data-testid='follow-up-reason']\")?.textContent || '') === 'the customer wrote since'",
    )
    .await;
    b.click("follow-up-tab-scheduled").await;
    b.click("follow-up-cancel").await;
    b.find("follow-up-empty").await;
    assert_eq!(t.rows("follow_ups WHERE status = 'cancelled'").await, 1);
    assert!(
        standin.requests().iter().all(|r| r.method != "POST"),
        "nothing was sent"
    );
}
