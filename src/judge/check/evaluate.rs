//! The findings, a pure function of what was gathered: the health rules' verdicts per check,
//! the simulations' verdicts, and an OK line saying why a check passed.

use super::finding::*;
use super::rule::rule_findings;
use super::stream::{alarm_coverage, stream_findings};
use super::*;

/// What the health rules read, from what was gathered.
fn inputs_of(g: &Gathered) -> Inputs<'_> {
    Inputs {
        inv: &g.inv,
        metrics: g.metrics.as_ref().ok(),
        metrics_error: g.metrics.as_ref().err().map(|e| e.message.as_str()),
        alarms: g.alarms.as_deref().unwrap_or(&[]),
        logs: Some(&g.logs),
        now: g.now,
    }
}

/// Since when: the timeline ([`crate::judge::health::timeline`]) of every stream and rule checked that
/// has a WARN or FAIL finding (alarm coverage alone does not count), as (target, events): what
/// changed in the metrics window, for the first question of a post-incident review.
pub fn timelines(
    g: &Gathered,
    findings: &[CheckResult],
) -> Vec<(String, Vec<crate::judge::health::timeline::Event>)> {
    let inputs = inputs_of(g);
    let since = g
        .metrics
        .as_ref()
        .map_or(g.now - chrono::Duration::hours(3), |m| m.window.start);
    let history = g.alarm_history.as_deref().unwrap_or(&[]);
    let failing = |target: &str| {
        findings.iter().any(|f| {
            f.target == target
                && matches!(f.status, Level::Warn | Level::Fail)
                && f.check != CheckId::AlarmCoverage.id()
        })
    };
    let mut out = Vec::new();
    for name in g.scope.streams.iter().filter(|n| failing(n)) {
        if let Some(s) = g.inv.stream(name) {
            out.push((
                name.clone(),
                crate::judge::health::timeline::stream(&inputs, s, history, since),
            ));
        }
    }
    for key in g.scope.rules.iter().filter(|k| failing(&k.to_string())) {
        if let Some(r) = g.inv.rule(key) {
            out.push((
                key.to_string(),
                crate::judge::health::timeline::rule(&inputs, r, history, since),
            ));
        }
    }
    out
}

