//! What fhtop costs: API calls per operation and CloudWatch metrics requested (GetMetricData is
//! billed per metric requested).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::MetricKind;

#[derive(Default)]
struct Inner {
    calls: VecDeque<(Instant, &'static str)>,
    metrics: VecDeque<(Instant, MetricKind, u64)>,
    totals: BTreeMap<&'static str, u64>,
    metrics_total: BTreeMap<MetricKind, u64>,
    bytes: BTreeMap<&'static str, u64>,
}

/// Counts of API calls (per operation, kept one minute for the rate, totals since start) and of
/// CloudWatch metrics requested (kept one hour). Shared by every call of the backend.
#[derive(Default)]
pub struct ApiStats {
    inner: Mutex<Inner>,
}

/// A copy for the UI: per operation (calls in the last minute, calls since start), and metrics
/// requested in the last hour and since start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiStatsView {
    /// Per operation (e.g. "firehose:DescribeDeliveryStream"): (operation, calls in the last
    /// minute,
    /// calls since start), sorted by operation.
    pub ops: Vec<(String, u64, u64)>,
    /// Metrics requested with GetMetricData in the last hour (billed per metric).
    pub metrics_last_hour: u64,
    /// Metrics requested with GetMetricData since start.
    pub metrics_total: u64,
    /// Per data kind (triage, full, chart): (kind, metrics requested in the last hour, since
    /// start), in kind order, kinds never requested left out.
    pub metrics_by_kind: Vec<(MetricKind, u64, u64)>,
    /// Bytes read since start per operation that reads data (e.g. "s3:GetObject"), sorted by
    /// operation.
    pub bytes_read: Vec<(String, u64)>,
}

const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

impl ApiStats {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut g = match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        f(&mut g)
    }

    /// Counts one call of `op` (kept as its IAM action, e.g. "events:ListRules").
    pub fn call(&self, op: crate::backend::Op) {
        let op = op.action();
        let now = Instant::now();
        self.with(|i| {
            i.calls.push_back((now, op));
            *i.totals.entry(op).or_default() += 1;
            while i
                .calls
                .front()
                .is_some_and(|(t, _)| now.duration_since(*t) > MINUTE)
            {
                i.calls.pop_front();
            }
        });
    }

    /// Counts `n` bytes of data read by a call of `op` (GetObject's body).
    pub fn bytes_read(&self, op: crate::backend::Op, n: u64) {
        let op = op.action();
        self.with(|i| *i.bytes.entry(op).or_default() += n);
    }

    /// Counts `n` metrics requested for `kind` (one GetMetricData call asks for up to 500).
    pub fn metrics_requested(&self, kind: MetricKind, n: u64) {
        let now = Instant::now();
        self.with(|i| {
            i.metrics.push_back((now, kind, n));
            *i.metrics_total.entry(kind).or_default() += n;
            while i
                .metrics
                .front()
                .is_some_and(|(t, _, _)| now.duration_since(*t) > HOUR)
            {
                i.metrics.pop_front();
            }
        });
    }

    /// A copy of the counters as of now, for the API cost pane.
    pub fn view(&self) -> ApiStatsView {
        let now = Instant::now();
        self.with(|i| {
            let mut minute: BTreeMap<&str, u64> = BTreeMap::new();
            for (t, op) in &i.calls {
                if now.duration_since(*t) <= MINUTE {
                    *minute.entry(op).or_default() += 1;
                }
            }
            ApiStatsView {
                ops: i
                    .totals
                    .iter()
                    .map(|(op, total)| {
                        (op.to_string(), minute.get(op).copied().unwrap_or(0), *total)
                    })
                    .collect(),
                metrics_last_hour: i
                    .metrics
                    .iter()
                    .filter(|(t, _, _)| now.duration_since(*t) <= HOUR)
                    .map(|(_, _, n)| n)
                    .sum(),
                metrics_total: i.metrics_total.values().sum(),
                metrics_by_kind: i
                    .metrics_total
                    .iter()
                    .map(|(kind, total)| {
                        let hour = i
                            .metrics
                            .iter()
                            .filter(|(t, k, _)| k == kind && now.duration_since(*t) <= HOUR)
                            .map(|(_, _, n)| n)
                            .sum();
                        (*kind, hour, *total)
                    })
                    .collect(),
                bytes_read: i.bytes.iter().map(|(op, n)| (op.to_string(), *n)).collect(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_operation_and_metrics() {
        let s = ApiStats::default();
        s.call(crate::backend::Op::DescribeDeliveryStream);
        s.call(crate::backend::Op::DescribeDeliveryStream);
        s.call(crate::backend::Op::GetMetricData);
        s.metrics_requested(MetricKind::Triage, 500);
        s.metrics_requested(MetricKind::Full, 20);
        s.metrics_requested(MetricKind::Triage, 7);
        let v = s.view();
        assert_eq!(v.metrics_last_hour, 527);
        assert_eq!(v.metrics_total, 527);
        assert_eq!(
            v.metrics_by_kind,
            vec![(MetricKind::Triage, 507, 507), (MetricKind::Full, 20, 20)]
        );
        let d = v
            .ops
            .iter()
            .find(|o| o.0 == "firehose:DescribeDeliveryStream")
            .unwrap();
        assert_eq!((d.1, d.2), (2, 2));
    }
}
