//! PutRecordBatch, the one call that sends data (a recovery re-sending failed records). Made
//! with a client that never retries by itself: a call that went out and got no answer may
//! have been taken, so only the caller, with its journal, decides what to send again.

use aws_sdk_firehose::Client;
use aws_sdk_firehose::error::SdkError;
use aws_sdk_firehose::primitives::Blob;
use aws_sdk_firehose::types::Record;

use super::classify;
use super::stats::ApiStats;
use crate::backend::{Op, PutBatch};

/// Sends `records` to `stream` in one PutRecordBatch call (at most 500 records, 4 MiB;
/// the caller batches). An answer gives each record's fate; an error response means none
/// was processed (Amazon Data Firehose API Reference, PutRecordBatch: "the entire batch
/// fails" on an exception); anything else — a timeout, a lost connection, an answer that
/// cannot be read — leaves the batch in doubt.
pub(super) async fn put_record_batch(
    c: &Client,
    stats: &ApiStats,
    stream: &str,
    records: &[Vec<u8>],
) -> PutBatch {
    stats.call(Op::PutRecordBatch);
    let batch: Vec<Record> = records
        .iter()
        .filter_map(|r| Record::builder().data(Blob::new(r.clone())).build().ok())
        .collect();
    match c
        .put_record_batch()
        .delivery_stream_name(stream)
        .set_records(Some(batch))
        .send()
        .await
    {
        Ok(r) => {
            // An entry with neither a RecordId nor an ErrorCode says nothing: the whole batch
            // is in doubt rather than re-sent.
            if r.request_responses()
                .iter()
                .any(|e| e.error_code().is_none() && e.record_id().is_none())
            {
                return PutBatch::InDoubt(crate::backend::BackendError::new(
                    crate::backend::ErrorKind::Other,
                    "PutRecordBatch answered a record with neither RecordId nor ErrorCode",
                ));
            }
            let mut out: Vec<Option<String>> = r
                .request_responses()
                .iter()
                .map(|e| e.error_code().map(str::to_string))
                .collect();
            // An answer that does not name every record leaves the missing ones unanswered:
            // in doubt, never assumed taken.
            if out.len() != records.len() {
                out.resize(records.len(), Some("NotAnswered".to_string()));
                return PutBatch::InDoubt(crate::backend::BackendError::new(
                    crate::backend::ErrorKind::Other,
                    format!(
                        "PutRecordBatch answered for {} of {} records",
                        r.request_responses().len(),
                        records.len()
                    ),
                ));
            }
            PutBatch::Answered(out)
        }
        // Refused — nothing processed — only where the answer says so: a client error (4xx),
        // or Firehose's "back off and retry" exceptions. A server error (5xx, a gateway's
        // answer without a code) may come after the records were taken: in doubt.
        Err(SdkError::ServiceError(se))
            if se.raw().status().is_client_error()
                || matches!(
                    se.err().meta().code(),
                    Some("ServiceUnavailableException" | "ThrottlingException")
                ) =>
        {
            PutBatch::Refused(classify(Op::PutRecordBatch, SdkError::ServiceError(se)))
        }
        Err(e) => PutBatch::InDoubt(classify(Op::PutRecordBatch, e)),
    }
}
