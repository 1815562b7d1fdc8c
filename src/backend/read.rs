//! Reads over the [`Backend`] trait that the pollers and the judges both make: metric queries
//! into [`Metrics`] in GetMetricData batches ([`fetch_into`], [`fetch`]) and a log
//! group's newest events ([`newest_events`]). No store, no plan: what to read is the caller's.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::backend::{Backend, BackendError, ErrorKind};
use crate::model::{MetricQuery, MetricWindow, Metrics};

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
    fetch_batched(backend, m, queries, FETCH_BATCH).await
}

/// [`fetch_into`] with `batch` queries a backend call.
async fn fetch_batched(
    backend: &dyn Backend,
    m: &mut Metrics,
    queries: Vec<MetricQuery>,
    batch: usize,
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
        // Up to BATCHES_IN_FLIGHT GetMetricData batches at once, each stored (4 bytes a
        // point) as it lands: the answers in flight are two batches' (16 bytes a point), not
        // the account's — at 150 batches of 500 series of 180 points, 3 MB instead of 216 MB.
        // Futures pushed by hand: a combinator's closure over borrowed slices is not `Send`
        // for every lifetime the pollers' spawned tasks need.
        let mut chunks = qs.chunks(batch.max(1));
        let mut answers = FuturesUnordered::new();
        loop {
            while answers.len() < BATCHES_IN_FLIGHT
                && let Some(chunk) = chunks.next()
            {
                let sub = &sub;
                answers.push(async move { (chunk, backend.metrics(chunk, sub).await) });
            }
            let Some((chunk, raw)) = answers.next().await else {
                break;
            };
            let raw = raw?;
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

/// Backend calls of [`fetch_into`] in flight at once. GetMetricData allows 50 calls and
/// 180,000 datapoints a second for windows that start within the last 3 hours ("Which API
/// should I use, GetMetricData or GetMetricStatistics?", AWS Knowledge Center). A batch of 500
/// series over the default 180-minute window is 90,000 datapoints, so two calls a second are
/// the quota: two in flight overlap one call's round trip with the other's answer without
/// asking for more than that (the SDK backs off if CloudWatch throttles anyway). moto answers
/// one call at a time whatever this is (0.36–0.57 s for 500 series here).
pub const BATCHES_IN_FLIGHT: usize = 2;

/// Queries per backend call of [`fetch_into`]: GetMetricData's 500 metrics a call, so the
/// calls are as many as before and the memory of one answer is bounded.
pub const FETCH_BATCH: usize = 500;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::demo::DemoBackend;
    use crate::model::{MetricId, MetricKind, Scope};

    /// Batches answered out of order still land on their own rows: the demo's streams, every
    /// metric of theirs, three queries a call (two in flight), each series equal to the one
    /// asked for alone.
    #[tokio::test]
    async fn every_batch_lands_on_its_own_rows() {
        let clock = crate::backend::Clock::Fixed(
            DateTime::parse_from_rfc3339("2026-03-01T12:00:30Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let backend = DemoBackend::new(7, clock, None);
        let window = MetricWindow::ending_at(clock.now(), 30, 60);
        let names = [
            "orders-to-s3",
            "clickstream-raw",
            "app-logs",
            "metrics-export",
        ];
        let queries: Vec<MetricQuery> = names
            .iter()
            .flat_map(|n| {
                [
                    MetricId::IncomingRecords,
                    MetricId::IncomingBytes,
                    MetricId::DeliveryRecords(crate::model::DestinationKind::S3),
                    MetricId::DataFreshness(crate::model::DestinationKind::S3),
                ]
                .map(|metric| MetricQuery {
                    scope: Scope::Stream((*n).to_string()),
                    metric,
                    kind: MetricKind::Triage,
                })
            })
            .collect();
        let mut m = Metrics::new(window);
        fetch_batched(&backend, &mut m, queries.clone(), 3)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.len(), queries.len());
        let mut with_data = 0;
        for q in &queries {
            let alone = backend
                .metrics(std::slice::from_ref(q), &window)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let alone = alone
                .into_iter()
                .next()
                .map(|s| crate::model::normalise_series(q.metric, s))
                // Kept as f32 (4 bytes a point).
                .map(|s| {
                    s.into_iter()
                        .map(|v| v.map(|v| f64::from(v as f32)))
                        .collect::<Vec<_>>()
                });
            let got = m.series(&q.scope, q.metric).map(|s| s.to_vec());
            assert_eq!(got, alone, "{:?} {:?}", q.scope, q.metric);
            with_data += usize::from(got.is_some_and(|s| s.iter().any(Option::is_some)));
        }
        assert!(
            with_data > queries.len() / 2,
            "the rows differ: {with_data}"
        );
    }
}
