//! Pollers: one tokio task per data kind, each on its own interval, with jittered exponential
//! backoff on failure. They publish into the [`super::store::Store`] and never touch the terminal. What each
//! reads is in its own file: [`super::metrics`] (the metric plan's polls and the charts),
//! [`super::logs`] (error logs), [`super::walk`] (the progressive inventory walk).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::backend::BackendError;
use crate::config::Intervals;
use crate::fresh::cache::{save_inventory_cache, warm_start};
use crate::fresh::ctx::{ChartWant, Interest, PollCtx};
use crate::fresh::logs::{log_groups, poll_logs};
use crate::fresh::metrics::{
    NEW_METRICS_EVERY, poll_all_metrics, poll_chart, poll_history, poll_metrics, poll_new_metrics,
};
use crate::fresh::store::{LogStore, SectionKind};

/// Longest wait between polls of a failing section (unless its interval is longer).
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// Reads the caller identity and publishes it.
///
/// Errors: the backend's [`BackendError`] (e.g. `Auth`, `ExpiredCredentials`, `Network`); the store
/// is untouched.
pub async fn poll_identity(c: &PollCtx) -> Result<(), BackendError> {
    let id = c.backend.identity().await?;
    c.store.set_identity(id, c.clock.now());
    Ok(())
}

/// Reads the whole inventory and publishes it.
///
/// Errors: the backend's [`BackendError`] when the account cannot be read (per-resource failures
/// are error rows in the inventory, not errors).
pub async fn poll_inventory(c: &PollCtx) -> Result<(), BackendError> {
    let inv = c.backend.inventory().await?;
    save_inventory_cache(c, &inv);
    c.store.set_inventory(inv, c.clock.now());
    Ok(())
}

/// Reads every CloudWatch alarm and publishes them, then their state changes over the metrics
/// window (DescribeAlarmHistory) for the timelines: a history that cannot be read is that
/// section's error, never the alarms'.
///
/// Errors: the backend's [`BackendError`] for the alarms; the store is untouched.
pub async fn poll_alarms(c: &PollCtx) -> Result<(), BackendError> {
    let alarms = c.backend.alarms().await?;
    let now = c.clock.now();
    c.store.set_alarms(alarms, now);
    let since = now - chrono::Duration::minutes(i64::from(c.window_minutes));
    match c.backend.alarm_history(since).await {
        Ok(h) => c.store.set_alarm_history(h, c.clock.now()),
        Err(e) => {
            c.store
                .set_error(SectionKind::AlarmHistory, &e, c.clock.now());
        }
    }
    Ok(())
}

/// Every section once, in dependency order (what the tests use). A failing section is marked
/// stale with its error and the others still run; the first error is returned.
pub async fn poll_once(c: &PollCtx, interest: &Interest) -> Result<(), BackendError> {
    let mut first = None;
    let mut record = |kind: SectionKind, r: Result<(), BackendError>| {
        if let Err(e) = r {
            c.store.set_error(kind, &e, c.clock.now());
            first.get_or_insert(e);
        }
    };
    record(SectionKind::Identity, poll_identity(c).await);
    record(SectionKind::Inventory, poll_inventory(c).await);
    record(SectionKind::Alarms, poll_alarms(c).await);
    let snap = c.store.snapshot();
    if snap.inventory.data.is_some() {
        // One shot, drill-ins opened afterwards by keys: every row's every metric.
        record(SectionKind::Metrics, poll_all_metrics(c, &snap).await);
    }
    let snap = c.store.snapshot();
    let mut logs = LogStore::default();
    record(
        SectionKind::Logs,
        poll_logs(c, &log_groups(&snap, interest), &mut logs).await,
    );
    publish_api_stats(c);
    first.map_or(Ok(()), Err)
}

/// Shortest step of the retry backoff: a failing section is asked again after this, doubled
/// per consecutive failure.
pub const RETRY_STEP: Duration = Duration::from_secs(10);

/// Delay before the next poll: the interval while polls succeed; after a failure, the shorter
/// of the interval and [`RETRY_STEP`] doubled per consecutive failure, capped at a minute — so a
/// section recovers within a minute of the fault ending even when its interval is five (a
/// failed identity or inventory poll is not left stale for its whole interval). Spread ±20 %
/// (never past the cap after a failure) so pollers do not synchronise against a throttled API.
pub fn next_delay(base: Duration, failures: u32, jitter01: f64) -> Duration {
    let spread = 0.8 + 0.4 * jitter01.clamp(0.0, 1.0);
    if failures == 0 {
        return base.mul_f64(spread);
    }
    let factor = 2u32.saturating_pow(failures.min(6));
    base.min(RETRY_STEP)
        .saturating_mul(factor)
        .min(BACKOFF_CAP)
        .mul_f64(spread)
        .min(BACKOFF_CAP)
}

