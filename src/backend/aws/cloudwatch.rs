//! CloudWatch: GetMetricData (batched up to 500 queries a call, every page followed),
//! ListMetrics, DescribeAlarms and DescribeAlarmHistory (paginated).

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    Dimension, HistoryItemType, Metric, MetricDataQuery, MetricStat, RecentlyActive, ScanBy,
    StateValue,
};
use aws_smithy_types::DateTime as SmithyTime;

use super::stats::ApiStats;
use super::{classify, to_chrono};
use crate::backend::BResult;
use crate::backend::Op;
use crate::model::{
    Alarm, AlarmChange, AlarmState, MetricId, MetricKind, MetricQuery, MetricWindow, Scope, Series,
};

/// GetMetricData's limit of queries per call.
pub const BATCH: usize = 500;

fn dimensions(scope: &Scope) -> Vec<Dimension> {
    scope
        .dimensions()
        .into_iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect()
}

fn query(i: usize, q: &MetricQuery, period: i32) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(q.metric.namespace())
        .metric_name(q.metric.name())
        .set_dimensions(Some(dimensions(&q.scope)))
        .build();
    MetricDataQuery::builder()
        .id(format!("m{i}"))
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(period)
                .stat(q.metric.stat().as_str())
                .build(),
        )
        .return_data(true)
        .build()
}

pub(super) async fn metrics(
    c: &Client,
    stats: &ApiStats,
    queries: &[MetricQuery],
    window: &MetricWindow,
) -> BResult<Vec<Series>> {
    let period = window.period_seconds as i32;
    let start = window.start.timestamp();
    let mut out: Vec<Series> = vec![vec![None; window.points]; queries.len()];
    for (b, chunk) in queries.chunks(BATCH).enumerate() {
        let base = b * BATCH;
        let batch: Vec<MetricDataQuery> = chunk
            .iter()
            .enumerate()
            .map(|(i, q)| query(base + i, q, period))
            .collect();
        for kind in [
            MetricKind::Triage,
            MetricKind::Full,
            MetricKind::Chart,
            MetricKind::History,
        ] {
            let n = chunk.iter().filter(|q| q.kind == kind).count() as u64;
            if n > 0 {
                stats.metrics_requested(kind, n);
            }
        }
        let mut token: Option<String> = None;
        loop {
            stats.call(Op::GetMetricData);
            let r = c
                .get_metric_data()
                .set_metric_data_queries(Some(batch.clone()))
                .start_time(SmithyTime::from_secs(start))
                .end_time(SmithyTime::from_secs(window.end().timestamp()))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify(Op::GetMetricData, e))?;
            for res in r.metric_data_results() {
                let Some(idx) = res
                    .id()
                    .and_then(|id| id.strip_prefix('m'))
                    .and_then(|n| n.parse::<usize>().ok())
                else {
                    continue;
                };
                let Some(series) = out.get_mut(idx) else {
                    continue;
                };
                for (t, v) in res.timestamps().iter().zip(res.values()) {
                    let off = t.secs() - start;
                    if off < 0 {
                        continue;
                    }
                    let i = (off / i64::from(period.max(1))) as usize;
                    if let Some(slot) = series.get_mut(i) {
                        *slot = Some(*v);
                    }
                }
            }
            token = r.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

/// The dimensions of every series of `metric` with a datapoint in the last 3 hours
/// (ListMetrics with its namespace and name, `RecentlyActive` `PT3H`, every page of 500).
async fn listed(
    c: &Client,
    stats: &ApiStats,
    metric: MetricId,
) -> BResult<Vec<Vec<(String, String)>>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        stats.call(Op::ListMetrics);
        let r = c
            .list_metrics()
            .namespace(metric.namespace())
            .metric_name(metric.name())
            .recently_active(RecentlyActive::Pt3H)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListMetrics, e))?;
        out.extend(r.metrics().iter().map(|m| {
            m.dimensions()
                .iter()
                .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
                .collect::<Vec<_>>()
        }));
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// The streams with a datapoint of `metric` in the last 3 hours (ListMetrics, every page).
pub(super) async fn streams_reporting(
    c: &Client,
    stats: &ApiStats,
    metric: MetricId,
) -> BResult<Vec<String>> {
    let mut names: Vec<String> = listed(c, stats, metric)
        .await?
        .into_iter()
        .flatten()
        .filter(|(k, _)| k == "DeliveryStreamName")
        .map(|(_, v)| v)
        .collect();
    names.sort_unstable();
    names.dedup();
    Ok(names)
}

