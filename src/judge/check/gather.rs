//! Reading what the checks need, once and concurrently: the inventory, GetMetricData 500
//! metrics a call, one DescribeAlarms walk, the error log groups, the permission simulations.

use super::*;

/// Everything the checks read, fetched once.
pub struct Gathered {
    /// The 12-digit account ID checked (STS GetCallerIdentity; "?" when it could not be read).
    pub account: String,
    /// The region checked.
    pub region: String,
    /// When the checks ran: the end of the metrics window and what "recent" is measured from.
    pub now: DateTime<Utc>,
    /// The inventory the selection is checked on ([`super::inventory_for`]: the whole of it,
    /// or the rows named and those they feed or are fed by), with its error rows.
    pub inv: Inventory,
    /// The streams and rules to check, resolved from the selection.
    pub scope: Resolved,
    /// The triage metrics of the rows checked, or why GetMetricData failed (the metric checks
    /// are then UNKNOWN).
    pub metrics: BResult<Metrics>,
    /// Every CloudWatch alarm, or why DescribeAlarms failed.
    pub alarms: BResult<Vec<Alarm>>,
    /// The alarms' state changes over the metrics window (DescribeAlarmHistory), or why they
    /// could not be read: the timelines' alarm entries.
    pub alarm_history: BResult<Vec<crate::model::AlarmChange>>,
    /// Error log group → its events of the last hour.
    pub logs: HashMap<String, BResult<Vec<LogEvent>>>,
    /// Simulations with the target they are about.
    pub sims: Vec<(SimTarget, Report)>,
    /// The customer-managed writer policy name (`--writer-policy`, default "firehose_writer").
    pub writer_policy: String,
    /// Rules that matched nothing in the window, tested against their bus's logged events (or
    /// why they could not be: the pattern fhtop's engine cannot read), by `bus/name`.
    pub samples: Vec<(String, Result<crate::judge::pattern::SampleReport, String>)>,
    /// For the same rules, whether each other account their pattern names (`"account"`) may
    /// put events on their bus (the bus policy, `iam::producer_requests`), by `bus/name`: a
    /// refusal is why such a rule matches nothing.
    pub producers: Vec<(String, Report)>,
}

/// What a permission simulation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimTarget {
    /// The stream's delivery role.
    Stream(String),
    /// The stream's source role (Kinesis data stream, MSK).
    Source(String),
    /// A rule's target roles (EventBridge putting to Firehose or Kinesis).
    Rule(RuleKey),
    /// The writer policy (may producers write to the streams?).
    WriterPolicy,
}

