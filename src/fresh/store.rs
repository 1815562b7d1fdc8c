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

/// Inventory plus what is derived from it once per fetch instead of once per frame.
#[derive(Debug, Clone, Default)]
pub struct InventoryView {
    /// The inventory as the backend returned it.
    pub inv: Inventory,
    /// `inv.pipelines()`: the rows of the Pipelines view, computed once per fetch.
    pub pipelines: Vec<PipelineLink>,
}

impl InventoryView {
    /// Wraps an inventory, its streams sorted by name (what `Inventory::stream` searches),
    /// and computes its pipeline links.
    pub fn new(mut inv: Inventory) -> Self {
        if !inv.streams.is_sorted_by(|a, b| a.name <= b.name) {
            inv.streams.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let pipelines = inv.pipelines();
        Self { inv, pipelines }
    }
}

/// Resume point for one log group, so that each event is shown exactly once even when several
/// share the last millisecond and the next query has to start at that same millisecond.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogCursor {
    /// The newest event timestamp taken so far; the next query starts at it. `None` before the
    /// first read.
    pub last_ts: Option<DateTime<Utc>>,
    /// Event ids already taken at `last_ts`.
    pub ids_at_last_ts: BTreeSet<String>,
}

impl LogCursor {
    /// Keep the events not seen before (input oldest first) and advance the cursor.
    pub fn take_new(&mut self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        let mut fresh = Vec::with_capacity(events.len());
        for e in events {
            match self.last_ts {
                Some(t) if e.timestamp < t => continue,
                Some(t) if e.timestamp == t => {
                    if !self.ids_at_last_ts.insert(e.event_id.clone()) {
                        continue;
                    }
                }
                _ => {
                    self.last_ts = Some(e.timestamp);
                    self.ids_at_last_ts.clear();
                    self.ids_at_last_ts.insert(e.event_id.clone());
                }
            }
            fresh.push(e);
        }
        fresh
    }
}

/// Most events kept per log group.
pub const LOG_BUFFER: usize = 2_000;

/// The recent events of one log group, bounded to [`LOG_BUFFER`], oldest first.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer {
    /// Shared, so publishing a buffer that grew by a few events copies pointers, not text.
    pub events: VecDeque<Arc<LogEvent>>,
    /// Where the next read of the group resumes.
    pub cursor: LogCursor,
    /// Events received in total (including those the bounded buffer let go).
    pub received: u64,
    /// The error message of the last failed read of this group; cleared by the next success.
    pub error: Option<String>,
    /// The IAM action fhtop's role lacks, when the last read was denied.
    pub missing_permission: Option<&'static str>,
    /// When the group was last found missing; it is not asked for again for a while.
    pub missing_since: Option<DateTime<Utc>>,
}

impl LogBuffer {
    /// Appends new events (oldest first), counts them in `received`, and drops the oldest beyond
    /// [`LOG_BUFFER`].
    pub fn push(&mut self, new: Vec<LogEvent>) {
        self.received += new.len() as u64;
        self.events.extend(new.into_iter().map(Arc::new));
        let excess = self.events.len().saturating_sub(LOG_BUFFER);
        self.events.drain(..excess);
    }
}

/// Every log group read so far, with its buffered events.
#[derive(Debug, Clone, Default)]
pub struct LogStore {
    /// The buffers keyed by log group name (e.g. `/aws/kinesisfirehose/orders`).
    pub groups: BTreeMap<String, Arc<LogBuffer>>,
}

impl LogStore {
    /// The buffer of this log group, if it has been read.
    pub fn group(&self, name: &str) -> Option<&LogBuffer> {
        self.groups.get(name).map(Arc::as_ref)
    }
}

/// One consistent view of everything, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Account, region and caller (STS GetCallerIdentity).
    pub identity: Section<Identity>,
    /// Buses, rules, streams and their pipeline links.
    pub inventory: Section<InventoryView>,
    /// Every metric series of the inventory over the window.
    pub metrics: Section<Metrics>,
    /// The charts' own series when their window is longer than the health metrics' (see
    /// `model::chart_queries`); empty otherwise.
    pub chart: Section<Metrics>,
    /// Every CloudWatch alarm in the region.
    pub alarms: Section<Vec<Alarm>>,
    /// The alarms' state changes over the metrics window, newest first (DescribeAlarmHistory;
    /// read with the alarms), for the timelines.
    pub alarm_history: Section<Vec<crate::model::AlarmChange>>,
    /// Events of the log groups being watched.
    pub logs: Section<LogStore>,
    /// What the backend has cost (API calls, metrics requested); absent for the demo.
    pub api: Section<crate::backend::aws::ApiStatsView>,
    /// The diagnosis of the data above, shared by every snapshot of the store.
    diagnosis: Arc<Mutex<DiagnosisCache>>,
    /// Values derived from the data (see [`Snapshot::memo`]), shared like the diagnosis.
    memo: Arc<Mutex<Memo>>,
}

