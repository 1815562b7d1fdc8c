//! Alarm coverage (issue 14): the alarms a pipeline built on the runbook's design has —
//! "automated alarms are set up for essential metrics such as partition size and S3 delivery
//! success" — for each delivery stream: delivery success and data freshness of its destination
//! kind, `ThrottledRecords` for Direct PUT, `PartitionCountExceeded` with dynamic
//! partitioning; for each rule feeding it, `FailedInvocations`. For each, the alarms that
//! watch it (same namespace, metric name and the stream's or rule's dimensions) and, for a
//! missing one, a ready-to-paste `aws cloudwatch put-metric-alarm`.
//!
//! Thresholds: data freshness above 4 × the stream's buffering interval and at least 900 s,
//! the longest buffering interval (fhtop's own FAIL line, `freshness_level`; "add CloudWatch
//! alarms for when the DataFreshness metrics exceed the buffering limit (a maximum of 15
//! minutes)" — Amazon Data Firehose Developer Guide, *Implement best practices with CloudWatch
//! Alarms*, which also recommends an alarm on `ThrottledRecords`; a stream buffering 900 s is
//! often 900 s fresh when healthy); delivery success below 1
//! (a failed delivery attempt) for 3 periods of 5 minutes, so one retried attempt does not
//! page; any throttled record, any exceeded partition count, any failed invocation. Alarms on
//! a metric-math expression (no single metric) are not matched: fhtop cannot tell what they
//! watch.

use crate::model::{Alarm, DestinationKind, Inventory, MetricId, Scope, Source, Stream};

/// One alarm the design expects: on `metric` of `scope`, firing as the fields say.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// The stream (`DeliveryStreamName`) or rule (`RuleName`, `EventBusName`) watched.
    pub scope: Scope,
    /// The metric watched.
    pub metric: MetricId,
    /// The CloudWatch statistic compared ("Minimum", "Maximum", "Sum").
    pub statistic: &'static str,
    /// The `ComparisonOperator`.
    pub comparison: &'static str,
    /// The `Threshold`, in the metric's unit (ratio 0–1, seconds, count).
    pub threshold: f64,
    /// `EvaluationPeriods` of 300 s each.
    pub evaluation_periods: u32,
    /// What the alarm catches, in a few words.
    pub catches: &'static str,
}

/// An expected alarm and the alarms that watch it (their names; empty: missing).
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// What is expected.
    pub expected: Expected,
    /// The names of the alarms watching that metric of that stream or rule.
    pub alarms: Vec<String>,
}

/// The alarms the design expects for stream `s` and the rules feeding it, in order: delivery
/// success, data freshness (when its destination kind is known), throttled records (Direct
/// PUT), partition count exceeded (dynamic partitioning), then each feeding rule's failed
/// invocations.
pub fn expected(inv: &Inventory, s: &Stream) -> Vec<Expected> {
    let stream = Scope::Stream(s.name.clone());
    let mut v = Vec::new();
    let mut add = |scope: &Scope, metric, statistic, comparison, threshold, periods, catches| {
        v.push(Expected {
            scope: scope.clone(),
            metric,
            statistic,
            comparison,
            threshold,
            evaluation_periods: periods,
            catches,
        });
    };
    if let Some(kind) = s.destination_kind() {
        if kind == DestinationKind::Iceberg {
            // `DeliveryToIceberg.Success` counts commits: failed rows are what to alarm on.
            add(
                &stream,
                MetricId::IcebergFailedRows,
                "Sum",
                "GreaterThanThreshold",
                0.0,
                1,
                "failed rows",
            );
        } else {
            add(
                &stream,
                MetricId::DeliverySuccess(kind),
                "Minimum",
                "LessThanThreshold",
                1.0,
                3,
                "failed deliveries",
            );
        }
        add(
            &stream,
            MetricId::DataFreshness(kind),
            "Maximum",
            "GreaterThanThreshold",
            (super::buffer_interval(s) * 4.0).max(900.0),
            1,
            "delivery falling behind",
        );
    }
    if matches!(s.source, Source::DirectPut) {
        add(
            &stream,
            MetricId::ThrottledRecords,
            "Sum",
            "GreaterThanThreshold",
            0.0,
            1,
            "producers throttled",
        );
    }
    if s.dynamic_partitioning_enabled() {
        add(
            &stream,
            MetricId::PartitionCountExceeded,
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            1.0,
            1,
            "too many active partitions",
        );
    }
    for r in inv.rules_feeding(&s.name) {
        add(
            &Scope::Rule(r.key()),
            MetricId::FailedInvocations,
            "Sum",
            "GreaterThanOrEqualToThreshold",
            1.0,
            1,
            "the rule failing to deliver to the stream",
        );
    }
    v
}

