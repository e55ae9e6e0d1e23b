//! Publisher and subscribers in registry mode against a real chain: every permission the
//! core needs becomes an `eth_call` (our calldata) to the real StreamRegistryV5 on anvil,
//! decoded and cached by the core. Grants, revocation with rekey, expiry and a stranger are
//! all decided by the contract.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable
)]

mod chain;

use std::collections::VecDeque;

use alloy_primitives::{Address, U256};
use chain::*;
use streamr_e2ee::exchange::MlKemKeyPair;
use streamr_e2ee::host::{Answer, Event, Output, Question};
use streamr_e2ee::identity::Signing;
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::permissions::PermissionSource;
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::registry::CallOutcome;
use streamr_e2ee::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use streamr_e2ee::wire::ContentType;

const SUBSCRIBE: u8 = 3;
/// anvil's account #0, the stream's owner: it holds every permission, PUBLISH included.
const OWNER_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

enum Machine {
    Pub(Box<Publisher>),
    Sub(Box<Subscriber>),
}

struct Party {
    machine: Machine,
    address: Address,
    delivered: Vec<String>,
    denials: Vec<&'static str>,
    errors: Vec<&'static str>,
    registry_calls: usize,
}

struct World {
    registry: Registry,
    parties: Vec<Party>,
    now: u64,
}

fn registry_mode() -> PermissionSource {
    PermissionSource::Registry(Default::default())
}

impl World {
    fn add_subscriber(&mut self, stream: &str) -> usize {
        let signer = EvmSigner::generate().unwrap();
        let address = Address::from(signer.address());
        let mut config = SubscriberConfig::new(stream);
        config.permissions = registry_mode();
        let sub = Subscriber::new(
            config,
            Signing::Local(Box::new(signer)),
            KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap())),
            self.now,
        )
        .unwrap();
        self.parties
            .push(party(Machine::Sub(Box::new(sub)), address));
        self.parties.len() - 1
    }

    fn publisher(&mut self) -> &mut Publisher {
        match &mut self.parties[0].machine {
            Machine::Pub(p) => p,
            Machine::Sub(_) => panic!("party 0 is the publisher"),
        }
    }

    fn answer(&mut self, q: &Question) -> Answer {
        match q {
            Question::RegistryCall { data } => {
                match self.registry.anvil.call(&self.registry.address, data) {
                    CallOutcome::Returned(b) => Answer::CallResult(b),
                    CallOutcome::Reverted(b) => Answer::CallReverted(b),
                    CallOutcome::Failed(reason) => Answer::Failed { reason },
                    // CallOutcome is #[non_exhaustive].
                    other => panic!("unexpected call outcome {other:?}"),
                }
            }
            // The subscribers' key stores are empty: every key comes by key exchange.
            Question::LoadKey { .. } => Answer::StoredKey(None),
            other => panic!("registry mode asks only registry calls here, got {other:?}"),
        }
    }

    /// Runs every machine until nothing moves, answering registry calls from the chain.
    fn settle(&mut self) {
        let mut wire: VecDeque<(usize, Vec<u8>)> = VecDeque::new();
        for _ in 0..1000 {
            let mut moved = false;
            for n in 0..self.parties.len() {
                loop {
                    let out = match &mut self.parties[n].machine {
                        Machine::Pub(p) => p.poll_output(),
                        Machine::Sub(s) => s.poll_output(),
                    };
                    let Some(out) = out else { break };
                    moved = true;
                    match out {
                        Output::Send { bytes, .. } => wire.push_back((n, bytes)),
                        Output::Ask { id, question } => {
                            self.parties[n].registry_calls += 1;
                            let answer = self.answer(&question);
                            let now = self.now;
                            match &mut self.parties[n].machine {
                                Machine::Pub(p) => p.answer(id, answer, now).unwrap(),
                                Machine::Sub(s) => s.answer(id, answer, now).unwrap(),
                            }
                        }
                        Output::Deliver(d) => self.parties[n]
                            .delivered
                            .push(String::from_utf8(d.content).unwrap()),
                        Output::Event(Event::KeyRequestDenied { code, .. }) => {
                            self.parties[n].denials.push(code.as_str())
                        }
                        Output::Event(Event::Error { code, .. }) => {
                            self.parties[n].errors.push(code.as_str())
                        }
                        _ => {}
                    }
                }
            }
            while let Some((from, bytes)) = wire.pop_front() {
                moved = true;
                let now = self.now;
                for (n, party) in self.parties.iter_mut().enumerate() {
                    if n != from {
                        match &mut party.machine {
                            Machine::Pub(p) => p.handle_message(&bytes, now),
                            Machine::Sub(s) => s.handle_message(&bytes, now),
                        }
                    }
                }
            }
            if !moved {
                return;
            }
        }
        panic!("did not settle");
    }

    fn publish(&mut self, text: &str) {
        let now = self.now;
        self.publisher()
            .publish(text.as_bytes().to_vec(), ContentType::Json, now)
            .unwrap();
        self.settle();
    }

    /// Moves time on by `ms`, firing the subscribers' timers.
    fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        while self.now < end {
            self.now = (self.now + 1_000).min(end);
            let now = self.now;
            for party in &mut self.parties {
                if let Machine::Sub(s) = &mut party.machine {
                    s.handle_timeout(now);
                }
            }
            self.settle();
        }
    }
}

