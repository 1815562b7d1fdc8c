//! Where a stream's failed records are: its error output (bucket, evaluated prefix) and the
//! objects a listing found there.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::prefix::Template;
use crate::model::{DestinationKind, Stream, bucket_from_arn};

/// One object of a listing (ListObjectsV2 `Contents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectInfo {
    /// The object key (untrusted text).
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was written (`LastModified`).
    pub last_modified: Option<DateTime<Utc>>,
    /// Its `ETag` as S3 lists it (quotes included): which version of the key this is. A
    /// recovery reads the object only while it still has this tag (GetObject `If-Match`).
    pub etag: Option<String>,
}

/// One page of ListObjectsV2: its objects and the token of the next page, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectPage {
    /// The objects of this page, in key order.
    pub objects: Vec<ObjectInfo>,
    /// `NextContinuationToken`, when the listing goes on.
    pub next: Option<String>,
}

/// Where a stream's failed records are written: the bucket, the `ErrorOutputPrefix` template
/// (or the default one), and the error output types its destination can produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorOutput {
    /// The bucket name.
    pub bucket: String,
    /// The `ErrorOutputPrefix` as configured, `None` when unset (the default is listed).
    pub configured: Option<String>,
    /// What is evaluated: the configured prefix, or the default
    /// `<Prefix>[/]!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/`.
    pub template: Template,
    /// The values of `!{firehose:error-output-type}` for this stream, most likely first.
    pub error_types: Vec<&'static str>,
    /// The stream's `CustomTimeZone` for prefixes, when set (Firehose evaluates timestamps in
    /// it; UTC otherwise).
    pub time_zone: Option<String>,
}

impl ErrorOutput {
    /// The failed-record output of `stream`: its S3 destination's, or for a service
    /// destination its S3 backup's. `None` when it has no S3 configuration fhtop knows.
    ///
    /// Error output types (Developer Guide, "Custom prefixes", the `firehose` namespace, and
    /// the destinations' `S3BackupMode`): `processing-failed` (Lambda transformation) for
    /// every destination; `format-conversion-failed` (record format conversion) and
    /// `partitioning-failed` (dynamic partitioning: the key in the stream's error output,
    /// as AWS CDK's integration test of dynamic partitioning lists it) for S3;
    /// `AmazonOpenSearchService-failed`, `elasticsearch-failed`, `splunk-failed`,
    /// `http-endpoint-failed` for those destinations. Where a prefix puts the type last, the
    /// listing stops before it and finds any type, known here or not.
    pub fn of(stream: &Stream) -> Option<Self> {
        let s3 = stream.bucket()?;
        let kind = stream.destination_kind()?;
        let mut error_types: Vec<&'static str> = match kind {
            DestinationKind::S3 => {
                let mut t = Vec::new();
                if stream.dynamic_partitioning_enabled() {
                    t.push("partitioning-failed");
                }
                if stream.format_conversion {
                    t.push("format-conversion-failed");
                }
                t
            }
            DestinationKind::OpenSearch | DestinationKind::OpenSearchServerless => {
                vec!["AmazonOpenSearchService-failed"]
            }
            DestinationKind::Elasticsearch => vec!["elasticsearch-failed"],
            DestinationKind::Splunk => vec!["splunk-failed"],
            DestinationKind::HttpEndpoint => vec!["http-endpoint-failed"],
            _ => Vec::new(),
        };
        error_types.push("processing-failed");
        let configured = s3.error_output_prefix.clone().filter(|p| !p.is_empty());
        let template = match &configured {
            Some(p) => Template::parse(p),
            None => {
                let mut head = s3.prefix.clone().unwrap_or_default();
                if !head.is_empty() && !head.ends_with('/') {
                    head.push('/');
                }
                Template::parse(&format!(
                    "{head}!{{firehose:error-output-type}}/!{{timestamp:yyyy/MM/dd/HH}}/"
                ))
            }
        };
        Some(Self {
            bucket: bucket_from_arn(&s3.bucket_arn).to_string(),
            configured,
            template,
            error_types,
            time_zone: s3.custom_time_zone.clone(),
        })
    }

    /// The prefixes to list for the hours from `to` back to `from` (both instants), newest
    /// hour first: per hour, the prefixes not listed for a newer hour (a day-granular prefix
    /// appears once, with the newest hour it covers; hours that add nothing are left out).
    pub fn prefixes_by_hour(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Vec<String>> {
        use chrono::{DurationRound, TimeDelta};
        let hour = TimeDelta::hours(1);
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        let Ok(mut h) = to.duration_trunc(hour) else {
            return out;
        };
        let first = from.duration_trunc(hour).unwrap_or(from);
        while h >= first {
            let mut new = Vec::new();
            for p in self.template.hour_prefixes(h, &self.error_types) {
                if !seen.contains(&p) {
                    seen.push(p.clone());
                    new.push(p);
                }
            }
            if !new.is_empty() {
                out.push(new);
            }
            h -= hour;
        }
        out
    }
}
