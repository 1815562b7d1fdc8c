//! The one door to AWS. Every read the panes need (and, later, every mutation) is a method of
//! [`Backend`]; there is a real AWS implementation and the built-in [`demo::DemoBackend`].

pub mod aws;
pub mod demo;
pub mod ops;
pub mod read;

pub use ops::{Access, Op};

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{
    Alarm, Bus, Identity, Inventory, InventoryError, LogEvent, MetricId, MetricQuery, MetricWindow,
    Rule, RuleKey, RuleState, Series,
};
use crate::model::{NamedPolicies, SimResult};

/// What kind of failure a backend call had; pollers use it for backoff and for what the user
/// is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Throttled by AWS (`ThrottlingException`, `TooManyRequestsException`,
    /// `LimitExceededException`, ...).
    Throttled,
    /// No usable credentials (`InvalidClientTokenId`, `UnrecognizedClientException`,
    /// `SignatureDoesNotMatch`, no credentials found): every call fails alike.
    Auth,
    /// The credentials work but this call is not allowed (`AccessDenied`,
    /// `AccessDeniedException`): a permission fhtop's role lacks, for this operation or this
    /// resource only.
    Denied,
    /// The credentials or SSO session expired (`ExpiredToken`, `RequestExpired`, ...).
    ExpiredCredentials,
    /// AWS could not be reached (timeout, connection or dispatch failure).
    Network,
    /// The resource does not exist (`ResourceNotFoundException`, `NoSuchEntity`, `NoSuchBucket`,
    /// ...).
    NotFound,
    /// Anything else (an unknown error code, an undecodable response).
    Other,
}

/// A failed backend call: its kind, the operation that failed and a message naming it (e.g.
/// "ListRules: AccessDeniedException: ..."). Displays as the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    /// What kind of failure (see [`ErrorKind`]).
    pub kind: ErrorKind,
    /// What happened, prefixed with the API operation; may contain AWS text (sanitize before
    /// display).
    pub message: String,
    /// The AWS operation that failed, when one did (not for fhtop's own checks of an answer).
    pub op: Option<Op>,
}

impl BackendError {
    /// An error of this kind with this message, about no particular operation.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            op: None,
        }
    }

    /// The same error, about operation `op`.
    pub fn during(mut self, op: Op) -> Self {
        self.op = Some(op);
        self
    }

    /// The IAM action to add to fhtop's role, when the failure was a denied call (e.g.
    /// "events:ListRules").
    pub fn missing_permission(&self) -> Option<&'static str> {
        match (self.kind, self.op) {
            (ErrorKind::Denied, Some(op)) => Some(op.action()),
            _ => None,
        }
    }

    /// The message, followed by the permission to add when the call was denied: what a reader
    /// needs to act on.
    pub fn explained(&self) -> String {
        explain_denied(&self.message, self.missing_permission())
    }

    /// An error about the account or the connection rather than one resource: it makes the
    /// whole section stale instead of one error row.
    pub fn is_account_wide(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network
                | ErrorKind::Auth
                | ErrorKind::ExpiredCredentials
                | ErrorKind::Throttled
        )
    }
}

/// `message`, followed by `"(add <permission> to fhtop's role)"` when a permission is missing.
pub fn explain_denied(message: &str, missing_permission: Option<&str>) -> String {
    match missing_permission {
        Some(p) => format!("{message} (add {p} to fhtop's role)"),
        None => message.to_string(),
    }
}

/// What one PutRecordBatch call came to ([`Backend::put_record_batch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutBatch {
    /// Firehose answered: per record, in order, `None` when it was taken (a `RecordId`) or
    /// the `ErrorCode` it was refused with (send it again).
    Answered(Vec<Option<String>>),
    /// An error response (throttled, access denied, no such stream): none was processed.
    Refused(BackendError),
    /// The call went out and no usable answer came back: Firehose may have taken the records
    /// or not.
    InDoubt(BackendError),
}

/// The result of a backend call: `T`, or a [`BackendError`].
pub type BResult<T> = Result<T, BackendError>;

