//! [`PermissionOracle`]: answers permission questions from its cache, or says which
//! StreamRegistry `eth_call` the host must make, and turns the raw result into answers.

use std::collections::HashMap;

use super::abi;
use super::cache::{CacheConfig, PermissionCache};
use super::permission::{Grantee, PermissionQuery, PermissionType};
use super::{CallOutcome, RegistryError};
use crate::error::Error;
use crate::user_id::UserId;

/// Identifies one registry call until the host completes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// What [`PermissionOracle::query`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Answered from the cache.
    Known(bool),
    /// The host must `eth_call` the StreamRegistry with `data` and hand the outcome to
    /// [`PermissionOracle::complete`] with this `id`.
    Call {
        /// Quote it in `complete`.
        id: CallId,
        /// The calldata (selector + arguments).
        data: Vec<u8>,
    },
    /// The same call is already on its way (asked by an earlier query): nothing to send;
    /// the answer comes with that call's [`PermissionOracle::complete`].
    Pending(CallId),
}

/// One answer decided by [`PermissionOracle::complete`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// What was asked.
    pub query: PermissionQuery,
    /// The answer; an `Err` must be treated as "no" (fail closed).
    pub answer: Result<bool, RegistryError>,
}

impl Decision {
    /// Whether the permission is held: `false` for "no" and for every failure.
    pub fn granted(&self) -> bool {
        matches!(self.answer, Ok(true))
    }
}

/// Limits of a [`PermissionOracle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OracleConfig {
    /// The answer cache.
    pub cache: CacheConfig,
    /// The most registry calls waiting for the host at once; a query that needs one more is
    /// refused with `OVERLOADED` (default 1024). Identical queries share one call.
    pub max_in_flight: usize,
}

impl Default for OracleConfig {
    fn default() -> Self {
        OracleConfig {
            cache: CacheConfig::default(),
            max_in_flight: 1024,
        }
    }
}

/// What a registry call in flight will answer.
#[derive(Debug)]
struct InFlight {
    /// The stream and whose permissions (`getPermissionsForUserId`), or the public grant of
    /// one permission (`hasPublicPermission`).
    stream_id: String,
    grantee: Grantee,
    /// The permissions asked about, in order of asking; for a public call exactly one.
    waiting: Vec<PermissionType>,
    /// The calldata, the key that identical queries join on.
    data: Vec<u8>,
    /// Cleared when an invalidation touches this call: its answer then still decides the
    /// queries waiting for it, but is not cached (it may predate what was invalidated).
    cacheable: bool,
}

/// Decides StreamRegistry permissions without doing I/O (sans-IO).
///
/// [`query`](Self::query) answers from the cache or hands out the calldata of the
/// `eth_call` to make; [`complete`](Self::complete) takes the call's raw outcome and
/// returns an answer for every query that waited for it, filling the cache. Identical
/// queries in flight share one call. Every failure (host error, revert other than "no such
/// stream", bytes that do not decode) is an `Err` answer, which callers treat as "no".
///
/// `getPermissionsForUserId` includes public grants (docs/wire.md §9), so a user query answers
/// "may this user publish/subscribe"; [`query_public`](Self::query_public) asks
/// `hasPublicPermission`, the "publish unencrypted?" question.
#[derive(Debug)]
pub struct PermissionOracle {
    cache: PermissionCache,
    in_flight: HashMap<CallId, InFlight>,
    /// Calls that new identical queries may join.
    joinable: HashMap<Vec<u8>, CallId>,
    max_in_flight: usize,
    next_id: u64,
}

impl Default for PermissionOracle {
    fn default() -> Self {
        Self::new(OracleConfig::default())
    }
}

impl PermissionOracle {
    /// An oracle with an empty cache.
    pub fn new(config: OracleConfig) -> Self {
        PermissionOracle {
            cache: PermissionCache::new(config.cache),
            in_flight: HashMap::new(),
            joinable: HashMap::new(),
            max_in_flight: config.max_in_flight,
            next_id: 0,
        }
    }

    /// Does `user` hold `permission` on `stream_id` (public grants included)?
    pub fn query(
        &mut self,
        stream_id: &str,
        user: &UserId,
        permission: PermissionType,
        now_ms: u64,
    ) -> Result<Lookup, RegistryError> {
        self.lookup(
            PermissionQuery {
                stream_id: stream_id.to_owned(),
                grantee: Grantee::User(user.clone()),
                permission,
            },
            now_ms,
        )
    }

