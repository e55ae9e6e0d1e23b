//! Messages whose signer the host's worker pool recovered (issue #20, `docs/verify-pool.md`):
//! the recovered address counts only with a valid tag under this subscriber's pool key for
//! exactly these bytes, and must still be the message's publisher. A hint that does not check
//! out is ignored: the message is verified here as any other.

use super::Subscriber;
use crate::error::Result;
use crate::identity::evm::ADDRESS_LEN;
use crate::identity::pool::PoolKey;

impl Subscriber {
    /// The key this subscriber's pool workers tag their recoveries with (made on first use).
    pub fn pool_key(&mut self) -> Result<&PoolKey> {
        let key = match self.pool_key.take() {
            Some(k) => k,
            None => PoolKey::generate()?,
        };
        Ok(self.pool_key.insert(key))
    }

    /// [`Subscriber::handle_message`] with the signer a pool worker recovered from `bytes`
    /// and its `tag` ([`crate::identity::pool::recover_signer`]). With a valid tag the core
    /// skips its own recovery and compares `address` with the publisher id; without one the
    /// message is verified in the core as usual.
    pub fn handle_message_recovered(
        &mut self,
        bytes: &[u8],
        address: &[u8],
        tag: &[u8],
        now_ms: u64,
    ) {
        let vouched = match (&self.pool_key, <[u8; ADDRESS_LEN]>::try_from(address)) {
            (Some(key), Ok(a)) if key.check(bytes, &a, tag) => Some(a),
            _ => None,
        };
        if vouched.is_none() {
            self.pooled.refused += 1;
        }
        self.handle(bytes, now_ms, vouched);
    }

    /// How many pool recoveries were taken and how many refused (verified in the core instead).
    pub fn pool_stats(&self) -> PoolStats {
        self.pooled
    }
}