fn jitter() -> f64 {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(n % 1000) / 1000.0
}

/// Handles to the running pollers; `refresh` wakes them all now.
pub struct Pollers {
    /// One task per section (identity, inventory, alarms, metrics, logs); aborted when `Pollers`
    /// drops.
    pub handles: Vec<JoinHandle<()>>,
    refresh: Arc<watch::Sender<u64>>,
    interest: watch::Sender<Interest>,
    wanted: watch::Sender<crate::fresh::walk::Wanted>,
}

impl Pollers {
    /// Wakes every poller to poll now, cutting short its wait or backoff.
    pub fn refresh_now(&self) {
        self.refresh.send_modify(|n| *n += 1);
    }
    /// Tells the inventory walk which rows the UI shows, to read them first (no-op when
    /// unchanged; never wakes a poller).
    pub fn set_wanted(&self, w: crate::fresh::walk::Wanted) {
        self.wanted.send_if_modified(|cur| {
            if *cur == w {
                false
            } else {
                *cur = w;
                true
            }
        });
    }
    /// Tells the log poller which groups the UI shows; a change wakes it (no-op when unchanged).
    pub fn set_interest(&self, i: Interest) {
        self.interest.send_if_modified(|cur| {
            if *cur == i {
                false
            } else {
                *cur = i;
                true
            }
        });
    }
}

impl Drop for Pollers {
    fn drop(&mut self) {
        for h in &self.handles {
            h.abort();
        }
    }
}

/// Publish what the backend has cost so far (for the API cost pane).
pub fn publish_api_stats(c: &PollCtx) {
    if let Some(v) = c.backend.api_stats() {
        c.store.set_api(v, c.clock.now());
    }
}

/// Report a failure once (not once per retry) and a recovery once. A recovery wakes every
/// poller: whatever failed (network, credentials) is likely fixed for the others too, and they
/// should not wait out their backoff.
fn log_outcome(
    kind: SectionKind,
    res: &Result<(), BackendError>,
    failures: &mut u32,
    refresh: &watch::Sender<u64>,
) {
    match res {
        Ok(()) => {
            if *failures > 0 {
                tracing::info!("{kind:?}: recovered after {failures} failed poll(s)");
                refresh.send_modify(|n| *n += 1);
            }
            *failures = 0;
        }
        Err(e) => {
            *failures += 1;
            if *failures == 1 {
                match e.missing_permission() {
                    // Said once: which feature is off and what turns it on.
                    Some(p) => tracing::warn!(
                        "{kind:?}: off until fhtop's role may call {p} ({}): {}",
                        e.op.map_or("", |o| o.feature()),
                        crate::text::sanitize::clean(&e.message)
                    ),
                    None => tracing::warn!(
                        "{kind:?}: poll failed: {}",
                        crate::text::sanitize::clean(&e.message)
                    ),
                }
            }
        }
    }
}

