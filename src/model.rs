//! Domain types shared by the backends, the store, the health rules and the panes.
//!
//! Every string in here may come from AWS and is untrusted: it is sanitized by the UI
//! (`ui::text::clean`) before it reaches the terminal.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Who and where fhtop is looking at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub account: String,
    pub region: String,
    pub profile: Option<String>,
    pub caller_arn: Option<String>,
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bus {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RuleState {
    Enabled,
    Disabled,
    /// Any other state AWS may add (e.g. ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
    Other(String),
}

impl RuleState {
    pub fn parse(s: &str) -> Self {
        match s {
            "ENABLED" => Self::Enabled,
            "DISABLED" => Self::Disabled,
            other => Self::Other(other.to_string()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
            Self::Other(s) => s,
        }
    }
    pub fn is_enabled(&self) -> bool {
        match self {
            Self::Enabled => true,
            Self::Disabled => false,
            Self::Other(s) => s.starts_with("ENABLED"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub id: String,
    pub arn: String,
    pub role_arn: Option<String>,
    pub dead_letter_arn: Option<String>,
    pub has_input_transformer: bool,
}

impl Target {
    /// The delivery stream name when this target is a Firehose delivery stream.
    pub fn firehose_stream_name(&self) -> Option<&str> {
        firehose_name_from_arn(&self.arn)
    }
}

/// `arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME` → `NAME`.
pub fn firehose_name_from_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, _, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service != "firehose" {
        return None;
    }
    resource
        .strip_prefix("deliverystream/")
        .filter(|n| !n.is_empty())
}

/// `arn:aws:s3:::bucket` → `bucket`.
pub fn bucket_from_arn(arn: &str) -> &str {
    arn.strip_prefix("arn:aws:s3:::")
        .or_else(|| arn.rsplit(':').next())
        .unwrap_or(arn)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub bus: String,
    pub name: String,
    pub arn: String,
    pub state: RuleState,
    pub description: Option<String>,
    pub event_pattern: Option<String>,
    pub schedule: Option<String>,
    pub managed_by: Option<String>,
    pub role_arn: Option<String>,
    pub targets: Vec<Target>,
}

impl Rule {
    /// ARNs of the delivery streams this rule sends to.
    pub fn firehose_target_arns(&self) -> Vec<String> {
        self.targets
            .iter()
            .filter(|t| t.firehose_stream_name().is_some())
            .map(|t| t.arn.clone())
            .collect()
    }
    pub fn key(&self) -> RuleKey {
        RuleKey {
            bus: self.bus.clone(),
            name: self.name.clone(),
        }
    }
    /// The log group EventBridge rules conventionally log to (`/aws/events/<rule>`).
    pub fn log_group(&self) -> String {
        format!("/aws/events/{}", self.name)
    }
    pub fn is_schedule(&self) -> bool {
        self.schedule.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RuleKey {
    pub bus: String,
    pub name: String,
}

impl std::fmt::Display for RuleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.bus, self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DynamicPartitioning {
    pub enabled: bool,
    pub jq_query: Option<String>,
    pub retry_seconds: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct S3Destination {
    pub bucket_arn: String,
    pub prefix: Option<String>,
    pub error_output_prefix: Option<String>,
    pub role_arn: String,
    pub buffering_mb: u32,
    pub buffering_seconds: u32,
    pub compression: String,
    pub kms_key_arn: Option<String>,
    pub dynamic_partitioning: Option<DynamicPartitioning>,
    pub log_group: Option<String>,
    pub log_stream: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Destination {
    S3(Box<S3Destination>),
    /// Destinations fhtop does not inspect (Redshift, OpenSearch, HTTP endpoint, ...).
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stream {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub source: String,
    pub created: Option<DateTime<Utc>>,
    pub failure: Option<String>,
    pub encryption: Option<String>,
    pub destination: Destination,
}

impl Stream {
    pub fn s3(&self) -> Option<&S3Destination> {
        match &self.destination {
            Destination::S3(d) => Some(d),
            Destination::Other(_) => None,
        }
    }
    pub fn dynamic_partitioning_enabled(&self) -> bool {
        self.s3()
            .and_then(|d| d.dynamic_partitioning.as_ref())
            .is_some_and(|p| p.enabled)
    }
    pub fn log_group(&self) -> Option<&str> {
        self.s3().and_then(|d| d.log_group.as_deref())
    }
}

/// A stream or rule the backend could not describe or decode: shown as an error row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryError {
    pub kind: &'static str,
    pub name: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Inventory {
    pub buses: Vec<Bus>,
    pub rules: Vec<Rule>,
    pub streams: Vec<Stream>,
    pub errors: Vec<InventoryError>,
}

/// One row of the Pipelines view: a rule→stream link, or a stream nothing feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineLink {
    /// Index into `Inventory::rules`.
    pub rule: Option<usize>,
    /// Index into `Inventory::streams`; `None` when the target stream is not in this account.
    pub stream: Option<usize>,
    /// The target's stream name (set even when the stream is missing).
    pub stream_name: String,
}

impl Inventory {
    pub fn stream(&self, name: &str) -> Option<&Stream> {
        self.streams.iter().find(|s| s.name == name)
    }
    pub fn rule(&self, key: &RuleKey) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.bus == key.bus && r.name == key.name)
    }
    /// Rules with a target on this stream.
    pub fn rules_feeding(&self, stream: &str) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|r| {
                r.targets
                    .iter()
                    .any(|t| t.firehose_stream_name() == Some(stream))
            })
            .collect()
    }

    /// Rule→stream links, then streams with no rule. Stable order: bus, rule, stream.
    pub fn pipelines(&self) -> Vec<PipelineLink> {
        let by_name: HashMap<&str, usize> = self
            .streams
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i))
            .collect();
        let mut fed = vec![false; self.streams.len()];
        let mut links = Vec::new();
        let mut rule_order: Vec<usize> = (0..self.rules.len()).collect();
        rule_order.sort_by(|&a, &b| {
            let (ra, rb) = (&self.rules[a], &self.rules[b]);
            (&ra.bus, &ra.name).cmp(&(&rb.bus, &rb.name))
        });
        for ri in rule_order {
            for t in &self.rules[ri].targets {
                if let Some(name) = t.firehose_stream_name() {
                    let si = by_name.get(name).copied();
                    if let Some(si) = si {
                        fed[si] = true;
                    }
                    links.push(PipelineLink {
                        rule: Some(ri),
                        stream: si,
                        stream_name: name.to_string(),
                    });
                }
            }
        }
        let mut orphans: Vec<usize> = (0..self.streams.len()).filter(|&i| !fed[i]).collect();
        orphans.sort_by(|&a, &b| self.streams[a].name.cmp(&self.streams[b].name));
        links.extend(orphans.into_iter().map(|si| PipelineLink {
            rule: None,
            stream: Some(si),
            stream_name: self.streams[si].name.clone(),
        }));
        links
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Stat {
    Sum,
    Average,
    Maximum,
}

impl Stat {
    pub fn as_str(self) -> &'static str {
        match self {
            Stat::Sum => "Sum",
            Stat::Average => "Average",
            Stat::Maximum => "Maximum",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MetricId {
    // AWS/Firehose, DeliveryStreamName
    IncomingRecords,
    IncomingBytes,
    IncomingPutRequests,
    ThrottledRecords,
    DeliveryRecords,
    DeliveryBytes,
    DeliverySuccess,
    DataFreshness,
    PartitionCount,
    ActivePartitionsLimit,
    PartitionCountExceeded,
    JqDuration,
    BytesPerSecondLimit,
    RecordsPerSecondLimit,
    PutRequestsPerSecondLimit,
    // AWS/Events, RuleName (+ EventBusName)
    MatchedEvents,
    TriggeredRules,
    Invocations,
    FailedInvocations,
    DeadLetterInvocations,
    ThrottledRules,
}

impl MetricId {
    pub const STREAM: [MetricId; 15] = [
        MetricId::IncomingRecords,
        MetricId::IncomingBytes,
        MetricId::IncomingPutRequests,
        MetricId::ThrottledRecords,
        MetricId::DeliveryRecords,
        MetricId::DeliveryBytes,
        MetricId::DeliverySuccess,
        MetricId::DataFreshness,
        MetricId::PartitionCount,
        MetricId::ActivePartitionsLimit,
        MetricId::PartitionCountExceeded,
        MetricId::JqDuration,
        MetricId::BytesPerSecondLimit,
        MetricId::RecordsPerSecondLimit,
        MetricId::PutRequestsPerSecondLimit,
    ];
    pub const RULE: [MetricId; 6] = [
        MetricId::MatchedEvents,
        MetricId::TriggeredRules,
        MetricId::Invocations,
        MetricId::FailedInvocations,
        MetricId::DeadLetterInvocations,
        MetricId::ThrottledRules,
    ];

    pub fn namespace(self) -> &'static str {
        if self.is_rule_metric() {
            "AWS/Events"
        } else {
            "AWS/Firehose"
        }
    }
    pub fn is_rule_metric(self) -> bool {
        Self::RULE.contains(&self)
    }
    /// The CloudWatch metric name.
    pub fn name(self) -> &'static str {
        use MetricId::*;
        match self {
            IncomingRecords => "IncomingRecords",
            IncomingBytes => "IncomingBytes",
            IncomingPutRequests => "IncomingPutRequests",
            ThrottledRecords => "ThrottledRecords",
            DeliveryRecords => "DeliveryToS3.Records",
            DeliveryBytes => "DeliveryToS3.Bytes",
            DeliverySuccess => "DeliveryToS3.Success",
            DataFreshness => "DeliveryToS3.DataFreshness",
            PartitionCount => "PartitionCount",
            ActivePartitionsLimit => "ActivePartitionsLimit",
            PartitionCountExceeded => "PartitionCountExceeded",
            JqDuration => "JQProcessing.Duration",
            BytesPerSecondLimit => "BytesPerSecondLimit",
            RecordsPerSecondLimit => "RecordsPerSecondLimit",
            PutRequestsPerSecondLimit => "PutRequestsPerSecondLimit",
            MatchedEvents => "MatchedEvents",
            TriggeredRules => "TriggeredRules",
            Invocations => "Invocations",
            FailedInvocations => "FailedInvocations",
            DeadLetterInvocations => "DeadLetterInvocations",
            ThrottledRules => "ThrottledRules",
        }
    }
    pub fn stat(self) -> Stat {
        use MetricId::*;
        match self {
            DeliverySuccess => Stat::Average,
            DataFreshness
            | PartitionCount
            | ActivePartitionsLimit
            | PartitionCountExceeded
            | JqDuration
            | BytesPerSecondLimit
            | RecordsPerSecondLimit
            | PutRequestsPerSecondLimit => Stat::Maximum,
            _ => Stat::Sum,
        }
    }
    /// EventBridge publishes several metrics only when non-zero: a missing datapoint is zero.
    /// A missing Firehose datapoint is a gap.
    pub fn missing_is_zero(self) -> bool {
        self.is_rule_metric()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Scope {
    Stream(String),
    Rule(RuleKey),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MetricQuery {
    pub scope: Scope,
    pub metric: MetricId,
}

/// Every stream metric for every stream, every rule metric for every rule.
pub fn metric_queries(inv: &Inventory) -> Vec<MetricQuery> {
    let mut q = Vec::with_capacity(inv.streams.len() * 15 + inv.rules.len() * 6);
    for s in &inv.streams {
        for m in MetricId::STREAM {
            q.push(MetricQuery {
                scope: Scope::Stream(s.name.clone()),
                metric: m,
            });
        }
    }
    for r in &inv.rules {
        for m in MetricId::RULE {
            q.push(MetricQuery {
                scope: Scope::Rule(r.key()),
                metric: m,
            });
        }
    }
    q
}

/// The time axis shared by all series of one metrics fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricWindow {
    /// Start of the first period.
    pub start: DateTime<Utc>,
    pub period_seconds: u32,
    pub points: usize,
}

impl MetricWindow {
    /// The window of `minutes` whole periods ending with the period that contains `now`
    /// (the current, partial period is included: CloudWatch reports it as it fills).
    pub fn ending_at(now: DateTime<Utc>, minutes: u32, period_seconds: u32) -> Self {
        let p = i64::from(period_seconds.max(1));
        let aligned = now.timestamp() - now.timestamp().rem_euclid(p);
        let points = (i64::from(minutes) * 60 / p).max(1) as usize;
        let start_ts = aligned - (points as i64 - 1) * p;
        let start = DateTime::from_timestamp(start_ts, 0).unwrap_or(now);
        Self {
            start,
            period_seconds: period_seconds.max(1),
            points,
        }
    }
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::seconds(i64::from(self.period_seconds) * self.points as i64)
    }
    pub fn time_of(&self, i: usize) -> DateTime<Utc> {
        self.start + Duration::seconds(i64::from(self.period_seconds) * i as i64)
    }
}

pub type Series = Vec<Option<f64>>;

#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    pub window: MetricWindow,
    pub series: HashMap<(Scope, MetricId), Series>,
}

/// How many trailing periods the "now" figures (funnel counts, success %, ...) cover.
pub const RECENT_POINTS: usize = 5;

impl Metrics {
    pub fn series(&self, scope: &Scope, m: MetricId) -> Option<&[Option<f64>]> {
        self.series.get(&(scope.clone(), m)).map(Vec::as_slice)
    }
    fn recent(&self, scope: &Scope, m: MetricId) -> impl Iterator<Item = f64> + '_ {
        let s = self.series(scope, m).unwrap_or(&[]);
        s[s.len().saturating_sub(RECENT_POINTS)..]
            .iter()
            .filter_map(|v| *v)
    }
    /// Sum over the recent periods; `None` when every recent point is a gap.
    pub fn recent_sum(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.recent(scope, m)
            .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
    }
    pub fn recent_max(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.recent(scope, m).fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        })
    }
    pub fn recent_avg(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        let (n, sum) = self
            .recent(scope, m)
            .fold((0u32, 0.0), |(n, s), v| (n + 1, s + v));
        (n > 0).then(|| sum / f64::from(n))
    }
    /// The newest non-gap value.
    pub fn latest(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.series(scope, m)?.iter().rev().find_map(|v| *v)
    }
    /// Sum over the whole window (gaps skipped).
    pub fn window_sum(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.series(scope, m)?
            .iter()
            .filter_map(|v| *v)
            .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
    }
}

/// Turn raw backend answers into series: EventBridge gaps become zeros (AWS omits zero
/// datapoints there); Firehose gaps stay gaps.
pub fn normalise_series(m: MetricId, raw: Series) -> Series {
    if m.missing_is_zero() {
        raw.into_iter().map(|v| Some(v.unwrap_or(0.0))).collect()
    } else {
        raw
    }
}

// ---------------------------------------------------------------------------------------------
// Alarms

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AlarmState {
    Alarm,
    InsufficientData,
    Ok,
}

impl AlarmState {
    pub fn parse(s: &str) -> Self {
        match s {
            "ALARM" => Self::Alarm,
            "OK" => Self::Ok,
            _ => Self::InsufficientData,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alarm => "ALARM",
            Self::InsufficientData => "INSUFFICIENT_DATA",
            Self::Ok => "OK",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    pub namespace: Option<String>,
    pub metric: Option<String>,
    pub dimensions: Vec<(String, String)>,
    pub state_updated: DateTime<Utc>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
}

impl Alarm {
    fn dimension(&self, key: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn stream(&self) -> Option<&str> {
        self.dimension("DeliveryStreamName")
    }
    pub fn rule(&self) -> Option<&str> {
        self.dimension("RuleName")
    }
    /// The bus dimension; absent means the default bus.
    pub fn bus(&self) -> &str {
        self.dimension("EventBusName").unwrap_or("default")
    }
    pub fn is_for_stream(&self, name: &str) -> bool {
        self.stream() == Some(name)
    }
    pub fn is_for_rule(&self, key: &RuleKey) -> bool {
        self.rule() == Some(key.name.as_str()) && self.bus() == key.bus
    }
}

// ---------------------------------------------------------------------------------------------
// Logs

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEvent {
    pub group: String,
    pub stream: String,
    pub timestamp: DateTime<Utc>,
    pub event_id: String,
    pub message: String,
}

/// What a Firehose error log line says, when it is the JSON Firehose writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirehoseError {
    pub code: String,
    pub message: String,
}

pub fn parse_firehose_error(message: &str) -> Option<FirehoseError> {
    let v: serde_json::Value = serde_json::from_str(message).ok()?;
    let code = v.get("errorCode")?.as_str()?.to_string();
    let message = v
        .get("errorMessage")
        .or_else(|| v.get("message"))
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    Some(FirehoseError { code, message })
}

/// Error events grouped by error code: (code, count, newest time, newest message),
/// largest count first.
pub fn group_errors<'a>(
    events: impl IntoIterator<Item = &'a LogEvent>,
) -> Vec<(String, usize, DateTime<Utc>, String)> {
    let mut groups: HashMap<String, (usize, DateTime<Utc>, String)> = HashMap::new();
    for e in events {
        let Some(err) = parse_firehose_error(&e.message) else {
            continue;
        };
        let entry = groups
            .entry(err.code)
            .or_insert((0, e.timestamp, err.message.clone()));
        entry.0 += 1;
        if e.timestamp >= entry.1 {
            entry.1 = e.timestamp;
            entry.2 = err.message;
        }
    }
    let mut out: Vec<_> = groups
        .into_iter()
        .map(|(code, (n, at, msg))| (code, n, at, msg))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firehose_arn_parsing() {
        assert_eq!(
            firehose_name_from_arn("arn:aws:firehose:us-east-1:123:deliverystream/orders"),
            Some("orders")
        );
        assert_eq!(
            firehose_name_from_arn("arn:aws:lambda:us-east-1:123:function:f"),
            None
        );
        assert_eq!(firehose_name_from_arn("garbage"), None);
        assert_eq!(
            firehose_name_from_arn("arn:aws:firehose:us-east-1:123:deliverystream/"),
            None
        );
    }

    #[test]
    fn window_is_aligned_and_includes_current_period() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T10:00:42Z")
            .unwrap()
            .with_timezone(&Utc);
        let w = MetricWindow::ending_at(now, 180, 60);
        assert_eq!(w.points, 180);
        assert_eq!(w.time_of(179).to_rfc3339(), "2026-01-01T10:00:00+00:00");
        assert_eq!(w.start.to_rfc3339(), "2026-01-01T07:01:00+00:00");
    }

    #[test]
    fn eventbridge_gaps_are_zero_firehose_gaps_stay() {
        let raw = vec![None, Some(2.0)];
        assert_eq!(
            normalise_series(MetricId::MatchedEvents, raw.clone()),
            vec![Some(0.0), Some(2.0)]
        );
        assert_eq!(
            normalise_series(MetricId::IncomingRecords, raw.clone()),
            raw
        );
    }

    #[test]
    fn recent_aggregates_skip_gaps() {
        let scope = Scope::Stream("s".into());
        let mut series = HashMap::new();
        series.insert(
            (scope.clone(), MetricId::IncomingRecords),
            vec![Some(100.0), None, Some(1.0), None, Some(2.0), Some(3.0)],
        );
        series.insert((scope.clone(), MetricId::DeliveryRecords), vec![None, None]);
        let m = Metrics {
            window: MetricWindow::ending_at(Utc::now(), 6, 60),
            series,
        };
        assert_eq!(m.recent_sum(&scope, MetricId::IncomingRecords), Some(6.0));
        assert_eq!(m.recent_avg(&scope, MetricId::IncomingRecords), Some(2.0));
        assert_eq!(m.recent_max(&scope, MetricId::IncomingRecords), Some(3.0));
        assert_eq!(m.recent_sum(&scope, MetricId::DeliveryRecords), None);
        assert_eq!(m.latest(&scope, MetricId::IncomingRecords), Some(3.0));
    }

    #[test]
    fn errors_grouped_by_code_newest_message_kept() {
        let ev = |s: i64, msg: &str| LogEvent {
            group: "g".into(),
            stream: "s".into(),
            timestamp: DateTime::from_timestamp(s, 0).unwrap(),
            event_id: s.to_string(),
            message: msg.into(),
        };
        let events = [
            ev(1, r#"{"errorCode":"S3.AccessDenied","message":"old"}"#),
            ev(3, r#"{"errorCode":"S3.AccessDenied","message":"new"}"#),
            ev(2, r#"{"errorCode":"S3.SlowDown","message":"slow"}"#),
            ev(4, "not json"),
        ];
        let g = group_errors(events.iter());
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].0, "S3.AccessDenied");
        assert_eq!(g[0].1, 2);
        assert_eq!(g[0].3, "new");
        assert_eq!(g[1].0, "S3.SlowDown");
    }
}
