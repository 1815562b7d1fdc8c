//! A simulated account, in process, with a running incident. Every value is a pure function of
//! (seed, time), so `--seed N` with a fixed clock reproduces a frame exactly, and with the wall
//! clock the numbers move as CloudWatch's would (the current minute fills up as it goes).
//!
//! The story on screen:
//! - `clickstream-raw` stopped delivering to S3 38 minutes ago (S3.AccessDenied: its role lost
//!   s3:PutObject): DeliveryToS3.Success 0, freshness climbing, two alarms in ALARM.
//! - `orders-to-s3` is dynamically partitioned and near its ActivePartitionsLimit, throttling
//!   records; the `order-cancelled` rule sees failed invocations.
//! - `legacy-export` still targets a stream that was deleted.
//! - the rest is healthy; `payment-refunded` is DISABLED, `SecurityHubFindingsToFirehose` is
//!   managed by Security Hub, `hourly-metrics-snapshot` is a schedule.

mod failed;
mod iam;
mod logs;
mod queue;
mod signals;
mod world;

use iam::*;
use signals::*;
use world::*;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::{BResult, Backend, BackendError, Clock, ErrorKind};
use crate::model::*;
use crate::model::{NamedPolicies, PolicyKind, SimResult};

const ACCOUNT: &str = "123456789012";

/// How long before the demo started the S3 incident began.
const INCIDENT_AGE_MIN: i64 = 38;

/// The built-in demo account (`--demo`): a built-in inventory in account 123456789012 with an S3
/// incident that started 38 minutes before the clock's start; metrics, alarms and logs are pure
/// functions of (seed, time).
pub struct DemoBackend {
    seed: u64,
    clock: Clock,
    region: String,
    /// When the incident started.
    incident: DateTime<Utc>,
    inventory: std::sync::Mutex<Inventory>,
    /// What the dead-letter queues have handed out and had deleted (`recover dlq`).
    queues: queue::DemoQueues,
}

fn arn_stream(region: &str, name: &str) -> String {
    format!("arn:aws:firehose:{region}:{ACCOUNT}:deliverystream/{name}")
}

impl DemoBackend {
    /// A demo account for this seed and clock, in `region` (default "us-east-1").
    pub fn new(seed: u64, clock: Clock, region: Option<String>) -> Self {
        let region = region.unwrap_or_else(|| "us-east-1".to_string());
        let incident = clock.now() - Duration::minutes(INCIDENT_AGE_MIN);
        let inventory = build_inventory(&region, incident);
        Self {
            seed,
            clock,
            region,
            incident,
            inventory: std::sync::Mutex::new(inventory),
            queues: queue::DemoQueues::default(),
        }
    }

    /// When `orders-to-s3` began writing failed records (see `failed`).
    fn failures_start(&self) -> DateTime<Utc> {
        self.incident + Duration::minutes(INCIDENT_AGE_MIN - failed::FAILURES_AGE_MIN)
    }

    fn inv(&self) -> std::sync::MutexGuard<'_, Inventory> {
        match self.inventory.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The events a dead-letter queue was sent (what its rules' InvocationsSentToDlq count)
    /// and the age of the oldest, seconds. NotFound for a queue no target names.
    fn queue_held(&self, arn: &str) -> BResult<(u64, Option<f64>)> {
        // The demo's dead-letter queues keep what their rules sent them in the last 6 hours
        // (nobody has redriven them): the oldest is 6 hours old.
        const HELD_MINUTES: i64 = 360;
        let rules: Vec<RuleKey> = self
            .inv()
            .rules
            .iter()
            .filter(|r| {
                r.targets
                    .iter()
                    .any(|t| t.dead_letter_arn.as_deref() == Some(arn))
            })
            .map(|r| r.key())
            .collect();
        if rules.is_empty() {
            return Err(BackendError::new(
                ErrorKind::NotFound,
                format!("{arn} does not exist"),
            ));
        }
        let now = self.clock.now().timestamp().div_euclid(60);
        let mut held = 0.0;
        let mut oldest = None;
        for key in rules {
            let q = MetricQuery {
                scope: Scope::Rule(key),
                metric: MetricId::InvocationsSentToDlq,
                kind: crate::model::MetricKind::Full,
            };
            for minute in (now - HELD_MINUTES)..now {
                let v = self.value(&q, minute, 1.0).unwrap_or(0.0);
                if v > 0.0 && oldest.is_none() {
                    oldest = Some(((now - minute) * 60) as f64);
                }
                held += v;
            }
        }
        Ok((held as u64, oldest))
    }
}

#[async_trait]
impl Backend for DemoBackend {
    async fn identity(&self) -> BResult<Identity> {
        Ok(Identity {
            account: ACCOUNT.to_string(),
            region: self.region.clone(),
            profile: Some("demo".to_string()),
            caller_arn: Some(format!("arn:aws:sts::{ACCOUNT}:assumed-role/OnCall/demo")),
            demo: true,
        })
    }

