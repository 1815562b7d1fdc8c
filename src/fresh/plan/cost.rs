//! What the metric plan costs ([`PlanCost`]): metrics requested a minute and USD an hour, for
//! fhtop's plan and for a full plan.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Listing, Want};
use crate::model::{Inventory, Scope, metric_queries_of};

/// USD per 1,000 metrics requested with GetMetricData, at CloudWatch's list price (us-east-1;
/// Amazon CloudWatch pricing, "API requests": GetMetricData is billed per metric requested,
/// whatever the time range or the number of datapoints).
pub const GET_METRIC_DATA_PER_1000: f64 = 0.01;

/// What the metric plan costs for one inventory: metrics requested a minute, in steady state,
/// by the plan fhtop follows and by a full plan (every row's triage set every poll). Rates are
/// averages (the rotation's share is the same every poll); looks between polls (rows
/// scrolled to) come on top, and so do the sweep's ListMetrics requests (USD 0.01 per 1,000
/// requests, one per metric name and 500 series).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanCost {
    /// Rows (streams, rules, streams known by their metrics only).
    pub rows: usize,
    /// Metrics requested a minute by fhtop's plan: the rows on screen, the selection's every
    /// metric and the failing rows every poll, the others once per rotation ([`PlanCost::rotation`]).
    pub plan_per_minute: f64,
    /// Metrics requested a minute if every row's triage set (and the selection's every metric)
    /// were fetched every poll.
    pub full_per_minute: f64,
    /// Series of rows off screen not requested because the listing says they had no
    /// datapoint in the last 3 hours.
    pub resting_series: usize,
    /// When the listing they rest on was made (ListMetrics), if there is one.
    pub listed_at: Option<DateTime<Utc>>,
    /// The rotation's period: every row off screen is looked at again within it
    /// ([`super::rotation_for`]: 10 minutes, longer in a large account).
    pub rotation: Duration,
}

impl PlanCost {
    /// The plan's cost: `inv`'s rows, `want` (the rows on screen and the selection), `urgent`
    /// rows (FAIL) and the metrics interval `every`.
    pub fn of(
        inv: &Inventory,
        want: &Want,
        urgent: &HashSet<Scope>,
        every: Duration,
        listing: Option<&Listing>,
    ) -> Self {
        let polls = 60.0 / every.as_secs_f64().max(1.0);
        let mut triage: HashMap<Scope, usize> = HashMap::new();
        // Series the listing says are empty: not requested for rows off screen.
        let mut resting: HashMap<Scope, usize> = HashMap::new();
        crate::model::each_query(
            inv,
            &[],
            |_| true,
            |scope, metric, _| {
                if listing.is_some_and(|l| l.absent(scope, metric)) {
                    *resting.entry(scope.clone()).or_default() += 1;
                }
                *triage.entry(scope.clone()).or_default() += 1;
            },
        );
        let each_poll: HashSet<&Scope> = want.screen.iter().chain(urgent).collect();
        let full: HashSet<&Scope> = want.full.iter().collect();
        let off_screen = |s: &Scope| !each_poll.contains(s) && !full.contains(s);
        // The rotation's period, from the series off screen that do not rest (as the poll's).
        let active: usize = triage
            .iter()
            .filter(|(s, _)| off_screen(s))
            .map(|(s, n)| n - resting.get(s).copied().unwrap_or(0))
            .sum();
        let rotation = super::rotation_for(active, super::listed_streams(inv));
        let per_rotation = every.as_secs_f64().max(1.0) / rotation.as_secs_f64();
        let (mut plan, mut whole, mut rested) = (0.0, 0.0, 0.0);
        for (scope, n) in &triage {
            let n = *n as f64;
            whole += n * polls;
            if off_screen(scope) {
                // Once per rotation: a share of it every poll, less what rests on the listing.
                let rests = resting.get(scope).copied().unwrap_or(0) as f64;
                plan += (n - rests) * polls * per_rotation.min(1.0);
                rested += rests;
            }
        }
        let due_each_poll: HashSet<&Scope> = each_poll
            .iter()
            .filter(|s| !full.contains(**s))
            .copied()
            .collect();
        let full_set = metric_queries_of(inv, &want.full, |s| full.contains(s)).len() as f64;
        plan += full_set * polls;
        // A full plan fetches the selection's every metric too, not only its triage set.
        let full_triage: usize = full.iter().filter_map(|s| triage.get(*s)).sum();
        whole += (full_set - full_triage as f64).max(0.0) * polls;
        plan += metric_queries_of(inv, &[], |s| due_each_poll.contains(s)).len() as f64 * polls;
        Self {
            rows: triage.len(),
            plan_per_minute: plan,
            full_per_minute: whole,
            resting_series: rested as usize,
            listed_at: listing.map(|l| l.at),
            rotation,
        }
    }

    /// USD an hour of `per_minute` metrics requested a minute, at list price.
    pub fn usd_per_hour(per_minute: f64) -> f64 {
        per_minute * 60.0 / 1000.0 * GET_METRIC_DATA_PER_1000
    }

    /// "plan ≈ 1748 metrics/min ($1.05/h) · every row every poll ≈ 17480/min ($10.49/h)".
    pub fn rates(&self) -> String {
        format!(
            "plan ≈ {:.0} metrics/min (${:.2}/h) · every row every poll ≈ {:.0}/min (${:.2}/h)",
            self.plan_per_minute,
            Self::usd_per_hour(self.plan_per_minute),
            self.full_per_minute,
            Self::usd_per_hour(self.full_per_minute)
        )
    }

    /// "rows off screen fetched again within 10 min; on screen, selected or failing: every
    /// poll": how old an off-screen row's verdict may be.
    pub fn rotation_line(&self) -> String {
        let secs = self.rotation.as_secs();
        let every = if secs.is_multiple_of(60) {
            format!("{} min", secs / 60)
        } else {
            format!("{} min {} s", secs / 60, secs % 60)
        };
        format!(
            "rows off screen fetched again within {every}; on screen, selected or failing: every poll"
        )
    }

    /// "1500 series off screen rest on ListMetrics of 00:47:31 UTC (no datapoint in 3 h)", when
    /// some do.
    pub fn resting(&self) -> Option<String> {
        let at = self.listed_at?;
        (self.resting_series > 0).then(|| {
            format!(
                "{} series off screen rest on ListMetrics of {} UTC (no datapoint in 3 h)",
                self.resting_series,
                at.format("%H:%M:%S")
            )
        })
    }

    /// [`PlanCost::rates`], then [`PlanCost::resting`] when some series rest.
    pub fn describe(&self) -> String {
        match self.resting() {
            Some(r) => format!("{} · {r}", self.rates()),
            None => self.rates(),
        }
    }
}
