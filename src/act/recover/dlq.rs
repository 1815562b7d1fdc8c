//! `recover dlq`: the events of a rule target's dead-letter queue sent to the target as
//! EventBridge would have sent them, each message deleted only after its record was accepted.
//!
//! Exactly once: a message is received with a visibility timeout (no other consumer, no
//! other run, sees it meanwhile); its record is journaled and sent (as `recover errors` sends its batches);
//! only then is it deleted. A run that stops between the send and the delete leaves the message
//! to come back after the timeout: the journal knows its record was accepted, and the next run
//! deletes it without sending it again. The journal keys on the `MessageId`, the same on every
//! receive.
//!
//! What the target receives (Amazon EventBridge User Guide, "Transforming target input"): the
//! whole event, the part `InputPath` selects, or the constant `Input`. An input transformer's
//! output is not computed here: such a target is refused.

use std::collections::BTreeMap;

use serde::Serialize;

use super::errors::{Batch, MAX_RECORD_BYTES, Sent, flush};
use super::journal::Journal;
use crate::backend::Backend;
use crate::model::queue::QueueMessage;
use crate::model::{Rule, Target};

/// How a redrive runs.
#[derive(Debug, Clone)]
pub struct DlqOptions {
    /// Seconds a received message stays hidden: longer than a batch takes to send.
    pub visibility_seconds: i32,
    /// Also send messages whose record's call got no answer (they may be duplicated).
    pub resend_in_doubt: bool,
}

/// What a redrive did, beyond what was sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Redrive {
    /// Records sent and accepted, calls, refusals, in doubt, why it stopped.
    pub sent: Sent,
    /// Messages deleted from the queue.
    pub deleted: usize,
    /// Messages whose record an earlier run had sent: deleted without sending again.
    pub deleted_already_sent: usize,
    /// Messages left in the queue: another rule's or target's, not convertible, in doubt, or
    /// not deleted (each comes back after the visibility timeout).
    pub left: BTreeMap<String, usize>,
    /// The `ERROR_CODE`s of this target's messages (why EventBridge gave up on them), counted.
    pub error_codes: BTreeMap<String, usize>,
}

/// A redrive's dry run: the target, its queue and what it holds, the stream it sends to.
#[derive(Debug, Clone)]
pub struct DlqPlan {
    /// The target whose dead-letter queue is sent back.
    pub target: Target,
    /// The queue's ARN (`DeadLetterConfig.Arn`).
    pub queue: String,
    /// The delivery stream the target is (of this account and region).
    pub stream: String,
    /// Messages in the queue (visible and in flight), when its attributes could be read.
    pub depth: Option<u64>,
    /// The dry run as text, lines cleaned for a terminal: the rule, target and stream, the
    /// queue's depth and oldest message, what each record is.
    pub text: String,
}

/// The dry run of redriving `rule`'s target `target` (its id; without one, the only target
/// with a dead-letter queue): reads the queue's depth (GetQueueAttributes), receives nothing.
///
/// Errors: ([`super::NOTHING`], why) when no target has a queue; ([`super::REFUSED`], why)
/// when several have one and none is named, the target is not a Firehose stream of this
/// account and region, or what it receives cannot be computed (an input transformer).
pub async fn prepare(
    backend: &dyn Backend,
    rule: &Rule,
    target: Option<&str>,
) -> Result<DlqPlan, (u8, String)> {
    let key = rule.key();
    let with_dlq: Vec<&Target> = rule
        .targets
        .iter()
        .filter(|t| t.dead_letter_arn.is_some())
        .filter(|t| target.is_none_or(|id| t.id == id))
        .collect();
    let target = match with_dlq.as_slice() {
        [one] => *one,
        [] => {
            let named = target.map(|t| format!(" {t}")).unwrap_or_default();
            return Err((
                super::NOTHING,
                format!("nothing to recover: no target{named} of {key} has a dead-letter queue"),
            ));
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|t| t.id.as_str()).collect();
            return Err((
                super::REFUSED,
                format!(
                    "refused: several targets of {key} have a dead-letter queue; pick one with --target ({})",
                    ids.join(", ")
                ),
            ));
        }
    };
    let queue = target.dead_letter_arn.clone().unwrap_or_default();
    let Some(stream) = rule.local_stream(target).map(str::to_string) else {
        return Err((
            super::REFUSED,
            format!(
                "refused: target {} of {key} is not a Firehose stream of this account and region ({}): fhtop sends only to those",
                target.id, target.arn
            ),
        ));
    };
    // What the target receives must be computable from the event, or nothing is sent.
    if let Err(why) = record_for(target, "{}")
        && (target.has_input_transformer || !why.contains("selects nothing"))
    {
        return Err((super::REFUSED, format!("refused: {why}")));
    }
    let state = backend.queue_state(&queue).await;
    let c = |s: &str| crate::text::sanitize::clean(s).into_owned();
    let text = format!(
        "Recover dlq · rule {} · target {} → stream {}\n  queue {}: {}\n  each record: {}",
        c(&key.to_string()),
        c(&target.id),
        c(&stream),
        c(&queue),
        match &state {
            Ok(q) => format!(
                "{} messages{}",
                q.depth(),
                q.oldest_age_seconds
                    .map(|a| format!(", the oldest {} old", crate::text::fmt_duration(a)))
                    .unwrap_or_default()
            ),
            Err(e) => format!("depth not read ({})", c(&e.explained())),
        },
        c(&target.input_shape())
    );
    Ok(DlqPlan {
        target: target.clone(),
        queue,
        stream,
        depth: state.as_ref().map(|q| q.depth()).ok(),
        text,
    })
}

