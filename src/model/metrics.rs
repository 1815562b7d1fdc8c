//! The metric plan's queries (which series of which rows), the window they cover and the
//! series the backend answers with ([`Metrics`]); one metric's name, statistic and unit are
//! in [`super::metric`].

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::inventory::Inventory;
use super::metric::{MetricId, Scope};
use super::reported::Reported;
use super::row_series::RowSeries;
use super::rule::Rule;
use super::stream::{DestinationKind, Stream};

/// One series to fetch: a metric for a stream or rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MetricQuery {
    /// The stream or rule the metric is about.
    pub scope: Scope,
    /// Which metric (its name, statistic and unit follow from it).
    pub metric: MetricId,
    /// What it is fetched for (counted per kind in the API cost pane).
    pub kind: MetricKind,
}

/// What a metric query is for: the data kinds the API cost pane counts metrics requested by
/// (CloudWatch bills GetMetricData per metric requested).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MetricKind {
    /// The triage set ([`MetricId::triage`], [`super::metric::RULE_TRIAGE`], and for a stream not described
    /// [`MetricId::triage_reported`]): what health and the list columns read. Every row gets
    /// it, on screen every poll, off screen on the plan's rotation.
    Triage,
    /// The rest of a row's metrics ([`MetricId::for_stream`], [`MetricId::RULE`]): what the
    /// drill-in shows. The selection and the open drill-in get it.
    Full,
    /// A chart window longer than the metrics window (`[` / `]`): the sparklines' series and
    /// the open drill-in's.
    Chart,
    /// A large account's history, once: the series a short first window fetched, over the
    /// whole metrics window (`crate::fresh::plan::history`).
    History,
}

impl MetricKind {
    /// "triage", "full", "chart": the data kind's name in the API cost pane.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Triage => "triage",
            MetricKind::Full => "full",
            MetricKind::Chart => "chart",
            MetricKind::History => "history",
        }
    }
}

/// The metrics of one stream: its triage set, and with `full` the rest of
/// [`MetricId::for_stream`] after it, each with its kind.
pub fn stream_metrics(s: &Stream, full: bool) -> Vec<(MetricId, MetricKind)> {
    let mut v: Vec<(MetricId, MetricKind)> = MetricId::triage(s)
        .into_iter()
        .map(|m| (m, MetricKind::Triage))
        .collect();
    if full {
        for m in MetricId::for_stream(s) {
            if !v.iter().any(|(x, _)| *x == m) {
                v.push((m, MetricKind::Full));
            }
        }
    }
    v
}

/// The metrics of one rule: its triage set ([`MetricId::rule_triage`]), and with `full` the
/// rest of [`MetricId::for_rule`] (`TriggeredRules`) too.
pub fn rule_metrics(r: &Rule, full: bool) -> Vec<(MetricId, MetricKind)> {
    let triage = MetricId::rule_triage(r);
    MetricId::for_rule(r)
        .into_iter()
        .filter_map(|m| {
            if triage.contains(&m) {
                Some((m, MetricKind::Triage))
            } else {
                full.then_some((m, MetricKind::Full))
            }
        })
        .collect()
}

/// The metric plan: every stream and rule its triage set (a stream not described yet, what its
/// metrics report: [`MetricId::triage_reported`]); the scopes in `full` (the selection, the
/// open drill-in) every metric.
pub fn metric_queries(inv: &Inventory, full: &[Scope]) -> Vec<MetricQuery> {
    metric_queries_of(inv, full, |_| true)
}

/// [`metric_queries`] of the rows `due` selects only (`crate::fresh::plan`: what one poll asks).
pub fn metric_queries_of(
    inv: &Inventory,
    full: &[Scope],
    due: impl Fn(&Scope) -> bool,
) -> Vec<MetricQuery> {
    let mut q = Vec::new();
    each_query(inv, full, due, |scope, metric, kind| {
        q.push(MetricQuery {
            scope: scope.clone(),
            metric,
            kind,
        });
    });
    q
}

