//! The log section: per group, a cursor (every event exactly once) and a bounded buffer.

use super::*;

/// Resume point for one log group, so that each event is shown exactly once even when several
/// share the last millisecond and the next query has to start at that same millisecond.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogCursor {
    /// The newest event timestamp taken so far; the next query starts at it. `None` before the
    /// first read.
    pub last_ts: Option<DateTime<Utc>>,
    /// Event ids already taken at `last_ts`.
    pub ids_at_last_ts: BTreeSet<String>,
}

impl LogCursor {
    /// Keep the events not seen before (input oldest first) and advance the cursor.
    pub fn take_new(&mut self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        let mut fresh = Vec::with_capacity(events.len());
        for e in events {
            match self.last_ts {
                Some(t) if e.timestamp < t => continue,
                Some(t) if e.timestamp == t => {
                    if !self.ids_at_last_ts.insert(e.event_id.clone()) {
                        continue;
                    }
                }
                _ => {
                    self.last_ts = Some(e.timestamp);
                    self.ids_at_last_ts.clear();
                    self.ids_at_last_ts.insert(e.event_id.clone());
                }
            }
            fresh.push(e);
        }
        fresh
    }
}

/// Most events kept per log group.
pub const LOG_BUFFER: usize = 2_000;

/// The recent events of one log group, bounded to [`LOG_BUFFER`], oldest first.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer {
    /// Shared, so publishing a buffer that grew by a few events copies pointers, not text.
    pub events: VecDeque<Arc<LogEvent>>,
    /// Where the next read of the group resumes.
    pub cursor: LogCursor,
    /// Events received in total (including those the bounded buffer let go).
    pub received: u64,
    /// The error message of the last failed read of this group; cleared by the next success.
    pub error: Option<String>,
    /// The IAM action fhtop's role lacks, when the last read was denied.
    pub missing_permission: Option<&'static str>,
    /// When the group was last found missing; it is not asked for again for a while.
    pub missing_since: Option<DateTime<Utc>>,
}

impl LogBuffer {
    /// Appends new events (oldest first), counts them in `received`, and drops the oldest beyond
    /// [`LOG_BUFFER`].
    pub fn push(&mut self, new: Vec<LogEvent>) {
        self.received += new.len() as u64;
        self.events.extend(new.into_iter().map(Arc::new));
        let excess = self.events.len().saturating_sub(LOG_BUFFER);
        self.events.drain(..excess);
    }
}

/// Every log group read so far, with its buffered events.
#[derive(Debug, Clone, Default)]
pub struct LogStore {
    /// The buffers keyed by log group name (e.g. `/aws/kinesisfirehose/orders`).
    pub groups: BTreeMap<String, Arc<LogBuffer>>,
}

impl LogStore {
    /// The buffer of this log group, if it has been read.
    pub fn group(&self, name: &str) -> Option<&LogBuffer> {
        self.groups.get(name).map(Arc::as_ref)
    }
}

impl ErrorLogs for LogStore {
    fn events(&self, group: &str) -> Option<Vec<&LogEvent>> {
        self.group(group)
            .map(|b| b.events.iter().map(|e| e.as_ref()).collect())
    }
}
