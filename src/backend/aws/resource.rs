//! Resource-based policies beyond the bucket's: a KMS key's key policy (GetKeyPolicy, policy
//! name `default`, the only one KMS has) and a Kinesis data stream's resource policy
//! (GetResourcePolicy). Read only, one call each.

use aws_sdk_s3::error::ProvideErrorMetadata;

use super::{ApiStats, classify};
use crate::backend::{BResult, BackendError, ErrorKind, Op};
use crate::model::arn_parts;

/// A KMS key's `KeyState` (DescribeKey); NotFound for a key that does not exist.
pub async fn kms_key_state(
    kms: &aws_sdk_kms::Client,
    stats: &ApiStats,
    arn: &str,
) -> BResult<String> {
    stats.call(Op::DescribeKey);
    match kms.describe_key().key_id(arn).send().await {
        Ok(r) => Ok(r
            .key_metadata()
            .and_then(|m| m.key_state())
            .map_or_else(|| "unknown".to_string(), |s| s.as_str().to_string())),
        Err(e) if e.code() == Some("NotFoundException") => Err(BackendError::new(
            ErrorKind::NotFound,
            format!("{arn} does not exist"),
        )
        .during(Op::DescribeKey)),
        Err(e) => Err(classify(Op::DescribeKey, e)),
    }
}

/// The resource-based policy of `arn` (a KMS key or a Kinesis data stream), `None` when it has
/// none.
///
/// Errors: NotFound when the resource does not exist; Other for an ARN of another service;
/// what the service returns otherwise.
pub async fn resource_policy(
    kms: &aws_sdk_kms::Client,
    kinesis: &aws_sdk_kinesis::Client,
    stats: &ApiStats,
    arn: &str,
) -> BResult<Option<String>> {
    match arn_parts(arn).map(|p| p.1) {
        Some("kms") => {
            stats.call(Op::GetKeyPolicy);
            match kms
                .get_key_policy()
                .key_id(arn)
                .policy_name("default")
                .send()
                .await
            {
                Ok(r) => Ok(r.policy().map(str::to_string)),
                Err(e) => Err(classify(Op::GetKeyPolicy, e)),
            }
        }
        Some("kinesis") => {
            stats.call(Op::GetResourcePolicy);
            match kinesis.get_resource_policy().resource_arn(arn).send().await {
                // A stream without a policy answers "{}".
                Ok(r) => Ok(Some(r.policy().to_string())
                    .filter(|p| !p.trim().is_empty() && p.trim() != "{}")),
                Err(e) if e.code() == Some("ResourceNotFoundException") => Err(BackendError::new(
                    ErrorKind::NotFound,
                    format!("{arn} does not exist"),
                )
                .during(Op::GetResourcePolicy)),
                Err(e) => Err(classify(Op::GetResourcePolicy, e)),
            }
        }
        _ => Err(BackendError::new(
            ErrorKind::Other,
            format!("fhtop reads no resource policy for {arn}"),
        )),
    }
}
