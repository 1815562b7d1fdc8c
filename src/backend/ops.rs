//! Every AWS API operation fhtop calls, in one table: its IAM action, which group of fhtop's own
//! policy it belongs to, and the feature that stops working without it.
//!
//! The AWS backend can only count a call ([`super::aws::ApiStats::call`]) and classify its
//! error ([`super::aws`]'s `classify`) by naming an [`Op`], so `fhtop policy` (generated from
//! [`Op::ALL`]) cannot miss an operation the code calls; a test checks that every `Op` is
//! called somewhere, so it cannot list one the code no longer calls.
//!
//! IAM action names: the Service Authorization Reference
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>).

use serde::Serialize;

/// Which part of fhtop's own IAM policy an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Needs no permission (STS GetCallerIdentity).
    None,
    /// The read-only dashboard, and `fhtop check`'s metric, log and alarm checks (its permission
    /// checks need [`Access::Permissions`]).
    Read,
    /// Permission checks (`fhtop perms`, the Permissions pane, the `*-access` checks): the
    /// policies fhtop reads and the IAM policy simulator.
    Permissions,
    /// Rule changes (`t`, `fhtop rule enable|disable`).
    Change,
    /// Recovery (`fhtop recover`): re-sending failed records to a stream with PutRecordBatch.
    /// Kept apart from [`Access::Change`]: it sends data.
    Recover,
    /// Failed records (`fhtop errors`, the failed-records view): listing and reading the
    /// objects under a stream's S3 error output. Kept apart from [`Access::Read`] because it
    /// reads record payloads, which may hold data the dashboard's role should not see.
    Records,
    /// `--org-role`: listing the organization's accounts and assuming the role in each (the
    /// role itself needs the other groups, in each member account).
    Org,
}

impl Access {
    /// The group as `fhtop policy` names it: "none", "read", "permissions", "change".
    pub fn as_str(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::Read => "read",
            Access::Permissions => "permissions",
            Access::Change => "change",
            Access::Records => "records",
            Access::Recover => "recover",
            Access::Org => "org",
        }
    }
}

/// The IAM action of an operation: `service:Operation`, or `service:Action` where IAM names it
/// otherwise (ListObjectsV2 is allowed by s3:ListBucket).
macro_rules! op_action {
    ($service:literal, $v:ident) => {
        concat!($service, ":", stringify!($v))
    };
    ($service:literal, $v:ident, $action:literal) => {
        concat!($service, ":", $action)
    };
}

macro_rules! ops {
    ($( $(#[$doc:meta])* $v:ident => $service:literal $(as $action:literal)?, $access:ident, $feature:literal; )*) => {
        /// One AWS API operation fhtop calls (named as the API names it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Op {
            $( $(#[$doc])* $v, )*
        }

        impl Op {
            /// Every operation, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$v),*];

            /// The API operation name, e.g. "ListRules".
            pub fn name(self) -> &'static str {
                match self { $(Op::$v => stringify!($v),)* }
            }
            /// The IAM action that allows it, e.g. "events:ListRules".
            pub fn action(self) -> &'static str {
                match self { $(Op::$v => op_action!($service, $v $(, $action)?),)* }
            }
            /// The part of fhtop's policy it belongs to.
            pub fn access(self) -> Access {
                match self { $(Op::$v => Access::$access,)* }
            }
            /// What stops working without it, e.g. "rules and their targets".
            pub fn feature(self) -> &'static str {
                match self { $(Op::$v => $feature,)* }
            }
        }
    };
}