/// What [`Snapshot::memo`] keeps: values made from the data the diagnosis `made_from` was.
#[derive(Default)]
struct Memo {
    made_from: Option<Arc<Diagnosis>>,
    values: HashMap<String, Arc<dyn std::any::Any + Send + Sync>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("values", &self.values.len())
            .finish()
    }
}

/// The data a diagnosis was made from (held, so their addresses cannot be reused) and it.
#[derive(Debug, Default)]
struct DiagnosisCache {
    made_from: Option<DataKeys>,
    value: Arc<Diagnosis>,
}

/// Inventory, metrics, alarms, logs, and the metrics error the verdicts quote while there are
/// no metrics.
type DataKeys = (
    Option<Arc<InventoryView>>,
    Option<Arc<Metrics>>,
    Option<Arc<Vec<Alarm>>>,
    Option<Arc<LogStore>>,
    Option<String>,
);

fn same<T>(a: &Option<Arc<T>>, b: &Option<Arc<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

impl ErrorLogs for LogStore {
    fn events(&self, group: &str) -> Option<Vec<&LogEvent>> {
        self.group(group)
            .map(|b| b.events.iter().map(|e| e.as_ref()).collect())
    }
}

impl Snapshot {
    /// What health is computed from, "now" being what the snapshot is as of (nothing when the
    /// inventory is not read yet).
    pub fn health_inputs(&self) -> Option<Inputs<'_>> {
        let inv = self.inventory.get()?;
        Some(Inputs {
            inv: &inv.inv,
            metrics: self.metrics.get(),
            metrics_error: self
                .metrics
                .error
                .as_ref()
                .filter(|_| self.metrics.data.is_none())
                .map(|e| e.message.as_str()),
            alarms: self.alarms.get().map(Vec::as_slice).unwrap_or(&[]),
            logs: self.logs.get().map(|l| l as &dyn ErrorLogs),
            now: self.as_of(),
        })
    }

    /// The health of every stream, rule and pipeline: computed once per change of the data
    /// (inventory, metrics, alarms, logs), then shared by every frame and row until the next.
    pub fn diagnosis(&self) -> Arc<Diagnosis> {
        let keys: DataKeys = (
            self.inventory.data.clone(),
            self.metrics.data.clone(),
            self.alarms.data.clone(),
            self.logs.data.clone(),
            self.health_inputs()
                .and_then(|i| i.metrics_error.map(str::to_string)),
        );
        let mut cache = self.diagnosis.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = &cache.made_from
            && same(&k.0, &keys.0)
            && same(&k.1, &keys.1)
            && same(&k.2, &keys.2)
            && same(&k.3, &keys.3)
            && k.4 == keys.4
        {
            return cache.value.clone();
        }
        let value = Arc::new(match (self.health_inputs(), self.inventory.get()) {
            (Some(inp), Some(iv)) => Diagnosis::of(&inp, &iv.pipelines),
            _ => Diagnosis::default(),
        });
        cache.made_from = Some(keys);
        cache.value = value.clone();
        value
    }

    /// A value derived from the data (e.g. a list pane's sorted rows), made once per change of
    /// the data the diagnosis is made from and per `key`, then shared by every frame and
    /// snapshot until the next change: what keeps a frame's cost independent of the number of
    /// rows. `make` must depend only on this snapshot's data and `key`.
    pub fn memo<T: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let d = self.diagnosis();
        {
            let mut m = self.memo.lock().unwrap_or_else(|p| p.into_inner());
            if !m.made_from.as_ref().is_some_and(|x| Arc::ptr_eq(x, &d)) {
                m.values.clear();
                m.made_from = Some(d.clone());
            }
            if let Some(v) = m
                .values
                .get(key)
                .and_then(|v| v.clone().downcast::<T>().ok())
            {
                return v;
            }
        }
        // Made outside the lock: `make` may ask for other memos.
        let v = Arc::new(make());
        let mut m = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        if m.made_from.as_ref().is_some_and(|x| Arc::ptr_eq(x, &d)) {
            m.values.insert(key.to_string(), v.clone());
        }
        v
    }

    /// How many rows have their triage metrics, of how many: (rows, of). The rows are the
    /// described streams, the streams listed and not described (yet, or whose describe
    /// failed), and the rules; a row has them when every series of its triage set is held (a
    /// stream not described: once
    /// ListMetrics said what it is — [`crate::model::Reported`] — a stream reporting nothing
    /// has none to fetch). Made once per data change.
    pub fn triage_fetched(&self) -> (usize, usize) {
        *self.memo("triage-fetched", || {
            let Some(inv) = self.inventory.get() else {
                return (0, 0);
            };
            let inv = &inv.inv;
            let scopes = inv.scopes();
            let unreported = inv
                .errors
                .iter()
                .filter(|e| e.kind == "stream" && e.reported.is_none())
                .count();
            // Reporting nothing in 3 hours: nothing to fetch, complete (not a metrics scope).
            let nothing = inv.reported().filter(|(_, r)| r.is_empty()).count();
            let mut held: HashMap<crate::model::Scope, bool> = HashMap::new();
            let metrics = self.metrics.get();
            for q in crate::model::metric_queries(inv, &[]) {
                let has = metrics.is_some_and(|m| m.series(&q.scope, q.metric).is_some());
                *held.entry(q.scope).or_insert(true) &= has;
            }
            let with = scopes
                .iter()
                .filter(|s| held.get(*s).copied().unwrap_or(true))
                .count();
            (with + nothing, scopes.len() + nothing + unreported)
        })
    }

    /// The oldest successful fetch among the sections that have data.
    pub fn oldest_fetch(&self) -> Option<DateTime<Utc>> {
        [
            self.inventory.fetched_at,
            self.metrics.fetched_at,
            self.alarms.fetched_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }
    /// The newest successful fetch of any section: the instant the data speaks for, so that
    /// "recent" in health rules is a function of the snapshot alone (epoch when nothing was
    /// fetched).
    pub fn as_of(&self) -> DateTime<Utc> {
        [
            self.inventory.fetched_at,
            self.metrics.fetched_at,
            self.alarms.fetched_at,
            self.logs.fetched_at,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH)
    }
    /// Sections whose last poll failed, with their error.
    pub fn stale_sections(&self) -> Vec<(&'static str, &SectionError)> {
        let mut v = Vec::new();
        for (name, e) in [
            ("identity", &self.identity.error),
            ("inventory", &self.inventory.error),
            ("metrics", &self.metrics.error),
            ("alarms", &self.alarms.error),
            ("logs", &self.logs.error),
        ] {
            if let Some(e) = e {
                v.push((name, e));
            }
        }
        v
    }
    /// What fhtop cannot show because its own role lacks a permission, once per permission:
    /// (IAM action, what stops working), from the sections, the inventory's error rows and the
    /// log groups whose last read was denied.
    pub fn features_off(&self) -> Vec<(&'static str, &'static str)> {
        let mut perms: BTreeSet<&'static str> = BTreeSet::new();
        for e in [
            &self.identity.error,
            &self.inventory.error,
            &self.metrics.error,
            &self.alarms.error,
            &self.alarm_history.error,
            &self.logs.error,
        ]
        .into_iter()
        .flatten()
        {
            perms.extend(e.missing_permission);
        }
        if let Some(inv) = self.inventory.get() {
            perms.extend(inv.inv.errors.iter().filter_map(|e| e.missing_permission));
        }
        if let Some(logs) = self.logs.get() {
            perms.extend(logs.groups.values().filter_map(|g| g.missing_permission));
        }
        perms
            .into_iter()
            .map(|p| {
                let feature = crate::backend::Op::ALL
                    .iter()
                    .find(|o| o.action() == p)
                    .map_or("", |o| o.feature());
                (p, feature)
            })
            .collect()
    }
    /// Whether identity, inventory, metrics and alarms all have data (logs are optional).
    pub fn is_complete(&self) -> bool {
        self.identity.data.is_some()
            && self.inventory.data.is_some()
            && self.metrics.data.is_some()
            && self.alarms.data.is_some()
    }
}

