//! Which context a one-context command acts in when several are given: the one that has the
//! rule or stream it names. `fhtop rule` and `fhtop perms stream|rule` ask every context at
//! once (DescribeRule / DescribeDeliveryStream) and go on in the one that has it; a name in
//! several contexts, or in none, is refused with the list.

use std::sync::Arc;

use crate::backend::{Backend, BackendError, ErrorKind};
use crate::config::Context;
use crate::model::RuleKey;

/// What a one-context command names: a rule (bus and name) or a delivery stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// An EventBridge rule, looked up with DescribeRule.
    Rule(RuleKey),
    /// A Firehose delivery stream, looked up with DescribeDeliveryStream.
    Stream(String),
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Named::Rule(k) => write!(f, "rule {k}"),
            Named::Stream(s) => write!(f, "delivery stream {s}"),
        }
    }
}

/// Whether the context behind `backend` has `what`: `Ok(false)` when AWS says it does not
/// exist (`ResourceNotFoundException`).
///
/// Errors: any other failure of the describe call (denied, unreachable, expired session).
pub async fn has(backend: &dyn Backend, what: &Named) -> Result<bool, BackendError> {
    let r = match what {
        Named::Rule(k) => backend.describe_rule(k).await.map(|_| ()),
        Named::Stream(s) => backend.describe_stream(s).await.map(|_| ()),
    };
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The one of `contexts` that has `what`, asked concurrently. `all_must_answer` (a change is
/// about to be made): a context that could not be asked might have it too, so its silence is
/// a refusal rather than a "no".
///
/// Errors (the message names the contexts): `what` is in several (pick one with `--context`),
/// or in none, or (`all_must_answer`) some context could not be asked — with why.
pub async fn the_one_having(
    contexts: Vec<(Context, Arc<dyn Backend>)>,
    what: &Named,
    all_must_answer: bool,
) -> Result<(Context, Arc<dyn Backend>), String> {
    let answers =
        futures_util::future::join_all(contexts.iter().map(|(_, b)| has(b.as_ref(), what))).await;
    let mut having = Vec::new();
    let mut unasked = Vec::new();
    for ((c, b), a) in contexts.into_iter().zip(answers) {
        match a {
            Ok(true) => having.push((c, b)),
            Ok(false) => {}
            Err(e) => unasked.push(format!("{}: {}", c.name, e.message)),
        }
    }
    if all_must_answer && !unasked.is_empty() {
        return Err(format!(
            "cannot tell which context has {what}: not known in {}; pick one with --context NAME",
            unasked.join("; ")
        ));
    }
    match having.len() {
        1 => Ok(having.remove(0)),
        0 if unasked.is_empty() => Err(format!("no context has {what}")),
        0 => Err(format!(
            "no context that answered has {what}; not known in {}",
            unasked.join("; ")
        )),
        n => Err(format!(
            "{what} is in {n} contexts ({}): pick one with --context NAME (or one --profile and \
             one --region)",
            having
                .iter()
                .map(|(c, _)| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
