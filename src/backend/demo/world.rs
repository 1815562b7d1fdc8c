//! The demo account's resources: buses, rules, streams (S3, an HTTP endpoint, a
//! Kinesis-sourced one, a partitioned one) and alarms, around a running incident.

use super::*;

fn target(id: &str, arn: String, role: Option<String>) -> Target {
    Target {
        id: id.to_string(),
        arn,
        role_arn: role,
        dead_letter_arn: None,
        has_input_transformer: false,
        input_path: None,
        input: None,
        max_event_age_seconds: None,
        max_retry_attempts: None,
    }
}

pub(super) fn build_inventory(region: &str, incident: DateTime<Utc>) -> Inventory {
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
                // Its failed events go to a dead-letter queue (recoverable), not nowhere.
                Target {
                    dead_letter_arn: Some(format!(
                        "arn:aws:sqs:{region}:{ACCOUNT}:order-cancelled-dlq"
                    )),
                    ..target("lake", fh("orders-to-s3"), writer.clone())
                },
                target(
                    "log",
                    format!(
                        "arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/events/order-cancelled"
                    ),
                    None,
                ),
            ],
        ),
        // A trap for the pattern tester (`m`): "ordercancelled" where the events say
        // "OrderCancelled" — it matches nothing, and the events order-cancelled logs show why.
        rule(
            "orders-bus",
            "cancellation-audit",
            RuleState::Enabled,
            Some(r#"{"source":["acme.orders"],"detail-type":["ordercancelled"]}"#),
            None,
            vec![target("audit", fh("audit-trail"), writer.clone())],
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
            custom_time_zone: None,
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
        last_update: Some(incident - Duration::days(200)),
        version_id: Some("1".into()),
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
    // What changed just before the incident: an UpdateDestination on the failing stream.
    if let Some(s) = streams.iter_mut().find(|s| s.name == "clickstream-raw") {
        s.last_update = Some(incident - Duration::minutes(3));
        s.version_id = Some("7".into());
    }
    Inventory {
        buses,
        rules: rules.into_iter().map(std::sync::Arc::new).collect(),
        streams: streams.into_iter().map(std::sync::Arc::new).collect(),
        errors: Vec::new(),
    }
}

pub(super) fn build_alarms(incident: DateTime<Utc>) -> Vec<Alarm> {
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