    async fn inventory(&self) -> BResult<Inventory> {
        Ok(self.inv().clone())
    }

    async fn describe_rule(&self, key: &RuleKey) -> BResult<Rule> {
        self.inv().rule(key).cloned().ok_or_else(|| {
            BackendError::new(ErrorKind::NotFound, format!("Rule {key} does not exist."))
        })
    }

    async fn rule_targets(&self, key: &RuleKey) -> BResult<Vec<Target>> {
        self.inv()
            .rule(key)
            .map(|r| r.targets.clone())
            .ok_or_else(|| {
                BackendError::new(ErrorKind::NotFound, format!("Rule {key} does not exist."))
            })
    }

    async fn bus_rules(&self, bus: &str) -> BResult<Vec<Rule>> {
        let inv = self.inv();
        if !inv.buses.iter().any(|b| b.name == bus) {
            return Err(BackendError::new(
                ErrorKind::NotFound,
                format!("Event bus {bus} does not exist."),
            ));
        }
        Ok(inv
            .rules
            .iter()
            .filter(|r| r.bus == bus)
            .map(|r| Rule::clone(r))
            .collect())
    }

    /// The demo account has no EventBridge to ask: the local engine stands alone.
    async fn test_event_pattern(&self, _pattern: &str, _event: &str) -> BResult<bool> {
        Err(BackendError::new(
            ErrorKind::Other,
            "the demo account has no EventBridge to ask",
        ))
    }

    async fn set_rule_state(&self, key: &RuleKey, state: &RuleState) -> BResult<()> {
        let mut inv = self.inv();
        let rule = inv
            .rules
            .iter_mut()
            .find(|r| r.bus == key.bus && r.name == key.name)
            .ok_or_else(|| {
                BackendError::new(ErrorKind::NotFound, format!("Rule {key} does not exist."))
            })?;
        std::sync::Arc::make_mut(rule).state = state.clone();
        Ok(())
    }

    async fn metrics(
        &self,
        queries: &[MetricQuery],
        window: &MetricWindow,
    ) -> BResult<Vec<Series>> {
        let now = self.clock.now();
        Ok(queries
            .iter()
            .map(|q| {
                (0..window.points)
                    .map(|i| {
                        let t = window.time_of(i);
                        if t > now {
                            return None;
                        }
                        let elapsed = (now - t).num_milliseconds() as f64 / 1000.0;
                        let fraction =
                            (elapsed / f64::from(window.period_seconds)).clamp(0.05, 1.0);
                        // A longer period holds as many minutes of counts.
                        let minutes = f64::from(window.period_seconds) / 60.0;
                        let scale = if q.metric.stat() == crate::model::Stat::Sum {
                            minutes.max(1.0)
                        } else {
                            1.0
                        };
                        self.value(q, t.timestamp().div_euclid(60), fraction)
                            .map(|v| v * scale)
                    })
                    .collect()
            })
            .collect())
    }

    async fn alarms(&self) -> BResult<Vec<Alarm>> {
        Ok(build_alarms(self.incident))
    }