/// Read what the checks need, concurrently. Fails only when the inventory cannot be read.
pub async fn gather(
    backend: &dyn Backend,
    sel: &Selection,
    window_minutes: u32,
    writer_policy: &str,
    now: DateTime<Utc>,
) -> BResult<Gathered> {
    let (identity, inv) = tokio::join!(
        backend.identity(),
        crate::judge::check::inventory_for(backend, sel)
    );
    let identity = identity?;
    let inv = inv?;
    let scope = sel.resolve(&inv);
    let mut sims: Vec<(SimTarget, SimRequest)> = Vec::new();
    for name in &scope.streams {
        if let Some(req) = inv.stream(name).and_then(iam::stream_request) {
            sims.push((SimTarget::Stream(name.clone()), req));
        }
        if let Some(req) = inv.stream(name).and_then(iam::source_request) {
            sims.push((SimTarget::Source(name.clone()), req));
        }
    }
    for key in &scope.rules {
        if let Some(r) = inv.rule(key) {
            sims.extend(
                iam::rule_requests(r)
                    .into_iter()
                    .map(|q| (SimTarget::Rule(key.clone()), q)),
            );
        }
    }
    let streams: Vec<String> = scope
        .streams
        .iter()
        .filter_map(|n| inv.stream(n).map(|s| s.arn.clone()))
        .collect();
    // With no stream in scope (none named, none read) there is nothing to write to.
    if !writer_policy.is_empty() && !streams.is_empty() {
        sims.push((
            SimTarget::WriterPolicy,
            iam::writer_request(writer_policy, streams),
        ));
    }
    let groups: Vec<String> = scope
        .streams
        .iter()
        .filter_map(|n| inv.stream(n).and_then(Stream::log_group))
        .map(str::to_string)
        .collect();
    let since = now - Duration::minutes(ERROR_LOOKBACK_MIN);
    let reqs: Vec<SimRequest> = sims.iter().map(|(_, q)| q.clone()).collect();
    let window_start = now - Duration::minutes(i64::from(window_minutes));
    let (metrics, alarms, alarm_history, logs, reports) = tokio::join!(
        // The rows checked only (a stream named in a large account is not 75,000 series).
        crate::backend::read::fetch(
            backend,
            crate::model::metric_queries_of(&inv, &[], |s| match s {
                crate::model::Scope::Stream(n) => scope.streams.contains(n),
                crate::model::Scope::Rule(k) => scope.rules.contains(k),
            }),
            crate::model::MetricWindow::ending_at(now, window_minutes, 60),
        ),
        backend.alarms(),
        backend.alarm_history(window_start),
        futures_util::future::join_all(groups.iter().map(|g| error_events(backend, g, since, now))),
        iam::run_all(backend, &reqs),
    );
    // Rules that matched nothing: test them against what their bus logged.
    let quiet: Vec<&Rule> = scope
        .rules
        .iter()
        .filter_map(|k| inv.rule(k))
        .filter(|r| r.state.is_enabled() && r.event_pattern.is_some())
        .filter(|r| {
            metrics.as_ref().is_ok_and(|m| {
                m.window_sum(
                    &crate::model::Scope::Rule(r.key()),
                    crate::model::MetricId::MatchedEvents,
                )
                .unwrap_or(0.0)
                    <= 0.0
            })
        })
        .collect();
    let producers: Vec<(String, SimRequest)> = quiet
        .iter()
        .flat_map(|r| {
            iam::producer_requests(r)
                .into_iter()
                .map(|q| (r.key().to_string(), q))
        })
        .collect();
    let producer_reqs: Vec<SimRequest> = producers.iter().map(|(_, q)| q.clone()).collect();
    let (tested, producer_reports) = tokio::join!(
        futures_util::future::join_all(
            quiet
                .iter()
                .map(|r| crate::judge::pattern::test_samples(backend, &inv, r, since, now)),
        ),
        iam::run_all(backend, &producer_reqs),
    );
    let samples: Vec<(String, Result<crate::judge::pattern::SampleReport, String>)> = quiet
        .iter()
        .map(|r| r.key().to_string())
        .zip(tested)
        .collect();
    Ok(Gathered {
        samples,
        account: identity.account,
        region: identity.region,
        now,
        scope,
        metrics,
        alarms,
        alarm_history,
        logs: groups.into_iter().zip(logs).collect(),
        sims: sims.into_iter().map(|(t, _)| t).zip(reports).collect(),
        producers: producers
            .into_iter()
            .map(|(k, _)| k)
            .zip(producer_reports)
            .collect(),
        writer_policy: writer_policy.to_string(),
        inv,
    })
}

/// Events read per error log group and query.
const LOG_LIMIT: usize = 1000;

/// A group's error events of the lookback. FilterLogEvents answers oldest first, so when the
/// hour holds more than one read's worth, the last [`ERRORS_RECENT_MIN`] minutes are read too:
/// the newest event (which decides FAIL or WARN) is then the real newest.
async fn error_events(
    backend: &dyn Backend,
    group: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> BResult<Vec<LogEvent>> {
    let recent = now - Duration::minutes(ERRORS_RECENT_MIN);
    match crate::backend::read::newest_events(backend, group, since, recent, LOG_LIMIT).await? {
        // Without the newest minutes the newest error is unknown: the group is not read.
        (_, Some(e)) => Err(e),
        (events, None) => Ok(events),
    }
}
