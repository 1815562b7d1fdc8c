//! `recover errors`: the failed records of a stream's S3 error output (and a service
//! destination's S3 backup) sent back into the stream with PutRecordBatch, each exactly once
//! by the journal ([`super::journal`]). Objects are read one at a time (never all at once)
//! and never deleted.
//!
//! Limits (Amazon Data Firehose API Reference, PutRecordBatch): at most 500 records and 4 MiB
//! a call, each record at most 1,000 KiB. The error documents' `rawData` is the record as it
//! first arrived (Developer Guide, "Handle data delivery failure").

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::journal::{Entry, Journal, State};
use crate::backend::{Backend, BackendError, ErrorKind, PutBatch};
use crate::judge::losses::{error_type, list_window};
use crate::model::Stream;
use crate::model::failed::{ObjectInfo, RawRecord, raw_records};

/// PutRecordBatch's limit of records a call.
pub const MAX_BATCH_RECORDS: usize = 500;
/// PutRecordBatch's limit of bytes a call (4 MiB).
pub const MAX_BATCH_BYTES: usize = 4 << 20;
/// PutRecordBatch's limit of one record (1,000 KiB).
pub const MAX_RECORD_BYTES: usize = 1_000 * 1024;
/// Firehose bills Direct PUT ingestion in 5 KB increments a record (Amazon Data Firehose
/// pricing): what a recovery adds to the bill.
pub const BILLING_INCREMENT: u64 = 5 * 1024;
/// Most decompressed bytes of one object a recovery reads (an error output object holds at
/// most a buffer's worth: 128 MiB).
pub const MAX_OBJECT_BYTES: usize = 256 << 20;
/// Most ListObjectsV2 calls.
const LIST_CALLS: usize = 1_000;
/// Times a record Firehose refused (`ErrorCode`) or a throttled call is tried again.
const TRIES: u32 = 5;

/// How a recovery runs.
#[derive(Debug, Clone)]
pub struct ErrorsOptions {
    /// The window: objects written from this instant on.
    pub since: DateTime<Utc>,
    /// Now (the end of the window).
    pub now: DateTime<Utc>,
    /// Also send the records that would fail the same way again.
    pub force: bool,
    /// Also send again the records of calls that got no answer (they may be duplicated).
    pub resend_in_doubt: bool,
    /// Records a call (1–500).
    pub batch_records: usize,
    /// Bytes a second sent at most (the recovery shares the stream's quota with producers).
    pub bytes_per_second: f64,
}

/// Why a record is not sent.
fn held_reason(stream: &Stream, r: &RawRecord, force: bool) -> Option<String> {
    if r.data.len() > MAX_RECORD_BYTES {
        return Some("larger than PutRecordBatch's 1,000 KiB a record".into());
    }
    if force {
        return None;
    }
    // A record that failed partitioning fails it again unless the query now yields its keys.
    let s3 = stream.s3()?;
    let dp = s3.dynamic_partitioning.as_ref().filter(|d| d.enabled)?;
    let query = dp.jq_query.as_deref()?;
    if r.error_code != crate::judge::partition::EXTRACTION_FAILED {
        return None;
    }
    let t = crate::judge::partition::test(
        query,
        s3.prefix.as_deref().unwrap_or(""),
        &r.data,
        r.arrival.unwrap_or_else(Utc::now),
    );
    t.failures
        .first()
        .map(|f| format!("would fail dynamic partitioning again: {f}"))
}

/// What a recovery would send: the dry run shown before anything is sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorsPlan {
    /// The stream the records go back to.
    pub stream: String,
    /// The bucket they are read from.
    pub bucket: String,
    /// The objects, oldest first.
    #[serde(skip)]
    pub objects: Vec<ObjectInfo>,
    /// Objects found in the window.
    pub objects_found: usize,
    /// Failed records found.
    pub records: usize,
    /// Records by error output type ("processing-failed", …).
    pub by_type: BTreeMap<String, usize>,
    /// Records by error code.
    pub by_code: BTreeMap<String, usize>,
    /// Records to send now.
    pub to_send: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Records held back, by reason (send them with `--force` once the cause is fixed).
    pub held: BTreeMap<String, usize>,
    /// Records a previous run sent (the journal): not sent again.
    pub already_sent: usize,
    /// Records of a previous run's calls that got no answer: not sent again unless asked.
    pub in_doubt: usize,
    /// Objects that cannot be recovered (not gzip, not JSON, no rawData, too large), each
    /// with why: never sent in part.
    pub unreadable: Vec<String>,
    /// Whether the listing stopped before the window was listed whole.
    pub list_truncated: bool,
    /// PutRecordBatch calls it takes.
    pub calls: usize,
    /// How long it takes at the pace, seconds.
    pub seconds: f64,
    /// What Firehose bills for it: the records rounded up to 5 KB each, bytes.
    pub billable_bytes: u64,
}

