//! Whether to encrypt: the SDK publishes unencrypted on a stream whose SUBSCRIBE permission is
//! public. With [`PublisherConfig::encrypt_unless_public`] the publisher asks that once, at
//! start, and holds publishes until the answer; any answer that does not say "public" means
//! encrypt (fail closed).

use crate::error::ErrorCode;
use crate::host::{Answer, Event, Permission, Question};
use crate::permissions::PermissionSource;
use crate::registry::{PermissionType, abi};
use crate::user_id::UserId;

use super::PublisherConfig;

/// The question to ask at start, or `None` when the config already decides.
pub(super) fn question(config: &PublisherConfig) -> Option<Question> {
    if !config.encrypt_unless_public || config.require_encryption {
        return None;
    }
    Some(match config.permissions {
        PermissionSource::Registry(_) => Question::RegistryCall {
            data: abi::has_public_permission_call(&config.stream_id, PermissionType::Subscribe),
        },
        // The StreamRegistry keeps public grants under the zero address.
        PermissionSource::Host => Question::Permission {
            stream_id: config.stream_id.clone(),
            user: UserId::from([0u8; 20]),
            permission: Permission::Subscribe,
        },
    })
}

/// Encrypt or not, from the host's answer; an event for an answer that says nothing. A
/// `Failed` answer carries no event here: the host reports its own failure.
pub(super) fn decide(answer: Answer) -> (bool, Option<Event>) {
    let failed = |message: &str| {
        Some(Event::Error {
            code: ErrorCode::PermissionCheckFailed,
            message: message.into(),
            message_ref: None,
        })
    };
    match answer {
        Answer::Permission(public) => (!public, None),
        Answer::CallResult(data) => match abi::decode_has_public_permission(&data) {
            Ok(public) => (!public, None),
            Err(_) => (
                true,
                failed("hasPublicPermission returned undecodable data; publishing encrypted"),
            ),
        },
        Answer::CallReverted(_) => (
            true,
            failed("hasPublicPermission reverted; publishing encrypted"),
        ),
        Answer::Failed { .. } => (true, None),
        _ => (
            true,
            failed("unexpected answer to the public-stream check; publishing encrypted"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Output, QuestionId};
    use crate::identity::Signing;
    use crate::identity::evm::EvmSigner;
    use crate::publisher::Publisher;
    use crate::registry::OracleConfig;
    use crate::wire::{Body, ContentType, EncryptionType, StreamMessage};

    const STREAM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/public-check";

    fn publisher(edit: impl FnOnce(&mut PublisherConfig)) -> Publisher {
        let mut c = PublisherConfig::new(STREAM);
        c.encrypt_unless_public = true;
        c.permissions = PermissionSource::Registry(OracleConfig::default());
        edit(&mut c);
        let signer = EvmSigner::generate().unwrap();
        Publisher::new(c, Signing::Local(Box::new(signer))).unwrap()
    }

    fn outputs(p: &mut Publisher) -> Vec<Output> {
        std::iter::from_fn(|| p.poll_output()).collect()
    }

    /// The one question asked at start.
    fn asked(p: &mut Publisher) -> (QuestionId, Question) {
        let mut asks: Vec<_> = outputs(p)
            .into_iter()
            .filter_map(|o| match o {
                Output::Ask { id, question } => Some((id, question)),
                _ => None,
            })
            .collect();
        assert_eq!(asks.len(), 1, "one question at start");
        asks.pop().unwrap()
    }

    fn abi_bool(b: bool) -> Vec<u8> {
        let mut word = vec![0u8; 32];
        word[31] = u8::from(b);
        word
    }

    /// Publishes once and returns the content message's encryption type (and the events).
    fn publish(p: &mut Publisher) -> (EncryptionType, Vec<Event>) {
        p.publish(b"\"x\"".to_vec(), ContentType::Json, 1_700_000_000_000)
            .unwrap();
        let mut sent = None;
        let mut events = Vec::new();
        for o in outputs(p) {
            match o {
                Output::Send {
                    bytes,
                    publish: Some(_),
                } => sent = Some(bytes),
                Output::Event(e) => events.push(e),
                _ => {}
            }
        }
        let msg = StreamMessage::from_bytes(&sent.expect("content sent")).unwrap();
        match msg.body {
            Body::Content(c) => (c.encryption_type, events),
            other => panic!("not content: {other:?}"),
        }
    }

    #[test]
    fn publishes_wait_for_the_answer_then_a_public_stream_is_plain() {
        let mut p = publisher(|_| {});
        let (id, q) = asked(&mut p);
        assert_eq!(
            q,
            Question::RegistryCall {
                data: abi::has_public_permission_call(STREAM, PermissionType::Subscribe)
            }
        );
        assert_eq!(p.encrypted(), None);
        p.publish(b"1".to_vec(), ContentType::Json, 1_700_000_000_000)
            .unwrap();
        assert!(
            outputs(&mut p)
                .iter()
                .all(|o| !matches!(o, Output::Send { .. })),
            "nothing is sent before the answer"
        );
        p.answer(id, Answer::CallResult(abi_bool(true)), 1_700_000_000_001)
            .unwrap();
        assert_eq!(p.encrypted(), Some(false));
        let (enc, events) = publish(&mut p);
        assert_eq!(enc, EncryptionType::None);
        assert!(events.is_empty());
    }

    #[test]
    fn a_stream_that_is_not_public_is_encrypted() {
        let mut p = publisher(|_| {});
        let (id, _) = asked(&mut p);
        p.answer(id, Answer::CallResult(abi_bool(false)), 1)
            .unwrap();
        assert_eq!(p.encrypted(), Some(true));
        assert_eq!(publish(&mut p).0, EncryptionType::Aes);
    }

    #[test]
    fn a_failed_or_undecodable_answer_means_encrypted() {
        for (answer, event) in [
            (Answer::CallResult(vec![1, 2, 3]), true),
            (Answer::CallReverted(Vec::new()), true),
            (Answer::Permission(true), false),
            (Answer::Signature(vec![0; 65]), true),
            (
                Answer::Failed {
                    reason: "RPC_ERROR: down".into(),
                },
                false,
            ),
        ] {
            let fails_closed = !matches!(answer, Answer::Permission(true));
            let mut p = publisher(|_| {});
            let (id, _) = asked(&mut p);
            p.answer(id, answer.clone(), 1).unwrap();
            let errors: Vec<_> = outputs(&mut p)
                .into_iter()
                .filter_map(|o| match o {
                    Output::Event(Event::Error { code, .. }) => Some(code),
                    _ => None,
                })
                .collect();
            let want = if event {
                vec![ErrorCode::PermissionCheckFailed]
            } else {
                Vec::new()
            };
            assert_eq!(errors, want, "{answer:?}");
            assert_eq!(p.encrypted(), Some(fails_closed), "{answer:?}");
        }
    }

    #[test]
    fn host_mode_asks_for_the_public_grant_of_the_zero_address() {
        let mut p = publisher(|c| c.permissions = PermissionSource::Host);
        let (id, q) = asked(&mut p);
        assert_eq!(
            q,
            Question::Permission {
                stream_id: STREAM.into(),
                user: UserId::from([0u8; 20]),
                permission: Permission::Subscribe,
            }
        );
        p.answer(id, Answer::Permission(false), 1).unwrap();
        assert_eq!(publish(&mut p).0, EncryptionType::Aes);
    }

    #[test]
    fn forced_or_fixed_encryption_asks_nothing() {
        for edit in [
            (|c: &mut PublisherConfig| c.require_encryption = true) as fn(&mut PublisherConfig),
            |c| c.encrypt_unless_public = false,
        ] {
            let mut p = publisher(edit);
            assert_eq!(p.encrypted(), Some(true));
            assert_eq!(publish(&mut p).0, EncryptionType::Aes);
        }
        let mut plain = publisher(|c| {
            c.encrypt_unless_public = false;
            c.encrypt = false;
        });
        assert_eq!(publish(&mut plain).0, EncryptionType::None);
    }

    #[test]
    fn encrypt_false_contradicts_encrypt_unless_public() {
        let mut c = PublisherConfig::new(STREAM);
        c.encrypt_unless_public = true;
        c.encrypt = false;
        let signer = EvmSigner::generate().unwrap();
        let e = Publisher::new(c, Signing::Local(Box::new(signer)))
            .err()
            .unwrap();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
    }
}
