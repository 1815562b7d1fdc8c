//! The findings of one EventBridge rule: its health rules and its simulations.

use super::finding::*;
use super::*;

pub(super) fn rule_findings(
    g: &Gathered,
    inp: &Inputs,
    r: &Rule,
    cli: &Confirm,
    out: &mut Vec<CheckResult>,
) {
    let key = r.key();
    let target = key.to_string();
    let pipeline = streams_fed(&g.inv, r)
        .first()
        .map(|s| s.name.as_str())
        .or_else(|| r.targets.iter().find_map(|t| r.local_stream(t)))
        .unwrap_or(&r.name)
        .to_string();
    let mut health = rule_health(inp, r);
    // Dropping its events (no dead-letter queue) while a stream it feeds throttles them: one
    // cause, said as one finding — as the TUI's rows say it.
    if health.has(Symptom::DroppedNoDeadLetterQueue)
        && let Some((s, throttled)) = streams_fed(&g.inv, r).into_iter().find_map(|s| {
            let f = stream_health(inp, s)
                .findings
                .into_iter()
                .find(|f| f.symptom == Symptom::Throttled)?;
            Some((s, f))
        })
    {
        health.findings.push(throttled);
        crate::judge::health::join_dropped_while_throttled(&mut health, Some(&s.name));
    }
    let not_triggering = health.has(Symptom::NotTriggering);
    let h = health.findings;
    let describe = format!(
        "aws events describe-rule --region {} --name {} --event-bus-name {}",
        cli.region,
        q(&r.name),
        q(&r.bus)
    );
    let confirm = if not_triggering {
        let mut dims = vec![("RuleName", r.name.as_str())];
        if r.bus != "default" {
            dims.push(("EventBusName", r.bus.as_str()));
        }
        cli.metric("AWS/Events", "MatchedEvents", &dims, "Sum")
    } else {
        describe
    };
    from_health(
        out,
        &h,
        CheckId::RuleState,
        &target,
        &pipeline,
        || {
            (
                Level::Ok,
                format!("{}, pattern parses, triggering", r.state.as_str()),
            )
        },
        confirm,
    );
    // A target stream of another account or region: not read from here, said as such — the
    // rule's own metrics judge the rule, not that stream.
    for t in &r.targets {
        if let Some((account, region, name)) = r.foreign_stream(t) {
            out.push(CheckResult {
                check: CheckId::StreamStatus.id(),
                target: format!("{name} ({account} {region})"),
                status: Level::Unknown,
                summary: format!(
                    "target stream {name} is in account {account}, region {region}: not read from this context"
                ),
                details: format!("rule {target} targets {}", t.arn),
                confirm: format!(
                    "aws firehose describe-delivery-stream --region {region} --delivery-stream-name {} (with credentials of account {account})",
                    q(name)
                ),
                pipeline: pipeline.clone(),
            });
        }
    }
    let linked: Vec<&Alarm> = inp.alarms.iter().filter(|a| a.is_for_rule(&key)).collect();
    from_health(
        out,
        &h,
        CheckId::Alarms,
        &target,
        &pipeline,
        || alarms_ok(g, linked.len()),
        alarm_confirm(cli.region, &linked),
    );
    for (_, rep) in g
        .sims
        .iter()
        .filter(|(t, _)| *t == SimTarget::Rule(key.clone()))
    {
        let resources = r.firehose_target_arns();
        let kinesis = resources.is_empty();
        out.push(CheckResult {
            check: CheckId::WriterPermission.id(),
            target: target.clone(),
            status: sim_status(rep),
            summary: match (rep.verdict(), kinesis) {
                (Verdict::Allowed, false) => {
                    "target role may call PutRecord and PutRecordBatch, EventBridge may assume it"
                        .into()
                }
                (Verdict::Allowed, true) => {
                    "target role may call kinesis:PutRecord and PutRecords, EventBridge may assume it"
                        .into()
                }
                _ => rep.summary(),
            },
            details: sim_details(rep),
            confirm: if rep.principal.is_empty() {
                describe_targets(cli.region, r)
            } else if kinesis {
                cli.simulate(
                    &rep.principal,
                    &iam::KINESIS_PUT_ACTIONS,
                    &r.targets.iter().map(|t| t.arn.clone()).collect::<Vec<_>>(),
                )
            } else {
                cli.simulate(&rep.principal, &iam::FIREHOSE_PUT_ACTIONS, &resources)
            },
            pipeline: pipeline.clone(),
        });
    }
    // A rule that matched nothing, whose bus refuses an account its pattern names: that is why
    // (only a refusal is said; a bus that lets the account in leaves the question open).
    for (_, rep) in g.producers.iter().filter(|(k, _)| *k == target) {
        if rep.verdict() != Verdict::Denied {
            continue;
        }
        let why = rep
            .rows
            .iter()
            .flat_map(|r| r.matched.iter())
            .next()
            .map_or_else(|| rep.summary(), String::clone);
        out.push(CheckResult {
            check: CheckId::WriterPermission.id(),
            target: target.clone(),
            status: Level::Fail,
            summary: format!(
                "matched nothing in the window: {} is refused ({why})",
                rep.title.split(": ").nth(1).unwrap_or(&rep.title)
            ),
            details: sim_details(rep),
            confirm: format!(
                "aws events describe-event-bus --region {} --name {} --query Policy",
                cli.region,
                q(&r.bus)
            ),
            pipeline: pipeline.clone(),
        });
    }
}
