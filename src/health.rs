//! Health rules: what is wrong with a stream, a rule, a pipeline, as words. Pure functions of
//! what fhtop has read ([`Inputs`]); the panes show them and `fhtop check` reports them, so the
//! TUI's marks and the check's verdicts are the same code. Every rule is a [`Symptom`].
//!
//! A verdict is only "OK" when the data says so: no delivery datapoints in the window is "no
//! data", a destination fhtop does not know is "not evaluated", both UNKNOWN.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::backend::BResult;
use crate::model::{
    Alarm, AlarmState, Destination, DestinationKind, Inventory, LogEvent, MetricId, Metrics,
    PipelineLink, Rule, RuleKey, Scope, Source, Stream, group_errors,
};
use crate::text::{count, fmt_duration};

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
    SourceAccess,
    Processing,
    RuleState,
    Alarms,
    Partitions,
    Throttling,
}

impl CheckId {
    pub const ALL: [CheckId; 11] = [
        CheckId::WriterPermission,
        CheckId::StreamStatus,
        CheckId::Delivery,
        CheckId::DeliveryErrors,
        CheckId::BucketAccess,
        CheckId::SourceAccess,
        CheckId::Processing,
        CheckId::RuleState,
        CheckId::Alarms,
        CheckId::Partitions,
        CheckId::Throttling,
    ];
    /// The id `fhtop check` prints and serializes.
    pub fn id(self) -> &'static str {
        match self {
            CheckId::WriterPermission => "writer-permission",
            CheckId::StreamStatus => "stream-status",
            CheckId::Delivery => "delivery",
            CheckId::DeliveryErrors => "delivery-errors",
            CheckId::BucketAccess => "bucket-access",
            CheckId::SourceAccess => "source-access",
            CheckId::Processing => "processing",
            CheckId::RuleState => "rule-state",
            CheckId::Alarms => "alarms",
            CheckId::Partitions => "partitions",
            CheckId::Throttling => "throttling",
        }
    }
}

/// Which health rule a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symptom {
    /// DeliveryStreamStatus is not ACTIVE.
    StreamStatus,
    /// DescribeDeliveryStream reports a FailureDescription.
    StreamFailure,
    /// The stream could not be described (an error row).
    NotDescribed,
    AlarmFiring,
    AlarmInsufficientData,
    /// Metrics have not been read yet (or could not be).
    NoMetrics,
    /// No delivery datapoint in the whole window.
    NoDeliveryData,
    /// The destination is of a kind fhtop does not evaluate.
    DestinationNotEvaluated,
    /// `DeliveryTo<Kind>.Success` below 1.
    DeliverySuccessLow,
    /// Records arrive, none are delivered.
    ArrivingNotDelivered,
    /// `DeliveryTo<Kind>.DataFreshness` above the buffer interval.
    Freshness,
    /// Records of a non-S3 destination written to the S3 backup as failed.
    FailedToBackup,
    /// Events in the destination's error log group.
    ErrorsLogged,
    PartitionsExceeded,
    PartitionsNearLimit,
    Throttled,
    /// Firehose is throttled reading its Kinesis source, or falls behind it.
    SourceThrottled,
    SourceBehind,
    /// `ExecuteProcessing.Success` below 1 (Lambda transformation).
    ProcessingFailing,
    /// `FailedConversion.Records` above 0 (record format conversion).
    ConversionFailing,
    RuleDisabled,
    InvocationsFailing,
    DeadLetter,
    RuleThrottled,
    NotTriggering,
    /// A rule targets a delivery (or Kinesis) stream that does not exist.
    TargetMissing,
    PatternInvalid,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: CheckId,
    pub symptom: Symptom,
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub level: Level,
    pub findings: Vec<Finding>,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            level: Level::Ok,
            findings: Vec::new(),
        }
    }
}