/// One context's data in the merged view: its name, what the config says of it, and its
/// snapshot.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// The context's name (`[contexts.NAME]`, else `PROFILE/REGION`): the context column's
    /// text and what `:ctx NAME` takes.
    pub name: String,
    /// Marked `production = true` in the config file (patterns are matched by the view).
    pub production: bool,
    /// Rule changes are refused in this context (`read_only` of the context or the settings).
    pub read_only: bool,
    /// The context's own store's snapshot.
    pub snap: Snapshot,
}

/// Values made from every context's data (the merged list rows), kept across frames: the
/// app holds one and hands it to each [`Merged`] it makes. A value is made again once any
/// context's data changed (its diagnosis is a new one).
#[derive(Clone, Default)]
pub struct MergedMemo(Arc<Mutex<MergedValues>>);

/// What a [`MergedMemo`] keeps: per key, the diagnoses it was made from (held, so their
/// addresses cannot be reused) and the value.
type MergedValues = HashMap<String, (Vec<Arc<Diagnosis>>, Arc<dyn std::any::Any + Send + Sync>)>;

impl std::fmt::Debug for MergedMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MergedMemo")
    }
}

/// Every watched context's snapshot, in the order the contexts were given: what the merged
/// view (one list of every context's rows) is drawn from. Never empty.
#[derive(Debug, Clone)]
pub struct Merged {
    parts: Vec<Part>,
    memo: MergedMemo,
}

