//! Staff and roles: the owner invites staff with a one-time link, staff do the daily
//! work (chats, orders), and every mutation of `schema.graphql` states its role: each
//! one reserved to the owner is FORBIDDEN to staff, and removing a staff member ends
//! their sessions at once.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::common::{TestApp, decode_id, encode_id, error_code, schema_root_fields};
use crate::inbox_support::{
    NewChat, WsClient, WsEvent, alice_chatting_with, chat_gid, posts, spawn,
};

/// Who may call a mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Anyone, signed in or not (authentication operations).
    Public,
    /// Any signed-in caller: owner, staff, API token (the daily work).
    Anyone,
    /// The owner in the dashboard or through an API token; staff are FORBIDDEN.
    OwnerAuthority,
    /// The owner signed in to the dashboard only.
    OwnerOnly,
}

use Role::*;

/// Every mutation in `schema.graphql` and its role. A mutation added to the schema
/// without a line here fails `every_mutation_in_the_schema_states_its_role`.
const MUTATION_ROLES: &[(&str, Role)] = &[
    ("signUp", Public),
    ("logIn", Public),
    ("acceptInvite", Public),
    ("logOut", Anyone),
    ("updateBusiness", OwnerAuthority),
    ("createProduct", Anyone),
    ("updateProduct", Anyone),
    ("addProductImages", Anyone),
    ("removeProductImage", Anyone),
    ("archiveProduct", Anyone),
    ("unarchiveProduct", Anyone),
    ("deleteProduct", Anyone),
    ("connectWhatsApp", OwnerOnly),
    ("disconnectWhatsApp", OwnerOnly),
    ("connectWhatsAppWithMeta", OwnerOnly),
    ("updatePrivacySettings", OwnerOnly),
    ("eraseCustomer", OwnerOnly),
    ("deleteAccount", OwnerOnly),
    ("sendMessage", Anyone),
    ("sendAttachment", Anyone),
    ("sendTemplate", Anyone),
    ("markChatRead", Anyone),
    ("setChatAiPaused", Anyone),
    ("updateContact", Anyone),
    ("setAnthropicKey", OwnerOnly),
    ("clearAnthropicKey", OwnerOnly),
    ("updateAiSettings", OwnerAuthority),
    ("addToBlacklist", Anyone),
    ("removeFromBlacklist", Anyone),
    ("scheduleFollowUp", Anyone),
    ("cancelFollowUp", Anyone),
    ("updateFollowUpRule", OwnerAuthority),
    ("createOrder", Anyone),
    ("updateOrder", Anyone),
    ("updateOrderNotificationSettings", OwnerAuthority),
    ("confirmOrder", Anyone),
    ("completeOrder", Anyone),
    ("cancelOrder", Anyone),
    ("approveDeal", Anyone),
    ("declineDeal", Anyone),
    ("updateDealApprovalSettings", OwnerAuthority),
    ("revokeSession", Anyone),
    ("logOutEverywhere", Anyone),
    ("changePassword", Anyone),
    ("createApiToken", OwnerOnly),
    ("revokeApiToken", OwnerOnly),
    ("inviteStaff", OwnerOnly),
    ("revokeStaffInvite", OwnerOnly),
    ("removeStaff", OwnerOnly),
    ("submitContactForm", Public),
];

#[test]
fn every_mutation_in_the_schema_states_its_role() {
    let in_schema = schema_root_fields("MutationRoot");
    let stated: BTreeSet<String> = MUTATION_ROLES.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        stated.len(),
        MUTATION_ROLES.len(),
        "a mutation is listed twice"
    );
    let unstated: Vec<_> = in_schema.difference(&stated).collect();
    let gone: Vec<_> = stated.difference(&in_schema).collect();
    assert!(
        unstated.is_empty(),
        "mutations without a stated role (add them to MUTATION_ROLES and test the refusal): {unstated:?}"
    );
    assert!(
        gone.is_empty(),
        "roles stated for mutations not in the schema: {gone:?}"
    );
}

