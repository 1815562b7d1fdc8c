//! The shared store: one section per data kind, each replaced whole by its poller (data behind
//! an `Arc`, so a snapshot is a handful of pointer copies), then a notify. Only pollers write it;
//! the UI reads one consistent [`Snapshot`] per frame.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::backend::{BackendError, ErrorKind};
use crate::judge::health::{Diagnosis, ErrorLogs, Inputs};
use crate::model::{Alarm, Identity, Inventory, LogEvent, Metrics, PipelineLink};

mod logs;
mod merged;
mod snapshot;
pub use logs::{LOG_BUFFER, LogBuffer, LogCursor, LogStore};
pub use merged::{Merged, MergedMemo, Part};
pub use snapshot::{InventoryView, Snapshot};

/// The last failure of a section's poller.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionError {
    /// What kind of failure it was (decides the message and the backoff).
    pub kind: ErrorKind,
    /// The backend's error message (untrusted: sanitize before display).
    pub message: String,
    /// When the failed poll finished.
    pub at: DateTime<Utc>,
    /// Consecutive failures.
    pub failures: u32,
    /// The IAM action fhtop's role lacks, when the poll was denied (e.g.
    /// "cloudwatch:GetMetricData").
    pub missing_permission: Option<&'static str>,
}

/// One data kind in the store: the last good data, when it was fetched, and the last failure.
/// A failed poll keeps the old data and sets `error` (the section is then "stale").
#[derive(Debug, Clone)]
pub struct Section<T> {
    /// The last successfully fetched data, `None` until the first success.
    pub data: Option<Arc<T>>,
    /// When `data` was fetched (the clock of the poller), `None` until the first success.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The failure of the most recent poll; cleared by the next success.
    pub error: Option<SectionError>,
    /// The data came from the on-disk cache of an earlier run (the warm start), not from AWS yet.
    pub cached: bool,
}

impl<T> Default for Section<T> {
    fn default() -> Self {
        Self {
            data: None,
            fetched_at: None,
            error: None,
            cached: false,
        }
    }
}

impl<T> Section<T> {
    /// The data, if any has been fetched.
    pub fn get(&self) -> Option<&T> {
        self.data.as_deref()
    }
    /// Whether the last poll failed (the data, if any, is older than it should be).
    pub fn is_stale(&self) -> bool {
        self.error.is_some()
    }
    fn ok(&mut self, data: T, at: DateTime<Utc>) {
        self.data = Some(Arc::new(data));
        self.fetched_at = Some(at);
        self.error = None;
        self.cached = false;
    }
    fn err(&mut self, e: &BackendError, at: DateTime<Utc>) -> u32 {
        let failures = self.error.as_ref().map_or(0, |p| p.failures) + 1;
        self.error = Some(SectionError {
            kind: e.kind,
            message: e.message.clone(),
            at,
            failures,
            missing_permission: e.missing_permission(),
        });
        failures
    }
}

/// Names a store section, for [`Store::set_error`] and poller logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// The [`Snapshot::identity`] section.
    Identity,
    /// The [`Snapshot::inventory`] section.
    Inventory,
    /// The [`Snapshot::metrics`] section.
    Metrics,
    /// The [`Snapshot::alarms`] section.
    Alarms,
    /// The [`Snapshot::alarm_history`] section.
    AlarmHistory,
    /// The [`Snapshot::logs`] section.
    Logs,
    /// The [`Snapshot::chart`] section.
    Chart,
}

/// The shared store: the current [`Snapshot`] behind a lock, plus a watch channel that ticks on
/// every write. Pollers write, the UI reads.
pub struct Store {
    inner: RwLock<Snapshot>,
    tx: watch::Sender<u64>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty store: every section without data.
    pub fn new() -> Self {
        Self {
            inner: RwLock::new(Snapshot::default()),
            tx: watch::channel(0).0,
        }
    }

    /// A consistent copy of every section (cheap: data is behind `Arc`s). Survives a poisoned lock.
    pub fn snapshot(&self) -> Snapshot {
        match self.inner.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Resolves when anything was published since the receiver last looked.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }

    /// Applies `f` under the write lock, which holds nothing but `f`'s swaps: what `f` replaces
    /// (at 5,000 streams an inventory, a metrics map or a diagnosis of tens of MB) is freed after
    /// the lock is released, so a reader (the UI thread's [`Store::snapshot`]) never waits for
    /// it. Make what `f` stores before calling it.
    fn write(&self, f: impl FnOnce(&mut Snapshot)) {
        let replaced = {
            let mut g = match self.inner.write() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            // Shares every section's data: what `f` replaces is kept alive by this copy alone.
            let before = g.clone();
            f(&mut g);
            g.renew_derived();
            before
        };
        drop(replaced);
        self.tx.send_modify(|n| *n += 1);
    }