/// The rules with a datapoint of `metric` (an `AWS/Events` metric) in the last 3 hours: each
/// series with a `RuleName` dimension, on the bus its `EventBusName` names (`default` without
/// one: Amazon EventBridge User Guide, "Dimensions for EventBridge metrics"); sorted, once
/// each.
pub(super) async fn rules_reporting(
    c: &Client,
    stats: &ApiStats,
    metric: MetricId,
) -> BResult<Vec<crate::model::RuleKey>> {
    let mut keys: Vec<crate::model::RuleKey> = listed(c, stats, metric)
        .await?
        .into_iter()
        .filter_map(|dims| {
            let get = |n: &str| dims.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
            Some(crate::model::RuleKey {
                name: get("RuleName")?,
                bus: get("EventBusName").unwrap_or_else(|| "default".into()),
            })
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    Ok(keys)
}

pub(super) async fn alarms(c: &Client, stats: &ApiStats) -> BResult<Vec<Alarm>> {
    let mut alarms = Vec::new();
    let mut token: Option<String> = None;
    loop {
        stats.call(Op::DescribeAlarms);
        let r = c
            .describe_alarms()
            .max_records(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::DescribeAlarms, e))?;
        for a in r.metric_alarms() {
            let Some(name) = a.alarm_name() else { continue };
            let state = match a.state_value() {
                Some(StateValue::Alarm) => AlarmState::Alarm,
                Some(StateValue::Ok) => AlarmState::Ok,
                _ => AlarmState::InsufficientData,
            };
            alarms.push(Alarm {
                name: name.to_string(),
                state,
                reason: a.state_reason().unwrap_or("").to_string(),
                namespace: a.namespace().map(str::to_string),
                metric: a.metric_name().map(str::to_string),
                dimensions: a
                    .dimensions()
                    .iter()
                    .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
                    .collect(),
                state_updated: a
                    .state_updated_timestamp()
                    .and_then(to_chrono)
                    .unwrap_or_default(),
                threshold: a.threshold(),
                comparison: a.comparison_operator().map(|c| c.as_str().to_string()),
            });
        }
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(alarms)
}

/// Most DescribeAlarmHistory pages read for one timeline (100 items a page).
const HISTORY_PAGES: usize = 5;

/// State changes of every alarm at or after `since`, newest first (DescribeAlarmHistory,
/// StateUpdate only, at most [`HISTORY_PAGES`] pages).
pub(super) async fn alarm_history(
    c: &Client,
    stats: &ApiStats,
    since: chrono::DateTime<chrono::Utc>,
) -> BResult<Vec<AlarmChange>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..HISTORY_PAGES {
        stats.call(Op::DescribeAlarmHistory);
        let r = c
            .describe_alarm_history()
            .history_item_type(HistoryItemType::StateUpdate)
            .start_date(SmithyTime::from_secs(since.timestamp()))
            .scan_by(ScanBy::TimestampDescending)
            .max_records(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::DescribeAlarmHistory, e))?;
        for h in r.alarm_history_items() {
            let (Some(alarm), Some(at)) = (h.alarm_name(), h.timestamp().and_then(to_chrono))
            else {
                continue;
            };
            if at < since {
                continue;
            }
            let (from, to) = AlarmChange::states_of(h.history_data().unwrap_or(""));
            out.push(AlarmChange {
                alarm: alarm.to_string(),
                at,
                from,
                to,
                summary: h.history_summary().unwrap_or("").to_string(),
            });
        }
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    // Newest first whatever the server did.
    out.sort_by_key(|c| std::cmp::Reverse(c.at));
    Ok(out)
}

/// The age in seconds of the oldest message in the SQS queue `queue` now: `AWS/SQS`
/// `ApproximateAgeOfOldestMessage` (Maximum, 60 s periods) over the last 15 minutes, the
/// newest datapoint (Amazon SQS Developer Guide, "Available CloudWatch metrics for Amazon
/// SQS"). `None` when CloudWatch has no datapoint (SQS publishes queue metrics every 5
/// minutes, and not for a queue that has been empty and idle).
pub(super) async fn oldest_message_age(
    c: &Client,
    stats: &ApiStats,
    queue: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> BResult<Option<f64>> {
    let metric = Metric::builder()
        .namespace("AWS/SQS")
        .metric_name("ApproximateAgeOfOldestMessage")
        .dimensions(Dimension::builder().name("QueueName").value(queue).build())
        .build();
    let q = MetricDataQuery::builder()
        .id("age")
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(60)
                .stat("Maximum")
                .build(),
        )
        .return_data(true)
        .build();
    stats.call(Op::GetMetricData);
    stats.metrics_requested(MetricKind::Full, 1);
    let r = c
        .get_metric_data()
        .metric_data_queries(q)
        .start_time(SmithyTime::from_secs(now.timestamp() - 15 * 60))
        .end_time(SmithyTime::from_secs(now.timestamp()))
        .scan_by(ScanBy::TimestampDescending)
        .send()
        .await
        .map_err(|e| classify(Op::GetMetricData, e))?;
    Ok(r.metric_data_results()
        .iter()
        .flat_map(|res| res.timestamps().iter().zip(res.values()))
        .max_by_key(|(t, _)| t.secs())
        .map(|(_, v)| *v))
}