const INVITE: &str = "mutation($e: String!) { inviteStaff(email: $e) { link token invite { id email createdAt expiresAt } } }";
const ACCEPT: &str = "mutation($t: String!, $n: String!, $p: String!) {
    acceptInvite(input: {token: $t, name: $n, password: $p}) { token user { id email name role } business { name } } }";

/// The owner of `owner` invites `email`; returns the invitation answer.
async fn invite(t: &TestApp, owner: &str, email: &str) -> Value {
    t.gql_ok(Some(owner), INVITE, json!({"e": email})).await["inviteStaff"].clone()
}

/// The owner of `owner` invites `email`, who accepts; returns the staff member's token.
async fn staff_of(t: &TestApp, owner: &str, email: &str) -> String {
    let invited = invite(t, owner, email).await;
    let data = t
        .gql_ok(
            None,
            ACCEPT,
            json!({"t": invited["token"], "n": "Sam Staff", "p": "staff-password-1"}),
        )
        .await;
    data["acceptInvite"]["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_invited_person_joins_as_staff_once_with_the_link_shown_once() {
    let t = TestApp::spawn().await;
    let (alice, business) = t.sign_up_alice().await;
    let invited = invite(&t, &alice, " Sam@Example.com ").await;
    let secret = invited["token"].as_str().unwrap();
    assert!(secret.len() >= 64, "{invited}");
    let link = invited["link"].as_str().unwrap();
    assert!(
        link.ends_with(&format!("/accept-invite#{secret}")),
        "{link}"
    );
    assert_eq!(invited["invite"]["email"], "sam@example.com");
    // Only the secret's digest is stored.
    assert_eq!(
        t.rows(&format!(
            "staff_invites WHERE token_sha256 = SHA2('{secret}', 256) AND business_id = {business}"
        ))
        .await,
        1
    );
    assert_eq!(
        t.rows(&format!(
            "staff_invites WHERE token_sha256 LIKE '%{secret}%'"
        ))
        .await,
        0
    );
    let pending = t
        .query_ok(&alice, "{ staffInvites { id email expiresAt } }")
        .await;
    assert_eq!(pending["staffInvites"][0]["email"], "sam@example.com");
    assert!(
        !pending.to_string().contains(secret),
        "the list never shows the secret"
    );

    // A wrong secret, a name missing, a short password: refused, nothing created.
    let wrong = t
        .gql(
            None,
            ACCEPT,
            json!({"t": "0".repeat(64), "n": "Sam", "p": "staff-password-1"}),
        )
        .await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT", "{wrong}");
    assert_eq!(
        wrong["errors"][0]["extensions"]["field"], "token",
        "{wrong}"
    );
    let invalid = t
        .gql(None, ACCEPT, json!({"t": secret, "n": " ", "p": "short"}))
        .await;
    let fields = invalid["errors"][0]["extensions"]["fields"].to_string();
    assert!(
        fields.contains("name") && fields.contains("password"),
        "{invalid}"
    );
    assert_eq!(t.rows("users").await, 1);

    let joined = t
        .gql_ok(
            None,
            ACCEPT,
            json!({"t": secret, "n": "Sam Staff", "p": "staff-password-1"}),
        )
        .await["acceptInvite"]
        .clone();
    assert_eq!(joined["user"]["email"], "sam@example.com");
    assert_eq!(joined["user"]["name"], "Sam Staff");
    assert_eq!(joined["user"]["role"], "STAFF");
    assert_eq!(joined["business"]["name"], "Alice Fashion");
    let sam = joined["token"].as_str().unwrap();
    assert_eq!(t.business_id(sam).await, business);
    // Sam logs in with the password he chose.
    let login = t
        .gql_ok(
            None,
            "mutation { logIn(input: {email: \"sam@example.com\", password: \"staff-password-1\"}) { user { role } } }",
            json!({}),
        )
        .await;
    assert_eq!(login["logIn"]["user"]["role"], "STAFF");

    // The link works once.
    let again = t
        .gql(
            None,
            ACCEPT,
            json!({"t": secret, "n": "Mallory", "p": "another-password"}),
        )
        .await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");
    assert_eq!(t.rows("users").await, 2);

    let members = t
        .query_ok(&alice, "{ staffMembers { email name role } }")
        .await;
    assert_eq!(
        members["staffMembers"],
        json!([
            {"email": "alice@example.com", "name": null, "role": "OWNER"},
            {"email": "sam@example.com", "name": "Sam Staff", "role": "STAFF"},
        ])
    );
    let pending = t.query_ok(&alice, "{ staffInvites { id } }").await;
    assert_eq!(pending["staffInvites"], json!([]));
    // The log says who was invited and who joined.
    let log = t
        .query_ok(
            &alice,
            "{ activity(first: 10, filter: {kinds: [STAFF_INVITED, STAFF_JOINED]}) { nodes { kind actor { kind name } } } }",
        )
        .await;
    assert_eq!(
        log["activity"]["nodes"],
        json!([
            {"kind": "STAFF_JOINED", "actor": {"kind": "STAFF", "name": "sam@example.com"}},
            {"kind": "STAFF_INVITED", "actor": {"kind": "OWNER", "name": "alice@example.com"}},
        ])
    );
}

#[tokio::test]
async fn expired_revoked_and_replaced_invitations_do_not_work() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let accept = |secret: Value| {
        let t = &t;
        async move {
            t.gql(
                None,
                ACCEPT,
                json!({"t": secret, "n": "Sam", "p": "staff-password-1"}),
            )
            .await
        }
    };

    let expired = invite(&t, &alice, "old@example.com").await;
    t.execute(&format!(
        "UPDATE staff_invites SET expires_at = NOW() - INTERVAL 1 MINUTE WHERE id = {}",
        decode_id(expired["invite"]["id"].as_str().unwrap())
    ))
    .await;
    assert_eq!(
        error_code(&accept(expired["token"].clone()).await),
        "BAD_USER_INPUT"
    );

    let revoked = invite(&t, &alice, "gone@example.com").await;
    let answer = t
        .gql_ok(
            Some(&alice),
            "mutation($id: ID!) { revokeStaffInvite(id: $id) { email } }",
            json!({"id": revoked["invite"]["id"]}),
        )
        .await;
    assert_eq!(answer["revokeStaffInvite"]["email"], "gone@example.com");
    assert_eq!(
        error_code(&accept(revoked["token"].clone()).await),
        "BAD_USER_INPUT"
    );

    // Inviting again replaces the first link.
    let first = invite(&t, &alice, "twice@example.com").await;
    let second = invite(&t, &alice, "twice@example.com").await;
    assert_eq!(
        error_code(&accept(first["token"].clone()).await),
        "BAD_USER_INPUT"
    );
    let ok = accept(second["token"].clone()).await;
    assert!(ok.get("errors").is_none(), "{ok}");

    // An e-mail that already has an account cannot be invited.
    let taken = t
        .gql(Some(&alice), INVITE, json!({"e": "alice@example.com"}))
        .await;
    assert_eq!(error_code(&taken), "BAD_USER_INPUT", "{taken}");
    assert_eq!(t.rows("users").await, 2);
}

