//! The EventBridge side: buses, rules (state, pattern or schedule) and their targets.

use serde::{Deserialize, Serialize};

use super::arn::{arn_parts, firehose_name_from_arn};

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
    /// `InputPath`: the part of the event the target receives (JSONPath), when set.
    #[serde(default)]
    pub input_path: Option<String>,
    /// `Input`: a constant JSON text sent instead of the event, when set.
    #[serde(default)]
    pub input: Option<String>,
    /// `RetryPolicy.MaximumEventAgeInSeconds` (60–86,400 s), when set; EventBridge's default is
    /// 86,400 s, 24 h (Amazon EventBridge User Guide, "Retrying events").
    #[serde(default)]
    pub max_event_age_seconds: Option<i64>,
    /// `RetryPolicy.MaximumRetryAttempts` (0–185), when set; the default is 185.
    #[serde(default)]
    pub max_retry_attempts: Option<i64>,
}

/// EventBridge's default `MaximumEventAgeInSeconds`: 24 h (Amazon EventBridge User Guide,
/// "Retrying events").
pub const DEFAULT_MAX_EVENT_AGE_SECONDS: i64 = 86_400;
/// EventBridge's default `MaximumRetryAttempts`: 185 (same page).
pub const DEFAULT_MAX_RETRY_ATTEMPTS: i64 = 185;

impl Target {
    /// What the target receives: "the whole event", "the event's `PATH`", "a constant input",
    /// or "the event reshaped by an input transformer".
    pub fn input_shape(&self) -> String {
        if self.has_input_transformer {
            "the event reshaped by an input transformer".into()
        } else if self.input.is_some() {
            "a constant input (not the event)".into()
        } else if let Some(p) = &self.input_path {
            format!("the event's {p} (InputPath)")
        } else {
            "the whole event".into()
        }
    }
    /// How long and how often EventBridge retries a failed delivery: (seconds, attempts),
    /// the defaults where the target's RetryPolicy sets none.
    pub fn retry(&self) -> (i64, i64) {
        (
            self.max_event_age_seconds
                .unwrap_or(DEFAULT_MAX_EVENT_AGE_SECONDS),
            self.max_retry_attempts
                .unwrap_or(DEFAULT_MAX_RETRY_ATTEMPTS),
        )
    }
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
    /// Whether `arn` is in the rule's own account and region (those of the rule's ARN) — true
    /// when either side does not say (an empty or partial ARN, a resource without a region or
    /// account).
    pub fn is_local(&self, arn: &str) -> bool {
        let (Some((_, _, region, account, _)), Some((_, _, home_region, home_account, _))) =
            (arn_parts(arn), arn_parts(&self.arn))
        else {
            return true;
        };
        let same = |a: &str, b: &str| a.is_empty() || b.is_empty() || a == b;
        same(region, home_region) && same(account, home_account)
    }
    /// The delivery stream of the rule's own account and region that `t` sends to: `None` for
    /// a target that is not a Firehose stream, or one in another account or region (matched by
    /// its full ARN, never by name alone — a stream of the same name here is another stream).
    pub fn local_stream<'a>(&self, t: &'a Target) -> Option<&'a str> {
        t.firehose_stream_name().filter(|_| self.is_local(&t.arn))
    }
    /// A Firehose target in another account or region: (account, region, stream name).
    pub fn foreign_stream<'a>(&self, t: &'a Target) -> Option<(&'a str, &'a str, &'a str)> {
        let name = t.firehose_stream_name()?;
        if self.is_local(&t.arn) {
            return None;
        }
        let (_, _, region, account, _) = arn_parts(&t.arn)?;
        Some((account, region, name))
    }
    /// Whether one of its targets has a dead-letter queue (`DeadLetterConfig.Arn`).
    pub fn has_dead_letter_queue(&self) -> bool {
        self.targets.iter().any(|t| t.dead_letter_arn.is_some())
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

impl RuleKey {
    /// `BUS/NAME` as a rule key; a bare `NAME` is on the default bus (rule names cannot hold a
    /// `/`; EventBridge API reference, `Name`: `[\.\-_A-Za-z0-9]+`).
    pub fn parse(s: &str) -> Self {
        match s.split_once('/') {
            Some((bus, name)) => Self {
                bus: bus.to_string(),
                name: name.to_string(),
            },
            None => Self {
                bus: "default".into(),
                name: s.to_string(),
            },
        }
    }
}

impl std::fmt::Display for RuleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.bus, self.name)
    }
}