    /// Does everyone hold `permission` on `stream_id` (`hasPublicPermission`)? For
    /// SUBSCRIBE this decides whether the publisher may send unencrypted (docs/wire.md §5).
    pub fn query_public(
        &mut self,
        stream_id: &str,
        permission: PermissionType,
        now_ms: u64,
    ) -> Result<Lookup, RegistryError> {
        self.lookup(
            PermissionQuery {
                stream_id: stream_id.to_owned(),
                grantee: Grantee::Public,
                permission,
            },
            now_ms,
        )
    }

    /// [`query`](Self::query) or [`query_public`](Self::query_public) for a prepared query.
    pub fn lookup(&mut self, query: PermissionQuery, now_ms: u64) -> Result<Lookup, RegistryError> {
        if query.stream_id.is_empty() {
            return Err(Error::InvalidArgument("stream id is empty".into()).into());
        }
        if let Some(allowed) = self.cache.get(&query, now_ms) {
            return Ok(Lookup::Known(allowed));
        }
        let data = match &query.grantee {
            Grantee::User(user) => abi::get_permissions_for_user_id_call(&query.stream_id, user),
            Grantee::Public => abi::has_public_permission_call(&query.stream_id, query.permission),
        };
        if let Some(&id) = self.joinable.get(&data)
            && let Some(call) = self.in_flight.get_mut(&id)
        {
            if !call.waiting.contains(&query.permission) {
                call.waiting.push(query.permission);
            }
            return Ok(Lookup::Pending(id));
        }
        if self.in_flight.len() >= self.max_in_flight {
            return Err(RegistryError::Overloaded {
                limit: self.max_in_flight,
            });
        }
        self.next_id += 1;
        let id = CallId(self.next_id);
        self.joinable.insert(data.clone(), id);
        self.in_flight.insert(
            id,
            InFlight {
                stream_id: query.stream_id,
                grantee: query.grantee,
                waiting: vec![query.permission],
                data: data.clone(),
                cacheable: true,
            },
        );
        Ok(Lookup::Call { id, data })
    }

    /// The outcome of call `id`: an answer for every query that waited for it.
    ///
    /// - returned bytes: decoded; each waiting permission is decided (and cached) at `now_ms`;
    /// - `getPermissionsForUserId` reverted with `error_streamDoesNotExist` or with no data:
    ///   `STREAM_NOT_FOUND` (not cached: the stream may be created any moment);
    /// - any other revert, a host failure, or undecodable bytes: `PERMISSION_CHECK_FAILED`
    ///   (not cached; the next query asks again).
    ///
    /// An unknown (or already completed) `id` is an `INVALID_ARGUMENT` error. A host that
    /// gives up on a call (timeout) completes it with [`CallOutcome::Failed`].
    pub fn complete(
        &mut self,
        id: CallId,
        outcome: CallOutcome,
        now_ms: u64,
    ) -> Result<Vec<Decision>, RegistryError> {
        let call = self.in_flight.remove(&id).ok_or_else(|| {
            RegistryError::from(Error::InvalidArgument(format!("no registry call {}", id.0)))
        })?;
        if self.joinable.get(&call.data) == Some(&id) {
            self.joinable.remove(&call.data);
        }
        let answers: Vec<(PermissionType, Result<bool, RegistryError>, Option<u64>)> =
            match (&call.grantee, outcome) {
                (Grantee::User(_), CallOutcome::Returned(bytes)) => {
                    match abi::decode_get_permissions_for_user_id(&bytes) {
                        Ok(perms) => call
                            .waiting
                            .iter()
                            .map(|&p| (p, Ok(perms.allows(p, now_ms)), perms.held_until_ms(p)))
                            .collect(),
                        Err(e) => fail_all(&call, bad_result(e)),
                    }
                }
                (Grantee::Public, CallOutcome::Returned(bytes)) => {
                    let answer = abi::decode_has_public_permission(&bytes).map_err(bad_result);
                    call.waiting
                        .iter()
                        .map(|&p| (p, answer.clone(), None))
                        .collect()
                }
                (grantee, CallOutcome::Reverted(data)) => {
                    fail_all(&call, revert_error(&call.stream_id, grantee, &data))
                }
                (_, CallOutcome::Failed(reason)) => {
                    fail_all(&call, RegistryError::CheckFailed(reason))
                }
            };
        Ok(answers
            .into_iter()
            .map(|(permission, answer, held_until_ms)| {
                let query = PermissionQuery {
                    stream_id: call.stream_id.clone(),
                    grantee: call.grantee.clone(),
                    permission,
                };
                if let (Ok(allowed), true) = (&answer, call.cacheable) {
                    self.cache
                        .insert(query.clone(), *allowed, held_until_ms, now_ms);
                }
                Decision { query, answer }
            })
            .collect())
    }

