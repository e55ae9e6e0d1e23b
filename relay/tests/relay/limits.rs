//! Bounds: subscriptions, slow consumers, idle clients, connections, shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use streamr_e2ee_relay::Config;

use crate::support::{Client, Event, TestRelay, WAIT, config, message};

#[tokio::test]
async fn the_subscription_limit_is_enforced_per_connection() {
    let relay = TestRelay::start(Config {
        max_subscriptions: 3,
        ..config()
    })
    .await;
    let mut client = relay.connect().await;
    for p in 0..3 {
        client.subscribe(&format!("s#{p}")).await;
    }
    client
        .send_json(json!({"type": "subscribe", "id": "fourth", "streamPartition": "s#3"}))
        .await;
    assert_eq!(
        client.expect_error("SUBSCRIPTION_LIMIT").await["id"],
        "fourth"
    );
    // Subscribing again to one it has is not a new subscription.
    client.subscribe("s#2").await;
    // Room after an unsubscribe; the limit is per connection.
    client.unsubscribe("s#0").await;
    client.subscribe("s#3").await;
    let mut other = relay.connect().await;
    for p in 0..3 {
        other.subscribe(&format!("t#{p}")).await;
    }
    let mut publisher = relay.connect().await;
    publisher.publish("s#3", b"x").await;
    assert_eq!(client.next_event().await, message("s#3", b"x"));
}

#[tokio::test]
async fn a_slow_consumer_is_disconnected_while_a_fast_one_keeps_receiving() {
    const PAYLOAD: usize = 32 * 1024;
    const BATCH: usize = 4;
    // Far beyond what the socket buffers and the queue hold: the test fails (instead of
    // sending forever) if the relay never disconnects the slow consumer.
    const MAX_BATCHES: usize = 2048;
    let relay = TestRelay::start(Config {
        max_payload_bytes: PAYLOAD,
        send_queue_bytes: 256 * 1024,
        send_queue_frames: 64,
        ..config()
    })
    .await;
    let mut slow = Client::connect_small_buffer(relay.addr()).await;
    slow.subscribe("s#0").await;
    let mut fast = relay.connect().await;
    fast.subscribe("s#0").await;
    let mut publisher = relay.connect().await;

    // The publisher waits for the fast consumer after each batch, so only the slow
    // consumer (which reads nothing) falls behind.
    let mut seq: u64 = 0;
    let mut batches = 0;
    while relay.stats().slow_consumer_disconnects == 0 {
        assert!(
            batches < MAX_BATCHES,
            "slow consumer still connected after {seq} messages"
        );
        for _ in 0..BATCH {
            let mut payload = vec![0u8; PAYLOAD];
            payload[..8].copy_from_slice(&seq.to_be_bytes());
            publisher.feed("s#0", &payload).await;
            seq += 1;
        }
        publisher.flush().await;
        for expected in seq - BATCH as u64..seq {
            let (_, payload) = fast.expect_message().await;
            assert_eq!(payload[..8], expected.to_be_bytes());
        }
        batches += 1;
    }
    let stats = relay.stats();
    assert_eq!(stats.slow_consumer_disconnects, 1, "{stats:?}");

    // The fast consumer is still served, the publisher too.
    publisher.publish("s#0", b"after").await;
    assert_eq!(fast.next_event().await, message("s#0", b"after"));
    fast.barrier().await;
    publisher.barrier().await;

    // The slow one, reading at last, finds its connection closed: with 1013 if the close
    // frame reached it before the relay gave up on the blocked socket.
    let (code, _) = slow.expect_end().await;
    assert!(matches!(code, None | Some(1013)), "close code {code:?}");
    slow.close().await;
    relay
        .wait_for_stats("the slow connection to go", |s| s.connections_open == 2)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_answering_pings_is_dropped() {
    let relay = TestRelay::start(Config {
        ping_interval: Duration::from_millis(100),
        idle_timeout: Duration::from_secs(4),
        ..config()
    })
    .await;
    // The silent client reads nothing after the hello, so it never answers a ping.
    let mut silent = relay.connect().await;

    // The live client keeps reading, so its WebSocket library answers the pings.
    let mut live = relay.connect().await;
    let stop = Arc::new(AtomicBool::new(false));
    let live_task = tokio::spawn({
        let stop = stop.clone();
        async move {
            while !stop.load(Ordering::Relaxed) {
                match tokio::time::timeout(Duration::from_millis(50), live.next_event()).await {
                    Err(_) => {}
                    Ok(event) => panic!("the live client got {event:?}"),
                }
            }
            live
        }
    });

    relay
        .wait_for_stats("the idle timeout", |s| s.idle_timeouts >= 1)
        .await;
    stop.store(true, Ordering::Relaxed);
    let mut live = tokio::time::timeout(WAIT, live_task)
        .await
        .expect("live client task ends")
        .expect("live client saw nothing");
    live.barrier().await;
    assert_eq!(relay.stats().idle_timeouts, 1);

    let (code, _) = silent.expect_end().await;
    assert!(matches!(code, None | Some(4000)), "close code {code:?}");
}

#[tokio::test]
async fn connections_over_the_limit_are_closed_with_1013() {
    let relay = TestRelay::start(Config {
        max_connections: 2,
        ..config()
    })
    .await;
    let first = relay.connect().await;
    let mut second = relay.connect().await;
    let mut third = Client::connect_raw(relay.addr()).await;
    assert_eq!(third.next_event().await, Event::Closed(Some(1013)));
    assert_eq!(relay.stats().connections_rejected, 1);

    first.close().await;
    relay
        .wait_for_stats("the first connection to go", |s| s.connections_open == 1)
        .await;
    let mut fourth = relay.connect().await;
    fourth.subscribe("s#0").await;
    second.publish("s#0", b"room again").await;
    assert_eq!(fourth.next_event().await, message("s#0", b"room again"));
}

#[tokio::test]
async fn shutdown_closes_every_connection_with_1001() {
    let relay = TestRelay::start(config()).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut c = relay.connect().await;
        c.subscribe("s#0").await;
        clients.push(c);
    }
    let addr = relay.addr();
    let closing = tokio::spawn(async move {
        let mut codes = Vec::new();
        for mut c in clients {
            codes.push(c.expect_close().await);
            c.close().await;
        }
        codes
    });
    relay.stop().await;
    assert_eq!(closing.await.expect("clients"), vec![1001; 3]);
    // Not listening any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
