//! The inbox API: chat list order, filters and paging, message history paging
//! backwards, reading a chat, AI takeover, and another business probing every field.

use serde_json::{Value, json};

use crate::common::error_code;
use crate::inbox_support::{
    NewChat, PHONE_NUMBER_ID, WAIT, alice_chatting_with, chat_gid, insert_inbound, minutes_ago,
    spawn,
};

fn names(list: &Value) -> Vec<String> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["contact"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn chats_come_newest_first_page_by_cursor_and_filter_by_unread_and_search() {
    let (t, _standin) = spawn().await;
    let (alice, business) = t.sign_up_alice().await;
    let customers = [
        ("Ada", Some("2348012345678"), 50, 0),
        ("Bayo", Some("2348022222222"), 10, 3),
        ("Chi", None, 30, 1),
        ("Dami", Some("2348044444444"), 20, 0),
    ];
    for (name, wa_id, minutes, unread) in customers {
        let user_id = format!("NG.{name}");
        NewChat {
            wa_id,
            user_id: Some(&user_id),
            ..NewChat::named(name)
        }
        .wrote_minutes_ago(minutes)
        .unread(unread)
        .insert(&t, business)
        .await;
    }
    // A chat without any message yet sorts last.
    NewChat::phone("Efe", "2348055555555")
        .insert(&t, business)
        .await;

    let query = "query($f: Int, $a: String, $u: Boolean, $s: String) {
        chats(first: $f, after: $a, unreadOnly: $u, search: $s) {
            nodes { id unreadCount contact { name waId userId } }
            edges { cursor } pageInfo { hasNextPage endCursor } } }";
    let all = t.gql_ok(Some(&alice), query, json!({})).await;
    assert_eq!(names(&all["chats"]), ["Bayo", "Dami", "Chi", "Ada", "Efe"]);
    assert!(all["chats"]["nodes"][2]["contact"]["waId"].is_null());
    assert_eq!(all["chats"]["nodes"][2]["contact"]["userId"], "NG.Chi");

    // Paging by two walks the same order without gaps or repeats.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = t
            .gql_ok(Some(&alice), query, json!({"f": 2, "a": after}))
            .await;
        seen.extend(names(&page["chats"]));
        if !page["chats"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = page["chats"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, ["Bayo", "Dami", "Chi", "Ada", "Efe"]);

    let unread = t.gql_ok(Some(&alice), query, json!({"u": true})).await;
    assert_eq!(names(&unread["chats"]), ["Bayo", "Chi"]);

    let by_name = t.gql_ok(Some(&alice), query, json!({"s": "dam"})).await;
    assert_eq!(names(&by_name["chats"]), ["Dami"]);
    let by_number = t
        .gql_ok(Some(&alice), query, json!({"s": "+234 802 222"}))
        .await;
    assert_eq!(names(&by_number["chats"]), ["Bayo"]);
    let wildcard = t.gql_ok(Some(&alice), query, json!({"s": "%"})).await;
    assert_eq!(names(&wildcard["chats"]), Vec::<String>::new());
}

#[tokio::test]
async fn search_finds_word_starts_number_ends_and_the_owner_s_names_and_nothing_of_another_business()
 {
    let (t, _standin) = spawn().await;
    let (alice, business) = t.sign_up_alice().await;
    let bob = t.sign_up("Bob Shop", "bob@example.com").await;
    let bob_business = t.business_id(&bob).await;
    for (name, wa_id, user_id) in [
        ("Chioma Okafor", Some("2348031234567"), None),
        ("Tunde Bakare", Some("2347011112222"), None),
        ("Ngozi", None, Some("NG.7788123")),
        ("Okon Etim", Some("2348099999999"), None),
    ] {
        NewChat {
            wa_id,
            user_id,
            ..NewChat::named(name)
        }
        .wrote_minutes_ago(5)
        .insert(&t, business)
        .await;
    }
    // Bob's customer shares a name and a number's start with Alice's.
    NewChat::phone("Chioma Adeyemi", "2348030000000")
        .wrote_minutes_ago(5)
        .insert(&t, bob_business)
        .await;
    let query =
        "query($s: String) { chats(first: 20, search: $s) { nodes { contact { id name } } } }";
    let search = |token: String, s: &'static str| {
        let t = &t;
        async move {
            let mut found = names(&t.gql_ok(Some(&token), query, json!({"s": s})).await["chats"]);
            found.sort();
            found
        }
    };
    // The owner names Tunde for herself.
    let all = t.gql_ok(Some(&alice), query, json!({"s": "tunde"})).await;
    let tunde = all["chats"]["nodes"][0]["contact"]["id"].clone();
    t.gql_ok(
        Some(&alice),
        "mutation($i: UpdateContactInput!) { updateContact(input: $i) { id } }",
        json!({"i": {"id": tunde, "name": "Mama Tunde VIP"}}),
    )
    .await;

    assert_eq!(search(alice.clone(), "okaf").await, ["Chioma Okafor"]);
    assert_eq!(search(alice.clone(), "CHIOMA oka").await, ["Chioma Okafor"]);
    assert_eq!(search(alice.clone(), "oko").await, ["Okon Etim"]);
    assert_eq!(search(alice.clone(), "vip").await, ["Mama Tunde VIP"]);
    assert_eq!(search(alice.clone(), "bakare").await, ["Mama Tunde VIP"]);
    // A number by its start (international) or its end (as written locally).
    assert_eq!(search(alice.clone(), "+234 803").await, ["Chioma Okafor"]);
    assert_eq!(
        search(alice.clone(), "0701 111 2222").await,
        ["Mama Tunde VIP"]
    );
    assert_eq!(search(alice.clone(), "NG.7788").await, ["Ngozi"]);
    // One or two letters: the start of a name.
    assert_eq!(search(alice.clone(), "ch").await, ["Chioma Okafor"]);
    assert!(search(alice.clone(), "zzz").await.is_empty());
    assert!(search(alice.clone(), "%_").await.is_empty());
    // Bob finds his own Chioma only.
    assert_eq!(search(bob.clone(), "chioma").await, ["Chioma Adeyemi"]);
    assert_eq!(search(bob.clone(), "+234 803").await, ["Chioma Adeyemi"]);
}

