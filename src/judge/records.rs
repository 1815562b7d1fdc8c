//! A stream's failed records, read from its S3 error output (issue 14): the prefixes of the
//! window's hours listed newest first, the newest objects read with a byte range, their error
//! documents parsed ([`crate::model::failed`]) and grouped by error code. Read only: fhtop
//! lists and gets, nothing else. Every cost is bounded by [`Limits`] and reported.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::backend::{BResult, Backend, ErrorKind};
use crate::model::Stream;
use crate::model::failed::{
    Bounds, ErrorGroup, ErrorOutput, FailedRecord, ObjectInfo, group, parse_object,
};

/// What one read may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How far back, in seconds (objects written before are not read).
    pub since_seconds: u64,
    /// Most records returned (reading stops once this many are parsed).
    pub records: usize,
    /// Most objects read with GetObject.
    pub objects: usize,
    /// Most ListObjectsV2 calls (pages) in all.
    pub list_calls: usize,
    /// What one object may cost to parse ([`Bounds`]); its `object_bytes` is also the
    /// GetObject byte range.
    pub bounds: Bounds,
}

impl Default for Limits {
    /// The last 24 hours, 100 records, 20 objects, 200 listing pages (24 h × 3 error types
    /// of hour prefixes is 75), 8 MiB an object.
    fn default() -> Self {
        Self {
            since_seconds: 24 * 3600,
            records: 100,
            objects: 20,
            list_calls: 200,
            bounds: Bounds::default(),
        }
    }
}

/// What reading a stream's error output found, and what it cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRecords {
    /// The stream.
    pub stream: String,
    /// The bucket listed.
    pub bucket: String,
    /// The stream's `ErrorOutputPrefix`, `None` when unset (the default was listed).
    pub error_output_prefix: Option<String>,
    /// The start of the window (objects written before were left out).
    pub since: DateTime<Utc>,
    /// The prefixes listed, newest hour first.
    pub prefixes: Vec<String>,
    /// Objects found under them in the window.
    pub objects_found: usize,
    /// The objects read, newest first.
    pub objects_read: Vec<ObjectInfo>,
    /// Records, newest object first, in their order within an object.
    pub records: Vec<FailedRecord>,
    /// The records by error code, most frequent first.
    pub groups: Vec<ErrorGroup>,
    /// ListObjectsV2 calls made.
    pub list_calls: usize,
    /// GetObject calls made.
    pub get_calls: usize,
    /// Bytes read with GetObject.
    pub bytes_read: u64,
    /// What could not be read (an object that is not JSON, a GetObject denied, a bound met).
    pub problems: Vec<String>,
    /// Whether a bound stopped the reading before the window was read whole (more records
    /// may exist).
    pub truncated: bool,
}

impl FailedRecords {
    /// Whether "no failed records" can be said: none found, and nothing stopped or failed the
    /// reading (a denied GetObject, an object that is not JSON, a bound) — else it is unknown.
    pub fn surely_none(&self) -> bool {
        self.records.is_empty()
            && !self.truncated
            && self.objects_found == self.objects_read.len()
            && self.problems.iter().all(|p| p.contains("CustomTimeZone"))
    }
}

/// Why [`ObjectListing::prefix`] stopped before the end of its prefix.
#[derive(Debug)]
pub enum ListStop {
    /// `max_calls` ListObjectsV2 calls were made.
    Bound,
    /// A call failed.
    Failed(crate::backend::BackendError),
}

/// A listing of an error output's prefixes over a window: the objects written from `since` on
/// (or of unknown age), each key once across prefixes, in at most `max_calls` ListObjectsV2
/// calls in all.
pub struct ObjectListing {
    since: DateTime<Utc>,
    max_calls: usize,
    /// ListObjectsV2 calls made so far.
    pub calls: usize,
    seen: std::collections::HashSet<String>,
}

impl ObjectListing {
    /// A listing of objects written from `since` on, in at most `max_calls` calls.
    pub fn new(since: DateTime<Utc>, max_calls: usize) -> Self {
        Self {
            since,
            max_calls,
            calls: 0,
            seen: std::collections::HashSet::new(),
        }
    }

