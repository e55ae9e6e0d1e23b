//! A bounded, time-limited cache of permission answers, keyed by
//! (stream id, user or public, permission). Time is an input (`now_ms`); there is no clock.

use std::collections::{BTreeSet, HashMap};

use super::permission::{Grantee, PermissionQuery};
use crate::user_id::UserId;

/// How long an answer is believed, and how many are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    /// How long an answer (yes or no) is believed, in ms.
    ///
    /// The default is 5 minutes, where the SDK uses 24 hours. The cache decides how long a
    /// revoked subscriber keeps getting keys from a publisher (and a revoked publisher's
    /// messages keep being accepted): with the SDK that window is a day, which makes
    /// `revokePermission` close to meaningless until a rekey. Five minutes bounds it to the
    /// time a revocation takes to matter anyway (a rekey is normally sent right after it),
    /// while a busy publisher still asks the registry at most once per requester every
    /// 5 minutes — 288 `eth_call`s a day per requester instead of one. Answers are also
    /// capped by the grant's own expiration, so a time-limited grant stops counting on time.
    pub ttl_ms: u64,
    /// The most answers kept; 0 disables caching. When full, the entry that expires first
    /// (an expired one if any, else the oldest) makes room. Default 10 000, the SDK's
    /// `cache.maxSize`.
    pub max_entries: usize,
}

impl CacheConfig {
    /// 5 minutes.
    pub const DEFAULT_TTL_MS: u64 = 5 * 60 * 1000;
    /// 10 000 answers.
    pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            ttl_ms: Self::DEFAULT_TTL_MS,
            max_entries: Self::DEFAULT_MAX_ENTRIES,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    allowed: bool,
    expires_at_ms: u64,
    seq: u64,
}

/// Permission answers with a TTL and a size bound.
///
/// Lookups and insertions are O(log n): entries are also indexed by (expiry, insertion
/// order), so eviction takes the first of that index. Invalidation is O(n) and rare.
#[derive(Clone, Debug, Default)]
pub struct PermissionCache {
    config: CacheConfig,
    entries: HashMap<PermissionQuery, Entry>,
    by_expiry: BTreeSet<(u64, u64, PermissionQuery)>,
    seq: u64,
}

impl PermissionCache {
    /// An empty cache.
    pub fn new(config: CacheConfig) -> Self {
        PermissionCache {
            config,
            ..Default::default()
        }
    }

    /// The configuration.
    pub fn config(&self) -> CacheConfig {
        self.config
    }

    /// The cached answer, if there is one that has not expired at `now_ms`.
    pub fn get(&mut self, query: &PermissionQuery, now_ms: u64) -> Option<bool> {
        let entry = *self.entries.get(query)?;
        if now_ms < entry.expires_at_ms {
            return Some(entry.allowed);
        }
        self.remove(query);
        None
    }

    /// Records an answer at `now_ms`. It is believed until `now_ms + ttl`, or until
    /// `held_until_ms` if that is earlier (a "yes" for a grant that expires).
    pub fn insert(
        &mut self,
        query: PermissionQuery,
        allowed: bool,
        held_until_ms: Option<u64>,
        now_ms: u64,
    ) {
        let mut expires_at_ms = now_ms.saturating_add(self.config.ttl_ms);
        if let Some(limit) = held_until_ms.filter(|_| allowed) {
            expires_at_ms = expires_at_ms.min(limit);
        }
        self.remove(&query);
        if expires_at_ms <= now_ms || self.config.max_entries == 0 {
            return;
        }
        while self.entries.len() >= self.config.max_entries {
            let Some(first) = self.by_expiry.pop_first() else {
                break;
            };
            self.entries.remove(&first.2);
        }
        self.seq += 1;
        self.by_expiry
            .insert((expires_at_ms, self.seq, query.clone()));
        self.entries.insert(
            query,
            Entry {
                allowed,
                expires_at_ms,
                seq: self.seq,
            },
        );
    }

    /// Forgets every answer about `stream_id`.
    pub fn invalidate_stream(&mut self, stream_id: &str) {
        self.retain(|q| q.stream_id != stream_id);
    }

    /// Forgets every answer about `user`, on every stream (public answers stay).
    pub fn invalidate_user(&mut self, user: &UserId) {
        self.retain(|q| !matches!(&q.grantee, Grantee::User(u) if u == user));
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.by_expiry.clear();
    }

    /// Drops the answers that have expired at `now_ms` (they are also dropped lazily, and
    /// first when room is needed; this only frees memory sooner).
    pub fn purge_expired(&mut self, now_ms: u64) {
        while let Some(first) = self.by_expiry.first() {
            if first.0 > now_ms {
                break;
            }
            if let Some(first) = self.by_expiry.pop_first() {
                self.entries.remove(&first.2);
            }
        }
    }