/// Calls `f` with each query of [`metric_queries_of`], in the same order, without making the
/// list: at 5,000 streams and 10,000 rules the list is 75,000 queries (7 MB), made per poll and
/// per data change by the readers that only look at each query once.
pub fn each_query(
    inv: &Inventory,
    full: &[Scope],
    due: impl Fn(&Scope) -> bool,
    mut f: impl FnMut(&Scope, MetricId, MetricKind),
) {
    enum Row<'a> {
        Stream(&'a Stream),
        Reported(&'a Reported),
        Rule(&'a Rule),
    }
    let rows = inv
        .streams
        .iter()
        .map(|s| (Scope::Stream(s.name.clone()), Row::Stream(s)))
        .chain(
            inv.reported()
                .map(|(n, r)| (Scope::Stream(n.to_string()), Row::Reported(r))),
        )
        .chain(
            inv.rules
                .iter()
                .map(|r| (Scope::Rule(r.key()), Row::Rule(r))),
        );
    for (scope, row) in rows {
        if !due(&scope) {
            continue;
        }
        let whole = full.contains(&scope);
        let metrics = match row {
            Row::Stream(s) => stream_metrics(s, whole),
            // Not described: only what its metrics report, whatever the view wants.
            Row::Reported(r) => MetricId::triage_reported(r)
                .into_iter()
                .map(|m| (m, MetricKind::Triage))
                .collect(),
            Row::Rule(r) => rule_metrics(r, whole),
        };
        for (metric, kind) in metrics {
            f(&scope, metric, kind);
        }
    }
}

/// The windows the charts and sparklines can cover, in minutes: 1 h, 3 h, 12 h, 24 h, 3 d
/// (`[` / `]` step through them).
pub const CHART_WINDOWS_MIN: [u32; 5] = [60, 180, 720, 1440, 4320];

/// Most points a chart series is fetched with: a chart is at most a screen wide, and a coarser
/// period is a cheaper GetMetricData answer.
pub const CHART_POINTS: u32 = 288;

/// The GetMetricData `Period` (seconds) for a chart window of `minutes` ending now: at most
/// [`CHART_POINTS`] points, and a multiple of what CloudWatch keeps for data as old as the
/// window's start (GetMetricData: a start between 3 hours and 15 days ago needs a multiple of
/// 60 s, between 15 and 63 days 300 s, older 3600 s; 1-minute data is kept 15 days, 5-minute
/// 63 days, 1-hour 455 days — Amazon CloudWatch API Reference, GetMetricData).
pub fn chart_period(minutes: u32) -> u32 {
    let secs = u64::from(minutes) * 60;
    let retention: u64 = match secs {
        s if s <= 15 * 86_400 => 60,
        s if s <= 63 * 86_400 => 300,
        _ => 3_600,
    };
    let budget = secs.div_ceil(u64::from(CHART_POINTS)).max(60);
    let period = budget.div_ceil(retention) * retention;
    u32::try_from(period).unwrap_or(u32::MAX)
}

/// "1h", "3h", "12h", "24h", "3d": a window length for titles.
pub fn window_label(minutes: u32) -> String {
    match minutes {
        m if m >= 2 * 1440 && m % 1440 == 0 => format!("{}d", m / 1440),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m} min"),
    }
}

/// What the charts fetch beyond the health metrics when their window is longer: every stream's
/// incoming records (the Pipelines sparklines) and every metric of the drill-in shown (`detail`).
pub fn chart_queries(inv: &Inventory, detail: Option<&Scope>) -> Vec<MetricQuery> {
    let mut q: Vec<MetricQuery> = inv
        .streams
        .iter()
        .map(|s| MetricQuery {
            scope: Scope::Stream(s.name.clone()),
            metric: MetricId::incoming(&s.source),
            kind: MetricKind::Chart,
        })
        .collect();
    match detail {
        Some(sc @ Scope::Stream(name)) => {
            if let Some(s) = inv.stream(name) {
                for m in MetricId::for_stream(s) {
                    if !q.iter().any(|x| &x.scope == sc && x.metric == m) {
                        q.push(MetricQuery {
                            scope: sc.clone(),
                            metric: m,
                            kind: MetricKind::Chart,
                        });
                    }
                }
            }
        }
        Some(sc @ Scope::Rule(k)) => {
            let metrics = inv
                .rule(k)
                .map_or_else(|| MetricId::RULE.to_vec(), MetricId::for_rule);
            q.extend(metrics.into_iter().map(|m| MetricQuery {
                scope: sc.clone(),
                metric: m,
                kind: MetricKind::Chart,
            }));
        }
        None => {}
    }
    q
}

/// The time axis shared by all series of one metrics fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricWindow {
    /// Start of the first period.
    pub start: DateTime<Utc>,
    /// Length of one period (one point) in seconds (GetMetricData `Period`).
    pub period_seconds: u32,
    /// Number of points (periods) in every series of the fetch.
    pub points: usize,
}

