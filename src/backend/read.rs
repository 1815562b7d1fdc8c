//! Reads over the [`Backend`] trait that the pollers and the judges both make: metric queries
//! into [`Metrics`] in GetMetricData batches ([`fetch_into`], [`fetch_metrics`]) and a log
//! group's newest events ([`newest_events`]). No store, no plan: what to read is the caller's.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::backend::{Backend, BackendError, ErrorKind};
use crate::model::{Inventory, MetricQuery, MetricWindow, Metrics, metric_queries};

/// Periods read again when a series is extended: CloudWatch can publish a datapoint for a
/// period a few minutes after it ended.
pub const OVERLAP_POINTS: usize = 5;

/// Extensions start on a multiple of this many periods, so that the rows of one poll share a
/// few GetMetricData time ranges (one call per range and 500 metrics).
const START_STEP: usize = 10;

/// Fetches `queries` into `m` (whose window they follow): a series `m` already has is
/// extended from [`OVERLAP_POINTS`] before its end, a new one read over the whole window.
/// One backend call per distinct start and [`FETCH_BATCH`] queries.
///
/// Errors: the backend's [`BackendError`]; `m` is then partly updated.
pub async fn fetch_into(
    backend: &dyn Backend,
    m: &mut Metrics,
    queries: Vec<MetricQuery>,
) -> Result<(), BackendError> {
    let window = m.window;
    let mut groups: HashMap<usize, Vec<MetricQuery>> = HashMap::new();
    for q in queries {
        let start = match m.series(&q.scope, q.metric) {
            Some(s) => s.len().saturating_sub(OVERLAP_POINTS) / START_STEP * START_STEP,
            None => 0,
        };
        groups
            .entry(start.min(window.points.saturating_sub(1)))
            .or_default()
            .push(q);
    }
    let mut starts: Vec<usize> = groups.keys().copied().collect();
    starts.sort_unstable();
    for start in starts {
        let Some(qs) = groups.remove(&start) else {
            continue;
        };
        let sub = MetricWindow {
            start: window.time_of(start),
            period_seconds: window.period_seconds,
            points: window.points - start,
        };
        // One GetMetricData batch at a time, each stored (4 bytes a point) before the next is
        // asked for: the answers in flight are one batch's (16 bytes a point), not the
        // account's — at 7,500 series of 60 points, 0.5 MB instead of 7 MB.
        for chunk in qs.chunks(FETCH_BATCH) {
            let raw = backend.metrics(chunk, &sub).await?;
            if raw.len() != chunk.len() {
                return Err(BackendError::new(
                    ErrorKind::Other,
                    format!("asked for {} series, got {}", chunk.len(), raw.len()),
                ));
            }
            for (q, mut s) in chunk.iter().zip(raw) {
                s.resize(sub.points, None);
                m.put(q.scope.clone(), q.metric, start, s);
            }
        }
    }
    Ok(())
}

/// Queries per backend call of [`fetch_into`]: GetMetricData's 500 metrics a call, so the
/// calls are as many as before and the memory of one answer is bounded.
pub const FETCH_BATCH: usize = 500;

/// Every row's triage set (what the checks read, `model::MetricId::triage`) over
/// `window_minutes` ending at `now`, aligned and normalised (the batching is the backend's:
/// GetMetricData, 500 a call).
pub async fn fetch_metrics(
    backend: &dyn Backend,
    inv: &Inventory,
    now: DateTime<Utc>,
    window_minutes: u32,
) -> Result<Metrics, BackendError> {
    let window = MetricWindow::ending_at(now, window_minutes, 60);
    fetch(backend, metric_queries(inv, &[]), window).await
}

/// `queries` over `window`, aligned and normalised: [`fetch_into`] on empty
/// metrics.
pub async fn fetch(
    backend: &dyn Backend,
    queries: Vec<MetricQuery>,
    window: MetricWindow,
) -> Result<Metrics, BackendError> {
    let mut m = Metrics::new(window);
    fetch_into(backend, &mut m, queries).await?;
    Ok(m)
}

/// Events of `group` from `since`, at most `limit` a read. FilterLogEvents answers oldest
/// first, so when the first read is full, the events from `recent` on are read too (each event
/// once): the newest are then there. A failure of that second read comes back beside the first
/// read's events, for the caller to weigh.
///
/// Errors: the first read's [`BackendError`].
pub async fn newest_events(
    backend: &dyn Backend,
    group: &str,
    since: DateTime<Utc>,
    recent: DateTime<Utc>,
    limit: usize,
) -> Result<(Vec<crate::model::LogEvent>, Option<BackendError>), BackendError> {
    let mut events = backend.log_events(group, since, limit).await?;
    if events.len() < limit {
        return Ok((events, None));
    }
    match backend.log_events(group, recent, limit).await {
        Ok(newer) => {
            let seen: BTreeSet<String> = events.iter().map(|e| e.event_id.clone()).collect();
            events.extend(newer.into_iter().filter(|e| !seen.contains(&e.event_id)));
            Ok((events, None))
        }
        Err(e) => Ok((events, Some(e))),
    }
}
