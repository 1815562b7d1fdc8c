//! EventBridge archives and replays: ListArchives (every page) with DescribeArchive for each
//! (its pattern and retention), StartReplay, DescribeReplay.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::ReplayDestination;
use aws_smithy_types::DateTime as SmithyTime;
use chrono::{DateTime, Utc};

use super::stats::ApiStats;
use super::{classify, to_chrono};
use crate::backend::{BResult, BackendError, ErrorKind, Op};
use crate::model::archive::{Archive, Replay};

/// The archives of the bus `bus_arn`, each described.
pub(super) async fn archives(c: &Client, stats: &ApiStats, bus_arn: &str) -> BResult<Vec<Archive>> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        stats.call(Op::ListArchives);
        let r = c
            .list_archives()
            .event_source_arn(bus_arn)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListArchives, e))?;
        names.extend(
            r.archives()
                .iter()
                .filter_map(|a| a.archive_name().map(str::to_string)),
        );
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut out = Vec::new();
    for name in names {
        stats.call(Op::DescribeArchive);
        let a = c
            .describe_archive()
            .archive_name(&name)
            .send()
            .await
            .map_err(|e| classify(Op::DescribeArchive, e))?;
        out.push(Archive {
            arn: a.archive_arn().unwrap_or_default().to_string(),
            pattern: a
                .event_pattern()
                .map(str::to_string)
                .filter(|p| !p.trim().is_empty()),
            state: a
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            retention_days: a
                .retention_days()
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(0),
            created: a.creation_time().and_then(to_chrono),
            name,
        });
    }
    Ok(out)
}

/// StartReplay `name` of `archive_arn`'s events from `from` to `to` to the bus `bus_arn`,
/// for the rule `rule_arn` only (`Destination.FilterArns`).
pub(super) async fn start(
    c: &Client,
    stats: &ApiStats,
    name: &str,
    archive_arn: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    (bus_arn, rule_arn): (&str, &str),
) -> BResult<()> {
    stats.call(Op::StartReplay);
    let dest = ReplayDestination::builder()
        .arn(bus_arn)
        .filter_arns(rule_arn)
        .build()
        .map_err(|e| BackendError::new(ErrorKind::Other, e.to_string()))?;
    c.start_replay()
        .replay_name(name)
        .event_source_arn(archive_arn)
        .event_start_time(SmithyTime::from_secs(from.timestamp()))
        .event_end_time(SmithyTime::from_secs(to.timestamp()))
        .destination(dest)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| classify(Op::StartReplay, e))
}

/// DescribeReplay `name`; `None` when there is no such replay.
pub(super) async fn describe(c: &Client, stats: &ApiStats, name: &str) -> BResult<Option<Replay>> {
    stats.call(Op::DescribeReplay);
    match c.describe_replay().replay_name(name).send().await {
        Ok(r) => Ok(Some(Replay {
            name: name.to_string(),
            state: r
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: r.state_reason().map(str::to_string),
            archive_arn: r.event_source_arn().unwrap_or_default().to_string(),
            filter_arns: r
                .destination()
                .map(|d| d.filter_arns().to_vec())
                .unwrap_or_default(),
            window: (
                r.event_start_time().and_then(to_chrono),
                r.event_end_time().and_then(to_chrono),
            ),
            last_replayed: r.event_last_replayed_time().and_then(to_chrono),
        })),
        Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(classify(Op::DescribeReplay, e)),
    }
}
