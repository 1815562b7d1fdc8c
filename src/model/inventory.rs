//! What exists: buses, rules and their targets, delivery streams and their destinations,
//! and how they link into pipelines.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::arn::{firehose_name_from_arn, kinesis_name_from_arn};

/// Who and where fhtop is looking at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The 12-digit AWS account ID (STS GetCallerIdentity `Account`; "?" when not returned).
    pub account: String,
    /// The region fhtop queries (e.g. "eu-west-1").
    pub region: String,
    /// The AWS profile in use (`--profile` or `AWS_PROFILE`), `None` for the default chain.
    pub profile: Option<String>,
    /// The caller's ARN (STS GetCallerIdentity `Arn`): the user or assumed role fhtop acts as.
    pub caller_arn: Option<String>,
    /// True for the built-in demo account (`--demo`), false for real AWS.
    pub demo: bool,
}

/// An EventBridge event bus (ListEventBuses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bus {
    /// The event bus name (`Name`, e.g. "default").
    pub name: String,
    /// The event bus ARN (`Arn`).
    pub arn: String,
}

/// An EventBridge rule's `State` (ListRules / DescribeRule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleState {
    /// `ENABLED`: the rule matches events and invokes its targets.
    Enabled,
    /// `DISABLED`: the rule matches nothing.
    Disabled,
    /// Any other state AWS may add (e.g. ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
    Other(String),
}

impl RuleState {
    /// Parses a rule `State` string: "ENABLED", "DISABLED", anything else into `Other`.
    pub fn parse(s: &str) -> Self {
        match s {
            "ENABLED" => Self::Enabled,
            "DISABLED" => Self::Disabled,
            other => Self::Other(other.to_string()),
        }
    }
    /// The state as AWS spells it ("ENABLED", "DISABLED", or the `Other` string).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
            Self::Other(s) => s,
        }
    }
    /// At most 10 columns for a table cell, never cut: "ENABLED", "DISABLED", "ENABLED+CT" for
    /// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (the help legend and the rule's detail
    /// give it whole), any other state as it is.
    pub fn short(&self) -> &str {
        match self {
            Self::Other(s) if s == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" => "ENABLED+CT",
            other => other.as_str(),
        }
    }
    /// Whether the rule invokes its targets: `Enabled`, or any `Other` state starting with
    /// "ENABLED".
    pub fn is_enabled(&self) -> bool {
        match self {
            Self::Enabled => true,
            Self::Disabled => false,
            Self::Other(s) => s.starts_with("ENABLED"),
        }
    }
}

/// One target of an EventBridge rule (ListTargetsByRule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The target `Id`, unique within the rule.
    pub id: String,
    /// The target `Arn`: a Firehose delivery stream, Kinesis data stream, or anything else.
    pub arn: String,
    /// The IAM role EventBridge assumes to invoke the target (`RoleArn`), when set.
    pub role_arn: Option<String>,
    /// The SQS dead-letter queue for failed invocations (`DeadLetterConfig.Arn`), when set.
    pub dead_letter_arn: Option<String>,
    /// The target reshapes events with an `InputTransformer`.
    pub has_input_transformer: bool,
}

impl Target {
    /// The delivery stream name when this target is a Firehose delivery stream.
    pub fn firehose_stream_name(&self) -> Option<&str> {
        firehose_name_from_arn(&self.arn)
    }
}

/// An EventBridge rule and its targets (ListRules / DescribeRule + ListTargetsByRule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The event bus the rule is on (`EventBusName`).
    pub bus: String,
    /// The rule name (`Name`), unique within its bus.
    pub name: String,
    /// The rule ARN (`Arn`; empty when AWS did not return one).
    pub arn: String,
    /// Whether the rule is enabled (`State`).
    pub state: RuleState,
    /// The rule's `Description`, when set.
    pub description: Option<String>,
    /// The `EventPattern` JSON, as AWS returns it (unparsed); `None` for schedule rules.
    pub event_pattern: Option<String>,
    /// The `ScheduleExpression` ("rate(5 minutes)", "cron(...)"), for scheduled rules.
    pub schedule: Option<String>,
    /// The service that manages the rule (`ManagedBy`, e.g. a service principal); such rules are
    /// read-only to users.
    pub managed_by: Option<String>,
    /// The rule's own IAM role (`RoleArn`; for targets on other event buses), when set.
    pub role_arn: Option<String>,
    /// The rule's targets (ListTargetsByRule), in the order AWS lists them.
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
    /// The (bus, rule name) pair identifying this rule.
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
    /// Whether this is a scheduled rule (has a `ScheduleExpression`) rather than a pattern rule.
    pub fn is_schedule(&self) -> bool {
        self.schedule.is_some()
    }
}