    async fn log_events(
        &self,
        group: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> BResult<Vec<LogEvent>> {
        let exists = {
            let inv = self.inv();
            inv.streams.iter().any(|s| s.log_group() == Some(group))
                || inv.rules.iter().any(|r| r.log_group() == group)
        };
        if !exists {
            return Err(BackendError::new(
                ErrorKind::NotFound,
                format!("The specified log group does not exist: {group}"),
            ));
        }
        let Some(p) = self.log_profile(group) else {
            return Ok(Vec::new());
        };
        let now = self.clock.now();
        let since = since.max(p.from);
        let anchor = p.from.timestamp_millis();
        let first = (since.timestamp_millis() - anchor + p.every_ms - 1).div_euclid(p.every_ms);
        let mut out = Vec::new();
        let mut k = first.max(0);
        while out.len() < limit {
            let ts_ms = anchor + k * p.every_ms;
            let Some(ts) = DateTime::from_timestamp_millis(ts_ms) else {
                break;
            };
            if ts > now {
                break;
            }
            // Every fifth tick is a burst of three events in the same millisecond.
            let burst = if k % 5 == 0 { 3 } else { 1 };
            for b in 0..burst {
                out.push(LogEvent {
                    group: group.to_string(),
                    stream: "DestinationDelivery".to_string(),
                    timestamp: ts,
                    event_id: format!("{:016x}{k:012}{b}", hash_str(group)),
                    message: self.log_message(group, k * 3 + b, ts),
                });
            }
            k += 1;
        }
        Ok(out)
    }

    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        _continuation: Option<&str>,
    ) -> BResult<crate::model::failed::ObjectPage> {
        failed::list(bucket, prefix, self.failures_start(), self.clock.now())
    }

    async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        max_bytes: usize,
        _if_match: Option<&str>,
    ) -> BResult<Vec<u8>> {
        // The demo's objects are generated from their key: never replaced.
        failed::get(bucket, key, self.failures_start(), max_bytes)
    }

    async fn simulate_principal_policy(
        &self,
        _principal: &str,
        _actions: &[String],
        _resources: &[String],
        _context: &BTreeMap<String, Vec<String>>,
        _resource_policy: Option<&str>,
    ) -> BResult<Vec<SimResult>> {
        Err(BackendError::new(
            ErrorKind::Other,
            "the demo account has no IAM policy simulator",
        ))
    }

    async fn principal_policies(&self, principal: &str) -> BResult<NamedPolicies> {
        demo_role_policies(&self.inv(), principal)
    }

    async fn role_trust_policy(&self, role: &str) -> BResult<Option<String>> {
        demo_role_policies(&self.inv(), role).map(|ps| {
            ps.into_iter()
                .find(|(_, k, _)| *k == PolicyKind::Trust)
                .map(|(_, _, d)| d)
        })
    }

    async fn role_tags(&self, _role: &str) -> BResult<Vec<(String, String)>> {
        // The demo's roles carry no tags.
        Ok(vec![])
    }

    async fn bucket_abac(&self, _bucket: &str) -> BResult<bool> {
        // The demo's buckets keep S3's default: ABAC disabled.
        Ok(false)
    }

    async fn managed_policy(&self, name: &str) -> BResult<Option<(String, String)>> {
        Ok((name == WRITER_POLICY).then(|| {
            (
                format!("arn:aws:iam::{ACCOUNT}:policy/{WRITER_POLICY}"),
                writer_policy_document(),
            )
        }))
    }

