//! The metric plan (issue 12): which rows' metrics each poll asks CloudWatch for, so that what
//! fhtop costs follows what it shows. CloudWatch bills GetMetricData per metric requested
//! (list price USD 0.01 per 1,000), whatever the time range, so the plan decides *which* series
//! a poll asks for and *how often*; the time range only decides how much comes back.
//!
//! - Every poll (the metrics interval, 60 s by default): the rows on screen, the selection and
//!   the open drill-in (their every metric), the rows whose health is FAIL, and every series
//!   never fetched.
//! - The other rows (off screen, OK or undecided) get their triage set on a rotation: each
//!   poll the least recently fetched rows, up to a share counted in the series they request
//!   (rows whose series rest on the listing cost nothing), so that every row is looked at
//!   again within the rotation's period and the cost is the same every minute. The period is
//!   [`ROTATION`], 10 minutes, until the series it fetches would cost more than
//!   [`ROTATION_BUDGET`] a stream a minute (and [`ROTATION_FLOOR`]); then it is as long as
//!   that budget needs, at most [`ROTATION_MAX`] ([`rotation_for`]: 13 min 20 s at 5,000
//!   streams delivering). The API cost pane says the period. Their health is that of their
//!   last fetch; scrolling to them fetches them within seconds ([`Plan::look`]).
//! - Of a row off screen, a series already fetched that CloudWatch's ListMetrics says had no
//!   datapoint in the last 3 hours ([`Listing`], swept every poll: one request per metric name
//!   and 500 series, instead of one metric per row) is not requested again: GetMetricData
//!   would return nothing for it either, and it keeps its carried data. EventBridge sends
//!   `Invocations` and `FailedInvocations` only when they are not zero (Amazon EventBridge User
//!   Guide, "Monitoring Amazon EventBridge"), so for a healthy rule most of its failure series
//!   are absent; an idle stream has none. A series never fetched is always fetched (a verdict
//!   never becomes OK on a listing alone), and so are the rows on screen, the selection,
//!   failing rows and every series the listing names. AWS allows up to 15 minutes for a new
//!   series to appear in ListMetrics (Amazon CloudWatch API Reference, ListMetrics): a row off
//!   screen that was OK and fails for the first time ever shows within that and one poll,
//!   where the rotation alone took up to its period.
//! - A row fetched before is extended by its newest periods only (the last
//!   [`crate::backend::read::OVERLAP_POINTS`] read again: CloudWatch may add a late
//!   datapoint), not its whole window again.

mod cost;
pub mod history;
pub use cost::{GET_METRIC_DATA_PER_1000, PlanCost};
pub use history::{FIRST_WINDOW_MINUTES, History, HistoryLoad};

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::{Inventory, MetricId, MetricQuery, MetricWindow, Metrics, Scope};

/// The rotation's shortest period: the longest time between two looks at a row's triage set
/// while the account is within [`ROTATION_FLOOR`] (up to 1,500 streams delivering). A
/// row off screen that starts failing shows as failing (in the header's counts, `fhtop`'s
/// sort) within the rotation's period ([`rotation_for`]) — a series that rests on ListMetrics,
/// once ListMetrics lists it (up to 15 minutes for a series new to CloudWatch); an alarm on
/// it shows at the next alarm poll.
pub const ROTATION: Duration = Duration::from_secs(600);

/// The rotation's longest period: 30 minutes, as long as the walk takes to describe every
/// stream again (the walk's `REDESCRIBE_AFTER_MIN`).
pub const ROTATION_MAX: Duration = Duration::from_secs(1800);

/// Metrics a minute per stream the rotation of rows off screen may request: 0.3, so that with
/// the rows on screen, the selection and the failing rows every poll the plan stays near 0.4 a
/// stream a minute (issue 27: 2,000 a minute, $1.20 an hour, at 5,000 streams).
pub const ROTATION_BUDGET: f64 = 0.3;

/// Metrics a minute the rotation may always request, whatever the account's size: 600 (about
/// $0.36 an hour). Below it, a smaller account keeps the 10-minute rotation: stretching it would
/// save cents.
pub const ROTATION_FLOOR: f64 = 600.0;

/// The rotation's period for `active` series of rows off screen (the series that do not rest
/// on the listing) in an account of `streams` streams: as long as the larger of
/// [`ROTATION_BUDGET`] a stream and [`ROTATION_FLOOR`] needs, from [`ROTATION`] to
/// [`ROTATION_MAX`]. With 4 active series a stream (a stream delivering) it is 10 minutes up to
/// 1,500 streams and 13 min 20 s from 2,000 on.
pub fn rotation_for(active: usize, streams: usize) -> Duration {
    let per_minute = (ROTATION_BUDGET * streams as f64).max(ROTATION_FLOOR);
    let secs = active as f64 / per_minute * 60.0;
    Duration::from_secs_f64(secs.clamp(ROTATION.as_secs_f64(), ROTATION_MAX.as_secs_f64()))
}

