//! A stream's ledger lines: records held undelivered (against the 24 h Firehose keeps them),
//! a Kinesis source read too late, records refused by throttling, and what went to the S3
//! error output or backup.

use chrono::Duration;

use super::{ErrorObjects, Fate, Inputs, LossLine, Place, deadline_text, window_text};
use crate::backend::BResult;
use crate::judge::health::{Level, buffer_interval, freshness_level};
use crate::model::{DestinationKind, Inventory, MetricId, Metrics, Scope, Source, Stream};
use crate::text::{count, fmt_duration};

/// How long Firehose keeps a Direct PUT stream's records, seconds: 24 h (Amazon Data Firehose
/// Developer Guide, "Troubleshooting": "For DirectPut Firehose streams, Firehose retains the
/// records for 24 hours"). A Kinesis source keeps them for the data stream's retention, at
/// least 24 h (Kinesis Data Streams Developer Guide, "Changing the data retention period").
pub const RETENTION_SECONDS: f64 = 86_400.0;

fn whole(v: f64) -> u64 {
    v.max(0.0).round() as u64
}

/// The lines of stream `s` (none for a stream that lost nothing).
pub(super) fn lines(inp: &Inputs, s: &Stream, inv: &Inventory) -> Vec<LossLine> {
    let mut out = Vec::new();
    let line = |place, fate, n: Option<u64>, unit, summary: String, evidence: String| {
        LossLine::new(&s.name, (place, fate), (n, unit), summary, evidence)
    };
    let Some(kind) = s.destination_kind() else {
        out.push(line(
            Place::NotRead,
            Fate::Unknown,
            None,
            "records",
            "the stream's destination is of a kind fhtop does not know: what it lost is not known"
                .into(),
            "DescribeDeliveryStream".into(),
        ));
        return out;
    };
    match inp.metrics {
        Err(why) => out.push(line(
            Place::NotRead,
            Fate::Unknown,
            None,
            "records",
            format!("the stream's metrics could not be read: {why}"),
            "GetMetricData".into(),
        )),
        Ok(m) => metric_lines(inp, m, s, kind, inv, &mut out),
    }
    if let Some(outputs) = inp.outputs
        && let Some(listing) = outputs.get(&s.name)
    {
        out.extend(output_lines(s, listing));
    }
    out
}

