//! One CloudWatch metric fhtop reads: its name, statistic and unit ([`MetricId`]), and the
//! dimensions it is read in ([`Scope`]).

use serde::Serialize;

use super::rule::{Rule, RuleKey};
use super::stream::{DestinationKind, Source, Stream};

/// The CloudWatch statistic fhtop requests for a metric (GetMetricData `Stat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Stat {
    /// `Sum` over the period: counts of records, bytes, requests, events.
    Sum,
    /// `Average` over the period: success ratios (0–1).
    Average,
    /// `Maximum` over the period: ages, latencies, gauges and quotas.
    Maximum,
}

impl Stat {
    /// The statistic as CloudWatch spells it: "Sum", "Average", "Maximum".
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
    /// A count per period (records, requests, events, partitions).
    Count,
    /// Bytes per period.
    Bytes,
    /// Seconds (e.g. `DataFreshness`, the age of the oldest undelivered record).
    Seconds,
    /// Milliseconds (latencies, `KinesisMillisBehindLatest`).
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
    /// `IncomingRecords`: records received by Direct PUT, count per period (Sum).
    IncomingRecords,
    /// `IncomingBytes`: bytes received by Direct PUT per period (Sum).
    IncomingBytes,
    /// `IncomingPutRequests`: PutRecord + PutRecordBatch calls per period (Sum).
    IncomingPutRequests,
    /// `ThrottledRecords`: records throttled because ingestion exceeded a quota, count per period
    /// (Sum).
    ThrottledRecords,
    // Delivery, per destination kind: `DeliveryTo<Kind>.Records|Bytes|Success|DataFreshness`.
    /// `DeliveryTo...Records` (Iceberg: `DeliveryToIceberg.SuccessfulRowCount`): records delivered
    /// per period (Sum).
    DeliveryRecords(DestinationKind),
    /// `DeliveryTo...Bytes`: bytes delivered per period (Sum).
    DeliveryBytes(DestinationKind),
    /// `DeliveryTo...Success`: share of successful delivery attempts, ratio 0–1 (Average) —
    /// but for Iceberg `DeliveryToIceberg.Success` is the count of successful commits (Sum);
    /// Iceberg's delivery ratio comes from its row counts
    /// ([`crate::model::Metrics::delivery_ratio`]).
    DeliverySuccess(DestinationKind),
    /// `DeliveryTo...DataFreshness`: age in seconds of the oldest record not yet delivered
    /// (Maximum).
    DataFreshness(DestinationKind),
    // Dynamic partitioning
    /// `PartitionCount`: active dynamic partitions (Maximum).
    PartitionCount,
    /// `ActivePartitionsLimit`: the stream's quota of active partitions (Maximum).
    ActivePartitionsLimit,
    /// `PartitionCountExceeded`: 1 when the partition limit was exceeded in the period (Maximum).
    PartitionCountExceeded,
    /// `JQProcessing.Duration`: time to run the partitioning jq query, milliseconds (Maximum).
    JqDuration,
    // Quotas
    /// `BytesPerSecondLimit`: the stream's ingestion quota in bytes per second (Maximum).
    BytesPerSecondLimit,
    /// `RecordsPerSecondLimit`: the stream's ingestion quota in records per second (Maximum).
    RecordsPerSecondLimit,
    /// `PutRequestsPerSecondLimit`: the stream's quota of put requests per second (Maximum).
    PutRequestsPerSecondLimit,
    // Kinesis data stream as source
    /// `DataReadFromKinesisStream.Records`: records read from the source Kinesis stream per period
    /// (Sum).
    KinesisReadRecords,
    /// `DataReadFromKinesisStream.Bytes`: bytes read from the source Kinesis stream per period
    /// (Sum).
    KinesisReadBytes,
    /// `KinesisMillisBehindLatest`: how far the read lags the stream tip, milliseconds (Maximum).
    KinesisMillisBehindLatest,
    /// `ThrottledGetRecords`: throttled GetRecords calls on the source stream, count per period
    /// (Sum).
    ThrottledGetRecords,
    /// `ThrottledGetShardIterator`: throttled GetShardIterator calls, count per period (Sum).
    ThrottledGetShardIterator,
    /// `ThrottledDescribeStream`: throttled DescribeStream calls, count per period (Sum).
    ThrottledDescribeStream,
    // Amazon MSK as source
    /// `DataReadFromSource.Records`: records read from the MSK topic per period (Sum).
    SourceReadRecords,
    /// `DataReadFromSource.Bytes`: bytes read from the MSK topic per period (Sum).
    SourceReadBytes,
    /// `KafkaOffsetLag`: how many offsets the read lags the topic (Maximum).
    KafkaOffsetLag,
    // Lambda transformation and record format conversion
    /// `ExecuteProcessing.Success`: share of successful Lambda invocations, ratio 0–1 (Average).
    ExecuteProcessingSuccess,
    /// `ExecuteProcessing.Duration`: Lambda transformation time, milliseconds (Maximum).
    ExecuteProcessingDuration,
    /// `SucceedProcessing.Records`: records the Lambda transformed successfully, count per period
    /// (Sum).
    SucceedProcessingRecords,
    /// `SucceedConversion.Records`: records converted (Parquet/ORC) successfully, count per period
    /// (Sum).
    SucceedConversionRecords,
    /// `FailedConversion.Records`: records that failed format conversion, count per period (Sum).
    FailedConversionRecords,
    // AWS/Events, RuleName (+ EventBusName)
    /// `MatchedEvents`: events that matched the rule, count per period (Sum; missing = 0).
    MatchedEvents,
    /// `TriggeredRules`: times the rule ran, count per period (Sum; missing = 0).
    TriggeredRules,
    /// `Invocations`: target invocations, count per period (Sum; missing = 0).
    Invocations,
    /// `FailedInvocations`: invocations that failed permanently, count per period (Sum; missing =
    /// 0).
    FailedInvocations,
    /// `DeadLetterInvocations`: times a rule's target was **not invoked** in response to an
    /// event — e.g. an invocation that would run the same rule again, an infinite loop — count
    /// per period (Sum; missing = 0). Not events sent to a dead-letter queue: those are
    /// [`MetricId::InvocationsSentToDlq`] (Amazon EventBridge User Guide, "Monitoring Amazon
    /// EventBridge", EventBridge metrics).
    DeadLetterInvocations,
    /// `ThrottledRules`: rule runs throttled, count per period (Sum; missing = 0).
    ThrottledRules,
    /// `InvocationsSentToDlq`: invocations moved to the target's dead-letter queue (SQS) —
    /// events not delivered, recoverable from the queue — count per period (Sum; missing = 0;
    /// read only for a rule with a target that has a `DeadLetterConfig`).
    InvocationsSentToDlq,
    /// `InvocationsFailedToBeSentToDlq`: invocations that could not be moved to the dead-letter
    /// queue (permissions, a queue that is gone, the size limit) — events lost — count per
    /// period (Sum; missing = 0; read only for a rule with a dead-letter queue).
    InvocationsFailedToBeSentToDlq,
    /// `RetryInvocationAttempts`: times EventBridge retried invoking a target, count per period
    /// (Sum; missing = 0). Attempts, not events: one event may be retried many times, for up to
    /// its target's `MaximumEventAgeInSeconds` (Amazon EventBridge User Guide, "Monitoring
    /// Amazon EventBridge"). Drill-in detail and the loss ledger's "retrying" line.
    RetryInvocationAttempts,
    /// `DeliveryToIceberg.FailedRowCount`: rows that failed delivery to Apache Iceberg Tables
    /// and went to the S3 backup bucket, count per period (Sum). The Iceberg destination has no
    /// success ratio: its `DeliveryToIceberg.Success` counts commits (Amazon Data Firehose
    /// Developer Guide, "Monitor metrics" for Apache Iceberg Tables).
    IcebergFailedRows,
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
    /// The seven EventBridge rule metrics (AWS/Events) fhtop reads for every rule; a rule with a
    /// dead-letter queue adds [`MetricId::RULE_DLQ`] ([`MetricId::for_rule`]).
    pub const RULE: [MetricId; 7] = [
        MetricId::MatchedEvents,
        MetricId::TriggeredRules,
        MetricId::Invocations,
        MetricId::FailedInvocations,
        MetricId::DeadLetterInvocations,
        MetricId::ThrottledRules,
        MetricId::RetryInvocationAttempts,
    ];