/// A minimal, valid call of each mutation reserved to the owner, with the ids it
/// needs; `None` for mutations anyone may call.
fn owner_level_probe(name: &str, ids: &OwnerIds) -> Option<(String, Value)> {
    let call = |q: &str, v: Value| Some((q.to_string(), v));
    match name {
        "updateBusiness" => call(
            "mutation { updateBusiness(input: {name: \"Staff's shop\", aiEnabled: false}) { name } }",
            json!({}),
        ),
        "connectWhatsApp" => call(
            "mutation { connectWhatsApp(input: {phoneNumberId: \"1\", wabaId: \"2\", displayPhoneNumber: \"+1\", accessToken: \"EAAGxxxxxxxxxxxxxxxx\"}) { id } }",
            json!({}),
        ),
        "disconnectWhatsApp" => call("mutation { disconnectWhatsApp { id } }", json!({})),
        "updatePrivacySettings" => call(
            "mutation { updatePrivacySettings(input: {messageRetentionDays: 1}) { messageRetentionDays } }",
            json!({}),
        ),
        "eraseCustomer" => call(
            "mutation { eraseCustomer(contactId: \"Q29udGFjdDox\") { __typename } }",
            json!({}),
        ),
        "deleteAccount" => call(
            "mutation { deleteAccount(password: \"correct horse battery\") }",
            json!({}),
        ),
        "connectWhatsAppWithMeta" => call(
            "mutation { connectWhatsAppWithMeta(input: {code: \"AQB-staff\", wabaId: \"2\", phoneNumberId: \"1\", coexistence: true}) { id } }",
            json!({}),
        ),
        "setAnthropicKey" => call(
            "mutation { setAnthropicKey(apiKey: \"sk-ant-api03-staffstaffstaffstaff\") { usesOwnKey } }",
            json!({}),
        ),
        "clearAnthropicKey" => call("mutation { clearAnthropicKey { usesOwnKey } }", json!({})),
        "updateAiSettings" => call(
            "mutation { updateAiSettings(input: {dailyTokenBudget: 1}) { dailyTokenBudget } }",
            json!({}),
        ),
        "updateFollowUpRule" => call(
            "mutation { updateFollowUpRule(input: {enabled: false}) { enabled } }",
            json!({}),
        ),
        "updateOrderNotificationSettings" => call(
            "mutation { updateOrderNotificationSettings(input: {enabled: true}) { enabled } }",
            json!({}),
        ),
        "updateDealApprovalSettings" => call(
            "mutation { updateDealApprovalSettings(input: {enabled: false}) { enabled } }",
            json!({}),
        ),
        "createApiToken" => call(
            "mutation { createApiToken(input: {name: \"staff\", scope: WRITE}) { secret } }",
            json!({}),
        ),
        "revokeApiToken" => call(
            "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
            json!({"id": ids.api_token}),
        ),
        "inviteStaff" => call(
            "mutation { inviteStaff(email: \"friend@example.com\") { token } }",
            json!({}),
        ),
        "revokeStaffInvite" => call(
            "mutation($id: ID!) { revokeStaffInvite(id: $id) { id } }",
            json!({"id": ids.invite}),
        ),
        "removeStaff" => call(
            "mutation($id: ID!) { removeStaff(id: $id) { id } }",
            json!({"id": ids.other_staff}),
        ),
        _ => None,
    }
}

