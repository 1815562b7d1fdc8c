//! Pollers: one tokio task per data kind, each on its own interval, with jittered exponential
//! backoff on failure. They publish into the [`Store`] and never touch the terminal.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as CDuration, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::backend::{Backend, BackendError, Clock, ErrorKind};
use crate::config::Intervals;
use crate::health::Level;
use crate::model::{Inventory, MetricWindow, Metrics, Scope, metric_queries};
use crate::store::{LogBuffer, LogStore, SectionKind, Snapshot, Store};

/// How far back the first read of a log group looks.
pub const LOG_LOOKBACK_MIN: i64 = 15;
/// Longest wait between polls of a failing section (unless its interval is longer).
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// Minutes before a log group found missing is asked for again.
pub const MISSING_GROUP_RECHECK_MIN: i64 = 5;

/// Most events asked for per group per poll.
pub const LOG_PAGE: usize = 1_000;

/// What the UI is looking at, so the log poller reads only the groups that matter and the
/// chart poller only what the charts show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interest {
    /// Log groups the open panes show (e.g. the selected stream's error log); read every log poll.
    pub log_groups: Vec<String>,
    /// A chart window longer than the health metrics' window, when one is chosen.
    pub chart: Option<ChartWant>,
}

/// The charts' own fetch: their window, and the drill-in whose every metric they show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartWant {
    /// The window in minutes (one of `model::CHART_WINDOWS_MIN`).
    pub minutes: u32,
    /// The stream or rule drill-in open, if any.
    pub detail: Option<crate::model::Scope>,
}

/// One fetch of the charts' series for `want` (period from [`crate::model::chart_period`]) and
/// publish it.
///
/// Errors: the backend's [`BackendError`] (the section keeps its last data).
pub async fn poll_chart(c: &PollCtx, want: &ChartWant) -> Result<(), BackendError> {
    let snap = c.store.snapshot();
    let Some(inv) = snap.inventory.get() else {
        return Err(BackendError::new(
            ErrorKind::Other,
            "waiting for the inventory",
        ));
    };
    let now = c.clock.now();
    let window =
        MetricWindow::ending_at(now, want.minutes, crate::model::chart_period(want.minutes));
    let queries = crate::model::chart_queries(&inv.inv, want.detail.as_ref());
    let m = fetch(c.backend.as_ref(), queries, window).await?;
    c.store.set_chart(m, now);
    Ok(())
}

/// What every poller needs: where to read, where to publish, and the clock.
#[derive(Clone)]
pub struct PollCtx {
    /// The backend to read (AWS or demo).
    pub backend: Arc<dyn Backend>,
    /// The store the pollers publish into.
    pub store: Arc<Store>,
    /// Where "now" comes from (fixed in `fhtop snapshot`).
    pub clock: Clock,
    /// The metrics window length in minutes (one 60-second period per point).
    pub window_minutes: u32,
    /// Where the inventory is cached between runs (`crate::cache`); `None` keeps no cache.
    pub cache_dir: Option<std::path::PathBuf>,
}

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

/// Writes `inv` to the cache of this account and region (`crate::cache`), when the context
/// keeps one and the account is not the demo; a failure is one log line, never an error.
pub fn save_inventory_cache(c: &PollCtx, inv: &Inventory) {
    if let Some(dir) = &c.cache_dir
        && let Some(id) = c.store.snapshot().identity.get().filter(|i| !i.demo)
        && let Err(e) = crate::cache::save(dir, &id.account, &id.region, inv, c.clock.now())
    {
        tracing::warn!(
            "inventory cache not written: {}",
            crate::sanitize::clean(&e)
        );
    }
}