    /// How many answers are held (expired ones included until they are dropped).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn remove(&mut self, query: &PermissionQuery) {
        if let Some(old) = self.entries.remove(query) {
            self.by_expiry
                .remove(&(old.expires_at_ms, old.seq, query.clone()));
        }
    }

    fn retain(&mut self, keep: impl Fn(&PermissionQuery) -> bool) {
        self.entries.retain(|q, _| keep(q));
        self.by_expiry.retain(|(_, _, q)| keep(q));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::PermissionType;

    fn user(n: u8) -> UserId {
        UserId::from([n; 20])
    }

    fn q(stream: &str, n: u8, permission: PermissionType) -> PermissionQuery {
        PermissionQuery {
            stream_id: stream.into(),
            grantee: Grantee::User(user(n)),
            permission,
        }
    }

    fn public(stream: &str) -> PermissionQuery {
        PermissionQuery {
            stream_id: stream.into(),
            grantee: Grantee::Public,
            permission: PermissionType::Subscribe,
        }
    }

    fn cache(ttl_ms: u64, max_entries: usize) -> PermissionCache {
        PermissionCache::new(CacheConfig {
            ttl_ms,
            max_entries,
        })
    }

    #[test]
    fn default_is_five_minutes_and_ten_thousand() {
        let c = CacheConfig::default();
        assert_eq!(c.ttl_ms, 300_000);
        assert_eq!(c.max_entries, 10_000);
    }

    #[test]
    fn ttl() {
        let mut c = cache(1000, 10);
        let a = q("s", 1, PermissionType::Subscribe);
        c.insert(a.clone(), true, None, 5000);
        assert_eq!(c.get(&a, 5000), Some(true));
        assert_eq!(c.get(&a, 5999), Some(true));
        assert_eq!(c.get(&a, 6000), None);
        assert!(c.is_empty(), "an expired entry is dropped when seen");
        // A "no" is cached too, with the same TTL.
        c.insert(a.clone(), false, None, 0);
        assert_eq!(c.get(&a, 999), Some(false));
        assert_eq!(c.get(&a, 1000), None);
    }

    #[test]
    fn a_grant_expiring_before_the_ttl_caps_the_entry() {
        let mut c = cache(60_000, 10);
        let a = q("s", 1, PermissionType::Publish);
        c.insert(a.clone(), true, Some(10_500), 10_000);
        assert_eq!(c.get(&a, 10_499), Some(true));
        assert_eq!(c.get(&a, 10_500), None);
        // Already expired: not stored at all. A "no" ignores the cap.
        c.insert(a.clone(), true, Some(9_000), 10_000);
        assert!(c.is_empty());
        c.insert(a.clone(), false, Some(9_000), 10_000);
        assert_eq!(c.get(&a, 69_999), Some(false));
    }

    #[test]
    fn bounded_evicting_expired_then_oldest() {
        let mut c = cache(1000, 3);
        c.insert(q("s", 1, PermissionType::Publish), true, None, 0); // expires 1000
        c.insert(q("s", 2, PermissionType::Publish), true, None, 500); // expires 1500
        c.insert(q("s", 3, PermissionType::Publish), true, None, 1200); // expires 2200
        // At 1200 user 1 has expired: it goes first.
        c.insert(q("s", 4, PermissionType::Publish), true, None, 1200);
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&q("s", 1, PermissionType::Publish), 1200), None);
        assert_eq!(c.get(&q("s", 2, PermissionType::Publish), 1200), Some(true));
        // Nothing expired: the oldest (user 2) goes.
        c.insert(q("s", 5, PermissionType::Publish), false, None, 1300);
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&q("s", 2, PermissionType::Publish), 1300), None);
        for n in [3, 4, 5] {
            assert!(c.get(&q("s", n, PermissionType::Publish), 1300).is_some());
        }
        // Many more: never above the bound.
        for n in 0..=255 {
            c.insert(q("t", n, PermissionType::Subscribe), true, None, 2000);
            assert!(c.len() <= 3);
        }
        assert_eq!(c.by_expiry.len(), c.entries.len());
    }

    #[test]
    fn reinsert_replaces() {
        let mut c = cache(1000, 2);
        let a = q("s", 1, PermissionType::Subscribe);
        c.insert(a.clone(), true, None, 0);
        c.insert(a.clone(), false, None, 100);
        assert_eq!(c.len(), 1);
        assert_eq!(c.by_expiry.len(), 1);
        assert_eq!(c.get(&a, 1050), Some(false));
    }

    #[test]
    fn disabled() {
        let mut c = cache(1000, 0);
        c.insert(public("s"), true, None, 0);
        assert!(c.is_empty());
        let mut c = cache(0, 10);
        c.insert(public("s"), true, None, 0);
        assert_eq!(c.get(&public("s"), 0), None);
    }

    #[test]
    fn invalidation() {
        let mut c = cache(1000, 100);
        for s in ["a", "b"] {
            for n in [1, 2] {
                c.insert(q(s, n, PermissionType::Publish), true, None, 0);
                c.insert(q(s, n, PermissionType::Subscribe), true, None, 0);
            }
            c.insert(public(s), false, None, 0);
        }
        assert_eq!(c.len(), 10);
        c.invalidate_stream("a");
        assert_eq!(c.len(), 5);
        assert_eq!(c.get(&public("a"), 0), None);
        assert_eq!(c.get(&public("b"), 0), Some(false));
        c.invalidate_user(&user(1));
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(&q("b", 1, PermissionType::Publish), 0), None);
        assert_eq!(c.get(&q("b", 2, PermissionType::Publish), 0), Some(true));
        assert_eq!(c.by_expiry.len(), c.entries.len());
        c.clear();
        assert!(c.is_empty());
        assert!(c.by_expiry.is_empty());
    }

    #[test]
    fn purge() {
        let mut c = cache(1000, 10);
        c.insert(public("a"), true, None, 0);
        c.insert(public("b"), true, None, 600);
        c.purge_expired(1000);
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(&public("b"), 1000), Some(true));
    }
}