impl MetricWindow {
    /// The window of `minutes` whole periods ending with the period that contains `now`
    /// (the current, partial period is included: CloudWatch reports it as it fills).
    pub fn ending_at(now: DateTime<Utc>, minutes: u32, period_seconds: u32) -> Self {
        let p = i64::from(period_seconds.max(1));
        let aligned = now.timestamp() - now.timestamp().rem_euclid(p);
        let points = (i64::from(minutes) * 60 / p).max(1) as usize;
        let start_ts = aligned - (points as i64 - 1) * p;
        let start = DateTime::from_timestamp(start_ts, 0).unwrap_or(now);
        Self {
            start,
            period_seconds: period_seconds.max(1),
            points,
        }
    }
    /// The end of the last period: `start + period_seconds × points` (exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::seconds(i64::from(self.period_seconds) * self.points as i64)
    }
    /// How long the window is, minutes (`points × period_seconds / 60`).
    pub fn minutes(&self) -> u32 {
        u32::try_from(self.points as u64 * u64::from(self.period_seconds) / 60).unwrap_or(u32::MAX)
    }
    /// The start time of point `i` (0-based).
    pub fn time_of(&self, i: usize) -> DateTime<Utc> {
        self.start + Duration::seconds(i64::from(self.period_seconds) * i as i64)
    }
}

/// One metric series: one value per period of the [`MetricWindow`], oldest first; `None` is a gap
/// (no datapoint). Units as [`MetricId::unit`].
pub type Series = Vec<Option<f64>>;

/// One series as kept: `len` periods from period `first` (a period index: Unix seconds divided
/// by the period), of which the first `lead` are `fill` and `values` hold the next ones, from
/// the first period that is not `fill` to the last (the `fill` after it is not stored): an
/// `f32` each (4 bytes a point instead of 16, NaN for a gap; exact for counts up to 16,777,216
/// a period, 7 significant digits beyond — finer than any health threshold). `fill` is a gap
/// (NaN), or 0 for a metric whose gaps are zeros. Shared by every publish that does not fetch
/// it again (moving the window copies nothing). A series with nothing but gaps or zeros (most
/// failure metrics of a healthy row: EventBridge publishes several only when they are not
/// zero) holds no value at all: at 5,000 streams and 10,000 rules over a 180-minute window
/// that is about 50 MB less than every point stored.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    first: i64,
    len: u32,
    lead: u32,
    values: Arc<[f32]>,
    fill: f32,
}

impl Stored {
    /// The series from period `first`, every point given (NaN for a gap), `fill` trimmed from
    /// both ends.
    fn new(first: i64, all: &[f32], fill: f32) -> Self {
        let filler = |v: &f32| v.to_bits() == fill.to_bits() || (v.is_nan() && fill.is_nan());
        let lead = all.iter().position(|v| !filler(v)).unwrap_or(all.len());
        let end = all.iter().rposition(|v| !filler(v)).map_or(lead, |i| i + 1);
        Self {
            first,
            len: u32::try_from(all.len()).unwrap_or(u32::MAX),
            lead: u32::try_from(lead).unwrap_or(u32::MAX),
            values: all[lead..end].into(),
            fill,
        }
    }
    /// All of it, as points.
    fn points(&self) -> Points<'_> {
        Points {
            len: self.len as usize,
            lead: self.lead as usize,
            values: &self.values,
            fill: self.fill,
        }
    }
}

/// Every series of the metrics, on one shared time axis: what a poll published.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// The time axis every series follows.
    pub window: MetricWindow,
    /// The series by stream or rule and metric; a query without an answer has no entry.
    /// Each row's series behind an `Arc`: a poll that moves the window and fetches a few rows
    /// again copies the map of rows, not every row's map (copied when written: `Arc::make_mut`).
    series: HashMap<Scope, Arc<RowSeries<Stored>>>,
}

/// A series over the window, oldest first: one value per period from the window's start, a
/// gap (`None`) where CloudWatch had no datapoint. Shorter than the window when the series was
/// last fetched that many periods ago (see `crate::fresh::plan`).
#[derive(Debug, Clone, Copy)]
pub struct Points<'a> {
    /// Number of periods.
    len: usize,
    /// Periods of `fill` before `values`.
    lead: usize,
    /// The periods from `lead` on (NaN for a gap); the periods before and after them are
    /// `fill`.
    values: &'a [f32],
    /// The value of the periods not in `values`: NaN (a gap), or 0 for a metric whose gaps
    /// are zeros ([`MetricId::missing_is_zero`]).
    fill: f32,
}

