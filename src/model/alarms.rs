//! CloudWatch alarms, linked to streams and rules by their dimensions.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::inventory::RuleKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AlarmState {
    Alarm,
    InsufficientData,
    Ok,
}

impl AlarmState {
    pub fn parse(s: &str) -> Self {
        match s {
            "ALARM" => Self::Alarm,
            "OK" => Self::Ok,
            _ => Self::InsufficientData,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alarm => "ALARM",
            Self::InsufficientData => "INSUFFICIENT_DATA",
            Self::Ok => "OK",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    pub namespace: Option<String>,
    pub metric: Option<String>,
    pub dimensions: Vec<(String, String)>,
    pub state_updated: DateTime<Utc>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
}

impl Alarm {
    fn dimension(&self, key: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn stream(&self) -> Option<&str> {
        self.dimension("DeliveryStreamName")
    }
    pub fn rule(&self) -> Option<&str> {
        self.dimension("RuleName")
    }
    /// The bus dimension; absent means the default bus.
    pub fn bus(&self) -> &str {
        self.dimension("EventBusName").unwrap_or("default")
    }
    pub fn is_for_stream(&self, name: &str) -> bool {
        self.stream() == Some(name)
    }
    pub fn is_for_rule(&self, key: &RuleKey) -> bool {
        self.rule() == Some(key.name.as_str()) && self.bus() == key.bus
    }
}
