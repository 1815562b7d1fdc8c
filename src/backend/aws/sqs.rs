//! SQS: a rule target's dead-letter queue, by ARN — its access policy (may EventBridge send
//! to it) and its depth and retention (the loss ledger). GetQueueUrl with the owner's
//! account, then GetQueueAttributes; read only.

use std::collections::HashMap;

use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::QueueAttributeName;

use super::{ApiStats, classify};
use crate::backend::{BResult, BackendError, ErrorKind, Op};
use crate::model::arn_parts;

/// Whether an SQS error code says the queue does not exist.
fn no_such_queue(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("AWS.SimpleQueueService.NonExistentQueue" | "QueueDoesNotExist")
    )
}

/// The URL of the queue `arn` (GetQueueUrl with the owner's account). Errors: Other for an
/// ARN that is not a queue's; NotFound for a queue that does not exist.
async fn queue_url(sqs: &aws_sdk_sqs::Client, stats: &ApiStats, arn: &str) -> BResult<String> {
    let Some((_, _, _, account, name)) = arn_parts(arn) else {
        return Err(BackendError::new(
            ErrorKind::Other,
            format!("not an SQS queue ARN: {arn}"),
        ));
    };
    stats.call(Op::GetQueueUrl);
    match sqs
        .get_queue_url()
        .queue_name(name)
        .queue_owner_aws_account_id(account)
        .send()
        .await
    {
        Ok(r) => Ok(r.queue_url().unwrap_or_default().to_string()),
        Err(e) if no_such_queue(e.code()) => Err(missing(arn, Op::GetQueueUrl)),
        Err(e) => Err(classify(Op::GetQueueUrl, e)),
    }
}

fn missing(arn: &str, op: Op) -> BackendError {
    BackendError::new(ErrorKind::NotFound, format!("{arn} does not exist")).during(op)
}

/// `names` of the queue `arn` (GetQueueUrl, then GetQueueAttributes). Errors as
/// [`queue_url`]; what SQS returns otherwise.
async fn attributes(
    sqs: &aws_sdk_sqs::Client,
    stats: &ApiStats,
    arn: &str,
    names: &[QueueAttributeName],
) -> BResult<HashMap<QueueAttributeName, String>> {
    let url = queue_url(sqs, stats, arn).await?;
    stats.call(Op::GetQueueAttributes);
    match sqs
        .get_queue_attributes()
        .queue_url(url)
        .set_attribute_names(Some(names.to_vec()))
        .send()
        .await
    {
        Ok(r) => Ok(r.attributes().cloned().unwrap_or_default()),
        Err(e) if no_such_queue(e.code()) => Err(missing(arn, Op::GetQueueAttributes)),
        Err(e) => Err(classify(Op::GetQueueAttributes, e)),
    }
}

/// Up to `max` (1–10) messages of the queue `arn`, each hidden from other consumers for
/// `visibility_seconds` (ReceiveMessage with long polling of 1 s, every message attribute):
/// what a redrive reads. Errors as [`queue_url`]; what SQS returns otherwise.
pub async fn receive(
    sqs: &aws_sdk_sqs::Client,
    stats: &ApiStats,
    arn: &str,
    max: i32,
    visibility_seconds: i32,
) -> BResult<Vec<crate::model::queue::QueueMessage>> {
    let url = queue_url(sqs, stats, arn).await?;
    stats.call(Op::ReceiveMessage);
    let r = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(max.clamp(1, 10))
        .visibility_timeout(visibility_seconds.max(0))
        .wait_time_seconds(1)
        .message_attribute_names("All")
        .send()
        .await
        .map_err(|e| classify(Op::ReceiveMessage, e))?;
    Ok(r.messages()
        .iter()
        .filter_map(|m| {
            Some(crate::model::queue::QueueMessage {
                message_id: m.message_id()?.to_string(),
                receipt_handle: m.receipt_handle()?.to_string(),
                body: m.body().unwrap_or_default().to_string(),
                attributes: m
                    .message_attributes()
                    .map(|a| {
                        a.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.string_value()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect())
}

/// Deletes the message of `receipt_handle` from the queue `arn` (DeleteMessage). Errors as
/// [`queue_url`]; what SQS returns otherwise (an expired receipt handle: the message is
/// visible again, and a re-run deletes it).
pub async fn delete(
    sqs: &aws_sdk_sqs::Client,
    stats: &ApiStats,
    arn: &str,
    receipt_handle: &str,
) -> BResult<()> {
    let url = queue_url(sqs, stats, arn).await?;
    stats.call(Op::DeleteMessage);
    sqs.delete_message()
        .queue_url(url)
        .receipt_handle(receipt_handle)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| classify(Op::DeleteMessage, e))
}

/// An SQS queue's `Policy` attribute, by ARN; `None` when it has none. Errors as
/// [`attributes`].
pub async fn queue_policy(
    sqs: &aws_sdk_sqs::Client,
    stats: &ApiStats,
    arn: &str,
) -> BResult<Option<String>> {
    let a = attributes(sqs, stats, arn, &[QueueAttributeName::Policy]).await?;
    Ok(a.get(&QueueAttributeName::Policy)
        .cloned()
        .filter(|p| !p.trim().is_empty()))
}

/// A queue's depth and retention: `ApproximateNumberOfMessages`,
/// `ApproximateNumberOfMessagesNotVisible`, `MessageRetentionPeriod` (seconds; SQS's default
/// when the answer lacks it). The oldest message's age is CloudWatch's, read by the caller.
/// Errors as [`attributes`], and Other when the answer lacks a depth.
pub async fn queue_depth(
    sqs: &aws_sdk_sqs::Client,
    stats: &ApiStats,
    arn: &str,
) -> BResult<crate::model::QueueState> {
    let a = attributes(
        sqs,
        stats,
        arn,
        &[
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            QueueAttributeName::MessageRetentionPeriod,
        ],
    )
    .await?;
    let num = |n: &QueueAttributeName| a.get(n).and_then(|v| v.trim().parse::<u64>().ok());
    // A depth the answer lacks is not zero: the caller says the queue could not be read.
    let depth = |n: QueueAttributeName| {
        num(&n).ok_or_else(|| {
            BackendError::new(
                ErrorKind::Other,
                format!("GetQueueAttributes: {arn}: no {} in the answer", n.as_str()),
            )
            .during(Op::GetQueueAttributes)
        })
    };
    Ok(crate::model::QueueState {
        arn: arn.to_string(),
        visible: depth(QueueAttributeName::ApproximateNumberOfMessages)?,
        in_flight: depth(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)?,
        retention_seconds: num(&QueueAttributeName::MessageRetentionPeriod)
            .unwrap_or(crate::model::queue::DEFAULT_RETENTION_SECONDS),
        oldest_age_seconds: None,
    })
}