impl<'a> Points<'a> {
    /// Number of periods.
    pub fn len(self) -> usize {
        self.len
    }
    /// Whether there is no period.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
    /// The value of period `i`; `None` for a gap or past the end.
    pub fn get(self, i: usize) -> Option<f64> {
        if i >= self.len {
            return None;
        }
        let v = i
            .checked_sub(self.lead)
            .and_then(|j| self.values.get(j))
            .copied()
            .unwrap_or(self.fill);
        (!v.is_nan()).then_some(f64::from(v))
    }
    /// The values, oldest first.
    pub fn iter(self) -> impl DoubleEndedIterator<Item = Option<f64>> + ExactSizeIterator + 'a {
        (0..self.len).map(move |i| self.get(i))
    }
    /// Periods `from..` (none when `from` is past the end).
    fn skip(self, from: usize) -> Points<'a> {
        let from = from.min(self.len);
        let cut = from.saturating_sub(self.lead).min(self.values.len());
        Points {
            len: self.len - from,
            lead: self.lead.saturating_sub(from),
            values: &self.values[cut..],
            fill: self.fill,
        }
    }
    /// The last `n` periods.
    pub fn tail(self, n: usize) -> Points<'a> {
        self.skip(self.len.saturating_sub(n))
    }
    /// The values, oldest first, as a [`Series`].
    pub fn to_vec(self) -> Series {
        self.iter().collect()
    }
}

/// How many trailing periods the "now" figures (funnel counts, success %, ...) cover.
pub const RECENT_POINTS: usize = 5;

/// Seconds after a minute ends before its datapoints can be taken as published: EventBridge
/// and Firehose send metrics every minute, and CloudWatch makes a datapoint available within
/// about two minutes (Amazon CloudWatch User Guide, "Metrics concepts": data can take a few
/// minutes to be available). A newer minute is neither a failure nor a recovery yet; an
/// EventBridge gap there is not yet a zero.
pub const PUBLISH_DELAY_SECONDS: u32 = 120;

/// The newest periods of `period_seconds` each that may not be published yet: the current,
/// partial one (a window ends now) and those that ended less than [`PUBLISH_DELAY_SECONDS`]
/// ago.
pub fn unpublished_points(period_seconds: u32) -> usize {
    usize::try_from(PUBLISH_DELAY_SECONDS.div_ceil(period_seconds.max(1)))
        .unwrap_or(1)
        .saturating_add(1)
}

impl Metrics {
    /// No series yet, on `window`.
    pub fn new(window: MetricWindow) -> Self {
        Self {
            window,
            series: HashMap::new(),
        }
    }

    fn period_index(&self, i: usize) -> i64 {
        let p = i64::from(self.window.period_seconds.max(1));
        self.window.start.timestamp().div_euclid(p) + i as i64
    }

    /// Stores `raw` (normalised: [`normalise_series`]) as the series of `scope` × `m` from
    /// point `at` of the window on, keeping the points before `at` it already had (gaps where
    /// it had none); points past the window's end are dropped.
    pub fn put(&mut self, scope: Scope, m: MetricId, at: usize, raw: Series) {
        let first = self.period_index(0);
        let fill = if m.missing_is_zero() { 0.0 } else { f32::NAN };
        let mut values: Vec<f32> = Vec::with_capacity(self.window.points);
        if at > 0 {
            let old = self.series(&scope, m);
            values
                .extend((0..at).map(|i| old.and_then(|o| o.get(i)).map_or(f32::NAN, |v| v as f32)));
        }
        values.extend(
            normalise_series(m, raw)
                .into_iter()
                .map(|v| v.map_or(f32::NAN, |v| v as f32)),
        );
        values.truncate(self.window.points);
        Arc::make_mut(self.series.entry(scope).or_default())
            .insert(m, Stored::new(first, &values, fill));
    }

    /// The same series on a later `window` of the same period (nothing copied: the series are
    /// shared); `None` when the window starts earlier or has another period.
    pub fn moved_to(&self, window: MetricWindow) -> Option<Metrics> {
        (window.period_seconds == self.window.period_seconds && window.start >= self.window.start)
            .then(|| Metrics {
                window,
                series: self.series.clone(),
            })
    }