/// Counters of [`Subscriber::handle_message_recovered`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Recoveries whose tag checked out (their address then compared with the publisher).
    pub accepted: u64,
    /// Hints refused (no valid tag): those messages were verified in the core.
    pub refused: u64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::exchange::MlKemKeyPair;
    use crate::host::{Answer, Output, Question};
    use crate::identity::Signing;
    use crate::identity::evm::EvmSigner;
    use crate::identity::pool::{TAG_LEN, recover_signer};
    use crate::publisher::{Publisher, PublisherConfig};
    use crate::subscriber::{KeyExchange, SubscriberConfig};
    use crate::wire::ContentType;
    use crate::wire::{Body, StreamMessage};
    use crate::{GroupKey, UserId};

    const STREAM: &str = "0x0000000000000000000000000000000000000001/pool";
    const T0: u64 = 1_800_000_000_000;

    /// Three signed, encrypted messages of one publisher, its id and key.
    fn published() -> (Vec<Vec<u8>>, UserId, GroupKey) {
        let signer = EvmSigner::generate().unwrap();
        let id = signer.user_id();
        let mut p = Publisher::new(
            PublisherConfig::new(STREAM),
            Signing::Local(Box::new(signer)),
        )
        .unwrap();
        let (mut sent, mut key) = (Vec::new(), None);
        for i in 0..3u8 {
            p.publish(vec![i; 8], ContentType::Binary, T0 + u64::from(i))
                .unwrap();
            while let Some(o) = p.poll_output() {
                match o {
                    Output::Send { bytes, .. } => sent.push(bytes),
                    Output::StoreKey { key: k, .. } => key = Some(k),
                    Output::Ask { id, .. } => p.answer(id, Answer::StoredKey(None), T0).unwrap(),
                    _ => {}
                }
            }
        }
        (sent, id, key.unwrap())
    }

    fn subscriber(publisher: &UserId, key: &GroupKey) -> Subscriber {
        let mut s = Subscriber::new(
            SubscriberConfig::new(STREAM),
            Signing::Local(Box::new(EvmSigner::generate().unwrap())),
            KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap())),
            T0,
        )
        .unwrap();
        s.add_key(publisher.clone(), key.clone(), T0);
        s
    }

    /// Delivered contents and error codes, questions answered (permission granted).
    fn drain(sub: &mut Subscriber) -> (Vec<Vec<u8>>, Vec<ErrorCode>) {
        let (mut got, mut errors) = (Vec::new(), Vec::new());
        while let Some(o) = sub.poll_output() {
            match o {
                Output::Ask { id, question } => {
                    let a = match question {
                        Question::Permission { .. } => Answer::Permission(true),
                        _ => Answer::StoredKey(None),
                    };
                    sub.answer(id, a, T0 + 10).unwrap();
                }
                Output::Deliver(d) => got.push(d.content),
                Output::Event(crate::host::Event::Error { code, .. }) => errors.push(code),
                _ => {}
            }
        }
        (got, errors)
    }

    #[test]
    fn pool_recoveries_deliver_in_order() {
        let (sent, id, key) = published();
        let mut sub = subscriber(&id, &key);
        let pool = PoolKey::from_bytes(sub.pool_key().unwrap().as_bytes()).unwrap();
        for m in &sent {
            let r = recover_signer(&pool, m).unwrap();
            assert_eq!(r.address.as_slice(), id.as_bytes());
            sub.handle_message_recovered(m, &r.address, &r.tag, T0 + 10);
        }
        let (got, errors) = drain(&mut sub);
        assert_eq!(got, vec![vec![0u8; 8], vec![1; 8], vec![2; 8]]);
        assert!(errors.is_empty());
        assert_eq!(
            sub.pool_stats(),
            PoolStats {
                accepted: 3,
                refused: 0
            }
        );
    }

    #[test]
    fn a_forged_recovery_is_refused_and_the_core_verifies() {
        let (sent, id, key) = published();
        let mut sub = subscriber(&id, &key);
        let pool = PoolKey::from_bytes(sub.pool_key().unwrap().as_bytes()).unwrap();
        // A message whose signature no longer matches (one byte of its signed content flipped).
        let mut msg = StreamMessage::from_bytes(&sent[0]).unwrap();
        if let Body::Content(c) = &mut msg.body {
            c.content[20] ^= 1;
        }
        let forged = msg.to_bytes();
        let claimed: [u8; ADDRESS_LEN] = id.as_bytes().try_into().unwrap();
        // 1. The publisher's address with no valid tag: refused, verified here, dropped.
        sub.handle_message_recovered(&forged, &claimed, &[0u8; TAG_LEN], T0 + 10);
        // 2. A valid tag, but for other bytes (the genuine message): refused the same way.
        let genuine = recover_signer(&pool, &sent[0]).unwrap();
        sub.handle_message_recovered(&forged, &genuine.address, &genuine.tag, T0 + 10);
        // 3. A tag under another pool's key.
        let other = PoolKey::generate().unwrap();
        let foreign = recover_signer(&other, &forged).unwrap();
        sub.handle_message_recovered(&forged, &claimed, &foreign.tag, T0 + 10);
        let (got, errors) = drain(&mut sub);
        assert!(got.is_empty(), "a forged recovery must not deliver");
        assert_eq!(errors, vec![ErrorCode::InvalidSignature; 3]);
        assert_eq!(
            sub.pool_stats(),
            PoolStats {
                accepted: 0,
                refused: 3
            }
        );
        // 4. An honest recovery of the forged bytes: tagged, but not the claimed publisher.
        let honest = recover_signer(&pool, &forged).unwrap();
        assert_ne!(honest.address, claimed);
        sub.handle_message_recovered(&forged, &honest.address, &honest.tag, T0 + 10);
        let (got, errors) = drain(&mut sub);
        assert!(got.is_empty());
        assert_eq!(errors, vec![ErrorCode::InvalidSignature]);
        // 5. A refused hint on a genuine message still delivers it (verified in the core).
        sub.handle_message_recovered(&sent[0], &claimed, &[1u8; 5], T0 + 10);
        assert_eq!(drain(&mut sub).0, vec![vec![0u8; 8]]);
        assert_eq!(
            sub.pool_stats(),
            PoolStats {
                accepted: 1,
                refused: 4
            }
        );
    }

    #[test]
    fn without_a_pool_key_every_hint_is_refused() {
        let (sent, id, key) = published();
        let mut sub = subscriber(&id, &key);
        let pool = PoolKey::generate().unwrap();
        let r = recover_signer(&pool, &sent[0]).unwrap();
        sub.handle_message_recovered(&sent[0], &r.address, &r.tag, T0 + 10);
        assert_eq!(drain(&mut sub).0.len(), 1, "verified in the core instead");
        assert_eq!(
            sub.pool_stats(),
            PoolStats {
                accepted: 0,
                refused: 1
            }
        );
    }
}
