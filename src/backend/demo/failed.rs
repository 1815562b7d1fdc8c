//! The demo's S3 error output: `orders-to-s3` has sent records to
//! `errors/partitioning-failed/` since a producer release 95 minutes before the clock's start
//! (orders without `detail.customer.tier`, and a CSV line from a legacy client), one object
//! every 5 minutes. Objects are pure functions of (time, index), like the rest of the demo.

use base64::Engine;
use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::backend::{BResult, BackendError, ErrorKind};
use crate::model::failed::{ObjectInfo, ObjectPage};

/// The bucket of `orders-to-s3`.
pub const BUCKET: &str = "acme-orders-lake";
/// How long before the clock's start the partitioning failures began.
pub const FAILURES_AGE_MIN: i64 = 95;
const EVERY_MIN: i64 = 5;
const ERROR_CODE: &str = "DynamicPartitioning.MetadataExtractionFailed";

/// When failed-record object `k` was written (k = 0 the first).
fn written(start: DateTime<Utc>, k: i64) -> DateTime<Utc> {
    start + Duration::minutes(k * EVERY_MIN)
}

fn key_of(at: DateTime<Utc>, k: i64) -> String {
    format!(
        "errors/partitioning-failed/{}/orders-to-s3-1-{}-{k:08x}-demo",
        at.format("%Y/%m/%d"),
        at.format("%Y-%m-%d-%H-%M-%S")
    )
}

/// The objects under `prefix` written between `start` and `now`, in key order (one page).
pub fn list(
    bucket: &str,
    prefix: &str,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> BResult<ObjectPage> {
    if bucket != BUCKET {
        // The other buckets have no failed records.
        return Ok(ObjectPage::default());
    }
    let mut objects = Vec::new();
    let mut k = 0;
    loop {
        let at = written(start, k);
        if at > now {
            break;
        }
        let key = key_of(at, k);
        if key.starts_with(prefix) {
            objects.push(ObjectInfo {
                size: body(at, k).len() as u64,
                etag: Some(format!("\"demo-{k}\"")),
                key,
                last_modified: Some(at),
            });
        }
        k += 1;
    }
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(ObjectPage {
        objects,
        next: None,
    })
}

/// The first `max_bytes` of object `key`.
pub fn get(bucket: &str, key: &str, start: DateTime<Utc>, max_bytes: usize) -> BResult<Vec<u8>> {
    let k = key
        .strip_suffix("-demo")
        .and_then(|s| s.rsplit('-').next())
        .and_then(|h| i64::from_str_radix(h, 16).ok());
    match k {
        Some(k) if bucket == BUCKET && key_of(written(start, k), k) == key => {
            let mut b = body(written(start, k), k);
            b.truncate(max_bytes);
            Ok(b)
        }
        _ => Err(BackendError::new(
            ErrorKind::NotFound,
            format!("GetObject: s3://{bucket}/{key} no longer exists"),
        )),
    }
}

/// Three error documents: two orders missing their tier, and every third object a CSV line.
fn body(at: DateTime<Utc>, k: i64) -> Vec<u8> {
    let arrival = at.duration_trunc(Duration::minutes(1)).unwrap_or(at) - Duration::seconds(70);
    let mut records = vec![
        (
            format!(
                r#"{{"detail-type":"OrderPlaced","source":"acme.orders","detail":{{"order_id":"o-{:05}","region":"eu-west-1","customer":{{"id":"c-{:04}"}}}}}}"#,
                10_000 + k * 3,
                1000 + k % 97
            ),
            "partitionKeyFromQuery customer_tier: the query returned null for this record",
        ),
        (
            format!(
                r#"{{"detail-type":"OrderPlaced","source":"acme.orders","detail":{{"order_id":"o-{:05}","region":"us-east-1","customer":{{"id":"c-{:04}","tier":null}}}}}}"#,
                10_001 + k * 3,
                2000 + k % 89
            ),
            "partitionKeyFromQuery customer_tier: the query returned null for this record",
        ),
    ];
    if k % 3 == 0 {
        records.push((
            format!(
                "order_id=o-{:05},region=eu-west-1,total=42.00",
                10_002 + k * 3
            ),
            "Non JSON record provided",
        ));
    }
    let mut out = String::new();
    for (i, (data, message)) in records.iter().enumerate() {
        let doc = serde_json::json!({
            "attemptsMade": 1,
            "arrivalTimestamp": (arrival + Duration::seconds(i as i64)).timestamp_millis(),
            "errorCode": ERROR_CODE,
            "errorMessage": message,
            "attemptEndingTimestamp": at.timestamp_millis(),
            "rawData": base64::engine::general_purpose::STANDARD.encode(data),
        });
        out.push_str(&doc.to_string());
        out.push('\n');
    }
    out.into_bytes()
}