/// The rotation's period ([`rotation_for`]) for the rows `each_poll` does not take: their
/// series the listing does not call empty (every series without a listing), in an account of
/// [`listed_streams`] streams. [`PlanCost::of`] derives the same from the counts it makes.
#[cfg(test)]
fn rotation_of(
    inv: &Inventory,
    each_poll: impl Fn(&Scope) -> bool,
    listing: Option<&Listing>,
) -> Duration {
    let active = active_series(inv, each_poll, listing).values().sum();
    rotation_for(active, listed_streams(inv))
}

/// For each row `each_poll` does not take, how many series of its triage set a rotation
/// requests: those the listing does not call empty (every series without a listing).
fn active_series(
    inv: &Inventory,
    each_poll: impl Fn(&Scope) -> bool,
    listing: Option<&Listing>,
) -> HashMap<Scope, usize> {
    let mut active: HashMap<Scope, usize> = HashMap::new();
    crate::model::each_query(
        inv,
        &[],
        |s| !each_poll(s),
        |scope, metric, _| {
            let n = usize::from(!listing.is_some_and(|l| l.absent(scope, metric)));
            match active.get_mut(scope) {
                Some(a) => *a += n,
                None => {
                    active.insert(scope.clone(), n);
                }
            }
        },
    );
    active
}

/// Every stream listed: described, or an error row (being read, or unreadable).
fn listed_streams(inv: &Inventory) -> usize {
    inv.streams.len() + inv.errors.iter().filter(|e| e.kind == "stream").count()
}

/// What the UI shows, for the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Want {
    /// The rows on screen (the focused list's visible rows).
    pub screen: Vec<Scope>,
    /// The selection and the open drill-in: every metric, not only the triage set.
    pub full: Vec<Scope>,
}

impl Want {
    /// The rows nothing of which rests on a listing: the rows on screen, the selection and
    /// the drill-in, and `urgent` (FAIL) rows.
    fn always(&self, urgent: &HashSet<Scope>) -> HashSet<Scope> {
        self.screen
            .iter()
            .chain(&self.full)
            .chain(urgent)
            .cloned()
            .collect()
    }
}

/// The `AWS/Events` metrics a [`Listing`] sweeps when there are rules: every rule metric of
/// the triage sets ([`crate::model::metric::RULE_TRIAGE`] and [`MetricId::RULE_DLQ`]).
pub const LISTED: [MetricId; 7] = [
    MetricId::MatchedEvents,
    MetricId::Invocations,
    MetricId::FailedInvocations,
    MetricId::DeadLetterInvocations,
    MetricId::ThrottledRules,
    MetricId::InvocationsSentToDlq,
    MetricId::InvocationsFailedToBeSentToDlq,
];

/// What ListMetrics (`RecentlyActive` `PT3H`) said of the rows' series at one instant: for
/// each metric swept, the series with a datapoint in the last 3 hours. A series of a swept
/// metric that is not present had none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// When the sweep finished.
    pub at: DateTime<Utc>,
    /// The metrics swept (every page of each).
    pub swept: HashSet<MetricId>,
    /// The series with a datapoint in the last 3 hours.
    pub present: HashSet<(Scope, MetricId)>,
}

impl Listing {
    /// Whether the listing says `scope`'s `metric` had no datapoint in the last 3 hours.
    pub fn absent(&self, scope: &Scope, metric: MetricId) -> bool {
        self.swept.contains(&metric) && !self.present.contains(&(scope.clone(), metric))
    }

    /// The metrics a sweep of `inv` lists: [`LISTED`] when it has rules, and every metric of
    /// its streams' triage sets (the `AWS/Firehose` ones), each once.
    pub fn metrics_of(inv: &Inventory) -> Vec<MetricId> {
        let mut v: Vec<MetricId> = if inv.rules.is_empty() {
            Vec::new()
        } else {
            LISTED.to_vec()
        };
        crate::model::each_query(
            inv,
            &[],
            |_| true,
            |scope, metric, _| {
                if matches!(scope, Scope::Stream(_)) && !v.contains(&metric) {
                    v.push(metric);
                }
            },
        );
        v
    }
}