ops! {
    /// sts:GetCallerIdentity: the account and caller (needs no permission).
    GetCallerIdentity => "sts", None, "the account and caller shown in the header";
    /// events:ListEventBuses.
    ListEventBuses => "events", Read, "rules on buses other than default";
    /// events:ListRules, per bus.
    ListRules => "events", Read, "rules";
    /// events:ListTargetsByRule, per rule.
    ListTargetsByRule => "events", Read, "which rule feeds which stream";
    /// events:ListRuleNamesByTarget, per bus and stream: the rules feeding a stream named on the
    /// command line, without reading every rule's targets.
    ListRuleNamesByTarget => "events", Read, "which rules feed a stream `fhtop check --stream` names (else every rule's targets are read)";
    /// events:DescribeRule: a rule before and after a change.
    DescribeRule => "events", Read, "rule changes and their verification";
    /// events:TestEventPattern: EventBridge's own verdict beside the local pattern engine.
    TestEventPattern => "events", Read, "EventBridge's own pattern verdict beside fhtop's";
    /// firehose:ListDeliveryStreams.
    ListDeliveryStreams => "firehose", Read, "delivery streams";
    /// firehose:DescribeDeliveryStream, per stream.
    DescribeDeliveryStream => "firehose", Read, "delivery stream configuration and status";
    /// cloudwatch:GetMetricData.
    GetMetricData => "cloudwatch", Read, "metrics: charts, delivery, freshness and throttling checks";
    /// cloudwatch:ListMetrics: which streams report which metrics, before they are described.
    ListMetrics => "cloudwatch", Read, "metrics of streams not described yet";
    /// cloudwatch:DescribeAlarms.
    DescribeAlarms => "cloudwatch", Read, "alarms and the alarm checks";
    /// cloudwatch:DescribeAlarmHistory: state changes of the alarms in the timelines.
    DescribeAlarmHistory => "cloudwatch", Read, "alarm state changes in the timelines (since when)";
    /// logs:FilterLogEvents, per error log group.
    FilterLogEvents => "logs", Read, "delivery error logs";
    /// logs:DescribeLogGroups: which `/aws/events/<rule>` groups exist, so that a rule's
    /// pattern samples read those alone.
    DescribeLogGroups => "logs", Read, "pattern samples read only the rule log groups that exist";
    /// iam:SimulatePrincipalPolicy (the local evaluator is used without it).
    SimulatePrincipalPolicy => "iam", Permissions, "AWS's own policy simulator (fhtop then evaluates locally)";
    /// iam:GetRole: a role's trust policy and permissions boundary.
    GetRole => "iam", Permissions, "trust policies and permissions boundaries";
    /// iam:ListRoleTags: a role's tags, which its sessions' requests carry as
    /// `aws:PrincipalTag/KEY`.
    ListRoleTags => "iam", Permissions, "conditions on a role's own tags";
    /// iam:ListRolePolicies.
    ListRolePolicies => "iam", Permissions, "a role's inline policies";
    /// iam:GetRolePolicy.
    GetRolePolicy => "iam", Permissions, "a role's inline policies";
    /// iam:ListAttachedRolePolicies.
    ListAttachedRolePolicies => "iam", Permissions, "a role's managed policies";
    /// iam:GetPolicy.
    GetPolicy => "iam", Permissions, "managed policies";
    /// iam:GetPolicyVersion.
    GetPolicyVersion => "iam", Permissions, "managed policies";
    /// iam:ListPolicies: finding the writer policy by name.
    ListPolicies => "iam", Permissions, "the writer-policy check";
    /// s3:GetBucketPolicy.
    GetBucketPolicy => "s3", Permissions, "bucket policies";
    /// s3:GetBucketAbac: whether a bucket's tags take part in authorization
    /// (`aws:ResourceTag`), which S3 does only with ABAC enabled.
    GetBucketAbac => "s3", Permissions, "conditions on a bucket's tags";
    /// s3:ListBuckets (IAM action s3:ListAllMyBuckets): whether a destination bucket is the
    /// account's own, or another account's (then both sides must allow).
    ListBuckets => "s3" as "ListAllMyBuckets", Permissions, "a bucket's owner (cross-account permissions)";
    /// kms:GetKeyPolicy.
    GetKeyPolicy => "kms", Permissions, "KMS key policies";
    /// sqs:GetQueueUrl: the URL of a rule target's dead-letter queue (to read it).
    GetQueueUrl => "sqs", Read, "dead-letter queues: depth (losses) and policy (permissions)";
    /// sqs:GetQueueAttributes: a dead-letter queue's depth and retention (what waits there,
    /// by when it is deleted) and its policy (may EventBridge send to it).
    GetQueueAttributes => "sqs", Read, "dead-letter queues: depth (losses) and policy (permissions)";
    /// kms:DescribeKey: a key's state (a Disabled or PendingDeletion key refuses every
    /// request, whatever the policies allow).
    DescribeKey => "kms", Permissions, "KMS key states";
    /// events:DescribeEventBus: a bus's policy, which decides whether another account may put
    /// events on it.
    DescribeEventBus => "events", Permissions, "event bus policies (producers in other accounts)";
    /// kinesis:GetResourcePolicy: a source data stream's policy.
    GetResourcePolicy => "kinesis", Permissions, "Kinesis data stream policies";
    /// s3:ListObjectsV2 (IAM action s3:ListBucket): the objects under a stream's error output.
    ListObjectsV2 => "s3" as "ListBucket", Records, "failed records (listing the S3 error output)";
    /// s3:GetObject: one error-output object, read with a byte range.
    GetObject => "s3", Records, "failed records (reading the S3 error output)";
    /// events:EnableRule.
    EnableRule => "events", Change, "enabling a rule";
    /// events:DisableRule.
    DisableRule => "events", Change, "disabling a rule";
    /// events:PutRule: restoring a rule's ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state.
    PutRule => "events", Change, "restoring a rule's state other than ENABLED or DISABLED";
    /// firehose:PutRecordBatch: a recovery re-sending failed records to their stream.
    PutRecordBatch => "firehose", Recover, "fhtop recover errors: re-sending failed records";
    /// sqs:ReceiveMessage: a recovery reading a dead-letter queue's events (each hidden from
    /// other consumers for the visibility timeout).
    ReceiveMessage => "sqs", Recover, "fhtop recover dlq: reading a dead-letter queue's events";
    /// sqs:DeleteMessage: a message deleted once Firehose accepted its record.
    DeleteMessage => "sqs", Recover, "fhtop recover dlq: deleting what was recovered";
    /// events:ListArchives: a bus's archives, for a replay.
    ListArchives => "events", Read, "archives: what fhtop losses and recover replay can replay";
    /// events:DescribeArchive: an archive's pattern and retention.
    DescribeArchive => "events", Read, "archives: an archive's pattern and retention";
    /// events:StartReplay: an archive's events sent again, to one rule.
    StartReplay => "events", Recover, "fhtop recover replay: starting the replay";
    /// events:DescribeReplay: a replay's progress.
    DescribeReplay => "events", Recover, "fhtop recover replay: following the replay";
    /// organizations:ListAccounts: `--org-role`'s accounts (management account or delegated
    /// administrator).
    ListAccounts => "organizations", Org, "--org-role: the organization's accounts";
    /// sts:AssumeRole: `--org-role` reads each member account as the role (which must trust
    /// the caller).
    AssumeRole => "sts", Org, "--org-role: reading each member account";
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An IAM policy document (JSON) allowing every operation of `access` (on every resource:
/// fhtop reads what the account has), with a `Sid` naming the group.
pub fn policy(access: &[Access]) -> serde_json::Value {
    let statements: Vec<serde_json::Value> = access
        .iter()
        .map(|a| {
            let mut actions: Vec<&str> = Op::ALL
                .iter()
                .filter(|o| o.access() == *a)
                .map(|o| o.action())
                .collect();
            actions.sort_unstable();
            actions.dedup();
            let sid = match a {
                Access::None => "FhtopNone",
                Access::Read => "FhtopRead",
                Access::Permissions => "FhtopPermissionChecks",
                Access::Change => "FhtopRuleChanges",
                Access::Records => "FhtopFailedRecords",
                Access::Recover => "FhtopRecovery",
                Access::Org => "FhtopOrganization",
            };
            serde_json::json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            })
        })
        .collect();
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_actions_follow_the_api() {
        assert_eq!(Op::ListRules.name(), "ListRules");
        assert_eq!(Op::ListRules.action(), "events:ListRules");
        assert_eq!(Op::GetBucketPolicy.action(), "s3:GetBucketPolicy");
        assert_eq!(Op::GetCallerIdentity.access(), Access::None);
        // IAM names the action otherwise than the API.
        assert_eq!(Op::ListObjectsV2.name(), "ListObjectsV2");
        assert_eq!(Op::ListObjectsV2.action(), "s3:ListBucket");
        assert_eq!(Op::GetObject.action(), "s3:GetObject");
    }

    #[test]
    fn read_policy_holds_no_write_and_change_holds_no_read() {
        let p = policy(&[Access::Read]).to_string();
        assert!(p.contains("events:ListRules") && p.contains("cloudwatch:GetMetricData"));
        assert!(!p.contains("EnableRule") && !p.contains("PutRule") && !p.contains("iam:"));
        assert!(!p.contains("sts:GetCallerIdentity"), "needs no permission");
        let c = policy(&[Access::Change]).to_string();
        assert!(c.contains("events:PutRule") && !c.contains("ListRules"));
    }

    /// Every operation in the table is called by the AWS backend: the policy lists nothing the
    /// code does not need.
    #[test]
    fn every_op_is_called_by_the_aws_backend() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/backend/aws");
        let mut code = String::new();
        for e in std::fs::read_dir(dir).expect("backend sources") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "rs") {
                code.push_str(&std::fs::read_to_string(p).expect("source"));
            }
        }
        for op in Op::ALL {
            assert!(
                code.contains(&format!("Op::{op:?}")),
                "{op:?} is in the policy table but the AWS backend never calls it"
            );
        }
    }
}
