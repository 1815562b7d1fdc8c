//! What a stream's S3 error output holds over a window: its objects counted by error output
//! type (ListObjectsV2 only; nothing is read or changed).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::backend::{BResult, Backend, BackendError, ErrorKind};
use crate::judge::records::{ListStop, ObjectListing, window_prefixes};
use crate::model::Stream;
use crate::model::failed::{ErrorOutput, ObjectInfo};

/// The error output types Firehose writes (`!{firehose:error-output-type}`, Amazon Data
/// Firehose Developer Guide, "Custom prefixes"); a key naming none is counted as
/// "error output".
const TYPES: [&str; 7] = [
    "processing-failed",
    "format-conversion-failed",
    "partitioning-failed",
    "AmazonOpenSearchService-failed",
    "elasticsearch-failed",
    "splunk-failed",
    "http-endpoint-failed",
];

/// The objects of one error output type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectTally {
    /// How many objects.
    pub objects: u64,
    /// Their size, bytes.
    pub bytes: u64,
    /// When the newest was written (`LastModified`).
    pub newest: Option<DateTime<Utc>>,
    /// The prefix they were listed under (the newest hour's).
    pub prefix: String,
}

/// What listing a stream's error output found over a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorObjects {
    /// The bucket listed.
    pub bucket: String,
    /// The start of the window (objects written before are not counted).
    pub since: DateTime<Utc>,
    /// Objects by error output type ("processing-failed", …; "error output" for a key that
    /// names none).
    pub by_type: BTreeMap<String, ObjectTally>,
    /// ListObjectsV2 calls made.
    pub list_calls: usize,
    /// Whether the bound on calls stopped the listing (more objects may exist).
    pub truncated: bool,
}

/// Every object of `stream`'s error output written from `since` to `now`, each once, with the
/// prefix it was listed under (every hour's prefixes, every page), in at most `max_calls`
/// ListObjectsV2 calls: (bucket, objects, calls made, whether the bound or a later failure
/// stopped the listing).
///
/// Errors: the stream has no S3 error output fhtop knows (Other); the first listing failed
/// (Denied names s3:ListBucket; NotFound for a bucket that does not exist).
pub async fn list_window(
    backend: &dyn Backend,
    stream: &Stream,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    max_calls: usize,
) -> BResult<(String, Vec<(String, ObjectInfo)>, usize, bool)> {
    let Some(out) = ErrorOutput::of(stream) else {
        return Err(BackendError::new(
            ErrorKind::Other,
            format!("{} has no S3 error output fhtop knows", stream.name),
        ));
    };
    let (hours, _) = window_prefixes(&out, since, now);
    let mut found = Vec::new();
    let mut listing = ObjectListing::new(since, max_calls);
    for prefix in hours.iter().flatten() {
        let mut objects = Vec::new();
        let listed = listing
            .prefix(backend, &out.bucket, prefix, &mut objects)
            .await;
        found.extend(objects.into_iter().map(|o| (prefix.clone(), o)));
        match listed {
            Ok(()) => {}
            Err(ListStop::Failed(e)) if listing.calls == 1 => return Err(e),
            Err(_) => return Ok((out.bucket, found, listing.calls, true)),
        }
    }
    Ok((out.bucket, found, listing.calls, false))
}

/// The error output type a key names ("processing-failed", …), "error output" when none.
pub fn error_type(key: &str) -> &'static str {
    TYPES
        .iter()
        .find(|t| key.contains(*t))
        .map_or("error output", |t| t)
}

/// Counts the objects of `stream`'s error output written from `since` to `now` by error
/// output type ([`list_window`], whose errors it returns).
pub async fn tally(
    backend: &dyn Backend,
    stream: &Stream,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    max_calls: usize,
) -> BResult<ErrorObjects> {
    let (bucket, found, list_calls, truncated) =
        list_window(backend, stream, since, now, max_calls).await?;
    let mut r = ErrorObjects {
        bucket,
        since,
        by_type: BTreeMap::new(),
        list_calls,
        truncated,
    };
    for (prefix, o) in found {
        let t = r
            .by_type
            .entry(error_type(&o.key).to_string())
            .or_insert(ObjectTally {
                objects: 0,
                bytes: 0,
                newest: None,
                prefix,
            });
        t.objects += 1;
        t.bytes += o.size;
        t.newest = t.newest.max(o.last_modified);
    }
    Ok(r)
}