impl Merged {
    /// The merged view of these contexts; one unnamed, empty context when `parts` is empty.
    pub fn new(parts: Vec<Part>) -> Self {
        Self::with_memo(parts, MergedMemo::default())
    }

    /// [`Merged::new`] keeping its merged values in `memo` (the app's, shared by its frames).
    pub fn with_memo(mut parts: Vec<Part>, memo: MergedMemo) -> Self {
        if parts.is_empty() {
            parts.push(Part::default());
        }
        Self { parts, memo }
    }

    /// A value made from every context's data and `key` (the merged rows of a pane, filter
    /// and focus): made once per change of any context's data, then shared by every frame
    /// until the next. `make` must depend only on the parts' data and `key`.
    pub fn memo<T: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let deps: Vec<Arc<Diagnosis>> = self.parts.iter().map(|p| p.snap.diagnosis()).collect();
        let same = |held: &[Arc<Diagnosis>]| {
            held.len() == deps.len() && held.iter().zip(&deps).all(|(a, b)| Arc::ptr_eq(a, b))
        };
        {
            let m = self.memo.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((held, v)) = m.get(key)
                && same(held)
                && let Ok(v) = v.clone().downcast::<T>()
            {
                return v;
            }
        }
        let v = Arc::new(make());
        let mut m = self.memo.0.lock().unwrap_or_else(|p| p.into_inner());
        // Values of older data are of no use any more.
        m.retain(|_, (held, _)| same(held));
        m.insert(key.to_string(), (deps, v.clone()));
        v
    }

    /// One context: `snap`, unnamed, not production, changes allowed (the view's own
    /// read-only flag still applies).
    pub fn one(snap: Snapshot) -> Self {
        Self::new(vec![Part {
            snap,
            ..Part::default()
        }])
    }

    /// Every context, in order (at least one).
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Context `i`; the first when there is no `i` (a view index outliving a context list is
    /// never a panic).
    pub fn part(&self, i: usize) -> &Part {
        // Contexts are only ever added: an index from the view is always one of them.
        debug_assert!(i < self.parts.len(), "context {i} of {}", self.parts.len());
        self.parts.get(i).unwrap_or(&self.parts[0])
    }

    /// Context `i`'s snapshot (the first's when there is no `i`).
    pub fn snap(&self, i: usize) -> &Snapshot {
        &self.part(i).snap
    }

    /// More than one context is watched: rows carry a context column, the header a state per
    /// context.
    pub fn is_several(&self) -> bool {
        self.parts.len() > 1
    }

    /// The index of the context named `name` (exact, then case-insensitive).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.parts.iter().position(|p| p.name == name).or_else(|| {
            self.parts
                .iter()
                .position(|p| p.name.eq_ignore_ascii_case(name))
        })
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

    fn write(&self, f: impl FnOnce(&mut Snapshot)) {
        {
            let mut g = match self.inner.write() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            f(&mut g);
        }
        self.tx.send_modify(|n| *n += 1);
    }

    /// Publishes a new identity fetched at `at` and clears the section's error.
    pub fn set_identity(&self, v: Identity, at: DateTime<Utc>) {
        self.write(|s| s.identity.ok(v, at));
    }
    /// Publishes a new inventory fetched at `at` (computing its pipelines) and clears the section's
    /// error.
    pub fn set_inventory(&self, v: Inventory, at: DateTime<Utc>) {
        self.write(|s| s.inventory.ok(InventoryView::new(v), at));
    }
    /// Publishes what the progressive walk knows: fetched at `at`, or — while
    /// a warm start's rows are still in it — marked cached with the cache's time.
    pub fn set_inventory_walk(&self, v: Inventory, at: DateTime<Utc>, cached: bool) {
        self.write(|s| {
            s.inventory.ok(InventoryView::new(v), at);
            s.inventory.cached = cached;
        });
    }
    /// Publishes an inventory read from the cache (read from AWS at `at`), marked cached —
    /// only while no fresh inventory is there.
    pub fn set_inventory_cached(&self, v: Inventory, at: DateTime<Utc>) {
        self.write(|s| {
            if s.inventory.data.is_none() {
                s.inventory.data = Some(Arc::new(InventoryView::new(v)));
                s.inventory.fetched_at = Some(at);
                s.inventory.cached = true;
            }
        });
    }
    /// Publishes new metrics fetched at `at` and clears the section's error.
    pub fn set_metrics(&self, v: Metrics, at: DateTime<Utc>) {
        self.write(|s| s.metrics.ok(v, at));
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
