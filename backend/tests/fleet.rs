//! Replicas that behave as one: two servers on one database, joined by a real broker
//! (NATS or Redis on loopback) and by Redis for the limits. Live events cross replicas
//! exactly once, one number's sends stay at its rate whichever replica sends, the API
//! rate limits hold for the fleet, and a broker that is missing or cut off only narrows
//! delivery to each replica's own subscribers until it is back.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use backend::config::Config;
use serde_json::{Value, json};
use standins::webhook::Customer;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::common::{TestApp, error_code, nats_url, redis_url};
use crate::inbox_support::{self, NewChat, WAIT, WsClient, alice_chatting_with, chat_gid, posts};
use crate::webhook_support::{shop, text_to};

/// The broker a fleet test joins its replicas with.
#[derive(Clone, Copy, Debug)]
enum Broker {
    Nats,
    Redis,
}

impl Broker {
    /// Points `config` at this broker, at `url`.
    fn configure(self, config: &mut Config, url: &str) {
        let url = Some(secrecy::SecretString::from(url.to_string()));
        match self {
            Broker::Nats => config.fleet.nats_url = url,
            Broker::Redis => config.fleet.redis_url = url,
        }
    }

    /// Where the broker listens.
    fn url(self) -> String {
        match self {
            Broker::Nats => nats_url(),
            Broker::Redis => redis_url(),
        }
    }
}

const SHOP_NUMBER: &str = "106540352240001";

/// Two replicas joined by `broker`, both relaying already.
async fn two_replicas(broker: Broker) -> Vec<TestApp> {
    let url = broker.url();
    let fleet = TestApp::spawn_fleet(2, |c| broker.configure(c, &url)).await;
    for replica in &fleet {
        assert!(
            replica.app.events.wait_relayed(WAIT).await,
            "{broker:?} at {url} must be running for the fleet tests"
        );
    }
    fleet
}

/// Subscribes to `messageAdded` on `replica` as the owner of `token`; returns once the
/// server has registered the subscription (a ping answered after it).
async fn messages_added(replica: &TestApp, token: &str) -> WsClient {
    let mut ws = WsClient::init(replica, token).await;
    ws.subscribe("added", "subscription { messageAdded { body direction } }")
        .await;
    ws.send(json!({"type": "ping"})).await;
    assert!(matches!(
        ws.next(WAIT).await,
        Some(inbox_support::WsEvent::Json(v)) if v["type"] == "pong"
    ));
    ws
}

/// The body of the next inbound message the subscriber is told about.
async fn next_inbound(ws: &mut WsClient) -> String {
    loop {
        let (_, data) = ws.next_data().await;
        if data["messageAdded"]["direction"] == "INBOUND" {
            return data["messageAdded"]["body"].as_str().unwrap().to_string();
        }
    }
}

async fn a_message_ingested_on_one_replica_reaches_a_subscriber_on_the_other_once(broker: Broker) {
    let fleet = two_replicas(broker).await;
    let (a, b) = (&fleet[0], &fleet[1]);
    let health: Value = a.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["events"], "relayed");
    let shop = shop(a, "Cross Shop", SHOP_NUMBER).await;
    let ada = Customer::with_phone("15551234567", "Ada");
    let mut on_a = messages_added(a, &shop.token).await;
    let mut on_b = messages_added(b, &shop.token).await;

    let posted = Instant::now();
    text_to(b, SHOP_NUMBER, &ada, "Do you have the red dress?").await;
    assert_eq!(next_inbound(&mut on_a).await, "Do you have the red dress?");
    println!(
        "{broker:?}: webhook on b to subscriber on a in {:?}",
        posted.elapsed()
    );
    assert_eq!(next_inbound(&mut on_b).await, "Do you have the red dress?");

    // Exactly once: events of one origin keep their order, so a duplicate of the
    // first message would come before the second on either replica.
    text_to(b, SHOP_NUMBER, &ada, "In size M").await;
    assert_eq!(next_inbound(&mut on_a).await, "In size M");
    assert_eq!(next_inbound(&mut on_b).await, "In size M");
    // And the other way round.
    text_to(a, SHOP_NUMBER, &ada, "Thanks").await;
    assert_eq!(next_inbound(&mut on_b).await, "Thanks");
    assert_eq!(next_inbound(&mut on_a).await, "Thanks");
}