/// Real ids of the owner's things that staff try to touch.
struct OwnerIds {
    api_token: Value,
    invite: Value,
    other_staff: Value,
}

#[tokio::test]
async fn staff_are_forbidden_every_owner_level_mutation_and_change_nothing() {
    let (t, _standin) = spawn().await;
    let (alice, _, _chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1)).await;
    let sam = staff_of(&t, &alice, "sam@example.com").await;
    let kim = staff_of(&t, &alice, "kim@example.com").await;
    let kim_id = t.query_ok(&kim, "{ me { id } }").await["me"]["id"].clone();
    let token = t
        .query_ok(
            &alice,
            "mutation { createApiToken(input: {name: \"shop\", scope: WRITE}) { secret apiToken { id } } }",
        )
        .await["createApiToken"]
        .clone();
    let pending = invite(&t, &alice, "later@example.com").await;
    let ids = OwnerIds {
        api_token: token["apiToken"]["id"].clone(),
        invite: pending["invite"]["id"].clone(),
        other_staff: kim_id,
    };
    let before = settings_snapshot(&t, &alice).await;

    let mut refused = Vec::new();
    for (name, role) in MUTATION_ROLES {
        if !matches!(role, OwnerOnly | OwnerAuthority) {
            assert!(
                owner_level_probe(name, &ids).is_none(),
                "{name} is probed as owner-level but stated as {role:?}"
            );
            continue;
        }
        let (query, vars) = owner_level_probe(name, &ids)
            .unwrap_or_else(|| panic!("{name} is owner-level: add a probe for it"));
        let resp = t.gql(Some(&sam), &query, vars.clone()).await;
        assert_eq!(
            error_code(&resp),
            "FORBIDDEN",
            "staff calling {name}: {resp}"
        );
        assert!(resp["data"].is_null() || resp["data"].get(*name).is_none_or(Value::is_null));
        // An API token may use the owner's settings, not the owner-only parts.
        if *role == OwnerOnly {
            let secret = token["secret"].as_str().unwrap();
            let resp = t.gql(Some(secret), &query, vars).await;
            assert_eq!(
                error_code(&resp),
                "FORBIDDEN",
                "API token calling {name}: {resp}"
            );
        }
        refused.push(*name);
    }
    assert_eq!(refused.len(), 18, "{refused:?}");

    // Nothing changed: settings, connection, tokens, staff, invitations.
    assert_eq!(settings_snapshot(&t, &alice).await, before);
    assert_eq!(t.rows("api_tokens WHERE revoked_at IS NULL").await, 1);
    assert_eq!(t.rows("users").await, 3);
    assert_eq!(
        t.rows("staff_invites WHERE revoked_at IS NULL AND accepted_at IS NULL")
            .await,
        1
    );

    // Owner-only queries too.
    for query in [
        "{ apiTokens { id } }",
        "{ staffMembers { id } }",
        "{ staffInvites { id } }",
    ] {
        let resp = t.gql(Some(&sam), query, json!({})).await;
        assert_eq!(error_code(&resp), "FORBIDDEN", "staff: {query}: {resp}");
    }
}