/// Identifies a rule: rule names are unique per bus, not per account. Displays as `bus/name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleKey {
    /// The event bus name.
    pub bus: String,
    /// The rule name.
    pub name: String,
}

impl std::fmt::Display for RuleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.bus, self.name)
    }
}

/// Dynamic partitioning of an extended S3 destination (`DynamicPartitioningConfiguration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DynamicPartitioning {
    /// Dynamic partitioning is `Enabled`.
    pub enabled: bool,
    /// The jq query of the `MetadataExtraction` processor (`MetadataExtractionQuery`), when there
    /// is one.
    pub jq_query: Option<String>,
    /// How long Firehose retries delivery to S3, in seconds (`RetryOptions.DurationInSeconds`).
    pub retry_seconds: Option<u32>,
}

/// An S3 destination (`ExtendedS3DestinationDescription` / `S3DestinationDescription`), also used
/// for
/// the backup / staging bucket of other destinations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Destination {
    /// The bucket ARN (`BucketARN`).
    pub bucket_arn: String,
    /// The object key `Prefix`, when set (may contain `!{...}` expressions).
    pub prefix: Option<String>,
    /// The `ErrorOutputPrefix` failed records are written under, when set.
    pub error_output_prefix: Option<String>,
    /// The IAM role Firehose assumes to write to the bucket (`RoleARN`).
    pub role_arn: String,
    /// Buffer size in MiB (`BufferingHints.SizeInMBs`; AWS default 5 when not reported).
    pub buffering_mb: u32,
    /// Buffer interval in seconds (`BufferingHints.IntervalInSeconds`; AWS default 300 when not
    /// reported).
    pub buffering_seconds: u32,
    /// `CompressionFormat` ("UNCOMPRESSED", "GZIP", ...), or "(not reported)" when the value is
    /// unknown.
    pub compression: String,
    /// The KMS key objects are encrypted with (`KMSEncryptionConfig.AWSKMSKeyARN`), when set.
    pub kms_key_arn: Option<String>,
    /// Dynamic partitioning settings (extended S3 only), when configured.
    pub dynamic_partitioning: Option<DynamicPartitioning>,
    /// `CustomTimeZone`: the zone `!{timestamp:…}` is evaluated in (extended S3), when set.
    #[serde(default)]
    pub custom_time_zone: Option<String>,
    /// The CloudWatch Logs group for delivery errors (`CloudWatchLoggingOptions.LogGroupName`),
    /// only when logging is enabled.
    pub log_group: Option<String>,
    /// The CloudWatch Logs stream for delivery errors (`CloudWatchLoggingOptions.LogStreamName`),
    /// only when logging is enabled.
    pub log_stream: Option<String>,
}

/// The kinds of destination Firehose delivers to, each with its own `DeliveryTo<Kind>.*`
/// metrics in AWS/Firehose.
///
/// AWS: "Monitoring Amazon Data Firehose with CloudWatch metrics" (Delivery metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DestinationKind {
    /// Amazon S3 (`DeliveryToS3.*`).
    S3,
    /// An HTTP endpoint, including partner endpoints such as Datadog (`DeliveryToHttpEndpoint.*`).
    HttpEndpoint,
    /// Amazon OpenSearch Service (`DeliveryToAmazonOpenSearchService.*`).
    OpenSearch,
    /// Amazon OpenSearch Serverless (`DeliveryToAmazonOpenSearchServerless.*`).
    OpenSearchServerless,
    /// Legacy Amazon Elasticsearch Service (`DeliveryToElasticsearch.*`).
    Elasticsearch,
    /// Amazon Redshift, staged through S3 (`DeliveryToRedshift.*`).
    Redshift,
    /// Splunk HEC (`DeliveryToSplunk.*`).
    Splunk,
    /// Snowflake (`DeliveryToSnowflake.*`).
    Snowflake,
    /// Apache Iceberg tables via the Glue catalog (`DeliveryToIceberg.*`).
    Iceberg,
}

