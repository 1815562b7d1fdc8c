//! Delivery streams: ListDeliveryStreams (paginated), then DescribeDeliveryStream for each, a
//! few at a time and paced under the Firehose control-plane limit. A stream that cannot be
//! described or decoded becomes an error row; it never blanks the others.

use aws_sdk_firehose::Client;
use aws_sdk_firehose::types::{
    CompressionFormat, DeliveryStreamDescription, DeliveryStreamType, ProcessingConfiguration,
    ProcessorParameterName, ProcessorType,
};
use futures_util::stream::{self, StreamExt};

use super::stats::ApiStats;
use super::{Pace, classify, to_chrono};
use crate::backend::Op;
use crate::backend::{BResult, ErrorKind};
use crate::model::{
    Destination, DestinationKind, DynamicPartitioning, InventoryError, Processor, S3Destination,
    ServiceDestination, Source, Stream,
};

/// Describes in flight at once (the pace still bounds the rate).
const CONCURRENCY: usize = 4;

/// Every stream described: `(list pace, describe pace)`, each its own quota.
pub(super) async fn streams(
    c: &Client,
    stats: &ApiStats,
    (list_pace, pace): (&Pace, &Pace),
) -> BResult<(Vec<Stream>, Vec<InventoryError>)> {
    let mut errors = Vec::new();
    let names = match list_names(c, stats, list_pace, None).await {
        Ok(n) => n,
        Err(e) if e.is_account_wide() => return Err(e),
        // Streams cannot be listed (e.g. firehose:ListDeliveryStreams denied): an error row,
        // and the rules are still shown.
        Err(e) => {
            errors.push(InventoryError::new("streams", "delivery streams", &e));
            Vec::new()
        }
    };
    let results: Vec<(String, BResult<Stream>)> = describe_all(c, stats, pace, names).await;
    let mut streams = Vec::new();
    for (name, r) in results {
        match r {
            Ok(s) => streams.push(s),
            // The account as a whole is unreachable: the inventory is stale, not a list of
            // error rows.
            Err(e) if e.is_account_wide() => return Err(e),
            Err(e) => errors.push(InventoryError::new("stream", &name, &e)),
        }
    }
    streams.sort_by(|a, b| a.name.cmp(&b.name));
    errors.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((streams, errors))
}

/// The most names one ListDeliveryStreams call may ask for (its `Limit`: 1 to 10,000; Amazon
/// Data Firehose API Reference, ListDeliveryStreams). At the control plane's 5 calls a second,
/// pages of 100 would take 10 s to name 5,000 streams; one page of up to 10,000 takes one call.
const LIST_LIMIT: i32 = 10_000;

/// Every delivery stream name (ListDeliveryStreams, every page); of one `DeliveryStreamType`
/// only when `of_type` is given (ListDeliveryStreams' own filter).
pub(super) async fn list_names(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    of_type: Option<DeliveryStreamType>,
) -> BResult<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    loop {
        pace.wait().await;
        stats.call(Op::ListDeliveryStreams);
        let mut req = c
            .list_delivery_streams()
            .limit(LIST_LIMIT)
            .set_delivery_stream_type(of_type.clone());
        if let Some(last) = names.last() {
            req = req.exclusive_start_delivery_stream_name(last);
        }
        let out = req
            .send()
            .await
            .map_err(|e| classify(Op::ListDeliveryStreams, e))?;
        let page = out.delivery_stream_names();
        names.extend(page.iter().cloned());
        if !out.has_more_delivery_streams() || page.is_empty() {
            return Ok(names);
        }
    }
}