    /// Publishes a new identity fetched at `at` and clears the section's error.
    pub fn set_identity(&self, v: Identity, at: DateTime<Utc>) {
        self.write(|s| s.identity.ok(v, at));
    }
    /// Publishes a new inventory fetched at `at` (computing its pipelines) and clears the section's
    /// error.
    pub fn set_inventory(&self, v: Inventory, at: DateTime<Utc>) {
        let v = InventoryView::new(v);
        self.write(|s| s.inventory.ok(v, at));
    }
    /// Publishes what the progressive walk knows: fetched at `at`, or — while
    /// a warm start's rows are still in it — marked cached with the cache's time.
    pub fn set_inventory_walk(&self, v: Inventory, at: DateTime<Utc>, cached: bool) {
        let v = InventoryView::new(v);
        self.write(|s| {
            s.inventory.ok(v, at);
            s.inventory.cached = cached;
        });
    }
    /// Publishes an inventory read from the cache (read from AWS at `at`), marked cached —
    /// only while no fresh inventory is there.
    pub fn set_inventory_cached(&self, v: Inventory, at: DateTime<Utc>) {
        let v = InventoryView::new(v);
        self.write(|s| {
            if s.inventory.data.is_none() {
                s.inventory.data = Some(Arc::new(v));
                s.inventory.fetched_at = Some(at);
                s.inventory.cached = true;
            }
        });
    }
    /// Publishes new metrics fetched at `at` and clears the section's error.
    pub fn set_metrics(&self, v: Metrics, at: DateTime<Utc>) {
        self.write(|s| s.metrics.ok(v, at));
    }
    /// Publishes how far a large account's history is (`None`: in, or not split).
    pub fn set_history(&self, v: Option<crate::fresh::plan::HistoryLoad>) {
        self.write(|s| s.history = v);
    }
    /// Publishes the charts' longer-window series fetched at `at`.
    pub fn set_chart(&self, v: Metrics, at: DateTime<Utc>) {
        self.write(|s| s.chart.ok(v, at));
    }
    /// Publishes the alarm list fetched at `at` and clears the section's error.
    pub fn set_alarms(&self, v: Vec<Alarm>, at: DateTime<Utc>) {
        self.write(|s| s.alarms.ok(v, at));
    }
    /// Publishes the alarms' state changes fetched at `at` and clears the section's error.
    pub fn set_alarm_history(&self, v: Vec<crate::model::AlarmChange>, at: DateTime<Utc>) {
        self.write(|s| s.alarm_history.ok(v, at));
    }
    /// Publishes the log buffers as of `at` and clears the section's error.
    pub fn set_logs(&self, v: LogStore, at: DateTime<Utc>) {
        self.write(|s| s.logs.ok(v, at));
    }
    /// Publishes the backend's API cost counters as of `at`.
    pub fn set_api(&self, v: crate::backend::aws::ApiStatsView, at: DateTime<Utc>) {
        self.write(|s| s.api.ok(v, at));
    }

    /// Publishes a metrics poll's metrics and what its plan costs, fetched at `at`, in one
    /// write (one notification).
    pub fn set_metrics_planned(
        &self,
        v: Metrics,
        plan: crate::fresh::plan::PlanCost,
        at: DateTime<Utc>,
    ) {
        self.write(|s| {
            s.metrics.ok(v, at);
            s.plan.ok(plan, at);
        });
    }

    /// Record a failed poll; the section keeps its data. Returns consecutive failures.
    pub fn set_error(&self, kind: SectionKind, e: &BackendError, at: DateTime<Utc>) -> u32 {
        let mut n = 0;
        self.write(|s| {
            n = match kind {
                SectionKind::Identity => s.identity.err(e, at),
                SectionKind::Inventory => s.inventory.err(e, at),
                SectionKind::Metrics => s.metrics.err(e, at),
                SectionKind::Alarms => s.alarms.err(e, at),
                SectionKind::Logs => s.logs.err(e, at),
                SectionKind::Chart => s.chart.err(e, at),
                SectionKind::AlarmHistory => s.alarm_history.err(e, at),
            }
        });
        n
    }
}

/// Test aid: a value that runs its closure when it is freed (the lock tests memoize one to see
/// what is held at that moment).
#[cfg(test)]
struct OnDrop<F: FnMut()>(F);

