//! CloudWatch alarms, linked to streams and rules by their dimensions.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::rule::RuleKey;

/// A CloudWatch alarm's `StateValue` (DescribeAlarms). Ordered worst first: `Alarm` sorts before
/// `Ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AlarmState {
    /// `ALARM`: the metric breached the threshold.
    Alarm,
    /// `INSUFFICIENT_DATA`: not enough datapoints to decide (also any unrecognised state).
    InsufficientData,
    /// `OK`: within the threshold.
    Ok,
}

impl AlarmState {
    /// Parses `StateValue`: "ALARM", "OK"; anything else is `InsufficientData`.
    pub fn parse(s: &str) -> Self {
        match s {
            "ALARM" => Self::Alarm,
            "OK" => Self::Ok,
            _ => Self::InsufficientData,
        }
    }
    /// The state as AWS spells it: "ALARM", "INSUFFICIENT_DATA", "OK".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alarm => "ALARM",
            Self::InsufficientData => "INSUFFICIENT_DATA",
            Self::Ok => "OK",
        }
    }
}

/// A CloudWatch metric alarm (DescribeAlarms `MetricAlarms`; composite alarms are not read).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    /// The alarm name (`AlarmName`).
    pub name: String,
    /// The current state (`StateValue`).
    pub state: AlarmState,
    /// Why it is in that state (`StateReason`; empty when not reported).
    pub reason: String,
    /// The metric's namespace (`Namespace`, e.g. "AWS/Firehose"), when the alarm watches one
    /// metric.
    pub namespace: Option<String>,
    /// The metric name (`MetricName`), when the alarm watches one metric.
    pub metric: Option<String>,
    /// The metric's dimensions as (name, value) pairs, e.g. ("DeliveryStreamName", "orders").
    pub dimensions: Vec<(String, String)>,
    /// When the state last changed (`StateUpdatedTimestamp`; the Unix epoch when not reported).
    pub state_updated: DateTime<Utc>,
    /// The `Threshold` compared against, when set.
    pub threshold: Option<f64>,
    /// The `ComparisonOperator` (e.g. "GreaterThanThreshold"), when set.
    pub comparison: Option<String>,
}

impl Alarm {
    fn dimension(&self, key: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// The delivery stream the alarm watches (its `DeliveryStreamName` dimension), if any.
    pub fn stream(&self) -> Option<&str> {
        self.dimension("DeliveryStreamName")
    }
    /// The rule the alarm watches (its `RuleName` dimension), if any.
    pub fn rule(&self) -> Option<&str> {
        self.dimension("RuleName")
    }
    /// The bus dimension; absent means the default bus.
    pub fn bus(&self) -> &str {
        self.dimension("EventBusName").unwrap_or("default")
    }
    /// Whether the alarm's `DeliveryStreamName` dimension is this stream.
    pub fn is_for_stream(&self, name: &str) -> bool {
        self.stream() == Some(name)
    }
    /// Whether the alarm's `RuleName` and `EventBusName` (default: "default") dimensions match this
    /// rule.
    pub fn is_for_rule(&self, key: &RuleKey) -> bool {
        self.rule() == Some(key.name.as_str()) && self.bus() == key.bus
    }
}

/// One state change of an alarm (DescribeAlarmHistory, `HistoryItemType` `StateUpdate`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmChange {
    /// The alarm (`AlarmName`).
    pub alarm: String,
    /// When it changed (`Timestamp`).
    pub at: DateTime<Utc>,
    /// The state it left (`HistoryData.oldState.stateValue`), when reported.
    pub from: Option<AlarmState>,
    /// The state it entered (`HistoryData.newState.stateValue`), when reported.
    pub to: Option<AlarmState>,
    /// `HistorySummary`, e.g. "Alarm updated from OK to ALARM" (untrusted text).
    pub summary: String,
}

impl AlarmChange {
    /// Reads the old and new state from `HistoryData` (a JSON document:
    /// `{"oldState":{"stateValue":"OK",…},"newState":{"stateValue":"ALARM",…}}`); a document
    /// that is not that leaves both `None`.
    pub fn states_of(history_data: &str) -> (Option<AlarmState>, Option<AlarmState>) {
        let v: serde_json::Value = serde_json::from_str(history_data).unwrap_or_default();
        let state = |k: &str| {
            v.get(k)
                .and_then(|s| s.get("stateValue"))
                .and_then(|s| s.as_str())
                .map(AlarmState::parse)
        };
        (state("oldState"), state("newState"))
    }
}
