//! Where the state machines get permission answers: from the host directly
//! ([`PermissionSource::Host`], a [`Question::Permission`] each), or from StreamRegistry calls
//! the core encodes, decodes and caches ([`PermissionSource::Registry`], a
//! [`Question::RegistryCall`] the host answers with the raw `eth_call` result).
//!
//! Either way every failure counts as "no": the publisher releases no key and the subscriber
//! delivers nothing it could not check (fail closed).

use std::collections::HashMap;

use crate::error::ErrorCode;
use crate::host::{Answer, Permission, Question, QuestionId};
use crate::identity::{HostCheck, Verification};
use crate::registry::{
    self, CallId, CallOutcome, Grantee, Lookup, OracleConfig, PermissionOracle, PermissionQuery,
    PermissionType,
};
use crate::user_id::UserId;

/// Where permission answers come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PermissionSource {
    /// The host answers [`Question::Permission`] and [`Question::Erc1271`] itself (a host
    /// with its own registry client, such as the SDK, or tests).
    #[default]
    Host,
    /// The core asks for raw StreamRegistry / contract `eth_call`s
    /// ([`Question::RegistryCall`], [`Question::ContractCall`]) and caches the answers.
    Registry(OracleConfig),
}

/// A yes/no answer, or why there is none (counted as "no").
pub(crate) type Verdict = Result<bool, (ErrorCode, String)>;

/// What a check needs.
pub(crate) enum Check {
    /// Answered now.
    Known(Verdict),
    /// Ask this question; then [`Permissions::bind`] its id.
    Ask(Question, Option<CallId>),
    /// An identical question is already out; wait for it.
    Join(QuestionId),
}

/// The permission side of a state machine.
pub(crate) struct Permissions {
    oracle: Option<PermissionOracle>,
    calls: HashMap<CallId, QuestionId>,
    by_question: HashMap<QuestionId, CallId>,
}

fn to_registry(permission: Permission) -> PermissionType {
    match permission {
        Permission::Publish => PermissionType::Publish,
        Permission::Subscribe => PermissionType::Subscribe,
    }
}

/// The query a [`Question::Permission`] stands for.
pub(crate) fn query(stream_id: &str, user: &UserId, permission: Permission) -> PermissionQuery {
    PermissionQuery {
        stream_id: stream_id.to_owned(),
        grantee: Grantee::User(user.clone()),
        permission: to_registry(permission),
    }
}

impl Permissions {
    pub(crate) fn new(source: PermissionSource) -> Self {
        Permissions {
            oracle: match source {
                PermissionSource::Host => None,
                PermissionSource::Registry(config) => Some(PermissionOracle::new(config)),
            },
            calls: HashMap::new(),
            by_question: HashMap::new(),
        }
    }

    /// Does `user` hold `permission` on `stream_id` now?
    pub(crate) fn check(
        &mut self,
        stream_id: &str,
        user: &UserId,
        permission: Permission,
        now_ms: u64,
    ) -> Check {
        let Some(oracle) = &mut self.oracle else {
            return Check::Ask(
                Question::Permission {
                    stream_id: stream_id.to_owned(),
                    user: user.clone(),
                    permission,
                },
                None,
            );
        };
        match oracle.query(stream_id, user, to_registry(permission), now_ms) {
            Ok(Lookup::Known(allowed)) => Check::Known(Ok(allowed)),
            Ok(Lookup::Call { id, data }) => Check::Ask(Question::RegistryCall { data }, Some(id)),
            Ok(Lookup::Pending(id)) => match self.calls.get(&id) {
                Some(q) => Check::Join(*q),
                None => Check::Known(Err((
                    ErrorCode::PermissionCheckFailed,
                    "registry call lost".into(),
                ))),
            },
            Err(e) => Check::Known(Err((e.code(), e.to_string()))),
        }
    }

    /// Records which question carries a registry call.
    pub(crate) fn bind(&mut self, call: Option<CallId>, question: QuestionId) {
        if let Some(call) = call {
            self.calls.insert(call, question);
            self.by_question.insert(question, call);
        }
    }

