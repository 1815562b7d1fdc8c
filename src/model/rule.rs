//! The EventBridge side: buses, rules (state, pattern or schedule) and their targets.

use serde::{Deserialize, Serialize};

use super::arn::firehose_name_from_arn;

/// An EventBridge event bus (ListEventBuses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bus {
    /// The event bus name (`Name`, e.g. "default").
    pub name: String,
    /// The event bus ARN (`Arn`).
    pub arn: String,
}

/// An EventBridge rule's `State` (ListRules / DescribeRule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleState {
    /// `ENABLED`: the rule matches events and invokes its targets.
    Enabled,
    /// `DISABLED`: the rule matches nothing.
    Disabled,
    /// Any other state AWS may add (e.g. ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
    Other(String),
}

impl RuleState {
    /// Parses a rule `State` string: "ENABLED", "DISABLED", anything else into `Other`.
    pub fn parse(s: &str) -> Self {
        match s {
            "ENABLED" => Self::Enabled,
            "DISABLED" => Self::Disabled,
            other => Self::Other(other.to_string()),
        }
    }
    /// The state as AWS spells it ("ENABLED", "DISABLED", or the `Other` string).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
            Self::Other(s) => s,
        }
    }
    /// At most 10 columns for a table cell, never cut: "ENABLED", "DISABLED", "ENABLED+CT" for
    /// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (the help legend and the rule's detail
    /// give it whole), any other state as it is.
    pub fn short(&self) -> &str {
        match self {
            Self::Other(s) if s == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" => "ENABLED+CT",
            other => other.as_str(),
        }
    }
    /// Whether the rule invokes its targets: `Enabled`, or any `Other` state starting with
    /// "ENABLED".
    pub fn is_enabled(&self) -> bool {
        match self {
            Self::Enabled => true,
            Self::Disabled => false,
            Self::Other(s) => s.starts_with("ENABLED"),
        }
    }
}

/// One target of an EventBridge rule (ListTargetsByRule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The target `Id`, unique within the rule.
    pub id: String,
    /// The target `Arn`: a Firehose delivery stream, Kinesis data stream, or anything else.
    pub arn: String,
    /// The IAM role EventBridge assumes to invoke the target (`RoleArn`), when set.
    pub role_arn: Option<String>,
    /// The SQS dead-letter queue for failed invocations (`DeadLetterConfig.Arn`), when set.
    pub dead_letter_arn: Option<String>,
    /// The target reshapes events with an `InputTransformer`.
    pub has_input_transformer: bool,
}

impl Target {
    /// The delivery stream name when this target is a Firehose delivery stream.
    pub fn firehose_stream_name(&self) -> Option<&str> {
        firehose_name_from_arn(&self.arn)
    }
}

/// An EventBridge rule and its targets (ListRules / DescribeRule + ListTargetsByRule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The event bus the rule is on (`EventBusName`).
    pub bus: String,
    /// The rule name (`Name`), unique within its bus.
    pub name: String,
    /// The rule ARN (`Arn`; empty when AWS did not return one).
    pub arn: String,
    /// Whether the rule is enabled (`State`).
    pub state: RuleState,
    /// The rule's `Description`, when set.
    pub description: Option<String>,
    /// The `EventPattern` JSON, as AWS returns it (unparsed); `None` for schedule rules.
    pub event_pattern: Option<String>,
    /// The `ScheduleExpression` ("rate(5 minutes)", "cron(...)"), for scheduled rules.
    pub schedule: Option<String>,
    /// The service that manages the rule (`ManagedBy`, e.g. a service principal); such rules are
    /// read-only to users.
    pub managed_by: Option<String>,
    /// The rule's own IAM role (`RoleArn`; for targets on other event buses), when set.
    pub role_arn: Option<String>,
    /// The rule's targets (ListTargetsByRule), in the order AWS lists them.
    pub targets: Vec<Target>,
}

impl Rule {
    /// ARNs of the delivery streams this rule sends to.
    pub fn firehose_target_arns(&self) -> Vec<String> {
        self.targets
            .iter()
            .filter(|t| t.firehose_stream_name().is_some())
            .map(|t| t.arn.clone())
            .collect()
    }
    /// The (bus, rule name) pair identifying this rule.
    pub fn key(&self) -> RuleKey {
        RuleKey {
            bus: self.bus.clone(),
            name: self.name.clone(),
        }
    }
    /// The log group EventBridge rules conventionally log to (`/aws/events/<rule>`).
    pub fn log_group(&self) -> String {
        format!("/aws/events/{}", self.name)
    }
    /// Whether this is a scheduled rule (has a `ScheduleExpression`) rather than a pattern rule.
    pub fn is_schedule(&self) -> bool {
        self.schedule.is_some()
    }
}

/// Identifies a rule: rule names are unique per bus, not per account. Displays as `bus/name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleKey {
    /// The event bus name.
    pub bus: String,
    /// The rule name.
    pub name: String,
}

impl std::fmt::Display for RuleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.bus, self.name)
    }
}
