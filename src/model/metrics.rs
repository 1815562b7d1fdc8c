//! CloudWatch metrics: which ones fhtop reads, their statistic and unit, and the series the
//! backend answers with.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::inventory::{DestinationKind, Inventory, RuleKey, Source, Stream};

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

/// The unit a metric's values are in, as CloudWatch reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Unit {
    Count,
    Bytes,
    Seconds,
    Milliseconds,
    /// 0–1 (an Average of a per-attempt success flag).
    Ratio,
    /// A per-second quota (records, bytes or requests per second).
    PerSecond,
}

/// A CloudWatch metric fhtop reads. Firehose metrics (namespace AWS/Firehose, dimension
/// DeliveryStreamName) and EventBridge rule metrics (AWS/Events, RuleName [+ EventBusName]).
///
/// AWS: "Monitoring Amazon Data Firehose with CloudWatch metrics"; "Monitoring Amazon
/// EventBridge" (eb-monitoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MetricId {
    // AWS/Firehose, DeliveryStreamName: Direct PUT ingestion
    IncomingRecords,
    IncomingBytes,
    IncomingPutRequests,
    ThrottledRecords,
    // Delivery, per destination kind: `DeliveryTo<Kind>.Records|Bytes|Success|DataFreshness`.
    DeliveryRecords(DestinationKind),
    DeliveryBytes(DestinationKind),
    DeliverySuccess(DestinationKind),
    DataFreshness(DestinationKind),
    // Dynamic partitioning
    PartitionCount,
    ActivePartitionsLimit,
    PartitionCountExceeded,
    JqDuration,
    // Quotas
    BytesPerSecondLimit,
    RecordsPerSecondLimit,
    PutRequestsPerSecondLimit,
    // Kinesis data stream as source
    KinesisReadRecords,
    KinesisReadBytes,
    KinesisMillisBehindLatest,
    ThrottledGetRecords,
    ThrottledGetShardIterator,
    ThrottledDescribeStream,
    // Amazon MSK as source
    SourceReadRecords,
    SourceReadBytes,
    KafkaOffsetLag,
    // Lambda transformation and record format conversion
    ExecuteProcessingSuccess,
    ExecuteProcessingDuration,
    SucceedProcessingRecords,
    SucceedConversionRecords,
    FailedConversionRecords,
    // AWS/Events, RuleName (+ EventBusName)
    MatchedEvents,
    TriggeredRules,
    Invocations,
    FailedInvocations,
    DeadLetterInvocations,
    ThrottledRules,
}

/// `[Records, Bytes, Success, DataFreshness]` metric names per destination kind, in
/// [`DestinationKind::ALL`] order. Iceberg has no `.Records`: its row count is
/// `DeliveryToIceberg.SuccessfulRowCount`.
const DELIVERY_NAMES: [[&str; 4]; 9] = [
    [
        "DeliveryToS3.Records",
        "DeliveryToS3.Bytes",
        "DeliveryToS3.Success",
        "DeliveryToS3.DataFreshness",
    ],
    [
        "DeliveryToHttpEndpoint.Records",
        "DeliveryToHttpEndpoint.Bytes",
        "DeliveryToHttpEndpoint.Success",
        "DeliveryToHttpEndpoint.DataFreshness",
    ],
    [
        "DeliveryToAmazonOpenSearchService.Records",
        "DeliveryToAmazonOpenSearchService.Bytes",
        "DeliveryToAmazonOpenSearchService.Success",
        "DeliveryToAmazonOpenSearchService.DataFreshness",
    ],
    [
        "DeliveryToAmazonOpenSearchServerless.Records",
        "DeliveryToAmazonOpenSearchServerless.Bytes",
        "DeliveryToAmazonOpenSearchServerless.Success",
        "DeliveryToAmazonOpenSearchServerless.DataFreshness",
    ],
    [
        "DeliveryToElasticsearch.Records",
        "DeliveryToElasticsearch.Bytes",
        "DeliveryToElasticsearch.Success",
        "DeliveryToElasticsearch.DataFreshness",
    ],
    [
        "DeliveryToRedshift.Records",
        "DeliveryToRedshift.Bytes",
        "DeliveryToRedshift.Success",
        "DeliveryToRedshift.DataFreshness",
    ],
    [
        "DeliveryToSplunk.Records",
        "DeliveryToSplunk.Bytes",
        "DeliveryToSplunk.Success",
        "DeliveryToSplunk.DataFreshness",
    ],
    [
        "DeliveryToSnowflake.Records",
        "DeliveryToSnowflake.Bytes",
        "DeliveryToSnowflake.Success",
        "DeliveryToSnowflake.DataFreshness",
    ],
    [
        "DeliveryToIceberg.SuccessfulRowCount",
        "DeliveryToIceberg.Bytes",
        "DeliveryToIceberg.Success",
        "DeliveryToIceberg.DataFreshness",
    ],
];

