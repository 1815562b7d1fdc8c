//! The S3 error output: ListObjectsV2 under a prefix, and GetObject with a byte range. Read
//! only; every call counted, every byte read counted.

use super::{ApiStats, classify, to_chrono};
use crate::backend::{BResult, BackendError, ErrorKind, Op};
use crate::model::failed::{ObjectInfo, ObjectPage};

/// One page (at most 1,000 keys, S3's page size) of the objects under `prefix`.
///
/// Errors: NotFound when the bucket does not exist (NoSuchBucket); what S3 returns otherwise.
pub async fn list_objects(
    s3: &aws_sdk_s3::Client,
    stats: &ApiStats,
    bucket: &str,
    prefix: &str,
    continuation: Option<&str>,
) -> BResult<ObjectPage> {
    stats.call(Op::ListObjectsV2);
    let mut req = s3.list_objects_v2().bucket(bucket).prefix(prefix);
    if let Some(t) = continuation {
        req = req.continuation_token(t);
    }
    let r = req
        .send()
        .await
        .map_err(|e| classify(Op::ListObjectsV2, e))?;
    Ok(ObjectPage {
        objects: r
            .contents()
            .iter()
            .filter_map(|o| {
                Some(ObjectInfo {
                    key: o.key()?.to_string(),
                    size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    last_modified: o.last_modified().and_then(to_chrono),
                    etag: o.e_tag().map(str::to_string),
                })
            })
            .collect(),
        next: r
            .next_continuation_token()
            .filter(|_| r.is_truncated() == Some(true))
            .map(str::to_string),
    })
}

/// The first `max_bytes` bytes of `key`: asked with a Range header, and read no further than
/// that even from a server that ignores it. With `if_match` (an `ETag`), only while the object
/// still has that tag (Amazon S3 API Reference, GetObject `If-Match`: 412 Precondition Failed
/// otherwise).
///
/// Errors: NotFound when the object is gone (NoSuchKey); `Other` naming "PreconditionFailed"
/// when it was replaced (its tag is no longer `if_match`); what S3 returns otherwise.
pub async fn get_object(
    s3: &aws_sdk_s3::Client,
    stats: &ApiStats,
    bucket: &str,
    key: &str,
    max_bytes: usize,
    if_match: Option<&str>,
) -> BResult<Vec<u8>> {
    stats.call(Op::GetObject);
    let r = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .range(format!("bytes=0-{}", max_bytes.saturating_sub(1)))
        .set_if_match(if_match.map(str::to_string))
        .send()
        .await
        .map_err(|e| match e.as_service_error() {
            Some(s) if s.is_no_such_key() => BackendError::new(
                ErrorKind::NotFound,
                format!("GetObject: s3://{bucket}/{key} no longer exists"),
            )
            .during(Op::GetObject),
            _ if e.raw_response().is_some_and(|r| r.status().as_u16() == 412) => {
                BackendError::new(
                    ErrorKind::Other,
                    format!(
                        "GetObject: PreconditionFailed: s3://{bucket}/{key} was replaced since it was listed (its ETag is no longer {})",
                        if_match.unwrap_or("?")
                    ),
                )
                .during(Op::GetObject)
            }
            _ => classify(Op::GetObject, e),
        })?;
    let mut body = r.body;
    let mut out = Vec::new();
    while out.len() < max_bytes {
        match body.try_next().await {
            Ok(Some(chunk)) => {
                let room = max_bytes - out.len();
                out.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(e) => {
                stats.bytes_read(Op::GetObject, out.len() as u64);
                return Err(BackendError::new(
                    ErrorKind::Network,
                    format!("GetObject: s3://{bucket}/{key}: the body stopped: {e}"),
                )
                .during(Op::GetObject));
            }
        }
    }
    stats.bytes_read(Op::GetObject, out.len() as u64);
    Ok(out)
}
