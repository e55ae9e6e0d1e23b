//! A small world for the custodian tests: real publisher, subscriber and custodian cores; the
//! host (permissions from a table, a key store map per party, the clock, a broadcast medium
//! that records everything) is played here.

use std::collections::{HashMap, HashSet};

use crate::custodian::{Custodian, CustodianConfig};
use crate::exchange::mlkem::MlKemKeyPair;
use crate::host::{Answer, Event, Output, QuestionId};
use crate::host::{Delivery, Permission, Question};
use crate::identity::Signing;
use crate::identity::evm::EvmSigner;
use crate::publisher::{Publisher, PublisherConfig};
use crate::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use crate::user_id::UserId;
use crate::wire::ContentType;

pub(super) const STREAM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/custodian";
pub(super) const T0: u64 = 1_800_000_000_000;

pub(super) enum Core {
    Pub(Box<Publisher>),
    Sub(Box<Subscriber>),
    Cust(Box<Custodian>),
}

pub(super) struct Party {
    pub(super) core: Core,
    pub(super) online: bool,
    pub(super) store: HashMap<(UserId, String), Vec<u8>>,
    pub(super) delivered: Vec<Delivery>,
    pub(super) events: Vec<Event>,
}

pub(super) struct World {
    pub(super) now: u64,
    pub(super) parties: Vec<Party>,
    pub(super) allowed: HashSet<(UserId, Permission)>,
    /// Every broadcast, in order (what a resend from storage would replay).
    pub(super) log: Vec<Vec<u8>>,
}

