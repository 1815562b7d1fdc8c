//! The metric plan (issue 12): which rows' metrics each poll asks CloudWatch for, so that what
//! fhtop costs follows what it shows. CloudWatch bills GetMetricData per metric requested
//! (list price USD 0.01 per 1,000), whatever the time range, so the plan decides *which* series
//! a poll asks for and *how often*; the time range only decides how much comes back.
//!
//! - Every poll (the metrics interval, 60 s by default): the rows on screen, the selection and
//!   the open drill-in (their every metric), the rows whose health is FAIL, and rows never
//!   fetched.
//! - The other rows (off screen, OK or undecided) get their triage set on a rotation: each
//!   poll the least recently fetched share, so that every row is fetched again within
//!   [`ROTATION`] and the cost is the same every minute. Their health is that of their last
//!   fetch; scrolling to them fetches them within seconds ([`Plan::look`]).
//! - A row fetched before is extended by its newest periods only (the last
//!   [`crate::backend::read::OVERLAP_POINTS`] read again: CloudWatch may add a late datapoint), not its whole
//!   window again.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::{
    Inventory, MetricId, MetricQuery, MetricWindow, Metrics, Scope, metric_queries,
};

/// Longest time between two fetches of any row's triage set: the rotation's period. A row
/// off screen that starts failing shows as failing (in the header's counts, `fhtop`'s sort)
/// within this time; an alarm on it shows at the next alarm poll.
pub const ROTATION: Duration = Duration::from_secs(600);

/// What the UI shows, for the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Want {
    /// The rows on screen (the focused list's visible rows).
    pub screen: Vec<Scope>,
    /// The selection and the open drill-in: every metric, not only the triage set.
    pub full: Vec<Scope>,
}

/// When each row's metrics were last fetched.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    last: HashMap<Scope, DateTime<Utc>>,
}

impl Plan {
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
    ) -> Vec<MetricQuery> {
        let mut due: HashSet<Scope> = want.screen.iter().chain(&want.full).cloned().collect();
        due.extend(urgent.iter().cloned());
        due.extend(missing(inv, &want.full, have).into_iter().map(|q| q.scope));
        let mut rest: Vec<(Option<DateTime<Utc>>, Scope)> = inv
            .scopes()
            .into_iter()
            .filter(|s| !due.contains(s))
            .map(|s| (self.last.get(&s).copied(), s))
            .collect();
        // Never fetched first, then the oldest.
        rest.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let share = rotation_share(rest.len(), every);
        let rotation = chrono::Duration::from_std(ROTATION).unwrap_or(chrono::Duration::MAX);
        for (i, (at, s)) in rest.into_iter().enumerate() {
            if i < share || at.is_none_or(|t| now - t >= rotation) {
                due.insert(s);
            }
        }
        queries_for(inv, &want.full, |s| due.contains(s))
    }

    /// The queries of a look between polls: rows never fetched (the walk added them), every
    /// series of the plan not in `have` (a new selection's drill-in metrics, a triage set that
    /// grew), and rows on screen or selected whose last fetch is older than `every` (scrolled
    /// to).
    pub fn look(
        &self,
        inv: &Inventory,
        want: &Want,
        have: &Metrics,
        now: DateTime<Utc>,
        every: Duration,
    ) -> Vec<MetricQuery> {
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
        q
    }

    /// Notes that `queries` were fetched at `at`.
    pub fn record(&mut self, queries: &[MetricQuery], at: DateTime<Utc>) {
        for q in queries {
            self.last.insert(q.scope.clone(), at);
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
    metric_queries(inv, full)
        .into_iter()
        .filter(|q| have.series(&q.scope, q.metric).is_none())
        .collect()
}

/// How many rows of `n` a poll every `every` fetches so that each is fetched within
/// [`ROTATION`].
pub fn rotation_share(n: usize, every: Duration) -> usize {
    let polls = (ROTATION.as_secs_f64() / every.as_secs_f64().max(1.0)).floor();
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
    for q in metric_queries(inv, full) {
        keep.entry(q.scope).or_default().push(q.metric);
    }
    m.retain(|s, id| keep.get(s).is_some_and(|v| v.contains(&id)));
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rotation_fetches_every_row_within_its_period() {
        let every = Duration::from_secs(60);
        assert_eq!(rotation_share(1_500, every), 150);
        assert_eq!(rotation_share(7, every), 1);
        assert_eq!(rotation_share(0, every), 0);
        // A poll slower than the rotation fetches everything each time.
        assert_eq!(rotation_share(40, Duration::from_secs(900)), 40);
    }
}