#[tokio::test]
async fn messages_page_backwards_through_history_oldest_to_newest() {
    let (t, _standin) = spawn().await;
    let (alice, business) = t.sign_up_alice().await;
    let chat = NewChat::ada()
        .wrote_minutes_ago(1)
        .insert(&t, business)
        .await;
    for i in 1..=5 {
        insert_inbound(
            &t,
            business,
            chat,
            &format!("wamid.in{i}"),
            &format!("m{i}"),
            minutes_ago(10 - i),
        )
        .await;
    }
    let query = "query($c: ID!, $l: Int, $b: String) { messages(chatId: $c, last: $l, before: $b) {
        nodes { body direction sentBy status } pageInfo { hasPreviousPage hasNextPage startCursor } } }";
    let bodies = |v: &Value| -> Vec<String> {
        v["messages"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap().to_string())
            .collect()
    };
    let page_before = |cursor: &Value| {
        t.gql_ok(
            Some(&alice),
            query,
            json!({"c": chat_gid(chat), "l": 2, "b": cursor}),
        )
    };
    let newest = page_before(&Value::Null).await;
    assert_eq!(bodies(&newest), ["m4", "m5"]);
    assert_eq!(newest["messages"]["nodes"][0]["direction"], "INBOUND");
    assert_eq!(newest["messages"]["nodes"][0]["sentBy"], "CUSTOMER");
    assert_eq!(newest["messages"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(newest["messages"]["pageInfo"]["hasNextPage"], false);

    let older = page_before(&newest["messages"]["pageInfo"]["startCursor"]).await;
    assert_eq!(bodies(&older), ["m2", "m3"]);
    assert_eq!(older["messages"]["pageInfo"]["hasNextPage"], true);

    let oldest = page_before(&older["messages"]["pageInfo"]["startCursor"]).await;
    assert_eq!(bodies(&oldest), ["m1"]);
    assert_eq!(oldest["messages"]["pageInfo"]["hasPreviousPage"], false);
}

#[tokio::test]
async fn opening_a_chat_resets_unread_and_sends_a_read_receipt_for_the_latest_message() {
    let (t, standin) = spawn().await;
    let (alice, business, chat) =
        alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1).unread(2)).await;
    insert_inbound(&t, business, chat, "wamid.first", "Hi", minutes_ago(2)).await;
    insert_inbound(&t, business, chat, "wamid.latest", "Price?", minutes_ago(1)).await;

    let resp = t
        .gql_ok(
            Some(&alice),
            "mutation($c: ID!) { markChatRead(chatId: $c) { unreadCount } }",
            json!({"c": chat_gid(chat)}),
        )
        .await;
    assert_eq!(resp["markChatRead"]["unreadCount"], 0);
    let requests = standin.wait_for_requests(2, WAIT).await.unwrap();
    let receipt = &requests[1];
    assert_eq!(receipt.path, format!("/{PHONE_NUMBER_ID}/messages"));
    assert_eq!(
        receipt.body.clone().unwrap(),
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.latest"})
    );
}