    /// The dead-letter queue's two metrics, read for a rule with a target that has a
    /// `DeadLetterConfig`: `InvocationsSentToDlq`, `InvocationsFailedToBeSentToDlq`.
    pub const RULE_DLQ: [MetricId; 2] = [
        MetricId::InvocationsSentToDlq,
        MetricId::InvocationsFailedToBeSentToDlq,
    ];

    /// Every metric of a rule: [`MetricId::RULE`], and [`MetricId::RULE_DLQ`] when one of its
    /// targets has a dead-letter queue.
    pub fn for_rule(r: &Rule) -> Vec<MetricId> {
        let mut v = Self::RULE.to_vec();
        if r.has_dead_letter_queue() {
            v.extend(Self::RULE_DLQ);
        }
        v
    }

    /// A rule's triage set: [`RULE_TRIAGE`], and [`MetricId::RULE_DLQ`] when one of its
    /// targets has a dead-letter queue (events sent there are not delivered; events it refused
    /// are lost).
    pub fn rule_triage(r: &Rule) -> Vec<MetricId> {
        let mut v = RULE_TRIAGE.to_vec();
        if r.has_dead_letter_queue() {
            v.extend(Self::RULE_DLQ);
        }
        v
    }

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
            if kind == DestinationKind::Iceberg {
                v.push(IcebergFailedRows);
            }
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

