//! CloudWatch Logs: FilterLogEvents from a timestamp, every page followed up to a cap, paced
//! under the account-wide FilterLogEvents quota. The caller's cursor removes repeats.

use aws_sdk_cloudwatchlogs::Client;
use chrono::{DateTime, Utc};

use super::stats::ApiStats;
use super::{Pace, classify};
use crate::backend::BResult;
use crate::backend::Op;
use crate::model::LogEvent;

/// Pages read per group per poll at most; the rest waits for the next poll.
const MAX_PAGES: usize = 10;

pub(super) async fn events(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    group: &str,
    since: DateTime<Utc>,
    limit: usize,
) -> BResult<Vec<LogEvent>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        pace.wait().await;
        stats.call(Op::FilterLogEvents);
        let r = c
            .filter_log_events()
            .log_group_name(group)
            .start_time(since.timestamp_millis())
            .limit(limit.saturating_sub(out.len()).clamp(1, 10_000) as i32)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::FilterLogEvents, e))?;
        for e in r.events() {
            let Some(ts) = e.timestamp().and_then(DateTime::from_timestamp_millis) else {
                continue;
            };
            let stream = e.log_stream_name().unwrap_or("").to_string();
            out.push(LogEvent {
                group: group.to_string(),
                // Event ids are unique per group in AWS; the stream name keeps them unique
                // with emulators that number events per stream.
                event_id: format!("{stream}/{}", e.event_id().unwrap_or("")),
                stream,
                timestamp: ts,
                message: e.message().unwrap_or("").to_string(),
            });
        }
        token = r.next_token().map(str::to_string);
        if token.is_none() || out.len() >= limit {
            break;
        }
    }
    out.sort_by_key(|e| e.timestamp);
    Ok(out)
}

/// Log groups in one DescribeLogGroups page (its `limit`: 1 to 50; Amazon CloudWatch Logs API
/// Reference, DescribeLogGroups).
const GROUPS_PAGE: i32 = 50;

/// The names of the log groups starting with `prefix` (DescribeLogGroups with
/// `logGroupNamePrefix`, every page), or `None` when there are more than `max_pages` pages.
pub(super) async fn group_names(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    prefix: &str,
    max_pages: usize,
) -> BResult<Option<Vec<String>>> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..max_pages {
        pace.wait().await;
        stats.call(Op::DescribeLogGroups);
        let r = c
            .describe_log_groups()
            .log_group_name_prefix(prefix)
            .limit(GROUPS_PAGE)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::DescribeLogGroups, e))?;
        names.extend(
            r.log_groups()
                .iter()
                .filter_map(|g| g.log_group_name())
                .map(str::to_string),
        );
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(Some(names));
        }
    }
    Ok(None)
}