    /// How many calls wait for the host.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Forgets every answer about `stream_id`; calls in flight for it will not be cached,
    /// and new queries for it send a new call.
    pub fn invalidate_stream(&mut self, stream_id: &str) {
        self.cache.invalidate_stream(stream_id);
        self.detach(|call| call.stream_id == stream_id);
    }

    /// Forgets every answer about `user` (for instance after a decryption failure, as the SDK
    /// does for a publisher); calls in flight for the user will not be cached.
    pub fn invalidate_user(&mut self, user: &UserId) {
        self.cache.invalidate_user(user);
        self.detach(|call| matches!(&call.grantee, Grantee::User(u) if u == user));
    }

    /// Forgets every answer (the SDK's `invalidatePermissionCaches`); no call in flight will
    /// be cached.
    pub fn clear(&mut self) {
        self.cache.clear();
        self.detach(|_| true);
    }

    /// The cache, for inspection and [`PermissionCache::purge_expired`].
    pub fn cache_mut(&mut self) -> &mut PermissionCache {
        &mut self.cache
    }

    fn detach(&mut self, matches: impl Fn(&InFlight) -> bool) {
        for call in self.in_flight.values_mut() {
            if matches(call) {
                call.cacheable = false;
                self.joinable.remove(&call.data);
            }
        }
    }
}

type Answer = (PermissionType, Result<bool, RegistryError>, Option<u64>);

fn fail_all(call: &InFlight, error: RegistryError) -> Vec<Answer> {
    call.waiting
        .iter()
        .map(|&p| (p, Err(error.clone()), None))
        .collect()
}

fn bad_result(e: Error) -> RegistryError {
    RegistryError::CheckFailed(format!("the registry answered garbage: {e}"))
}

