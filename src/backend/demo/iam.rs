//! The demo account's IAM: identity, trust and resource policies that tell the incident's
//! story (the clickstream delivery role lost s3:PutObject).

use super::*;

pub(super) const WRITER_POLICY: &str = "firehose_writer";

pub(super) fn writer_policy_document() -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "WriteToFirehose",
            "Effect": "Allow",
            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
            "Resource": format!("arn:aws:firehose:*:{ACCOUNT}:deliverystream/*")
        }]
    })
    .to_string()
}

/// The demo account's IAM: the EventBridge role has the `firehose_writer` policy; each delivery
/// role an inline policy for its own bucket, log group and key, except that the clickstream
/// role's lost s3:PutObject (the running incident).
pub(super) fn demo_role_policies(inv: &Inventory, principal: &str) -> BResult<NamedPolicies> {
    let name = principal.rsplit('/').next().unwrap_or(principal);
    let trust = (
        format!("{name} trust policy"),
        PolicyKind::Trust,
        demo_trust_policy(name),
    );
    if name == "eventbridge-firehose-writer" {
        return Ok(vec![
            (
                format!("arn:aws:iam::{ACCOUNT}:policy/{WRITER_POLICY}"),
                PolicyKind::Identity,
                writer_policy_document(),
            ),
            trust,
        ]);
    }
    if name == "eventbridge-kinesis-writer" {
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "PutToKinesis", "Effect": "Allow",
            "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
            "Resource": format!("arn:aws:kinesis:*:{ACCOUNT}:stream/web-clicks")
        }]});
        return Ok(vec![
            (
                format!("{name}/put (inline)"),
                PolicyKind::Identity,
                doc.to_string(),
            ),
            trust,
        ]);
    }
    if let Some(src) = inv.streams.iter().find_map(|s| match &s.source {
        Source::KinesisStream {
            stream_arn,
            role_arn,
        } if role_arn.as_deref() == Some(principal) => Some(stream_arn.clone()),
        _ => None,
    }) {
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "ReadSource", "Effect": "Allow",
            "Action": ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
            "Resource": src
        }]});
        return Ok(vec![
            (
                format!("{name}/source (inline)"),
                PolicyKind::Identity,
                doc.to_string(),
            ),
            trust,
        ]);
    }
    let Some(st) = inv
        .streams
        .iter()
        .find(|s| s.delivery_role() == Some(principal))
    else {
        return Err(BackendError::new(
            ErrorKind::NotFound,
            format!("GetRole: NoSuchEntity: The role with name {name} cannot be found."),
        ));
    };
    let Some(d) = st.bucket() else {
        return Ok(vec![trust]);
    };
    let mut s3_actions = vec![
        "s3:AbortMultipartUpload",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
        "s3:PutObject",
    ];
    if name == "firehose-clickstream-delivery" {
        s3_actions.retain(|a| *a != "s3:PutObject");
    }
    let mut statements = vec![serde_json::json!({
        "Sid": "S3Delivery",
        "Effect": "Allow",
        "Action": s3_actions,
        "Resource": [d.bucket_arn.clone(), format!("{}/*", d.bucket_arn)]
    })];
    if let Some(g) = st.log_group() {
        statements.push(serde_json::json!({
            "Sid": "ErrorLogging",
            "Effect": "Allow",
            "Action": "logs:PutLogEvents",
            "Resource": format!("arn:aws:logs:*:{ACCOUNT}:log-group:{g}:log-stream:*")
        }));
    }
    if name == "SecurityHubFirehoseRole" {
        // Security Hub's role also puts the findings into the stream.
        statements.push(serde_json::json!({
            "Sid": "PutFindings",
            "Effect": "Allow",
            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
            "Resource": format!("arn:aws:firehose:*:{ACCOUNT}:deliverystream/security-findings")
        }));
    }
    if let Some(k) = &d.kms_key_arn {
        statements.push(serde_json::json!({
            "Sid": "Encrypt",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": k
        }));
    }
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    Ok(vec![
        (
            format!("{name}/delivery (inline)"),
            PolicyKind::Identity,
            doc,
        ),
        trust,
    ])
}

/// The demo account's trust policies: EventBridge roles trust events.amazonaws.com, every
/// other role Firehose (with the account as sts:ExternalId, as AWS documents).
fn demo_trust_policy(role_name: &str) -> String {
    let events = serde_json::json!({"Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"});
    let firehose = serde_json::json!({"Effect": "Allow",
        "Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": ACCOUNT}}});
    let statements = if role_name.starts_with("eventbridge-") {
        vec![events]
    } else if role_name == "SecurityHubFirehoseRole" {
        // Both the managed rule's target role and the stream's delivery role: its invocations
        // succeed, so EventBridge may assume it.
        vec![events, firehose]
    } else {
        vec![firehose]
    };
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}
