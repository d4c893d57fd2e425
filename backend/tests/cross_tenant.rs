//! The schema-wide cross-tenant suite (issue 12): every query, mutation and
//! subscription of `schema.graphql` states its tenancy case in the tables below, and
//! each case is exercised between two businesses. Alice owns one of everything; Bob
//! calls every id-taking field with her ids (each must answer exactly like an id that
//! exists nowhere, and change nothing of hers), reads his own lists (none of her data
//! may appear), and listens to every stream (none of her events may arrive). A field
//! added to the schema without a case fails `every_root_field_states_its_tenancy_case`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use standins::anthropic::Scripted;
use standins::webhook::Customer;

use crate::agent_support::World;
use crate::common::{TestApp, decode_id, encode_id, error_code, png_bytes, schema_root_fields};
use crate::inbox_support::{WAIT, WsClient, WsEvent, chat_messages};
use crate::webhook_support::{self, Shop};

/// How a root field keeps one business's data from another.
///
/// Operations in a case name their variables by what they hold: `$product`, `$chat`,
/// ... take Alice's id of that name (see [`Ids`]); `$bobProduct` takes Bob's own
/// product; `$due` a time tomorrow; `$f` one uploaded PNG (a multipart request);
/// `$password` and `$newPassword` the caller's password now and a new one.
#[derive(Debug, Clone, Copy)]
enum Case {
    /// Takes ids of business data. Bob runs each operation twice, with Alice's ids and
    /// with ids of the same types that exist nowhere: the two answers must be the same
    /// (same data, same error code and message), and Alice's data must not change.
    Probe(&'static [&'static str]),
    /// Takes no ids and answers (or changes) only the caller's own data: Bob's answer
    /// holds none of Alice's ids, names, numbers or texts, and for a query it is the same
    /// before and after Alice filled her business.
    CallerScoped(&'static str),
    /// Both: a list of the caller's own data, whose filters take ids (probed).
    ScopedList(&'static str, &'static [&'static str]),
    /// Caller-scoped, and it ends Bob's session, sessions or business: run last, in the
    /// schema's order, each after a new sign-in.
    CallerScopedEnding(&'static str),
    /// Touches no business's data (the reason says why).
    Public(&'static str),
    /// A subscription, with the selection Bob listens with: it must carry something
    /// that names its business (a name or text with "Bob" in it for Bob's events).
    Stream(&'static str),
}

use Case::*;

/// A product input as a GraphQL literal.
macro_rules! product_literal {
    ($name:literal) => {
        concat!(
            "{name: \"",
            $name,
            "\", description: \"Hijack\", price: 2000000, currency: \"NGN\", discountKind: PERCENT, discountValue: 10, bargainFloor: 1500000, quantity: 12, colors: [\"Red\"]}"
        )
    };
}

/// Every field of `type QueryRoot` and its tenancy case.
const QUERY_CASES: &[(&str, Case)] = &[
    ("me", CallerScoped("{ me { id email name role } }")),
    (
        "business",
        CallerScoped("{ business { id name businessType country aiEnabled aiInstructions } }"),
    ),
    (
        "products",
        CallerScoped(
            "{ products(first: 50) { totalCount nodes { id name images { id } } }
               archived: products(first: 50, archived: true) { totalCount nodes { id name } } }",
        ),
    ),
    (
        "product",
        Probe(&["query($product: ID!) { product(id: $product) { id name } }"]),
    ),
    (
        "whatsappConnection",
        CallerScoped(
            "{ whatsappConnection { id phoneNumberId wabaId verifiedName accessTokenHint status } }",
        ),
    ),
    (
        "whatsappSignup",
        Public("the operator's Embedded Signup settings, the same for every business"),
    ),
    (
        "messageTemplates",
        CallerScoped("{ messageTemplates { name language body } }"),
    ),
    (
        "webhookSetup",
        Public("the operator's one callback URL and verify token, the same for every business"),
    ),
    (
        "chats",
        CallerScoped(
            "{ chats(first: 50) { nodes { id lastMessagePreview unreadCount contact { id name waId userId } } } }",
        ),
    ),
    (
        "chat",
        Probe(&["query($chat: ID!) { chat(id: $chat) { id lastMessagePreview } }"]),
    ),
    (
        "messages",
        Probe(&["query($chat: ID!) { messages(chatId: $chat, last: 10) { nodes { id body } } }"]),
    ),
    (
        "aiSettings",
        CallerScoped("{ aiSettings { anthropicKeyHint usesOwnKey dailyTokenBudget } }"),
    ),
    (
        "orders",
        ScopedList(
            "{ orders(first: 50) { totalCount nodes { id number customerName deliveryDetails } } }",
            &[
                "query($contact: ID!) { orders(first: 10, filter: {contactId: $contact}) { totalCount nodes { id } } }",
            ],
        ),
    ),
    (
        "orderTotals",
        ScopedList(
            "{ orderTotals { count byCurrency { count total { amountMinor } } } }",
            &[
                "query($contact: ID!) { orderTotals(filter: {contactId: $contact}) { count byCurrency { count } } }",
            ],
        ),
    ),
    (
        "order",
        Probe(&["query($order: ID!) { order(id: $order) { id number } }"]),
    ),
    (
        "orderNotificationSettings",
        CallerScoped("{ orderNotificationSettings { enabled template templateLanguage } }"),
    ),
    (
        "previewAiReply",
        CallerScoped(
            "{ previewAiReply(message: \"Do you have dresses?\") { reply responder toolCalls { name result } } }",
        ),
    ),
    (
        "activity",
        ScopedList(
            "{ activity(first: 100) { nodes { id kind summary details actor { name } } } }",
            &[
                "query($order: ID!) { activity(first: 10, filter: {subjectId: $order}) { nodes { id } } }",
                "query($chat: ID!) { activity(first: 10, filter: {subjectId: $chat}) { nodes { id } } }",
                "query($product: ID!) { activity(first: 10, filter: {subjectId: $product}) { nodes { id } } }",
            ],
        ),
    ),
    (
        "blacklist",
        CallerScoped("{ blacklist(first: 50) { nodes { id value reason } } }"),
    ),
    (
        "followUps",
        ScopedList(
            "{ followUps(first: 50) { nodes { id text chatId } } }",
            &["query($chat: ID!) { followUps(first: 10, chatId: $chat) { nodes { id } } }"],
        ),
    ),
    (
        "followUp",
        Probe(&["query($followUp: ID!) { followUp(id: $followUp) { id text } }"]),
    ),
    (
        "followUpRule",
        CallerScoped("{ followUpRule { enabled afterHours text } }"),
    ),
    (
        "dealApprovals",
        ScopedList(
            "{ dealApprovals(first: 50) { nodes { id productName chatId } } }",
            &["query($chat: ID!) { dealApprovals(first: 10, chatId: $chat) { nodes { id } } }"],
        ),
    ),
    (
        "dealApproval",
        Probe(&[
            "query($dealApproval: ID!) { dealApproval(id: $dealApproval) { id productName } }",
        ]),
    ),
    (
        "dealApprovalSettings",
        CallerScoped("{ dealApprovalSettings { enabled bulkQuantity expiryMinutes } }"),
    ),
    (
        "dashboard",
        CallerScoped(
            "{ dashboard { openChats unansweredChats aiReplies aiHandoffs topProducts { productId name units } } }",
        ),
    ),
    (
        "whyThisReply",
        Probe(&[
            "query($message: ID!) { whyThisReply(messageId: $message) { responder model products { name } } }",
        ]),
    ),
    ("sessions", CallerScoped("{ sessions { id userAgent ip } }")),
    ("apiTokens", CallerScoped("{ apiTokens { id name scope } }")),
    (
        "staffMembers",
        CallerScoped("{ staffMembers { id email name role } }"),
    ),
    (
        "staffInvites",
        CallerScoped("{ staffInvites { id email } }"),
    ),
    (
        "dataExport",
        CallerScoped("{ dataExport { url method contentType files } }"),
    ),
    (
        "privacySettings",
        CallerScoped("{ privacySettings { messageRetentionDays } }"),
    ),
];

/// Every field of `type MutationRoot` and its tenancy case.
const MUTATION_CASES: &[(&str, Case)] = &[
    (
        "signUp",
        Public("creates a new business; takes no business's ids"),
    ),
    (
        "logIn",
        Public("an email and password; takes no business's ids"),
    ),
    (
        "acceptInvite",
        Public("takes an invitation's secret, not an id (staff.rs: a wrong one is refused)"),
    ),
    ("logOut", CallerScopedEnding("mutation { logOut }")),
    (
        "updateBusiness",
        CallerScoped(
            "mutation { updateBusiness(input: {aiInstructions: \"Bob sells shoes\"}) { id name aiInstructions } }",
        ),
    ),
    (
        "createProduct",
        CallerScoped(concat!(
            "mutation { createProduct(input: ",
            product_literal!("Bob's boots"),
            ") { id name } }"
        )),
    ),
    (
        "updateProduct",
        Probe(&[concat!(
            "mutation($product: ID!) { updateProduct(id: $product, input: ",
            product_literal!("Hijacked by Bob"),
            ") { id name } }"
        )]),
    ),
    (
        "addProductImages",
        Probe(&[
            "mutation($product: ID!, $f: [Upload!]!) { addProductImages(id: $product, images: $f) { id images { id } } }",
        ]),
    ),
    (
        "removeProductImage",
        Probe(&[
            "mutation($product: ID!, $image: ID!) { removeProductImage(id: $product, imageId: $image) { id } }",
            "mutation($bobProduct: ID!, $image: ID!) { removeProductImage(id: $bobProduct, imageId: $image) { id } }",
        ]),
    ),
    (
        "archiveProduct",
        Probe(&["mutation($product: ID!) { archiveProduct(id: $product) { id archived } }"]),
    ),
    (
        "unarchiveProduct",
        Probe(&["mutation($archived: ID!) { unarchiveProduct(id: $archived) { id archived } }"]),
    ),
    (
        "deleteProduct",
        Probe(&["mutation($product: ID!) { deleteProduct(id: $product) }"]),
    ),
    (
        "connectWhatsApp",
        CallerScoped(
            "mutation { connectWhatsApp(input: {phoneNumberId: \"555000222\", wabaId: \"102290129340398\",
               displayPhoneNumber: \"+1 555 0222\", accessToken: \"EAAG-fixture-token-555000222\"}) {
               id phoneNumberId verifiedName status } }",
        ),
    ),
    (
        "connectWhatsAppWithMeta",
        CallerScoped(
            "mutation { connectWhatsAppWithMeta(input: {code: \"AQB-bob\", wabaId: \"102290129340398\",
               phoneNumberId: \"555000222\", coexistence: true}) { id status } }",
        ),
    ),
    (
        "disconnectWhatsApp",
        CallerScopedEnding("mutation { disconnectWhatsApp { id phoneNumberId status } }"),
    ),
    (
        "sendMessage",
        Probe(&[
            "mutation($chat: ID!) { sendMessage(chatId: $chat, text: \"Bob was here\") { id body } }",
        ]),
    ),
    (
        "sendAttachment",
        Probe(&[
            "mutation($chat: ID!, $f: Upload!) { sendAttachment(chatId: $chat, file: $f, caption: \"Bob was here\") { id body } }",
        ]),
    ),
    (
        "sendTemplate",
        Probe(&[
            "mutation($chat: ID!) { sendTemplate(chatId: $chat, template: {name: \"hello_world\", language: \"en_US\"}) { id } }",
        ]),
    ),
    (
        "markChatRead",
        Probe(&["mutation($chat: ID!) { markChatRead(chatId: $chat) { id unreadCount } }"]),
    ),
    (
        "setChatAiPaused",
        Probe(&[
            "mutation($chat: ID!) { setChatAiPaused(chatId: $chat, paused: true) { id aiPaused } }",
        ]),
    ),
    (
        "updateContact",
        Probe(&[
            "mutation($contact: ID!) { updateContact(input: {id: $contact, name: \"Hijacked by Bob\", notes: \"Bob was here\"}) { id name } }",
        ]),
    ),
    (
        "setAnthropicKey",
        CallerScoped(
            "mutation { setAnthropicKey(apiKey: \"sk-ant-api03-bobbobbobbobbobbobbob\") { usesOwnKey anthropicKeyHint } }",
        ),
    ),
    (
        "clearAnthropicKey",
        CallerScoped("mutation { clearAnthropicKey { usesOwnKey anthropicKeyHint } }"),
    ),
    (
        "updateAiSettings",
        CallerScoped(
            "mutation { updateAiSettings(input: {dailyTokenBudget: 5000}) { dailyTokenBudget } }",
        ),
    ),
    (
        "addToBlacklist",
        Probe(&[
            "mutation($contact: ID!) { addToBlacklist(input: {contactId: $contact, reason: \"Bob was here\"}) { id value } }",
        ]),
    ),
    (
        "removeFromBlacklist",
        Probe(&[
            "mutation($blacklistEntry: ID!) { removeFromBlacklist(id: $blacklistEntry) }",
            "mutation($contact: ID!) { removeFromBlacklist(id: $contact) }",
        ]),
    ),
    (
        "scheduleFollowUp",
        Probe(&[
            "mutation($chat: ID!, $due: DateTime!) { scheduleFollowUp(input: {chatId: $chat, dueAt: $due, text: \"Bob was here\"}) { id } }",
        ]),
    ),
    (
        "cancelFollowUp",
        Probe(&["mutation($followUp: ID!) { cancelFollowUp(id: $followUp) { id status } }"]),
    ),
    (
        "updateFollowUpRule",
        CallerScoped(
            "mutation { updateFollowUpRule(input: {enabled: true, afterHours: 12}) { enabled afterHours text } }",
        ),
    ),
    (
        "createOrder",
        Probe(&[
            "mutation($contact: ID!, $bobProduct: ID!) { createOrder(input: {customer: {contactId: $contact},
               items: [{productId: $bobProduct, quantity: 1}], deliveryDetails: \"Bob's shop\"}) { id } }",
            "mutation($product: ID!) { createOrder(input: {customer: {new: {name: \"Bob's walk-in\", phone: \"+234 809 555 0000\"}},
               items: [{productId: $product, color: \"Red\", quantity: 1}], deliveryDetails: \"Bob's shop\"}) { id } }",
        ]),
    ),
    (
        "updateOrder",
        Probe(&[
            "mutation($order: ID!) { updateOrder(id: $order, input: {notes: \"Bob was here\"}) { id notes } }",
        ]),
    ),
    (
        "updateOrderNotificationSettings",
        CallerScoped(
            "mutation { updateOrderNotificationSettings(input: {enabled: true}) { enabled template } }",
        ),
    ),
    (
        "confirmOrder",
        Probe(&["mutation($order: ID!) { confirmOrder(id: $order) { id status } }"]),
    ),
    (
        "completeOrder",
        Probe(&["mutation($order: ID!) { completeOrder(id: $order) { id status } }"]),
    ),
    (
        "cancelOrder",
        Probe(&[
            "mutation($order: ID!) { cancelOrder(id: $order, reason: \"Bob was here\") { id status } }",
        ]),
    ),
    (
        "approveDeal",
        Probe(&[
            "mutation($dealApproval: ID!) { approveDeal(input: {id: $dealApproval, note: \"Bob was here\"}) { id status } }",
        ]),
    ),
    (
        "declineDeal",
        Probe(&[
            "mutation($dealApproval: ID!) { declineDeal(input: {id: $dealApproval, note: \"Bob was here\"}) { id status } }",
        ]),
    ),
    (
        "updateDealApprovalSettings",
        CallerScoped(
            "mutation { updateDealApprovalSettings(input: {enabled: true, expiryMinutes: 90}) { enabled expiryMinutes } }",
        ),
    ),
    (
        "revokeSession",
        Probe(&["mutation($session: ID!) { revokeSession(id: $session) }"]),
    ),
    (
        "logOutEverywhere",
        CallerScopedEnding("mutation { logOutEverywhere }"),
    ),
    (
        "changePassword",
        CallerScopedEnding(
            "mutation($password: String!, $newPassword: String!) { changePassword(input: {currentPassword: $password, newPassword: $newPassword}) }",
        ),
    ),
    (
        "createApiToken",
        CallerScoped(
            "mutation { createApiToken(input: {name: \"Bob's sync\", scope: READ}) { apiToken { id name } } }",
        ),
    ),
    (
        "revokeApiToken",
        Probe(&["mutation($apiToken: ID!) { revokeApiToken(id: $apiToken) { id name } }"]),
    ),
    (
        "inviteStaff",
        CallerScoped(
            "mutation { inviteStaff(email: \"bobs-helper@example.com\") { invite { id email } } }",
        ),
    ),
    (
        "revokeStaffInvite",
        Probe(&["mutation($invite: ID!) { revokeStaffInvite(id: $invite) { id email } }"]),
    ),
    (
        "removeStaff",
        Probe(&[
            "mutation($staff: ID!) { removeStaff(id: $staff) { id email } }",
            "mutation($owner: ID!) { removeStaff(id: $owner) { id email } }",
        ]),
    ),
    (
        "submitContactForm",
        Public("a message to the operator; takes no business's ids"),
    ),
    (
        "updatePrivacySettings",
        CallerScoped(
            "mutation { updatePrivacySettings(input: {messageRetentionDays: 30}) { messageRetentionDays } }",
        ),
    ),
    (
        "eraseCustomer",
        Probe(&[
            "mutation($contact: ID!) { eraseCustomer(contactId: $contact) { messages followUps ordersAnonymised } }",
        ]),
    ),
    (
        "deleteAccount",
        CallerScopedEnding("mutation($password: String!) { deleteAccount(password: $password) }"),
    ),
];

/// Every field of `type SubscriptionRoot` and its tenancy case.
const SUBSCRIPTION_CASES: &[(&str, Case)] = &[
    (
        "messageAdded",
        Stream("subscription { messageAdded { chatId body } }"),
    ),
    (
        "messageStatusChanged",
        Stream("subscription { messageStatusChanged { chatId body status } }"),
    ),
    (
        "chatUpdated",
        Stream("subscription { chatUpdated { id contact { name } } }"),
    ),
    (
        "productChanged",
        Stream("subscription { productChanged { id name } }"),
    ),
    (
        "orderChanged",
        Stream("subscription { orderChanged { id customerName deliveryDetails } }"),
    ),
    (
        "activityAdded",
        Stream("subscription { activityAdded { id kind summary details actor { name } } }"),
    ),
    (
        "blacklistChanged",
        Stream("subscription { blacklistChanged { id removed entry { value reason } } }"),
    ),
    (
        "followUpChanged",
        Stream("subscription { followUpChanged { id text status } }"),
    ),
    (
        "dealApprovalChanged",
        Stream("subscription { dealApprovalChanged { id productName decisionNote status } }"),
    ),
];

#[test]
fn every_root_field_states_its_tenancy_case() {
    for (root, cases) in [
        ("QueryRoot", QUERY_CASES),
        ("MutationRoot", MUTATION_CASES),
        ("SubscriptionRoot", SUBSCRIPTION_CASES),
    ] {
        let in_schema = schema_root_fields(root);
        let stated: BTreeSet<String> = cases.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(stated.len(), cases.len(), "{root}: a field is listed twice");
        let unstated: Vec<_> = in_schema.difference(&stated).collect();
        let gone: Vec<_> = stated.difference(&in_schema).collect();
        assert!(
            unstated.is_empty(),
            "{root} fields without a tenancy case (add them to the cases of cross_tenant.rs): {unstated:?}"
        );
        assert!(
            gone.is_empty(),
            "{root}: tenancy cases for fields not in the schema: {gone:?}"
        );
        for (name, case) in cases {
            // Each operation of a case calls its own field, and only a subscription streams.
            let operations: Vec<&str> = match case {
                Probe(ops) => ops.to_vec(),
                CallerScoped(op) | CallerScopedEnding(op) | Stream(op) => vec![op],
                ScopedList(op, ops) => std::iter::once(*op).chain(ops.iter().copied()).collect(),
                Public(reason) => {
                    assert!(!reason.is_empty(), "{root}.{name}: say why it is public");
                    vec![]
                }
            };
            for op in operations {
                assert!(
                    op.contains(&format!("{name}(")) || op.contains(&format!("{name} ")),
                    "{root}.{name}: the operation of its case does not call it: {op}"
                );
            }
            assert_eq!(
                matches!(case, Stream(_)),
                root == "SubscriptionRoot",
                "{root}.{name}: streams are the subscriptions' case, and theirs only"
            );
        }
    }
}

/// Alice's ids, by the variable names the cases use.
type Ids = BTreeMap<&'static str, String>;

/// An id of the same type as `id` that exists nowhere.
fn missing_like(id: &str) -> String {
    let text = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id).unwrap(),
    )
    .unwrap();
    let (kind, key) = text.split_once(':').unwrap();
    match key.parse::<u64>() {
        Ok(n) => encode_id(kind, n + 1_000_000),
        // Sessions are keyed by a UUID.
        Err(_) => base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            format!("{kind}:{}", uuid::Uuid::new_v4()),
        ),
    }
}

/// The variables an operation declares (`$name`), from its header.
fn declared_variables(operation: &str) -> Vec<String> {
    let header = operation.split('{').next().unwrap();
    header
        .split('$')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// Where an operation's variables come from.
struct Variables<'a> {
    /// Alice's ids, or ids of the same types that exist nowhere.
    ids: &'a Ids,
    /// Bob's own ids.
    bob: &'a Ids,
    /// The caller's password now.
    password: &'a str,
}

/// Fills the variables `operation` declares; panics on a name nobody provides.
fn variables(operation: &str, from: &Variables) -> Value {
    let mut vars = json!({});
    for name in declared_variables(operation) {
        let value = match name.as_str() {
            "f" => continue,
            "due" => json!((chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()),
            "password" => json!(from.password),
            "newPassword" => json!(NEW_PASSWORD),
            bob if bob.starts_with("bob") => json!(from.bob[bob]),
            id => json!(
                from.ids
                    .get(id)
                    .unwrap_or_else(|| panic!("no id named {id} for {operation}"))
            ),
        };
        vars[name] = value;
    }
    vars
}

/// The password `changePassword` sets.
const NEW_PASSWORD: &str = "correct-horse-2";

/// Runs `operation` as `token`: a multipart request when it takes `$f`.
async fn run(t: &TestApp, token: &str, operation: &str, vars: Value) -> Value {
    if declared_variables(operation).iter().any(|v| v == "f") {
        t.gql_upload(token, operation, vars, png_bytes(), "bob.png")
            .await
    } else {
        t.gql(Some(token), operation, vars).await
    }
}

/// Everything of Alice's that Bob could change, as Alice sees it (nothing that moves by
/// itself: no times, no delivery statuses).
async fn alice_snapshot(t: &TestApp, alice: &str, ids: &Ids) -> Value {
    t.gql_ok(
        Some(alice),
        "query($chat: ID!) {
          business { name aiEnabled aiInstructions }
          products(first: 50) { nodes { id name description quantity archived images { id } } }
          archived: products(first: 50, archived: true) { nodes { id name quantity archived } }
          chats(first: 50) { nodes { id unreadCount aiPaused contact { id name customName notes blacklisted } } }
          messages(chatId: $chat, last: 50) { nodes { id body direction sentBy } }
          orders(first: 50) { nodes { id status notes deliveryDetails customerName items { name quantity } } }
          blacklist(first: 50) { nodes { id value reason } }
          followUps(first: 50) { nodes { id status text } }
          dealApprovals(first: 50) { nodes { id status decisionNote } }
          activity(first: 100) { nodes { id kind summary } }
          apiTokens { id name }
          staffMembers { id email name }
          staffInvites { id email }
          sessions { id }
          whatsappConnection { id phoneNumberId status }
          aiSettings { usesOwnKey anthropicKeyHint dailyTokenBudget }
          followUpRule { enabled afterHours text }
          orderNotificationSettings { enabled template }
          dealApprovalSettings { enabled expiryMinutes }
          privacySettings { messageRetentionDays }
        }",
        json!({"chat": ids["chat"]}),
    )
    .await
}

/// What of Alice's must never appear in Bob's answers: her ids (as whole JSON strings)
/// and her names, numbers, emails and texts.
fn alice_markers(ids: &Ids) -> Vec<String> {
    let mut markers: Vec<String> = ids.values().map(|id| format!("\"{id}\"")).collect();
    markers.extend(
        [
            "Ada Boutique",
            "ada-boutique@shops.test",
            "Ankara wrap dress",
            "Gold hoop earrings",
            "Ada Customer",
            "2348011112222",
            "555000111",
            "Can I have the dress for 15,000?",
            "Let me check with the shop",
            "Alice's",
            "sam@example.com",
            "later@alice.test",
        ]
        .map(str::to_string),
    );
    markers
}

/// Panics when `answer` holds any of `markers`.
fn assert_holds_none(what: &str, answer: &Value, markers: &[String]) {
    let text = answer.to_string();
    for marker in markers {
        assert!(
            !text.contains(marker.as_str()),
            "{what}: Bob's answer holds Alice's {marker}: {answer}"
        );
    }
}

/// Alice's business: a connected number and a catalog (the agent world), a customer
/// who wrote through the signed webhook and got an AI reply that asked the owner to
/// approve a deal, an image, an archived product, an order, a follow-up, a blacklisted
/// customer, a staff member, a pending invitation, an API token and her session; and
/// Bob's shop with a connected number and a product. Returns the world (Alice's), Bob's
/// token and Bob's ids.
async fn alice_and_bob() -> (World, String, Ids) {
    let world = World::new().await;
    let t = &world.app;
    let bob_shop: Shop = webhook_support::shop(t, "Bob Shoes", "555000222").await;
    world.graph.standin.add_number(
        "555000222",
        "EAAG-fixture-token-555000222",
        "15550002222",
        "Bob Shoes",
    );
    let bob = bob_shop.token.clone();
    let bob_product = t
        .create_product_from(
            &bob,
            json!({
                "name": "Bob's sneakers", "description": "Canvas", "price": 1_000_000,
                "currency": "NGN", "discountKind": "NONE", "discountValue": 0,
                "bargainFloor": 900_000, "quantity": 5, "colors": ["Black"]
            }),
        )
        .await;
    let bob_ids: Ids = [("bobProduct", bob_product)].into_iter().collect();
    (world, bob, bob_ids)
}

/// Fills Alice's business (see [`alice_and_bob`]); returns her ids.
async fn fill_alice(world: &World) -> Ids {
    let t = &world.app;
    let alice = world.token.as_str();
    let mut ids = Ids::new();
    let dress = encode_id("Product", world.dress_id);
    let image = t
        .gql_upload(
            alice,
            "mutation($id: ID!, $f: [Upload!]!) { addProductImages(id: $id, images: $f) { images { id } } }",
            json!({"id": dress}),
            png_bytes(),
            "dress.png",
        )
        .await;
    ids.insert(
        "image",
        image["data"]["addProductImages"]["images"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{image}"))
            .to_string(),
    );
    ids.insert("product", dress.clone());

    // The customer asks below the floor: the AI asks the owner and says so.
    t.gql_ok(
        Some(alice),
        "mutation { updateDealApprovalSettings(input: {enabled: true}) { enabled } }",
        json!({}),
    )
    .await;
    world.model.push([
        Scripted::tool_use(
            "tu_ask",
            "make_counter_offer",
            json!({"product_id": world.dress_id, "customer_offer": 15000}),
        ),
        Scripted::text("Let me check with the shop and come back to you shortly."),
    ]);
    world
        .customer_says_and_gets("Can I have the dress for 15,000?", 1)
        .await;
    world.jobs_settled().await;
    let chats = world
        .owner_query("{ chats(first: 1) { nodes { id contact { id } } } dealApprovals(first: 1) { nodes { id } } }")
        .await;
    let chat = chats["chats"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ids.insert(
        "contact",
        chats["chats"]["nodes"][0]["contact"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    ids.insert(
        "dealApproval",
        chats["dealApprovals"]["nodes"][0]["id"]
            .as_str()
            .expect("a pending deal approval")
            .to_string(),
    );
    let ai_reply = chat_messages(t, alice, &chat)
        .await
        .into_iter()
        .find(|m| m["sentBy"] == "AI")
        .expect("the AI replied");
    ids.insert("message", ai_reply["id"].as_str().unwrap().to_string());
    ids.insert("chat", chat.clone());

    let mutate =
        |query: &'static str, vars: Value| async move { t.gql_ok(Some(alice), query, vars).await };
    let earrings = mutate(
        "{ products(first: 10, search: \"earrings\") { nodes { id } } }",
        json!({}),
    )
    .await["products"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let order = mutate(
        "mutation($c: ID!, $p: ID!) { createOrder(input: {customer: {contactId: $c},
           items: [{productId: $p, quantity: 1}], deliveryDetails: \"Alice's customer, 4 Marina Road, Lagos\",
           notes: \"Alice's gift wrap\"}) { id } }",
        json!({"c": ids["contact"], "p": earrings}),
    )
    .await;
    ids.insert(
        "order",
        order["createOrder"]["id"].as_str().unwrap().to_string(),
    );
    mutate(
        "mutation($p: ID!) { archiveProduct(id: $p) { id } }",
        json!({"p": earrings}),
    )
    .await;
    ids.insert("archived", earrings);
    let follow_up = mutate(
        "mutation($c: ID!, $d: DateTime!) { scheduleFollowUp(input: {chatId: $c, dueAt: $d,
           text: \"Alice's follow-up: still want the dress?\"}) { id } }",
        json!({"c": chat, "d": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339()}),
    )
    .await;
    ids.insert(
        "followUp",
        follow_up["scheduleFollowUp"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let entry = mutate(
        "mutation($c: ID!) { addToBlacklist(input: {contactId: $c, reason: \"Alice's blocked customer\"}) { id } }",
        json!({"c": ids["contact"]}),
    )
    .await;
    ids.insert(
        "blacklistEntry",
        entry["addToBlacklist"]["id"].as_str().unwrap().to_string(),
    );

    let sam = mutate(
        "mutation { inviteStaff(email: \"sam@example.com\") { token } }",
        json!({}),
    )
    .await;
    let joined = t
        .gql_ok(
            None,
            "mutation($t: String!) { acceptInvite(input: {token: $t, name: \"Sam\", password: \"staff-password-1\"}) { user { id } } }",
            json!({"t": sam["inviteStaff"]["token"]}),
        )
        .await;
    ids.insert(
        "staff",
        joined["acceptInvite"]["user"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let invite = mutate(
        "mutation { inviteStaff(email: \"later@alice.test\") { invite { id } } }",
        json!({}),
    )
    .await;
    ids.insert(
        "invite",
        invite["inviteStaff"]["invite"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let token = mutate(
        "mutation { createApiToken(input: {name: \"Alice's sync\", scope: WRITE}) { apiToken { id } } }",
        json!({}),
    )
    .await;
    ids.insert(
        "apiToken",
        token["createApiToken"]["apiToken"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let me = mutate("{ me { id } sessions { id } }", json!({})).await;
    ids.insert("owner", me["me"]["id"].as_str().unwrap().to_string());
    ids.insert(
        "session",
        me["sessions"][0]["id"].as_str().unwrap().to_string(),
    );
    world.jobs_settled().await;
    ids
}

/// Bob's answers to every caller-scoped query. The AI preview is answered by the
/// scripted model; what the model was sent must hold none of Alice's catalog either.
async fn bob_scoped_answers(
    world: &World,
    bob: &str,
    markers: &[String],
) -> BTreeMap<String, Value> {
    let mut answers = BTreeMap::new();
    for (name, case) in QUERY_CASES {
        let (CallerScoped(query) | ScopedList(query, _)) = case else {
            continue;
        };
        if *name == "previewAiReply" {
            world
                .model
                .push([Scripted::text("Bob's preview: we sell sneakers.")]);
        }
        let answer = world.app.gql(Some(bob), query, json!({})).await;
        assert!(answer.get("errors").is_none(), "{name}: {answer}");
        assert_holds_none(name, &answer, markers);
        answers.insert(name.to_string(), answer);
    }
    let prompts: Vec<Value> = world
        .model
        .requests()
        .iter()
        .map(|r| r.body.clone())
        .collect();
    let last = prompts.last().expect("the preview asked the model");
    assert!(last.to_string().contains("Do you have dresses?"), "{last}");
    assert_holds_none("the preview's prompt", last, markers);
    answers
}

#[tokio::test]
async fn another_business_ids_answer_like_missing_ones_and_its_lists_hold_nothing_of_mine() {
    let (world, bob, bob_ids) = alice_and_bob().await;
    let t = &world.app;
    let alice = world.token.clone();

    // Bob's own answers before Alice's business has anything in it but her catalog.
    let base_markers = alice_markers(&Ids::new());
    let before = bob_scoped_answers(&world, &bob, &base_markers).await;

    let ids = fill_alice(&world).await;
    let missing: Ids = ids.iter().map(|(k, v)| (*k, missing_like(v))).collect();
    let markers = alice_markers(&ids);
    let snapshot = alice_snapshot(t, &alice, &ids).await;
    // The snapshot sees what was seeded, so an unchanged snapshot means something.
    for id in [
        "product",
        "chat",
        "order",
        "followUp",
        "dealApproval",
        "blacklistEntry",
        "apiToken",
        "invite",
    ] {
        assert!(
            snapshot.to_string().contains(&format!("\"{}\"", ids[id])),
            "the snapshot shows Alice's {id}: {snapshot}"
        );
    }

    // Bob's lists are what they were, and hold nothing of Alice's.
    let after = bob_scoped_answers(&world, &bob, &markers).await;
    for (name, answer) in &after {
        if *name != "previewAiReply" {
            assert_eq!(
                answer, &before[name],
                "{name}: Bob's answer changed when Alice filled her business"
            );
        }
    }

    // Every probe: Alice's ids answer exactly like ids that exist nowhere.
    let mut probed = 0;
    for (name, case) in QUERY_CASES.iter().chain(MUTATION_CASES) {
        let (Probe(operations) | ScopedList(_, operations)) = case else {
            continue;
        };
        for operation in *operations {
            let foreign = variables(
                operation,
                &Variables {
                    ids: &ids,
                    bob: &bob_ids,
                    password: "",
                },
            );
            let nowhere = variables(
                operation,
                &Variables {
                    ids: &missing,
                    bob: &bob_ids,
                    password: "",
                },
            );
            let answer = run(t, &bob, operation, foreign).await;
            let baseline = run(t, &bob, operation, nowhere).await;
            assert_eq!(
                answer, baseline,
                "{name}: Alice's ids must answer exactly like missing ones\n  {operation}"
            );
            assert_holds_none(name, &answer, &markers);
            // A typo in a probe would answer both runs with the same validation error.
            assert!(
                answer.get("errors").is_none() || error_code(&answer) == "NOT_FOUND",
                "{name}: {answer}"
            );
            probed += 1;
        }
    }
    assert!(probed >= 40, "{probed} probes");

    // Bob's own changes (no ids) touch only his business.
    for (name, case) in MUTATION_CASES {
        if let CallerScoped(operation) = case {
            let answer = t.gql(Some(&bob), operation, json!({})).await;
            // Embedded Signup is not set up on this server (embedded_signup.rs sets it up).
            if *name != "connectWhatsAppWithMeta" {
                assert!(answer.get("errors").is_none(), "{name}: {answer}");
            }
            assert_holds_none(name, &answer, &markers);
        }
    }
    assert_eq!(
        alice_snapshot(t, &alice, &ids).await,
        snapshot,
        "Bob's calls changed Alice's business"
    );

    // Last, what ends Bob's sessions and business, each after a new sign-in.
    let mut password = "correct-horse-1".to_string();
    for (name, case) in MUTATION_CASES {
        let CallerScopedEnding(operation) = case else {
            continue;
        };
        let token = t
            .gql_ok(
                None,
                "mutation($p: String!) { logIn(input: {email: \"bob-shoes@shops.test\", password: $p}) { token } }",
                json!({"p": password}),
            )
            .await["logIn"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        let vars = variables(
            operation,
            &Variables {
                ids: &ids,
                bob: &bob_ids,
                password: &password,
            },
        );
        let answer = t.gql(Some(&token), operation, vars).await;
        assert!(answer.get("errors").is_none(), "{name}: {answer}");
        assert_holds_none(name, &answer, &markers);
        if declared_variables(operation)
            .iter()
            .any(|v| v == "newPassword")
        {
            password = NEW_PASSWORD.to_string();
        }
    }
    assert_eq!(
        t.rows("businesses").await,
        1,
        "Bob's business is gone, Alice's is not"
    );
    assert_eq!(
        alice_snapshot(t, &alice, &ids).await,
        snapshot,
        "ending Bob's sessions and business changed Alice's"
    );
}

/// A pending deal approval inserted for `business` (raised by the AI in real life, see
/// deal_approvals.rs); returns its id.
async fn pending_deal(t: &TestApp, business: u64, chat: u64, product: u64, name: &str) -> String {
    t.execute(&format!(
        "INSERT INTO deal_approvals (business_id, chat_id, product_id, product_name, quantity, reason,
           currency, customer_ask_minor, floor_minor, offered_minor, expires_at)
         VALUES ({business}, {chat}, {product}, '{name}', 1, 'below_floor', 'NGN', 500000, 900000,
           900000, UTC_TIMESTAMP(6) + INTERVAL 1 DAY)"
    ))
    .await;
    let id = t
        .count(&format!(
            "SELECT CAST(MAX(id) AS SIGNED) AS n FROM deal_approvals WHERE business_id = {business}"
        ))
        .await;
    encode_id("DealApproval", id as u64)
}

/// One event of every kind for the business of `token`, each carrying `who` in a name
/// or text: a staff reply in `chat` (message, status, chat, activity), a product, an
/// order, a blacklist entry, a follow-up and a decision on the pending `deal`.
async fn trigger_every_kind(t: &TestApp, token: &str, who: &str, chat: &str, deal: &str) {
    let ok =
        |query: &'static str, vars: Value| async move { t.gql_ok(Some(token), query, vars).await };
    let product = ok(
        "mutation($n: String!) { createProduct(input: {name: $n, description: \"Trigger\", price: 1000000,
           currency: \"NGN\", discountKind: NONE, discountValue: 0, bargainFloor: 900000, quantity: 5,
           colors: [\"Black\"]}) { id } }",
        json!({"n": format!("{who}'s trigger product")}),
    )
    .await["createProduct"]["id"]
        .clone();
    ok(
        "mutation($c: ID!, $t: String!) { sendMessage(chatId: $c, text: $t) { id } }",
        json!({"c": chat, "t": format!("{who} replies")}),
    )
    .await;
    ok(
        "mutation($p: ID!, $n: String!, $d: String!) { createOrder(input: {customer: {new: {name: $n, phone: \"+234 809 555 0000\"}},
           items: [{productId: $p, quantity: 1}], deliveryDetails: $d}) { id } }",
        json!({"p": product, "n": format!("{who}'s walk-in"), "d": format!("{who}'s counter")}),
    )
    .await;
    ok(
        "mutation($r: String!) { addToBlacklist(input: {phone: \"+234 809 111 2222\", reason: $r}) { id } }",
        json!({"r": format!("{who}'s block")}),
    )
    .await;
    ok(
        "mutation($c: ID!, $d: DateTime!, $t: String!) { scheduleFollowUp(input: {chatId: $c, dueAt: $d, text: $t}) { id } }",
        json!({"c": chat, "d": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339(), "t": format!("{who}'s follow-up")}),
    )
    .await;
    ok(
        "mutation($id: ID!, $n: String!) { declineDeal(input: {id: $id, note: $n}) { id } }",
        json!({"id": deal, "n": format!("{who} declines")}),
    )
    .await;
}

/// Subscribes `ws` to every stream of [`SUBSCRIPTION_CASES`] (ids are the field names)
/// and waits until the server has read them (a ping's pong comes after).
async fn subscribe_to_every_stream(ws: &mut WsClient) {
    for (name, case) in SUBSCRIPTION_CASES {
        let Stream(query) = case else {
            panic!("{name} is a subscription: its case is Stream");
        };
        ws.subscribe(name, query).await;
    }
    ws.send(json!({"type": "ping"})).await;
    assert!(matches!(ws.next(WAIT).await, Some(WsEvent::Json(v)) if v["type"] == "pong"));
}

/// The first event of each stream of `ws`, reading until every stream has one.
async fn first_event_of_each_stream(ws: &mut WsClient) -> BTreeMap<String, Value> {
    let mut first = BTreeMap::new();
    while first.len() < SUBSCRIPTION_CASES.len() {
        let (id, data) = ws.next_data().await;
        first.entry(id).or_insert(data);
    }
    first
}

#[tokio::test]
async fn each_stream_delivers_only_the_subscriber_business_events() {
    let world = World::new().await;
    let t = &world.app;
    let alice = world.token.clone();
    let bob_shop = webhook_support::shop(t, "Bob Shoes", "555000222").await;
    world.graph.standin.add_number(
        "555000222",
        "EAAG-fixture-token-555000222",
        "15550002222",
        "Bob Shoes",
    );
    let bob = bob_shop.token.clone();
    // No AI replies: each business's events are the ones the test makes.
    for token in [&alice, &bob] {
        t.gql_ok(
            Some(token),
            "mutation { updateBusiness(input: {aiEnabled: false}) { aiEnabled } }",
            json!({}),
        )
        .await;
    }
    // A customer of each writes through the signed webhook (the 24-hour window opens).
    world.customer_says("Hello Ada Boutique").await;
    let bola = Customer::with_phone("2348099999999", "Bob's customer Bola");
    webhook_support::text_to(t, "555000222", &bola, "Hello Bob").await;
    let chat_of = |token: String| async move {
        let data = t
            .gql_ok(
                Some(&token),
                "{ chats(first: 1) { nodes { id } } }",
                json!({}),
            )
            .await;
        data["chats"]["nodes"][0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (alice_chat, bob_chat) = (chat_of(alice.clone()).await, chat_of(bob.clone()).await);
    let bob_product = t
        .create_product_from(
            &bob,
            json!({
                "name": "Bob's sneakers", "description": "Canvas", "price": 1_000_000,
                "currency": "NGN", "discountKind": "NONE", "discountValue": 0,
                "bargainFloor": 900_000, "quantity": 5, "colors": ["Black"]
            }),
        )
        .await;
    let alice_deal = pending_deal(
        t,
        world.shop.business_id,
        decode_id(&alice_chat),
        world.dress_id,
        "Alice dress",
    )
    .await;
    let bob_deal = pending_deal(
        t,
        bob_shop.business_id,
        decode_id(&bob_chat),
        decode_id(&bob_product),
        "Bob sneakers",
    )
    .await;

    let mut alice_ws = WsClient::init(t, &alice).await;
    let mut bob_ws = WsClient::init(t, &bob).await;
    subscribe_to_every_stream(&mut alice_ws).await;
    subscribe_to_every_stream(&mut bob_ws).await;

    // Alice's events of every kind are published: her own streams have them all.
    trigger_every_kind(t, &alice, "Alice", &alice_chat, &alice_deal).await;
    let alices = first_event_of_each_stream(&mut alice_ws).await;
    for (stream, event) in &alices {
        assert!(
            !event.to_string().to_lowercase().contains("bob"),
            "{stream}: Alice's stream carried Bob's event {event}"
        );
    }

    // Then Bob's. Each subscription delivers events in the order they were published,
    // so had any of Alice's reached one of Bob's streams it would come before his own.
    trigger_every_kind(t, &bob, "Bob", &bob_chat, &bob_deal).await;
    let bobs = first_event_of_each_stream(&mut bob_ws).await;
    for (stream, event) in &bobs {
        let text = event.to_string().to_lowercase();
        assert!(
            text.contains("bob") && !text.contains("alice"),
            "{stream}: the first event on Bob's stream is not his: {event}"
        );
    }
}