/// What the owner-level mutations could change, as the owner sees it.
async fn settings_snapshot(t: &TestApp, owner: &str) -> Value {
    t.query_ok(
        owner,
        "{ business { name aiEnabled } whatsappConnection { status } aiSettings { usesOwnKey dailyTokenBudget }
           followUpRule { enabled } orderNotificationSettings { enabled } dealApprovalSettings { enabled } }",
    )
    .await
}

#[tokio::test]
async fn staff_do_the_daily_work_answering_chats_and_handling_orders() {
    let (t, standin) = spawn().await;
    let (alice, _, chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1)).await;
    let sam = staff_of(&t, &alice, "sam@example.com").await;
    let chat = chat_gid(chat);

    let sent = t
        .gql_ok(
            Some(&sam),
            "mutation($c: ID!) { sendMessage(chatId: $c, text: \"Yes, we have it in red\") { id sentBy } }",
            json!({"c": chat}),
        )
        .await;
    assert_eq!(sent["sendMessage"]["sentBy"], "STAFF");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !posts(&standin).iter().any(|r| {
        r.body
            .as_ref()
            .is_some_and(|b| b.to_string().contains("Yes, we have it in red"))
    }) {
        assert!(
            std::time::Instant::now() < deadline,
            "the reply never reached Meta"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    t.gql_ok(
        Some(&sam),
        "mutation($c: ID!) { setChatAiPaused(chatId: $c, paused: true) { aiPaused } }",
        json!({"c": chat}),
    )
    .await;

    let dress = t.create_product(&sam, "Ankara dress").await;
    let order = t
        .gql_ok(
            Some(&sam),
            "mutation($i: CreateOrderInput!) { createOrder(input: $i) { id status } }",
            json!({"i": {
                "customer": {"new": {"name": "Ada Obi", "phone": "+234 803 123 4567"}},
                "items": [{"productId": dress, "color": "Red", "quantity": 1}],
                "deliveryDetails": "4 Marina Road, Lagos"
            }}),
        )
        .await["createOrder"]
        .clone();
    let updated = t
        .gql_ok(
            Some(&sam),
            "mutation($id: ID!) { updateOrder(id: $id, input: {notes: \"Gift wrap\"}) { notes } }",
            json!({"id": order["id"]}),
        )
        .await;
    assert_eq!(updated["updateOrder"]["notes"], "Gift wrap");
    let confirmed = t
        .gql_ok(
            Some(&sam),
            "mutation($id: ID!) { confirmOrder(id: $id) { status } }",
            json!({"id": order["id"]}),
        )
        .await;
    assert_eq!(confirmed["confirmOrder"]["status"], "CONFIRMED");

    // The log names Sam as the one who did it.
    let log = t
        .query_ok(
            &alice,
            "{ activity(first: 5, filter: {kinds: [ORDER_CONFIRMED]}) { nodes { actor { kind name } } } }",
        )
        .await;
    assert_eq!(
        log["activity"]["nodes"][0]["actor"],
        json!({"kind": "STAFF", "name": "sam@example.com"})
    );
}

#[tokio::test]
async fn removing_a_staff_member_ends_their_sessions_and_websockets_at_once() {
    let (t, _standin) = spawn().await;
    let (alice, _, _chat) = alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1)).await;
    let sam = staff_of(&t, &alice, "sam@example.com").await;
    let sam_id = t.query_ok(&sam, "{ me { id } }").await["me"]["id"].clone();
    let mut ws = WsClient::init(&t, &sam).await;
    ws.subscribe("m", "subscription { messageAdded { body } }")
        .await;

    let removed = t
        .gql_ok(
            Some(&alice),
            "mutation($id: ID!) { removeStaff(id: $id) { email } }",
            json!({"id": sam_id}),
        )
        .await;
    assert_eq!(removed["removeStaff"]["email"], "sam@example.com");

    let closed = loop {
        match ws.next(std::time::Duration::from_secs(1)).await {
            Some(WsEvent::Closed(code)) => break code,
            Some(WsEvent::Json(_)) => continue,
            None => panic!("the removed staff member's WebSocket is still open after a second"),
        }
    };
    assert_eq!(closed, Some(4401));
    let resp = t.gql(Some(&sam), "{ business { name } }", json!({})).await;
    assert_eq!(error_code(&resp), "UNAUTHENTICATED", "{resp}");
    let login = t
        .gql(
            None,
            "mutation { logIn(input: {email: \"sam@example.com\", password: \"staff-password-1\"}) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&login), "BAD_USER_INPUT", "{login}");
    assert_eq!(
        t.rows("sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'sam@example.com'")
            .await,
        0
    );
    let members = t.query_ok(&alice, "{ staffMembers { email } }").await;
    assert_eq!(
        members["staffMembers"],
        json!([{"email": "alice@example.com"}])
    );
}

