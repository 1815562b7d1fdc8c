//! Health of what a selection names, of a pipeline, and of everything at once (the
//! [`Diagnosis`] the store caches per change of the data).

use super::*;

/// Health of what a selection names: the rule, the stream (or why it has none), together.
/// `None` stream and rule: nothing to say.
pub fn target_health(inp: &Inputs, rule: Option<&RuleKey>, stream: Option<&str>) -> Health {
    let mut h = Health::default();
    let key = rule;
    let rule = rule.and_then(|k| inp.inv.rule(k));
    match (rule, key) {
        (Some(r), _) => h.merge(rule_health(inp, r)),
        // Selected, but not (or no longer) in the inventory: nothing is known of it.
        (None, Some(k)) => h.add(
            CheckId::RuleState,
            Symptom::NotDescribed,
            Level::Unknown,
            format!("rule {k} is not in the inventory (deleted, or not read)"),
        ),
        (None, None) => {}
    }
    if let Some(name) = stream {
        match inp.inv.stream(name) {
            Some(s) => h.merge(stream_health(inp, s)),
            None => {
                let errors: Vec<_> = inp.inv.unread_stream(name).into_iter().collect();
                for e in &errors {
                    // Not listed at all: nothing is known of the stream, neither good nor bad.
                    let (level, what) = if e.loading {
                        (Level::Unknown, format!("stream {name} not read yet"))
                    } else if e.kind == "streams" {
                        (
                            Level::Unknown,
                            format!("could not list delivery streams ({name})"),
                        )
                    } else {
                        (Level::Fail, format!("could not describe stream {name}"))
                    };
                    h.add(
                        CheckId::StreamStatus,
                        Symptom::NotDescribed,
                        level,
                        format!("{what}: {}", e.explained()),
                    );
                }
                // A rule's missing Firehose target is already a rule finding.
                if errors.is_empty() && rule.is_some() && !h.has(Symptom::TargetMissing) {
                    h.add(
                        CheckId::RuleState,
                        Symptom::TargetMissing,
                        Level::Fail,
                        format!("target stream {name} not found in this account/region"),
                    );
                }
            }
        }
    }
    join_dropped_while_throttled(&mut h, stream);
    h.sorted()
}

/// Throttled records on the stream, invocations failing for good on the rule feeding it, and
/// no dead-letter queue are one cause, said as one finding: the stream refuses EventBridge's
/// writes (ThrottledRecords), EventBridge gives up after its retries (FailedInvocations), and
/// the events are dropped.
pub fn join_dropped_while_throttled(h: &mut Health, stream: Option<&str>) {
    let of = |s: Symptom| {
        h.findings
            .iter()
            .find(|f| f.symptom == s)
            .map(|f| f.text.clone())
    };
    let (Some(throttled), Some(dropped)) = (
        of(Symptom::Throttled),
        of(Symptom::DroppedNoDeadLetterQueue),
    ) else {
        return;
    };
    h.findings.retain(|f| {
        !matches!(
            f.symptom,
            Symptom::Throttled | Symptom::DroppedNoDeadLetterQueue
        )
    });
    h.add(
        CheckId::RuleState,
        Symptom::DroppedWhileThrottled,
        Level::Fail,
        format!(
            "events dropped: {} throttles EventBridge's writes ({throttled}), the rule gives up after its retries ({dropped}) — raise the stream's throughput quota, and give the target a dead-letter queue",
            stream.unwrap_or("the stream")
        ),
    );
}

/// Why "no rule feeds this stream" is not known, when it is not: rules that may feed a stream
/// with events are still being read (the idle ones aside: they matched no event in 3 h, so
/// they feed it nothing now), or a bus's rules could not be read. Computed once per diagnosis:
/// both walk every error row.
pub fn feeders_unknown(inv: &crate::model::Inventory) -> Option<String> {
    if inv.active_rules_unread() > 0 {
        return Some(
            "rules' targets still being read: what feeds this stream is not known yet".into(),
        );
    }
    let buses = inv.unread_buses();
    (!buses.is_empty()).then(|| {
        format!(
            "what feeds this stream is not known: the rules of {} could not be read",
            buses.join(", ")
        )
    })
}

/// A pipeline is as healthy as its worst part; a target stream that does not exist fails it.
/// `feeders_unknown` is [`feeders_unknown`] of the inventory: said on a stream no rule read
/// feeds.
pub fn pipeline_health(inp: &Inputs, link: &PipelineLink, feeders_unknown: Option<&str>) -> Health {
    let rule = link
        .rule
        .and_then(|i| inp.inv.rules.get(i))
        .map(|r| r.key());
    if let Some((account, region)) = &link.foreign {
        // Another account's or region's stream: not this one of the same name, and not read
        // from this context — the rule's side is judged, the stream's is not.
        let mut h = target_health(inp, rule.as_ref(), None);
        h.add(
            CheckId::StreamStatus,
            Symptom::NotDescribed,
            Level::Unknown,
            format!(
                "target stream {} is in account {account}, region {region}: not read from here",
                link.stream_name
            ),
        );
        return h.sorted();
    }
    let mut h = target_health(inp, rule.as_ref(), Some(&link.stream_name));
    // "No rule feeds it" is only known once every rule that may feed it was read.
    if link.rule.is_none()
        && let Some(why) = feeders_unknown
    {
        h.add(
            CheckId::RuleState,
            Symptom::NotDescribed,
            Level::Unknown,
            why.to_string(),
        );
        h = h.sorted();
    }
    h
}