/// `getPermissionsForUserId` reverts only through its `streamExists` modifier. Empty revert
/// data also counts as "no such stream", because hosts (wallets, some RPC providers) often
/// drop the data; a revert with another reason (a wrong contract address, say) does not.
fn revert_error(stream_id: &str, grantee: &Grantee, data: &[u8]) -> RegistryError {
    let reason = abi::decode_revert_reason(data);
    let not_found = data.is_empty() || reason.as_deref() == Some(abi::STREAM_DOES_NOT_EXIST_REASON);
    match grantee {
        Grantee::User(_) if not_found => Error::StreamNotFound(stream_id.to_owned()).into(),
        _ => RegistryError::CheckFailed(match reason {
            Some(reason) => format!("the registry call reverted: {reason}"),
            None => format!(
                "the registry call reverted with {} bytes: 0x{}",
                data.len(),
                hex::encode(data.get(..64).unwrap_or(data))
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    const STREAM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/e2ee-test";

    fn user(n: u8) -> UserId {
        UserId::from([n; 20])
    }

    fn word(v: u8) -> Vec<u8> {
        let mut w = vec![0u8; 32];
        w[31] = v;
        w
    }

    fn uint(v: u64) -> Vec<u8> {
        let mut w = vec![0u8; 32];
        w[24..].copy_from_slice(&v.to_be_bytes());
        w
    }

    /// `getPermissionsForUserId`'s return data.
    fn perms(publish_s: u64, subscribe_s: u64) -> Vec<u8> {
        [
            word(0),
            word(0),
            uint(publish_s),
            uint(subscribe_s),
            word(0),
        ]
        .concat()
    }

    fn revert_reason(reason: &str) -> Vec<u8> {
        let mut text = reason.as_bytes().to_vec();
        text.resize(reason.len().div_ceil(32) * 32, 0);
        [
            hex::decode("08c379a0").unwrap(),
            word(0x20),
            uint(reason.len() as u64),
            text,
        ]
        .concat()
    }

    fn call(lookup: Result<Lookup, RegistryError>) -> (CallId, Vec<u8>) {
        match lookup.unwrap() {
            Lookup::Call { id, data } => (id, data),
            other => panic!("expected a call, got {other:?}"),
        }
    }

    #[test]
    fn asks_then_answers_from_cache() {
        let mut o = PermissionOracle::default();
        let (id, data) = call(o.query(STREAM, &user(1), PermissionType::Subscribe, 1_000));
        assert_eq!(
            data,
            abi::get_permissions_for_user_id_call(STREAM, &user(1))
        );
        let decisions = o
            .complete(id, CallOutcome::Returned(perms(0, u64::MAX)), 1_000)
            .unwrap();
        assert_eq!(decisions.len(), 1);
        assert!(decisions[0].granted());
        assert_eq!(decisions[0].query.permission, PermissionType::Subscribe);
        assert_eq!(decisions[0].query.grantee, Grantee::User(user(1)));
        assert_eq!(
            o.query(STREAM, &user(1), PermissionType::Subscribe, 2_000)
                .unwrap(),
            Lookup::Known(true)
        );
        // Only the permission asked is cached: PUBLISH sends a call of its own.
        let (id, _) = call(o.query(STREAM, &user(1), PermissionType::Publish, 2_000));
        let d = o
            .complete(id, CallOutcome::Returned(perms(0, u64::MAX)), 2_000)
            .unwrap();
        assert!(!d[0].granted());
        // After the TTL the registry is asked again.
        let later = 1_000 + CacheConfig::DEFAULT_TTL_MS;
        call(o.query(STREAM, &user(1), PermissionType::Subscribe, later));
    }

    #[test]
    fn identical_queries_share_a_call() {
        let mut o = PermissionOracle::default();
        let (id, _) = call(o.query(STREAM, &user(1), PermissionType::Publish, 0));
        assert_eq!(
            o.query(STREAM, &user(1), PermissionType::Publish, 0)
                .unwrap(),
            Lookup::Pending(id)
        );
        // SUBSCRIBE for the same user is the same eth_call.
        assert_eq!(
            o.query(STREAM, &user(1), PermissionType::Subscribe, 0)
                .unwrap(),
            Lookup::Pending(id)
        );
        // Another user, or the public grant, is not.
        let (other, _) = call(o.query(STREAM, &user(2), PermissionType::Publish, 0));
        assert_ne!(other, id);
        let (public, data) = call(o.query_public(STREAM, PermissionType::Subscribe, 0));
        assert_eq!(
            data,
            abi::has_public_permission_call(STREAM, PermissionType::Subscribe)
        );
        assert_eq!(o.in_flight(), 3);

        let decisions = o
            .complete(id, CallOutcome::Returned(perms(5, 0)), 1_000)
            .unwrap();
        let answers: Vec<_> = decisions
            .iter()
            .map(|d| (d.query.permission, d.granted()))
            .collect();
        assert_eq!(
            answers,
            [
                (PermissionType::Publish, true),
                (PermissionType::Subscribe, false)
            ]
        );
        let decisions = o
            .complete(public, CallOutcome::Returned(word(1)), 1_000)
            .unwrap();
        assert_eq!(decisions.len(), 1);
        assert_eq!(decisions[0].query.grantee, Grantee::Public);
        assert!(decisions[0].granted());
        assert_eq!(
            o.query_public(STREAM, PermissionType::Subscribe, 1_001)
                .unwrap(),
            Lookup::Known(true)
        );
        // Completed calls are gone; a second complete is an error.
        let e = o
            .complete(id, CallOutcome::Returned(perms(5, 0)), 1_000)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(o.in_flight(), 1);
    }

    #[test]
    fn a_cached_grant_ends_at_its_expiration() {
        let mut o = PermissionOracle::default();
        let (id, _) = call(o.query(STREAM, &user(1), PermissionType::Publish, 1_000_000));
        // PUBLISH until t = 1010 s; the TTL (5 min) would outlive it.
        let d = o
            .complete(id, CallOutcome::Returned(perms(1_010, 0)), 1_000_000)
            .unwrap();
        assert!(d[0].granted());
        assert_eq!(
            o.query(STREAM, &user(1), PermissionType::Publish, 1_009_999)
                .unwrap(),
            Lookup::Known(true)
        );
        call(o.query(STREAM, &user(1), PermissionType::Publish, 1_010_000));
    }

    #[test]
    fn a_revert_is_stream_not_found() {
        let mut o = PermissionOracle::default();
        for data in [revert_reason("error_streamDoesNotExist"), Vec::new()] {
            let (id, _) = call(o.query("0xabc/none", &user(1), PermissionType::Subscribe, 0));
            let d = o.complete(id, CallOutcome::Reverted(data), 0).unwrap();
            assert!(!d[0].granted());
            let e = d[0].answer.clone().unwrap_err();
            assert_eq!(e.code(), ErrorCode::StreamNotFound);
            assert_eq!(
                e,
                RegistryError::Core(Error::StreamNotFound("0xabc/none".into()))
            );
            assert_eq!(e.code().as_str(), "STREAM_NOT_FOUND");
        }
        // Not cached: the stream may be created any time.
        call(o.query("0xabc/none", &user(1), PermissionType::Subscribe, 0));
    }

    #[test]
    fn other_failures_are_check_failed_and_not_cached() {
        let garbage = [word(2), word(0), word(0), word(0), word(0)].concat();
        let outcomes = [
            CallOutcome::Failed("connection refused".into()),
            CallOutcome::Reverted(revert_reason("error_somethingElse")),
            CallOutcome::Reverted(vec![0xde, 0xad]),
            CallOutcome::Returned(Vec::new()),
            CallOutcome::Returned(garbage),
            CallOutcome::Returned(word(1)), // a bool where a struct is due
        ];
        let mut o = PermissionOracle::default();
        for outcome in outcomes {
            let (id, _) = call(o.query(STREAM, &user(1), PermissionType::Publish, 0));
            let d = o.complete(id, outcome.clone(), 0).unwrap();
            assert!(!d[0].granted(), "{outcome:?}");
            let e = d[0].answer.clone().unwrap_err();
            assert_eq!(
                e.code(),
                ErrorCode::PermissionCheckFailed,
                "{outcome:?}: {e}"
            );
        }
        assert!(o.cache_mut().is_empty());
        // hasPublicPermission does not revert for a missing stream: a revert is a failure.
        let (id, _) = call(o.query_public(STREAM, PermissionType::Subscribe, 0));
        let d = o
            .complete(id, CallOutcome::Reverted(Vec::new()), 0)
            .unwrap();
        assert_eq!(
            d[0].answer.clone().unwrap_err().code(),
            ErrorCode::PermissionCheckFailed
        );
        let (id, _) = call(o.query_public(STREAM, PermissionType::Subscribe, 0));
        let d = o.complete(id, CallOutcome::Returned(word(3)), 0).unwrap();
        assert!(!d[0].granted());
    }

    #[test]
    fn bounded_in_flight() {
        let mut o = PermissionOracle::new(OracleConfig {
            max_in_flight: 2,
            ..Default::default()
        });
        let (a, _) = call(o.query(STREAM, &user(1), PermissionType::Publish, 0));
        call(o.query(STREAM, &user(2), PermissionType::Publish, 0));
        let e = o
            .query(STREAM, &user(3), PermissionType::Publish, 0)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Overloaded);
        // Joining an existing call is still possible.
        assert_eq!(
            o.query(STREAM, &user(1), PermissionType::Subscribe, 0)
                .unwrap(),
            Lookup::Pending(a)
        );
        o.complete(a, CallOutcome::Failed("timeout".into()), 0)
            .unwrap();
        call(o.query(STREAM, &user(3), PermissionType::Publish, 0));
    }

    #[test]
    fn invalidation_detaches_calls_in_flight() {
        let mut o = PermissionOracle::default();
        let (old, _) = call(o.query(STREAM, &user(1), PermissionType::Subscribe, 0));
        o.invalidate_user(&user(1));
        // A new query does not join the call made before the invalidation.
        let (new, _) = call(o.query(STREAM, &user(1), PermissionType::Subscribe, 0));
        assert_ne!(old, new);
        // The old answer still decides its query, but is not cached.
        let d = o
            .complete(old, CallOutcome::Returned(perms(0, u64::MAX)), 0)
            .unwrap();
        assert!(d[0].granted());
        assert!(o.cache_mut().is_empty());
        let d = o
            .complete(new, CallOutcome::Returned(perms(0, 0)), 0)
            .unwrap();
        assert!(!d[0].granted());
        assert_eq!(
            o.query(STREAM, &user(1), PermissionType::Subscribe, 1)
                .unwrap(),
            Lookup::Known(false)
        );
        o.invalidate_stream(STREAM);
        call(o.query(STREAM, &user(1), PermissionType::Subscribe, 1));
        let (public, _) = call(o.query_public(STREAM, PermissionType::Subscribe, 1));
        o.clear();
        o.complete(public, CallOutcome::Returned(word(1)), 1)
            .unwrap();
        assert!(o.cache_mut().is_empty());
    }

    #[test]
    fn rejects_an_empty_stream_id() {
        let mut o = PermissionOracle::default();
        let e = o
            .query("", &user(1), PermissionType::Publish, 0)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(o.in_flight(), 0);
    }
}
