//! The log poller: the error-log groups worth reading ([`log_groups`]) and one read of each,
//! every event exactly once ([`poll_logs`]); FilterLogEvents through the backend.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration as CDuration;

use crate::backend::{BackendError, ErrorKind};
use crate::fresh::ctx::{Interest, PollCtx};
use crate::fresh::store::{LogBuffer, LogStore, Snapshot};
use crate::judge::health::Level;

/// How far back the first read of a log group looks.
pub const LOG_LOOKBACK_MIN: i64 = 15;
/// Minutes before a log group found missing is asked for again.
pub const MISSING_GROUP_RECHECK_MIN: i64 = 5;

/// Most events asked for per group per poll.
pub const LOG_PAGE: usize = 1_000;

/// The log groups worth reading now: what the UI shows, plus the error log of every stream not
/// known to be healthy (failing, warning or undecided: its errors may be the missing evidence).
pub fn log_groups(snap: &Snapshot, interest: &Interest) -> Vec<String> {
    let mut groups: BTreeSet<String> = interest.log_groups.iter().cloned().collect();
    if let Some(inv) = snap.inventory.get() {
        let diagnosis = snap.diagnosis();
        for s in &inv.inv.streams {
            if let Some(g) = s.log_group()
                && diagnosis.stream_level(&s.name) != Level::Ok
            {
                groups.insert(g.to_string());
            }
        }
    }
    groups.into_iter().collect()
}

/// Read new events of each group once; every event lands in the store exactly once.
pub async fn poll_logs(
    c: &PollCtx,
    groups: &[String],
    logs: &mut LogStore,
) -> Result<(), BackendError> {
    let now = c.clock.now();
    let mut last_err = None;
    for g in groups {
        let entry = logs.groups.entry(g.clone()).or_default();
        // A group that does not exist (a rule without an /aws/events/<rule> log group) is
        // asked for again only every few minutes, not every poll.
        if entry
            .missing_since
            .is_some_and(|t| now - t < CDuration::minutes(MISSING_GROUP_RECHECK_MIN))
        {
            continue;
        }
        let since = entry
            .cursor
            .last_ts
            .unwrap_or(now - CDuration::minutes(LOG_LOOKBACK_MIN));
        match c.backend.log_events(g, since, LOG_PAGE).await {
            Ok(events) => {
                let buf = Arc::make_mut(entry);
                let fresh = buf.cursor.take_new(events);
                buf.error = None;
                buf.missing_permission = None;
                buf.missing_since = None;
                buf.push(fresh);
            }
            Err(e) => {
                let buf: &mut LogBuffer = Arc::make_mut(entry);
                buf.error = Some(e.message.clone());
                buf.missing_permission = e.missing_permission();
                if e.kind == ErrorKind::NotFound {
                    buf.missing_since = Some(now);
                } else {
                    last_err = Some(e);
                }
            }
        }
    }
    c.store.set_logs(logs.clone(), now);
    match last_err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