/// One record's fate in a run.
enum Decision {
    Send,
    AlreadySent,
    InDoubt,
    Held(String),
}

fn decide(stream: &Stream, r: &RawRecord, id: &str, state: &State, o: &ErrorsOptions) -> Decision {
    if state.accepted.contains(id) {
        return Decision::AlreadySent;
    }
    if state.in_doubt.contains(id) && !o.resend_in_doubt {
        return Decision::InDoubt;
    }
    match held_reason(stream, r, o.force) {
        Some(why) => Decision::Held(why),
        None => Decision::Send,
    }
}

/// The id of record `index` of object `key`: `s3://bucket/key#index`.
pub fn record_id(bucket: &str, key: &str, index: usize) -> String {
    format!("s3://{bucket}/{key}#{index}")
}

/// `s3://bucket/key`: the object's name in the journal.
fn object_url(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

/// Why object `o` is not recovered from: an earlier run sent records of another version of
/// its key (the journal's `ETag` is not the one listed now), so the record numbers the journal
/// counts name other records — sending by them would skip some and send others twice.
fn replaced(state: &State, bucket: &str, o: &ObjectInfo) -> Option<String> {
    let then = state.objects.get(&object_url(bucket, &o.key))?;
    match &o.etag {
        Some(now) if now == then => None,
        now => Some(format!(
            "{}: replaced since an earlier run sent records of it (ETag {then} then, {} now): nothing of it is sent; look at it by hand",
            o.key,
            now.as_deref().unwrap_or("unknown")
        )),
    }
}

/// Reads one object whole and its records, only while it is the version listed (`If-Match`
/// its `ETag`); `Err` (why) when it cannot be recovered.
async fn read_object(
    backend: &dyn Backend,
    bucket: &str,
    o: &ObjectInfo,
) -> Result<Vec<RawRecord>, String> {
    let size = usize::try_from(o.size).unwrap_or(usize::MAX);
    if size > MAX_OBJECT_BYTES {
        return Err(format!("{}: larger than {MAX_OBJECT_BYTES} bytes", o.key));
    }
    let body = backend
        .get_object(bucket, &o.key, size.max(1), o.etag.as_deref())
        .await
        .map_err(|e| format!("{}: {}", o.key, e.explained()))?;
    raw_records(&o.key, &body, MAX_OBJECT_BYTES)
}

/// The dry run: lists the error output over the window, reads every object (one at a time),
/// and counts what would be sent, held back, was sent before or is in doubt.
///
/// Errors: the stream has no S3 error output, or it cannot be listed.
pub async fn plan(
    backend: &dyn Backend,
    stream: &Stream,
    state: &State,
    o: &ErrorsOptions,
) -> Result<ErrorsPlan, BackendError> {
    let (bucket, found, _, truncated) =
        list_window(backend, stream, o.since, o.now, LIST_CALLS).await?;
    let mut objects: Vec<ObjectInfo> = found.into_iter().map(|(_, o)| o).collect();
    objects.sort_by(|a, b| {
        a.last_modified
            .cmp(&b.last_modified)
            .then(a.key.cmp(&b.key))
    });
    let mut p = ErrorsPlan {
        stream: stream.name.clone(),
        bucket: bucket.clone(),
        objects_found: objects.len(),
        list_truncated: truncated,
        ..ErrorsPlan::default()
    };
    for obj in &objects {
        if obj.size == 0 {
            continue;
        }
        if let Some(why) = replaced(state, &bucket, obj) {
            p.unreadable.push(why);
            continue;
        }
        let records = match read_object(backend, &bucket, obj).await {
            Ok(r) => r,
            Err(why) => {
                p.unreadable.push(why);
                continue;
            }
        };
        for r in &records {
            p.records += 1;
            *p.by_type
                .entry(error_type(&obj.key).to_string())
                .or_default() += 1;
            *p.by_code.entry(r.error_code.clone()).or_default() += 1;
            match decide(stream, r, &record_id(&bucket, &obj.key, r.index), state, o) {
                Decision::Send => {
                    p.to_send += 1;
                    p.bytes += r.data.len() as u64;
                    p.billable_bytes += (r.data.len() as u64).div_ceil(BILLING_INCREMENT).max(1)
                        * BILLING_INCREMENT;
                }
                Decision::AlreadySent => p.already_sent += 1,
                Decision::InDoubt => p.in_doubt += 1,
                Decision::Held(why) => *p.held.entry(why).or_default() += 1,
            }
        }
    }
    p.objects = objects;
    let by_records = p
        .to_send
        .div_ceil(o.batch_records.clamp(1, MAX_BATCH_RECORDS));
    let by_bytes = usize::try_from(p.bytes.div_ceil(MAX_BATCH_BYTES as u64)).unwrap_or(usize::MAX);
    p.calls = by_records.max(by_bytes);
    p.seconds = p.bytes as f64 / o.bytes_per_second.max(1.0);
    Ok(p)
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sent {
    /// Records Firehose accepted in this run.
    pub accepted: usize,
    /// Records Firehose still refused after every try: (id, `ErrorCode`).
    pub refused: Vec<(String, String)>,
    /// Records of calls that got no answer in this run (not sent again by a re-run unless
    /// asked).
    pub in_doubt: usize,
    /// PutRecordBatch calls made.
    pub calls: usize,
    /// Objects that could not be read now.
    pub unreadable: Vec<String>,
    /// Why the run stopped before the end, when it did.
    pub stopped: Option<String>,
}

/// A test's crash, at a named point of batch `n` (`FHTOP_FAILPOINT=NAME=N`, e.g.
/// `recover-after-batch=2`): the process aborts there, as a crash would — what the journal
/// must survive. Read once per check; unset in any real use.
pub(super) fn failpoint(name: &str, batch: u64) {
    if let Ok(v) = std::env::var("FHTOP_FAILPOINT")
        && v.split_once('=')
            .is_some_and(|(n, b)| n == name && b.parse::<u64>().ok() == Some(batch))
    {
        eprintln!("fhtop: FHTOP_FAILPOINT {name}={batch}: aborting");
        std::process::abort();
    }
}

/// One batch sent until Firehose answers for each record or gives up: the ids and records.
pub(super) struct Batch {
    pub(super) ids: Vec<String>,
    pub(super) data: Vec<Vec<u8>>,
    pub(super) bytes: usize,
}

impl Batch {
    /// An empty batch.
    pub(super) fn new() -> Self {
        Self {
            ids: Vec::new(),
            data: Vec::new(),
            bytes: 0,
        }
    }
}

/// Sends what `plan` counted, object by object, batch by batch, journaling ahead of every
/// call; records Firehose refuses are tried again (up to 5 times, with backoff), a throttled
/// call too. A call with no answer stops the run (its records are in doubt), as does a
/// journal that cannot be written (nothing is sent unjournaled). `progress(sent, of)` after
/// every call.
pub async fn send(
    backend: &dyn Backend,
    stream: &Stream,
    plan: &ErrorsPlan,
    journal: &mut Journal,
    o: &ErrorsOptions,
    mut progress: impl FnMut(usize, usize),
) -> Sent {
    let mut out = Sent::default();
    let started = std::time::Instant::now();
    let mut bytes_sent = 0usize;
    let mut batch = Batch::new();
    let per_call = o.batch_records.clamp(1, MAX_BATCH_RECORDS);
    for obj in &plan.objects {
        if obj.size == 0 {
            continue;
        }
        if let Some(why) = replaced(journal.state(), &plan.bucket, obj) {
            out.unreadable.push(why);
            continue;
        }
        let records = match read_object(backend, &plan.bucket, obj).await {
            Ok(r) => r,
            Err(why) => {
                out.unreadable.push(why);
                continue;
            }
        };
        let url = object_url(&plan.bucket, &obj.key);
        for r in records {
            let id = record_id(&plan.bucket, &obj.key, r.index);
            if !matches!(decide(stream, &r, &id, journal.state(), o), Decision::Send) {
                continue;
            }
            // The version its records are numbered in, journaled before the first of them
            // goes out (nothing is sent unjournaled).
            if let Some(etag) = &obj.etag
                && !journal.state().objects.contains_key(&url)
                && let Err(e) = journal.write(&Entry::Object {
                    object: url.clone(),
                    etag: etag.clone(),
                })
            {
                out.stopped = Some(format!(
                    "the journal {} cannot be written: {e}",
                    journal.path().display()
                ));
                return out;
            }
            if batch.ids.len() == per_call || batch.bytes + r.data.len() > MAX_BATCH_BYTES {
                let full = std::mem::replace(&mut batch, Batch::new());
                bytes_sent += full.bytes;
                if let Err(why) = flush(backend, &stream.name, journal, full, &mut out).await {
                    out.stopped = Some(why);
                    return out;
                }
                progress(out.accepted, plan.to_send);
                pace(started, bytes_sent, o.bytes_per_second).await;
            }
            batch.bytes += r.data.len();
            batch.ids.push(id);
            batch.data.push(r.data);
        }
    }
    if !batch.ids.is_empty() {
        if let Err(why) = flush(backend, &stream.name, journal, batch, &mut out).await {
            out.stopped = Some(why);
        }
        progress(out.accepted, plan.to_send);
    }
    out
}

/// Waits until `bytes` sent since `started` are within `rate` bytes a second.
async fn pace(started: std::time::Instant, bytes: usize, rate: f64) {
    let due = bytes as f64 / rate.max(1.0);
    let spent = started.elapsed().as_secs_f64();
    if due > spent {
        tokio::time::sleep(std::time::Duration::from_secs_f64(due - spent)).await;
    }
}

/// Writes `entry` to the journal; `Err` names the journal (the run stops: nothing is sent
/// unjournaled).
fn journaled(journal: &mut Journal, entry: &Entry) -> Result<(), String> {
    journal.write(entry).map_err(|e| {
        format!(
            "the journal {} cannot be written: {e}",
            journal.path().display()
        )
    })
}

/// Sends one batch: journal the intent, call, journal the answer; refused records and
/// throttled calls again, in new batches, up to [`TRIES`] times. `Err` stops the run.
pub(super) async fn flush(
    backend: &dyn Backend,
    stream: &str,
    journal: &mut Journal,
    first: Batch,
    out: &mut Sent,
) -> Result<(), String> {
    let mut pending = first;
    for attempt in 0..TRIES {
        if attempt > 0 {
            // 200 ms, 400 ms, 800 ms, 1.6 s: Firehose asks callers to back off.
            tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
        }
        let n = journal.state().next_batch;
        journaled(
            journal,
            &Entry::Intent {
                batch: n,
                ids: pending.ids.clone(),
            },
        )?;
        out.calls += 1;
        let answer = backend.put_record_batch(stream, &pending.data).await;
        match answer {
            PutBatch::Answered(codes) => {
                failpoint("recover-before-done", n);
                let mut accepted = Vec::new();
                let mut again = Batch::new();
                let mut last_codes = Vec::new();
                for ((id, data), code) in pending.ids.into_iter().zip(pending.data).zip(codes) {
                    match code {
                        None => accepted.push(id),
                        Some(c) => {
                            again.bytes += data.len();
                            again.ids.push(id);
                            again.data.push(data);
                            last_codes.push(c);
                        }
                    }
                }
                journaled(
                    journal,
                    &Entry::Done {
                        batch: n,
                        accepted: accepted.clone(),
                        failed: again.ids.clone(),
                    },
                )?;
                out.accepted += accepted.len();
                failpoint("recover-after-batch", n);
                if again.ids.is_empty() {
                    return Ok(());
                }
                if attempt + 1 == TRIES {
                    out.refused.extend(again.ids.into_iter().zip(last_codes));
                    return Ok(());
                }
                pending = again;
            }
            PutBatch::Refused(e) => {
                journaled(
                    journal,
                    &Entry::Refused {
                        batch: n,
                        error: e.message.clone(),
                    },
                )?;
                let retriable = matches!(e.kind, ErrorKind::Throttled | ErrorKind::Other)
                    && attempt + 1 < TRIES;
                if !retriable {
                    return Err(format!("PutRecordBatch refused: {}", e.explained()));
                }
            }
            PutBatch::InDoubt(e) => {
                out.in_doubt += pending.ids.len();
                return Err(format!(
                    "PutRecordBatch got no answer ({}): its {} records are in doubt — Firehose may have them; a re-run does not send them again unless --resend-in-doubt",
                    e.message,
                    pending.ids.len()
                ));
            }
        }
    }
    Err("PutRecordBatch throttled on every try".into())
}
