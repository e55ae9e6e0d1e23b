//! Token buckets on the time input, for key-request throttling and flood control.

use std::collections::HashMap;
use std::hash::Hash;

/// A token bucket: `burst` tokens, refilled at `per_second`.
#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    // In thousandths of a token, so integer arithmetic refills smoothly per millisecond.
    milli_tokens: u64,
    burst: u64,
    per_second: u64,
    last_ms: u64,
}

impl TokenBucket {
    /// A full bucket.
    pub(crate) fn new(burst: u32, per_second: u32, now_ms: u64) -> Self {
        let burst = u64::from(burst.max(1));
        TokenBucket {
            milli_tokens: burst * 1000,
            burst,
            per_second: u64::from(per_second.max(1)),
            last_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: u64) {
        let elapsed = now_ms.saturating_sub(self.last_ms);
        self.last_ms = self.last_ms.max(now_ms);
        self.milli_tokens = self
            .milli_tokens
            .saturating_add(elapsed.saturating_mul(self.per_second))
            .min(self.burst * 1000);
    }

    /// Takes one token if there is one.
    pub(crate) fn try_take(&mut self, now_ms: u64) -> bool {
        self.refill(now_ms);
        if self.milli_tokens >= 1000 {
            self.milli_tokens -= 1000;
            true
        } else {
            false
        }
    }

    /// Milliseconds until a token is available (0 if one is).
    pub(crate) fn wait_ms(&mut self, now_ms: u64) -> u64 {
        self.refill(now_ms);
        let missing = 1000u64.saturating_sub(self.milli_tokens);
        missing.div_ceil(self.per_second)
    }

    fn is_full(&mut self, now_ms: u64) -> bool {
        self.refill(now_ms);
        self.milli_tokens >= self.burst * 1000
    }
}

/// One bucket per key (requester), with a bound on how many keys are tracked so a flood of
/// identities cannot grow memory: idle (full) buckets are forgotten first, and when every
/// tracked key is busy, new keys are refused.
#[derive(Debug)]
pub(crate) struct KeyedLimiter<K> {
    buckets: HashMap<K, TokenBucket>,
    burst: u32,
    per_second: u32,
    max_keys: usize,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    /// Limits each key to `per_second` with bursts of `burst`, tracking at most `max_keys`.
    pub(crate) fn new(burst: u32, per_second: u32, max_keys: usize) -> Self {
        KeyedLimiter {
            buckets: HashMap::new(),
            burst,
            per_second,
            max_keys: max_keys.max(1),
        }
    }

    /// Whether `key` may act now (and counts it).
    pub(crate) fn allow(&mut self, key: &K, now_ms: u64) -> bool {
        if let Some(bucket) = self.buckets.get_mut(key) {
            return bucket.try_take(now_ms);
        }
        if self.buckets.len() >= self.max_keys {
            self.buckets.retain(|_, b| !b.is_full(now_ms));
            if self.buckets.len() >= self.max_keys {
                return false;
            }
        }
        let mut bucket = TokenBucket::new(self.burst, self.per_second, now_ms);
        let ok = bucket.try_take(now_ms);
        self.buckets.insert(key.clone(), bucket);
        ok
    }

    /// How many keys are tracked.
    #[cfg(test)]
    pub(crate) fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_with_time() {
        let mut b = TokenBucket::new(2, 10, 0);
        assert!(b.try_take(0) && b.try_take(0));
        assert!(!b.try_take(0));
        assert_eq!(b.wait_ms(0), 100);
        assert!(!b.try_take(99));
        assert!(b.try_take(100));
    }

    #[test]
    fn limiter_bounds_tracked_keys() {
        let mut l = KeyedLimiter::new(1, 1, 3);
        for k in 0..3 {
            assert!(l.allow(&k, 0));
        }
        assert!(!l.allow(&99, 0), "all tracked keys busy: newcomer refused");
        assert!(l.allow(&99, 1000), "after refill, idle keys are forgotten");
        assert!(l.tracked() <= 3);
    }
}
