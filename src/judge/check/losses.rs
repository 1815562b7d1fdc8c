//! The `losses` finding: each stream's and each rule's loss ledger lines
//! ([`crate::judge::losses`]) from the checks' metrics — what was lost, is at risk (and by
//! when) or waits to be recovered. The dead-letter queues' depth and the error output's
//! objects are `fhtop losses`'s: the finding says so.

use super::*;
use crate::judge::losses::{self, Fate, LossLine};
use crate::model::Scope;

/// The `losses` finding of one stream or rule (`scope`) from `lines` (its ledger lines).
pub(super) fn losses_finding(
    scope: &Scope,
    pipeline: &str,
    lines: &[LossLine],
    cli: &Confirm,
) -> CheckResult {
    let worst = losses::worst(lines);
    let target = match scope {
        Scope::Stream(n) => n.clone(),
        Scope::Rule(k) => format!("{}/{}", k.bus, k.name),
    };
    let shown: Vec<&LossLine> = lines.iter().filter(|l| l.fate != Fate::Clear).collect();
    let summary = match (shown.as_slice(), scope) {
        ([], Scope::Stream(_)) => "nothing undelivered, refused or failed in the window by the metrics (`fhtop losses` also lists the S3 error output)".to_string(),
        ([], Scope::Rule(_)) => "nothing dropped, refused by or sent to a dead-letter queue in the window (`fhtop losses` also reads retries in flight and the queues)".to_string(),
        ([one], _) => one.summary.clone(),
        ([first, rest @ ..], _) => format!("{} (and {} more)", first.summary, rest.len()),
    };
    let details = shown
        .iter()
        .map(|l| format!("{}: {}", l.fate.word(), l.summary))
        .collect::<Vec<_>>()
        .join("\n");
    // The metric the worst line rests on, where one does.
    let metric = shown
        .first()
        .and_then(|l| l.evidence.split([',', ';']).next())
        .filter(|m| !m.contains(' '))
        .unwrap_or(match scope {
            Scope::Stream(_) => "IncomingRecords",
            Scope::Rule(_) => "FailedInvocations",
        });
    let confirm = match scope {
        Scope::Stream(n) => cli.stream_metric(n, metric, "Sum"),
        Scope::Rule(_) => cli.metric("AWS/Events", metric, &scope.dimensions(), "Sum"),
    };
    CheckResult {
        check: CheckId::Losses.id(),
        target,
        status: worst.level(),
        summary,
        details,
        confirm,
        pipeline: pipeline.to_string(),
    }
}