impl DestinationKind {
    /// Every kind, S3 first.
    pub const ALL: [DestinationKind; 9] = [
        DestinationKind::S3,
        DestinationKind::HttpEndpoint,
        DestinationKind::OpenSearch,
        DestinationKind::OpenSearchServerless,
        DestinationKind::Elasticsearch,
        DestinationKind::Redshift,
        DestinationKind::Splunk,
        DestinationKind::Snowflake,
        DestinationKind::Iceberg,
    ];

    /// How people call it: "S3", "HTTP endpoint", "OpenSearch", ...
    pub fn label(self) -> &'static str {
        match self {
            DestinationKind::S3 => "S3",
            DestinationKind::HttpEndpoint => "HTTP endpoint",
            DestinationKind::OpenSearch => "OpenSearch",
            DestinationKind::OpenSearchServerless => "OpenSearch Serverless",
            DestinationKind::Elasticsearch => "Elasticsearch",
            DestinationKind::Redshift => "Redshift",
            DestinationKind::Splunk => "Splunk",
            DestinationKind::Snowflake => "Snowflake",
            DestinationKind::Iceberg => "Iceberg",
        }
    }

    /// The prefix of this kind's delivery metrics: `DeliveryToS3`, `DeliveryToHttpEndpoint`,
    /// `DeliveryToAmazonOpenSearchService`, ... (AWS/Firehose).
    pub fn metric_prefix(self) -> &'static str {
        match self {
            DestinationKind::S3 => "DeliveryToS3",
            DestinationKind::HttpEndpoint => "DeliveryToHttpEndpoint",
            DestinationKind::OpenSearch => "DeliveryToAmazonOpenSearchService",
            DestinationKind::OpenSearchServerless => "DeliveryToAmazonOpenSearchServerless",
            DestinationKind::Elasticsearch => "DeliveryToElasticsearch",
            DestinationKind::Redshift => "DeliveryToRedshift",
            DestinationKind::Splunk => "DeliveryToSplunk",
            DestinationKind::Snowflake => "DeliveryToSnowflake",
            DestinationKind::Iceberg => "DeliveryToIceberg",
        }
    }
}

/// A destination delivered over its own protocol (not S3), with the S3 bucket Firehose backs up
/// to (failed data only, or all data) or, for Redshift, stages in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDestination {
    /// Which kind of destination this is.
    pub kind: DestinationKind,
    /// Where it delivers: the endpoint URL, domain / collection ARN or endpoint, cluster JDBC
    /// URL, Splunk HEC endpoint, Snowflake account URL, or Glue catalog ARN.
    pub endpoint: String,
    /// A display name the configuration gives the endpoint (HTTP endpoint `Name`, e.g.
    /// "Datadog"), when there is one.
    pub endpoint_name: Option<String>,
    /// The delivery role, when the destination has one (Splunk has none of its own).
    pub role_arn: Option<String>,
    /// Buffer interval in seconds, when the destination reports one.
    pub buffering_seconds: Option<u32>,
    /// `S3BackupMode` as AWS spells it: "FailedDataOnly", "AllData", "FailedEventsOnly",
    /// "AllEvents", "FailedDocumentsOnly", "AllDocuments", "Disabled", "Enabled".
    pub backup_mode: Option<String>,
    /// The S3 configuration used for backup (or Redshift's staging bucket).
    pub backup: Option<S3Destination>,
    /// The CloudWatch Logs group for delivery errors (`CloudWatchLoggingOptions`), only when
    /// logging is enabled.
    pub log_group: Option<String>,
    /// The CloudWatch Logs stream for delivery errors (`CloudWatchLoggingOptions`), only when
    /// logging is enabled.
    pub log_stream: Option<String>,
}

/// Where a stream delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Destination {
    /// Amazon S3 (extended or plain S3 destination).
    S3(Box<S3Destination>),
    /// HTTP endpoint, OpenSearch, Redshift, Splunk, Snowflake, Iceberg.
    Service(Box<ServiceDestination>),
    /// No destination described, or one this version of fhtop does not know (the AWS name):
    /// never evaluated, so never reported healthy.
    Unknown(String),
}

