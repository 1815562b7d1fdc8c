//! An SQS queue as the loss ledger reads it: a rule target's dead-letter queue, how many
//! events wait there and how long they have before SQS deletes them.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// SQS's default `MessageRetentionPeriod`: 345,600 s, 4 days (Amazon SQS API Reference,
/// SetQueueAttributes: 60 s to 1,209,600 s, 14 days; default 4 days).
pub const DEFAULT_RETENTION_SECONDS: u64 = 345_600;

/// A dead-letter queue now (GetQueueAttributes, and CloudWatch's `AWS/SQS`
/// `ApproximateAgeOfOldestMessage`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueState {
    /// The queue ARN.
    pub arn: String,
    /// `ApproximateNumberOfMessages`: messages available to receive.
    pub visible: u64,
    /// `ApproximateNumberOfMessagesNotVisible`: messages received and not yet deleted (a
    /// consumer, or a redrive, is holding them).
    pub in_flight: u64,
    /// `MessageRetentionPeriod`, seconds: SQS deletes a message this long after it was sent.
    pub retention_seconds: u64,
    /// The age of the oldest message, seconds (`ApproximateAgeOfOldestMessage`, Maximum, the
    /// newest published minute), `None` when CloudWatch had no datapoint or could not be read.
    pub oldest_age_seconds: Option<f64>,
}

impl QueueState {
    /// Messages in the queue: visible and in flight.
    pub fn depth(&self) -> u64 {
        self.visible + self.in_flight
    }
    /// When the oldest message is deleted by SQS (sent + `MessageRetentionPeriod`), when its
    /// age is known.
    pub fn first_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let age = self.oldest_age_seconds?;
        let left = self.retention_seconds as f64 - age;
        Some(now + chrono::Duration::seconds(left.max(0.0) as i64))
    }
}

/// One message of a dead-letter queue, as ReceiveMessage returned it. EventBridge writes the
/// event as the body and says why in message attributes: `RULE_ARN`, `TARGET_ARN`,
/// `ERROR_CODE`, `ERROR_MESSAGE`, `EXHAUSTED_RETRY_CONDITION`, `RETRY_ATTEMPTS` (Amazon
/// EventBridge User Guide, "Using dead-letter queues to process undelivered events").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMessage {
    /// `MessageId`: the same on every receive (what the journal keys on).
    pub message_id: String,
    /// `ReceiptHandle`: this receive's, to delete it.
    pub receipt_handle: String,
    /// The body: the event (untrusted).
    pub body: String,
    /// String message attributes by name.
    pub attributes: std::collections::BTreeMap<String, String>,
}
