//! Recovery (issue 26): sending back what a pipeline failed to deliver, through the one
//! mutating path — the read-only gate, the production guard and the confirmation of the dry
//! run (by the caller, between [`errors::plan`] and [`errors::send`]), the audit log, and
//! verification (every record answered with a `RecordId`) — exactly once, by a journal
//! ([`journal`]) written ahead of every call.

pub mod dlq;
pub mod errors;
pub mod journal;
pub mod replay;
pub mod report;

use std::path::Path;

/// Every record sent and accepted (verified by its `RecordId`).
pub const RECOVERED: u8 = 0;
/// Some sent, some not (refused, unreadable, stopped): a re-run resumes.
pub const PARTIAL: u8 = 1;
/// Nothing to recover in the window.
pub const NOTHING: u8 = 2;
/// AWS cannot be used (the stream or its error output cannot be read).
pub const AWS_UNUSABLE: u8 = 3;
/// Refused: read-only, not confirmed, or stdin not a terminal without `--yes`.
pub const REFUSED: u8 = 4;
/// Sent, and not verified: a call got no answer (its records are in doubt).
pub const IN_DOUBT: u8 = 5;

/// Appends `record` (one JSON object, never a credential) to the audit log at `path` (the
/// rule changes' log, [`super::default_audit_path`]): [`super::append_audit`].
pub fn audit(path: Option<&Path>, record: &serde_json::Value, ok: bool) {
    super::append_audit(path, &record.to_string(), ok);
}