impl World {
    pub(super) fn new() -> Self {
        World {
            now: T0,
            parties: Vec::new(),
            allowed: HashSet::new(),
            log: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, core: Core) -> usize {
        self.parties.push(Party {
            core,
            online: true,
            store: HashMap::new(),
            delivered: Vec::new(),
            events: Vec::new(),
        });
        self.parties.len() - 1
    }

    pub(super) fn publisher(&mut self, custodians: Vec<Vec<u8>>) -> (usize, [u8; 32]) {
        let secret = [0x42u8; 32];
        let signer = EvmSigner::from_private_key(&secret).unwrap();
        self.allowed.insert((signer.user_id(), Permission::Publish));
        let mut config = PublisherConfig::new(STREAM);
        config.custodians = custodians;
        let p = Publisher::new(config, Signing::Local(Box::new(signer))).unwrap();
        (self.add(Core::Pub(Box::new(p))), secret)
    }

    pub(super) fn subscriber(&mut self, allowed: bool) -> usize {
        let signer = EvmSigner::generate().unwrap();
        if allowed {
            self.allowed
                .insert((signer.user_id(), Permission::Subscribe));
        }
        let kex = KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap()));
        let s = Subscriber::new(
            SubscriberConfig::new(STREAM),
            Signing::Local(Box::new(signer)),
            kex,
            self.now,
        )
        .unwrap();
        self.add(Core::Sub(Box::new(s)))
    }

    pub(super) fn custodian(&mut self, grace_ms: u64) -> usize {
        let mut config = CustodianConfig::new(STREAM);
        config.grace_ms = grace_ms;
        let c = Custodian::new(config, MlKemKeyPair::generate().unwrap()).unwrap();
        self.add(Core::Cust(Box::new(c)))
    }

    pub(super) fn cust(&mut self, i: usize) -> &mut Custodian {
        match &mut self.parties[i].core {
            Core::Cust(c) => c,
            _ => panic!("not a custodian"),
        }
    }

    pub(super) fn publish(&mut self, p: usize, n: u32) {
        if let Core::Pub(core) = &mut self.parties[p].core {
            core.publish(
                format!("{{\"n\":{n}}}").into_bytes(),
                ContentType::Json,
                self.now,
            )
            .unwrap();
        }
        self.run();
    }

    /// Drains every party and delivers broadcasts to the online ones until all is quiet.
    pub(super) fn run(&mut self) {
        for _ in 0..1000 {
            let mut sent: Vec<(usize, Vec<u8>)> = Vec::new();
            let mut progress = false;
            for i in 0..self.parties.len() {
                while let Some(out) = self.poll(i) {
                    progress = true;
                    match out {
                        Output::Send { bytes, .. } => sent.push((i, bytes)),
                        Output::Ask { id, question } => {
                            let answer = self.answer_for(i, &question);
                            self.answer(i, id, answer);
                        }
                        Output::Deliver(d) => self.parties[i].delivered.push(d),
                        Output::StoreKey { publisher, key, .. } => {
                            let data = key.expose_secret().to_vec();
                            self.parties[i]
                                .store
                                .insert((publisher, key.id().to_owned()), data);
                        }
                        Output::Event(e) => self.parties[i].events.push(e),
                    }
                }
            }
            for (from, bytes) in sent {
                self.log.push(bytes.clone());
                for to in 0..self.parties.len() {
                    if to != from && self.parties[to].online {
                        self.deliver(to, &bytes);
                    }
                }
            }
            if !progress {
                return;
            }
        }
        panic!("no quiet after 1000 rounds");
    }

    pub(super) fn deliver(&mut self, to: usize, bytes: &[u8]) {
        let now = self.now;
        match &mut self.parties[to].core {
            Core::Pub(c) => c.handle_message(bytes, now),
            Core::Sub(c) => c.handle_message(bytes, now),
            Core::Cust(c) => c.handle_message(bytes, now),
        }
    }

    pub(super) fn poll(&mut self, i: usize) -> Option<Output> {
        match &mut self.parties[i].core {
            Core::Pub(c) => c.poll_output(),
            Core::Sub(c) => c.poll_output(),
            Core::Cust(c) => c.poll_output(),
        }
    }

    pub(super) fn answer(&mut self, i: usize, id: QuestionId, answer: Answer) {
        let now = self.now;
        match &mut self.parties[i].core {
            Core::Pub(c) => c.answer(id, answer, now).unwrap(),
            Core::Sub(c) => c.answer(id, answer, now).unwrap(),
            Core::Cust(c) => c.answer(id, answer, now).unwrap(),
        }
    }

    pub(super) fn answer_for(&self, i: usize, q: &Question) -> Answer {
        match q {
            Question::Permission {
                user, permission, ..
            } => Answer::Permission(self.allowed.contains(&(user.clone(), *permission))),
            Question::LoadKey {
                publisher, key_id, ..
            } => Answer::StoredKey(
                self.parties[i]
                    .store
                    .get(&(publisher.clone(), key_id.clone()))
                    .cloned(),
            ),
            other => Answer::Failed {
                reason: format!("not here: {other:?}"),
            },
        }
    }

    /// Moves the clock and ticks every timer.
    pub(super) fn advance(&mut self, ms: u64) {
        self.now += ms;
        let now = self.now;
        for p in &mut self.parties {
            match &mut p.core {
                Core::Sub(c) => c.handle_timeout(now),
                Core::Cust(c) => c.tick(now),
                Core::Pub(_) => {}
            }
        }
        self.run();
    }

    pub(super) fn texts(&self, i: usize) -> Vec<String> {
        self.parties[i]
            .delivered
            .iter()
            .map(|d| String::from_utf8(d.content.clone()).unwrap())
            .collect()
    }

    pub(super) fn answered(&self, i: usize) -> usize {
        self.parties[i]
            .events
            .iter()
            .filter(|e| matches!(e, Event::KeyRequestAnswered { .. }))
            .count()
    }

    pub(super) fn denials(&self, i: usize) -> Vec<&'static str> {
        self.parties[i]
            .events
            .iter()
            .filter_map(|e| match e {
                Event::KeyRequestDenied { code, .. } => Some(code.as_str()),
                _ => None,
            })
            .collect()
    }
}