/// One poll's plan: the queries to fetch, and the rows due whose every series rests on the
/// listing (nothing to fetch; noted as looked at, like a fetch).
#[derive(Debug, Clone, Default)]
pub struct Planned {
    /// What GetMetricData is asked for.
    pub queries: Vec<MetricQuery>,
    /// Rows due that rest on the listing whole.
    pub rested: Vec<Scope>,
    /// Series not requested because the listing says they are empty.
    pub skipped: usize,
}

/// When each row's metrics were last fetched, and the newest listing of the rules' series.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    last: HashMap<Scope, DateTime<Utc>>,
    listing: Option<Listing>,
    listing_fresh_for: Duration,
    history: History,
}

impl Plan {
    /// A plan whose first load is split as `history` says (tests: [`History::split_over`]).
    pub fn with_history(history: History) -> Self {
        Self {
            history,
            ..Self::default()
        }
    }

    /// The short first window and its history ([`history`]).
    pub fn history(&mut self) -> &mut History {
        &mut self.history
    }

    /// The queries of one poll at `now` (see the module documentation): `urgent` holds the
    /// rows whose health is FAIL; `have` is what the poll starts from (the carried series): a
    /// row missing any series of its plan is due whatever its last fetch (its triage set grew
    /// with its configuration, it came back after a failed describe, the window could not be
    /// moved); `every` is the metrics interval.
    pub fn poll(
        &self,
        inv: &Inventory,
        want: &Want,
        urgent: &HashSet<Scope>,
        have: &Metrics,
        now: DateTime<Utc>,
        every: Duration,
    ) -> Planned {
        // Fetched every poll whatever a listing says.
        let always = want.always(urgent);
        let mut due = always.clone();
        due.extend(missing(inv, &want.full, have).into_iter().map(|q| q.scope));
        let mut rest: Vec<(Option<DateTime<Utc>>, Scope)> = inv
            .scopes()
            .into_iter()
            .filter(|s| !due.contains(s))
            .map(|s| (self.last.get(&s).copied(), s))
            .collect();
        // Never fetched first, then the oldest.
        rest.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let cost = active_series(inv, |s| due.contains(s), self.fresh(now));
        let active: usize = cost.values().sum();
        let period = rotation_for(active, listed_streams(inv));
        // The share is counted in series requested, not rows: rows whose series rest on the
        // listing cost nothing, and a share of rows would cost what its mix of busy and idle
        // rows happens to be (issue 27: 2,098 metrics one minute, 292 another).
        let share = rotation_share(active, every, period).max(1);
        let rotation = chrono::Duration::from_std(period).unwrap_or(chrono::Duration::MAX);
        let mut spent = 0;
        for (at, s) in rest {
            if spent < share || at.is_none_or(|t| now - t >= rotation) {
                spent += cost.get(&s).copied().unwrap_or(0);
                due.insert(s);
            }
        }
        self.split(
            queries_for(inv, &want.full, |s| due.contains(s)),
            &always,
            have,
            now,
        )
    }

    /// `queries` split into what is fetched and what rests on the fresh listing: a series of
    /// a row not in `always`, fetched before (held), that the listing says had no datapoint
    /// in 3 hours. A series never fetched is always fetched: a row's verdict never rests on a
    /// listing alone (a series new to CloudWatch may take 15 minutes to be listed).
    fn split(
        &self,
        queries: Vec<MetricQuery>,
        always: &HashSet<Scope>,
        have: &Metrics,
        now: DateTime<Utc>,
    ) -> Planned {
        let listing = self.fresh(now);
        let mut planned = Planned::default();
        let mut kept: HashSet<Scope> = HashSet::new();
        let mut rested: HashSet<Scope> = HashSet::new();
        for q in queries {
            let rests = !always.contains(&q.scope)
                && listing.is_some_and(|l| l.absent(&q.scope, q.metric))
                && have.series(&q.scope, q.metric).is_some();
            if rests {
                planned.skipped += 1;
                rested.insert(q.scope.clone());
            } else {
                kept.insert(q.scope.clone());
                planned.queries.push(q);
            }
        }
        planned.rested = rested.difference(&kept).cloned().collect();
        planned.rested.sort();
        planned
    }

    /// The listing series rest on at `now`: the newest, when it is no older than it was kept
    /// for (else nothing rests on it).
    pub fn fresh(&self, now: DateTime<Utc>) -> Option<&Listing> {
        let limit =
            chrono::Duration::from_std(self.listing_fresh_for).unwrap_or(chrono::Duration::MAX);
        self.listing.as_ref().filter(|l| now - l.at <= limit)
    }

