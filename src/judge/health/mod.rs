//! Health rules: what is wrong with a stream, a rule, a pipeline, as words. Pure functions of
//! what fhtop has read ([`Inputs`]); the panes show them and `fhtop check` reports them, so the
//! TUI's marks and the check's verdicts are the same code. Every rule is a [`Symptom`].
//!
//! A verdict is only "OK" when the data says so: no delivery datapoints in the window is "no
//! data", a destination fhtop does not know is "not evaluated", both UNKNOWN.

pub mod coverage;
mod diagnosis;
mod rule;
mod stream;
pub mod timeline;

pub use diagnosis::{
    Diagnosis, feeders_unknown, join_dropped_while_throttled, pipeline_health, target_health,
};
pub use rule::rule_health;
pub use stream::{ErrorSummary, buffer_interval, error_summary, freshness_level, stream_health};

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::backend::BResult;
use crate::model::{
    Alarm, AlarmState, Destination, DestinationKind, Inventory, LogEvent, MetricId, Metrics,
    PipelineLink, RECENT_POINTS, Rule, RuleKey, Scope, Source, Stream, group_errors,
};
use crate::text::{count, fmt_duration};

/// Worst last. Serialized lowercase (`fhtop check --json` statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The data says it is healthy.
    Ok,
    /// Not enough data to say (metrics not fetched yet).
    Unknown,
    /// Something needs attention but data still flows (e.g. throttling, partitions near the limit).
    Warn,
    /// Broken: delivery failing, stream not ACTIVE, rule disabled, target missing, alarm firing.
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
    /// A short word for narrow columns: "OK", "?", "WARN", "FAIL".
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
    /// `writer-permission`: the configured writer policy lets producers put records to the streams
    /// (IAM simulation).
    WriterPermission,
    /// `stream-status`: the stream is ACTIVE, has no FailureDescription, and could be described.
    StreamStatus,
    /// `delivery`: records are delivered (`DeliveryTo...` Success, DataFreshness, source lag).
    Delivery,
    /// `delivery-errors`: the destination's error log group has no recent errors.
    DeliveryErrors,
    /// `bucket-access`: the delivery role may write the bucket (and invoke its Lambda processors).
    BucketAccess,
    /// `source-access`: the source role may read the Kinesis stream or MSK cluster.
    SourceAccess,
    /// `processing`: Lambda transformation and record format conversion succeed.
    Processing,
    /// `rule-state`: the rule is enabled, its pattern parses, it triggers, and its invocations
    /// succeed.
    RuleState,
    /// `alarms`: no CloudWatch alarm on the stream or rule is in ALARM or INSUFFICIENT_DATA.
    Alarms,
    /// `partitions`: dynamic partitioning stays under its active partition limit.
    Partitions,
    /// `throttling`: ingestion is not throttled (`ThrottledRecords`).
    Throttling,
    /// `pattern-samples`: a rule that matched nothing in the window, tested against the events
    /// its bus logged (`pattern::test_samples`).
    PatternSamples,
    /// `alarm-coverage`: alarms watch the stream's delivery success and freshness, throttled
    /// records, exceeded partition count, and each feeding rule's failed invocations
    /// ([`coverage`]).
    AlarmCoverage,
    /// `losses`: nothing lost, at risk or waiting to be recovered (the loss ledger).
    Losses,
}

