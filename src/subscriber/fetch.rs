//! Key fetches: one per (publisher, key id) the subscriber lacks. A fetch first asks the
//! host's key store (`loadKey`, once), then sends key requests. Requests go out through a
//! throttle (the SDK's `maxKeyRequestsPerSecond`), are retried with exponential back-off
//! while the fetch lasts (the SDK never retries), and the fetch gives up after the key
//! request timeout, counted from its start (the load included). Loads count against the
//! same bound as requests, so unauthenticated input cannot make the host read its store
//! without limit.

use std::collections::{HashMap, VecDeque};

use crate::host::QuestionId;
use crate::rate_limit::TokenBucket;
use crate::user_id::UserId;

/// What is fetched: the publisher's key with this id.
pub(super) type FetchKey = (UserId, String);

#[derive(Debug)]
struct Fetch {
    attempts: u32,
    next_attempt_at: Option<u64>,
    give_up_at: u64,
    request_ids: Vec<String>,
    queued: bool,
    /// The `loadKey` question still open, if the fetch is at that stage.
    loading: Option<QuestionId>,
    /// The key replaces a stored copy that failed to decode content.
    replace: bool,
}

/// How a fetch starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    /// Ask the host's key store first, then key exchange.
    StoreFirst,
    /// Key exchange only; the result replaces the stored copy.
    ExchangeReplacing,
}

/// What [`Fetches::want`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Want {
    /// A fetch for the key is already underway.
    Underway,
    /// Started: ask the store, then call [`Fetches::loading`].
    Load,
    /// Started: key requests are queued.
    Request,
    /// Too many fetches run; refused.
    Refused,
}

/// Timing settings of fetches.
#[derive(Clone, Copy, Debug)]
pub(super) struct FetchPolicy {
    /// Give up this long after the fetch started.
    pub timeout_ms: u64,
    /// Requests after the first one.
    pub retries: u32,
    /// Wait before the first retry; doubles each time.
    pub retry_base_ms: u64,
    /// Requests per second, all fetches together.
    pub requests_per_second: u32,
    /// Fetches at once; more are refused.
    pub max_fetches: usize,
}

/// A request to send now.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Attempt {
    pub key: FetchKey,
    pub number: u32,
}

/// All fetches in progress.
#[derive(Debug)]
pub(super) struct Fetches {
    policy: FetchPolicy,
    fetches: HashMap<FetchKey, Fetch>,
    by_request: HashMap<String, FetchKey>,
    throttle: TokenBucket,
    send_queue: VecDeque<FetchKey>,
}