    /// Keeps `l` as the newest listing of the rows' series, to rest series on for `fresh_for`
    /// after it was made (two metrics polls).
    pub fn set_listing(&mut self, l: Listing, fresh_for: Duration) {
        self.listing = Some(l);
        self.listing_fresh_for = fresh_for;
    }

    /// The newest listing, if any (however old).
    pub fn listing(&self) -> Option<&Listing> {
        self.listing.as_ref()
    }

    /// The queries of a look between polls: rows never fetched (the walk added them), every
    /// series of the plan not in `have` (a new selection's drill-in metrics, a triage set that
    /// grew), and rows on screen or selected whose last fetch is older than `every` (scrolled
    /// to); of rows neither shown nor in `urgent` (FAIL), what the listing says is empty
    /// rests (see [`Plan::poll`]).
    pub fn look(
        &self,
        inv: &Inventory,
        want: &Want,
        urgent: &HashSet<Scope>,
        have: &Metrics,
        now: DateTime<Utc>,
        every: Duration,
    ) -> Planned {
        let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
        let shown: HashSet<&Scope> = want.screen.iter().chain(&want.full).collect();
        let due = |s: &Scope| match self.last.get(s) {
            None => true,
            Some(t) => shown.contains(s) && now - *t >= every,
        };
        let mut q = queries_for(inv, &want.full, due);
        let mut q_keys: HashSet<(Scope, MetricId)> =
            q.iter().map(|x| (x.scope.clone(), x.metric)).collect();
        for x in missing(inv, &want.full, have) {
            if q_keys.insert((x.scope.clone(), x.metric)) {
                q.push(x);
            }
        }
        self.split(q, &want.always(urgent), have, now)
    }

    /// Notes that a poll's queries were fetched at `at` and its rested rows looked at then.
    pub fn record_poll(&mut self, p: &Planned, at: DateTime<Utc>) {
        let fetched = p.queries.iter().map(|q| &q.scope);
        for s in fetched.chain(&p.rested) {
            self.last.insert(s.clone(), at);
        }
    }

    /// Forgets rows no longer in the inventory.
    pub fn retain(&mut self, inv: &Inventory) {
        let scopes: HashSet<Scope> = inv.scopes().into_iter().collect();
        self.last.retain(|s, _| scopes.contains(s));
    }
}

/// The plan's queries whose series `have` lacks.
fn missing(inv: &Inventory, full: &[Scope], have: &Metrics) -> Vec<MetricQuery> {
    let mut q = Vec::new();
    crate::model::each_query(
        inv,
        full,
        |_| true,
        |scope, metric, kind| {
            if have.series(scope, metric).is_none() {
                q.push(MetricQuery {
                    scope: scope.clone(),
                    metric,
                    kind,
                });
            }
        },
    );
    q
}

/// How many of `n` (series requested, in [`Plan::poll`]) a poll every `every` fetches so that
/// each is fetched within `period` (the rotation's: [`rotation_for`]).
pub fn rotation_share(n: usize, every: Duration, period: Duration) -> usize {
    let polls = (period.as_secs_f64() / every.as_secs_f64().max(1.0)).floor();
    (n as f64 / polls.max(1.0)).ceil() as usize
}

/// The plan's queries of the rows `due` selects: every metric of the rows in `full`, the
/// triage set of the others.
fn queries_for(inv: &Inventory, full: &[Scope], due: impl Fn(&Scope) -> bool) -> Vec<MetricQuery> {
    crate::model::metric_queries_of(inv, full, due)
}

/// `old` moved to `window` (a window ending at or after old's; nothing is copied), keeping
/// only the series the plan still has (rows in the inventory; a row's drill-in metrics while
/// it is in `full`).
pub fn carry(
    old: Option<&Metrics>,
    window: MetricWindow,
    inv: &Inventory,
    full: &[Scope],
) -> Metrics {
    let Some(mut m) = old.and_then(|o| o.moved_to(window)) else {
        // None yet, another period, or an earlier start: everything is fetched anew.
        return Metrics::new(window);
    };
    let mut keep: HashMap<Scope, Vec<MetricId>> = HashMap::new();
    crate::model::each_query(
        inv,
        full,
        |_| true,
        |scope, metric, _| match keep.get_mut(scope) {
            Some(v) => v.push(metric),
            None => {
                keep.insert(scope.clone(), vec![metric]);
            }
        },
    );
    m.retain(|s, id| keep.get(s).is_some_and(|v| v.contains(&id)));
    m
}

#[cfg(test)]
mod tests;
