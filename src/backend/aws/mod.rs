//! The real AWS backend: the SDK for Rust behind the same [`Backend`] trait as the demo.
//!
//! Credentials and endpoints come from `aws-config`'s default chain (environment, profiles with
//! assume-role / credential_process / SSO, web identity, container, IMDS), so `AWS_PROFILE`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` behave as in the AWS CLI.
//! `--profile`, `--region` and `--endpoint-url` override them.

mod cloudwatch;
mod connect;
mod errors;
mod events;
mod firehose;
mod iam;
mod logs;
pub mod org;
mod pace;
mod put;
mod replay;
mod resource;
mod s3;
mod sqs;
pub mod stats;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::RwLock;

use super::{BResult, Backend, BackendError, ErrorKind, Op};
use crate::model::{
    Alarm, Identity, Inventory, LogEvent, MetricId, MetricQuery, MetricWindow, Rule, RuleKey,
    RuleState, Series,
};
use crate::model::{NamedPolicies, SimResult};
pub use connect::AwsOptions;
use connect::{Clients, load, sdk_config};
pub(crate) use errors::classify;
pub(crate) use errors::to_chrono;
pub use pace::{PACE_RECOVERY, Pace};
pub use stats::{ApiStats, ApiStatsView};

/// The real AWS backend: SDK clients for STS, EventBridge, Firehose, CloudWatch, CloudWatch Logs,
/// IAM, S3, KMS and Kinesis, with paces per control plane and API cost counters. Rebuilds its
/// clients after an expired-credentials or auth error (at most every 10 s).
pub struct AwsBackend {
    opts: AwsOptions,
    clients: RwLock<Arc<Clients>>,
    stats: Arc<ApiStats>,
    /// DescribeDeliveryStream (5 TPS; Amazon Data Firehose quota: each control-plane API
    /// "can provide up to 5 transactions per second").
    firehose_pace: Pace,
    /// ListDeliveryStreams (5 TPS, its own quota).
    firehose_list_pace: Pace,
    events_pace: Pace,
    logs_pace: Pace,
    /// When the clients were last rebuilt after an expired-credentials error.
    reloaded: std::sync::Mutex<Option<std::time::Instant>>,
}

impl AwsBackend {
    /// Loads the SDK configuration (profile, region, endpoint, 3 s connect / 10 s attempt / 30 s
    /// operation timeouts) and builds the clients. Never fails: bad credentials surface as
    /// `Auth` / `ExpiredCredentials` errors on the first call.
    pub async fn connect(opts: AwsOptions) -> Self {
        let clients = load(&opts).await;
        Self {
            firehose_pace: Pace::new(opts.firehose_tps),
            firehose_list_pace: Pace::new(opts.firehose_tps),
            events_pace: Pace::new(opts.events_tps),
            logs_pace: Pace::new(opts.logs_tps),
            opts,
            clients: RwLock::new(Arc::new(clients)),
            stats: Arc::new(ApiStats::default()),
            reloaded: std::sync::Mutex::new(None),
        }
    }

    async fn clients(&self) -> Arc<Clients> {
        self.clients.read().await.clone()
    }

