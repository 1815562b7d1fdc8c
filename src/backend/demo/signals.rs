//! The demo account's metrics: traffic per stream and rule, a pure function of (seed, time),
//! with the incident's shape in it.

use super::*;

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
pub(super) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub(super) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

impl DemoBackend {
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

    pub(super) fn value(&self, q: &MetricQuery, minute: i64, fraction: f64) -> Option<f64> {
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
                // The pattern trap: detail-type in the wrong case matches nothing.
                "cancellation-audit" => 0.0,
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
            // A target with a dead-letter queue: every failed event goes there.
            InvocationsSentToDlq if rule.has_dead_letter_queue() => failed,
            InvocationsFailedToBeSentToDlq => 0.0,
            // Failing targets are retried before they fail for good.
            RetryInvocationAttempts => failed * 3.0,
            _ => return None,
        };
        // EventBridge only publishes non-zero datapoints.
        (v > 0.0).then_some(v)
    }
}