#[cfg(test)]
impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ms: i64, id: &str) -> LogEvent {
        LogEvent {
            group: "g".into(),
            stream: "s".into(),
            timestamp: DateTime::from_timestamp_millis(ms).unwrap(),
            event_id: id.into(),
            message: String::new(),
        }
    }

    #[test]
    fn cursor_takes_same_millisecond_events_exactly_once() {
        let mut c = LogCursor::default();
        // First page ends in the middle of a same-millisecond burst.
        let a = c.take_new(vec![ev(1, "a"), ev(2, "b1"), ev(2, "b2")]);
        assert_eq!(a.len(), 3);
        // The next query starts at the last millisecond and repeats b1, b2.
        let b = c.take_new(vec![ev(2, "b1"), ev(2, "b2"), ev(2, "b3"), ev(3, "c")]);
        let ids: Vec<_> = b.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["b3", "c"]);
        // A late page repeating everything yields nothing.
        assert!(
            c.take_new(vec![ev(1, "a"), ev(2, "b1"), ev(3, "c")])
                .is_empty()
        );
    }

    #[test]
    fn buffer_is_bounded_and_counts_everything() {
        let mut b = LogBuffer::default();
        b.push(
            (0..LOG_BUFFER as i64 + 10)
                .map(|i| ev(i, &i.to_string()))
                .collect(),
        );
        assert_eq!(b.events.len(), LOG_BUFFER);
        assert_eq!(b.received, LOG_BUFFER as u64 + 10);
        assert_eq!(b.events.front().map(|e| e.event_id.as_str()), Some("10"));
    }

    #[test]
    fn errors_keep_data_and_count_failures() {
        let st = Store::new();
        let t = Utc::now();
        st.set_alarms(vec![], t);
        let e = BackendError::new(ErrorKind::Throttled, "Rate exceeded");
        assert_eq!(st.set_error(SectionKind::Alarms, &e, t), 1);
        assert_eq!(st.set_error(SectionKind::Alarms, &e, t), 2);
        let s = st.snapshot();
        assert!(s.alarms.data.is_some());
        assert!(s.alarms.is_stale());
        st.set_alarms(vec![], t);
        assert!(!st.snapshot().alarms.is_stale());
    }

    /// Health is computed once per change of the data, then shared by every snapshot and
    /// frame; new data (or an error that keeps it) is what makes it new.
    #[test]
    fn diagnosis_is_made_once_per_change_of_the_data() {
        let st = Store::new();
        let t = Utc::now();
        assert!(st.snapshot().diagnosis().streams.is_empty());
        st.set_inventory(Inventory::default(), t);
        st.set_alarms(vec![], t);
        let (a, b) = (st.snapshot(), st.snapshot());
        let d = a.diagnosis();
        assert!(Arc::ptr_eq(&d, &b.diagnosis()), "shared by snapshots");
        assert!(Arc::ptr_eq(&d, &a.diagnosis()), "and by frames");
        st.set_error(
            SectionKind::Alarms,
            &BackendError::new(ErrorKind::Throttled, "Rate exceeded"),
            t,
        );
        assert!(
            Arc::ptr_eq(&d, &st.snapshot().diagnosis()),
            "an error keeps the data and the diagnosis"
        );
        st.set_alarms(vec![], t);
        assert!(!Arc::ptr_eq(&d, &st.snapshot().diagnosis()), "new data");
    }

    /// A memo (a list pane's rows) is made once per change of the data and key, shared by
    /// snapshots and frames, and made again after new data.
    /// What a write replaces (a large account's diagnosis and rows: milliseconds to free) is
    /// freed after the write lock is released: the UI thread's `snapshot` never waits on it.
    #[test]
    fn what_a_write_replaces_is_freed_outside_the_lock() {
        let st = Arc::new(Store::new());
        let freed = Arc::new(std::sync::atomic::AtomicU8::new(0));
        st.set_inventory(Inventory::default(), Utc::now());
        // Notes, when freed, whether the store's lock was free then (1) or held (2).
        let (held, note) = (st.clone(), freed.clone());
        let _ = st.snapshot().memo("probe", move || {
            OnDrop(move || {
                let free = held.inner.try_read().is_ok();
                note.store(
                    if free { 1 } else { 2 },
                    std::sync::atomic::Ordering::SeqCst,
                );
            })
        });
        assert_eq!(freed.load(std::sync::atomic::Ordering::SeqCst), 0, "held");
        st.set_inventory(Inventory::default(), Utc::now());
        assert_eq!(
            freed.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "freed, with the lock free"
        );
    }

    #[test]
    fn a_memo_is_made_once_per_change_of_the_data() {
        let st = Store::new();
        let t = Utc::now();
        st.set_inventory(Inventory::default(), t);
        let made = std::sync::atomic::AtomicU32::new(0);
        let make = || {
            made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            vec![1u8, 2, 3]
        };
        let (a, b) = (st.snapshot(), st.snapshot());
        let x = a.memo("rows", make);
        assert!(
            Arc::ptr_eq(&x, &b.memo("rows", make)),
            "shared by snapshots"
        );
        assert!(Arc::ptr_eq(&x, &a.memo("rows", make)), "and by frames");
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 1);
        let _ = a.memo("other rows", make);
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 2, "per key");
        st.set_alarms(vec![], t);
        let y = st.snapshot().memo("rows", make);
        assert!(!Arc::ptr_eq(&x, &y), "new data, made again");
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
}