    /// The CloudWatch namespace: "AWS/Events" for rule metrics, "AWS/Firehose" otherwise.
    pub fn namespace(self) -> &'static str {
        if self.is_rule_metric() {
            "AWS/Events"
        } else {
            "AWS/Firehose"
        }
    }
    /// Whether this is an EventBridge rule metric (one of [`MetricId::RULE`] or
    /// [`MetricId::RULE_DLQ`]).
    pub fn is_rule_metric(self) -> bool {
        Self::RULE.contains(&self) || Self::RULE_DLQ.contains(&self)
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
            InvocationsSentToDlq => "InvocationsSentToDlq",
            InvocationsFailedToBeSentToDlq => "InvocationsFailedToBeSentToDlq",
            RetryInvocationAttempts => "RetryInvocationAttempts",
            IcebergFailedRows => "DeliveryToIceberg.FailedRowCount",
        }
    }
    /// The statistic fhtop asks for: Sum for counts, Average for success ratios, Maximum for
    /// ages, latencies, gauges and quotas.
    pub fn stat(self) -> Stat {
        use MetricId::*;
        match self {
            // `DeliveryToIceberg.Success` counts commits: a sum, not a ratio.
            DeliverySuccess(DestinationKind::Iceberg) => Stat::Sum,
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
            DeliverySuccess(DestinationKind::Iceberg) => Unit::Count,
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

/// What a metric series is about: the CloudWatch dimensions of the query.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Scope {
    /// A delivery stream, by name (dimension `DeliveryStreamName`).
    Stream(String),
    /// An EventBridge rule (dimensions `RuleName`, plus `EventBusName` off the default bus).
    Rule(RuleKey),
}

impl Scope {
    /// The CloudWatch dimensions of its metrics, as (name, value): `DeliveryStreamName`; or
    /// `RuleName`, and `EventBusName` off the default bus (the default bus's rule metrics
    /// have `RuleName` only — Amazon EventBridge User Guide, *Monitoring Amazon EventBridge*).
    pub fn dimensions(&self) -> Vec<(&'static str, &str)> {
        match self {
            Scope::Stream(n) => vec![("DeliveryStreamName", n.as_str())],
            Scope::Rule(k) => {
                let mut d = vec![("RuleName", k.name.as_str())];
                if k.bus != "default" {
                    d.push(("EventBusName", k.bus.as_str()));
                }
                d
            }
        }
    }
}

/// A rule's triage set: what rule health and the Pipelines and Rules columns read —
/// `MatchedEvents`, `Invocations`, `FailedInvocations`, `DeadLetterInvocations`,
/// `ThrottledRules`. `TriggeredRules` only adds to the full set: for a pattern rule it counts
/// what `MatchedEvents` counts, and a schedule rule is not checked for triggering.
pub const RULE_TRIAGE: [MetricId; 5] = [
    MetricId::MatchedEvents,
    MetricId::Invocations,
    MetricId::FailedInvocations,
    MetricId::DeadLetterInvocations,
    MetricId::ThrottledRules,
];

impl MetricId {
    /// A stream's triage set: exactly what stream health, `fhtop check` and the list panes
    /// read — records in from its source (and `ThrottledRecords` for Direct PUT),
    /// `.Records`, `.Success` and `.DataFreshness` of its destination kind, the S3 backup's
    /// records when it backs up failed data only, processing success when it transforms or
    /// converts, the Kinesis source's throttling and lag, partition counts when dynamic
    /// partitioning is on. Bytes, put requests, quotas and durations are drill-in detail:
    /// they are in [`MetricId::for_stream`] only. For a Direct PUT stream delivering to S3
    /// without partitioning that is 5 metrics instead of 15.
    pub fn triage(s: &Stream) -> Vec<MetricId> {
        use MetricId::*;
        let backs_up_failed = matches!(&s.destination, super::stream::Destination::Service(d)
            if d.backup_mode.as_deref().is_some_and(|b| b.starts_with("Failed")));
        let mut v = Self::triage_of(
            Some(Self::incoming(&s.source)),
            s.destination_kind(),
            backs_up_failed,
        );
        if !s.lambda_arns().is_empty() {
            v.push(ExecuteProcessingSuccess);
        }
        if s.format_conversion {
            v.extend([SucceedConversionRecords, FailedConversionRecords]);
        }
        if s.dynamic_partitioning_enabled() {
            v.extend([
                PartitionCount,
                ActivePartitionsLimit,
                PartitionCountExceeded,
            ]);
        }
        v
    }
    /// The part of a triage set that needs only the stream's source and destination kind:
    /// `incoming` (and `ThrottledRecords` when it is `IncomingRecords`, Direct PUT),
    /// `.Records`, `.Success`, `.DataFreshness` of `kind`, `DeliveryToS3.Records` when a
    /// non-S3 destination backs up to S3 (`s3_backup`), the Kinesis source's throttling and
    /// lag when `incoming` is `DataReadFromKinesisStream.Records`.
    pub(super) fn triage_of(
        incoming: Option<MetricId>,
        kind: Option<DestinationKind>,
        s3_backup: bool,
    ) -> Vec<Self> {
        use MetricId::*;
        let mut v: Vec<MetricId> = incoming.into_iter().collect();
        if incoming == Some(IncomingRecords) {
            v.push(ThrottledRecords);
        }
        if let Some(kind) = kind {
            v.extend([
                DeliveryRecords(kind),
                DeliverySuccess(kind),
                DataFreshness(kind),
            ]);
            // Iceberg's success is counted in rows: the failed ones are the evidence.
            if kind == DestinationKind::Iceberg {
                v.push(IcebergFailedRows);
            }
            if s3_backup && kind != DestinationKind::S3 {
                v.push(DeliveryRecords(DestinationKind::S3));
            }
        }
        if incoming == Some(KinesisReadRecords) {
            v.extend([
                ThrottledGetRecords,
                ThrottledGetShardIterator,
                ThrottledDescribeStream,
                KinesisMillisBehindLatest,
            ]);
        }
        v
    }
}
