//! What the app's behaviour depends on besides the backend and the keys: the part of
//! [`Settings`] the view, the effects and `fhtop snapshot` read.

use crate::config::Settings;

/// What the app's behaviour depends on besides the backend and the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSettings {
    /// Refuse every mutating action.
    pub read_only: bool,
    /// The customer-managed policy the runbook expects to allow Firehose writes.
    pub writer_policy: String,
    /// Metrics window in minutes (checks read the same window as the panes).
    pub window_minutes: u32,
    /// The context read is marked production (`production = true`).
    pub production: bool,
    /// Profile / account patterns that are production (`production_match`).
    pub production_match: Vec<String>,
}

impl Default for AppSettings {
    /// Changes allowed, writer policy `firehose_writer`, a 180-minute window, not production.
    fn default() -> Self {
        Self {
            read_only: false,
            writer_policy: "firehose_writer".into(),
            window_minutes: 180,
            production: false,
            production_match: Vec::new(),
        }
    }
}

impl From<&Settings> for AppSettings {
    fn from(s: &Settings) -> Self {
        Self {
            read_only: s.read_only,
            writer_policy: s.writer_policy.clone(),
            window_minutes: s.window_minutes,
            production: s.production,
            production_match: s.production_match.clone(),
        }
    }
}