impl CheckId {
    /// Every check, in the order `fhtop check` reports them.
    pub const ALL: [CheckId; 14] = [
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
        CheckId::PatternSamples,
        CheckId::AlarmCoverage,
        CheckId::Losses,
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
            CheckId::PatternSamples => "pattern-samples",
            CheckId::AlarmCoverage => "alarm-coverage",
            CheckId::Losses => "losses",
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
    /// A CloudWatch alarm on the stream or rule is in ALARM.
    AlarmFiring,
    /// A CloudWatch alarm on the stream or rule is in INSUFFICIENT_DATA.
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
    /// `PartitionCountExceeded` above 0: the active partition limit was exceeded.
    PartitionsExceeded,
    /// `PartitionCount` at 80 % or more of `ActivePartitionsLimit` (default 500).
    PartitionsNearLimit,
    /// `ThrottledRecords` above 0 in the recent periods.
    Throttled,
    /// Firehose is throttled reading its Kinesis source, or falls behind it.
    SourceThrottled,
    /// `KinesisMillisBehindLatest` above [`SOURCE_BEHIND_MS`] (15 minutes).
    SourceBehind,
    /// `ExecuteProcessing.Success` below 1 (Lambda transformation).
    ProcessingFailing,
    /// A Lambda processor without any recent `ExecuteProcessing.Success` datapoint.
    NoProcessingData,
    /// `FailedConversion.Records` above 0 (record format conversion).
    ConversionFailing,
    /// The rule's state is not ENABLED.
    RuleDisabled,
    /// `FailedInvocations` above 0: EventBridge could not deliver to a target.
    InvocationsFailing,
    /// `DeadLetterInvocations` above 0: targets not invoked at all (e.g. a loop the rule would
    /// trigger again) — not the dead-letter queue, whatever the name says.
    NotInvoked,
    /// `InvocationsSentToDlq` above 0: events not delivered, in the target's dead-letter queue
    /// (recoverable from there).
    SentToDeadLetterQueue,
    /// `InvocationsFailedToBeSentToDlq` above 0: events the dead-letter queue refused — lost.
    DeadLetterQueueRefused,
    /// `FailedInvocations` above 0 on a rule none of whose targets has a dead-letter queue: the
    /// failed events are dropped.
    DroppedNoDeadLetterQueue,
    /// A pipeline's stream throttles (ThrottledRecords) while the rule feeding it fails for
    /// good with no dead-letter queue: one cause, events dropped.
    DroppedWhileThrottled,
    /// `ThrottledRules` above 0.
    RuleThrottled,
    /// An enabled pattern rule with no `MatchedEvents` or `TriggeredRules` in the whole window.
    NotTriggering,
    /// A rule targets a delivery (or Kinesis) stream that does not exist.
    TargetMissing,
    /// The rule's `EventPattern` is not valid JSON.
    PatternInvalid,
}

/// One thing a health rule found about a stream or rule, with its check, symptom and level.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The runbook check it belongs to.
    pub check: CheckId,
    /// The health rule that found it.
    pub symptom: Symptom,
    /// How bad it is.
    pub level: Level,
    /// What was found, in words for the panes and `fhtop check` (may contain AWS names: sanitize).
    /// Borrowed when the words are fixed: a diagnosis of 10,000 rows holds one per row.
    pub text: Cow<'static, str>,
}

/// The health of one stream, rule or pipeline: the worst level and every finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// The worst level of the findings (`Ok` when there are none).
    pub level: Level,
    /// Every finding, in the order the rules ran (see [`Health::sorted`]).
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
    pub(super) fn add(
        &mut self,
        check: CheckId,
        symptom: Symptom,
        level: Level,
        text: impl Into<Cow<'static, str>>,
    ) {
        self.level = self.level.max(level);
        self.findings.push(Finding {
            check,
            symptom,
            level,
            text: text.into(),
        });
    }
    pub(super) fn merge(&mut self, other: Health) {
        self.level = self.level.max(other.level);
        self.findings.extend(other.findings);
    }
    /// Findings worst first (and no room kept for more: a diagnosis holds one per row).
    pub fn sorted(mut self) -> Self {
        self.findings.sort_by_key(|f| std::cmp::Reverse(f.level));
        self.findings.shrink_to_fit();
        self
    }
    /// Whether any finding is of this symptom.
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
    /// The inventory (streams, rules) to judge.
    pub inv: &'a Inventory,
    /// `None`: metrics not read (yet).
    pub metrics: Option<&'a Metrics>,
    /// Why `metrics` is `None` when a read failed (the GetMetricData error message); `None`
    /// while the first read is still to come.
    pub metrics_error: Option<&'a str>,
    /// Every CloudWatch alarm read (linked to streams and rules by dimension).
    pub alarms: &'a [Alarm],
    /// Error log events read so far.
    pub logs: Option<&'a dyn ErrorLogs>,
    /// The instant "recent" is measured from.
    pub now: DateTime<Utc>,
}

impl Inputs<'_> {
    /// What a check that needs metrics says without them: "no metrics yet", or "metrics not
    /// read: …" with the GetMetricData error.
    pub fn no_metrics(&self) -> String {
        match self.metrics_error {
            Some(e) => format!("metrics not read: {}", crate::text::fit(e, 160)),
            None => "no metrics yet".to_string(),
        }
    }
}

pub(super) fn alarm_findings(h: &mut Health, alarms: &[&Alarm]) {
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