    /// After credentials expired, rebuild the SDK configuration (at most every 10 s) so that
    /// credentials refreshed outside fhtop (`aws sso login`, a rewritten credentials file) are
    /// picked up without a restart.
    async fn after_error(&self, e: &BackendError) {
        if !matches!(e.kind, ErrorKind::ExpiredCredentials | ErrorKind::Auth) {
            return;
        }
        {
            let mut last = match self.reloaded.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(10)) {
                return;
            }
            *last = Some(std::time::Instant::now());
        }
        let fresh = load(&self.opts).await;
        *self.clients.write().await = Arc::new(fresh);
    }

    async fn guard<T>(&self, r: BResult<T>) -> BResult<T> {
        let r = r.map_err(|e| self.attributed(e));
        if let Err(e) = &r {
            // A throttled call slows its own quota's pace down.
            if let Some(p) = e.op.and_then(|op| self.pace_of(op)) {
                p.observe(&r);
            }
            self.after_error(e).await;
        }
        r
    }

    /// A member account's call (`--org-role`) that failed for want of credentials failed
    /// assuming its role: the error says so, about STS AssumeRole.
    fn attributed(&self, e: BackendError) -> BackendError {
        match &self.opts.role_arn {
            Some(arn)
                if matches!(e.kind, ErrorKind::Auth | ErrorKind::Denied) && {
                    let m = e.message.to_lowercase();
                    m.contains("credential") || m.contains("assumerole")
                } =>
            {
                BackendError {
                    message: format!("{}: assuming {arn}: {}", Op::AssumeRole, e.message),
                    op: Some(Op::AssumeRole),
                    ..e
                }
            }
            _ => e,
        }
    }

    /// The pace a call of `op` is sent under, if it has one.
    fn pace_of(&self, op: Op) -> Option<&Pace> {
        match op {
            Op::DescribeDeliveryStream => Some(&self.firehose_pace),
            Op::ListDeliveryStreams => Some(&self.firehose_list_pace),
            Op::FilterLogEvents | Op::DescribeLogGroups => Some(&self.logs_pace),
            op if op.action().starts_with("events:") => Some(&self.events_pace),
            _ => None,
        }
    }

    /// The API cost counters, shared (the same instance the backend counts in).
    pub fn stats(&self) -> Arc<ApiStats> {
        self.stats.clone()
    }
}