/// DescribeDeliveryStream for each name, a few at a time under the pace.
async fn describe_all(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    names: Vec<String>,
) -> Vec<(String, BResult<Stream>)> {
    stream::iter(names)
        .map(|name| async move {
            let r = describe(c, stats, pace, &name).await;
            (name, r)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

/// One DescribeDeliveryStream, under the pace.
pub(super) async fn describe(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    name: &str,
) -> BResult<Stream> {
    pace.wait().await;
    stats.call(Op::DescribeDeliveryStream);
    c.describe_delivery_stream()
        .delivery_stream_name(name)
        .send()
        .await
        .map_err(|e| classify(Op::DescribeDeliveryStream, e))
        .and_then(|out| {
            out.delivery_stream_description()
                .map(to_stream)
                .ok_or_else(|| {
                    crate::backend::BackendError::new(ErrorKind::Other, "empty description")
                        .during(Op::DescribeDeliveryStream)
                })
        })
}

fn to_stream(d: &DeliveryStreamDescription) -> Stream {
    let enc = d.delivery_stream_encryption_configuration();
    let mut failure = d
        .failure_description()
        .map(|f| format!("{}: {}", f.r#type().as_str(), f.details()));
    if failure.is_none() {
        failure = enc
            .and_then(|e| e.failure_description())
            .map(|f| format!("encryption {}: {}", f.r#type().as_str(), f.details()));
    }
    let encryption = enc.and_then(|e| {
        e.key_type().map(|k| {
            format!(
                "{}{}",
                k.as_str(),
                e.status()
                    .map(|s| format!(" ({})", s.as_str()))
                    .unwrap_or_default()
            )
        })
    });
    let (destination, processors, format_conversion) = destination(d);
    Stream {
        name: d.delivery_stream_name().to_string(),
        arn: d.delivery_stream_arn().to_string(),
        status: d.delivery_stream_status().as_str().to_string(),
        source: source(d),
        created: d.create_timestamp().and_then(to_chrono),
        failure,
        encryption,
        destination,
        processors,
        format_conversion,
        last_update: d.last_update_timestamp().and_then(to_chrono),
        version_id: Some(d.version_id().to_string()).filter(|v| !v.is_empty()),
    }
}

/// DeliveryStreamType and its source description.
fn source(d: &DeliveryStreamDescription) -> Source {
    let src = d.source();
    match d.delivery_stream_type() {
        DeliveryStreamType::DirectPut => Source::DirectPut,
        DeliveryStreamType::KinesisStreamAsSource => {
            let k = src.and_then(|s| s.kinesis_stream_source_description());
            match k.and_then(|k| k.kinesis_stream_arn()) {
                Some(arn) => Source::KinesisStream {
                    stream_arn: arn.to_string(),
                    role_arn: k.and_then(|k| k.role_arn()).map(str::to_string),
                },
                None => Source::Other("KinesisStreamAsSource (no source description)".into()),
            }
        }
        DeliveryStreamType::MskAsSource => {
            let m = src.and_then(|s| s.msk_source_description());
            match m.and_then(|m| m.msk_cluster_arn()) {
                Some(arn) => Source::Msk {
                    cluster_arn: arn.to_string(),
                    topic: m.and_then(|m| m.topic_name()).unwrap_or("").to_string(),
                    role_arn: m
                        .and_then(|m| m.authentication_configuration())
                        .map(|a| a.role_arn().to_string()),
                },
                None => Source::Other("MSKAsSource (no source description)".into()),
            }
        }
        other => Source::Other(other.as_str().to_string()),
    }
}

/// The processors of a ProcessingConfiguration (only when it is enabled).
fn processors(p: Option<&ProcessingConfiguration>) -> Vec<Processor> {
    let Some(p) = p.filter(|p| p.enabled() != Some(false)) else {
        return Vec::new();
    };
    p.processors()
        .iter()
        .map(|pr| Processor {
            kind: pr.r#type().as_str().to_string(),
            lambda_arn: pr
                .parameters()
                .iter()
                .find(|pa| *pa.parameter_name() == ProcessorParameterName::LambdaArn)
                .map(|pa| pa.parameter_value().to_string()),
        })
        .collect()
}

/// What `ExtendedS3DestinationDescription` and `S3DestinationDescription` share (same accessor
/// names, different types).
macro_rules! s3_base {
    ($x:expr) => {{
        let x = $x;
        let logging = x
            .cloud_watch_logging_options()
            .filter(|l| l.enabled() == Some(true));
        let hints = x.buffering_hints();
        S3Destination {
            bucket_arn: x.bucket_arn().to_string(),
            prefix: x.prefix().map(str::to_string),
            error_output_prefix: x.error_output_prefix().map(str::to_string),
            role_arn: x.role_arn().to_string(),
            buffering_mb: hints.and_then(|b| b.size_in_mbs()).unwrap_or(5) as u32,
            buffering_seconds: hints.and_then(|b| b.interval_in_seconds()).unwrap_or(300) as u32,
            compression: compression(x.compression_format()),
            kms_key_arn: x
                .encryption_configuration()
                .and_then(|e| e.kms_encryption_config())
                .map(|k| k.awskms_key_arn().to_string()),
            dynamic_partitioning: None,
            custom_time_zone: None,
            log_group: logging.and_then(|l| l.log_group_name()).map(str::to_string),
            log_stream: logging
                .and_then(|l| l.log_stream_name())
                .map(str::to_string),
        }
    }};
}

/// The SDK fills a required field the server left out with "unknown"; say so.
fn compression(c: &CompressionFormat) -> String {
    if CompressionFormat::values().contains(&c.as_str()) {
        c.as_str().to_string()
    } else {
        "(not reported)".to_string()
    }
}

/// The parts of a non-S3 destination description every kind has (same accessor names,
/// different types): logging, processing, the S3 backup configuration and its mode.
macro_rules! service {
    ($x:expr, $kind:expr, $endpoint:expr, $name:expr, $role:expr) => {{
        let x = $x;
        let logging = x
            .cloud_watch_logging_options()
            .filter(|l| l.enabled() == Some(true));
        ServiceDestination {
            kind: $kind,
            endpoint: $endpoint,
            endpoint_name: $name,
            role_arn: $role,
            buffering_seconds: None,
            backup_mode: x.s3_backup_mode().map(|m| m.as_str().to_string()),
            backup: x.s3_destination_description().map(|b| s3_base!(b)),
            log_group: logging.and_then(|l| l.log_group_name()).map(str::to_string),
            log_stream: logging
                .and_then(|l| l.log_stream_name())
                .map(str::to_string),
        }
    }};
}

/// A destination whose buffering hints carry its interval: the description, its buffer
/// interval and its processors.
macro_rules! buffered {
    ($x:expr, $kind:expr, $endpoint:expr, $name:expr, $role:expr) => {{
        let x = $x;
        let mut s = service!(x, $kind, $endpoint, $name, $role);
        s.buffering_seconds = interval(x.buffering_hints().and_then(|b| b.interval_in_seconds()));
        (s, processors(x.processing_configuration()))
    }};
}

fn interval(s: Option<i32>) -> Option<u32> {
    s.and_then(|v| u32::try_from(v).ok())
}

/// The destination, its processors, and whether record format conversion is on.
fn destination(d: &DeliveryStreamDescription) -> (Destination, Vec<Processor>, bool) {
    use DestinationKind as K;
    let Some(dest) = d.destinations().first() else {
        return (Destination::Unknown("none described".into()), vec![], false);
    };
    if let Some(x) = dest.extended_s3_destination_description() {
        let jq = x.processing_configuration().and_then(|p| {
            p.processors()
                .iter()
                .filter(|pr| *pr.r#type() == ProcessorType::MetadataExtraction)
                .flat_map(|pr| pr.parameters())
                .find(|pa| *pa.parameter_name() == ProcessorParameterName::MetadataExtractionQuery)
                .map(|pa| pa.parameter_value().to_string())
        });
        let mut s3 = s3_base!(x);
        s3.custom_time_zone = x
            .custom_time_zone()
            .filter(|z| !z.is_empty())
            .map(str::to_string);
        s3.dynamic_partitioning =
            x.dynamic_partitioning_configuration()
                .map(|p| DynamicPartitioning {
                    enabled: p.enabled().unwrap_or(false),
                    jq_query: jq,
                    retry_seconds: p
                        .retry_options()
                        .and_then(|r| r.duration_in_seconds())
                        .map(|s| s as u32),
                });
        let conversion = x
            .data_format_conversion_configuration()
            .is_some_and(|c| c.enabled() != Some(false));
        return (
            Destination::S3(Box::new(s3)),
            processors(x.processing_configuration()),
            conversion,
        );
    }
    if let Some(x) = dest.s3_destination_description() {
        return (Destination::S3(Box::new(s3_base!(x))), vec![], false);
    }
    let (svc, procs) = if let Some(x) = dest.http_endpoint_destination_description() {
        let ep = x.endpoint_configuration();
        buffered!(
            x,
            K::HttpEndpoint,
            ep.and_then(|e| e.url()).unwrap_or("").to_string(),
            ep.and_then(|e| e.name()).map(str::to_string),
            x.role_arn().map(str::to_string)
        )
    } else if let Some(x) = dest.redshift_destination_description() {
        let mut s = service!(
            x,
            K::Redshift,
            x.cluster_jdbcurl().to_string(),
            None,
            Some(x.role_arn().to_string())
        );
        // Redshift stages in its S3 configuration; the backup is a second bucket.
        s.buffering_seconds = s.backup.as_ref().map(|b| b.buffering_seconds);
        (s, processors(x.processing_configuration()))
    } else if let Some(x) = dest.amazonopensearchservice_destination_description() {
        buffered!(
            x,
            K::OpenSearch,
            x.domain_arn()
                .or(x.cluster_endpoint())
                .unwrap_or("")
                .to_string(),
            x.index_name().map(str::to_string),
            x.role_arn().map(str::to_string)
        )
    } else if let Some(x) = dest.amazon_open_search_serverless_destination_description() {
        buffered!(
            x,
            K::OpenSearchServerless,
            x.collection_endpoint().unwrap_or("").to_string(),
            x.index_name().map(str::to_string),
            x.role_arn().map(str::to_string)
        )
    } else if let Some(x) = dest.elasticsearch_destination_description() {
        buffered!(
            x,
            K::Elasticsearch,
            x.domain_arn()
                .or(x.cluster_endpoint())
                .unwrap_or("")
                .to_string(),
            x.index_name().map(str::to_string),
            x.role_arn().map(str::to_string)
        )
    } else if let Some(x) = dest.splunk_destination_description() {
        buffered!(
            x,
            K::Splunk,
            x.hec_endpoint().unwrap_or("").to_string(),
            None,
            None
        )
    } else if let Some(x) = dest.snowflake_destination_description() {
        buffered!(
            x,
            K::Snowflake,
            x.account_url().unwrap_or("").to_string(),
            None,
            x.role_arn().map(str::to_string)
        )
    } else if let Some(x) = dest.iceberg_destination_description() {
        buffered!(
            x,
            K::Iceberg,
            x.catalog_configuration()
                .and_then(|c| c.catalog_arn())
                .unwrap_or("")
                .to_string(),
            None,
            x.role_arn().map(str::to_string)
        )
    } else {
        return (
            Destination::Unknown("a destination type fhtop does not know".into()),
            vec![],
            false,
        );
    };
    (Destination::Service(Box::new(svc)), procs, false)
}