#[tokio::test]
async fn a_message_ingested_on_one_replica_reaches_a_subscriber_on_the_other_once_over_nats() {
    a_message_ingested_on_one_replica_reaches_a_subscriber_on_the_other_once(Broker::Nats).await;
}

#[tokio::test]
async fn a_message_ingested_on_one_replica_reaches_a_subscriber_on_the_other_once_over_redis() {
    a_message_ingested_on_one_replica_reaches_a_subscriber_on_the_other_once(Broker::Redis).await;
}

#[tokio::test]
async fn two_replicas_sending_from_one_number_together_keep_its_rate() {
    const RATE: u32 = 10;
    const SENDS: usize = 40;
    let redis = redis_url();
    let nats = nats_url();
    let (fleet, standin) = inbox_support::spawn_fleet(2, |c| {
        c.meta_number_mps = RATE;
        Broker::Redis.configure(c, &redis);
        Broker::Nats.configure(c, &nats);
    })
    .await;
    let (token, _, chat) =
        alice_chatting_with(&fleet[0], NewChat::ada().wrote_minutes_ago(1)).await;

    let sends = (0..SENDS).map(|n| {
        let replica = &fleet[n % 2];
        let token = token.clone();
        async move {
            replica
                .gql_ok(
                    Some(&token),
                    "mutation($c: ID!, $t: String!) { sendMessage(chatId: $c, text: $t) { status } }",
                    json!({"c": chat_gid(chat), "t": format!("Offer {n}")}),
                )
                .await
        }
    });
    for sent in futures::future::join_all(sends).await {
        assert_eq!(sent["sendMessage"]["status"], "SENT");
    }

    let mut arrivals: Vec<Instant> = posts(&standin)
        .into_iter()
        .filter(|r| r.body.as_ref().is_some_and(|b| b["type"] == "text"))
        .map(|r| r.received_at)
        .collect();
    arrivals.sort();
    assert_eq!(
        arrivals.len(),
        SENDS,
        "every send reached the Graph API once"
    );
    let span = arrivals[SENDS - 1] - arrivals[0];
    // Turns are evenly spaced, one per 1 / RATE seconds, whichever replica takes them:
    // each replica pacing alone would take half as long.
    let least = Duration::from_secs_f64((SENDS - 1) as f64 / f64::from(RATE));
    let observed = (SENDS - 1) as f64 / span.as_secs_f64();
    println!(
        "{SENDS} sends over 2 replicas at {RATE} msg/s: {span:?} from first to last; {observed:.1} msg/s"
    );
    assert!(
        span >= least.mul_f64(0.9),
        "the number sent faster than its rate: {span:?} for {SENDS} sends (at least {least:?} expected); {observed:.1} msg/s"
    );
    assert!(span < least * 2, "pacing too slow: {span:?}");
    // No one-second window holds more than a second's worth (one more for the
    // jitter between a turn and its arrival at the Graph API).
    for (i, start) in arrivals.iter().enumerate() {
        let within = arrivals[i..]
            .iter()
            .take_while(|t| **t - *start < Duration::from_secs(1))
            .count();
        assert!(within <= RATE as usize + 1, "{within} sends within 1 s");
    }
}

#[tokio::test]
async fn the_api_rate_limit_holds_for_the_fleet_not_per_replica() {
    let redis = redis_url();
    let fleet = TestApp::spawn_fleet(2, |c| Broker::Redis.configure(c, &redis)).await;
    // Anonymous callers get a burst of 30 per address; 40 requests split over two
    // replicas stay under 30 on each, so only a fleet-wide budget refuses some.
    let mut refused = 0;
    for n in 0..40 {
        let resp: Value = fleet[n % 2].gql(None, "{ __typename }", json!({})).await;
        if error_code(&resp) == "RATE_LIMITED" {
            refused += 1;
        }
    }
    assert!(refused >= 5, "only {refused} of 40 requests were refused");
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn with_the_broker_unreachable_a_replica_still_delivers_its_own_events() {
    let nowhere = format!("nats://127.0.0.1:{}", closed_port().await);
    let t = TestApp::spawn_with(|c| Broker::Nats.configure(c, &nowhere)).await;
    assert!(!t.app.events.is_relayed());
    let health = t.get("/healthz").await;
    assert_eq!(
        health.status(),
        200,
        "a broker outage is no reason to take a replica out"
    );
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["events"], "broker unreachable");
    let shop = shop(&t, "Lonely Shop", SHOP_NUMBER).await;
    let mut ws = messages_added(&t, &shop.token).await;
    let ada = Customer::with_phone("15551234567", "Ada");
    text_to(&t, SHOP_NUMBER, &ada, "Anyone there?").await;
    assert_eq!(next_inbound(&mut ws).await, "Anyone there?");
}

