//! Failed records (issue 14): the documents Firehose writes to a stream's S3 error output, one
//! JSON document per record it gave up on — its error code and message, attempts, timestamps
//! and the record itself, base64-encoded (`rawData`). Pure parsing: reading the objects is the
//! backend's.
//!
//! Shapes read (Amazon Data Firehose Developer Guide): data transformation failures
//! (`errorCode`, `errorMessage`, `attemptsMade`, `arrivalTimestamp`, `attemptEndingTimestamp`,
//! `rawData`, `lambdaArn`), record format conversion failures (the same with `ErrorCode` /
//! `ErrorMessage` capitalised, and `dataCatalogTable`), delivery failures to a service
//! destination backed up to S3 (the same lower-case fields). Documents follow each other in an
//! object with or without a newline between them; an object may be gzip-compressed (its
//! first bytes say so, whatever the key ends with).

use std::io::Read;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;

mod output;
pub use output::{ErrorOutput, ObjectInfo, ObjectPage};

/// The record data of a failed record, decoded from `rawData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordData {
    /// UTF-8 text, at most the reader's bound (`truncated`: bytes left out). Untrusted:
    /// sanitize before display.
    Text {
        /// The text read.
        text: String,
        /// Bytes of the record beyond the bound.
        truncated: usize,
    },
    /// Not UTF-8: its length in bytes and the first bytes as hex.
    Binary {
        /// The record's length in bytes.
        len: usize,
        /// Its first bytes (at most 32), lower-case hex.
        head_hex: String,
    },
    /// `rawData` missing or not base64.
    Undecodable {
        /// Why.
        why: String,
    },
}

/// One record Firehose gave up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRecord {
    /// The S3 key of the object it was read from.
    pub key: String,
    /// `errorCode` / `ErrorCode`, e.g. "Lambda.FunctionError"; "(none)" when absent.
    pub error_code: String,
    /// `errorMessage` / `ErrorMessage` (untrusted text).
    pub error_message: String,
    /// `attemptsMade`.
    pub attempts: Option<u64>,
    /// `arrivalTimestamp` (epoch milliseconds in the document).
    pub arrival: Option<DateTime<Utc>>,
    /// `attemptEndingTimestamp` (epoch milliseconds in the document).
    pub attempt_ending: Option<DateTime<Utc>>,
    /// `lambdaArn`, for a transformation failure.
    pub lambda_arn: Option<String>,
    /// The record, decoded.
    pub data: RecordData,
}

/// Bounds on what one object may cost to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Most bytes of an object, after decompression, that are parsed.
    pub object_bytes: usize,
    /// Most bytes of one record's data that are kept as text.
    pub record_bytes: usize,
}

impl Default for Bounds {
    /// 8 MiB an object, 64 KiB a record.
    fn default() -> Self {
        Self {
            object_bytes: 8 << 20,
            record_bytes: 64 << 10,
        }
    }
}

/// The failed records in the object `key` whose bytes are `body` (gzip or not), and what could
/// not be read in it (one line each: a document that is not JSON, an object cut at the bound).
pub fn parse_object(key: &str, body: &[u8], bounds: Bounds) -> (Vec<FailedRecord>, Vec<String>) {
    let mut problems = Vec::new();
    let bytes = decompressed(key, body, bounds.object_bytes, &mut problems);
    let bytes = if bytes.len() > bounds.object_bytes {
        problems.push(format!(
            "{key}: only the first {} bytes read",
            bounds.object_bytes
        ));
        &bytes[..bounds.object_bytes]
    } else {
        &bytes[..]
    };
    let mut records = Vec::new();
    for doc in serde_json::Deserializer::from_slice(bytes).into_iter::<serde_json::Value>() {
        match doc {
            Ok(v) => records.push(record(key, &v, bounds)),
            Err(e) => {
                problems.push(format!("{key}: not a JSON document: {e}"));
                break;
            }
        }
    }
    (records, problems)
}

/// `body` gunzipped when its first bytes say gzip (at most `limit + 1` bytes, so a caller can
/// tell it was cut), else as it is; a gzip error is a problem line.
fn decompressed<'a>(
    key: &str,
    body: &'a [u8],
    limit: usize,
    problems: &mut Vec<String>,
) -> std::borrow::Cow<'a, [u8]> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return body.into();
    }
    let mut out = Vec::new();
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    if let Err(e) = flate2::read::MultiGzDecoder::new(body)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
    {
        problems.push(format!("{key}: not valid gzip: {e}"));
    }
    out.into()
}

/// One failed record whole, to send again: its index in the object, its error code, when it
/// first arrived, and its bytes (`rawData` decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// Its position among the object's documents, from 0.
    pub index: usize,
    /// `errorCode` / `ErrorCode`; "(none)" when absent.
    pub error_code: String,
    /// `arrivalTimestamp`.
    pub arrival: Option<DateTime<Utc>>,
    /// The record's bytes.
    pub data: Vec<u8>,
}

