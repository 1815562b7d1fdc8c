//! The Firehose side: a delivery stream, its source, processors and destination.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
