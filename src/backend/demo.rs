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

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::{BResult, Backend, BackendError, Clock, ErrorKind};
use crate::model::*;
use crate::model::{NamedPolicies, PolicyKind, SimResult};

const ACCOUNT: &str = "123456789012";

/// How long before the demo started the S3 incident began.
const INCIDENT_AGE_MIN: i64 = 38;

pub struct DemoBackend {
    seed: u64,
    clock: Clock,
    region: String,
    /// When the incident started.
    incident: DateTime<Utc>,
    inventory: std::sync::Mutex<Inventory>,
}

struct StreamProfile {
    name: &'static str,
    /// Records per minute at the diurnal mean.
    rate: f64,
    bytes_per_record: f64,
    buffering_s: u32,
}

const PROFILES: [StreamProfile; 9] = [
    StreamProfile {
        name: "orders-to-s3",
        rate: 42_000.0,
        bytes_per_record: 850.0,
        buffering_s: 60,
    },
    StreamProfile {
        name: "clickstream-raw",
        rate: 18_000.0,
        bytes_per_record: 1_400.0,
        buffering_s: 300,
    },
    StreamProfile {
        name: "audit-trail",
        rate: 900.0,
        bytes_per_record: 2_100.0,
        buffering_s: 300,
    },
    StreamProfile {
        name: "payments-archive",
        rate: 2_400.0,
        bytes_per_record: 640.0,
        buffering_s: 120,
    },
    StreamProfile {
        name: "app-logs",
        rate: 60_000.0,
        bytes_per_record: 380.0,
        buffering_s: 60,
    },
    StreamProfile {
        name: "metrics-export",
        rate: 5_000.0,
        bytes_per_record: 220.0,
        buffering_s: 900,
    },
    StreamProfile {
        name: "security-findings",
        rate: 6.0,
        bytes_per_record: 4_800.0,
        buffering_s: 300,
    },
    StreamProfile {
        name: "datadog-forwarder",
        rate: 3_100.0,
        bytes_per_record: 510.0,
        buffering_s: 60,
    },
    StreamProfile {
        name: "web-clicks-archive",
        rate: 7_500.0,
        bytes_per_record: 900.0,
        buffering_s: 120,
    },
];

fn profile(name: &str) -> Option<&'static StreamProfile> {
    PROFILES.iter().find(|p| p.name == name)
}

/// splitmix64: a tiny, well-known mixer, so the simulation is a pure function of its inputs.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn arn_stream(region: &str, name: &str) -> String {
    format!("arn:aws:firehose:{region}:{ACCOUNT}:deliverystream/{name}")
}

