//! `D`: the events of a rule target's dead-letter queue, sent to the target's stream, each
//! message deleted once its record is accepted (`fhtop recover dlq`).

use super::{audit, open_journal};
use crate::act::recover::dlq::{self, DlqOptions, DlqPlan, Redrive};
use crate::act::recover::{self, journal, report};
use crate::backend::Backend;
use crate::model::{Identity, Rule, RuleKey};
use crate::ui::view::{RecoverPlan, RecoverWhat};

/// Seconds a received message stays hidden while its record is sent (the CLI's default).
const VISIBILITY_SECONDS: i32 = 300;

/// Messages in the plan's queue (0 when its depth was not read).
fn depth(plan: &DlqPlan) -> usize {
    plan.depth
        .map_or(0, |d| usize::try_from(d).unwrap_or(usize::MAX))
}

/// A held dry run of `recover dlq`.
pub(super) struct Held {
    identity: Identity,
    rule: Rule,
    plan: DlqPlan,
    journal: journal::Journal,
}

/// The dry run for `key`'s target with a dead-letter queue (its rule and targets read again,
/// the queue's depth read; nothing received), held with its journal.
pub(super) async fn dry_run(
    backend: &dyn Backend,
    identity: Identity,
    key: &RuleKey,
) -> Result<(RecoverPlan, Held), String> {
    let (rule, targets) = tokio::join!(backend.describe_rule(key), backend.rule_targets(key));
    let rule = Rule {
        targets: targets.map_err(|e| e.explained())?,
        ..rule.map_err(|e| e.explained())?
    };
    let plan = dlq::prepare(backend, &rule, None)
        .await
        .map_err(|(_, why)| why)?;
    if plan.depth == Some(0) {
        return Err(format!(
            "{}\nnothing to recover: the queue is empty",
            plan.text
        ));
    }
    let name = format!("{}_{}_{}", key.bus, key.name, plan.target.id);
    let journal = open_journal(&identity, "dlq", &name)?;
    let mut lines: Vec<String> = plan.text.lines().map(str::to_string).collect();
    lines.push(format!(
        "  each message deleted once Firehose accepted its record; journal: {}",
        journal.path().display()
    ));
    let shown = RecoverPlan {
        what: RecoverWhat::Dlq(key.clone()),
        stream: plan.stream.clone(),
        lines,
        to_send: depth(&plan),
        account: identity.account.clone(),
        region: identity.region.clone(),
    };
    Ok((
        shown,
        Held {
            identity,
            rule,
            plan,
            journal,
        },
    ))
}

/// The audit record of a dry run not confirmed: refused, nothing sent.
pub(super) fn not_confirmed(h: &Held) {
    let r = Redrive {
        sent: crate::act::recover::errors::Sent {
            stopped: Some("not confirmed; nothing sent".into()),
            ..Default::default()
        },
        ..Redrive::default()
    };
    audit(&h.identity, "recover dlq", fields(&r, h), "refused");
}

/// The audit record's fields of a redrive of `h` that did `r`.
fn fields(r: &Redrive, h: &Held) -> serde_json::Value {
    serde_json::json!({
        "rule": h.rule.key().to_string(),
        "target": h.plan.target.id,
        "queue": h.plan.queue,
        "stream": h.plan.stream,
        "accepted": r.sent.accepted,
        "deleted": r.deleted + r.deleted_already_sent,
        "left": r.left,
        "journal": h.journal.path().display().to_string(),
        "error": r.sent.stopped,
    })
}

/// Redrives the held plan; its exit code and summary.
pub(super) async fn send(
    backend: &dyn Backend,
    mut h: Held,
    read_only: bool,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> (u8, String) {
    let key = h.rule.key().to_string();
    if read_only {
        let r = Redrive::default();
        audit(&h.identity, "recover dlq", fields(&r, &h), "refused");
        return (recover::REFUSED, "READ-ONLY: nothing sent".into());
    }
    let of = depth(&h.plan);
    let opts = DlqOptions {
        visibility_seconds: VISIBILITY_SECONDS,
        resend_in_doubt: false,
    };
    let r = dlq::redrive(
        backend,
        (&h.rule, &h.plan.target, &h.plan.queue, &h.plan.stream),
        &mut h.journal,
        &opts,
        |sent| progress(sent, of.max(sent)),
    )
    .await;
    let code = report::dlq_code(&r);
    let word = report::word(code);
    audit(&h.identity, "recover dlq", fields(&r, &h), word);
    let mut summary = format!(
        "{key}: {word}: {} records accepted by Firehose in {} calls; {} messages deleted",
        r.sent.accepted,
        r.sent.calls,
        r.deleted + r.deleted_already_sent
    );
    let left: usize = r.left.values().sum();
    if left > 0 {
        summary.push_str(&format!(", {left} left in the queue"));
    }
    if let Some(why) = &r.sent.stopped {
        summary.push_str(&format!("; stopped: {why}"));
    }
    if code != recover::RECOVERED && code != recover::NOTHING {
        summary.push_str(" · D again resumes; nothing accepted is sent twice");
    }
    (code, summary)
}