fn metric_lines(
    inp: &Inputs,
    m: &Metrics,
    s: &Stream,
    kind: DestinationKind,
    inv: &Inventory,
    out: &mut Vec<LossLine>,
) {
    let sc = Scope::Stream(s.name.clone());
    let window = window_text(m.window.minutes());
    let base = |place, fate, n: Option<u64>, unit, summary: String, evidence: String| {
        LossLine::new(&s.name, (place, fate), (n, unit), summary, evidence)
    };
    let incoming = MetricId::incoming(&s.source);
    if m.series(&sc, incoming).is_none() && m.series(&sc, MetricId::DataFreshness(kind)).is_none() {
        // Not fetched yet (a row the metric plan has not reached): undecided, never clear.
        out.push(base(
            Place::NotRead,
            Fate::Unknown,
            None,
            "records",
            "the stream's metrics are not read yet".into(),
            incoming.name().into(),
        ));
        return;
    }
    let buffer = buffer_interval(s);
    // What is true now (freshness, lag, arrivals) from the recent minutes; counts from the window.
    let rm = inp.recent.unwrap_or(m);
    // Records held: the oldest undelivered record's age now, against what the source keeps.
    let fresh = rm.recent_max(&sc, MetricId::DataFreshness(kind));
    let (limit, source_note) = match &s.source {
        Source::DirectPut => (
            Some(RETENTION_SECONDS),
            "Firehose keeps Direct PUT records 24 h",
        ),
        Source::KinesisStream { .. } => (
            Some(RETENTION_SECONDS),
            "the source data stream keeps them for its retention (24 h assumed, its minimum)",
        ),
        _ => (
            None,
            "the source keeps them for its own retention (not read)",
        ),
    };
    let then = if kind == DestinationKind::S3 {
        "then lost"
    } else {
        "after the retry duration they go to the S3 backup; if that fails too, then lost"
    };
    match fresh {
        Some(f) if freshness_level(f, buffer) == Level::Fail => {
            // Records that arrived since the oldest undelivered one: at most this many wait.
            // From the finest series that reaches back that far.
            let fine = if f64::from(rm.window.minutes()) * 60.0 >= f {
                rm
            } else {
                m
            };
            let points = (f / f64::from(fine.window.period_seconds)).ceil() as usize + 1;
            let held = fine
                .series(&sc, incoming)
                .map(|p| p.tail(points).iter().flatten().sum::<f64>());
            let mut l = base(
                Place::Undelivered,
                Fate::AtRisk,
                held.map(whole),
                "records",
                String::new(),
                format!(
                    "{}, Maximum of the last minutes; {}",
                    MetricId::DataFreshness(kind).name(),
                    incoming.name()
                ),
            );
            l.at_most = true;
            let up_to = held.map_or_else(String::new, |h| format!("up to {} ", count(h)));
            match limit {
                Some(limit) if f >= limit => {
                    l.fate = Fate::Lost;
                    l.summary = format!(
                        "{up_to}records undelivered for {}: past the {} Firehose keeps them — the oldest are lost",
                        fmt_duration(f),
                        fmt_duration(limit)
                    );
                }
                Some(limit) => {
                    let d = inp.now + Duration::seconds((limit - f) as i64);
                    l.deadline = Some(d);
                    l.summary = format!(
                        "{up_to}records undelivered, the oldest for {} (buffer {}): lost {} unless delivery resumes ({source_note}; {then})",
                        fmt_duration(f),
                        fmt_duration(buffer),
                        deadline_text(d, inp.now)
                    );
                }
                None => {
                    l.summary = format!(
                        "{up_to}records undelivered, the oldest for {} (buffer {}): {source_note}",
                        fmt_duration(f),
                        fmt_duration(buffer)
                    );
                }
            }
            out.push(l);
        }
        None => {
            // Records arriving and none delivered, with no freshness to say how old: undecided.
            let arrived = rm.recent_sum(&sc, incoming).unwrap_or(0.0);
            let delivered = rm
                .recent_sum(&sc, MetricId::DeliveryRecords(kind))
                .unwrap_or(0.0);
            if arrived > 0.0 && delivered <= 0.0 {
                out.push(base(
                    Place::NotRead,
                    Fate::Unknown,
                    Some(whole(arrived)),
                    "records",
                    format!(
                        "{} records arrived in the last minutes and none was delivered, and {} is not published: how long they have is not known",
                        count(arrived),
                        MetricId::DataFreshness(kind).name()
                    ),
                    format!("{}, {}", incoming.name(), MetricId::DeliveryRecords(kind).name()),
                ));
            }
        }
        Some(_) => {}
    }
    // A Kinesis source read too late: its records expire with the data stream's retention.
    if let Some(ms) = rm.recent_max(&sc, MetricId::KinesisMillisBehindLatest) {
        let behind = ms / 1000.0;
        if freshness_level(behind, buffer) == Level::Fail {
            let d = inp.now + Duration::seconds((RETENTION_SECONDS - behind) as i64);
            let mut l = base(
                Place::SourceBehind,
                if behind >= RETENTION_SECONDS {
                    Fate::Lost
                } else {
                    Fate::AtRisk
                },
                None,
                "records",
                format!(
                    "reading the source data stream {} behind its newest record: records not read expire with the stream's retention — {} at the earliest (24 h assumed)",
                    fmt_duration(behind),
                    deadline_text(d, inp.now)
                ),
                "KinesisMillisBehindLatest, Maximum of the last minutes".into(),
            );
            l.deadline = Some(d);
            out.push(l);
        }
    }
    // Records the stream refused: the producer must send them again.
    let throttled = m.window_sum(&sc, MetricId::ThrottledRecords).unwrap_or(0.0);
    if throttled > 0.0 {
        let fed: Vec<String> = inv
            .rules
            .iter()
            .filter(|r| {
                r.targets
                    .iter()
                    .any(|t| r.local_stream(t) == Some(s.name.as_str()))
            })
            .map(|r| format!("{}/{}", r.bus, r.name))
            .collect();
        let who = if fed.is_empty() {
            "the producer must send them again; whether it did is not known".to_string()
        } else {
            format!(
                "EventBridge retries what it sent (rules feeding the stream: {}); other producers must send theirs again",
                fed.join(", ")
            )
        };
        out.push(base(
            Place::Throttled,
            Fate::AtRisk,
            Some(whole(throttled)),
            "records",
            format!(
                "{} records refused by the stream in {window} (throttled): {who}",
                count(throttled)
            ),
            format!("ThrottledRecords, Sum over {window}"),
        ));
    }
    // Failed records kept in S3 (recoverable): by metric.
    let backup = s.bucket().map(|b| {
        format!(
            "s3://{}/{}",
            crate::model::bucket_from_arn(&b.bucket_arn),
            b.error_output_prefix
                .as_deref()
                .or(b.prefix.as_deref())
                .unwrap_or("")
        )
    });
    let kept = |place, id: MetricId, unit, what: &str| {
        let n = m.window_sum(&sc, id).unwrap_or(0.0);
        (n > 0.0).then(|| {
            let mut l = base(
                place,
                Fate::Recoverable,
                Some(whole(n)),
                unit,
                format!("{} {unit} {what} in {window}", count(n)),
                format!("{}, Sum over {window}", id.name()),
            );
            l.location = backup.clone();
            l
        })
    };
    if s.format_conversion {
        out.extend(kept(
            Place::ConversionFailed,
            MetricId::FailedConversionRecords,
            "records",
            "failed format conversion and were written to the S3 error output (format-conversion-failed)",
        ));
    }
    if kind == DestinationKind::Iceberg {
        out.extend(kept(
            Place::IcebergFailedRows,
            MetricId::IcebergFailedRows,
            "rows",
            "failed delivery to Apache Iceberg Tables and were written to the S3 backup",
        ));
    } else if kind != DestinationKind::S3
        && s.service()
            .and_then(|d| d.backup_mode.as_deref())
            .is_some_and(|b| b.starts_with("Failed"))
    {
        out.extend(kept(
            Place::S3Backup,
            MetricId::DeliveryRecords(DestinationKind::S3),
            "records",
            "failed delivery and were backed up to S3 (the backup holds failed data only)",
        ));
    }
}

