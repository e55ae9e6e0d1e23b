//! Who may publish: each publisher's PUBLISH answer, cached for `permission_cache_ttl_ms`,
//! asked again `permission_retry_ms` after the host failed to answer. Nothing a publisher
//! sends is delivered, and no key of theirs is loaded or requested, before the answer is yes.

use super::{Purpose, Subscriber};
use crate::host::{Answer, Permission, QuestionId};
use crate::permissions::{self, Check as PermissionCheck};
use crate::registry::PermissionQuery;
use crate::user_id::UserId;

/// What is known of one publisher.
pub(super) enum Verdict {
    /// A question is out.
    Asked,
    /// Answered, trusted until `until`.
    Known { allowed: bool, until: u64 },
    /// The host failed to answer; ask again at this time.
    RetryAt(u64),
}

/// A publisher's standing now.
pub(super) enum Standing {
    Allowed,
    Denied,
    Waiting,
}

impl Subscriber {
    /// Whether `publisher` may publish, asking the host when the answer is not known.
    pub(super) fn standing(&mut self, publisher: &UserId, now_ms: u64) -> Standing {
        match self.publishers.get(publisher) {
            Some(Verdict::Asked) => return Standing::Waiting,
            Some(Verdict::Known { allowed, until }) if now_ms < *until => {
                return if *allowed {
                    Standing::Allowed
                } else {
                    Standing::Denied
                };
            }
            Some(Verdict::RetryAt(t)) if now_ms < *t => return Standing::Waiting,
            _ => {}
        }
        if self.publishers.len() >= self.config.max_chains {
            // Bounded like the chains: forget expired answers, then everything settled.
            self.publishers.retain(|_, v| match v {
                Verdict::Asked => true,
                Verdict::Known { until, .. } => *until > now_ms,
                Verdict::RetryAt(_) => false,
            });
            if self.publishers.len() >= self.config.max_chains {
                self.publishers.retain(|_, v| matches!(v, Verdict::Asked));
            }
        }
        let stream_id = self.config.stream_id.clone();
        let query = permissions::query(&stream_id, publisher, Permission::Publish);
        match self
            .permissions
            .check(&stream_id, publisher, Permission::Publish, now_ms)
        {
            PermissionCheck::Known(verdict) => {
                let allowed = verdict == Ok(true);
                let failed = verdict.is_err();
                self.settle_verdict(publisher.clone(), verdict, now_ms);
                if failed {
                    Standing::Waiting
                } else if allowed {
                    Standing::Allowed
                } else {
                    Standing::Denied
                }
            }
            PermissionCheck::Ask(question, call) => {
                self.publishers.insert(publisher.clone(), Verdict::Asked);
                let id = self.ask(
                    Purpose::Permission(vec![(query, publisher.clone())]),
                    question,
                );
                self.permissions.bind(call, id);
                Standing::Waiting
            }
            PermissionCheck::Join(id) => {
                self.publishers.insert(publisher.clone(), Verdict::Asked);
                if let Some(Purpose::Permission(waiting)) = self.questions.get_mut(&id) {
                    waiting.push((query, publisher.clone()));
                }
                Standing::Waiting
            }
        }
    }

    /// The answer to a PUBLISH question some publishers wait for.
    pub(super) fn on_permission_answer(
        &mut self,
        id: QuestionId,
        waiting: Vec<(PermissionQuery, UserId)>,
        answer: Answer,
        now_ms: u64,
    ) {
        let queries: Vec<PermissionQuery> = waiting.iter().map(|w| w.0.clone()).collect();
        let verdicts = self.permissions.answered(id, &queries, answer, now_ms);
        for ((_, publisher), (_, verdict)) in waiting.into_iter().zip(verdicts) {
            self.settle_verdict(publisher, verdict, now_ms);
        }
        self.try_parked(now_ms);
    }

    /// Records a PUBLISH answer for `publisher`; a failed check is retried later.
    pub(super) fn settle_verdict(
        &mut self,
        publisher: UserId,
        verdict: permissions::Verdict,
        now_ms: u64,
    ) {
        let settled = match verdict {
            Ok(allowed) => Verdict::Known {
                allowed,
                until: now_ms.saturating_add(self.config.permission_cache_ttl_ms),
            },
            Err((code, message)) => {
                self.error(
                    code,
                    format!("PUBLISH check for {publisher} failed: {message}"),
                    None,
                );
                Verdict::RetryAt(now_ms.saturating_add(self.config.permission_retry_ms))
            }
        };
        self.publishers.insert(publisher, settled);
    }

    /// Forgets what is known of `publisher` (after a decryption failure or a key timeout the
    /// answer may have changed: ask again next time, as the SDK does).
    pub(super) fn forget_publisher(&mut self, publisher: &UserId) {
        self.publishers.remove(publisher);
        self.permissions.invalidate_user(publisher);
    }
}
