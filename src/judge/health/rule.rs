//! A rule's health: state, targets that exist, a pattern that parses, alarms, invocations,
//! dead letters, throttling, whether it triggers at all.

use super::*;

/// An EventBridge rule's health: state, pattern validity, targets, alarms, `FailedInvocations`,
/// `DeadLetterInvocations`, `ThrottledRules`, and whether it triggers at all.
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
        if let Some(s) = t.firehose_stream_name()
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
    if failed > 0.0 {
        let level = if failed >= inv && inv > 0.0 {
            Level::Fail
        } else {
            Level::Warn
        };
        h.add(
            CheckId::RuleState,
            Symptom::InvocationsFailing,
            level,
            format!(
                "{} of {} invocations failed in 5 min",
                count(failed),
                count(inv)
            ),
        );
    }
    if m.recent_sum(&sc, DeadLetterInvocations).unwrap_or(0.0) > 0.0 {
        h.add(
            CheckId::RuleState,
            Symptom::DeadLetter,
            Level::Warn,
            "events sent to the dead-letter queue",
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