/// A TCP forwarder to a broker that a test can cut (every connection closed, nothing
/// accepted) and restore on the same address.
struct Cable {
    addr: SocketAddr,
    target: String,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Cable {
    async fn to(target: &str) -> Cable {
        let mut cable = Cable {
            addr: "127.0.0.1:0".parse().unwrap(),
            target: target.to_string(),
            task: None,
        };
        cable.restore().await;
        cable
    }

    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.addr = listener.local_addr().unwrap();
        let target = self.target.clone();
        self.task = Some(tokio::spawn(async move {
            // Dropped with this task when the cable is cut: every connection closes.
            let mut connections = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                connections.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    async fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Waits until `replica`'s relay reports `up`.
async fn relay_becomes(replica: &TestApp, up: bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while replica.app.events.is_relayed() != up {
        assert!(Instant::now() < deadline, "the relay never became up={up}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_cut_broker_leaves_local_delivery_working_and_the_relay_recovers(broker: Broker) {
    let target = broker.url();
    let target = target.rsplit("://").next().unwrap().to_string();
    let mut cable = Cable::to(&target).await;
    let scheme = match broker {
        Broker::Nats => "nats",
        Broker::Redis => "redis",
    };
    let url = format!("{scheme}://{}", cable.addr);
    let fleet = TestApp::spawn_fleet(2, |c| broker.configure(c, &url)).await;
    for replica in &fleet {
        assert!(replica.app.events.wait_relayed(WAIT).await);
    }
    let (a, b) = (&fleet[0], &fleet[1]);
    let shop = shop(a, "Cut Shop", SHOP_NUMBER).await;
    let ada = Customer::with_phone("15551234567", "Ada");
    let mut on_a = messages_added(a, &shop.token).await;
    text_to(b, SHOP_NUMBER, &ada, "before").await;
    assert_eq!(next_inbound(&mut on_a).await, "before");

    cable.cut().await;
    relay_becomes(a, false).await;
    relay_becomes(b, false).await;
    // Ingest goes on, and a replica's own subscribers still hear of it.
    text_to(b, SHOP_NUMBER, &ada, "during, on b").await;
    text_to(a, SHOP_NUMBER, &ada, "during, on a").await;
    assert_eq!(next_inbound(&mut on_a).await, "during, on a");

    cable.restore().await;
    relay_becomes(a, true).await;
    relay_becomes(b, true).await;
    // Both relays are connected again; events cross once more. A relay may report
    // its connection a moment before the broker has its subscription, so probe until
    // one crosses. NATS may still deliver what b published during the cut (its client
    // buffers while reconnecting); nothing else may come.
    for probe in 0..5 {
        let text = format!("after {probe}");
        text_to(b, SHOP_NUMBER, &ada, &text).await;
        loop {
            match try_next_inbound(&mut on_a, Duration::from_secs(2)).await {
                Some(body) if body.starts_with("after ") => return,
                Some(body) if body == "during, on b" => continue,
                Some(body) => panic!("unexpected message {body:?}"),
                None => break,
            }
        }
    }
    panic!("no event crossed the replicas after the broker came back");
}

/// Like [`next_inbound`], `None` when nothing came within `timeout`.
async fn try_next_inbound(ws: &mut WsClient, timeout: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ws.next(left).await? {
            inbox_support::WsEvent::Json(v) if v["type"] == "next" => {
                let added = &v["payload"]["data"]["messageAdded"];
                if added["direction"] == "INBOUND" {
                    return Some(added["body"].as_str().unwrap().to_string());
                }
            }
            other => panic!("expected a subscription event, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_cut_redis_broker_leaves_local_delivery_working_and_the_relay_recovers() {
    a_cut_broker_leaves_local_delivery_working_and_the_relay_recovers(Broker::Redis).await;
}

#[tokio::test]
async fn a_cut_nats_broker_leaves_local_delivery_working_and_the_relay_recovers() {
    a_cut_broker_leaves_local_delivery_working_and_the_relay_recovers(Broker::Nats).await;
}