impl DemoBackend {
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
        }
    }

    fn inv(&self) -> std::sync::MutexGuard<'_, Inventory> {
        match self.inventory.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Uniform in [0, 1), a pure function of the seed and the inputs.
    fn noise(&self, key: &str, n: i64) -> f64 {
        let h = mix(self.seed ^ hash_str(key) ^ mix(n as u64));
        (h >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Traffic shape over the day, 0.6..1.4.
    fn diurnal(minute: i64) -> f64 {
        let day = (minute.rem_euclid(1440)) as f64 / 1440.0;
        1.0 + 0.4 * (day * std::f64::consts::TAU - 2.0).sin()
    }

    fn value(&self, q: &MetricQuery, minute: i64, fraction: f64) -> Option<f64> {
        match &q.scope {
            Scope::Stream(name) => self.stream_value(name, q.metric, minute, fraction),
            Scope::Rule(key) => self.rule_value(key, q.metric, minute, fraction),
        }
    }

    fn stream_value(&self, name: &str, m: MetricId, minute: i64, fraction: f64) -> Option<f64> {
        use MetricId::*;
        let p = profile(name)?;
        let incident_min = self.incident.timestamp().div_euclid(60);
        let jitter = 0.85 + 0.3 * self.noise(name, minute);
        let mut records = p.rate * Self::diurnal(minute) * jitter * fraction;
        if name == "metrics-export" {
            // An hourly snapshot: a burst at the top of the hour, nothing (no datapoints) between.
            if minute.rem_euclid(60) != 0 {
                return None;
            }
            records *= 20.0;
        }
        let failing = name == "clickstream-raw" && minute >= incident_min;
        let throttled = if name == "orders-to-s3" {
            (records * (0.004 + 0.012 * self.noise("thr", minute))).round()
        } else {
            0.0
        };
        let accepted = records - throttled;
        let delivered = if failing { 0.0 } else { accepted };
        let minute_end = DateTime::from_timestamp((minute + 1) * 60, 0).unwrap_or(self.incident);
        let now = self.clock.now().min(minute_end);
        let (kind, kinesis) = {
            let inv = self.inv();
            let st = inv.stream(name);
            (
                st.and_then(|s| s.destination_kind()),
                st.is_some_and(|s| s.source.kinesis_stream_arn().is_some()),
            )
        };
        let ours = |k: DestinationKind| Some(k) == kind;
        // A service destination's S3 backup (failed data only): nothing while delivery works.
        let backup = |k: DestinationKind| k == DestinationKind::S3 && !ours(k) && kind.is_some();
        Some(match m {
            IncomingRecords | IncomingBytes | IncomingPutRequests | ThrottledRecords if kinesis => {
                return None;
            }
            KinesisReadRecords if kinesis => accepted.round(),
            KinesisReadBytes if kinesis => (accepted * p.bytes_per_record).round(),
            KinesisMillisBehindLatest if kinesis => {
                (400.0 + 600.0 * self.noise("lag", minute)).round()
            }
            ThrottledGetRecords | ThrottledGetShardIterator | ThrottledDescribeStream
                if kinesis =>
            {
                0.0
            }
            IncomingRecords => accepted.round(),
            IncomingBytes => (accepted * p.bytes_per_record).round(),
            IncomingPutRequests => (accepted / 25.0).ceil(),
            ThrottledRecords => throttled,
            DeliveryRecords(k) | DeliveryBytes(k) if backup(k) => 0.0,
            DeliverySuccess(k) | DataFreshness(k) if backup(k) => return None,
            DeliveryRecords(k) | DeliveryBytes(k) | DeliverySuccess(k) | DataFreshness(k)
                if !ours(k) =>
            {
                return None;
            }
            DeliveryRecords(_) => delivered.round(),
            DeliveryBytes(_) => (delivered * p.bytes_per_record * 0.31).round(),
            DeliverySuccess(_) => {
                if failing {
                    0.0
                } else {
                    1.0
                }
            }
            DataFreshness(_) => {
                if failing {
                    (now - self.incident).num_seconds() as f64
                } else {
                    let base = f64::from(p.buffering_s);
                    (base * (0.3 + 0.9 * self.noise("fresh", minute))).round()
                }
            }
            PartitionCount if name == "orders-to-s3" => {
                (455.0 + 30.0 * self.noise("parts", minute)).round()
            }
            ActivePartitionsLimit if name == "orders-to-s3" => 500.0,
            PartitionCountExceeded if name == "orders-to-s3" => 0.0,
            JqDuration if name == "orders-to-s3" => (3.0 + 4.0 * self.noise("jq", minute)).round(),
            PartitionCount | ActivePartitionsLimit | PartitionCountExceeded | JqDuration => {
                return None;
            }
            BytesPerSecondLimit => 5_242_880.0,
            RecordsPerSecondLimit => 5_000.0,
            PutRequestsPerSecondLimit => 2_000.0,
            _ => return None,
        })
    }

    fn rule_value(&self, key: &RuleKey, m: MetricId, minute: i64, fraction: f64) -> Option<f64> {
        use MetricId::*;
        let inv = self.inv();
        let rule = inv.rule(key)?;
        if !rule.state.is_enabled() {
            return None; // missing → zero
        }
        let jitter = 0.85 + 0.3 * self.noise(&key.name, minute);
        let (matched, invocations, failed) = if rule.is_schedule() {
            let fires = match rule.name.as_str() {
                "hourly-metrics-snapshot" => minute.rem_euclid(60) == 0,
                _ => minute.rem_euclid(1440) == 180,
            };
            let n = if fires && fraction >= 0.5 { 1.0 } else { 0.0 };
            (0.0, n, 0.0)
        } else {
            let base = match rule.name.as_str() {
                "clickstream-capture" => 18_000.0,
                "cloudtrail-api-calls" => 700.0,
                "ec2-state-change" => 200.0,
                "SecurityHubFindingsToFirehose" => 6.0,
                "order-events" => 38_000.0,
                "order-cancelled" => 4_000.0,
                "payment-settled" => 2_400.0,
                "inventory-updates" => 3_100.0,
                "legacy-export" => 90.0,
                _ => 10.0,
            };
            let matched = (base * Self::diurnal(minute) * jitter * fraction).round();
            let failed = match rule.name.as_str() {
                "order-cancelled" => (matched * 0.02 * self.noise("fail", minute)).round(),
                "legacy-export" => matched,
                _ => 0.0,
            };
            (matched, matched, failed)
        };
        let v = match m {
            MatchedEvents => matched,
            TriggeredRules => invocations.max(matched),
            Invocations => invocations,
            FailedInvocations => failed,
            DeadLetterInvocations => 0.0,
            ThrottledRules => 0.0,
            _ => return None,
        };
        // EventBridge only publishes non-zero datapoints.
        (v > 0.0).then_some(v)
    }

    fn log_profile(&self, group: &str) -> Option<LogProfile> {
        let every_ms = match group {
            "/aws/kinesisfirehose/clickstream-raw" => 2_000,
            "/aws/kinesisfirehose/orders-to-s3" => 20_000,
            "/aws/events/order-cancelled" => 5_000,
            "/aws/events/clickstream-capture" => 3_000,
            "/aws/events/legacy-export" => 4_000,
            _ => return None,
        };
        let from = if group.ends_with("clickstream-raw") {
            self.incident
        } else {
            self.incident - Duration::hours(3)
        };
        Some(LogProfile { every_ms, from })
    }

    fn log_message(&self, group: &str, k: i64, ts: DateTime<Utc>) -> String {
        let region = &self.region;
        match group {
            "/aws/kinesisfirehose/clickstream-raw" => format!(
                r#"{{"deliveryStreamARN":"{}","destination":"arn:aws:s3:::acme-clickstream-raw-{region}","deliveryStreamVersionId":7,"message":"Access was denied. Ensure that the trust policy for the provided IAM role allows Firehose to assume the role, and the access policies allow access to the S3 bucket.","errorCode":"S3.AccessDenied"}}"#,
                arn_stream(region, "clickstream-raw")
            ),
            "/aws/kinesisfirehose/orders-to-s3" => {
                if k % 3 == 0 {
                    format!(
                        r#"{{"deliveryStreamARN":"{}","destination":"arn:aws:s3:::acme-orders-lake","deliveryStreamVersionId":12,"message":"Slow down. Amazon S3 is throttling requests to the prefix orders/region=eu-west-1/.","errorCode":"S3.SlowDown"}}"#,
                        arn_stream(region, "orders-to-s3")
                    )
                } else {
                    format!(
                        r#"{{"deliveryStreamARN":"{}","destination":"arn:aws:s3:::acme-orders-lake","deliveryStreamVersionId":12,"message":"Metadata extraction failed: the JQ query returned null for partition key customer_tier.","errorCode":"DynamicPartitioning.MetadataExtractionFailed"}}"#,
                        arn_stream(region, "orders-to-s3")
                    )
                }
            }
            "/aws/events/clickstream-capture" if k % 7 == 0 => {
                // Hostile input: raw terminal escapes (retitle, clear screen, clipboard write)
                // in a log line. fhtop must show them inert.
                format!(
                    "WARN rejected user agent from 203.0.113.{}: curl/8.5 \x1b]0;owned\x07\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u{9b}31m",
                    k % 250
                )
            }
            "/aws/events/clickstream-capture" => {
                let ua = if k % 5 == 0 {
                    "curl/8.5.0"
                } else {
                    "Mozilla/5.0 (X11; Linux x86_64)"
                };
                serde_json::json!({
                    "version": "0", "id": format!("{:08x}-c1ck", mix(k as u64) as u32),
                    "detail-type": "PageView", "source": "web.clickstream",
                    "time": ts.to_rfc3339(), "detail": {"path": "/checkout", "userAgent": ua}
                })
                .to_string()
            }
            "/aws/events/order-cancelled" => serde_json::json!({
                "version": "0", "id": format!("{:08x}-0rd", mix(k as u64) as u32),
                "detail-type": "OrderCancelled", "source": "acme.orders",
                "time": ts.to_rfc3339(), "detail": {"orderId": format!("o-{}", 100_000 + k.rem_euclid(900_000)), "reason": "customer"}
            })
            .to_string(),
            _ => serde_json::json!({
                "detail-type": "ExportRequested", "source": "acme.legacy",
                "time": ts.to_rfc3339(), "detail": {"target": "legacy-archive", "note": "target stream not found"}
            })
            .to_string(),
        }
    }
}

struct LogProfile {
    every_ms: i64,
    from: DateTime<Utc>,
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

    async fn set_rule_enabled(&self, key: &RuleKey, enabled: bool) -> BResult<()> {
        let mut inv = self.inv();
        let rule = inv
            .rules
            .iter_mut()
            .find(|r| r.bus == key.bus && r.name == key.name)
            .ok_or_else(|| {
                BackendError::new(ErrorKind::NotFound, format!("Rule {key} does not exist."))
            })?;
        rule.state = if enabled {
            RuleState::Enabled
        } else {
            RuleState::Disabled
        };
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
                        self.value(q, t.timestamp().div_euclid(60), fraction)
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

const WRITER_POLICY: &str = "firehose_writer";

fn writer_policy_document() -> String {
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
fn demo_role_policies(inv: &Inventory, principal: &str) -> BResult<NamedPolicies> {
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
    let statement = if role_name.starts_with("eventbridge-") {
        serde_json::json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sts:AssumeRole"})
    } else {
        serde_json::json!({"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ACCOUNT}}})
    };
    serde_json::json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

fn target(id: &str, arn: String, role: Option<String>) -> Target {
    Target {
        id: id.to_string(),
        arn,
        role_arn: role,
        dead_letter_arn: None,
        has_input_transformer: false,
    }
}

fn build_inventory(region: &str, incident: DateTime<Utc>) -> Inventory {
    let role = |n: &str| format!("arn:aws:iam::{ACCOUNT}:role/{n}");
    let fh = |n: &str| arn_stream(region, n);
    let buses = vec![
        Bus {
            name: "default".into(),
            arn: format!("arn:aws:events:{region}:{ACCOUNT}:event-bus/default"),
        },
        Bus {
            name: "orders-bus".into(),
            arn: format!("arn:aws:events:{region}:{ACCOUNT}:event-bus/orders-bus"),
        },
    ];
    let rule = |bus: &str,
                name: &str,
                state: RuleState,
                pattern: Option<&str>,
                schedule: Option<&str>,
                targets: Vec<Target>| Rule {
        bus: bus.into(),
        name: name.into(),
        arn: if bus == "default" {
            format!("arn:aws:events:{region}:{ACCOUNT}:rule/{name}")
        } else {
            format!("arn:aws:events:{region}:{ACCOUNT}:rule/{bus}/{name}")
        },
        state,
        description: None,
        event_pattern: pattern.map(str::to_string),
        schedule: schedule.map(str::to_string),
        managed_by: None,
        role_arn: None,
        targets,
    };
    let writer = Some(role("eventbridge-firehose-writer"));
    let mut rules = vec![
        rule(
            "default",
            "clickstream-capture",
            RuleState::Enabled,
            Some(r#"{"source":["web.clickstream"],"detail-type":["PageView","Click"]}"#),
            None,
            vec![target("firehose", fh("clickstream-raw"), writer.clone())],
        ),
        rule(
            "default",
            "cloudtrail-api-calls",
            RuleState::Enabled,
            Some(
                r#"{"source":["aws.iam","aws.sts"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["iam.amazonaws.com","sts.amazonaws.com"]}}"#,
            ),
            None,
            vec![target("audit", fh("audit-trail"), writer.clone())],
        ),
        rule(
            "default",
            "ec2-state-change",
            RuleState::Enabled,
            Some(
                r#"{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["stopped","terminated"]}}"#,
            ),
            None,
            vec![target("audit", fh("audit-trail"), writer.clone())],
        ),
        rule(
            "default",
            "hourly-metrics-snapshot",
            RuleState::Enabled,
            None,
            Some("rate(1 hour)"),
            vec![target("export", fh("metrics-export"), writer.clone())],
        ),
        {
            let mut r = rule(
                "default",
                "SecurityHubFindingsToFirehose",
                RuleState::Enabled,
                Some(
                    r#"{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Imported"]}"#,
                ),
                None,
                vec![target(
                    "findings",
                    fh("security-findings"),
                    Some(role("SecurityHubFirehoseRole")),
                )],
            );
            r.managed_by = Some("securityhub.amazonaws.com".into());
            r.description = Some("Managed by Security Hub. Do not edit.".into());
            r
        },
        rule(
            "default",
            "nightly-cleanup",
            RuleState::Enabled,
            None,
            Some("cron(0 3 * * ? *)"),
            vec![target(
                "lambda",
                format!("arn:aws:lambda:{region}:{ACCOUNT}:function:nightly-cleanup"),
                None,
            )],
        ),
        rule(
            "orders-bus",
            "order-events",
            RuleState::Enabled,
            Some(r#"{"source":["acme.orders"],"detail-type":["OrderPlaced","OrderUpdated"]}"#),
            None,
            vec![target("lake", fh("orders-to-s3"), writer.clone())],
        ),
        rule(
            "orders-bus",
            "order-cancelled",
            RuleState::Enabled,
            Some(r#"{"source":["acme.orders"],"detail-type":["OrderCancelled"]}"#),
            None,
            vec![
                target("lake", fh("orders-to-s3"), writer.clone()),
                target(
                    "log",
                    format!(
                        "arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/events/order-cancelled"
                    ),
                    None,
                ),
            ],
        ),
        rule(
            "orders-bus",
            "payment-settled",
            RuleState::Enabled,
            Some(
                r#"{"source":["acme.payments"],"detail-type":["PaymentSettled"],"detail":{"amount":[{"numeric":[">",0]}]}}"#,
            ),
            None,
            vec![target("archive", fh("payments-archive"), writer.clone())],
        ),
        rule(
            "orders-bus",
            "payment-refunded",
            RuleState::Disabled,
            Some(r#"{"source":["acme.payments"],"detail-type":["PaymentRefunded"]}"#),
            None,
            vec![target("archive", fh("payments-archive"), writer.clone())],
        ),
        rule(
            "orders-bus",
            "inventory-updates",
            RuleState::Enabled,
            Some(r#"{"source":["acme.inventory"],"detail-type":[{"prefix":"Stock"}]}"#),
            None,
            vec![target("dd", fh("datadog-forwarder"), writer.clone())],
        ),
        rule(
            "default",
            "web-clicks-to-kinesis",
            RuleState::Enabled,
            Some(r#"{"source":["web.clickstream"],"detail-type":["Click"]}"#),
            None,
            vec![target(
                "kinesis",
                format!("arn:aws:kinesis:{region}:{ACCOUNT}:stream/web-clicks"),
                Some(role("eventbridge-kinesis-writer")),
            )],
        ),
        rule(
            "orders-bus",
            "legacy-export",
            RuleState::Enabled,
            Some(r#"{"source":["acme.legacy"]}"#),
            None,
            vec![target("old", fh("legacy-archive"), writer.clone())],
        ),
    ];
    for r in &mut rules {
        if let (Some(t), true) = (r.targets.first_mut(), r.name == "order-events") {
            t.dead_letter_arn = Some(format!("arn:aws:sqs:{region}:{ACCOUNT}:order-events-dlq"));
        }
    }

    let s3 = |bucket: &str,
              prefix: &str,
              role_name: &str,
              mb: u32,
              secs: u32,
              compression: &str,
              dp: Option<DynamicPartitioning>,
              log_group: Option<String>| {
        Destination::S3(Box::new(S3Destination {
            bucket_arn: format!("arn:aws:s3:::{bucket}"),
            prefix: Some(prefix.into()),
            error_output_prefix: Some(
                "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/".into(),
            ),
            role_arn: role(role_name),
            buffering_mb: mb,
            buffering_seconds: secs,
            compression: compression.into(),
            kms_key_arn: None,
            dynamic_partitioning: dp,
            log_group,
            log_stream: Some("DestinationDelivery".into()),
        }))
    };
    let lg = |n: &str| Some(format!("/aws/kinesisfirehose/{n}"));
    let stream = |name: &str, source: Source, dest: Destination| Stream {
        name: name.into(),
        arn: fh(name),
        status: "ACTIVE".into(),
        source,
        created: Some(incident - Duration::days(200)),
        failure: None,
        encryption: None,
        destination: dest,
        processors: Vec::new(),
        format_conversion: false,
    };
    let mut streams = vec![
        stream(
            "orders-to-s3",
            Source::DirectPut,
            s3(
                "acme-orders-lake",
                "orders/!{partitionKeyFromQuery:region}/!{partitionKeyFromQuery:customer_tier}/dt=!{timestamp:yyyy-MM-dd}/",
                "firehose-orders-delivery",
                128,
                60,
                "UNCOMPRESSED",
                Some(DynamicPartitioning {
                    enabled: true,
                    jq_query: Some(
                        "{region: .detail.region, customer_tier: .detail.customer.tier}".into(),
                    ),
                    retry_seconds: Some(300),
                }),
                lg("orders-to-s3"),
            ),
        ),
        stream(
            "clickstream-raw",
            Source::DirectPut,
            s3(
                &format!("acme-clickstream-raw-{region}"),
                "raw/dt=!{timestamp:yyyy-MM-dd}/",
                "firehose-clickstream-delivery",
                64,
                300,
                "GZIP",
                None,
                lg("clickstream-raw"),
            ),
        ),
        stream(
            "audit-trail",
            Source::DirectPut,
            s3(
                "acme-audit",
                "audit/",
                "firehose-audit-delivery",
                5,
                300,
                "GZIP",
                None,
                lg("audit-trail"),
            ),
        ),
        stream(
            "payments-archive",
            Source::DirectPut,
            s3(
                "acme-payments-archive",
                "settled/",
                "firehose-payments-delivery",
                32,
                120,
                "Snappy",
                None,
                lg("payments-archive"),
            ),
        ),
        stream(
            "app-logs",
            Source::DirectPut,
            s3(
                "acme-app-logs",
                "logs/",
                "firehose-app-logs-delivery",
                128,
                60,
                "GZIP",
                None,
                lg("app-logs"),
            ),
        ),
        stream(
            "metrics-export",
            Source::DirectPut,
            s3(
                "acme-metrics",
                "snapshots/",
                "firehose-metrics-delivery",
                5,
                900,
                "GZIP",
                None,
                None,
            ),
        ),
        stream(
            "security-findings",
            Source::DirectPut,
            s3(
                "acme-security-findings",
                "findings/",
                "SecurityHubFirehoseRole",
                5,
                300,
                "GZIP",
                None,
                lg("security-findings"),
            ),
        ),
        stream(
            "datadog-forwarder",
            Source::DirectPut,
            Destination::Service(Box::new(ServiceDestination {
                kind: DestinationKind::HttpEndpoint,
                endpoint: "https://aws-kinesis-http-intake.logs.datadoghq.com/v1/input".into(),
                endpoint_name: Some("Datadog".into()),
                role_arn: Some(role("firehose-datadog-delivery")),
                buffering_seconds: Some(60),
                backup_mode: Some("FailedDataOnly".into()),
                backup: match s3(
                    "acme-datadog-backup",
                    "failed/",
                    "firehose-datadog-delivery",
                    5,
                    300,
                    "GZIP",
                    None,
                    None,
                ) {
                    Destination::S3(b) => Some(*b),
                    _ => None,
                },
                log_group: lg("datadog-forwarder"),
                log_stream: Some("DestinationDelivery".into()),
            })),
        ),
        stream(
            "web-clicks-archive",
            Source::KinesisStream {
                stream_arn: format!("arn:aws:kinesis:{region}:{ACCOUNT}:stream/web-clicks"),
                role_arn: Some(role("firehose-web-clicks-source")),
            },
            s3(
                "acme-web-clicks",
                "clicks/",
                "firehose-web-clicks-delivery",
                64,
                120,
                "GZIP",
                None,
                lg("web-clicks-archive"),
            ),
        ),
    ];
    if let Some(Destination::S3(d)) = streams.get_mut(3).map(|s| &mut s.destination) {
        d.kms_key_arn = Some(format!(
            "arn:aws:kms:{region}:{ACCOUNT}:key/5f0c1c1e-2b9a-4c57-9d1e-0a6b3c2d4e5f"
        ));
    }
    if let Some(s) = streams.get_mut(3) {
        s.encryption = Some("CUSTOMER_MANAGED_CMK".into());
    }
    Inventory {
        buses,
        rules,
        streams,
        errors: Vec::new(),
    }
}

fn build_alarms(incident: DateTime<Utc>) -> Vec<Alarm> {
    let alarm = |name: &str,
                 state: AlarmState,
                 ns: &str,
                 metric: &str,
                 dims: &[(&str, &str)],
                 since: DateTime<Utc>,
                 threshold: f64,
                 cmp: &str,
                 reason: &str| Alarm {
        name: name.into(),
        state,
        reason: reason.into(),
        namespace: Some(ns.into()),
        metric: Some(metric.into()),
        dimensions: dims
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        state_updated: since,
        threshold: Some(threshold),
        comparison: Some(cmp.into()),
    };
    let fh = "AWS/Firehose";
    let ev = "AWS/Events";
    vec![
        alarm(
            "clickstream-raw-DataFreshness",
            AlarmState::Alarm,
            fh,
            "DeliveryToS3.DataFreshness",
            &[("DeliveryStreamName", "clickstream-raw")],
            incident + Duration::minutes(12),
            900.0,
            "GreaterThanThreshold",
            "Threshold Crossed: 1 datapoint [1021.0] was greater than the threshold (900.0).",
        ),
        alarm(
            "clickstream-raw-DeliverySuccess",
            AlarmState::Alarm,
            fh,
            "DeliveryToS3.Success",
            &[("DeliveryStreamName", "clickstream-raw")],
            incident + Duration::minutes(6),
            1.0,
            "LessThanThreshold",
            "Threshold Crossed: 5 datapoints were less than the threshold (1.0).",
        ),
        alarm(
            "orders-to-s3-PartitionCount",
            AlarmState::Ok,
            fh,
            "PartitionCount",
            &[("DeliveryStreamName", "orders-to-s3")],
            incident - Duration::minutes(95),
            495.0,
            "GreaterThanOrEqualToThreshold",
            "Threshold Crossed: 3 datapoints [483.0, 471.0, 468.0] were not greater than or equal to the threshold (495.0).",
        ),
        alarm(
            "orders-to-s3-ThrottledRecords",
            AlarmState::Ok,
            fh,
            "ThrottledRecords",
            &[("DeliveryStreamName", "orders-to-s3")],
            incident - Duration::hours(30),
            5000.0,
            "GreaterThanThreshold",
            "Threshold Crossed: 1 datapoint [212.0] was not greater than the threshold (5000.0).",
        ),
        alarm(
            "audit-trail-DeliverySuccess",
            AlarmState::Ok,
            fh,
            "DeliveryToS3.Success",
            &[("DeliveryStreamName", "audit-trail")],
            incident - Duration::days(3),
            1.0,
            "LessThanThreshold",
            "Threshold Crossed: no datapoints were less than the threshold (1.0).",
        ),
        alarm(
            "payments-archive-DataFreshness",
            AlarmState::Ok,
            fh,
            "DeliveryToS3.DataFreshness",
            &[("DeliveryStreamName", "payments-archive")],
            incident - Duration::days(9),
            600.0,
            "GreaterThanThreshold",
            "Threshold Crossed: 1 datapoint [88.0] was not greater than the threshold (600.0).",
        ),
        alarm(
            "metrics-export-IncomingRecords",
            AlarmState::InsufficientData,
            fh,
            "IncomingRecords",
            &[("DeliveryStreamName", "metrics-export")],
            incident - Duration::minutes(47),
            1.0,
            "LessThanThreshold",
            "Insufficient Data: 5 datapoints were unknown.",
        ),
        alarm(
            "order-cancelled-FailedInvocations",
            AlarmState::Alarm,
            ev,
            "FailedInvocations",
            &[
                ("RuleName", "order-cancelled"),
                ("EventBusName", "orders-bus"),
            ],
            incident + Duration::minutes(21),
            10.0,
            "GreaterThanThreshold",
            "Threshold Crossed: 1 datapoint [37.0] was greater than the threshold (10.0).",
        ),
        alarm(
            "clickstream-capture-FailedInvocations",
            AlarmState::Ok,
            ev,
            "FailedInvocations",
            &[("RuleName", "clickstream-capture")],
            incident - Duration::days(1),
            1.0,
            "GreaterThanOrEqualToThreshold",
            "Threshold Crossed: no datapoints were greater than or equal to the threshold (1.0).",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> Clock {
        Clock::Fixed(
            DateTime::parse_from_rfc3339("2026-03-01T12:00:30Z")
                .unwrap()
                .into(),
        )
    }

    #[tokio::test]
    async fn inventory_has_the_promised_shape() {
        let d = DemoBackend::new(7, fixed(), None);
        let inv = d.inventory().await.unwrap();
        assert!(inv.streams.len() >= 6);
        assert!(inv.rules.len() >= 10);
        assert_eq!(inv.buses.len(), 2);
        assert!(inv.rules.iter().any(|r| r.state == RuleState::Disabled));
        assert!(inv.rules.iter().any(|r| r.managed_by.is_some()));
        assert!(inv.rules.iter().any(|r| r.schedule.is_some()));
        let alarms = d.alarms().await.unwrap();
        for s in [
            AlarmState::Ok,
            AlarmState::Alarm,
            AlarmState::InsufficientData,
        ] {
            assert!(alarms.iter().any(|a| a.state == s), "{s:?}");
        }
    }

    #[tokio::test]
    async fn same_seed_same_numbers_other_seed_other_numbers() {
        let q = [MetricQuery {
            scope: Scope::Stream("app-logs".into()),
            metric: MetricId::IncomingRecords,
        }];
        let w = MetricWindow::ending_at(fixed().now(), 60, 60);
        let a = DemoBackend::new(7, fixed(), None)
            .metrics(&q, &w)
            .await
            .unwrap();
        let b = DemoBackend::new(7, fixed(), None)
            .metrics(&q, &w)
            .await
            .unwrap();
        let c = DemoBackend::new(8, fixed(), None)
            .metrics(&q, &w)
            .await
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[tokio::test]
    async fn failing_stream_delivers_nothing_and_freshness_climbs() {
        let d = DemoBackend::new(1, fixed(), None);
        let w = MetricWindow::ending_at(fixed().now(), 180, 60);
        let scope = Scope::Stream("clickstream-raw".into());
        let q: Vec<_> = [
            MetricId::DeliverySuccess(DestinationKind::S3),
            MetricId::DataFreshness(DestinationKind::S3),
            MetricId::DeliveryRecords(DestinationKind::S3),
        ]
        .into_iter()
        .map(|metric| MetricQuery {
            scope: scope.clone(),
            metric,
        })
        .collect();
        let s = d.metrics(&q, &w).await.unwrap();
        assert_eq!(s[0].last().copied().flatten(), Some(0.0));
        assert_eq!(s[0][0], Some(1.0), "before the incident it delivered");
        let fresh: Vec<f64> = s[1].iter().rev().take(10).filter_map(|v| *v).collect();
        assert!(fresh.windows(2).all(|w| w[0] > w[1]), "{fresh:?}");
        assert_eq!(s[2].last().copied().flatten(), Some(0.0));
    }

    #[tokio::test]
    async fn log_events_resume_from_a_timestamp() {
        let d = DemoBackend::new(1, fixed(), None);
        let g = "/aws/kinesisfirehose/clickstream-raw";
        let all = d
            .log_events(g, fixed().now() - Duration::hours(1), 100_000)
            .await
            .unwrap();
        assert!(all.len() > 100);
        assert!(all.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
        let mid = all[all.len() / 2].timestamp;
        let tail = d.log_events(g, mid, 100_000).await.unwrap();
        assert_eq!(tail[0].timestamp, mid);
        assert!(d.log_events("/nope", mid, 10).await.is_err());
    }
}
