//! The metric polls: one poll of the metric plan ([`poll_metrics`]), the looks between polls
//! ([`poll_new_metrics`]), the one-shot fetch of every row ([`poll_all_metrics`]) and the
//! charts' own window ([`poll_chart`]). GetMetricData through the backend, 500 queries a call.

use std::collections::HashSet;
use std::time::Duration;

use crate::backend::{BackendError, ErrorKind};
use crate::fresh::ctx::{ChartWant, PollCtx};
use crate::fresh::store::Snapshot;
use crate::judge::health::Level;
use crate::model::{MetricWindow, Scope};

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
    let m = crate::backend::read::fetch(c.backend.as_ref(), queries, window).await?;
    c.store.set_chart(m, now);
    Ok(())
}

/// One metrics poll of the metric plan ([`crate::fresh::plan`]): the rows `want` shows, the failing
/// rows, the rotation's share of the others (each row's triage set, the selection's
/// and drill-in's every metric), each extended by its newest periods, over the metrics window
/// ending now (a short first window while a large account's history loads:
/// [`crate::fresh::plan::history`]); published with the other rows' series carried over; `plan` notes what was
/// fetched. `every` is the metrics interval. Needs the inventory.
///
/// Errors: "waiting for the inventory" without one, else the backend's [`BackendError`] (the
/// published metrics stay as they were).
pub async fn poll_metrics(
    c: &PollCtx,
    snap: &Snapshot,
    plan: &mut crate::fresh::plan::Plan,
    want: &crate::fresh::plan::Want,
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
    let minutes = plan.history().minutes(&inv.inv, c.window_minutes);
    let window = MetricWindow::ending_at(now, minutes, 60);
    let mut m = crate::fresh::plan::carry(snap.metrics.get(), window, &inv.inv, &want.full);
    let urgent = urgent_off_the_workers(snap).await;
    // Rows on screen are fetched whatever a listing says: one that covers every row (the
    // one-shot fetch) is not swept, nor a poll that holds no series yet (only a series held
    // can rest on it: on a cold start the sweep would only delay the first verdicts).
    let shown = want.screen.len() + want.full.len();
    if shown < inv.inv.streams.len() + inv.inv.rules.len()
        && !m.is_empty()
        && let Some(l) = list_series(c, &inv.inv).await
    {
        plan.set_listing(l, every * 2);
    }
    let planned = plan.poll(&inv.inv, want, &urgent, &m, now, every);
    // A large load (a warm start's every row): the rows on screen and the selection first,
    // published at once, then the rest.
    let on_screen: HashSet<&Scope> = want.screen.iter().chain(&want.full).collect();
    let (first, rest): (Vec<_>, Vec<_>) = planned
        .queries
        .iter()
        .cloned()
        .partition(|q| on_screen.contains(&q.scope));
    let backend = c.backend.as_ref();
    if rest.len() > 2 * crate::backend::read::FETCH_BATCH && !first.is_empty() {
        crate::backend::read::fetch_into(backend, &mut m, first).await?;
        c.store.set_metrics(m.clone(), now);
        crate::backend::read::fetch_into(backend, &mut m, rest).await?;
    } else {
        crate::backend::read::fetch_into(backend, &mut m, [first, rest].concat()).await?;
    }
    plan.record_poll(&planned, now);
    let cost = crate::fresh::plan::PlanCost::of(&inv.inv, want, &urgent, every, plan.fresh(now));
    c.store.set_metrics_planned(m, cost, now);
    Ok(())
}

/// The rows' series with a datapoint in the last 3 hours ([`crate::fresh::plan::Listing`]):
/// one ListMetrics sweep of each metric of [`crate::fresh::plan::Listing::metrics_of`],
/// concurrently. None when any of them could not be read (nothing rests on a partial
/// listing).
async fn list_series(
    c: &PollCtx,
    inv: &crate::model::Inventory,
) -> Option<crate::fresh::plan::Listing> {
    let metrics = crate::fresh::plan::Listing::metrics_of(inv);
    let answers = futures_util::future::join_all(metrics.iter().map(|m| async move {
        if m.namespace() == "AWS/Events" {
            c.backend
                .rules_reporting(*m)
                .await
                .map(|v| v.into_iter().map(Scope::Rule).collect::<Vec<_>>())
        } else {
            c.backend
                .streams_reporting(*m)
                .await
                .map(|v| v.into_iter().map(Scope::Stream).collect::<Vec<_>>())
        }
    }))
    .await;
    let mut present = HashSet::new();
    for (m, a) in metrics.iter().zip(answers) {
        match a {
            Ok(scopes) => present.extend(scopes.into_iter().map(|s| (s, *m))),
            Err(e) => {
                tracing::debug!("series not listed: {}", e.message);
                return None;
            }
        }
    }
    Some(crate::fresh::plan::Listing {
        at: c.clock.now(),
        swept: metrics.into_iter().collect(),
        present,
    })
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
    let want = crate::fresh::plan::Want {
        screen: full.clone(),
        full,
    };
    poll_metrics(
        c,
        snap,
        &mut crate::fresh::plan::Plan::with_history(crate::fresh::plan::History::whole()),
        &want,
        Duration::from_secs(60),
    )
    .await
}