/// The error output's lines: objects by error output type, recoverable (S3 keeps them until
/// a lifecycle rule, which fhtop does not read, expires them).
fn output_lines(s: &Stream, listing: &BResult<ErrorObjects>) -> Vec<LossLine> {
    let base = LossLine {
        target: s.name.clone(),
        place: Place::ErrorOutput,
        fate: Fate::Recoverable,
        count: None,
        at_most: false,
        unit: "objects",
        deadline: None,
        summary: String::new(),
        location: None,
        evidence: "ListObjectsV2 of the error output".into(),
        command: None,
        replay_window: None,
    };
    let o = match listing {
        Err(e) => {
            return vec![LossLine {
                place: Place::NotRead,
                fate: Fate::Unknown,
                summary: format!("the S3 error output could not be listed: {}", e.explained()),
                ..base
            }];
        }
        Ok(o) => o,
    };
    let mut out: Vec<LossLine> = o
        .by_type
        .iter()
        .map(|(kind, t)| LossLine {
            count: Some(t.objects),
            summary: format!(
                "{} objects ({}) of {kind} records in the S3 error output since {} UTC{}",
                t.objects,
                crate::text::bytes(t.bytes as f64),
                o.since.format("%b %d %H:%M"),
                t.newest
                    .map(|n| format!(", the newest written {} UTC", n.format("%H:%M")))
                    .unwrap_or_default()
            ),
            location: Some(format!("s3://{}/{}", o.bucket, t.prefix)),
            ..base.clone()
        })
        .collect();
    if o.truncated {
        out.push(LossLine {
            place: Place::NotRead,
            fate: Fate::Unknown,
            summary: format!(
                "the error output listing stopped after {} ListObjectsV2 pages: more objects may be there",
                o.list_calls
            ),
            ..base
        });
    }
    out
}