/// Where a stream's records come from (`DeliveryStreamType` and its source description).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Source {
    /// Producers call PutRecord / PutRecordBatch (EventBridge, SDKs).
    DirectPut,
    /// Firehose reads a Kinesis data stream with `role_arn`.
    KinesisStream {
        /// The Kinesis data stream ARN (`KinesisStreamARN`).
        stream_arn: String,
        /// The role Firehose assumes to read the stream (`RoleARN`).
        role_arn: Option<String>,
    },
    /// Firehose reads a topic of an Amazon MSK cluster.
    Msk {
        /// The MSK cluster ARN (`MSKClusterARN`).
        cluster_arn: String,
        /// The topic read (`TopicName`; empty when not reported).
        topic: String,
        /// The role Firehose assumes to read the cluster (`AuthenticationConfiguration.RoleARN`).
        role_arn: Option<String>,
    },
    /// A source type this version of fhtop does not know (the AWS name).
    Other(String),
}

impl Source {
    /// `DeliveryStreamType` as AWS spells it.
    pub fn type_name(&self) -> &str {
        match self {
            Source::DirectPut => "DirectPut",
            Source::KinesisStream { .. } => "KinesisStreamAsSource",
            Source::Msk { .. } => "MSKAsSource",
            Source::Other(s) => s,
        }
    }
    /// The Kinesis data stream read, when that is the source.
    pub fn kinesis_stream_arn(&self) -> Option<&str> {
        match self {
            Source::KinesisStream { stream_arn, .. } => Some(stream_arn),
            _ => None,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::KinesisStream { stream_arn, .. } => write!(
                f,
                "Kinesis stream {}",
                super::arn::resource_name(stream_arn).unwrap_or(stream_arn)
            ),
            Source::Msk {
                cluster_arn, topic, ..
            } => write!(
                f,
                "MSK {} topic {topic}",
                super::arn::resource_name(cluster_arn).unwrap_or(cluster_arn)
            ),
            other => f.write_str(other.type_name()),
        }
    }
}

/// One record processor of the stream's ProcessingConfiguration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Processor {
    /// `Type` as AWS spells it: "Lambda", "MetadataExtraction", "AppendDelimiterToRecord",
    /// "RecordDeAggregation", ...
    pub kind: String,
    /// The function a "Lambda" processor invokes (`LambdaArn` parameter).
    pub lambda_arn: Option<String>,
}

/// A Firehose delivery stream, as DescribeDeliveryStream describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    /// The delivery stream name (`DeliveryStreamName`).
    pub name: String,
    /// The delivery stream ARN (`DeliveryStreamARN`).
    pub arn: String,
    /// `DeliveryStreamStatus` as DescribeDeliveryStream returns it: "ACTIVE", "CREATING",
    /// "CREATING_FAILED", "DELETING", ...
    pub status: String,
    /// Where records come from (`DeliveryStreamType` and its source description).
    pub source: Source,
    /// When the stream was created (`CreateTimestamp`), when reported.
    pub created: Option<DateTime<Utc>>,
    /// Why the stream (or its server-side encryption) failed, as "`TYPE`: details"
    /// (`FailureDescription`), when it has.
    pub failure: Option<String>,
    /// Server-side encryption: the `KeyType` and status, e.g. "AWS_OWNED_CMK (ENABLED)"; `None`
    /// when not configured.
    pub encryption: Option<String>,
    /// Where the stream delivers (the first destination described).
    pub destination: Destination,
    /// Record processors (Lambda transformation, metadata extraction, ...), in order.
    pub processors: Vec<Processor>,
    /// Record format conversion (JSON → Parquet/ORC) is enabled.
    pub format_conversion: bool,
    /// When its configuration last changed (`LastUpdateTimestamp`), when reported.
    #[serde(default)]
    pub last_update: Option<DateTime<Utc>>,
    /// `VersionId`: "1" when created, one more for every configuration change.
    #[serde(default)]
    pub version_id: Option<String>,
}

