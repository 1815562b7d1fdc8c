//! Health rules: what is wrong with a stream, a rule, a pipeline, as words. Pure functions of
//! the store's data; the panes show them and `fhtop check` reports them.

use crate::model::{
    Alarm, AlarmState, Inventory, MetricId, Metrics, PipelineLink, Rule, Scope, Stream,
};

/// Worst last. Serialized lowercase (`fhtop check --json` statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    /// Not enough data to say (metrics not fetched yet).
    Unknown,
    Warn,
    Fail,
}

impl Level {
    /// The word in full, as `fhtop check` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Unknown => "UNKNOWN",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Unknown => "?",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
    /// A symbol that carries the state without colour.
    pub fn mark(self) -> &'static str {
        match self {
            Level::Ok => "●",
            Level::Unknown => "○",
            Level::Warn => "▲",
            Level::Fail => "✖",
        }
    }
}

/// The runbook's checks (`fhtop check`); every health finding belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckId {
    WriterPermission,
    StreamStatus,
    Delivery,
    DeliveryErrors,
    BucketAccess,
    RuleState,
    Alarms,
    Partitions,
    Throttling,
}

impl CheckId {
    pub const ALL: [CheckId; 9] = [
        CheckId::WriterPermission,
        CheckId::StreamStatus,
        CheckId::Delivery,
        CheckId::DeliveryErrors,
        CheckId::BucketAccess,
        CheckId::RuleState,
        CheckId::Alarms,
        CheckId::Partitions,
        CheckId::Throttling,
    ];
    pub fn id(self) -> &'static str {
        match self {
            CheckId::WriterPermission => "writer-permission",
            CheckId::StreamStatus => "stream-status",
            CheckId::Delivery => "delivery",
            CheckId::DeliveryErrors => "delivery-errors",
            CheckId::BucketAccess => "bucket-access",
            CheckId::RuleState => "rule-state",
            CheckId::Alarms => "alarms",
            CheckId::Partitions => "partitions",
            CheckId::Throttling => "throttling",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: CheckId,
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub level: Level,
    pub findings: Vec<Finding>,
}

impl Health {
    fn new() -> Self {
        Self {
            level: Level::Ok,
            findings: Vec::new(),
        }
    }
    fn add(&mut self, check: CheckId, level: Level, text: impl Into<String>) {
        self.level = self.level.max(level);
        self.findings.push(Finding {
            check,
            level,
            text: text.into(),
        });
    }
    fn merge(&mut self, other: Health) {
        self.level = self.level.max(other.level);
        self.findings.extend(other.findings);
    }
    /// Findings worst first.
    pub fn sorted(mut self) -> Self {
        self.findings.sort_by_key(|f| std::cmp::Reverse(f.level));
        self
    }
}

pub fn fmt_duration(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match s {
        0..=99 => format!("{s}s"),
        100..=5999 => format!("{}m", s / 60),
        6000..=172_799 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d", s / 86_400),
    }
}

fn alarm_findings(h: &mut Health, alarms: &[&Alarm]) {
    for a in alarms {
        match a.state {
            AlarmState::Alarm => h.add(
                CheckId::Alarms,
                Level::Fail,
                format!("alarm {} in ALARM", a.name),
            ),
            AlarmState::InsufficientData => h.add(
                CheckId::Alarms,
                Level::Warn,
                format!("alarm {} INSUFFICIENT_DATA", a.name),
            ),
            AlarmState::Ok => {}
        }
    }
}

pub fn stream_health(s: &Stream, metrics: Option<&Metrics>, alarms: &[Alarm]) -> Health {
    use MetricId::*;
    let mut h = Health::new();
    match s.status.as_str() {
        "ACTIVE" => {}
        "CREATING" | "UPDATING" => h.add(
            CheckId::StreamStatus,
            Level::Warn,
            format!("stream is {}", s.status),
        ),
        other => h.add(
            CheckId::StreamStatus,
            Level::Fail,
            format!("stream is {other}"),
        ),
    }
    if let Some(f) = &s.failure {
        h.add(CheckId::StreamStatus, Level::Fail, format!("failure: {f}"));
    }
    let linked: Vec<&Alarm> = alarms.iter().filter(|a| a.is_for_stream(&s.name)).collect();
    alarm_findings(&mut h, &linked);
    let Some(m) = metrics else {
        h.add(CheckId::Delivery, Level::Unknown, "no metrics yet");
        return h.sorted();
    };
    let sc = Scope::Stream(s.name.clone());
    let incoming = m.recent_sum(&sc, IncomingRecords).unwrap_or(0.0);
    let delivered = m.recent_sum(&sc, DeliveryRecords);
    if s.s3().is_some() {
        if let Some(ok) = m.recent_avg(&sc, DeliverySuccess)
            && ok < 1.0
        {
            {
                h.add(
                    CheckId::Delivery,
                    Level::Fail,
                    format!("S3 delivery success {:.0}%", (ok * 100.0).floor()),
                );
            }
        }
        if incoming > 0.0 && delivered == Some(0.0) {
            h.add(
                CheckId::Delivery,
                Level::Fail,
                "records arriving, none delivered to S3",
            );
        }
        if let (Some(fresh), Some(d)) = (m.recent_max(&sc, DataFreshness), s.s3()) {
            let interval = f64::from(d.buffering_seconds.max(60));
            if fresh > (interval * 4.0).max(900.0) {
                h.add(
                    CheckId::Delivery,
                    Level::Fail,
                    format!(
                        "data freshness {} (buffer {})",
                        fmt_duration(fresh),
                        fmt_duration(interval)
                    ),
                );
            } else if fresh > interval + 60.0 {
                h.add(
                    CheckId::Delivery,
                    Level::Warn,
                    format!(
                        "data freshness {} above buffer {}",
                        fmt_duration(fresh),
                        fmt_duration(interval)
                    ),
                );
            }
        }
    }
    if m.recent_max(&sc, PartitionCountExceeded).unwrap_or(0.0) > 0.0 {
        h.add(
            CheckId::Partitions,
            Level::Fail,
            "partition count exceeded the active partitions limit",
        );
    } else if let (Some(used), Some(limit)) = (
        m.recent_max(&sc, PartitionCount),
        m.recent_max(&sc, ActivePartitionsLimit),
    ) && limit > 0.0
        && used >= 0.8 * limit
    {
        {
            h.add(
                CheckId::Partitions,
                Level::Warn,
                format!(
                    "partitions {used:.0}/{limit:.0} ({:.0}% of limit)",
                    100.0 * used / limit
                ),
            );
        }
    }
    let throttled = m.recent_sum(&sc, ThrottledRecords).unwrap_or(0.0);
    if throttled > 0.0 {
        h.add(
            CheckId::Throttling,
            Level::Warn,
            format!(
                "{} records throttled in 5 min",
                crate::ui::fmt::count(throttled)
            ),
        );
    }
    h.sorted()
}

pub fn rule_health(r: &Rule, metrics: Option<&Metrics>, alarms: &[Alarm]) -> Health {
    use MetricId::*;
    let mut h = Health::new();
    if !r.state.is_enabled() {
        h.add(
            CheckId::RuleState,
            Level::Warn,
            format!("rule is {}", r.state.as_str()),
        );
    }
    let key = r.key();
    let linked: Vec<&Alarm> = alarms.iter().filter(|a| a.is_for_rule(&key)).collect();
    alarm_findings(&mut h, &linked);
    let Some(m) = metrics else {
        if r.state.is_enabled() {
            h.add(CheckId::RuleState, Level::Unknown, "no metrics yet");
        }
        return h.sorted();
    };
    let sc = Scope::Rule(key);
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
            level,
            format!(
                "{} of {} invocations failed in 5 min",
                crate::ui::fmt::count(failed),
                crate::ui::fmt::count(inv)
            ),
        );
    }
    if m.recent_sum(&sc, DeadLetterInvocations).unwrap_or(0.0) > 0.0 {
        h.add(
            CheckId::RuleState,
            Level::Warn,
            "events sent to the dead-letter queue",
        );
    }
    if m.recent_sum(&sc, ThrottledRules).unwrap_or(0.0) > 0.0 {
        h.add(CheckId::RuleState, Level::Warn, "rule throttled");
    }
    if r.state.is_enabled() && !r.is_schedule() {
        let seen = m.window_sum(&sc, MatchedEvents).unwrap_or(0.0)
            + m.window_sum(&sc, TriggeredRules).unwrap_or(0.0);
        if seen == 0.0 {
            h.add(
                CheckId::RuleState,
                Level::Warn,
                "rule not triggering (no matched events in window)",
            );
        }
    }
    h.sorted()
}

/// A pipeline is as healthy as its worst part; a target stream that does not exist fails it.
pub fn pipeline_health(
    inv: &Inventory,
    link: &PipelineLink,
    metrics: Option<&Metrics>,
    alarms: &[Alarm],
) -> Health {
    let mut h = Health::new();
    if let Some(r) = link.rule.and_then(|i| inv.rules.get(i)) {
        h.merge(rule_health(r, metrics, alarms));
    }
    match link.stream.and_then(|i| inv.streams.get(i)) {
        Some(s) => h.merge(stream_health(s, metrics, alarms)),
        None => h.add(
            CheckId::RuleState,
            Level::Fail,
            format!(
                "target stream {} not found in this account/region",
                link.stream_name
            ),
        ),
    }
    h.sorted()
}