/// The record EventBridge sends a Firehose target for `event` (the message body): the event,
/// the part `InputPath` selects, or the constant `Input`.
///
/// Errors: an input transformer (not computed here), an `InputPath` beyond `$` and `$.a.b…`,
/// a body that is not JSON where a path is needed, a path that selects nothing.
pub fn record_for(target: &Target, event: &str) -> Result<Vec<u8>, String> {
    if target.has_input_transformer {
        return Err(
            "the target reshapes events with an input transformer: the record it sent cannot be computed here"
                .into(),
        );
    }
    if let Some(input) = &target.input {
        return Ok(input.clone().into_bytes());
    }
    let Some(path) = target.input_path.as_deref().filter(|p| p.trim() != "$") else {
        return Ok(event.as_bytes().to_vec());
    };
    let rest = path
        .trim()
        .strip_prefix("$.")
        .ok_or_else(|| format!("InputPath {path} is not $.a.b… (not computed here)"))?;
    let mut v: serde_json::Value =
        serde_json::from_str(event).map_err(|e| format!("the event is not JSON: {e}"))?;
    for key in rest.split('.') {
        if key.is_empty() || key.contains(['[', ']', '*']) {
            return Err(format!(
                "InputPath {path} is not $.a.b… (not computed here)"
            ));
        }
        v = v
            .get_mut(key)
            .map(serde_json::Value::take)
            .ok_or_else(|| format!("InputPath {path} selects nothing in this event"))?;
    }
    Ok(serde_json::to_vec(&v).unwrap_or_default())
}

/// The journal id of a message: `sqs://QUEUE_ARN#MESSAGE_ID`.
pub fn message_id(queue: &str, m: &QueueMessage) -> String {
    format!("sqs://{queue}#{}", m.message_id)
}