#[tokio::test]
async fn another_business_cannot_see_remove_or_revoke_anyone_of_mine() {
    let t = TestApp::spawn().await;
    let (alice, _) = t.sign_up_alice().await;
    let bob = t.sign_up("Bob Shoes", "bob@example.com").await;
    let sam = staff_of(&t, &alice, "sam@example.com").await;
    let sam_id = t.query_ok(&sam, "{ me { id } }").await["me"]["id"].clone();
    let alice_id = t.query_ok(&alice, "{ me { id } }").await["me"]["id"].clone();
    let pending = invite(&t, &alice, "later@example.com").await;

    let remove = "mutation($id: ID!) { removeStaff(id: $id) { id } }";
    let missing = encode_id("User", 999_999);
    for id in [&sam_id, &alice_id, &json!(missing)] {
        let resp = t.gql(Some(&bob), remove, json!({"id": id})).await;
        assert_eq!(error_code(&resp), "NOT_FOUND", "{resp}");
        assert_eq!(resp["errors"][0]["message"], "staff member not found");
    }
    // The owner cannot remove herself either.
    let resp = t.gql(Some(&alice), remove, json!({"id": alice_id})).await;
    assert_eq!(error_code(&resp), "NOT_FOUND", "{resp}");
    let resp = t
        .gql(
            Some(&bob),
            "mutation($id: ID!) { revokeStaffInvite(id: $id) { id } }",
            json!({"id": pending["invite"]["id"]}),
        )
        .await;
    assert_eq!(error_code(&resp), "NOT_FOUND", "{resp}");
    let lists = t
        .query_ok(&bob, "{ staffMembers { email } staffInvites { email } }")
        .await;
    assert_eq!(
        lists,
        json!({"staffMembers": [{"email": "bob@example.com"}], "staffInvites": []})
    );
    // Sam still works for Alice.
    assert_eq!(
        t.query_ok(&sam, "{ business { name } }").await["business"]["name"],
        "Alice Fashion"
    );
}