fn delivery_name(kind: DestinationKind, i: usize) -> &'static str {
    let k = match kind {
        DestinationKind::S3 => 0,
        DestinationKind::HttpEndpoint => 1,
        DestinationKind::OpenSearch => 2,
        DestinationKind::OpenSearchServerless => 3,
        DestinationKind::Elasticsearch => 4,
        DestinationKind::Redshift => 5,
        DestinationKind::Splunk => 6,
        DestinationKind::Snowflake => 7,
        DestinationKind::Iceberg => 8,
    };
    DELIVERY_NAMES[k][i.min(3)]
}

impl MetricId {
    /// What fhtop reads for a Direct PUT stream delivering to S3 (the shape it was first built
    /// for); [`MetricId::for_stream`] gives the set for any stream.
    pub const STREAM: [MetricId; 15] = [
        MetricId::IncomingRecords,
        MetricId::IncomingBytes,
        MetricId::IncomingPutRequests,
        MetricId::ThrottledRecords,
        MetricId::DeliveryRecords(DestinationKind::S3),
        MetricId::DeliveryBytes(DestinationKind::S3),
        MetricId::DeliverySuccess(DestinationKind::S3),
        MetricId::DataFreshness(DestinationKind::S3),
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

    /// The count of records entering a stream from its source: `IncomingRecords` for Direct
    /// PUT, `DataReadFromKinesisStream.Records` for a Kinesis data stream,
    /// `DataReadFromSource.Records` for MSK.
    pub fn incoming(source: &Source) -> MetricId {
        match source {
            Source::KinesisStream { .. } => MetricId::KinesisReadRecords,
            Source::Msk { .. } => MetricId::SourceReadRecords,
            Source::DirectPut | Source::Other(_) => MetricId::IncomingRecords,
        }
    }

    /// The four delivery metrics of a destination kind.
    pub fn delivery(kind: DestinationKind) -> [MetricId; 4] {
        [
            MetricId::DeliveryRecords(kind),
            MetricId::DeliveryBytes(kind),
            MetricId::DeliverySuccess(kind),
            MetricId::DataFreshness(kind),
        ]
    }

    /// Every metric that tells something about this stream: ingestion for its source, delivery
    /// for its destination kind (and `DeliveryToS3.*` for the backup / staging bucket of a
    /// service destination), processing when it transforms or converts records. A Direct PUT
    /// stream delivering to S3 gets exactly [`MetricId::STREAM`].
    pub fn for_stream(s: &Stream) -> Vec<MetricId> {
        use MetricId::*;
        let mut v = vec![
            IncomingRecords,
            IncomingBytes,
            IncomingPutRequests,
            ThrottledRecords,
        ];
        if let Some(kind) = s.destination_kind() {
            v.extend(Self::delivery(kind));
            if kind != DestinationKind::S3 && s.bucket().is_some() {
                v.extend(Self::delivery(DestinationKind::S3));
            }
        }
        v.extend([
            PartitionCount,
            ActivePartitionsLimit,
            PartitionCountExceeded,
            JqDuration,
            BytesPerSecondLimit,
            RecordsPerSecondLimit,
            PutRequestsPerSecondLimit,
        ]);
        match &s.source {
            Source::KinesisStream { .. } => v.extend([
                KinesisReadRecords,
                KinesisReadBytes,
                KinesisMillisBehindLatest,
                ThrottledGetRecords,
                ThrottledGetShardIterator,
                ThrottledDescribeStream,
            ]),
            Source::Msk { .. } => v.extend([SourceReadRecords, SourceReadBytes, KafkaOffsetLag]),
            Source::DirectPut | Source::Other(_) => {}
        }
        if !s.lambda_arns().is_empty() {
            v.extend([
                ExecuteProcessingSuccess,
                ExecuteProcessingDuration,
                SucceedProcessingRecords,
            ]);
        }
        if s.format_conversion {
            v.extend([SucceedConversionRecords, FailedConversionRecords]);
        }
        v
    }

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
            DeliveryRecords(k) => delivery_name(k, 0),
            DeliveryBytes(k) => delivery_name(k, 1),
            DeliverySuccess(k) => delivery_name(k, 2),
            DataFreshness(k) => delivery_name(k, 3),
            PartitionCount => "PartitionCount",
            ActivePartitionsLimit => "ActivePartitionsLimit",
            PartitionCountExceeded => "PartitionCountExceeded",
            JqDuration => "JQProcessing.Duration",
            BytesPerSecondLimit => "BytesPerSecondLimit",
            RecordsPerSecondLimit => "RecordsPerSecondLimit",
            PutRequestsPerSecondLimit => "PutRequestsPerSecondLimit",
            KinesisReadRecords => "DataReadFromKinesisStream.Records",
            KinesisReadBytes => "DataReadFromKinesisStream.Bytes",
            KinesisMillisBehindLatest => "KinesisMillisBehindLatest",
            ThrottledGetRecords => "ThrottledGetRecords",
            ThrottledGetShardIterator => "ThrottledGetShardIterator",
            ThrottledDescribeStream => "ThrottledDescribeStream",
            SourceReadRecords => "DataReadFromSource.Records",
            SourceReadBytes => "DataReadFromSource.Bytes",
            KafkaOffsetLag => "KafkaOffsetLag",
            ExecuteProcessingSuccess => "ExecuteProcessing.Success",
            ExecuteProcessingDuration => "ExecuteProcessing.Duration",
            SucceedProcessingRecords => "SucceedProcessing.Records",
            SucceedConversionRecords => "SucceedConversion.Records",
            FailedConversionRecords => "FailedConversion.Records",
            MatchedEvents => "MatchedEvents",
            TriggeredRules => "TriggeredRules",
            Invocations => "Invocations",
            FailedInvocations => "FailedInvocations",
            DeadLetterInvocations => "DeadLetterInvocations",
            ThrottledRules => "ThrottledRules",
        }
    }
    /// The statistic fhtop asks for: Sum for counts, Average for success ratios, Maximum for
    /// ages, latencies, gauges and quotas.
    pub fn stat(self) -> Stat {
        use MetricId::*;
        match self {
            DeliverySuccess(_) | ExecuteProcessingSuccess => Stat::Average,
            DataFreshness(_)
            | PartitionCount
            | ActivePartitionsLimit
            | PartitionCountExceeded
            | JqDuration
            | BytesPerSecondLimit
            | RecordsPerSecondLimit
            | PutRequestsPerSecondLimit
            | KinesisMillisBehindLatest
            | KafkaOffsetLag
            | ExecuteProcessingDuration => Stat::Maximum,
            _ => Stat::Sum,
        }
    }
    /// The unit of the values (after [`MetricId::stat`]).
    pub fn unit(self) -> Unit {
        use MetricId::*;
        match self {
            IncomingBytes | DeliveryBytes(_) | KinesisReadBytes | SourceReadBytes => Unit::Bytes,
            DeliverySuccess(_) | ExecuteProcessingSuccess => Unit::Ratio,
            DataFreshness(_) => Unit::Seconds,
            JqDuration | KinesisMillisBehindLatest | ExecuteProcessingDuration => {
                Unit::Milliseconds
            }
            BytesPerSecondLimit | RecordsPerSecondLimit | PutRequestsPerSecondLimit => {
                Unit::PerSecond
            }
            _ => Unit::Count,
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

/// For every stream its own metrics ([`MetricId::for_stream`]), every rule metric for every
/// rule.
pub fn metric_queries(inv: &Inventory) -> Vec<MetricQuery> {
    let mut q = Vec::with_capacity(inv.streams.len() * 15 + inv.rules.len() * 6);
    for s in &inv.streams {
        for m in MetricId::for_stream(s) {
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
    /// Whether any of the last `n` periods has a datapoint.
    pub fn any_in_last(&self, scope: &Scope, m: MetricId, n: usize) -> bool {
        self.series(scope, m)
            .is_some_and(|s| s[s.len().saturating_sub(n)..].iter().any(Option::is_some))
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