/// Every read (and the one write, enabling/disabling a rule) fhtop makes against an account:
/// implemented by the AWS backend and the demo backend. Every method fails with a [`BackendError`].
#[async_trait]
pub trait Backend: Send + Sync {
    /// Account, region, caller.
    async fn identity(&self) -> BResult<Identity>;
    /// Buses, rules with targets, delivery streams with their configuration. A stream or rule
    /// that cannot be described is reported in `Inventory::errors`, never fails the whole call.
    async fn inventory(&self) -> BResult<Inventory>;
    /// Every delivery stream's name (ListDeliveryStreams, every page): the rows shown before
    /// any is described. The default reads them from [`Backend::inventory`].
    async fn stream_names(&self) -> BResult<Vec<String>> {
        Ok(stream_names_of(self.inventory().await?, |_| true))
    }
    /// The names of the delivery streams reading a Kinesis data stream (ListDeliveryStreams with
    /// `DeliveryStreamType` `KinesisStreamAsSource`, every page; Amazon Data Firehose API
    /// Reference, ListDeliveryStreams). The default reads them from [`Backend::inventory`],
    /// with every stream that could not be described (its source is not known).
    async fn kinesis_sourced_stream_names(&self) -> BResult<Vec<String>> {
        Ok(stream_names_of(self.inventory().await?, |s| {
            s.source.kinesis_stream_arn().is_some()
        }))
    }
    /// One delivery stream's configuration (DescribeDeliveryStream). NotFound when it was
    /// deleted since it was listed. The default reads it from [`Backend::inventory`].
    async fn describe_stream(&self, name: &str) -> BResult<crate::model::Stream> {
        let inv = self.inventory().await?;
        if let Some(e) = inv
            .errors
            .iter()
            .find(|e| e.kind == "stream" && e.name == name)
        {
            // A denial keeps its permission (the operation's action); anything else is Other.
            let kind = if e.missing_permission.is_some() {
                ErrorKind::Denied
            } else {
                ErrorKind::Other
            };
            return Err(
                BackendError::new(kind, e.message.clone()).during(Op::DescribeDeliveryStream)
            );
        }
        inv.stream(name).cloned().ok_or_else(|| {
            BackendError::new(
                ErrorKind::NotFound,
                format!("Firehose stream {name} not found."),
            )
        })
    }
    /// Every event bus and the rules on it, without their targets (ListEventBuses, ListRules
    /// per bus, every page). A bus that cannot be read is an error row ("bus", or "buses" when
    /// the bus list cannot be read and only the default bus is); only an account-wide failure
    /// fails the call. The default reads them from [`Backend::inventory`].
    async fn buses_and_rules(&self) -> BResult<(Vec<Bus>, Vec<Rule>, Vec<InventoryError>)> {
        let inv = self.inventory().await?;
        let rules = inv
            .rules
            .into_iter()
            .map(|r| Rule {
                targets: Vec::new(),
                ..Rule::clone(&r)
            })
            .collect();
        let errors = inv
            .errors
            .into_iter()
            .filter(|e| matches!(e.kind, "bus" | "buses"))
            .collect();
        Ok((inv.buses, rules, errors))
    }
    /// One series per query, aligned to `window` (`None` = no datapoint), in query order.
    async fn metrics(&self, queries: &[MetricQuery], window: &MetricWindow)
    -> BResult<Vec<Series>>;
    /// The delivery streams with a datapoint of `metric` (an `AWS/Firehose` metric) in the
    /// last 3 hours: ListMetrics with its namespace and name and `RecentlyActive` `PT3H`,
    /// every page (500 metrics a page), each metric's `DeliveryStreamName`; sorted, once each.
    /// What the walk learns of streams before they are described
    /// ([`crate::model::Reported`]). The default reads the account's streams from
    /// [`Backend::inventory`]: those that have the metric ([`MetricId::for_stream`]).
    async fn streams_reporting(&self, metric: MetricId) -> BResult<Vec<String>> {
        let inv = self.inventory().await?;
        Ok(sorted_once(
            inv.streams
                .iter()
                .filter(|s| MetricId::for_stream(s).contains(&metric))
                .map(|s| s.name.clone()),
        ))
    }
    /// The rules with a datapoint of `metric` (an `AWS/Events` metric) in the last 3 hours:
    /// ListMetrics with its namespace and name and `RecentlyActive` `PT3H`, every page, each
    /// series' `RuleName` on its `EventBusName` (`default` without one); sorted, once each.
    /// What the metric plan rests a rule's absent series on. The
    /// default reads the account's rules from [`Backend::inventory`]: every rule that has the
    /// metric ([`MetricId::for_rule`]) — nothing is ever absent, nothing rests.
    async fn rules_reporting(&self, metric: MetricId) -> BResult<Vec<RuleKey>> {
        let inv = self.inventory().await?;
        Ok(sorted_once(
            inv.rules
                .iter()
                .filter(|r| MetricId::for_rule(r).contains(&metric))
                .map(|r| r.key()),
        ))
    }
    /// Every CloudWatch alarm (the caller links them to streams and rules by dimension).
    async fn alarms(&self) -> BResult<Vec<Alarm>>;
    /// The alarms' state changes at or after `since`, newest first (DescribeAlarmHistory,
    /// `HistoryItemType` `StateUpdate`, `ScanBy` `TimestampDescending`, at most 5 pages of 100).
    /// The default reads each alarm's last change from [`Backend::alarms`]
    /// (`StateUpdatedTimestamp`), its previous state unknown.
    async fn alarm_history(&self, since: DateTime<Utc>) -> BResult<Vec<crate::model::AlarmChange>> {
        let mut out: Vec<crate::model::AlarmChange> = self
            .alarms()
            .await?
            .into_iter()
            .filter(|a| a.state_updated >= since)
            .map(|a| crate::model::AlarmChange {
                summary: format!("Alarm updated to {}", a.state.as_str()),
                alarm: a.name,
                at: a.state_updated,
                from: None,
                to: Some(a.state),
            })
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse(c.at));
        Ok(out)
    }
    /// Events of `group` with timestamp >= `since`, oldest first, at most `limit`. The caller
    /// removes the ones it has already seen (see `store::LogCursor`).
    async fn log_events(
        &self,
        group: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> BResult<Vec<LogEvent>>;
    /// The names of the log groups starting with `prefix` (DescribeLogGroups, 50 a page), or
    /// `None` when they take more than `max_pages` pages: the groups that exist, so that a
    /// caller reads those rather than asking for every group that might. The default lists
    /// none (`None`: the caller reads every group it would).
    async fn log_group_names(
        &self,
        prefix: &str,
        max_pages: usize,
    ) -> BResult<Option<Vec<String>>> {
        let _ = (prefix, max_pages);
        Ok(None)
    }
    /// One rule as it is now (state, managed-by), for the guarded toggle's checks and its
    /// verification afterwards.
    async fn describe_rule(&self, key: &RuleKey) -> BResult<Rule>;
    /// The rule's targets now (ListTargetsByRule, every page): what a rule change affects.
    async fn rule_targets(&self, key: &RuleKey) -> BResult<Vec<crate::model::Target>>;
    /// The names of the rules on `bus` with a target whose ARN is `target_arn`
    /// (ListRuleNamesByTarget, every page): the rules feeding one stream without reading every
    /// rule's targets. The default reads them from [`Backend::inventory`].
    async fn rule_names_by_target(&self, bus: &str, target_arn: &str) -> BResult<Vec<String>> {
        let inv = self.inventory().await?;
        Ok(inv
            .rules
            .iter()
            .filter(|r| r.bus == bus && r.targets.iter().any(|t| t.arn == target_arn))
            .map(|r| r.name.clone())
            .collect())
    }
    /// The rules of one bus (ListRules, every page), without targets: what `fhtop pattern
    /// match` tests an event against.
    async fn bus_rules(&self, bus: &str) -> BResult<Vec<Rule>>;
    /// events:TestEventPattern: whether EventBridge itself says `event` matches `pattern`
    /// (both JSON). AWS requires the event's envelope fields (id, account, source, time,
    /// region, resources, detail-type); a ValidationException names what is missing.
    async fn test_event_pattern(&self, pattern: &str, event: &str) -> BResult<bool>;
    /// Puts the rule in `state`: DisableRule, EnableRule, or for any other enabled state
    /// (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS) PutRule with the rule's current
    /// definition and that state. Only `act::Executor` calls this.
    async fn set_rule_state(&self, key: &RuleKey, state: &RuleState) -> BResult<()>;
    /// iam:SimulatePrincipalPolicy for `principal` on actions × resources, all pages, with
    /// these context keys, and the resource policy when given (the API takes it only for an
    /// IAM user principal). An error makes the caller fall back to the local evaluator.
    async fn simulate_principal_policy(
        &self,
        principal: &str,
        actions: &[String],
        resources: &[String],
        context: &BTreeMap<String, Vec<String>>,
        resource_policy: Option<&str>,
    ) -> BResult<Vec<SimResult>>;
    /// Every policy attached to a role (managed, inline), its permissions boundary and its trust
    /// policy: (name, kind, document as returned by IAM).
    async fn principal_policies(&self, principal: &str) -> BResult<NamedPolicies>;
    /// A role's trust policy (who may assume it), `None` when it has none. NotFound when the
    /// role does not exist.
    async fn role_trust_policy(&self, role: &str) -> BResult<Option<String>>;
    /// The tags of role `role` (ListRoleTags): (key, value). A request made by a session of
    /// the role carries them as `aws:PrincipalTag/KEY` (IAM User Guide, "AWS global condition
    /// context keys"). Errors: NotFound when the role does not exist; the backend's; `Other`
    /// from a backend that cannot tell — conditions on them stay undetermined.
    async fn role_tags(&self, role: &str) -> BResult<Vec<(String, String)>> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not read role tags ({role})"),
        ))
    }
    /// The customer-managed policy with this name: (ARN, document of the default version).
    async fn managed_policy(&self, name: &str) -> BResult<Option<(String, String)>>;
    /// The bucket's policy document, `None` when it has none.
    async fn bucket_policy(&self, bucket: &str) -> BResult<Option<String>>;
    /// Whether ABAC is enabled on the general purpose bucket (GetBucketAbac): `false` means S3
    /// does not compare `aws:ResourceTag` conditions with its tags at all, so the key is absent
    /// from every request on it (Amazon S3 User Guide, "Using tags with S3 general purpose
    /// buckets"). Errors: the backend's; `Other` from a backend that cannot tell — conditions
    /// on the bucket's tags stay undetermined.
    async fn bucket_abac(&self, bucket: &str) -> BResult<bool> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not read the ABAC status of buckets ({bucket})"),
        ))
    }
    /// The access policy of an SQS queue (a rule target's dead-letter queue, by ARN), `None`
    /// when it has none: EventBridge (`events.amazonaws.com`) must be allowed `sqs:SendMessage`
    /// there, or the events it dead-letters are lost (Amazon EventBridge User Guide, "Granting
    /// permissions to the dead-letter queue").
    ///
    /// Errors: NotFound when the queue does not exist; the backend's (e.g. `AccessDenied`);
    /// `Other` from a backend that cannot tell — the answer is then undetermined.
    async fn queue_policy(&self, arn: &str) -> BResult<Option<String>> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not read SQS queue policies ({arn})"),
        ))
    }
    /// The resource policy of event bus `bus` (DescribeEventBus `Policy`), `None` when it has
    /// none: a bus takes events from another account only where its policy lets that account
    /// `events:PutEvents` (Amazon EventBridge User Guide, "Permissions for Amazon EventBridge
    /// event buses").
    ///
    /// Errors: NotFound when the bus does not exist; the backend's (e.g. `AccessDenied`);
    /// `Other` from a backend that cannot tell — the answer is then undetermined.
    async fn bus_policy(&self, bus: &str) -> BResult<Option<String>> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not read event bus policies ({bus})"),
        ))
    }
    /// The archives of the event bus `bus_arn` (ListArchives, DescribeArchive each): what a
    /// replay can be made from. Errors: the backend's.
    async fn archives(&self, bus_arn: &str) -> BResult<Vec<crate::model::archive::Archive>> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend has no archives ({bus_arn})"),
        ))
    }
    /// StartReplay `name`: the archive's events from `window.0` to `window.1` sent again to
    /// the bus `to.0`, for the rule `to.1` only (`FilterArns`). Only a recovery calls this.
    /// Errors: the backend's (e.g. `ResourceAlreadyExistsException` for a name in use).
    async fn start_replay(
        &self,
        name: &str,
        archive_arn: &str,
        window: (DateTime<Utc>, DateTime<Utc>),
        to: (&str, &str),
    ) -> BResult<()> {
        let _ = (archive_arn, window, to);
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not replay ({name})"),
        ))
    }
    /// DescribeReplay `name`; `None` when there is none. Errors: the backend's.
    async fn describe_replay(&self, name: &str) -> BResult<Option<crate::model::archive::Replay>> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not replay ({name})"),
        ))
    }
    /// Firehose PutRecordBatch of `records` (each one record's bytes; at most 500 records and
    /// 4 MiB, each at most 1,000 KiB: Amazon Data Firehose API Reference, PutRecordBatch) to
    /// the stream `stream`, sent once, never retried by the backend: the one call that sends
    /// data, made only by a recovery (`fhtop recover`), which journals it.
    async fn put_record_batch(&self, stream: &str, records: &[Vec<u8>]) -> PutBatch {
        let _ = records;
        PutBatch::Refused(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not send records ({stream})"),
        ))
    }
    /// Up to `max` (1–10) messages of the dead-letter queue `arn`, hidden from other consumers
    /// for `visibility_seconds` (ReceiveMessage). Only a recovery calls this.
    ///
    /// Errors: NotFound when the queue does not exist; the backend's.
    async fn receive_messages(
        &self,
        arn: &str,
        max: i32,
        visibility_seconds: i32,
    ) -> BResult<Vec<crate::model::queue::QueueMessage>> {
        let _ = (max, visibility_seconds);
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not read SQS queues ({arn})"),
        ))
    }
    /// Deletes a received message from the queue `arn` (DeleteMessage): only once its record
    /// was accepted. Errors: the backend's.
    async fn delete_message(&self, arn: &str, receipt_handle: &str) -> BResult<()> {
        let _ = receipt_handle;
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not change SQS queues ({arn})"),
        ))
    }
    /// A rule target's dead-letter queue now (by ARN): its depth, retention and the age of its
    /// oldest message ([`crate::model::QueueState`]) — what the loss ledger says is waiting
    /// there and by when SQS deletes it.
    ///
    /// Errors: NotFound when the queue does not exist; the backend's (e.g. `AccessDenied`
    /// without sqs:GetQueueAttributes); `Other` from a backend that cannot tell.
    async fn queue_state(&self, arn: &str) -> BResult<crate::model::QueueState> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not read SQS queues ({arn})"),
        ))
    }
    /// A KMS key's `KeyState` as DescribeKey answers it ("Enabled", "Disabled",
    /// "PendingDeletion", "PendingImport", "Unavailable", …): KMS refuses cryptographic
    /// operations on a key that is not Enabled (AWS KMS Developer Guide, "Key states of AWS KMS
    /// keys").
    ///
    /// Errors: NotFound when the key does not exist; the backend's (e.g. `AccessDenied` without
    /// kms:DescribeKey); `Other` from a backend that cannot tell — the state is then unknown.
    async fn kms_key_state(&self, arn: &str) -> BResult<String> {
        Err(BackendError::new(
            ErrorKind::Other,
            format!("this backend does not describe KMS keys ({arn})"),
        ))
    }
    /// The names of the buckets the account owns (ListBuckets: "all buckets owned by the
    /// authenticated sender of the request", Amazon S3 API Reference): a destination bucket not
    /// among them is another account's, and its permissions are evaluated across accounts.
    ///
    /// Errors: the backend's (e.g. `AccessDenied` without s3:ListAllMyBuckets); a backend that
    /// cannot tell answers `Other` — the owner is then unknown, never assumed.
    async fn own_buckets(&self) -> BResult<Vec<String>> {
        Err(BackendError::new(
            ErrorKind::Other,
            "this backend does not list the account's buckets",
        ))
    }
    /// The resource-based policy of a KMS key (its key policy) or a Kinesis data stream (by
    /// ARN), `None` when it has none. NotFound when the resource does not exist; Other for an
    /// ARN of another service.
    async fn resource_policy(&self, arn: &str) -> BResult<Option<String>>;
    /// One page of ListObjectsV2 on `bucket` under `prefix` (up to 1,000 objects, key order),
    /// continuing after `continuation` when given. NotFound when the bucket does not exist;
    /// Denied names s3:ListBucket.
    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        continuation: Option<&str>,
    ) -> BResult<crate::model::failed::ObjectPage>;
    /// The first `max_bytes` bytes of one object (GetObject with `Range: bytes=0-…`; fewer when
    /// the object is smaller), and with `if_match` (an `ETag` as listed) only while the key
    /// still holds that version. NotFound when it is gone; `Other` naming "PreconditionFailed"
    /// when it was replaced; Denied names s3:GetObject (an object encrypted with a KMS key also
    /// needs kms:Decrypt on it).
    async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        max_bytes: usize,
        if_match: Option<&str>,
    ) -> BResult<Vec<u8>>;
    /// What the backend has cost so far (API calls, metrics requested), if it counts.
    fn api_stats(&self) -> Option<aws::ApiStatsView> {
        None
    }
}

/// Where "now" comes from: the wall clock, or a fixed instant for reproducible output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock (`Utc::now()`).
    System,
    /// Always this instant (`fhtop snapshot --at`, tests).
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current instant: the wall clock, or the fixed time.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// `items` sorted, each once.
/// The names of `inv`'s streams that `keep` says yes to, and of every stream that could not be
/// described (what it is is not known), sorted: the default answers of the listings.
fn stream_names_of(inv: Inventory, keep: impl Fn(&crate::model::Stream) -> bool) -> Vec<String> {
    let mut names: Vec<String> = inv
        .streams
        .iter()
        .filter(|s| keep(s))
        .map(|s| s.name.clone())
        .collect();
    names.extend(
        inv.errors
            .into_iter()
            .filter(|e| e.kind == "stream")
            .map(|e| e.name),
    );
    names.sort();
    names
}

fn sorted_once<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = items.collect();
    v.sort_unstable();
    v.dedup();
    v
}