#[async_trait]
impl Backend for AwsBackend {
    async fn identity(&self) -> BResult<Identity> {
        let c = self.clients().await;
        self.stats.call(Op::GetCallerIdentity);
        let r = c
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| classify(Op::GetCallerIdentity, e));
        let r = self.guard(r).await?;
        Ok(Identity {
            account: r.account().unwrap_or("?").to_string(),
            region: c.region.clone(),
            profile: self
                .opts
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok()),
            caller_arn: r.arn().map(str::to_string),
            demo: false,
        })
    }

    async fn inventory(&self) -> BResult<Inventory> {
        let c = self.clients().await;
        // Firehose and EventBridge have separate quotas: walk both at once.
        let (streams, rules) = tokio::join!(
            firehose::streams(
                &c.firehose,
                &self.stats,
                (&self.firehose_list_pace, &self.firehose_pace)
            ),
            events::rules(&c.events, &self.stats, &self.events_pace)
        );
        let streams = self.guard(streams).await?;
        let (buses, rules, mut errors) = self.guard(rules).await?;
        let (streams, stream_errors) = streams;
        errors.extend(stream_errors);
        Ok(Inventory {
            buses,
            rules: rules.into_iter().map(Arc::new).collect(),
            streams: streams.into_iter().map(Arc::new).collect(),
            errors,
        })
    }

    async fn stream_names(&self) -> BResult<Vec<String>> {
        let c = self.clients().await;
        let r =
            firehose::list_names(&c.firehose, &self.stats, &self.firehose_list_pace, None).await;
        self.guard(r).await
    }

    async fn kinesis_sourced_stream_names(&self) -> BResult<Vec<String>> {
        let c = self.clients().await;
        let r = firehose::list_names(
            &c.firehose,
            &self.stats,
            &self.firehose_list_pace,
            Some(aws_sdk_firehose::types::DeliveryStreamType::KinesisStreamAsSource),
        )
        .await;
        self.guard(r).await
    }

    async fn describe_stream(&self, name: &str) -> BResult<crate::model::Stream> {
        let c = self.clients().await;
        let r = firehose::describe(&c.firehose, &self.stats, &self.firehose_pace, name).await;
        self.guard(r).await
    }

    async fn buses_and_rules(
        &self,
    ) -> BResult<(
        Vec<crate::model::Bus>,
        Vec<Rule>,
        Vec<crate::model::InventoryError>,
    )> {
        let c = self.clients().await;
        let r = events::buses_and_rules(&c.events, &self.stats, &self.events_pace).await;
        self.guard(r).await
    }

    async fn metrics(
        &self,
        queries: &[MetricQuery],
        window: &MetricWindow,
    ) -> BResult<Vec<Series>> {
        let c = self.clients().await;
        let r = cloudwatch::metrics(&c.cw, &self.stats, queries, window).await;
        self.guard(r).await
    }

    async fn streams_reporting(&self, metric: MetricId) -> BResult<Vec<String>> {
        let c = self.clients().await;
        let r = cloudwatch::streams_reporting(&c.cw, &self.stats, metric).await;
        self.guard(r).await
    }

    async fn rules_reporting(&self, metric: MetricId) -> BResult<Vec<crate::model::RuleKey>> {
        let c = self.clients().await;
        let r = cloudwatch::rules_reporting(&c.cw, &self.stats, metric).await;
        self.guard(r).await
    }

    async fn alarms(&self) -> BResult<Vec<Alarm>> {
        let c = self.clients().await;
        let r = cloudwatch::alarms(&c.cw, &self.stats).await;
        self.guard(r).await
    }

    async fn alarm_history(&self, since: DateTime<Utc>) -> BResult<Vec<crate::model::AlarmChange>> {
        let c = self.clients().await;
        let r = cloudwatch::alarm_history(&c.cw, &self.stats, since).await;
        self.guard(r).await
    }

    async fn log_events(
        &self,
        group: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> BResult<Vec<LogEvent>> {
        let c = self.clients().await;
        let r = logs::events(&c.logs, &self.stats, &self.logs_pace, group, since, limit).await;
        self.guard(r).await
    }

    async fn log_group_names(
        &self,
        prefix: &str,
        max_pages: usize,
    ) -> BResult<Option<Vec<String>>> {
        let c = self.clients().await;
        let r = logs::group_names(&c.logs, &self.stats, &self.logs_pace, prefix, max_pages).await;
        self.guard(r).await
    }

    async fn describe_rule(&self, key: &RuleKey) -> BResult<Rule> {
        let c = self.clients().await;
        let r = events::describe_rule(&c.events, &self.stats, key).await;
        self.guard(r).await
    }

    async fn rule_targets(&self, key: &RuleKey) -> BResult<Vec<crate::model::Target>> {
        let c = self.clients().await;
        let r = events::targets(
            &c.events,
            &self.stats,
            &self.events_pace,
            &key.bus,
            &key.name,
        )
        .await;
        self.guard(r).await
    }

    async fn rule_names_by_target(&self, bus: &str, target_arn: &str) -> BResult<Vec<String>> {
        let c = self.clients().await;
        let r = events::rule_names_by_target(
            &c.events,
            &self.stats,
            &self.events_pace,
            bus,
            target_arn,
        )
        .await;
        self.guard(r).await
    }

    async fn bus_rules(&self, bus: &str) -> BResult<Vec<Rule>> {
        let c = self.clients().await;
        let r = events::list_rules(&c.events, &self.stats, &self.events_pace, bus).await;
        self.guard(r).await
    }

    async fn test_event_pattern(&self, pattern: &str, event: &str) -> BResult<bool> {
        let c = self.clients().await;
        let r = events::test_event_pattern(&c.events, &self.stats, pattern, event).await;
        self.guard(r).await
    }

    async fn set_rule_state(&self, key: &RuleKey, state: &RuleState) -> BResult<()> {
        let c = self.clients().await;
        let r = events::set_rule_state(&c.events, &self.stats, key, state).await;
        self.guard(r).await
    }

    async fn simulate_principal_policy(
        &self,
        principal: &str,
        actions: &[String],
        resources: &[String],
        context: &BTreeMap<String, Vec<String>>,
        resource_policy: Option<&str>,
    ) -> BResult<Vec<SimResult>> {
        let c = self.clients().await;
        let r = iam::simulate(
            &c.iam,
            &self.stats,
            iam::Simulation {
                principal,
                actions,
                resources,
                context,
                resource_policy,
            },
        )
        .await;
        self.guard(r).await
    }

    async fn principal_policies(&self, principal: &str) -> BResult<NamedPolicies> {
        let c = self.clients().await;
        let r = iam::role_policies(&c.iam, &self.stats, principal).await;
        self.guard(r).await
    }

    async fn role_trust_policy(&self, role: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = iam::trust_policy(&c.iam, &self.stats, role).await;
        self.guard(r).await
    }

    async fn managed_policy(&self, name: &str) -> BResult<Option<(String, String)>> {
        let c = self.clients().await;
        let r = iam::managed_policy(&c.iam, &self.stats, name).await;
        self.guard(r).await
    }

    async fn bucket_policy(&self, bucket: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = iam::bucket_policy(&c.s3, &self.stats, bucket).await;
        self.guard(r).await
    }

    async fn bucket_abac(&self, bucket: &str) -> BResult<bool> {
        let c = self.clients().await;
        let r = iam::bucket_abac(&c.s3, &self.stats, bucket).await;
        self.guard(r).await
    }

    async fn role_tags(&self, role: &str) -> BResult<Vec<(String, String)>> {
        let c = self.clients().await;
        let r = iam::role_tags(&c.iam, &self.stats, role).await;
        self.guard(r).await
    }

    async fn bus_policy(&self, bus: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = events::bus_policy(&c.events, &self.stats, bus).await;
        self.guard(r).await
    }

    async fn queue_policy(&self, arn: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = sqs::queue_policy(&c.sqs, &self.stats, arn).await;
        self.guard(r).await
    }

    async fn archives(&self, bus_arn: &str) -> BResult<Vec<crate::model::archive::Archive>> {
        let c = self.clients().await;
        let r = replay::archives(&c.events, &self.stats, bus_arn).await;
        self.guard(r).await
    }

    async fn start_replay(
        &self,
        name: &str,
        archive_arn: &str,
        window: (DateTime<Utc>, DateTime<Utc>),
        to: (&str, &str),
    ) -> BResult<()> {
        let c = self.clients().await;
        let r = replay::start(&c.events, &self.stats, name, archive_arn, window, to).await;
        self.guard(r).await
    }

    async fn describe_replay(&self, name: &str) -> BResult<Option<crate::model::archive::Replay>> {
        let c = self.clients().await;
        let r = replay::describe(&c.events, &self.stats, name).await;
        self.guard(r).await
    }

    async fn put_record_batch(&self, stream: &str, records: &[Vec<u8>]) -> super::PutBatch {
        let c = self.clients().await;
        put::put_record_batch(&c.firehose_once, &self.stats, stream, records).await
    }

    async fn receive_messages(
        &self,
        arn: &str,
        max: i32,
        visibility_seconds: i32,
    ) -> BResult<Vec<crate::model::queue::QueueMessage>> {
        let c = self.clients().await;
        let r = sqs::receive(&c.sqs, &self.stats, arn, max, visibility_seconds).await;
        self.guard(r).await
    }

    async fn delete_message(&self, arn: &str, receipt_handle: &str) -> BResult<()> {
        let c = self.clients().await;
        let r = sqs::delete(&c.sqs, &self.stats, arn, receipt_handle).await;
        self.guard(r).await
    }

    async fn queue_state(&self, arn: &str) -> BResult<crate::model::QueueState> {
        let c = self.clients().await;
        let depth = sqs::queue_depth(&c.sqs, &self.stats, arn).await;
        let mut q = self.guard(depth).await?;
        // The oldest message's age is CloudWatch's; without it the deadline is unknown, the
        // depth still true.
        let name = crate::model::arn::resource_name(arn).unwrap_or(arn);
        let age = cloudwatch::oldest_message_age(&c.cw, &self.stats, name, Utc::now()).await;
        q.oldest_age_seconds = self.guard(age).await.ok().flatten();
        Ok(q)
    }

    async fn kms_key_state(&self, arn: &str) -> BResult<String> {
        let c = self.clients().await;
        let r = resource::kms_key_state(&c.kms, &self.stats, arn).await;
        self.guard(r).await
    }

    async fn own_buckets(&self) -> BResult<Vec<String>> {
        let c = self.clients().await;
        let r = iam::own_buckets(&c.s3, &self.stats).await;
        self.guard(r).await
    }

    async fn resource_policy(&self, arn: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = resource::resource_policy(&c.kms, &c.kinesis, &self.stats, arn).await;
        self.guard(r).await
    }

    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        continuation: Option<&str>,
    ) -> BResult<crate::model::failed::ObjectPage> {
        let c = self.clients().await;
        let r = s3::list_objects(&c.s3, &self.stats, bucket, prefix, continuation).await;
        self.guard(r).await
    }

    async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        max_bytes: usize,
        if_match: Option<&str>,
    ) -> BResult<Vec<u8>> {
        let c = self.clients().await;
        let r = s3::get_object(&c.s3, &self.stats, bucket, key, max_bytes, if_match).await;
        self.guard(r).await
    }

    fn api_stats(&self) -> Option<ApiStatsView> {
        Some(self.stats.view())
    }
}