impl Stream {
    /// The S3 destination, when S3 is where the stream delivers.
    pub fn s3(&self) -> Option<&S3Destination> {
        match &self.destination {
            Destination::S3(d) => Some(d),
            _ => None,
        }
    }
    /// The non-S3 destination, when that is where the stream delivers.
    pub fn service(&self) -> Option<&ServiceDestination> {
        match &self.destination {
            Destination::Service(d) => Some(d),
            _ => None,
        }
    }
    /// The kind of destination, `None` when fhtop does not know it.
    pub fn destination_kind(&self) -> Option<DestinationKind> {
        match &self.destination {
            Destination::S3(_) => Some(DestinationKind::S3),
            Destination::Service(d) => Some(d.kind),
            Destination::Unknown(_) => None,
        }
    }
    /// The delivery role of the destination.
    pub fn delivery_role(&self) -> Option<&str> {
        match &self.destination {
            Destination::S3(d) => Some(&d.role_arn),
            Destination::Service(d) => d
                .role_arn
                .as_deref()
                .or(d.backup.as_ref().map(|b| b.role_arn.as_str())),
            Destination::Unknown(_) => None,
        }
    }
    /// The S3 configuration records land in: the destination itself, or the backup / staging
    /// bucket of a service destination.
    pub fn bucket(&self) -> Option<&S3Destination> {
        match &self.destination {
            Destination::S3(d) => Some(d),
            Destination::Service(d) => d.backup.as_ref(),
            Destination::Unknown(_) => None,
        }
    }
    /// Buffer interval in seconds of the destination (what freshness is compared with).
    pub fn buffering_seconds(&self) -> Option<u32> {
        match &self.destination {
            Destination::S3(d) => Some(d.buffering_seconds),
            Destination::Service(d) => d.buffering_seconds,
            Destination::Unknown(_) => None,
        }
    }
    /// Whether the S3 destination has dynamic partitioning enabled (false for other destinations).
    pub fn dynamic_partitioning_enabled(&self) -> bool {
        self.s3()
            .and_then(|d| d.dynamic_partitioning.as_ref())
            .is_some_and(|p| p.enabled)
    }
    /// The destination's CloudWatch Logs error log group (CloudWatchLoggingOptions).
    pub fn log_group(&self) -> Option<&str> {
        match &self.destination {
            Destination::S3(d) => d.log_group.as_deref(),
            Destination::Service(d) => d
                .log_group
                .as_deref()
                .or(d.backup.as_ref().and_then(|b| b.log_group.as_deref())),
            Destination::Unknown(_) => None,
        }
    }
    /// The Lambda functions the stream invokes to transform records.
    pub fn lambda_arns(&self) -> Vec<&str> {
        self.processors
            .iter()
            .filter_map(|p| p.lambda_arn.as_deref())
            .collect()
    }
}

/// A part of the inventory the backend could not read or decode: shown as an error row, while
/// every other part is shown and checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryError {
    /// What failed to load: "stream" (DescribeDeliveryStream), "rule" (ListTargetsByRule),
    /// "bus" (ListRules on that bus), "streams" (ListDeliveryStreams), "buses"
    /// (ListEventBuses; the default bus is still read) or "metrics" (the walk's ListMetrics:
    /// not a row, it hides nothing; a denial turns a feature off in the header).
    pub kind: &'static str,
    /// The stream name, `bus/rule` for a rule, the bus name for a bus, a description of the
    /// listing for "streams" / "buses".
    pub name: String,
    /// The error message from the backend (untrusted: sanitize before display).
    pub message: String,
    /// The IAM action fhtop's role lacks, when the call was denied (e.g. "events:ListRules").
    pub missing_permission: Option<&'static str>,
    /// Not a failure: listed, and not described yet ("stream": DescribeDeliveryStream pending;
    /// "rule": ListTargetsByRule pending) while the progressive walk (`crate::fresh::walk`) fills the
    /// rows in. Undecided, never OK and never a failure.
    #[serde(skip)]
    pub loading: bool,
    /// For a stream not described (not yet, or its describe failed): what its recently active
    /// metrics report (ListMetrics), so its triage metrics are fetched without its
    /// configuration; `None` until ListMetrics answered (or when it could not be read).
    #[serde(skip)]
    pub reported: Option<super::metrics::Reported>,
}

