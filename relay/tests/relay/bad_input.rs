//! Garbage, unknown and oversized frames: an error frame (the connection stays open) or a
//! close, and the relay keeps serving everyone else.

use serde_json::json;
use streamr_e2ee_relay::Config;
use streamr_e2ee_relay::protocol::{KIND_MESSAGE, KIND_PUBLISH, encode_frame};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Client, TestRelay, config, message};

/// A publisher and a subscriber that must not notice someone else misbehaving.
async fn bystanders(relay: &TestRelay) -> (Client, Client) {
    let mut subscriber = relay.connect().await;
    subscriber.subscribe("s#0").await;
    (relay.connect().await, subscriber)
}

async fn still_served(publisher: &mut Client, subscriber: &mut Client, payload: &[u8]) {
    publisher.publish("s#0", payload).await;
    assert_eq!(subscriber.next_event().await, message("s#0", payload));
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_connection_stays_open() {
    let relay = TestRelay::start(config()).await;
    let (mut publisher, mut subscriber) = bystanders(&relay).await;
    let mut bad = relay.connect().await;

    bad.send(Message::text("garbage")).await;
    let e = bad.expect_error("MALFORMED_FRAME").await;
    assert_eq!(e["id"], json!(null));

    bad.send_json(json!({"type": "frobnicate", "id": "r1"}))
        .await;
    let e = bad.expect_error("UNKNOWN_TYPE").await;
    assert_eq!(e["id"], "r1");

    bad.send_json(json!({"type": "subscribe", "id": 2, "streamPartition": "no-partition"}))
        .await;
    assert_eq!(bad.expect_error("INVALID_STREAM_PARTITION").await["id"], 2);

    bad.send_json(json!({"type": "subscribe", "id": 3, "streamPartition": "s#100"}))
        .await;
    assert_eq!(bad.expect_error("INVALID_STREAM_PARTITION").await["id"], 3);

    bad.send_json(json!({"type": "subscribe", "id": 4})).await;
    assert_eq!(bad.expect_error("MALFORMED_FRAME").await["id"], 4);

    bad.send(Message::binary(vec![0x09, 0, 3, b's', b'#', b'0']))
        .await;
    bad.expect_error("UNKNOWN_TYPE").await;

    // Only the relay sends `message` frames.
    bad.send(Message::binary(encode_frame(KIND_MESSAGE, "s#0", b"x")))
        .await;
    bad.expect_error("UNKNOWN_TYPE").await;

    bad.send(Message::binary(vec![KIND_PUBLISH, 0])).await;
    bad.expect_error("MALFORMED_FRAME").await;

    bad.send(Message::binary(vec![
        KIND_PUBLISH,
        0,
        200,
        b's',
        b'#',
        b'0',
    ]))
    .await;
    bad.expect_error("MALFORMED_FRAME").await;

    bad.send(Message::binary(encode_frame(KIND_PUBLISH, "s#x", b"x")))
        .await;
    bad.expect_error("INVALID_STREAM_PARTITION").await;

    // None of it reached the subscriber, and the bad client can still do everything.
    bad.barrier().await;
    bad.publish("s#0", b"from the bad client").await;
    assert_eq!(
        subscriber.next_event().await,
        message("s#0", b"from the bad client")
    );
    still_served(&mut publisher, &mut subscriber, b"after").await;
    assert_eq!(relay.stats().protocol_errors, 10);
}

#[tokio::test]
async fn a_payload_above_the_limit_gets_an_error_frame() {
    let relay = TestRelay::start(Config {
        max_payload_bytes: 1024,
        send_queue_bytes: 64 * 1024,
        ..config()
    })
    .await;
    let (mut publisher, mut subscriber) = bystanders(&relay).await;
    publisher.publish("s#0", &[7; 1025]).await;
    publisher.expect_error("FRAME_TOO_LARGE").await;
    // At the limit it goes through, on the same connection.
    still_served(&mut publisher, &mut subscriber, &[7; 1024]).await;
}

#[tokio::test]
async fn an_oversized_frame_closes_with_1009_and_the_relay_keeps_serving() {
    let relay = TestRelay::start(Config {
        max_payload_bytes: 1024,
        send_queue_bytes: 64 * 1024,
        ..config()
    })
    .await;
    let (mut publisher, mut subscriber) = bystanders(&relay).await;
    let mut big = relay.connect().await;
    big.publish("s#0", &[1; 64 * 1024]).await;
    assert_eq!(big.expect_close().await, 1009);
    assert_eq!(relay.stats().message_too_big_closes, 1);

    // A control frame above the transport limit is just as oversized.
    let mut big_text = relay.connect().await;
    big_text
        .send(Message::text(format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "x".repeat(8 * 1024)
        )))
        .await;
    assert_eq!(big_text.expect_close().await, 1009);

    still_served(&mut publisher, &mut subscriber, b"still here").await;
}

#[tokio::test]
async fn repeated_protocol_errors_close_with_1008() {
    let relay = TestRelay::start(Config {
        max_protocol_errors: 4,
        ..config()
    })
    .await;
    let (mut publisher, mut subscriber) = bystanders(&relay).await;
    let mut abuser = relay.connect().await;
    for _ in 0..4 {
        abuser.send(Message::text("{")).await;
    }
    // Every error frame is delivered before the close.
    for _ in 0..4 {
        abuser.expect_error("MALFORMED_FRAME").await;
    }
    assert_eq!(abuser.expect_close().await, 1008);
    assert_eq!(relay.stats().policy_violation_closes, 1);
    still_served(&mut publisher, &mut subscriber, b"unaffected").await;
}
