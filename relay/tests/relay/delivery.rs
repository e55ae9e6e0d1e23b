//! Fan-out: who gets what, in which order.

use serde_json::json;
use streamr_e2ee_relay::Config;
use streamr_e2ee_relay::protocol::{MAX_HEADER_BYTES, SUBPROTOCOL};

use crate::support::{Client, Event, TestRelay, config, message};

#[tokio::test]
async fn hello_announces_the_version_and_limits_and_the_subprotocol_is_selected() {
    let relay = TestRelay::start(config()).await;
    let mut client = Client::connect_with_subprotocol(relay.addr(), SUBPROTOCOL).await;
    assert_eq!(
        client.response.headers()["sec-websocket-protocol"],
        SUBPROTOCOL
    );
    let hello = client.expect_json().await;
    let d = Config::default();
    assert_eq!(
        hello,
        json!({
            "type": "hello",
            "protocol": "streamr-e2ee-relay",
            "version": 1,
            "limits": {
                "maxPayloadBytes": d.max_payload_bytes,
                "maxHeaderBytes": MAX_HEADER_BYTES,
                "maxControlFrameBytes": 16384,
                "maxSubscriptions": d.max_subscriptions,
                "pingIntervalMs": 15000,
                "idleTimeoutMs": 45000,
            }
        })
    );
    // Without the offer, no subprotocol header.
    let plain = Client::connect(relay.addr()).await;
    assert!(
        !plain
            .response
            .headers()
            .contains_key("sec-websocket-protocol")
    );
}

#[tokio::test]
async fn a_publish_reaches_every_other_subscriber_and_not_the_sender() {
    let relay = TestRelay::start(config()).await;
    let mut subscribers = Vec::new();
    for _ in 0..3 {
        let mut c = relay.connect().await;
        c.subscribe("0xabc/chat#0").await;
        subscribers.push(c);
    }
    let mut publisher = relay.connect().await;
    publisher.subscribe("0xabc/chat#0").await;

    publisher.publish("0xabc/chat#0", b"ciphertext 1").await;
    for s in &mut subscribers {
        assert_eq!(
            s.next_event().await,
            message("0xabc/chat#0", b"ciphertext 1")
        );
    }
    // No echo: the pong comes first, and an echo would have been queued before it.
    publisher.barrier().await;

    // A subscriber publishing reaches the publisher and the two others.
    subscribers[0]
        .publish("0xabc/chat#0", b"ciphertext 2")
        .await;
    assert_eq!(
        publisher.next_event().await,
        message("0xabc/chat#0", b"ciphertext 2")
    );
    for s in &mut subscribers[1..] {
        assert_eq!(
            s.next_event().await,
            message("0xabc/chat#0", b"ciphertext 2")
        );
    }
    subscribers[0].barrier().await;
    assert_eq!(relay.stats().messages_published, 2);
    assert_eq!(relay.stats().messages_queued, 6);
}

#[tokio::test]
async fn partitions_and_streams_are_isolated() {
    let relay = TestRelay::start(config()).await;
    let names = ["s#0", "s#1", "t#0"];
    let mut subscribers = Vec::new();
    for name in names {
        let mut c = relay.connect().await;
        c.subscribe(name).await;
        subscribers.push(c);
    }
    let mut publisher = relay.connect().await;
    for name in names {
        publisher.publish(name, name.as_bytes()).await;
    }
    for name in names {
        publisher.publish(name, b"end").await;
    }
    // Frames of one publisher are queued in order, so a misrouted frame would arrive
    // before the "end" marker.
    for (s, name) in subscribers.iter_mut().zip(names) {
        assert_eq!(s.next_event().await, message(name, name.as_bytes()));
        assert_eq!(s.next_event().await, message(name, b"end"));
    }
}