/// The warm start: the cached inventory of this account and region, shown (marked cached)
/// until the first fresh walk replaces it, and returned with when it was read from AWS (to
/// seed [`crate::walk::Walker`]). Reads the identity for the cache key; a cache that cannot
/// be read is ignored with one log line.
pub async fn warm_start(c: &PollCtx) -> Option<(Inventory, DateTime<Utc>)> {
    let dir = c.cache_dir.as_ref()?;
    let id = c.backend.identity().await.ok()?;
    if id.demo {
        return None;
    }
    // The header names the account the cached rows belong to.
    c.store.set_identity(id.clone(), c.clock.now());
    match crate::cache::load(dir, &id.account, &id.region) {
        Ok(Some((inv, at))) => {
            tracing::info!(
                "showing the cached inventory of {} {} from {} until the fresh one is read",
                id.account,
                id.region,
                at.format("%Y-%m-%d %H:%M UTC")
            );
            c.store.set_inventory_cached(inv.clone(), at);
            Some((inv, at))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!("inventory cache ignored: {}", crate::sanitize::clean(&e));
            None
        }
    }
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

/// One metrics poll of the metric plan ([`crate::plan`]): the rows `want` shows, the failing
/// rows, the rotation's share of the others (each row's triage set, the selection's
/// and drill-in's every metric), each extended by its newest periods, over the metrics window
/// ending now; published with the other rows' series carried over; `plan` notes what was
/// fetched. `every` is the metrics interval. Needs the inventory.
///
/// Errors: "waiting for the inventory" without one, else the backend's [`BackendError`] (the
/// published metrics stay as they were).
pub async fn poll_metrics(
    c: &PollCtx,
    snap: &Snapshot,
    plan: &mut crate::plan::Plan,
    want: &crate::plan::Want,
    every: Duration,
) -> Result<(), BackendError> {
    let Some(inv) = snap.inventory.get() else {
        return Err(BackendError::new(
            ErrorKind::Other,
            "waiting for the inventory",
        ));
    };
    let now = c.clock.now();
    plan.retain(&inv.inv);
    let window = MetricWindow::ending_at(now, c.window_minutes, 60);
    let mut m = crate::plan::carry(snap.metrics.get(), window, &inv.inv, &want.full);
    let queries = plan.poll(&inv.inv, want, &urgent_rows(snap), &m, now, every);
    crate::plan::fetch_into(c.backend.as_ref(), &mut m, queries.clone()).await?;
    plan.record(&queries, now);
    c.store.set_metrics(m, now);
    Ok(())
}

/// Every metric of every row over the metrics window ending now, published: the one-shot
/// fetch of `fhtop snapshot` and the headless app, whose keys open drill-ins afterwards.
///
/// Errors: as [`poll_metrics`].
pub async fn poll_all_metrics(c: &PollCtx, snap: &Snapshot) -> Result<(), BackendError> {
    let full = snap
        .inventory
        .get()
        .map(|i| i.inv.scopes())
        .unwrap_or_default();
    let want = crate::plan::Want {
        screen: full.clone(),
        full,
    };
    poll_metrics(
        c,
        snap,
        &mut crate::plan::Plan::default(),
        &want,
        Duration::from_secs(60),
    )
    .await
}

/// Rows whose health is FAIL now (the shared diagnosis of the snapshot): fetched every poll
/// wherever they are, so that a recovery shows at once. (WARN rows, often rules that matched
/// nothing in the window, follow the rotation.)
fn urgent_rows(snap: &Snapshot) -> HashSet<Scope> {
    let d = snap.diagnosis();
    let streams = d
        .streams
        .iter()
        .filter(|(_, h)| h.level == Level::Fail)
        .map(|(n, _)| Scope::Stream(n.clone()));
    let rules = d
        .rules
        .iter()
        .filter(|(_, h)| h.level == Level::Fail)
        .map(|(k, _)| Scope::Rule(k.clone()));
    streams.chain(rules).collect()
}

/// Least time between two looks for streams and rules the walk added since the last metrics
/// fetch (and a new selection's drill-in metrics, rows scrolled to): short enough that every
/// row's triage metrics follow the names within seconds on a cold start, long enough that the
/// walk's publishes (every second) are batched into few GetMetricData calls.
pub const NEW_METRICS_EVERY: Duration = Duration::from_secs(2);

/// A look between polls ([`crate::plan::Plan::look`]): rows the walk added, the rest of the
/// metrics of a newly selected or opened row, rows scrolled to whose metrics are older than
/// two polls (`every` is the metrics interval); fetched over the published window and merged
/// into it. Nothing is fetched when nothing is due or no metrics were published yet.
///
/// Errors: the backend's [`BackendError`] (the published metrics stay as they were).
pub async fn poll_new_metrics(
    c: &PollCtx,
    plan: &mut crate::plan::Plan,
    want: &crate::plan::Want,
    every: Duration,
) -> Result<(), BackendError> {
    let snap = c.store.snapshot();
    let (Some(inv), Some(m)) = (snap.inventory.get(), snap.metrics.get()) else {
        return Ok(());
    };
    let now = c.clock.now();
    let queries = plan.look(&inv.inv, want, m, now, every * 2);
    if queries.is_empty() {
        return Ok(());
    }
    let mut merged = crate::plan::carry(Some(m), m.window, &inv.inv, &want.full);
    crate::plan::fetch_into(c.backend.as_ref(), &mut merged, queries.clone()).await?;
    plan.record(&queries, now);
    let at = snap.metrics.fetched_at.unwrap_or(now);
    c.store.set_metrics(merged, at);
    Ok(())
}

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

/// `queries` over `window`, aligned and normalised: [`crate::plan::fetch_into`] on empty
/// metrics.
async fn fetch(
    backend: &dyn Backend,
    queries: Vec<crate::model::MetricQuery>,
    window: MetricWindow,
) -> Result<Metrics, BackendError> {
    let mut m = Metrics::new(window);
    crate::plan::fetch_into(backend, &mut m, queries).await?;
    Ok(m)
}

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
    wanted: watch::Sender<crate::walk::Wanted>,
}