fn party(machine: Machine, address: Address) -> Party {
    Party {
        machine,
        address,
        delivered: vec![],
        denials: vec![],
        errors: vec![],
        registry_calls: 0,
    }
}

#[test]
fn permissions_come_from_the_real_stream_registry() {
    let registry = Registry::deploy(Anvil::start());
    registry.send(createStreamCall {
        streamIdPath: "/e2ee-chain".into(),
        metadataJsonString: "{}".into(),
    });
    let stream = format!("{ACCOUNT0}/e2ee-chain");
    let owner = EvmSigner::from_private_key(&hex::decode(OWNER_KEY).unwrap()).unwrap();
    let owner_address = Address::from(owner.address());
    let mut config = PublisherConfig::new(stream.clone());
    config.permissions = registry_mode();
    let publisher = Publisher::new(config, Signing::Local(Box::new(owner))).unwrap();
    let mut world = World {
        registry,
        parties: vec![party(Machine::Pub(Box::new(publisher)), owner_address)],
        now: now_ms(),
    };
    let kept = world.add_subscriber(&stream);
    let revoked = world.add_subscriber(&stream);
    let stranger = world.add_subscriber(&stream);
    let expired = world.add_subscriber(&stream);
    for n in [kept, revoked, expired] {
        world.registry.send(grantPermissionCall {
            streamId: stream.clone(),
            user: world.parties[n].address,
            permissionType: SUBSCRIBE,
        });
    }
    // `expired` held SUBSCRIBE until a minute ago.
    world.registry.send(setExpirationTimeCall {
        streamId: stream.clone(),
        user: world.parties[expired].address,
        permissionType: SUBSCRIBE,
        expirationTime: U256::from(world.now / 1000 - 60),
    });

    world.publish("\"one\"");
    assert_eq!(world.parties[kept].delivered, ["\"one\""]);
    assert_eq!(world.parties[revoked].delivered, ["\"one\""]);
    assert!(world.parties[stranger].delivered.is_empty());
    assert!(
        world.parties[expired].delivered.is_empty(),
        "an expired grant counts as none"
    );
    assert_eq!(
        world.parties[0].denials,
        ["PERMISSION_DENIED", "PERMISSION_DENIED"]
    );

    // Revoke on chain, then rekey: the revoked subscriber gets nothing published after it,
    // the other continues without a gap.
    world.registry.send(revokePermissionCall {
        streamId: stream.clone(),
        user: world.parties[revoked].address,
        permissionType: SUBSCRIBE,
    });
    world.publisher().rekey(None).unwrap();
    world.publish("\"two\"");
    world.publish("\"three\"");
    assert_eq!(
        world.parties[kept].delivered,
        ["\"one\"", "\"two\"", "\"three\""]
    );
    world.advance(31_000);
    assert_eq!(world.parties[revoked].delivered, ["\"one\""]);
    assert!(
        world.parties[revoked]
            .errors
            .contains(&"KEY_REQUEST_TIMEOUT")
    );
    assert!(
        world.parties[stranger]
            .errors
            .contains(&"KEY_REQUEST_TIMEOUT")
    );
    // Every decision above came from the contract, through our calldata.
    assert!(world.parties.iter().all(|p| p.registry_calls > 0));
}