    /// Keeps only the series `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&Scope, MetricId) -> bool) {
        self.series.retain(|scope, by| {
            if by.keys().any(|m| !keep(scope, m)) {
                Arc::make_mut(by).retain(|m| keep(scope, m));
            }
            !by.is_empty()
        });
    }

    /// Every (scope, metric) that has a series.
    pub fn keys(&self) -> impl Iterator<Item = (&Scope, MetricId)> + '_ {
        self.series
            .iter()
            .flat_map(|(s, by)| by.keys().map(move |m| (s, m)))
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.series.values().map(|by| by.len()).sum()
    }

    /// Whether there is no series.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The series for this scope and metric over the window, `None` when it was not fetched.
    pub fn series(&self, scope: &Scope, m: MetricId) -> Option<Points<'_>> {
        let st = self.series.get(scope)?.get(&m)?;
        let skip = usize::try_from(self.period_index(0) - st.first).unwrap_or(0);
        let p = st.points().skip(skip);
        Some(Points {
            len: p.len.min(self.window.points),
            ..p
        })
    }
    fn recent(&self, scope: &Scope, m: MetricId) -> impl Iterator<Item = f64> + '_ {
        self.series(scope, m)
            .map(|s| s.tail(RECENT_POINTS))
            .into_iter()
            .flat_map(|s| s.iter())
            .flatten()
    }
    /// Sum over the recent periods; `None` when every recent point is a gap.
    pub fn recent_sum(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.recent(scope, m)
            .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
    }
    /// Maximum over the last [`RECENT_POINTS`] periods; `None` when every recent point is a gap.
    pub fn recent_max(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.recent(scope, m).fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        })
    }
    /// Mean over the non-gap points of the last [`RECENT_POINTS`] periods; `None` when all are
    /// gaps.
    pub fn recent_avg(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        let (n, sum) = self
            .recent(scope, m)
            .fold((0u32, 0.0), |(n, s), v| (n + 1, s + v));
        (n > 0).then(|| sum / f64::from(n))
    }
    /// The share of delivery that succeeded over the recent periods, ratio 0–1, by AWS's
    /// definition for `kind`: the mean of `DeliveryTo<kind>.Success`; for Iceberg, whose
    /// `.Success` counts commits, `SuccessfulRowCount / (SuccessfulRowCount + FailedRowCount)`
    /// (Amazon Data Firehose Developer Guide, "Monitor metrics" for Apache Iceberg Tables).
    /// `None` when nothing was read (or no Iceberg row was counted).
    pub fn delivery_ratio(&self, scope: &Scope, kind: DestinationKind) -> Option<f64> {
        if kind != DestinationKind::Iceberg {
            return self.recent_avg(scope, MetricId::DeliverySuccess(kind));
        }
        let ok = self.recent_sum(scope, MetricId::DeliveryRecords(kind));
        let failed = self.recent_sum(scope, MetricId::IcebergFailedRows);
        let (ok, failed) = (ok.unwrap_or(0.0), failed.unwrap_or(0.0));
        (ok + failed > 0.0).then(|| ok / (ok + failed))
    }
    /// The end (exclusive) of the published periods of the window: its newest
    /// [`unpublished_points`] left out. Measured on the window, not on a series, which may
    /// be shorter when it was last fetched earlier.
    pub fn published_end(&self) -> usize {
        self.window
            .points
            .saturating_sub(unpublished_points(self.window.period_seconds))
    }
    /// Sum over the periods `[end - from, end - to)` counted back from
    /// [`Metrics::published_end`] (`from` > `to`); `None` when every one of them is a gap, or
    /// the window does not reach back `from` periods.
    pub fn published_sum(&self, scope: &Scope, m: MetricId, from: usize, to: usize) -> Option<f64> {
        let s = self.series(scope, m)?;
        let end = self.published_end();
        if from > end {
            return None;
        }
        ((end - from)..end.saturating_sub(to))
            .filter_map(|i| s.get(i))
            .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
    }
    /// Whether any of the last `n` periods has a datapoint.
    pub fn any_in_last(&self, scope: &Scope, m: MetricId, n: usize) -> bool {
        self.series(scope, m)
            .is_some_and(|s| s.tail(n).iter().any(|v| v.is_some()))
    }
    /// The newest non-gap value.
    pub fn latest(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.series(scope, m)?.iter().rev().find_map(|v| v)
    }
    /// Sum over the whole window (gaps skipped).
    pub fn window_sum(&self, scope: &Scope, m: MetricId) -> Option<f64> {
        self.series(scope, m)?
            .iter()
            .flatten()
            .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
    }
}

/// Turn raw backend answers into series: EventBridge gaps become zeros (AWS omits zero
/// datapoints there); Firehose gaps stay gaps.
pub fn normalise_series(m: MetricId, raw: Series) -> Series {
    if m.missing_is_zero() {
        raw.into_iter().map(|v| Some(v.unwrap_or(0.0))).collect()
    } else {
        raw
    }
}