    /// The answers a permission question brought, for each query waiting on it.
    pub(crate) fn answered(
        &mut self,
        question: QuestionId,
        waiting: &[PermissionQuery],
        answer: Answer,
        now_ms: u64,
    ) -> Vec<(PermissionQuery, Verdict)> {
        let Some(call) = self.by_question.remove(&question) else {
            // Host mode: one query, one semantic answer.
            let verdict = match answer {
                Answer::Permission(allowed) => Ok(allowed),
                Answer::Failed { reason } => Err((ErrorCode::PermissionCheckFailed, reason)),
                other => Err((
                    ErrorCode::PermissionCheckFailed,
                    format!("unexpected answer {other:?}"),
                )),
            };
            return waiting
                .iter()
                .map(|q| (q.clone(), verdict.clone()))
                .collect();
        };
        self.calls.remove(&call);
        let outcome = match answer {
            Answer::CallResult(bytes) => CallOutcome::Returned(bytes),
            Answer::CallReverted(bytes) => CallOutcome::Reverted(bytes),
            Answer::Failed { reason } => CallOutcome::Failed(reason),
            other => CallOutcome::Failed(format!("unexpected answer {other:?}")),
        };
        let decisions = match self
            .oracle
            .as_mut()
            .map(|o| o.complete(call, outcome, now_ms))
        {
            Some(Ok(d)) => d,
            Some(Err(e)) => {
                let verdict: Verdict = Err((e.code(), e.to_string()));
                return waiting
                    .iter()
                    .map(|q| (q.clone(), verdict.clone()))
                    .collect();
            }
            None => Vec::new(),
        };
        waiting
            .iter()
            .map(|q| {
                let verdict = decisions
                    .iter()
                    .find(|d| &d.query == q)
                    .map(|d| d.answer.clone().map_err(|e| (e.code(), e.to_string())))
                    .unwrap_or_else(|| {
                        Err((
                            ErrorCode::PermissionCheckFailed,
                            "no answer for the query".into(),
                        ))
                    });
                (q.clone(), verdict)
            })
            .collect()
    }

    /// The question that checks an ERC-1271 signature.
    pub(crate) fn erc1271_question(
        &self,
        contract: UserId,
        digest: [u8; 32],
        signature: Vec<u8>,
    ) -> Question {
        if self.oracle.is_some()
            && let Ok(call) = registry::erc1271_call(&contract, &digest, &signature)
        {
            return Question::ContractCall {
                to: UserId::from(call.to),
                data: call.data,
            };
        }
        Question::Erc1271 {
            contract,
            digest,
            signature,
        }
    }

    /// The question a signature waits for (ERC-1271 or P-256), if any.
    pub(crate) fn signature_question(&self, v: Verification) -> Option<(HostCheck, Question)> {
        match v {
            Verification::Valid => None,
            Verification::NeedsErc1271 {
                contract,
                digest,
                signature,
            } => Some((
                HostCheck::Erc1271,
                self.erc1271_question(contract, digest, signature),
            )),
            Verification::NeedsP256 {
                public_key,
                payload,
                signature,
            } => Some((
                HostCheck::P256,
                Question::VerifyP256 {
                    public_key,
                    payload,
                    signature,
                },
            )),
        }
    }

    /// Whether the answer to the question of [`Self::signature_question`] says "valid". A
    /// P-256 check takes only [`Answer::SignatureValid`]; anything else fails closed.
    pub(crate) fn signature_valid(&self, check: HostCheck, answer: Answer) -> Verdict {
        match (check, answer) {
            (HostCheck::Erc1271, answer) => self.erc1271_valid(answer),
            (HostCheck::P256, Answer::SignatureValid(valid)) => Ok(valid),
            (HostCheck::P256, Answer::Failed { reason }) => Err((
                ErrorCode::InvalidSignature,
                format!("the host could not verify the P-256 signature: {reason}"),
            )),
            (HostCheck::P256, other) => Err((
                ErrorCode::InvalidSignature,
                format!("unexpected answer {other:?} to a P-256 check"),
            )),
        }
    }

    /// Whether the answer to an ERC-1271 question says "valid".
    pub(crate) fn erc1271_valid(&self, answer: Answer) -> Verdict {
        match answer {
            Answer::Permission(valid) => Ok(valid),
            Answer::CallResult(bytes) => registry::erc1271_outcome(CallOutcome::Returned(bytes))
                .map_err(|e| (e.code(), e.to_string())),
            Answer::CallReverted(_) => Ok(false),
            Answer::Failed { reason } => Err((ErrorCode::PermissionCheckFailed, reason)),
            other => Err((
                ErrorCode::PermissionCheckFailed,
                format!("unexpected answer {other:?}"),
            )),
        }
    }

    /// Forgets every cached answer (a rekey: the permissions it enforces must be read anew).
    pub(crate) fn invalidate_all(&mut self) {
        if let Some(o) = &mut self.oracle {
            o.clear();
        }
    }

    /// Forgets cached answers about `user` (after a decryption failure, as the SDK does).
    pub(crate) fn invalidate_user(&mut self, user: &UserId) {
        if let Some(o) = &mut self.oracle {
            o.invalidate_user(user);
        }
    }
}