/// Every check of the selection, one result per (check, target): the findings, pure.
pub fn evaluate(g: &Gathered) -> Vec<CheckResult> {
    let cli = Confirm {
        region: &g.region,
        now: g.now,
        window_minutes: g
            .metrics
            .as_ref()
            .map(|m| (m.window.points as i64 * i64::from(m.window.period_seconds)) / 60)
            .unwrap_or(180),
    };
    let inputs = inputs_of(g);
    let mut out = Vec::new();
    for (kind, name) in &g.scope.missing {
        out.push(CheckResult {
            check: if *kind == "stream" {
                CheckId::StreamStatus.id()
            } else {
                CheckId::RuleState.id()
            },
            target: name.clone(),
            status: Level::Fail,
            summary: format!("{kind} {name} does not exist in {}", g.region),
            details: String::new(),
            confirm: if *kind == "stream" {
                format!("aws firehose list-delivery-streams --region {}", g.region)
            } else {
                format!(
                    "aws events list-rules --region {} --name-prefix {}",
                    g.region,
                    q(name)
                )
            },
            pipeline: name.clone(),
        });
    }
    for e in g.scope.unread.iter().filter_map(|i| g.inv.errors.get(*i)) {
        out.push(unread_finding(g, e, &cli));
    }
    let why = g
        .metrics
        .as_ref()
        .err()
        .map(|e| e.explained())
        .unwrap_or_default();
    let ledger = crate::judge::losses::Inputs {
        metrics: g.metrics.as_ref().map_err(|_| why.as_str()),
        recent: None,
        queues: None,
        outputs: None,
        archives: None,
        now: g.now,
    };
    for name in &g.scope.streams {
        if let Some(s) = g.inv.stream(name) {
            stream_findings(g, &inputs, s, &cli, &mut out);
            out.push(alarm_coverage(g, s, &cli));
            let lines = crate::judge::losses::pipeline_lines(&ledger, &g.inv, None, Some(s));
            let sc = crate::model::Scope::Stream(s.name.clone());
            out.push(losses::losses_finding(&sc, &s.name, &lines, &cli));
        }
    }
    for key in &g.scope.rules {
        if let Some(r) = g.inv.rule(key) {
            rule_findings(g, &inputs, r, &cli, &mut out);
            let lines = crate::judge::losses::pipeline_lines(&ledger, &g.inv, Some(r), None);
            let pipeline = streams_fed(&g.inv, r)
                .first()
                .map_or_else(|| format!("{}/{}", r.bus, r.name), |s| s.name.clone());
            out.push(losses::losses_finding(
                &crate::model::Scope::Rule(key.clone()),
                &pipeline,
                &lines,
                &cli,
            ));
        }
    }
    if let Some((_, rep)) = g.sims.iter().find(|(t, _)| *t == SimTarget::WriterPolicy) {
        out.push(CheckResult {
            check: CheckId::WriterPermission.id(),
            target: format!("policy {}", g.writer_policy),
            status: sim_status(rep),
            summary: rep.summary(),
            details: sim_details(rep),
            confirm: format!(
                "aws iam list-policies --scope Local --query 'Policies[?PolicyName==`{}`]'",
                g.writer_policy.replace(['\'', '`'], "")
            ),
            pipeline: "(account)".into(),
        });
    }
    for (rule, res) in &g.samples {
        out.push(match res {
            Ok(rep) if rep.tested > 0 => CheckResult {
                check: CheckId::PatternSamples.id(),
                target: rep.rule.clone(),
                status: if rep.matched == 0 {
                    Level::Warn
                } else {
                    Level::Ok
                },
                summary: rep.summary(),
                details: format!("samples from {}", rep.found_in.join(", ")),
                confirm: format!(
                    "fhtop pattern test --rule {} --event EVENT.json (an event from {})",
                    q(&rep.rule),
                    rep.found_in
                        .first()
                        .map_or("the bus's log groups", String::as_str)
                ),
                pipeline: stream_of(g, rule),
            },
            // Nothing logged and nothing failed to read: nothing to say.
            Ok(rep) if rep.errors.is_empty() => continue,
            Ok(rep) => CheckResult {
                check: CheckId::PatternSamples.id(),
                target: rule.clone(),
                status: Level::Unknown,
                summary: format!("the logged events of bus {} could not be read", rep.bus),
                details: rep.errors.join("\n"),
                confirm: format!(
                    "aws logs filter-log-events --region {} --log-group-name {}",
                    g.region,
                    q(rep.groups.first().map_or("", String::as_str))
                ),
                pipeline: stream_of(g, rule),
            },
            Err(e) => CheckResult {
                check: CheckId::PatternSamples.id(),
                target: rule.clone(),
                status: Level::Unknown,
                summary: format!("not tested against logged events: {e}"),
                details: String::new(),
                confirm: format!("fhtop pattern test --rule {} --event EVENT.json", q(rule)),
                pipeline: stream_of(g, rule),
            },
        });
    }
    if let Err(e) = &g.alarms {
        out.push(read_failure(
            CheckId::Alarms,
            e,
            "the alarm checks are undecided",
            format!("aws cloudwatch describe-alarms --region {}", g.region),
        ));
    }
    // Every metric-based check above said "metrics not read": say once why.
    if let Err(e) = &g.metrics {
        out.push(read_failure(
            CheckId::Delivery,
            e,
            "every metric-based check is undecided",
            format!(
                "aws cloudwatch list-metrics --region {} --namespace AWS/Firehose",
                g.region
            ),
        ));
    }
    out
}
