//! CloudWatch Logs events and the Firehose error documents inside them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One CloudWatch Logs event (FilterLogEvents).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEvent {
    /// The log group name (e.g. `/aws/kinesisfirehose/orders`).
    pub group: String,
    /// The log stream name within the group (e.g. "DestinationDelivery").
    pub stream: String,
    /// When the event was logged (`timestamp`, UTC).
    pub timestamp: DateTime<Utc>,
    /// A unique id: `stream/eventId` (emulators number events per stream, so the stream is
    /// included).
    pub event_id: String,
    /// The raw log message (untrusted: sanitize before display).
    pub message: String,
}

/// What a Firehose error log line says, when it is the JSON Firehose writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirehoseError {
    /// `errorCode`, e.g. "S3.AccessDenied" or "Lambda.FunctionError".
    pub code: String,
    /// `errorMessage` (or `message`); empty when absent.
    pub message: String,
}

/// Parses a Firehose error log message (JSON with `errorCode` and `errorMessage`/`message`);
/// `None` when it is not JSON or has no `errorCode`.
pub fn parse_firehose_error(message: &str) -> Option<FirehoseError> {
    let v: serde_json::Value = serde_json::from_str(message).ok()?;
    let code = v.get("errorCode")?.as_str()?.to_string();
    let message = v
        .get("errorMessage")
        .or_else(|| v.get("message"))
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    Some(FirehoseError { code, message })
}

/// Error events grouped by error code: (code, count, newest time, newest message),
/// largest count first.
pub fn group_errors<'a>(
    events: impl IntoIterator<Item = &'a LogEvent>,
) -> Vec<(String, usize, DateTime<Utc>, String)> {
    let mut groups: HashMap<String, (usize, DateTime<Utc>, String)> = HashMap::new();
    for e in events {
        let Some(err) = parse_firehose_error(&e.message) else {
            continue;
        };
        let entry = groups
            .entry(err.code)
            .or_insert((0, e.timestamp, err.message.clone()));
        entry.0 += 1;
        if e.timestamp >= entry.1 {
            entry.1 = e.timestamp;
            entry.2 = err.message;
        }
    }
    let mut out: Vec<_> = groups
        .into_iter()
        .map(|(code, (n, at, msg))| (code, n, at, msg))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}