/// [`expected`] for stream `s`, each with the alarms of `alarms` that watch it.
pub fn coverage(inv: &Inventory, alarms: &[Alarm], s: &Stream) -> Vec<Coverage> {
    expected(inv, s)
        .into_iter()
        .map(|e| Coverage {
            alarms: alarms
                .iter()
                .filter(|a| watches(a, &e))
                .map(|a| a.name.clone())
                .collect(),
            expected: e,
        })
        .collect()
}

/// Whether `a` watches the metric `e` expects: the same namespace and metric name, exactly the
/// stream's `DeliveryStreamName` or the rule's `RuleName` (and `EventBusName` off the default
/// bus: the default bus's metrics have none) dimensions — an alarm with other dimensions
/// watches a series that does not exist — and a comparison the same way (`LessThan…` for
/// delivery success, `GreaterThan…` for the others). Its threshold is not judged.
fn watches(a: &Alarm, e: &Expected) -> bool {
    let mut want = e.scope.dimensions();
    let mut have: Vec<(&str, &str)> = a
        .dimensions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    want.sort_unstable();
    have.sort_unstable();
    let way = if e.comparison.starts_with("LessThan") {
        "LessThan"
    } else {
        "GreaterThan"
    };
    a.namespace.as_deref() == Some(e.metric.namespace())
        && a.metric.as_deref() == Some(e.metric.name())
        && want == have
        && a.comparison.as_deref().is_some_and(|c| c.starts_with(way))
}

impl Expected {
    /// `--dimensions` of the AWS CLI for its scope.
    fn cli_dimensions(&self) -> String {
        crate::text::cli_dimensions(&self.scope.dimensions())
    }

    /// What is watched, for a list: the metric's name, and `of rule BUS/NAME` for a rule's.
    pub fn label(&self) -> String {
        match &self.scope {
            Scope::Stream(_) => self.metric.name().to_string(),
            Scope::Rule(k) => format!("{} of rule {k}", self.metric.name()),
        }
    }

    /// A name for the alarm: `<stream or bus/rule>-<metric>`.
    pub fn alarm_name(&self) -> String {
        let what = match &self.scope {
            Scope::Stream(n) => n.clone(),
            Scope::Rule(k) => k.to_string(),
        };
        format!("{what}-{}", self.metric.name())
    }

    /// The `aws cloudwatch put-metric-alarm` that creates it in `region`, every period 300 s,
    /// missing data not breaching; names shell-quoted. (Add `--alarm-actions <SNS topic ARN>`
    /// to be notified.)
    pub fn put_metric_alarm(&self, region: &str) -> String {
        format!(
            "aws cloudwatch put-metric-alarm --region {region} --alarm-name {} --namespace {} --metric-name {} --dimensions {} --statistic {} --period 300 --evaluation-periods {} --threshold {} --comparison-operator {} --treat-missing-data notBreaching",
            crate::text::shell_quote(&self.alarm_name()),
            self.metric.namespace(),
            self.metric.name(),
            self.cli_dimensions(),
            self.statistic,
            self.evaluation_periods,
            self.threshold,
            self.comparison,
        )
    }

    /// The `aws cloudwatch describe-alarms-for-metric` that lists the alarms on it in `region`.
    pub fn describe_alarms_for_metric(&self, region: &str) -> String {
        format!(
            "aws cloudwatch describe-alarms-for-metric --region {region} --namespace {} --metric-name {} --dimensions {}",
            self.metric.namespace(),
            self.metric.name(),
            self.cli_dimensions(),
        )
    }
}