impl InventoryError {
    /// An error row of `kind` for `name` from the backend's error.
    pub fn new(kind: &'static str, name: &str, e: &crate::backend::BackendError) -> Self {
        Self {
            kind,
            name: name.to_string(),
            message: e.message.clone(),
            missing_permission: e.missing_permission(),
            loading: false,
            reported: None,
        }
    }

    /// A row listed and not described yet: a stream (`kind` "stream") waiting for
    /// DescribeDeliveryStream, or a rule (`kind` "rule", `name` "bus/rule") waiting for
    /// ListTargetsByRule.
    pub fn loading(kind: &'static str, name: &str) -> Self {
        Self {
            kind,
            name: name.to_string(),
            message: match kind {
                "rule" => "listed; its targets are being read (ListTargetsByRule)".into(),
                _ => "listed; its configuration is being read (DescribeDeliveryStream)".into(),
            },
            missing_permission: None,
            loading: true,
            reported: None,
        }
    }

    /// The stream's row while it is not described, with what its metrics report.
    pub fn with_reported(mut self, reported: Option<super::metrics::Reported>) -> Self {
        self.reported = reported;
        self
    }

    /// Whether the rules of this error are unknown: a bus or the bus list could not be read, or
    /// this rule's targets.
    pub fn hides_rules(&self) -> bool {
        matches!(self.kind, "rule" | "bus" | "buses")
    }

    /// Whether delivery streams are unknown: this one could not be described, or none could
    /// be listed.
    pub fn hides_streams(&self) -> bool {
        matches!(self.kind, "stream" | "streams")
    }

    /// What could not be read, for a row: the stream or `bus/rule`, `"bus <name> (its rules)"`,
    /// "delivery streams", "event buses".
    pub fn label(&self) -> String {
        match self.kind {
            "bus" => format!("bus {} (its rules)", self.name),
            _ => self.name.clone(),
        }
    }

    /// What failed, in a few words: "could not describe", "could not list targets", "could not
    /// list rules", "could not list streams", "could not list buses".
    pub fn what_failed(&self) -> &'static str {
        if self.loading {
            return "not read yet";
        }
        match self.kind {
            "stream" => "could not describe",
            "rule" => "could not list targets",
            "bus" => "could not list rules",
            "streams" => "could not list streams",
            "metrics" => "could not list metrics",
            _ => "could not list buses",
        }
    }

    /// Whether the error is about one resource that could not be described (a failure fhtop
    /// saw), rather than a listing that hides an unknown number of them (nothing known).
    pub fn is_one_resource(&self) -> bool {
        !self.loading && matches!(self.kind, "stream" | "rule")
    }

    /// The message, with the permission to add when the call was denied.
    pub fn explained(&self) -> String {
        crate::backend::explain_denied(&self.message, self.missing_permission)
    }
}

/// Everything fhtop found in the account and region: buses, rules, delivery streams, and what
/// failed to load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Every event bus (ListEventBuses).
    pub buses: Vec<Bus>,
    /// Every rule on every bus, with its targets.
    pub rules: Vec<Rule>,
    /// Every delivery stream described, sorted by name.
    pub streams: Vec<Stream>,
    /// Streams and rules that could not be described: shown as error rows. Not kept in the
    /// cache (`crate::fresh::cache`): a gap is re-read, never remembered.
    #[serde(skip_deserializing)]
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
    /// The Kinesis data stream between the rule and the delivery stream (its name), when the
    /// rule targets the stream the delivery stream reads.
    pub via: Option<String>,
}

impl Inventory {
    /// Every stream and rule as a metrics scope, streams first: the described streams, the
    /// streams not described whose metrics report something ([`Inventory::reported`]), the
    /// rules.
    pub fn scopes(&self) -> Vec<super::metrics::Scope> {
        self.streams
            .iter()
            .map(|s| super::metrics::Scope::Stream(s.name.clone()))
            .chain(
                self.reported()
                    .filter(|(_, r)| !r.is_empty())
                    .map(|(n, _)| super::metrics::Scope::Stream(n.to_string())),
            )
            .chain(
                self.rules
                    .iter()
                    .map(|r| super::metrics::Scope::Rule(r.key())),
            )
            .collect()
    }