    /// Lists every page under `prefix` of `bucket`, pushing to `into` each object of the
    /// window not listed before.
    ///
    /// Errors: [`ListStop`], with what was listed before it already in `into`.
    pub async fn prefix(
        &mut self,
        backend: &dyn Backend,
        bucket: &str,
        prefix: &str,
        into: &mut Vec<ObjectInfo>,
    ) -> Result<(), ListStop> {
        let mut token: Option<String> = None;
        loop {
            if self.calls >= self.max_calls {
                return Err(ListStop::Bound);
            }
            self.calls += 1;
            let page = backend
                .list_objects(bucket, prefix, token.as_deref())
                .await
                .map_err(ListStop::Failed)?;
            into.extend(page.objects.into_iter().filter(|o| {
                o.last_modified.is_none_or(|t| t >= self.since) && self.seen.insert(o.key.clone())
            }));
            match page.next {
                Some(t) => token = Some(t),
                None => return Ok(()),
            }
        }
    }
}

/// The prefixes of `out` to list for the window `since`..`now`, newest hour first
/// ([`ErrorOutput::prefixes_by_hour`]), and a note when they were widened: prefixes are
/// Firehose's time in the stream's `CustomTimeZone`, which fhtop evaluates in UTC, so with
/// another zone it lists 14 hours more on each side (every offset there is).
pub fn window_prefixes(
    out: &ErrorOutput,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (Vec<Vec<String>>, Option<String>) {
    let widen = out
        .time_zone
        .as_deref()
        .filter(|z| !matches!(*z, "UTC" | "Etc/UTC" | "GMT"))
        .map(|_| chrono::TimeDelta::hours(14));
    match widen {
        Some(w) => (
            out.prefixes_by_hour(since - w, now + w),
            Some(format!(
                "the stream writes prefixes in {} (CustomTimeZone): listed 14 h more on each side of the window",
                out.time_zone.as_deref().unwrap_or("")
            )),
        ),
        None => (out.prefixes_by_hour(since, now), None),
    }
}

/// Reads the failed records of `stream` written in the last `limits.since_seconds` before
/// `now`.
///
/// Errors: the stream has no S3 error output fhtop knows (Other); the first listing failed
/// (denied → s3:ListBucket, NotFound for a bucket that does not exist). A GetObject that fails
/// is a problem line, and a denied one stops the reading.
pub async fn read(
    backend: &dyn Backend,
    stream: &Stream,
    limits: Limits,
    now: DateTime<Utc>,
) -> BResult<FailedRecords> {
    let Some(out) = ErrorOutput::of(stream) else {
        return Err(crate::backend::BackendError::new(
            ErrorKind::Other,
            format!(
                "{} has no S3 error output fhtop knows (its destination has no S3 configuration)",
                stream.name
            ),
        ));
    };
    let back = i64::try_from(limits.since_seconds)
        .ok()
        .and_then(chrono::TimeDelta::try_seconds)
        .unwrap_or(chrono::TimeDelta::days(31));
    let since = now - back;
    let (hours, widened) = window_prefixes(&out, since, now);
    let mut r = FailedRecords {
        stream: stream.name.clone(),
        bucket: out.bucket.clone(),
        error_output_prefix: out.configured.clone(),
        since,
        prefixes: Vec::new(),
        objects_found: 0,
        objects_read: Vec::new(),
        records: Vec::new(),
        groups: Vec::new(),
        list_calls: 0,
        get_calls: 0,
        bytes_read: 0,
        problems: widened.into_iter().collect(),
        truncated: false,
    };
    let mut listing = ObjectListing::new(since, limits.list_calls);
    // Hour by hour, newest first: every prefix of the hour listed (every page), the objects of
    // all of them read newest first; an older hour only while the bounds allow. A listing
    // stopped by a bound or a failure still reads what it listed.
    let mut stop = false;
    for (i, prefixes) in hours.iter().enumerate() {
        let mut objects = Vec::new();
        for prefix in prefixes {
            let listed = listing
                .prefix(backend, &out.bucket, prefix, &mut objects)
                .await;
            r.list_calls = listing.calls;
            match listed {
                Ok(()) => {
                    r.prefixes.push(prefix.clone());
                    continue;
                }
                Err(ListStop::Bound) => r.problems.push(format!(
                    "stopped listing after {} ListObjectsV2 pages",
                    limits.list_calls
                )),
                // Nothing read or listed yet: the caller says why.
                Err(ListStop::Failed(e))
                    if r.records.is_empty() && r.objects_found == 0 && objects.is_empty() =>
                {
                    return Err(e);
                }
                Err(ListStop::Failed(e)) => r.problems.push(e.explained()),
            }
            r.truncated = true;
            stop = true;
            break;
        }
        r.objects_found += objects.len();
        // Newest first (LastModified; keys end with the time they were written).
        objects.sort_by(|a, b| {
            b.last_modified
                .cmp(&a.last_modified)
                .then_with(|| b.key.cmp(&a.key))
        });
        for o in objects {
            if r.records.len() >= limits.records || r.get_calls >= limits.objects {
                r.truncated = true;
                break;
            }
            // An empty object holds no record (and a ranged GetObject of it is refused).
            if o.size == 0 {
                continue;
            }
            r.get_calls += 1;
            match backend
                .get_object(&out.bucket, &o.key, limits.bounds.object_bytes, None)
                .await
            {
                Ok(body) => {
                    r.bytes_read += body.len() as u64;
                    let (records, problems) = parse_object(&o.key, &body, limits.bounds);
                    r.problems.extend(problems);
                    let room = limits.records - r.records.len();
                    if records.len() > room {
                        r.truncated = true;
                    }
                    r.records.extend(records.into_iter().take(room));
                    r.objects_read.push(o);
                }
                Err(e) => {
                    let denied = e.kind == ErrorKind::Denied;
                    r.problems.push(e.explained());
                    if denied {
                        r.truncated = true;
                        stop = true;
                        break;
                    }
                }
            }
        }
        if stop {
            break;
        }
        if r.records.len() >= limits.records || r.get_calls >= limits.objects {
            // Older hours not listed.
            if i + 1 < hours.len() {
                r.truncated = true;
            }
            break;
        }
    }
    r.groups = group(&r.records);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> FailedRecords {
        FailedRecords {
            stream: "s".into(),
            bucket: "b".into(),
            error_output_prefix: None,
            since: DateTime::UNIX_EPOCH,
            prefixes: vec!["p/".into()],
            objects_found: 0,
            objects_read: Vec::new(),
            records: Vec::new(),
            groups: Vec::new(),
            list_calls: 1,
            get_calls: 0,
            bytes_read: 0,
            problems: Vec::new(),
            truncated: false,
        }
    }

    /// "No failed records" only when nothing stood in the way of reading them.
    #[test]
    fn none_is_said_only_when_known() {
        assert!(report().surely_none());
        // An object found but not read (GetObject denied, say): unknown.
        let mut r = report();
        r.objects_found = 1;
        r.problems
            .push("GetObject: AccessDenied (add s3:GetObject to fhtop's role)".into());
        assert!(!r.surely_none());
        // A bound met: unknown.
        let mut r = report();
        r.truncated = true;
        assert!(!r.surely_none());
        // An object read that held no document: unknown (it said something, not nothing).
        let mut r = report();
        r.objects_found = 1;
        r.objects_read.push(ObjectInfo {
            key: "k".into(),
            size: 3,
            last_modified: None,
            etag: None,
        });
        r.problems.push("k: not a JSON document".into());
        assert!(!r.surely_none());
        // The time-zone note is information, not a failure.
        let mut r = report();
        r.problems
            .push("the stream writes prefixes in Asia/Tokyo (CustomTimeZone): …".into());
        assert!(r.surely_none());
    }
}
