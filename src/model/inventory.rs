//! What exists: buses, rules and their targets, delivery streams and their destinations,
//! and how they link into pipelines.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::arn::{firehose_name_from_arn, kinesis_name_from_arn};

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

/// The kinds of destination Firehose delivers to, each with its own `DeliveryTo<Kind>.*`
/// metrics in AWS/Firehose.
///
/// AWS: "Monitoring Amazon Data Firehose with CloudWatch metrics" (Delivery metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum DestinationKind {
    S3,
    HttpEndpoint,
    OpenSearch,
    OpenSearchServerless,
    Elasticsearch,
    Redshift,
    Splunk,
    Snowflake,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceDestination {
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
    pub log_group: Option<String>,
    pub log_stream: Option<String>,
}

/// Where a stream delivers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Destination {
    S3(Box<S3Destination>),
    /// HTTP endpoint, OpenSearch, Redshift, Splunk, Snowflake, Iceberg.
    Service(Box<ServiceDestination>),
    /// No destination described, or one this version of fhtop does not know (the AWS name):
    /// never evaluated, so never reported healthy.
    Unknown(String),
}

/// Where a stream's records come from (`DeliveryStreamType` and its source description).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Source {
    /// Producers call PutRecord / PutRecordBatch (EventBridge, SDKs).
    DirectPut,
    /// Firehose reads a Kinesis data stream with `role_arn`.
    KinesisStream {
        stream_arn: String,
        role_arn: Option<String>,
    },
    /// Firehose reads a topic of an Amazon MSK cluster.
    Msk {
        cluster_arn: String,
        topic: String,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Processor {
    /// `Type` as AWS spells it: "Lambda", "MetadataExtraction", "AppendDelimiterToRecord",
    /// "RecordDeAggregation", ...
    pub kind: String,
    /// The function a "Lambda" processor invokes (`LambdaArn` parameter).
    pub lambda_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stream {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub source: Source,
    pub created: Option<DateTime<Utc>>,
    pub failure: Option<String>,
    pub encryption: Option<String>,
    pub destination: Destination,
    /// Record processors (Lambda transformation, metadata extraction, ...), in order.
    pub processors: Vec<Processor>,
    /// Record format conversion (JSON → Parquet/ORC) is enabled.
    pub format_conversion: bool,
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
    /// The Kinesis data stream between the rule and the delivery stream (its name), when the
    /// rule targets the stream the delivery stream reads.
    pub via: Option<String>,
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
