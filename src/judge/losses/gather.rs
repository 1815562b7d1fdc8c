//! Reading what the ledger needs, once and concurrently: the inventory, the metrics over the
//! window (and the last minutes at one-minute periods), each dead-letter queue's depth, and a
//! listing of each stream's error output. Read only.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::{ErrorObjects, Inputs, Ledger, ledger, tally};
use crate::backend::{BResult, Backend};
use crate::judge::check::Selection;
use crate::model::{
    Inventory, MetricKind, MetricQuery, MetricWindow, Metrics, QueueState, RuleKey, Scope,
    chart_period, rule_metrics, stream_metrics,
};

/// Most ListObjectsV2 calls per stream's error output (24 h × 3 types of hour prefixes is 72).
pub const LIST_CALLS: usize = 200;
/// The minutes read at one-minute periods for what is true now.
const RECENT_MINUTES: u32 = 15;

/// Everything the ledger read.
pub struct Gathered {
    /// The account (STS GetCallerIdentity; "?" when it could not be read).
    pub account: String,
    /// The region.
    pub region: String,
    /// The end of the window.
    pub now: DateTime<Utc>,
    /// The inventory.
    pub inv: Inventory,
    /// The rules in scope.
    pub rules: Vec<RuleKey>,
    /// The streams in scope.
    pub streams: Vec<String>,
    /// Names asked for that are not in the inventory: ("stream" or "rule", the name).
    pub missing: Vec<(&'static str, String)>,
    /// The metrics over the window and over the last minutes, or why they could not be read.
    pub metrics: BResult<(Metrics, Metrics)>,
    /// Dead-letter queues of the rules in scope, by ARN.
    pub queues: BTreeMap<String, BResult<QueueState>>,
    /// Error output listings of the streams in scope, by stream name.
    pub outputs: BTreeMap<String, BResult<ErrorObjects>>,
    /// The archives of the buses of the rules in scope, by bus name.
    pub archives: BTreeMap<String, BResult<Vec<crate::model::archive::Archive>>>,
}

impl Gathered {
    /// The ledger of what was read.
    pub fn ledger(&self) -> Ledger {
        let why = self
            .metrics
            .as_ref()
            .err()
            .map(|e| e.explained())
            .unwrap_or_default();
        let inp = Inputs {
            metrics: self
                .metrics
                .as_ref()
                .map(|(w, _)| w)
                .map_err(|_| why.as_str()),
            recent: self.metrics.as_ref().ok().map(|(_, r)| r),
            queues: Some(&self.queues),
            outputs: Some(&self.outputs),
            archives: Some(&self.archives),
            now: self.now,
        };
        ledger(&inp, &self.inv, &self.rules, &self.streams)
    }
}

/// Reads what the ledger of `sel` over the last `window_minutes` before `now` needs.
///
/// Errors: only the inventory's (anything else unread is an "unknown" line of the ledger).
pub async fn gather(
    backend: &dyn Backend,
    sel: &Selection,
    window_minutes: u32,
    now: DateTime<Utc>,
) -> BResult<Gathered> {
    let (identity, inv) = tokio::join!(
        backend.identity(),
        crate::judge::check::inventory_for(backend, sel)
    );
    let inv = inv?;
    let (account, region) = identity
        .map(|i| (i.account, i.region))
        .unwrap_or_else(|_| ("?".into(), "?".into()));
    let resolved = sel.resolve(&inv);
    let rules: Vec<RuleKey> = resolved.rules.iter().cloned().collect();
    let streams: Vec<String> = resolved.streams.iter().cloned().collect();
    // Every metric of the rules and streams in scope over the window; the streams' triage
    // set over the last minutes.
    let mut window_q = Vec::new();
    let mut recent_q = Vec::new();
    for key in &rules {
        if let Some(r) = inv.rule(key) {
            window_q.extend(
                rule_metrics(r, true)
                    .into_iter()
                    .map(|(metric, kind)| MetricQuery {
                        scope: Scope::Rule(key.clone()),
                        metric,
                        kind,
                    }),
            );
        }
    }
    for name in &streams {
        if let Some(s) = inv.stream(name) {
            for (metric, kind) in stream_metrics(s, true) {
                let q = MetricQuery {
                    scope: Scope::Stream(name.clone()),
                    metric,
                    kind,
                };
                if kind == MetricKind::Triage {
                    recent_q.push(q.clone());
                }
                window_q.push(q);
            }
        }
    }
    let window = MetricWindow::ending_at(now, window_minutes, chart_period(window_minutes));
    let recent = MetricWindow::ending_at(now, RECENT_MINUTES, 60);
    let mut queue_arns: Vec<String> = rules
        .iter()
        .filter_map(|k| inv.rule(k))
        .flat_map(|r| r.targets.iter().filter_map(|t| t.dead_letter_arn.clone()))
        .collect();
    queue_arns.sort();
    queue_arns.dedup();
    let since = now - Duration::minutes(i64::from(window_minutes));
    let listed: Vec<&crate::model::Stream> = streams
        .iter()
        .filter_map(|n| inv.stream(n))
        .filter(|s| crate::model::failed::ErrorOutput::of(s).is_some())
        .collect();
    // Each bus of a rule in scope once, by its ARN (the rule's ARN names it).
    let mut buses: BTreeMap<String, String> = BTreeMap::new();
    for r in rules.iter().filter_map(|k| inv.rule(k)) {
        if let Some(arn) = super::bus_arn(r) {
            buses.entry(r.bus.clone()).or_insert(arn);
        }
    }
    let (w, r, queues, outputs, archives) = tokio::join!(
        crate::backend::read::fetch(backend, window_q, window),
        crate::backend::read::fetch(backend, recent_q, recent),
        futures_util::future::join_all(queue_arns.iter().map(|q| backend.queue_state(q))),
        futures_util::future::join_all(
            listed
                .iter()
                .map(|s| tally(backend, s, since, now, LIST_CALLS))
        ),
        futures_util::future::join_all(buses.values().map(|arn| backend.archives(arn))),
    );
    Ok(Gathered {
        account,
        region,
        now,
        rules,
        streams,
        missing: resolved.missing,
        metrics: w.and_then(|w| r.map(|r| (w, r))),
        queues: queue_arns.into_iter().zip(queues).collect(),
        outputs: listed.iter().map(|s| s.name.clone()).zip(outputs).collect(),
        archives: buses.into_keys().zip(archives).collect(),
        inv,
    })
}