    async fn resource_policy(&self, arn: &str) -> BResult<Option<String>> {
        // The payments key delegates to IAM, as the default key policy does.
        Ok(arn.contains(":key/").then(|| {
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                    "Action": "kms:*",
                    "Resource": "*"
                }]
            })
            .to_string()
        }))
    }

    async fn queue_policy(&self, arn: &str) -> BResult<Option<String>> {
        // The demo's dead-letter queue lets EventBridge send to it, for its rule only.
        Ok(Some(
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "EventBridgeDeadLetters",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn":
                        format!("arn:aws:events:{}:{ACCOUNT}:rule/orders-bus/order-cancelled",
                            crate::model::arn_parts(arn).map_or("", |p| p.2))}}
                }]
            })
            .to_string(),
        ))
    }

    async fn archives(&self, bus_arn: &str) -> BResult<Vec<crate::model::archive::Archive>> {
        // orders-bus keeps every event a week (its dropped events can be replayed); the
        // default bus has no archive.
        Ok(if bus_arn.ends_with("event-bus/orders-bus") {
            vec![crate::model::archive::Archive {
                name: "orders-bus-all".into(),
                arn: bus_arn.replace("event-bus/orders-bus", "archive/orders-bus-all"),
                pattern: None,
                state: "ENABLED".into(),
                retention_days: 7,
                created: Some(self.clock.now() - chrono::Duration::days(30)),
            }]
        } else {
            Vec::new()
        })
    }

    async fn describe_replay(&self, _name: &str) -> BResult<Option<crate::model::archive::Replay>> {
        // The demo has never replayed.
        Ok(None)
    }

    async fn put_record_batch(&self, stream: &str, records: &[Vec<u8>]) -> super::PutBatch {
        // The demo's streams take every record (nothing leaves this process).
        if self.inv().stream(stream).is_none() {
            return super::PutBatch::Refused(BackendError::new(
                ErrorKind::NotFound,
                format!("Firehose {stream} under account {ACCOUNT} not found."),
            ));
        }
        super::PutBatch::Answered(vec![None; records.len()])
    }

    async fn receive_messages(
        &self,
        arn: &str,
        max: i32,
        _visibility_seconds: i32,
    ) -> BResult<Vec<crate::model::queue::QueueMessage>> {
        let held = self.queue_held(arn)?.0;
        let inv = self.inv();
        let Some((rule, target)) = inv.rules.iter().find_map(|r| {
            r.targets
                .iter()
                .find(|t| t.dead_letter_arn.as_deref() == Some(arn))
                .map(|t| (r.arn.clone(), t.arn.clone()))
        }) else {
            return Ok(vec![]);
        };
        drop(inv);
        let from = queue::Sender {
            rule_arn: &rule,
            target_arn: &target,
            region: &self.region,
            account: ACCOUNT,
        };
        let max = usize::try_from(max.clamp(1, 10)).unwrap_or(10);
        let time = self.incident.to_rfc3339();
        Ok(self.queues.receive(arn, held, max, &from, &time))
    }

    async fn delete_message(&self, arn: &str, receipt_handle: &str) -> BResult<()> {
        if self.queues.delete(arn, receipt_handle) {
            Ok(())
        } else {
            Err(BackendError::new(
                ErrorKind::Other,
                format!("ReceiptHandleIsInvalid: {receipt_handle} is not a receipt of {arn}"),
            ))
        }
    }

    async fn queue_state(&self, arn: &str) -> BResult<crate::model::QueueState> {
        let (held, oldest) = self.queue_held(arn)?;
        let (in_flight, deleted) = self.queues.counts(arn);
        Ok(crate::model::QueueState {
            arn: arn.to_string(),
            visible: held.saturating_sub(in_flight + deleted),
            in_flight,
            retention_seconds: crate::model::queue::DEFAULT_RETENTION_SECONDS,
            oldest_age_seconds: oldest,
        })
    }

    async fn kms_key_state(&self, _arn: &str) -> BResult<String> {
        // The demo account's keys are all in use.
        Ok("Enabled".to_string())
    }

    async fn own_buckets(&self) -> BResult<Vec<String>> {
        // Every bucket of the demo account's streams is its own.
        let inv = self.inv();
        Ok(inv
            .streams
            .iter()
            .flat_map(|s| s.bucket())
            .map(|b| crate::model::bucket_from_arn(&b.bucket_arn).to_string())
            .collect())
    }

    async fn bucket_policy(&self, bucket: &str) -> BResult<Option<String>> {
        // The clickstream bucket refuses plain HTTP, as many real buckets do: the simulation
        // must not call that an explicit deny for Firehose, which always uses TLS.
        Ok(bucket.starts_with("acme-clickstream-raw").then(|| {
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                }]
            })
            .to_string()
        }))
    }
}

#[cfg(test)]
mod tests;
