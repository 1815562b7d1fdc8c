//! `A`: a failing rule's archived events of the failure's window (the ledger's), replayed to
//! that rule only, started once and followed to its end (`fhtop recover replay`).

use chrono::{DateTime, Utc};

use super::audit;
use crate::act::recover::{self, replay};
use crate::backend::Backend;
use crate::model::{Identity, Rule, RuleKey};
use crate::ui::view::{RecoverPlan, RecoverWhat};

/// How long the runner follows a replay before calling it started and not ended (the CLI's
/// `--timeout` default is the same hour).
const FOLLOW_FOR: std::time::Duration = std::time::Duration::from_secs(3600);

/// Seconds between DescribeReplay calls while following.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// A held dry run of `recover replay`: nothing to lock (the replay's name makes a second start
/// of the same rule and window follow the first), so only what starting needs.
pub(super) struct Held {
    identity: Identity,
    key: RuleKey,
    plan: replay::ReplayPlan,
}

/// The seconds of the window, and how far the replay got into it.
fn seconds(plan: &replay::ReplayPlan, last: Option<DateTime<Utc>>) -> (usize, usize) {
    let of = (plan.to - plan.from).num_seconds().max(1);
    let done = last.map_or(0, |t| (t - plan.from).num_seconds().clamp(0, of));
    (
        usize::try_from(done).unwrap_or(0),
        usize::try_from(of).unwrap_or(usize::MAX),
    )
}

/// The dry run of replaying `key`'s events of `from`–`to` (its rule read again; the archive
/// chosen; refused while the rule still fails), held until confirmed.
pub(super) async fn dry_run(
    backend: &dyn Backend,
    identity: Identity,
    now: DateTime<Utc>,
    (key, from, to): (&RuleKey, DateTime<Utc>, DateTime<Utc>),
) -> Result<(RecoverPlan, Held), String> {
    let rule: Rule = backend
        .describe_rule(key)
        .await
        .map_err(|e| e.explained())?;
    let plan = replay::prepare(backend, &rule, (from, to), now, false)
        .await
        .map_err(|(_, why)| why)?;
    let (_, of) = seconds(&plan, None);
    let shown = RecoverPlan {
        what: RecoverWhat::Replay(key.clone(), from, to),
        stream: key.to_string(),
        lines: plan.lines.clone(),
        to_send: of,
        account: identity.account.clone(),
        region: identity.region.clone(),
    };
    Ok((
        shown,
        Held {
            identity,
            key: key.clone(),
            plan,
        },
    ))
}

/// The audit record's fields of a replay of `h`.
fn fields(h: &Held, state: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "rule": h.key.to_string(), "replay": h.plan.name, "archive": h.plan.archive_arn,
        "from": h.plan.from.to_rfc3339(), "to": h.plan.to.to_rfc3339(), "state": state,
    })
}

/// The audit record of a dry run not confirmed: refused, nothing started.
pub(super) fn not_confirmed(h: &Held) {
    audit(&h.identity, "recover replay", fields(h, None), "refused");
}

/// Starts the held replay (unless it was started before) and follows it; its exit code and
/// summary.
pub(super) async fn send(
    backend: &dyn Backend,
    h: Held,
    read_only: bool,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> (u8, String) {
    let key = h.key.to_string();
    if read_only {
        audit(&h.identity, "recover replay", fields(&h, None), "refused");
        return (recover::REFUSED, "READ-ONLY: nothing started".into());
    }
    let (code, word, followed) = replay::run(backend, &h.plan, FOLLOW_EVERY, FOLLOW_FOR, |r| {
        let (done, of) = seconds(&h.plan, r.last_replayed);
        progress(done, of);
    })
    .await;
    let state = followed.as_ref().ok().map(|r| r.state.clone());
    if code != recover::AWS_UNUSABLE {
        audit(
            &h.identity,
            "recover replay",
            fields(&h, state.as_deref()),
            word,
        );
    }
    let summary = match &followed {
        Ok(r) => format!(
            "{key}: {word}: replay {} {}{}",
            h.plan.name,
            r.state,
            r.reason
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default()
        ),
        Err(e) => format!("{key}: {word}: {}", e.explained()),
    };
    (code, summary)
}