/// Every failed record of the object `key` whose bytes are `body`, whole, for a recovery.
///
/// Errors (the object is not recovered at all, never in part): it is not valid gzip, it is
/// larger than `limit` bytes once decompressed, a document is not JSON, or a document has
/// no `rawData` that decodes — each a message naming the object.
pub fn raw_records(key: &str, body: &[u8], limit: usize) -> Result<Vec<RawRecord>, String> {
    let mut problems = Vec::new();
    let bytes = decompressed(key, body, limit, &mut problems);
    if let Some(p) = problems.into_iter().next() {
        return Err(p);
    }
    if bytes.len() > limit {
        return Err(format!("{key}: larger than {limit} bytes: not recovered"));
    }
    let mut out = Vec::new();
    for (index, doc) in serde_json::Deserializer::from_slice(&bytes)
        .into_iter::<serde_json::Value>()
        .enumerate()
    {
        let v = doc.map_err(|e| format!("{key}: document {index} is not JSON: {e}"))?;
        let raw = v
            .get("rawData")
            .and_then(|x| x.as_str())
            .ok_or_else(|| format!("{key}: document {index} has no rawData"))?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .map_err(|e| format!("{key}: document {index}: rawData is not base64: {e}"))?;
        out.push(RawRecord {
            index,
            error_code: v
                .get("errorCode")
                .or_else(|| v.get("ErrorCode"))
                .and_then(|x| x.as_str())
                .unwrap_or("(none)")
                .to_string(),
            arrival: v
                .get("arrivalTimestamp")
                .and_then(serde_json::Value::as_i64)
                .and_then(DateTime::from_timestamp_millis),
            data,
        });
    }
    Ok(out)
}

fn record(key: &str, v: &serde_json::Value, bounds: Bounds) -> FailedRecord {
    let text = |a: &str, b: &str| {
        v.get(a)
            .or_else(|| v.get(b))
            .and_then(|x| x.as_str())
            .map(str::to_string)
    };
    let millis = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_i64)
            .and_then(DateTime::from_timestamp_millis)
    };
    FailedRecord {
        key: key.to_string(),
        error_code: text("errorCode", "ErrorCode").unwrap_or_else(|| "(none)".into()),
        error_message: text("errorMessage", "ErrorMessage").unwrap_or_default(),
        attempts: v.get("attemptsMade").and_then(serde_json::Value::as_u64),
        arrival: millis("arrivalTimestamp"),
        attempt_ending: millis("attemptEndingTimestamp"),
        lambda_arn: text("lambdaArn", "lambdaArn"),
        data: decode(v.get("rawData").and_then(|x| x.as_str()), bounds),
    }
}

