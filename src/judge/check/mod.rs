//! `fhtop check`: the on-call runbook (`../shared/seed/firehose-eventbridge-runbook.md`) as one
//! command, for every pipeline or the ones named. The same findings back the TUI's health marks
//! (`health/`) and its Checks overlay (`c`).
//!
//! [`gather`] reads what the checks need from the backend, concurrently and with the backend's
//! batching (one inventory walk, GetMetricData 500 metrics a call, one DescribeAlarms walk,
//! the error log groups, the permission simulations); [`evaluate`] is a pure function of that.

mod confirm;
mod evaluate;
mod finding;
mod gather;
mod losses;
mod report;
mod rule;
mod scoped;
mod select;
mod stream;

pub use evaluate::{evaluate, timelines};
pub use gather::{Gathered, SimTarget, gather};
pub use report::{grouped, human_lines, overlay_lines, tally};
pub use scoped::inventory_for;
pub use select::{Resolved, Selection};

use confirm::*;
use select::*;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::backend::{BResult, Backend, BackendError};
use crate::judge::health::{
    CheckId, ERROR_LOOKBACK_MIN, ERRORS_RECENT_MIN, Inputs, Level, Symptom, rule_health,
    stream_health,
};
use crate::judge::iam::{self, Report, SimRequest, Tone, Verdict};
use crate::model::{
    Alarm, AlarmState, Inventory, InventoryError, LogEvent, Metrics, Rule, RuleKey, Stream,
};
use crate::text::fmt_duration;

/// One finding: `{"check","target","status","summary","details","confirm"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The check id, e.g. "delivery" ([`CheckId::id`]).
    pub check: &'static str,
    /// What was checked: a stream name, `bus/rule`, "policy ..." or "(account)".
    pub target: String,
    /// The verdict: OK, WARN, FAIL or UNKNOWN.
    pub status: Level,
    /// One line saying what was found.
    pub summary: String,
    /// Supporting detail (error messages, simulation rows); may be empty.
    pub details: String,
    /// The AWS CLI command a human would run to confirm it, names filled in.
    pub confirm: String,
    /// The pipeline it belongs to (its stream's name, or the account).
    #[serde(skip)]
    pub pipeline: String,
}

/// Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
pub fn exit_code(findings: &[CheckResult]) -> u8 {
    exit_code_of(findings.iter().map(|f| f.status))
}

/// The Nagios code of the worst of `levels`: CRITICAL over WARNING over UNKNOWN over OK
/// (0 when there is none).
pub fn exit_code_of(levels: impl IntoIterator<Item = Level>) -> u8 {
    match levels.into_iter().max() {
        Some(Level::Fail) => 2,
        Some(Level::Warn) => 1,
        Some(Level::Unknown) => 3,
        _ => 0,
    }
}