impl Fetches {
    pub(super) fn new(policy: FetchPolicy, now_ms: u64) -> Self {
        let rate = policy.requests_per_second.max(1);
        Fetches {
            policy,
            fetches: HashMap::new(),
            by_request: HashMap::new(),
            throttle: TokenBucket::new(rate, rate, now_ms),
            send_queue: VecDeque::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.fetches.len()
    }

    pub(super) fn contains(&self, key: &FetchKey) -> bool {
        self.fetches.contains_key(key)
    }

    /// Starts fetching `key` unless already underway.
    pub(super) fn want(&mut self, key: FetchKey, now_ms: u64, source: Source) -> Want {
        if self.fetches.contains_key(&key) {
            return Want::Underway;
        }
        if self.fetches.len() >= self.policy.max_fetches {
            return Want::Refused;
        }
        let load = source == Source::StoreFirst;
        self.fetches.insert(
            key.clone(),
            Fetch {
                attempts: 0,
                next_attempt_at: None,
                give_up_at: now_ms.saturating_add(self.policy.timeout_ms),
                request_ids: Vec::new(),
                queued: !load,
                loading: None,
                replace: source == Source::ExchangeReplacing,
            },
        );
        if load {
            Want::Load
        } else {
            self.send_queue.push_back(key);
            Want::Request
        }
    }

    /// Records the `loadKey` question asked for a fetch that [`Self::want`] started with
    /// [`Want::Load`].
    pub(super) fn loading(&mut self, key: &FetchKey, question: QuestionId) {
        if let Some(f) = self.fetches.get_mut(key) {
            f.loading = Some(question);
        }
    }

    /// Whether the fetch of `key` waits for the answer to `question`.
    pub(super) fn awaits_load(&self, key: &FetchKey, question: QuestionId) -> bool {
        self.fetches
            .get(key)
            .is_some_and(|f| f.loading == Some(question))
    }

    /// The store did not have the key: go on with key requests.
    pub(super) fn load_missed(&mut self, key: &FetchKey) {
        if let Some(f) = self.fetches.get_mut(key)
            && f.loading.take().is_some()
            && !f.queued
        {
            f.queued = true;
            self.send_queue.push_back(key.clone());
        }
    }

    /// Whether the fetched key replaces a stored copy.
    pub(super) fn replaces(&self, key: &FetchKey) -> bool {
        self.fetches.get(key).is_some_and(|f| f.replace)
    }

    /// Fetches that timed out (removed), and requests to send now.
    pub(super) fn due(&mut self, now_ms: u64) -> (Vec<FetchKey>, Vec<Attempt>) {
        let expired: Vec<FetchKey> = self
            .fetches
            .iter()
            .filter(|(_, f)| now_ms >= f.give_up_at)
            .map(|(k, _)| k.clone())
            .collect();
        for key in &expired {
            self.complete(key);
        }
        for (key, f) in &mut self.fetches {
            if !f.queued && f.loading.is_none() && f.next_attempt_at.is_some_and(|t| now_ms >= t) {
                f.queued = true;
                f.next_attempt_at = None;
                self.send_queue.push_back(key.clone());
            }
        }
        let mut attempts = Vec::new();
        while !self.send_queue.is_empty() && self.throttle.try_take(now_ms) {
            let Some(key) = self.send_queue.pop_front() else {
                break;
            };
            let Some(f) = self.fetches.get_mut(&key) else {
                continue;
            };
            f.queued = false;
            f.attempts += 1;
            f.next_attempt_at = (f.attempts <= self.policy.retries).then(|| {
                let backoff = self
                    .policy
                    .retry_base_ms
                    .saturating_mul(1u64 << (f.attempts - 1).min(20));
                now_ms.saturating_add(backoff).min(f.give_up_at)
            });
            attempts.push(Attempt {
                key,
                number: f.attempts,
            });
        }
        (expired, attempts)
    }

    /// Remembers the id of a request sent for `key`.
    pub(super) fn record_request(&mut self, key: &FetchKey, request_id: String) {
        if let Some(f) = self.fetches.get_mut(key) {
            f.request_ids.push(request_id.clone());
            self.by_request.insert(request_id, key.clone());
        }
    }

    /// The fetch a response's request id belongs to.
    pub(super) fn by_request(&self, request_id: &str) -> Option<&FetchKey> {
        self.by_request.get(request_id)
    }

    /// Ends a fetch (key arrived or gave up); its request ids are no longer accepted.
    pub(super) fn complete(&mut self, key: &FetchKey) {
        if let Some(f) = self.fetches.remove(key) {
            for id in f.request_ids {
                self.by_request.remove(&id);
            }
        }
        self.send_queue.retain(|k| k != key);
    }

    /// When [`Self::due`] next has work.
    pub(super) fn next_deadline(&mut self, now_ms: u64) -> Option<u64> {
        let throttle = (!self.send_queue.is_empty())
            .then(|| now_ms.saturating_add(self.throttle.wait_ms(now_ms)));
        self.fetches
            .values()
            .flat_map(|f| [Some(f.give_up_at), f.next_attempt_at])
            .flatten()
            .chain(throttle)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> FetchPolicy {
        FetchPolicy {
            timeout_ms: 30_000,
            retries: 2,
            retry_base_ms: 2_000,
            requests_per_second: 2,
            max_fetches: 3,
        }
    }

    fn key(n: u8) -> FetchKey {
        (UserId::from([n; 20]), format!("k{n}"))
    }

    #[test]
    fn retries_with_backoff_then_gives_up() {
        let mut f = Fetches::new(policy(), 0);
        assert_eq!(f.want(key(1), 0, Source::ExchangeReplacing), Want::Request);
        assert!(f.replaces(&key(1)));
        let (_, a) = f.due(0);
        assert_eq!(
            a,
            vec![Attempt {
                key: key(1),
                number: 1
            }]
        );
        assert_eq!(f.next_deadline(0), Some(2_000));
        assert!(f.due(1_999).1.is_empty());
        assert_eq!(f.due(2_000).1.len(), 1);
        assert_eq!(f.next_deadline(2_000), Some(6_000));
        assert_eq!(f.due(6_000).1[0].number, 3);
        assert_eq!(f.next_deadline(6_000), Some(30_000), "no more retries");
        let (expired, _) = f.due(30_000);
        assert_eq!(expired, vec![key(1)]);
        assert_eq!(f.len(), 0);
    }

    #[test]
    fn throttled_and_bounded() {
        let mut f = Fetches::new(policy(), 0);
        for n in 1..=3 {
            assert_eq!(f.want(key(n), 0, Source::ExchangeReplacing), Want::Request);
        }
        assert_eq!(f.want(key(1), 0, Source::StoreFirst), Want::Underway);
        assert_eq!(
            f.want(key(4), 0, Source::StoreFirst),
            Want::Refused,
            "max_fetches"
        );
        assert_eq!(f.due(0).1.len(), 2, "burst of 2");
        assert_eq!(f.next_deadline(0), Some(500));
        assert_eq!(f.due(500).1.len(), 1);
    }

    #[test]
    fn request_ids_map_to_fetches_until_complete() {
        let mut f = Fetches::new(policy(), 0);
        f.want(key(1), 0, Source::ExchangeReplacing);
        f.record_request(&key(1), "r1".into());
        assert_eq!(f.by_request("r1"), Some(&key(1)));
        f.complete(&key(1));
        assert_eq!(f.by_request("r1"), None);
    }

    #[test]
    fn a_load_comes_first_and_counts_as_a_fetch() {
        let mut f = Fetches::new(policy(), 0);
        assert_eq!(f.want(key(1), 0, Source::StoreFirst), Want::Load);
        assert!(!f.replaces(&key(1)));
        f.loading(&key(1), QuestionId(7));
        assert!(f.awaits_load(&key(1), QuestionId(7)));
        assert!(f.due(0).1.is_empty(), "no request while the store is asked");
        assert_eq!(f.next_deadline(0), Some(30_000));
        f.load_missed(&key(1));
        assert!(!f.awaits_load(&key(1), QuestionId(7)));
        assert_eq!(f.due(0).1.len(), 1);
        f.load_missed(&key(1));
        assert!(f.due(0).1.is_empty(), "a second answer changes nothing");
        for n in 2..=3 {
            f.want(key(n), 0, Source::StoreFirst);
        }
        assert_eq!(f.want(key(4), 0, Source::StoreFirst), Want::Refused);
    }
}
