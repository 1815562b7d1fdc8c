//! EventBridge archives and replays: what `fhtop recover replay` chooses from and follows.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// An archive of an event bus (ListArchives, DescribeArchive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Archive {
    /// `ArchiveName`.
    pub name: String,
    /// `ArchiveArn` (empty when not reported).
    pub arn: String,
    /// `EventPattern`: which of the bus's events it keeps; `None` keeps every event.
    pub pattern: Option<String>,
    /// `State`: "ENABLED", "DISABLED", "CREATING", "UPDATING", "CREATE_FAILED", …
    pub state: String,
    /// `RetentionDays`: how long it keeps an event; 0 keeps them indefinitely.
    pub retention_days: u32,
    /// `CreationTime`: no event before it was archived.
    pub created: Option<DateTime<Utc>>,
}

/// A replay as DescribeReplay reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replay {
    /// `ReplayName`.
    pub name: String,
    /// `State`: "STARTING", "RUNNING", "CANCELLING", "COMPLETED", "CANCELLED", "FAILED".
    pub state: String,
    /// `StateReason`, when given.
    pub reason: Option<String>,
    /// `EventSourceArn`: the archive replayed.
    pub archive_arn: String,
    /// `Destination.FilterArns`: the rules the events are replayed to.
    pub filter_arns: Vec<String>,
    /// `EventStartTime`, `EventEndTime`: the window replayed.
    pub window: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// `EventLastReplayedTime`: how far it got.
    pub last_replayed: Option<DateTime<Utc>>,
}

impl Replay {
    /// Whether it ended: COMPLETED, CANCELLED or FAILED.
    pub fn ended(&self) -> bool {
        matches!(self.state.as_str(), "COMPLETED" | "CANCELLED" | "FAILED")
    }
}