/// Starts the pollers on the current tokio runtime: identity every 300 s, the others at
/// `intervals` (seconds), each with backoff on failure ([`next_delay`]).
pub fn spawn(c: PollCtx, intervals: Intervals) -> Pollers {
    let refresh = Arc::new(watch::channel(0u64).0);
    let (interest, _) = watch::channel(Interest::default());
    let mut handles = Vec::new();

    let (wanted, wanted_rx) = watch::channel(crate::fresh::walk::Wanted::default());
    let simple: [(SectionKind, u64); 3] = [
        (SectionKind::Identity, 300),
        (SectionKind::Inventory, intervals.inventory),
        (SectionKind::Alarms, intervals.alarms),
    ];
    for (kind, secs) in simple {
        let c = c.clone();
        let tx = refresh.clone();
        let mut rx = refresh.subscribe();
        let mut wanted_rx = wanted_rx.clone();
        handles.push(tokio::spawn(async move {
            let mut failures = 0;
            // The inventory is walked progressively (names first), seeded by the warm start.
            let mut walker = crate::fresh::walk::Walker::new(Duration::from_secs(secs.max(1)));
            if kind == SectionKind::Inventory
                && let Some((inv, at)) = warm_start(&c).await
            {
                walker.seed(&inv, at);
            }
            loop {
                let mut again = false;
                let res = match kind {
                    SectionKind::Identity => poll_identity(&c).await,
                    SectionKind::Inventory => {
                        // A refresh from here on cuts the walk short; one before it is seen.
                        rx.borrow_and_update();
                        match walker.walk(&c, &wanted_rx, &mut rx).await {
                            Ok(end) => {
                                again = end == crate::fresh::walk::WalkEnd::Interrupted;
                                Ok(())
                            }
                            Err(e) => Err(e),
                        }
                    }
                    _ => poll_alarms(&c).await,
                };
                if let Err(e) = &res {
                    c.store.set_error(kind, e, c.clock.now());
                }
                log_outcome(kind, &res, &mut failures, &tx);
                publish_api_stats(&c);
                if again {
                    continue;
                }
                let delay = next_delay(Duration::from_secs(secs.max(1)), failures, jitter());
                let sleep = tokio::time::sleep(delay);
                tokio::pin!(sleep);
                let mut watching = kind == SectionKind::Inventory;
                loop {
                    tokio::select! {
                        _ = &mut sleep => break,
                        _ = rx.changed() => break,
                        // Between walks, an idle rule scrolled to is read at once.
                        r = wanted_rx.changed(), if watching => {
                            if r.is_err() {
                                // The view is gone: nothing is scrolled to any more.
                                watching = false;
                                continue;
                            }
                            let w = wanted_rx.borrow_and_update().clone();
                            walker.read_wanted(&c, &w).await;
                        }
                    }
                }
            }
        }));
    }

    {
        let c = c.clone();
        let tx = refresh.clone();
        let mut rx = refresh.subscribe();
        let mut store_rx = c.store.subscribe();
        let mut wanted_rx = wanted_rx.clone();
        let base = Duration::from_secs(intervals.metrics.max(1));
        handles.push(tokio::spawn(async move {
            let mut failures = 0;
            // When each row was fetched: the walk adds streams and rules between polls, and
            // their metrics are asked for as they appear, not a minute later.
            let mut plan = crate::fresh::plan::Plan::default();
            loop {
                let snap = c.store.snapshot();
                if snap.inventory.data.is_none() {
                    // Nothing to ask for yet: wait for the inventory.
                    if store_rx.changed().await.is_err() {
                        return;
                    }
                    continue;
                }
                let want = wanted_rx.borrow_and_update().metrics.clone();
                let res = poll_metrics(&c, &snap, &mut plan, &want, base).await;
                if let Err(e) = &res {
                    c.store.set_error(SectionKind::Metrics, e, c.clock.now());
                }
                log_outcome(SectionKind::Metrics, &res, &mut failures, &tx);
                publish_api_stats(&c);
                let sleep = tokio::time::sleep(next_delay(base, failures, jitter()));
                tokio::pin!(sleep);
                let mut checked = tokio::time::Instant::now();
                // A change seen too soon after the last look is looked at when the gap is over.
                let mut deferred = false;
                // A large account's history, a batch at a time when nothing else is due, once
                // every row has its triage metrics; after a failed batch or while rows wait for
                // them, from the next look on.
                let mut history = res.is_ok() && plan.history().loading();
                loop {
                    let look = tokio::select! {
                        biased;
                        _ = &mut sleep => break,
                        _ = rx.changed() => break,
                        r = store_rx.changed() => {
                            if r.is_err() {
                                return;
                            }
                            false
                        }
                        // A new selection or drill-in: the rest of its metrics.
                        r = wanted_rx.changed() => {
                            if r.is_err() {
                                return;
                            }
                            false
                        }
                        _ = tokio::time::sleep_until(checked + NEW_METRICS_EVERY), if deferred => true,
                        _ = std::future::ready(()), if history && failures == 0 => {
                            match poll_history(&c, &mut plan).await {
                                Ok(more) => history = more,
                                Err(e) => {
                                    tracing::debug!("history: {}", crate::text::sanitize::clean(&e.message));
                                    history = false;
                                }
                            }
                            publish_api_stats(&c);
                            continue;
                        }
                    };
                    if failures > 0 {
                        continue;
                    }
                    if !look && checked.elapsed() < NEW_METRICS_EVERY {
                        deferred = true;
                        continue;
                    }
                    deferred = false;
                    checked = tokio::time::Instant::now();
                    let want = wanted_rx.borrow_and_update().metrics.clone();
                    match poll_new_metrics(&c, &mut plan, &want, base).await {
                        // The look may have found the first load large.
                        Ok(()) => history |= plan.history().loading(),
                        Err(e) => {
                            c.store.set_error(SectionKind::Metrics, &e, c.clock.now());
                            log_outcome(SectionKind::Metrics, &Err(e), &mut failures, &tx);
                        }
                    }
                    publish_api_stats(&c);
                }
            }
        }));
    }

    {
        let c = c.clone();
        let tx = refresh.clone();
        let mut rx = refresh.subscribe();
        let mut interest_rx = interest.subscribe();
        let base = Duration::from_secs(intervals.logs.max(1));
        handles.push(tokio::spawn(async move {
            let mut failures = 0;
            let mut logs = LogStore::default();
            // Groups not read for this long are dropped from memory.
            let mut last_wanted: HashMap<String, chrono::DateTime<chrono::Utc>> = HashMap::new();
            loop {
                let snap = c.store.snapshot();
                let wanted = log_groups(&snap, &interest_rx.borrow_and_update().clone());
                let now = c.clock.now();
                for g in &wanted {
                    last_wanted.insert(g.clone(), now);
                }
                last_wanted.retain(|_, t| now - *t < chrono::Duration::minutes(10));
                logs.groups.retain(|g, _| last_wanted.contains_key(g));
                let res = if wanted.is_empty() {
                    Ok(())
                } else {
                    poll_logs(&c, &wanted, &mut logs).await
                };
                if let Err(e) = &res {
                    c.store.set_error(SectionKind::Logs, e, c.clock.now());
                }
                log_outcome(SectionKind::Logs, &res, &mut failures, &tx);
                publish_api_stats(&c);
                tokio::select! {
                    _ = tokio::time::sleep(next_delay(base, failures, jitter())) => {}
                    _ = rx.changed() => {}
                    _ = interest_rx.changed() => {}
                }
            }
        }));
    }

    {
        // The charts' own series, only while a window longer than the health metrics' is
        // chosen; at the metrics interval, or the chart period when that is longer.
        let c = c.clone();
        let tx = refresh.clone();
        let mut rx = refresh.subscribe();
        let mut interest_rx = interest.subscribe();
        let base = Duration::from_secs(intervals.metrics.max(1));
        handles.push(tokio::spawn(async move {
            let mut failures = 0;
            // What was fetched last and when: moving the selection changes the interest (its
            // log groups) but not what the charts need, and must not refetch days of series.
            let mut last: Option<(ChartWant, tokio::time::Instant)> = None;
            let mut force = false;
            loop {
                let want = interest_rx.borrow_and_update().chart.clone();
                let mut wait = Duration::from_secs(3600);
                if let Some(w) = want {
                    let every = base.max(Duration::from_secs(u64::from(
                        crate::model::chart_period(w.minutes),
                    )));
                    let since = match &last {
                        Some((lw, at)) if *lw == w && !force => Some(at.elapsed()),
                        _ => None,
                    };
                    match since {
                        Some(e) if e < next_delay(every, failures, 0.5) => {
                            wait = next_delay(every, failures, 0.5) - e;
                        }
                        _ => {
                            let res = poll_chart(&c, &w).await;
                            if let Err(e) = &res {
                                c.store.set_error(SectionKind::Chart, e, c.clock.now());
                            }
                            log_outcome(SectionKind::Chart, &res, &mut failures, &tx);
                            publish_api_stats(&c);
                            last = Some((w, tokio::time::Instant::now()));
                            wait = next_delay(every, failures, jitter());
                        }
                    }
                }
                force = false;
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = rx.changed() => force = true,
                    _ = interest_rx.changed() => {}
                }
            }
        }));
    }

    Pollers {
        handles,
        refresh,
        interest,
        wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let b = Duration::from_secs(10);
        assert_eq!(next_delay(b, 0, 0.5), b);
        assert_eq!(next_delay(b, 1, 0.5), Duration::from_secs(20));
        assert_eq!(next_delay(b, 2, 0.5), Duration::from_secs(40));
        assert_eq!(next_delay(b, 30, 0.5), Duration::from_secs(60));
        assert_eq!(next_delay(b, 0, 0.0), Duration::from_secs(8));
        assert_eq!(next_delay(b, 0, 1.0), Duration::from_secs(12));
        // A long interval is kept while polls succeed; a failing section is retried within
        // the minute, never later than the cap even with jitter.
        let long = Duration::from_secs(300);
        assert_eq!(next_delay(long, 0, 0.5), long);
        assert_eq!(next_delay(long, 1, 0.5), Duration::from_secs(20));
        assert_eq!(next_delay(long, 4, 0.5), Duration::from_secs(60));
        assert_eq!(next_delay(long, 4, 1.0), Duration::from_secs(60));
    }
}
