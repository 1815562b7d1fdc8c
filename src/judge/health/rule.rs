//! A rule's health: state, targets that exist, a pattern that parses, alarms, invocations,
//! dead letters, throttling, whether it triggers at all.

use super::*;

/// An EventBridge rule's health: state, pattern validity, targets, alarms, `FailedInvocations`
/// (dropped without a dead-letter queue), the dead-letter queue's `InvocationsSentToDlq` and
/// `InvocationsFailedToBeSentToDlq`, `DeadLetterInvocations` (targets not invoked),
/// `ThrottledRules`, and whether it triggers at all.
pub fn rule_health(inp: &Inputs, r: &Rule) -> Health {
    use MetricId::*;
    let mut h = Health::default();
    if let Some(e) = inp.inv.unread_rule(&r.key()) {
        // Targets being read, or unreadable: whatever else is known, not OK.
        h.add(
            CheckId::RuleState,
            Symptom::NotDescribed,
            Level::Unknown,
            if e.loading {
                format!("targets of {} not read yet", e.name)
            } else {
                format!("targets of {} not read: {}", e.name, e.explained())
            },
        );
    }
    if !r.state.is_enabled() {
        h.add(
            CheckId::RuleState,
            Symptom::RuleDisabled,
            Level::Warn,
            format!("rule is {}", r.state.as_str()),
        );
    }
    for t in &r.targets {
        if let Some(s) = r.local_stream(t)
            && inp.inv.stream(s).is_none()
        {
            match inp.inv.unread_stream(s) {
                // Not read is not missing, and not fine either: undecided, with why.
                Some(e) => h.add(
                    CheckId::RuleState,
                    Symptom::NotDescribed,
                    Level::Unknown,
                    format!("target stream {s} not read: {}", e.explained()),
                ),
                None => h.add(
                    CheckId::RuleState,
                    Symptom::TargetMissing,
                    Level::Fail,
                    format!("target stream {s} not found in this account/region"),
                ),
            }
        }
    }
    if let Some(p) = &r.event_pattern
        && let Err(e) = serde_json::from_str::<serde_json::Value>(p)
    {
        h.add(
            CheckId::RuleState,
            Symptom::PatternInvalid,
            Level::Fail,
            format!("event pattern does not parse: {e}"),
        );
    }
    let key = r.key();
    let linked: Vec<&Alarm> = inp.alarms.iter().filter(|a| a.is_for_rule(&key)).collect();
    alarm_findings(&mut h, &linked);
    let Some(m) = inp.metrics else {
        if r.state.is_enabled() {
            h.add(
                CheckId::RuleState,
                Symptom::NoMetrics,
                Level::Unknown,
                inp.no_metrics(),
            );
        }
        return h.sorted();
    };
    let sc = Scope::Rule(key);
    if m.series(&sc, Invocations).is_none() {
        // Not fetched yet (a row the metric plan has not reached): undecided, never OK.
        if r.state.is_enabled() {
            h.add(
                CheckId::RuleState,
                Symptom::NoMetrics,
                Level::Unknown,
                "no metrics yet for this rule",
            );
        }
        return h.sorted();
    }
    let inv = m.recent_sum(&sc, Invocations).unwrap_or(0.0);
    let failed = m.recent_sum(&sc, FailedInvocations).unwrap_or(0.0);
    // How bad a share of the invocations is: all of them FAIL, some WARN.
    let share = |n: f64| {
        if n >= inv && inv > 0.0 {
            Level::Fail
        } else {
            Level::Warn
        }
    };
    let dlq = r
        .targets
        .iter()
        .filter_map(|t| t.dead_letter_arn.as_deref())
        .next();
    // Every target with a dead-letter queue, or some without one (their failures are dropped).
    let all_have_dlq = r.targets.iter().all(|t| t.dead_letter_arn.is_some());
    let dlq_read = MetricId::RULE_DLQ
        .iter()
        .all(|id| m.series(&sc, *id).is_some());
    if dlq.is_some() && !dlq_read {
        // Where failed events went is part of the verdict: not read, not decided.
        h.add(
            CheckId::RuleState,
            Symptom::NoMetrics,
            Level::Unknown,
            "dead-letter queue metrics not read yet",
        );
    }
    // By AWS's definitions (Amazon EventBridge User Guide, "Monitoring Amazon EventBridge"):
    // FailedInvocations counts invocations that failed for good (after the retry policy);
    // InvocationsSentToDlq what went to the dead-letter queue, InvocationsFailedToBeSentToDlq
    // what the queue refused (lost), DeadLetterInvocations targets not invoked at all. Without
    // a dead-letter queue a failed event is dropped ("Using dead-letter queues to process
    // undelivered events"). The metrics are per rule, not per target.
    let sent = m.recent_sum(&sc, InvocationsSentToDlq).unwrap_or(0.0);
    let refused = m
        .recent_sum(&sc, InvocationsFailedToBeSentToDlq)
        .unwrap_or(0.0);
    let queue = dlq.map(|q| crate::model::arn::resource_name(q).unwrap_or(q));
    if failed > 0.0 && r.targets.is_empty() {
        // Targets not read: where the failed events went is not known (the rule says so above).
        h.add(
            CheckId::RuleState,
            Symptom::InvocationsFailing,
            share(failed),
            format!(
                "{} of {} invocations failed in 5 min (targets not read: where they went is not known)",
                count(failed),
                count(inv)
            ),
        );
    } else if failed > 0.0
        && (dlq.is_none() || (dlq_read && !all_have_dlq && failed > sent + refused))
    {
        // No queue on the failing targets: those events are gone.
        let dropped = if dlq.is_none() {
            failed
        } else {
            failed - sent - refused
        };
        h.add(
            CheckId::RuleState,
            Symptom::DroppedNoDeadLetterQueue,
            Level::Fail,
            format!(
                "{} of {} invocations failed in 5 min — {} dropped: {} no dead-letter queue",
                count(failed),
                count(inv),
                count(dropped),
                if dlq.is_none() {
                    "the target has"
                } else {
                    "a failing target has"
                }
            ),
        );
    } else if let (Some(q), true) = (queue, failed > 0.0) {
        h.add(
            CheckId::RuleState,
            Symptom::InvocationsFailing,
            share(failed.max(sent)),
            if dlq_read {
                format!(
                    "{} of {} invocations failed in 5 min; {} sent to the dead-letter queue {q} (recoverable)",
                    count(failed),
                    count(inv),
                    count(sent)
                )
            } else {
                format!(
                    "{} of {} invocations failed in 5 min (dead-letter queue {q}: what reached it is not read yet)",
                    count(failed),
                    count(inv)
                )
            },
        );
    }
    if let (Some(q), true) = (queue, failed <= 0.0 && sent > 0.0) {
        h.add(
            CheckId::RuleState,
            Symptom::SentToDeadLetterQueue,
            share(sent),
            format!(
                "{} of {} invocations sent to the dead-letter queue {q} in 5 min (not delivered; recoverable from the queue)",
                count(sent),
                count(inv)
            ),
        );
    }
    if dlq.is_some() && refused > 0.0 {
        h.add(
            CheckId::RuleState,
            Symptom::DeadLetterQueueRefused,
            Level::Fail,
            format!(
                "{} events lost in 5 min: the dead-letter queue refused them (InvocationsFailedToBeSentToDlq: its policy, a queue that is gone, or the size limit)",
                count(refused)
            ),
        );
    }
    let not_invoked = m.recent_sum(&sc, DeadLetterInvocations).unwrap_or(0.0);
    if not_invoked > 0.0 {
        h.add(
            CheckId::RuleState,
            Symptom::NotInvoked,
            Level::Warn,
            format!(
                "{} events did not invoke the target in 5 min (DeadLetterInvocations: e.g. a target that would trigger the rule again)",
                count(not_invoked)
            ),
        );
    }
    if m.recent_sum(&sc, ThrottledRules).unwrap_or(0.0) > 0.0 {
        h.add(
            CheckId::RuleState,
            Symptom::RuleThrottled,
            Level::Warn,
            "rule throttled",
        );
    }
    if r.state.is_enabled() && !r.is_schedule() {
        let seen = m.window_sum(&sc, MatchedEvents).unwrap_or(0.0)
            + m.window_sum(&sc, TriggeredRules).unwrap_or(0.0);
        if seen == 0.0 {
            h.add(
                CheckId::RuleState,
                Symptom::NotTriggering,
                Level::Warn,
                "rule not triggering (no matched events in window)",
            );
        }
    }
    h.sorted()
}