#[tokio::test]
async fn unsubscribe_stops_delivery_and_subscribing_again_resumes_it() {
    let relay = TestRelay::start(config()).await;
    let mut subscriber = relay.connect().await;
    subscriber.subscribe("s#0").await;
    subscriber.subscribe("s#1").await;
    let mut publisher = relay.connect().await;

    publisher.publish("s#0", b"1").await;
    assert_eq!(subscriber.next_event().await, message("s#0", b"1"));

    subscriber.unsubscribe("s#0").await;
    publisher.publish("s#0", b"2").await;
    publisher.publish("s#1", b"marker").await;
    assert_eq!(subscriber.next_event().await, message("s#1", b"marker"));

    subscriber.subscribe("s#0").await;
    publisher.publish("s#0", b"3").await;
    assert_eq!(subscriber.next_event().await, message("s#0", b"3"));
}

#[tokio::test]
async fn subscribe_and_unsubscribe_are_idempotent() {
    let relay = TestRelay::start(config()).await;
    let mut subscriber = relay.connect().await;
    subscriber.subscribe("s#0").await;
    subscriber.subscribe("s#0").await;
    subscriber.unsubscribe("never#5").await;
    let mut publisher = relay.connect().await;
    publisher.publish("s#0", b"once").await;
    publisher.publish("s#0", b"twice").await;
    // One delivery each, not one per subscribe.
    assert_eq!(subscriber.next_event().await, message("s#0", b"once"));
    assert_eq!(subscriber.next_event().await, message("s#0", b"twice"));
    // Requests without an id are acked with a null id.
    subscriber
        .send_json(json!({"type": "unsubscribe", "streamPartition": "s#0"}))
        .await;
    assert_eq!(
        subscriber.next_event().await,
        Event::Json(json!({"type": "ack", "id": null}))
    );
    subscriber.barrier().await;
}

#[tokio::test]
async fn a_thousand_messages_arrive_in_order_without_duplicates() {
    const N: u32 = 1000;
    let relay = TestRelay::start(config()).await;
    let mut subscribers = Vec::new();
    for _ in 0..2 {
        let mut c = relay.connect().await;
        c.subscribe("s#7").await;
        subscribers.push(c);
    }
    let mut publisher = relay.connect().await;
    for i in 0..N {
        publisher.feed("s#7", &i.to_be_bytes()).await;
    }
    publisher.flush().await;
    for s in &mut subscribers {
        for i in 0..N {
            assert_eq!(s.next_event().await, message("s#7", &i.to_be_bytes()));
        }
    }
    // Nothing more: a last marker is the next message.
    publisher.publish("s#7", b"last").await;
    for s in &mut subscribers {
        assert_eq!(s.next_event().await, message("s#7", b"last"));
    }
}

#[tokio::test]
async fn two_publishers_interleave_but_each_keeps_its_order() {
    const N: u32 = 300;
    let relay = TestRelay::start(config()).await;
    let mut subscriber = relay.connect().await;
    subscriber.subscribe("s#0").await;
    let a = relay.connect().await;
    let b = relay.connect().await;
    let send = |mut c: Client, tag: u8| async move {
        for i in 0..N {
            let mut payload = vec![tag];
            payload.extend_from_slice(&i.to_be_bytes());
            c.feed("s#0", &payload).await;
        }
        c.flush().await;
        c
    };
    let (a, b) = tokio::join!(send(a, b'a'), send(b, b'b'));
    let mut next = [0u32; 2];
    for _ in 0..2 * N {
        let (_, payload) = subscriber.expect_message().await;
        let (tag, seq) = payload.split_first().expect("tagged payload");
        let seq = u32::from_be_bytes(seq.try_into().expect("u32"));
        let slot = &mut next[usize::from(*tag == b'b')];
        assert_eq!(seq, *slot, "publisher {} out of order", char::from(*tag));
        *slot += 1;
    }
    assert_eq!(next, [N, N]);
    drop((a, b));
}

#[tokio::test]
async fn a_one_mib_payload_is_relayed_with_the_default_limits() {
    let relay = TestRelay::start(config()).await;
    let mut subscriber = relay.connect().await;
    // The longest stream partition, so the frame is exactly the largest allowed.
    let stream_partition = format!("{}#99", "x".repeat(MAX_HEADER_BYTES - 3 - 3));
    subscriber.subscribe(&stream_partition).await;
    let mut publisher = relay.connect().await;
    let payload: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    publisher.publish(&stream_partition, &payload).await;
    assert_eq!(
        subscriber.next_event().await,
        message(&stream_partition, &payload)
    );
}
