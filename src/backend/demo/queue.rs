//! The demo's dead-letter queues as SQS serves them: the events their rules sent there (as many
//! as the ledger counts), received ten at a time, hidden while in flight, gone once deleted —
//! so `fhtop --demo recover dlq` and the TUI's `D` can be tried, and the ledger then shows what
//! is left. The demo's clock stands still, so a message in flight stays hidden for good (as if
//! its visibility timeout had not ended yet).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use crate::model::queue::QueueMessage;

/// What each queue (by ARN) has handed out and had deleted, by message number.
#[derive(Default)]
pub(super) struct DemoQueues(Mutex<HashMap<String, Handed>>);

#[derive(Default)]
struct Handed {
    in_flight: HashSet<u64>,
    deleted: HashSet<u64>,
}

/// Whose events a queue holds: the rule's ARN and the target's (the attributes EventBridge
/// writes), and the region the events came from.
pub(super) struct Sender<'a> {
    pub(super) rule_arn: &'a str,
    pub(super) target_arn: &'a str,
    pub(super) region: &'a str,
    pub(super) account: &'a str,
}

impl DemoQueues {
    fn with<T>(&self, arn: &str, f: impl FnOnce(&mut Handed) -> T) -> T {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(m.entry(arn.to_string()).or_default())
    }

    /// (in flight, deleted) of queue `arn`.
    pub(super) fn counts(&self, arn: &str) -> (u64, u64) {
        self.with(arn, |h| (h.in_flight.len() as u64, h.deleted.len() as u64))
    }

    /// Up to `max` messages of the `held` queue `arn` is given to hold, neither in flight nor
    /// deleted, as EventBridge writes them (the event as the body; why in the attributes).
    pub(super) fn receive(
        &self,
        arn: &str,
        held: u64,
        max: usize,
        from: &Sender<'_>,
        time: &str,
    ) -> Vec<QueueMessage> {
        self.with(arn, |h| {
            let picked: Vec<u64> = (0..held)
                .filter(|i| !h.in_flight.contains(i) && !h.deleted.contains(i))
                .take(max)
                .collect();
            picked
                .into_iter()
                .map(|i| {
                    h.in_flight.insert(i);
                    let body = serde_json::json!({
                        "version": "0", "id": format!("demo-cancel-{i:05}"),
                        "detail-type": "OrderCancelled", "source": "acme.orders",
                        "account": from.account, "time": time, "region": from.region,
                        "resources": [], "detail": {"orderId": format!("o-{i:05}")},
                    });
                    let attributes: BTreeMap<String, String> = [
                        ("RULE_ARN", from.rule_arn),
                        ("TARGET_ARN", from.target_arn),
                        ("ERROR_CODE", "ThrottlingException"),
                        ("ERROR_MESSAGE", "Rate exceeded"),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                    QueueMessage {
                        message_id: format!("demo-msg-{i}"),
                        receipt_handle: format!("demo-receipt-{i}"),
                        body: body.to_string(),
                        attributes,
                    }
                })
                .collect()
        })
    }

    /// Deletes the message of `receipt` from queue `arn`; `false` for a receipt it never gave.
    pub(super) fn delete(&self, arn: &str, receipt: &str) -> bool {
        let Some(i) = receipt
            .strip_prefix("demo-receipt-")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return false;
        };
        self.with(arn, |h| {
            let was = h.in_flight.remove(&i);
            if was {
                h.deleted.insert(i);
            }
            was
        })
    }
}