impl Pollers {
    /// Wakes every poller to poll now, cutting short its wait or backoff.
    pub fn refresh_now(&self) {
        self.refresh.send_modify(|n| *n += 1);
    }
    /// Tells the inventory walk which rows the UI shows, to read them first (no-op when
    /// unchanged; never wakes a poller).
    pub fn set_wanted(&self, w: crate::walk::Wanted) {
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
                        crate::sanitize::clean(&e.message)
                    ),
                    None => tracing::warn!(
                        "{kind:?}: poll failed: {}",
                        crate::sanitize::clean(&e.message)
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

    let (wanted, wanted_rx) = watch::channel(crate::walk::Wanted::default());
    let simple: [(SectionKind, u64); 3] = [
        (SectionKind::Identity, 300),
        (SectionKind::Inventory, intervals.inventory),
        (SectionKind::Alarms, intervals.alarms),
    ];
    for (kind, secs) in simple {
        let c = c.clone();
        let tx = refresh.clone();
        let mut rx = refresh.subscribe();
        let wanted_rx = wanted_rx.clone();
        handles.push(tokio::spawn(async move {
            let mut failures = 0;
            // The inventory is walked progressively (names first), seeded by the warm start.
            let mut walker = crate::walk::Walker::new(Duration::from_secs(secs.max(1)));
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
                                again = end == crate::walk::WalkEnd::Interrupted;
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
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = rx.changed() => {}
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
            let mut plan = crate::plan::Plan::default();
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
                loop {
                    let look = tokio::select! {
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
                    if let Err(e) = poll_new_metrics(&c, &mut plan, &want, base).await {
                        c.store.set_error(SectionKind::Metrics, &e, c.clock.now());
                        log_outcome(SectionKind::Metrics, &Err(e), &mut failures, &tx);
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
                last_wanted.retain(|_, t| now - *t < CDuration::minutes(10));
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