#[tokio::test]
async fn taking_over_pauses_the_ai_for_that_chat_only() {
    let (t, _standin) = spawn().await;
    let (alice, business) = t.sign_up_alice().await;
    let paused = NewChat::phone("Ada", "2348011111111")
        .insert(&t, business)
        .await;
    let other = NewChat::phone("Bayo", "2348022222222")
        .insert(&t, business)
        .await;
    let set =
        "mutation($c: ID!, $p: Boolean!) { setChatAiPaused(chatId: $c, paused: $p) { aiPaused } }";
    let resp = t
        .gql_ok(Some(&alice), set, json!({"c": chat_gid(paused), "p": true}))
        .await;
    assert_eq!(resp["setChatAiPaused"]["aiPaused"], true);
    let read = "query($c: ID!) { chat(id: $c) { aiPaused } }";
    assert_eq!(
        t.gql_ok(Some(&alice), read, json!({"c": chat_gid(other)}))
            .await["chat"]["aiPaused"],
        false
    );
    assert_eq!(
        t.rows(&format!("chats WHERE id = {paused} AND ai_paused"))
            .await,
        1
    );
    let resumed = t
        .gql_ok(
            Some(&alice),
            set,
            json!({"c": chat_gid(paused), "p": false}),
        )
        .await;
    assert_eq!(resumed["setChatAiPaused"]["aiPaused"], false);
}

#[tokio::test]
async fn another_business_cannot_read_change_or_detect_a_chat() {
    let (t, standin) = spawn().await;
    let (_, alice_business, alices) =
        alice_chatting_with(&t, NewChat::ada().wrote_minutes_ago(1).unread(4)).await;
    let bob = t.sign_up("Bob Shoes", "bob@example.com").await;
    insert_inbound(
        &t,
        alice_business,
        alices,
        "wamid.secret",
        "my address is ...",
        minutes_ago(1),
    )
    .await;
    let missing = chat_gid(alices + 1000);
    let requests_before = standin.requests().len();

    let probes = [
        "query($c: ID!) { chat(id: $c) { id } }",
        "query($c: ID!) { messages(chatId: $c) { nodes { body } } }",
        "mutation($c: ID!) { sendMessage(chatId: $c, text: \"hi\") { id } }",
        "mutation($c: ID!) { sendTemplate(chatId: $c, template: {name: \"hello_world\"}) { id } }",
        "mutation($c: ID!) { markChatRead(chatId: $c) { id } }",
        "mutation($c: ID!) { setChatAiPaused(chatId: $c, paused: true) { id } }",
    ];
    for query in probes {
        let foreign = t
            .gql(Some(&bob), query, json!({"c": chat_gid(alices)}))
            .await;
        let absent = t.gql(Some(&bob), query, json!({"c": missing})).await;
        assert_eq!(error_code(&foreign), "NOT_FOUND", "{query}: {foreign}");
        assert_eq!(
            foreign["errors"][0]["message"], absent["errors"][0]["message"],
            "{query}: another business's chat must look exactly like a missing one"
        );
        assert!(!foreign.to_string().contains("my address"));
    }
    let bobs_list = t.query_ok(&bob, "{ chats { nodes { id } } }").await;
    assert_eq!(bobs_list["chats"]["nodes"], json!([]));
    assert_eq!(
        standin.requests().len(),
        requests_before,
        "nothing reached Meta"
    );
    assert_eq!(
        t.rows(&format!(
            "chats WHERE id = {alices} AND unread_count = 4 AND NOT ai_paused"
        ))
        .await,
        1,
        "Alice's chat is untouched"
    );
    assert_eq!(t.rows("messages WHERE direction = 'outbound'").await, 0);
}

#[tokio::test]
async fn inbox_fields_need_a_caller() {
    let (t, _standin) = spawn().await;
    let resp = t.gql(None, "{ chats { nodes { id } } }", json!({})).await;
    assert_eq!(error_code(&resp), "UNAUTHENTICATED");
}