    /// The streams listed and not described (not yet, or their describe failed) whose metrics
    /// report what they are ([`super::metrics::Reported`]): their names and reports.
    pub fn reported(&self) -> impl Iterator<Item = (&str, &super::metrics::Reported)> {
        self.errors.iter().filter_map(|e| {
            let r = e.reported.as_ref().filter(|_| e.kind == "stream")?;
            Some((e.name.as_str(), r))
        })
    }

    /// The delivery stream with this name, if it is in the inventory: a binary search over
    /// the streams (kept sorted by name; `store::InventoryView::new` sorts them), with a
    /// linear search behind it so that an unsorted list still answers right.
    pub fn stream(&self, name: &str) -> Option<&Stream> {
        match self.streams.binary_search_by(|s| s.name.as_str().cmp(name)) {
            Ok(i) => self.streams.get(i),
            Err(_) => self.streams.iter().find(|s| s.name == name),
        }
    }
    /// The rule with this bus and name, if it is in the inventory.
    pub fn rule(&self, key: &RuleKey) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.bus == key.bus && r.name == key.name)
    }
    /// Why the stream `name` is not in the inventory although it may exist: it could not be
    /// described, or delivery streams could not be listed at all. `None` when the streams were
    /// listed and it is not among them (it does not exist).
    pub fn unread_stream(&self, name: &str) -> Option<&InventoryError> {
        self.errors
            .iter()
            .find(|e| e.kind == "stream" && e.name == name)
            .or_else(|| self.errors.iter().find(|e| e.kind == "streams"))
    }
    /// Why the rule's targets are not known although it is listed: they are being read, or
    /// ListTargetsByRule failed (its "rule" row). `None` when they were read.
    pub fn unread_rule(&self, key: &RuleKey) -> Option<&InventoryError> {
        let name = key.to_string();
        self.errors
            .iter()
            .find(|e| e.kind == "rule" && e.name == name)
    }
    /// What the progressive walk is still reading: (streams not described yet, streams
    /// listed; rules whose targets are not read yet, rules listed).
    pub fn reading(&self) -> ((usize, usize), (usize, usize)) {
        let loading = |kind: &str| {
            self.errors
                .iter()
                .filter(|e| e.loading && e.kind == kind)
                .count()
        };
        let (s, r) = (loading("stream"), loading("rule"));
        ((s, self.streams.len() + s), (r, self.rules.len()))
    }
    /// Rules with a target on this stream, or on the Kinesis data stream it reads.
    pub fn rules_feeding(&self, stream: &str) -> Vec<&Rule> {
        let source = self
            .stream(stream)
            .and_then(|s| s.source.kinesis_stream_arn());
        self.rules
            .iter()
            .filter(|r| {
                r.targets.iter().any(|t| {
                    t.firehose_stream_name() == Some(stream) || Some(t.arn.as_str()) == source
                })
            })
            .collect()
    }
    /// The delivery streams reading this Kinesis data stream (by ARN).
    pub fn streams_reading(&self, kinesis_arn: &str) -> Vec<&Stream> {
        self.streams
            .iter()
            .filter(|s| s.source.kinesis_stream_arn() == Some(kinesis_arn))
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
                        via: None,
                    });
                } else if let Some(kinesis) = kinesis_name_from_arn(&t.arn) {
                    // rule → Kinesis data stream → every delivery stream reading it.
                    for (si, s) in self.streams.iter().enumerate() {
                        if s.source.kinesis_stream_arn() == Some(t.arn.as_str()) {
                            fed[si] = true;
                            links.push(PipelineLink {
                                rule: Some(ri),
                                stream: Some(si),
                                stream_name: s.name.clone(),
                                via: Some(kinesis.to_string()),
                            });
                        }
                    }
                }
            }
        }
        let mut orphans: Vec<usize> = (0..self.streams.len()).filter(|&i| !fed[i]).collect();
        orphans.sort_by(|&a, &b| self.streams[a].name.cmp(&self.streams[b].name));
        links.extend(orphans.into_iter().map(|si| PipelineLink {
            rule: None,
            stream: Some(si),
            stream_name: self.streams[si].name.clone(),
            via: None,
        }));
        links
    }
}