/// The health of every stream, rule and pipeline, computed once per change of the data
/// (`store::Snapshot::diagnosis` caches it), not per frame and row.
#[derive(Debug, Clone, Default)]
pub struct Diagnosis {
    /// Every stream's health, keyed by delivery stream name.
    pub streams: HashMap<String, Health>,
    /// Every rule's health, keyed by (bus, rule name).
    pub rules: HashMap<RuleKey, Health>,
    /// By index into the pipelines the diagnosis was made for.
    pub pipelines: Vec<Health>,
}

impl Diagnosis {
    /// Diagnoses every stream and rule of the inventory, and each of these pipeline links.
    pub fn of(inp: &Inputs, pipelines: &[PipelineLink]) -> Self {
        Self {
            streams: inp
                .inv
                .streams
                .iter()
                .map(|s| (s.name.clone(), stream_health(inp, s)))
                .collect(),
            rules: inp
                .inv
                .rules
                .iter()
                .map(|r| (r.key(), rule_health(inp, r)))
                .collect(),
            pipelines: {
                let feeders = feeders_unknown(inp.inv);
                pipelines
                    .iter()
                    .map(|l| pipeline_health(inp, l, feeders.as_deref()))
                    .collect()
            },
        }
    }
    /// A stream's health; UNKNOWN for one not diagnosed.
    pub fn stream(&self, name: &str) -> Health {
        self.streams.get(name).cloned().unwrap_or_else(unknown)
    }
    /// A rule's health; UNKNOWN for one not diagnosed.
    pub fn rule(&self, key: &RuleKey) -> Health {
        self.rules.get(key).cloned().unwrap_or_else(unknown)
    }
    /// The health of pipeline `i` (index into the pipelines given to [`Diagnosis::of`]); UNKNOWN
    /// when out of range.
    pub fn pipeline(&self, i: usize) -> Health {
        self.pipelines.get(i).cloned().unwrap_or_else(unknown)
    }
    /// Just the level of each, without cloning findings.
    pub fn stream_level(&self, name: &str) -> Level {
        self.streams.get(name).map_or(Level::Unknown, |h| h.level)
    }
    /// A rule's level; `Unknown` for one not diagnosed.
    pub fn rule_level(&self, key: &RuleKey) -> Level {
        self.rules.get(key).map_or(Level::Unknown, |h| h.level)
    }
    /// Pipeline `i`'s level; `Unknown` when out of range.
    pub fn pipeline_level(&self, i: usize) -> Level {
        self.pipelines.get(i).map_or(Level::Unknown, |h| h.level)
    }
}

fn unknown() -> Health {
    Health {
        level: Level::Unknown,
        findings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_failures_and_no_dead_letter_queue_are_one_cause() {
        let mut h = Health::default();
        h.add(
            CheckId::Throttling,
            Symptom::Throttled,
            Level::Warn,
            "2.4k records throttled in 5 min",
        );
        h.add(
            CheckId::RuleState,
            Symptom::DroppedNoDeadLetterQueue,
            Level::Fail,
            "40 of 300 invocations failed in 5 min — 40 dropped: the target has no dead-letter queue",
        );
        h.add(
            CheckId::Delivery,
            Symptom::Freshness,
            Level::Warn,
            "data freshness 9m",
        );
        join_dropped_while_throttled(&mut h, Some("orders"));
        assert!(!h.has(Symptom::Throttled) && !h.has(Symptom::DroppedNoDeadLetterQueue));
        let joined: Vec<&Finding> = h
            .findings
            .iter()
            .filter(|f| f.symptom == Symptom::DroppedWhileThrottled)
            .collect();
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].level, Level::Fail);
        assert!(
            joined[0]
                .text
                .contains("orders throttles EventBridge's writes (2.4k records")
        );
        // What is not part of the cause stays as it is.
        assert!(h.has(Symptom::Freshness));
        // Twin: throttling alone stays a throttling WARN.
        let mut alone = Health::default();
        alone.add(
            CheckId::Throttling,
            Symptom::Throttled,
            Level::Warn,
            "throttled",
        );
        join_dropped_while_throttled(&mut alone, Some("orders"));
        assert!(alone.has(Symptom::Throttled));
        assert!(!alone.has(Symptom::DroppedWhileThrottled));
    }
}