/// [`urgent_rows`] on a blocking thread: the diagnosis of a large account (about 10 µs a row)
/// is made there, not on the async workers the UI loop shares.
async fn urgent_off_the_workers(snap: &Snapshot) -> HashSet<Scope> {
    let s = snap.clone();
    match tokio::task::spawn_blocking(move || urgent_rows(&s)).await {
        Ok(u) => u,
        // The blocking pool is gone (shutting down): made here.
        Err(_) => urgent_rows(snap),
    }
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

/// A look between polls ([`crate::fresh::plan::Plan::look`]): rows the walk added, the rest of the
/// metrics of a newly selected or opened row, rows scrolled to whose metrics are older than
/// two polls (`every` is the metrics interval); fetched over the published window and merged
/// into it (over the short first window from the look on which the rows the walk listed make
/// the first load large: [`crate::fresh::plan::history`]). Nothing is fetched when nothing is
/// due or no metrics were published yet.
///
/// Errors: the backend's [`BackendError`] (the published metrics stay as they were).
pub async fn poll_new_metrics(
    c: &PollCtx,
    plan: &mut crate::fresh::plan::Plan,
    want: &crate::fresh::plan::Want,
    every: Duration,
) -> Result<(), BackendError> {
    let snap = c.store.snapshot();
    let (Some(inv), Some(m)) = (snap.inventory.get(), snap.metrics.get()) else {
        return Ok(());
    };
    let now = c.clock.now();
    let urgent = urgent_off_the_workers(&snap).await;
    // A first load found large once the walk listed its rows: the short window from here on.
    let minutes = plan.history().minutes(&inv.inv, c.window_minutes);
    let window = if minutes == m.window.minutes() {
        m.window
    } else {
        MetricWindow::ending_at(now, minutes, 60)
    };
    let planned = plan.look(&inv.inv, want, &urgent, m, now, every * 2);
    if planned.queries.is_empty() && planned.rested.is_empty() && window == m.window {
        return Ok(());
    }
    let mut merged = crate::fresh::plan::carry(Some(m), window, &inv.inv, &want.full);
    crate::backend::read::fetch_into(c.backend.as_ref(), &mut merged, planned.queries.clone())
        .await?;
    plan.record_poll(&planned, now);
    let at = snap.metrics.fetched_at.unwrap_or(now);
    c.store.set_metrics(merged, at);
    Ok(())
}

/// Series of a large account's history fetched per [`poll_history`]: two GetMetricData calls
/// of 500 (at 180 one-minute points, 180,000 datapoints: a second of the quota).
pub const HISTORY_BATCH: usize = 1000;

/// One batch of a large account's history ([`crate::fresh::plan::history`]): the next
/// [`HISTORY_BATCH`] series of the published short window fetched over the whole window; when
/// every one is, the two merged and published as one window. Publishes the progress. Nothing
/// is fetched until every row has its triage metrics (the verdicts first). Returns whether to
/// call again at once (`false`: done, not loading, or waiting for the triage metrics).
///
/// Errors: the backend's [`BackendError`] (the published metrics stay as they were; the
/// batch is asked again).
pub async fn poll_history(
    c: &PollCtx,
    plan: &mut crate::fresh::plan::Plan,
) -> Result<bool, BackendError> {
    let snap = c.store.snapshot();
    let Some(have) = snap.metrics.get() else {
        return Ok(false);
    };
    let h = plan.history();
    if !h.loading() {
        return Ok(false);
    }
    let (with, of) = snap.triage_fetched();
    if with < of || have.is_empty() {
        // Said from the start: the metrics cover the short window.
        if snap.history.is_none() {
            c.store.set_history(h.progress(have));
        }
        return Ok(false);
    }
    let Some(queries) = h.next(have, HISTORY_BATCH) else {
        return Ok(false);
    };
    if let Some(long) = h.long_mut()
        && !queries.is_empty()
    {
        crate::backend::read::fetch_into(c.backend.as_ref(), long, queries).await?;
    }
    match h.finish(have) {
        Some(whole) => {
            let at = snap.metrics.fetched_at.unwrap_or_else(|| c.clock.now());
            c.store.set_metrics(whole, at);
            c.store.set_history(None);
            Ok(false)
        }
        None => {
            c.store.set_history(h.progress(have));
            Ok(true)
        }
    }
}