impl Health {
    fn add(&mut self, check: CheckId, symptom: Symptom, level: Level, text: impl Into<String>) {
        self.level = self.level.max(level);
        self.findings.push(Finding {
            check,
            symptom,
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
    pub fn has(&self, symptom: Symptom) -> bool {
        self.findings.iter().any(|f| f.symptom == symptom)
    }
}

/// Error log events fhtop has read, by log group. A group that was not read is no evidence
/// either way.
pub trait ErrorLogs {
    /// The events of `group` read so far (any order), `None` when the group was not read.
    fn events(&self, group: &str) -> Option<Vec<&LogEvent>>;
}

impl ErrorLogs for HashMap<String, BResult<Vec<LogEvent>>> {
    fn events(&self, group: &str) -> Option<Vec<&LogEvent>> {
        match self.get(group) {
            Some(Ok(v)) => Some(v.iter().collect()),
            _ => None,
        }
    }
}

/// Error log events newer than this make a stream FAIL; older ones (still read) WARN.
pub const ERRORS_RECENT_MIN: i64 = 15;
/// How far back error log events count at all.
pub const ERROR_LOOKBACK_MIN: i64 = 60;
/// The default limit of active partitions per stream when `ActivePartitionsLimit` is not
/// reported. AWS: Firehose developer guide, "Buffer data for dynamic partitioning" (500 per
/// stream, raisable to 5,000).
pub const DEFAULT_ACTIVE_PARTITIONS_LIMIT: f64 = 500.0;
/// Kinesis source lag above which a stream WARNs (ms): Firehose falls behind its source.
pub const SOURCE_BEHIND_MS: f64 = 15.0 * 60.0 * 1000.0;

/// Everything health is computed from.
pub struct Inputs<'a> {
    pub inv: &'a Inventory,
    /// `None`: metrics not read (yet).
    pub metrics: Option<&'a Metrics>,
    pub alarms: &'a [Alarm],
    /// Error log events read so far.
    pub logs: Option<&'a dyn ErrorLogs>,
    /// The instant "recent" is measured from.
    pub now: DateTime<Utc>,
}

fn alarm_findings(h: &mut Health, alarms: &[&Alarm]) {
    for a in alarms {
        match a.state {
            AlarmState::Alarm => h.add(
                CheckId::Alarms,
                Symptom::AlarmFiring,
                Level::Fail,
                format!("alarm {} in ALARM", a.name),
            ),
            AlarmState::InsufficientData => h.add(
                CheckId::Alarms,
                Symptom::AlarmInsufficientData,
                Level::Warn,
                format!("alarm {} INSUFFICIENT_DATA", a.name),
            ),
            AlarmState::Ok => {}
        }
    }
}

/// Delivery to the destination: success, records arriving but none delivered, freshness, and
/// "no data" when the window holds no delivery datapoint at all.
fn delivery_findings(h: &mut Health, s: &Stream, m: &Metrics, sc: &Scope) {
    let Some(kind) = s.destination_kind() else {
        let what = match &s.destination {
            Destination::Unknown(w) => w.as_str(),
            _ => "unknown",
        };
        h.add(
            CheckId::Delivery,
            Symptom::DestinationNotEvaluated,
            Level::Unknown,
            format!("destination not evaluated ({what})"),
        );
        return;
    };
    let label = kind.label();
    let delivery = MetricId::delivery(kind);
    let any_point = delivery.iter().any(|id| {
        m.series(sc, *id)
            .is_some_and(|v| v.iter().any(Option::is_some))
    });
    if !any_point {
        h.add(
            CheckId::Delivery,
            Symptom::NoDeliveryData,
            Level::Unknown,
            format!(
                "no data: no {}.* datapoint in the window (idle, or not reporting)",
                kind.metric_prefix()
            ),
        );
        return;
    }
    if let Some(ok) = m.recent_avg(sc, MetricId::DeliverySuccess(kind))
        && ok < 1.0
    {
        h.add(
            CheckId::Delivery,
            Symptom::DeliverySuccessLow,
            Level::Fail,
            format!("{label} delivery success {:.0}%", (ok * 100.0).floor()),
        );
    }
    let arriving = m
        .recent_sum(sc, MetricId::incoming(&s.source))
        .unwrap_or(0.0);
    if arriving > 0.0 && m.recent_sum(sc, MetricId::DeliveryRecords(kind)) == Some(0.0) {
        h.add(
            CheckId::Delivery,
            Symptom::ArrivingNotDelivered,
            Level::Fail,
            format!("records arriving, none delivered to {label}"),
        );
    }
    if let Some(fresh) = m.recent_max(sc, MetricId::DataFreshness(kind)) {
        let interval = f64::from(s.buffering_seconds().unwrap_or(300).max(60));
        if fresh > (interval * 4.0).max(900.0) {
            h.add(
                CheckId::Delivery,
                Symptom::Freshness,
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
                Symptom::Freshness,
                Level::Warn,
                format!(
                    "data freshness {} above buffer {}",
                    fmt_duration(fresh),
                    fmt_duration(interval)
                ),
            );
        }
    }
    // A service destination that backs up failed data only: records in DeliveryToS3 are the
    // records it gave up on (the backup's 100 % success is not delivery).
    if let Destination::Service(d) = &s.destination
        && d.backup_mode
            .as_deref()
            .is_some_and(|b| b.starts_with("Failed"))
        && let Some(n) = m.recent_sum(sc, MetricId::DeliveryRecords(DestinationKind::S3))
        && n > 0.0
    {
        h.add(
            CheckId::Delivery,
            Symptom::FailedToBackup,
            Level::Fail,
            format!(
                "{} records written to the S3 backup as failed in 5 min ({})",
                count(n),
                d.backup_mode.as_deref().unwrap_or("")
            ),
        );
    }
}

/// Recent events in the destination's error log group (what has been read of it).
fn error_log_findings(h: &mut Health, s: &Stream, inp: &Inputs) {
    let (Some(group), Some(logs)) = (s.log_group(), inp.logs) else {
        return;
    };
    let Some(events) = logs.events(group) else {
        return;
    };
    let since = inp.now - Duration::minutes(ERROR_LOOKBACK_MIN);
    let groups = group_errors(events.into_iter().filter(|e| e.timestamp >= since));
    let Some(newest) = groups.iter().map(|(_, _, at, _)| *at).max() else {
        return;
    };
    let level = if inp.now - newest <= Duration::minutes(ERRORS_RECENT_MIN) {
        Level::Fail
    } else {
        Level::Warn
    };
    let parts: Vec<String> = groups
        .iter()
        .map(|(code, n, _, _)| format!("{code} ×{n}"))
        .collect();
    h.add(
        CheckId::DeliveryErrors,
        Symptom::ErrorsLogged,
        level,
        format!(
            "errors logged: {} (newest {} ago)",
            parts.join(", "),
            fmt_duration((inp.now - newest).num_seconds() as f64)
        ),
    );
}

pub fn stream_health(inp: &Inputs, s: &Stream) -> Health {
    use MetricId::*;
    let mut h = Health::default();
    match s.status.as_str() {
        "ACTIVE" => {}
        "CREATING" | "UPDATING" => h.add(
            CheckId::StreamStatus,
            Symptom::StreamStatus,
            Level::Warn,
            format!("stream is {}", s.status),
        ),
        other => h.add(
            CheckId::StreamStatus,
            Symptom::StreamStatus,
            Level::Fail,
            format!("stream is {other}"),
        ),
    }
    if let Some(f) = &s.failure {
        h.add(
            CheckId::StreamStatus,
            Symptom::StreamFailure,
            Level::Fail,
            format!("failure: {f}"),
        );
    }
    let linked: Vec<&Alarm> = inp
        .alarms
        .iter()
        .filter(|a| a.is_for_stream(&s.name))
        .collect();
    alarm_findings(&mut h, &linked);
    error_log_findings(&mut h, s, inp);
    let Some(m) = inp.metrics else {
        h.add(
            CheckId::Delivery,
            Symptom::NoMetrics,
            Level::Unknown,
            "no metrics yet",
        );
        return h.sorted();
    };
    let sc = Scope::Stream(s.name.clone());
    delivery_findings(&mut h, s, m, &sc);
    if !s.lambda_arns().is_empty()
        && let Some(ok) = m.recent_avg(&sc, ExecuteProcessingSuccess)
        && ok < 1.0
    {
        h.add(
            CheckId::Processing,
            Symptom::ProcessingFailing,
            Level::Fail,
            format!(
                "Lambda processing success {:.0}% (ExecuteProcessing.Success)",
                (ok * 100.0).floor()
            ),
        );
    }
    if s.format_conversion
        && let Some(n) = m.recent_sum(&sc, FailedConversionRecords)
        && n > 0.0
    {
        h.add(
            CheckId::Processing,
            Symptom::ConversionFailing,
            Level::Fail,
            format!("{} records failed format conversion in 5 min", count(n)),
        );
    }
    if let Source::KinesisStream { .. } = &s.source {
        let throttled = [
            ThrottledGetRecords,
            ThrottledGetShardIterator,
            ThrottledDescribeStream,
        ]
        .iter()
        .filter_map(|id| m.recent_sum(&sc, *id))
        .sum::<f64>();
        if throttled > 0.0 {
            h.add(
                CheckId::Throttling,
                Symptom::SourceThrottled,
                Level::Warn,
                format!(
                    "reading the Kinesis source throttled {} times in 5 min",
                    count(throttled)
                ),
            );
        }
        if let Some(ms) = m.recent_max(&sc, KinesisMillisBehindLatest)
            && ms > SOURCE_BEHIND_MS
        {
            h.add(
                CheckId::Delivery,
                Symptom::SourceBehind,
                Level::Warn,
                format!(
                    "{} behind the Kinesis source (KinesisMillisBehindLatest)",
                    fmt_duration(ms / 1000.0)
                ),
            );
        }
    }
    if m.recent_max(&sc, PartitionCountExceeded).unwrap_or(0.0) > 0.0 {
        h.add(
            CheckId::Partitions,
            Symptom::PartitionsExceeded,
            Level::Fail,
            "partition count exceeded the active partitions limit",
        );
    } else if let Some(used) = m.recent_max(&sc, PartitionCount) {
        let (limit, default) = match m.recent_max(&sc, ActivePartitionsLimit) {
            Some(l) if l > 0.0 => (l, ""),
            _ => (DEFAULT_ACTIVE_PARTITIONS_LIMIT, " default"),
        };
        if used >= 0.8 * limit {
            h.add(
                CheckId::Partitions,
                Symptom::PartitionsNearLimit,
                Level::Warn,
                format!(
                    "partitions {used:.0}/{limit:.0}{default} ({:.0}% of limit)",
                    100.0 * used / limit
                ),
            );
        }
    }
    let throttled = m.recent_sum(&sc, ThrottledRecords).unwrap_or(0.0);
    if throttled > 0.0 {
        h.add(
            CheckId::Throttling,
            Symptom::Throttled,
            Level::Warn,
            format!("{} records throttled in 5 min", count(throttled)),
        );
    }
    h.sorted()
}

pub fn rule_health(inp: &Inputs, r: &Rule) -> Health {
    use MetricId::*;
    let mut h = Health::default();
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
            h.add(
                CheckId::RuleState,
                Symptom::TargetMissing,
                Level::Fail,
                format!("target stream {s} not found in this account/region"),
            );
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
                "no metrics yet",
            );
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

/// Health of what a selection names: the rule, the stream (or why it has none), together.
/// `None` stream and rule: nothing to say.
pub fn target_health(inp: &Inputs, rule: Option<&RuleKey>, stream: Option<&str>) -> Health {
    let mut h = Health::default();
    let rule = rule.and_then(|k| inp.inv.rule(k));
    if let Some(r) = rule {
        h.merge(rule_health(inp, r));
    }
    if let Some(name) = stream {
        match inp.inv.stream(name) {
            Some(s) => h.merge(stream_health(inp, s)),
            None => {
                let errors: Vec<_> = inp
                    .inv
                    .errors
                    .iter()
                    .filter(|e| e.kind == "stream" && e.name == name)
                    .collect();
                for e in &errors {
                    h.add(
                        CheckId::StreamStatus,
                        Symptom::NotDescribed,
                        Level::Fail,
                        format!("could not describe stream {name}: {}", e.message),
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
    h.sorted()
}

/// A pipeline is as healthy as its worst part; a target stream that does not exist fails it.
pub fn pipeline_health(inp: &Inputs, link: &PipelineLink) -> Health {
    let rule = link.rule.and_then(|i| inp.inv.rules.get(i)).map(Rule::key);
    target_health(inp, rule.as_ref(), Some(&link.stream_name))
}

/// The health of every stream, rule and pipeline, computed once per change of the data
/// (`store::Snapshot::diagnosis` caches it), not per frame and row.
#[derive(Debug, Clone, Default)]
pub struct Diagnosis {
    pub streams: HashMap<String, Health>,
    pub rules: HashMap<RuleKey, Health>,
    /// By index into the pipelines the diagnosis was made for.
    pub pipelines: Vec<Health>,
}

impl Diagnosis {
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
            pipelines: pipelines.iter().map(|l| pipeline_health(inp, l)).collect(),
        }
    }
    /// A stream's health; UNKNOWN for one not diagnosed.
    pub fn stream(&self, name: &str) -> Health {
        self.streams.get(name).cloned().unwrap_or_else(unknown)
    }
    pub fn rule(&self, key: &RuleKey) -> Health {
        self.rules.get(key).cloned().unwrap_or_else(unknown)
    }
    pub fn pipeline(&self, i: usize) -> Health {
        self.pipelines.get(i).cloned().unwrap_or_else(unknown)
    }
    /// Just the level of each, without cloning findings.
    pub fn stream_level(&self, name: &str) -> Level {
        self.streams.get(name).map_or(Level::Unknown, |h| h.level)
    }
    pub fn rule_level(&self, key: &RuleKey) -> Level {
        self.rules.get(key).map_or(Level::Unknown, |h| h.level)
    }
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