/// Redrives `queue` (the dead-letter queue of `target` of `rule`, which delivers to the local
/// stream `stream`): receive ten at a time (one PutRecordBatch call each: ten SQS messages of
/// at most 256 KiB are within its limits) until the queue answers none, send the records,
/// delete what was accepted. Messages of another rule or target (`RULE_ARN` / `TARGET_ARN`
/// attributes naming another) are left as they are. `progress(sent)` after every batch.
pub async fn redrive(
    backend: &dyn Backend,
    (rule, target, queue, stream): (&Rule, &Target, &str, &str),
    journal: &mut Journal,
    o: &DlqOptions,
    mut progress: impl FnMut(usize),
) -> Redrive {
    let mut out = Redrive::default();
    let left = |out: &mut Redrive, why: &str| *out.left.entry(why.to_string()).or_default() += 1;
    let mut seen = std::collections::HashSet::new();
    let mut round = 0u64;
    let mut idle = 0;
    loop {
        let msgs = match backend
            .receive_messages(queue, 10, o.visibility_seconds)
            .await
        {
            Ok(m) => m,
            Err(e) => {
                out.sent.stopped = Some(format!("ReceiveMessage: {}", e.explained()));
                return out;
            }
        };
        // Done when the queue answers nothing, or three times only what this run already saw
        // (left messages come back after the visibility timeout); what remains is counted
        // below, never taken for recovered.
        if msgs.iter().all(|m| seen.contains(&m.message_id)) {
            idle += 1;
            if msgs.is_empty() || idle >= 3 {
                remaining(backend, queue, &mut out).await;
                return out;
            }
            continue;
        }
        idle = 0;
        let mut batch = Batch::new();
        let mut sending: Vec<(String, String)> = Vec::new(); // (id, receipt)
        for m in msgs {
            if !seen.insert(m.message_id.clone()) {
                continue;
            }
            let attr = |k: &str| m.attributes.get(k).map(String::as_str);
            if attr("RULE_ARN").is_some_and(|a| a != rule.arn)
                || attr("TARGET_ARN").is_some_and(|a| a != target.arn)
            {
                left(&mut out, "another rule's or target's");
                continue;
            }
            if let Some(code) = attr("ERROR_CODE") {
                *out.error_codes.entry(code.to_string()).or_default() += 1;
            }
            let id = message_id(queue, &m);
            if journal.state().accepted.contains(&id) {
                // Sent by an earlier run, which stopped before deleting it.
                match backend.delete_message(queue, &m.receipt_handle).await {
                    Ok(()) => out.deleted_already_sent += 1,
                    Err(_) => left(&mut out, "not deleted (comes back; a re-run deletes it)"),
                }
                continue;
            }
            if journal.state().in_doubt.contains(&id) && !o.resend_in_doubt {
                left(&mut out, "in doubt (its call got no answer)");
                continue;
            }
            let record = match record_for(target, &m.body) {
                Ok(r) if r.len() <= MAX_RECORD_BYTES => r,
                Ok(_) => {
                    left(&mut out, "larger than 1,000 KiB");
                    continue;
                }
                Err(_) => {
                    left(&mut out, "its record cannot be computed");
                    continue;
                }
            };
            // Ten messages of at most 256 KiB: always within a call's 500 records and 4 MiB.
            batch.bytes += record.len();
            batch.ids.push(id.clone());
            batch.data.push(record);
            sending.push((id, m.receipt_handle));
        }
        if !batch.ids.is_empty() {
            if let Err(why) = flush(backend, stream, journal, batch, &mut out.sent).await {
                out.sent.stopped = Some(why);
                return out;
            }
            super::errors::failpoint("recover-before-delete", round);
            for (id, receipt) in sending {
                if !journal.state().accepted.contains(&id) {
                    left(&mut out, "refused by Firehose (comes back for a re-run)");
                    continue;
                }
                match backend.delete_message(queue, &receipt).await {
                    Ok(()) => out.deleted += 1,
                    Err(_) => left(&mut out, "not deleted (comes back; a re-run deletes it)"),
                }
            }
            progress(out.sent.accepted);
            round += 1;
        }
    }
}

/// Counts what is still in the queue beyond what the run left there on purpose (messages a
/// crashed run still hides, ones no receive reached): "still in the queue", so the run is
/// never called complete while they are there.
async fn remaining(backend: &dyn Backend, queue: &str, out: &mut Redrive) {
    let left: u64 = out.left.values().map(|n| *n as u64).sum();
    match backend.queue_state(queue).await {
        Ok(q) if q.depth() > left => {
            let extra = usize::try_from(q.depth() - left).unwrap_or(usize::MAX);
            *out.left
                .entry("still in the queue (hidden by another consumer, or not reached)".into())
                .or_default() += extra;
        }
        Ok(_) => {}
        Err(e) => {
            out.sent.stopped = Some(format!(
                "whether messages remain is not known: the queue's depth could not be read ({})",
                e.explained()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn target() -> Target {
        Target {
            id: "t".into(),
            arn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/s".into(),
            role_arn: None,
            dead_letter_arn: None,
            has_input_transformer: false,
            input_path: None,
            input: None,
            max_event_age_seconds: None,
            max_retry_attempts: None,
        }
    }

    #[test]
    fn the_record_is_what_eventbridge_sends_the_target() {
        let event = r#"{"id":"1","detail":{"order":{"n":7}}}"#;
        assert_eq!(record_for(&target(), event).unwrap(), event.as_bytes());
        let t = Target {
            input_path: Some("$.detail.order".into()),
            ..target()
        };
        assert_eq!(record_for(&t, event).unwrap(), br#"{"n":7}"#);
        let t = Target {
            input: Some(r#"{"fixed":true}"#.into()),
            ..target()
        };
        assert_eq!(record_for(&t, event).unwrap(), br#"{"fixed":true}"#);
        let t = Target {
            has_input_transformer: true,
            ..target()
        };
        assert!(
            record_for(&t, event)
                .unwrap_err()
                .contains("input transformer")
        );
        let t = Target {
            input_path: Some("$.detail.items[0]".into()),
            ..target()
        };
        assert!(record_for(&t, event).is_err());
    }
}