/// `rawData` decoded: text up to the bound, binary as its length and first bytes.
fn decode(raw: Option<&str>, bounds: Bounds) -> RecordData {
    let Some(raw) = raw else {
        return RecordData::Undecodable {
            why: "no rawData".into(),
        };
    };
    let bytes = match base64::engine::general_purpose::STANDARD.decode(raw.trim()) {
        Ok(b) => b,
        Err(e) => {
            return RecordData::Undecodable {
                why: format!("rawData is not base64: {e}"),
            };
        }
    };
    let kept = &bytes[..bytes.len().min(bounds.record_bytes)];
    // A cut can fall inside a character: keep the valid prefix.
    let text = match std::str::from_utf8(kept) {
        Ok(t) => Some(t),
        Err(e) if e.error_len().is_none() && kept.len() < bytes.len() => {
            std::str::from_utf8(&kept[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    match text {
        Some(t) => RecordData::Text {
            text: t.to_string(),
            truncated: bytes.len() - t.len(),
        },
        None => RecordData::Binary {
            len: bytes.len(),
            head_hex: bytes.iter().take(32).map(|b| format!("{b:02x}")).collect(),
        },
    }
}

/// Failed records of one error code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorGroup {
    /// The error code.
    pub code: String,
    /// How many records.
    pub count: usize,
    /// The earliest and latest arrival among them (`arrivalTimestamp`), when reported.
    pub first: Option<DateTime<Utc>>,
    /// See `first`.
    pub last: Option<DateTime<Utc>>,
    /// The message of the latest one (untrusted text).
    pub message: String,
    /// Each distinct message with its count, the most frequent first (at most
    /// [`GROUP_MESSAGES`]; one code often fails for several reasons, e.g. a non-JSON record and
    /// a missing key).
    pub messages: Vec<(String, usize)>,
    /// The S3 keys holding them, each once, in the order met.
    pub keys: Vec<String>,
}

/// Most distinct messages kept per [`ErrorGroup`].
pub const GROUP_MESSAGES: usize = 5;

/// `records` grouped by error code, the most frequent first (then by code).
pub fn group(records: &[FailedRecord]) -> Vec<ErrorGroup> {
    let mut groups: Vec<ErrorGroup> = Vec::new();
    for r in records {
        let i = match groups.iter().position(|g| g.code == r.error_code) {
            Some(i) => i,
            None => {
                groups.push(ErrorGroup {
                    code: r.error_code.clone(),
                    count: 0,
                    first: None,
                    last: None,
                    message: String::new(),
                    messages: Vec::new(),
                    keys: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        g.count += 1;
        // The latest record's message (the first met when none has an arrival time).
        if r.arrival.is_some_and(|a| g.last.is_none_or(|l| a >= l)) || g.count == 1 {
            g.message = r.error_message.clone();
        }
        g.first = match (g.first, r.arrival) {
            (Some(f), Some(a)) => Some(f.min(a)),
            (f, a) => f.or(a),
        };
        g.last = match (g.last, r.arrival) {
            (Some(l), Some(a)) => Some(l.max(a)),
            (l, a) => l.or(a),
        };
        if !g.keys.contains(&r.key) {
            g.keys.push(r.key.clone());
        }
        match g.messages.iter_mut().find(|(m, _)| *m == r.error_message) {
            Some((_, n)) => *n += 1,
            None => g.messages.push((r.error_message.clone(), 1)),
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    for g in &mut groups {
        // Stable: equal counts keep the order met.
        g.messages.sort_by_key(|m| std::cmp::Reverse(m.1));
        g.messages.truncate(GROUP_MESSAGES);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DestinationKind, Stream};
    use std::io::Write;

    fn b64(s: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn doc(code_field: &str, code: &str, data: &[u8], at: i64) -> String {
        format!(
            r#"{{"attemptsMade":4,"arrivalTimestamp":{at},"{code_field}":"{code}","errorMessage":"m {at}","attemptEndingTimestamp":{},"rawData":"{}","lambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}}"#,
            at + 1000,
            b64(data)
        )
    }

    #[test]
    fn documents_of_both_casings_back_to_back_and_gzip_are_read() {
        let body = format!(
            "{}\n{}{}",
            doc(
                "errorCode",
                "Lambda.FunctionError",
                b"{\"a\":1}",
                1_700_000_000_000
            ),
            doc(
                "ErrorCode",
                "DataFormatConversion.ParseError",
                b"x",
                1_700_000_001_000
            ),
            doc("errorCode", "Lambda.FunctionError", b"y", 1_700_000_002_000)
        );
        let (plain, problems) = parse_object("k1", body.as_bytes(), Bounds::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(plain.len(), 3);
        assert_eq!(plain[1].error_code, "DataFormatConversion.ParseError");
        assert_eq!(plain[0].attempts, Some(4));
        assert_eq!(
            plain[0].data,
            RecordData::Text {
                text: "{\"a\":1}".into(),
                truncated: 0
            }
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(body.as_bytes()).expect("gzip");
        let gz = gz.finish().expect("gzip");
        let (zipped, problems) = parse_object("k1", &gz, Bounds::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(zipped, plain);

        let g = group(&plain);
        assert_eq!(g[0].code, "Lambda.FunctionError");
        assert_eq!(g[0].count, 2);
        assert_eq!(g[0].message, "m 1700000002000", "the latest message");
        assert_eq!(
            g[0].last.map(|t| t.timestamp_millis()),
            Some(1_700_000_002_000)
        );
        assert_eq!(g[0].keys, ["k1"]);
    }

    #[test]
    fn hostile_data_is_bounded_and_binary_and_garbage_are_named() {
        let big = vec![b'a'; 1 << 20];
        let escape = "\u{1b}[2J\u{1b}]0;pwned\u{7}é".as_bytes();
        let body = format!(
            "{}{}{}{{\"errorCode\":\"X\",\"rawData\":\"%%%\"}} not json",
            doc("errorCode", "Big", &big, 1),
            doc("errorCode", "Bin", &[0xff, 0xfe, 0x00, 0x01], 2),
            doc("errorCode", "Esc", escape, 3),
        );
        let bounds = Bounds {
            object_bytes: 8 << 20,
            record_bytes: 1000,
        };
        let (r, problems) = parse_object("k", body.as_bytes(), bounds);
        assert_eq!(r.len(), 4);
        assert_eq!(
            r[0].data,
            RecordData::Text {
                text: "a".repeat(1000),
                truncated: (1 << 20) - 1000
            }
        );
        assert_eq!(
            r[1].data,
            RecordData::Binary {
                len: 4,
                head_hex: "fffe0001".into()
            }
        );
        // Kept as it was: the display sanitizes (crate::text::sanitize), the model does not alter.
        assert!(matches!(&r[2].data, RecordData::Text { text, .. } if text.contains('\u{1b}')));
        assert!(matches!(r[3].data, RecordData::Undecodable { .. }));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("not a JSON document"));

        // An object past its bound is cut, and says so.
        let small = Bounds {
            object_bytes: 100,
            record_bytes: 1000,
        };
        let (_, problems) = parse_object("k", body.as_bytes(), small);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("only the first 100 bytes"))
        );
    }

    fn s3_stream(prefix: Option<&str>, error_prefix: Option<&str>, dynamic: bool) -> Stream {
        use crate::model::{Destination, DynamicPartitioning, S3Destination, Source};
        Stream {
            name: "s".into(),
            arn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/s".into(),
            status: "ACTIVE".into(),
            source: Source::DirectPut,
            created: None,
            failure: None,
            encryption: None,
            destination: Destination::S3(Box::new(S3Destination {
                bucket_arn: "arn:aws:s3:::lake".into(),
                prefix: prefix.map(str::to_string),
                error_output_prefix: error_prefix.map(str::to_string),
                role_arn: "arn:aws:iam::123456789012:role/r".into(),
                buffering_mb: 5,
                buffering_seconds: 300,
                compression: "GZIP".into(),
                kms_key_arn: None,
                dynamic_partitioning: dynamic.then_some(DynamicPartitioning {
                    enabled: true,
                    jq_query: None,
                    retry_seconds: None,
                }),
                log_group: None,
                log_stream: None,
                custom_time_zone: None,
            })),
            processors: Vec::new(),
            format_conversion: false,
            last_update: None,
            version_id: None,
        }
    }

    /// The default error prefix per the Developer Guide, hour by hour; a day-granular prefix
    /// listed once, with the newest hour it covers.
    #[test]
    fn error_output_prefixes_hour_by_hour() {
        use chrono::TimeZone;
        let to = Utc.with_ymd_and_hms(2026, 11, 30, 1, 30, 0).unwrap();
        let from = to - chrono::TimeDelta::hours(2);
        let out = ErrorOutput::of(&s3_stream(Some("myFirehosePrefix"), None, false)).unwrap();
        assert_eq!(out.bucket, "lake");
        assert_eq!(out.configured, None);
        assert_eq!(
            out.prefixes_by_hour(from, to),
            vec![
                vec!["myFirehosePrefix/processing-failed/2026/11/30/01/".to_string()],
                vec!["myFirehosePrefix/processing-failed/2026/11/30/00/".to_string()],
                vec!["myFirehosePrefix/processing-failed/2026/11/29/23/".to_string()],
            ]
        );
        let out = ErrorOutput::of(&s3_stream(
            Some("orders/!{partitionKeyFromQuery:r}/"),
            Some("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"),
            true,
        ))
        .unwrap();
        assert_eq!(
            out.prefixes_by_hour(from, to),
            vec![
                vec![
                    "errors/partitioning-failed/2026/11/30/".to_string(),
                    "errors/processing-failed/2026/11/30/".to_string()
                ],
                vec![
                    "errors/partitioning-failed/2026/11/29/".to_string(),
                    "errors/processing-failed/2026/11/29/".to_string()
                ],
            ]
        );
    }

    /// A service destination's failed records go to its S3 backup, under the destination's
    /// own error type (and processing-failed): both listed, hour by hour.
    #[test]
    fn a_service_destination_lists_its_backup_bucket() {
        use crate::model::{Destination, ServiceDestination};
        use chrono::TimeZone;
        let mut s = s3_stream(Some("failed/"), None, false);
        let Destination::S3(backup) = s.destination.clone() else {
            panic!("an S3 destination")
        };
        s.destination = Destination::Service(Box::new(ServiceDestination {
            kind: DestinationKind::HttpEndpoint,
            endpoint: "https://example.com/in".into(),
            endpoint_name: None,
            role_arn: None,
            buffering_seconds: Some(60),
            backup_mode: Some("FailedDataOnly".into()),
            backup: Some(*backup),
            log_group: None,
            log_stream: None,
        }));
        let out = ErrorOutput::of(&s).unwrap();
        assert_eq!(
            out.error_types,
            vec!["http-endpoint-failed", "processing-failed"]
        );
        let to = Utc.with_ymd_and_hms(2026, 11, 30, 1, 30, 0).unwrap();
        assert_eq!(
            out.prefixes_by_hour(to, to)[0],
            vec![
                "failed/http-endpoint-failed/2026/11/30/01/".to_string(),
                "failed/processing-failed/2026/11/30/01/".to_string()
            ]
        );
    }
}
