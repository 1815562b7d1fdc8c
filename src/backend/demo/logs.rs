//! The demo account's log events: Firehose error logs and rule logs, deterministic, with a
//! hostile line in them on purpose.

use super::*;

/// How a demo log group fills: one event every `every_ms` from `from` on.
pub(super) struct LogProfile {
    pub(super) every_ms: i64,
    pub(super) from: DateTime<Utc>,
}

impl DemoBackend {
    pub(super) fn log_profile(&self, group: &str) -> Option<LogProfile> {
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

    pub(super) fn log_message(&self, group: &str, k: i64, ts: DateTime<Utc>) -> String {
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
