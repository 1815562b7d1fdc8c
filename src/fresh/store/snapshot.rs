//! One consistent view of every section ([`Snapshot`]: a handful of `Arc` copies) and what is
//! derived from it once per data change: the sorted inventory, the diagnosis, the rows' memo.

use super::*;

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
    /// What the metric plan costs at the last metrics poll, and what a full plan would.
    pub plan: Section<crate::fresh::plan::PlanCost>,
    /// How far a large account's history is while the metrics cover a short first window
    /// ([`crate::fresh::plan::history`]); `None` otherwise.
    pub history: Option<crate::fresh::plan::HistoryLoad>,
    /// What is derived from the data above (the diagnosis, the memos): one per change of the
    /// data, shared by every snapshot of that data and kept by each (an older snapshot still
    /// being drawn keeps its own while a newer one is being prepared).
    pub(super) derived: Arc<Derived>,
}

/// What is derived from one generation of the data: the data it is made from (held, so their
/// addresses cannot be reused), the diagnosis and the memos, each made at most once.
#[derive(Default)]
pub(super) struct Derived {
    made_from: DataKeys,
    diagnosis: std::sync::OnceLock<Arc<Diagnosis>>,
    memo: Mutex<HashMap<String, Arc<dyn std::any::Any + Send + Sync>>>,
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Derived")
            .field("diagnosis", &self.diagnosis.get().is_some())
            .finish()
    }
}

impl Derived {
    /// Whether this was made from the data `keys` names.
    fn is_of(&self, keys: &DataKeys) -> bool {
        let k = &self.made_from;
        same(&k.0, &keys.0)
            && same(&k.1, &keys.1)
            && same(&k.2, &keys.2)
            && same(&k.3, &keys.3)
            && k.4 == keys.4
    }
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

    /// The data the diagnosis is made from.
    fn data_keys(&self) -> DataKeys {
        (
            self.inventory.data.clone(),
            self.metrics.data.clone(),
            self.alarms.data.clone(),
            self.logs.data.clone(),
            self.health_inputs()
                .and_then(|i| i.metrics_error.map(str::to_string)),
        )
    }

    /// Called by the store after every write: keeps what is derived while the data it is
    /// made from is the same (a new error that keeps the data, new API counters), else starts
    /// a new generation.
    pub(super) fn renew_derived(&mut self) {
        let keys = self.data_keys();
        if !self.derived.is_of(&keys) {
            self.derived = Arc::new(Derived {
                made_from: keys,
                ..Derived::default()
            });
        }
    }

    /// The health of every stream, rule and pipeline: computed once per change of the data
    /// (inventory, metrics, alarms, logs), then shared by every snapshot of that data and every
    /// frame drawn from them.
    pub fn diagnosis(&self) -> Arc<Diagnosis> {
        let make = || {
            Arc::new(match (self.health_inputs(), self.inventory.get()) {
                (Some(inp), Some(iv)) => Diagnosis::of(&inp, &iv.pipelines),
                _ => Diagnosis::default(),
            })
        };
        if self.derived.is_of(&self.data_keys()) {
            self.derived.diagnosis.get_or_init(make).clone()
        } else {
            // Not a snapshot the store made (its sections were replaced by hand): not shared.
            make()
        }
    }

    /// A value derived from the data (e.g. a list pane's sorted rows), made once per change of
    /// the data the diagnosis is made from and per `key`, then shared by every frame and
    /// snapshot of that data: what keeps a frame's cost independent of the number of rows.
    /// `make` must depend only on this snapshot's data and `key`.
    pub fn memo<T: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        if !self.derived.is_of(&self.data_keys()) {
            return Arc::new(make());
        }
        {
            let m = self.derived.memo.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(v) = m.get(key).and_then(|v| v.clone().downcast::<T>().ok()) {
                return v;
            }
        }
        // Made outside the lock: `make` may ask for other memos.
        let v = Arc::new(make());
        let mut m = self.derived.memo.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(key.to_string()).or_insert_with(|| v.clone());
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
            crate::model::each_query(
                inv,
                &[],
                |_| true,
                |scope, metric, _| {
                    let has = metrics.is_some_and(|m| m.series(scope, metric).is_some());
                    match held.get_mut(scope) {
                        Some(h) => *h &= has,
                        None => {
                            held.insert(scope.clone(), has);
                        }
                    }
                },
            );
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
