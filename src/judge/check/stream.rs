//! The findings of one delivery stream: its health rules, its simulations, its alarm coverage
//! and the delivery errors of its log group.

use super::finding::*;
use super::*;

pub(super) fn stream_findings(
    g: &Gathered,
    inp: &Inputs,
    s: &Stream,
    cli: &Confirm,
    out: &mut Vec<CheckResult>,
) {
    let metrics = inp.metrics;
    let h = stream_health(inp, s).findings;
    let n = s.name.as_str();
    // Inputs carry no metrics only when GetMetricData failed: its own finding says why.
    let no_metrics = || {
        (
            Level::Unknown,
            "metrics not read (GetMetricData failed, see its finding)".to_string(),
        )
    };
    from_health(
        out,
        &h,
        CheckId::StreamStatus,
        n,
        n,
        || (Level::Ok, format!("{}, no failure description", s.status)),
        cli.describe_stream(n),
    );
    let kind = s.destination_kind();
    let (success_metric, success_stat) = match kind {
        // Iceberg's `.Success` counts commits; its failures are its failed rows (a Sum).
        Some(crate::model::DestinationKind::Iceberg) => {
            (crate::model::MetricId::IcebergFailedRows.name(), "Sum")
        }
        Some(k) => (crate::model::MetricId::DeliverySuccess(k).name(), "Average"),
        None => ("DeliveryToS3.Success", "Average"),
    };
    from_health_refined(
        out,
        &h,
        CheckId::Delivery,
        (n, n),
        || match (metrics, kind) {
            (None, _) => no_metrics(),
            // Unreachable: an unknown destination is always a finding; never OK.
            (_, None) => (Level::Unknown, "destination not evaluated".into()),
            (Some(m), Some(k)) => {
                let sc = crate::model::Scope::Stream(n.to_string());
                match m.recent_max(&sc, crate::model::MetricId::DataFreshness(k)) {
                    Some(_) => (
                        Level::Ok,
                        format!(
                            "delivering to {}, freshness within buffer {}",
                            k.label(),
                            fmt_duration(f64::from(s.buffering_seconds().unwrap_or(300)))
                        ),
                    ),
                    // No freshness datapoint: claim only what the data shows.
                    None => (Level::Ok, format!("delivering to {}", k.label())),
                }
            }
        },
        cli.stream_metric(n, success_metric, success_stat),
        |sym| {
            let k = kind?;
            match sym {
                Symptom::Freshness => Some(cli.stream_metric(
                    n,
                    crate::model::MetricId::DataFreshness(k).name(),
                    "Maximum",
                )),
                Symptom::ArrivingNotDelivered => Some(format!(
                    "{} ; {}",
                    cli.stream_metric(n, crate::model::MetricId::incoming(&s.source).name(), "Sum"),
                    cli.stream_metric(n, crate::model::MetricId::DeliveryRecords(k).name(), "Sum")
                )),
                _ => None,
            }
        },
    );
    if !s.processors.is_empty() || s.format_conversion {
        from_health(
            out,
            &h,
            CheckId::Processing,
            n,
            n,
            || match metrics {
                None => no_metrics(),
                Some(m) => {
                    let sc = crate::model::Scope::Stream(n.to_string());
                    let lambda = m
                        .recent_avg(&sc, crate::model::MetricId::ExecuteProcessingSuccess)
                        .is_some();
                    let converting = m
                        .recent_sum(&sc, crate::model::MetricId::SucceedConversionRecords)
                        .is_some();
                    if lambda || converting {
                        (Level::Ok, "record processing succeeding".into())
                    } else {
                        (
                            Level::Unknown,
                            "no processing datapoint recently: not evaluated".into(),
                        )
                    }
                }
            },
            cli.stream_metric(n, "ExecuteProcessing.Success", "Average"),
        );
    }
    match s.log_group() {
        Some(group) => out.push(delivery_errors(g, n, group, cli)),
        // A destination fhtop does not know: its logging options are not known either.
        None if kind.is_none() => {}
        // Nothing is logged: no evidence either way, and the way to get some.
        None => out.push(CheckResult {
            check: CheckId::DeliveryErrors.id(),
            target: n.to_string(),
            status: Level::Unknown,
            summary: "no evidence: error logging is off for this stream — turn it on (the confirm command)".into(),
            details: "Firehose logs delivery and processing errors only to a CloudWatch Logs group its CloudWatchLoggingOptions name; with logging off a failing delivery leaves no error to read.".into(),
            confirm: cli.enable_logging(s),
            pipeline: n.to_string(),
        }),
    }
    if let Some(rep) = sim_for(g, &SimTarget::Stream(n.to_string())) {
        let target = match (s.bucket(), kind) {
            (Some(b), _) => format!("s3://{}", crate::model::bucket_from_arn(&b.bucket_arn)),
            (None, Some(k)) => k.label().to_string(),
            (None, None) => "its destination".into(),
        };
        let mut resources = vec![];
        if let Some(b) = s.bucket() {
            resources = vec![b.bucket_arn.clone(), format!("{}/*", b.bucket_arn)];
        }
        resources.extend(s.lambda_arns().iter().map(|a| a.to_string()));
        let mut actions = vec!["s3:PutObject", "s3:GetBucketLocation", "s3:ListBucket"];
        if !s.lambda_arns().is_empty() {
            actions.extend(iam::LAMBDA_ACTIONS);
        }
        let principal = s.delivery_role().unwrap_or("");
        out.push(CheckResult {
            check: CheckId::BucketAccess.id(),
            target: n.to_string(),
            status: sim_status(rep),
            summary: match rep.verdict() {
                Verdict::Allowed => format!("delivery role may write {target}"),
                // A denial outside S3 (trust, Lambda, KMS, logs) is the role's, not the bucket's.
                Verdict::Denied
                    if !rep.denied_actions().iter().all(|a| a.starts_with("s3:")) =>
                {
                    format!("delivery role: {}", rep.summary())
                }
                _ => format!("{target}: {}", rep.summary()),
            },
            details: sim_details(rep),
            confirm: match s.bucket() {
                Some(b) => format!(
                    "{} && aws s3api get-bucket-policy --bucket {} && aws iam get-role --role-name {}",
                    cli.simulate(principal, &actions, &resources),
                    q(crate::model::bucket_from_arn(&b.bucket_arn)),
                    q(principal.rsplit('/').next().unwrap_or(principal))
                ),
                None => cli.describe_stream(n),
            },
            pipeline: n.to_string(),
        });
    }
    if let Some(rep) = sim_for(g, &SimTarget::Source(n.to_string())) {
        let (principal, source) = match &s.source {
            crate::model::Source::KinesisStream {
                stream_arn,
                role_arn,
            } => (role_arn.as_deref().unwrap_or(""), stream_arn.as_str()),
            crate::model::Source::Msk {
                cluster_arn,
                role_arn,
                ..
            } => (role_arn.as_deref().unwrap_or(""), cluster_arn.as_str()),
            _ => ("", ""),
        };
        out.push(CheckResult {
            check: CheckId::SourceAccess.id(),
            target: n.to_string(),
            status: sim_status(rep),
            summary: match rep.verdict() {
                Verdict::Allowed => format!("source role may read {}", s.source),
                _ => format!("{}: {}", s.source, rep.summary()),
            },
            details: sim_details(rep),
            confirm: match &s.source {
                crate::model::Source::Msk { .. } => cli.simulate(
                    principal,
                    &["kafka-cluster:Connect", "kafka-cluster:ReadData"],
                    &[source.to_string()],
                ),
                _ => cli.simulate(
                    principal,
                    &iam::KINESIS_SOURCE_ACTIONS,
                    &[source.to_string()],
                ),
            },
            pipeline: n.to_string(),
        });
    }
    let linked: Vec<&Alarm> = inp.alarms.iter().filter(|a| a.is_for_stream(n)).collect();
    from_health(
        out,
        &h,
        CheckId::Alarms,
        n,
        n,
        || alarms_ok(g, linked.len()),
        alarm_confirm(cli.region, &linked),
    );
    if s.dynamic_partitioning_enabled() {
        from_health(
            out,
            &h,
            CheckId::Partitions,
            n,
            n,
            || match metrics {
                None => no_metrics(),
                Some(m) => {
                    let sc = crate::model::Scope::Stream(n.to_string());
                    match (
                        m.recent_max(&sc, crate::model::MetricId::PartitionCount),
                        m.recent_max(&sc, crate::model::MetricId::ActivePartitionsLimit),
                    ) {
                        (Some(u), Some(l)) => (Level::Ok, format!("partitions {u:.0}/{l:.0}")),
                        (Some(u), None) => (
                            Level::Ok,
                            format!(
                                "partitions {u:.0}/{:.0} default",
                                crate::judge::health::DEFAULT_ACTIVE_PARTITIONS_LIMIT
                            ),
                        ),
                        _ => (
                            Level::Unknown,
                            "no PartitionCount datapoint recently: not evaluated".into(),
                        ),
                    }
                }
            },
            cli.stream_metric(n, "PartitionCount", "Maximum"),
        );
    }
    // Throttling as the source has it: Direct PUT's ThrottledRecords, a Kinesis source's
    // throttled reads; an MSK source publishes neither, so there is nothing to say OK about.
    let throttle = match &s.source {
        crate::model::Source::DirectPut | crate::model::Source::Other(_) => {
            Some(("no throttled records", "ThrottledRecords"))
        }
        crate::model::Source::KinesisStream { .. } => Some((
            "no throttled reads of the Kinesis source",
            "ThrottledGetRecords",
        )),
        crate::model::Source::Msk { .. } => None,
    };
    if let Some((ok, metric)) = throttle {
        from_health(
            out,
            &h,
            CheckId::Throttling,
            n,
            n,
            || match metrics {
                None => no_metrics(),
                Some(_) => (Level::Ok, ok.into()),
            },
            cli.stream_metric(n, metric, "Sum"),
        );
    }
}

/// `alarm-coverage` for stream `s`: WARN naming each expected alarm that no alarm watches,
/// with the `put-metric-alarm` commands that create them; UNKNOWN when alarms were not read.
pub(super) fn alarm_coverage(g: &Gathered, s: &Stream, cli: &Confirm) -> CheckResult {
    let n = s.name.as_str();
    let cov = match &g.alarms {
        Ok(alarms) => crate::judge::health::coverage::coverage(&g.inv, alarms, s),
        Err(_) => Vec::new(),
    };
    let missing: Vec<&crate::judge::health::coverage::Expected> = cov
        .iter()
        .filter(|c| c.alarms.is_empty())
        .map(|c| &c.expected)
        .collect();
    let (status, summary, details) = match (&g.alarms, missing.is_empty()) {
        (Err(_), _) => (Level::Unknown, "alarms not read".to_string(), String::new()),
        // The delivery alarms, the ones that matter most, cannot be named: never OK.
        (Ok(_), true) if s.destination_kind().is_none() => (
            Level::Unknown,
            "delivery alarms not evaluated: the destination kind is not known".to_string(),
            String::new(),
        ),
        (Ok(_), true) => (
            Level::Ok,
            format!(
                "{} alarm(s) watch {}",
                cov.len(),
                cov.iter()
                    .map(|c| c.expected.catches)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            String::new(),
        ),
        (Ok(_), false) => (
            Level::Warn,
            format!(
                "no alarm on {} ({} of {} expected)",
                missing
                    .iter()
                    .map(|e| e.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                missing.len(),
                cov.len()
            ),
            missing
                .iter()
                .map(|e| e.put_metric_alarm(cli.region))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    };
    CheckResult {
        check: CheckId::AlarmCoverage.id(),
        target: n.to_string(),
        status,
        summary,
        details,
        confirm: missing
            .first()
            .copied()
            .or(cov.first().map(|c| &c.expected))
            .map_or_else(
                || format!("aws cloudwatch describe-alarms --region {}", cli.region),
                |e| e.describe_alarms_for_metric(cli.region),
            ),
        pipeline: n.to_string(),
    }
}

fn delivery_errors(g: &Gathered, stream: &str, group: &str, cli: &Confirm) -> CheckResult {
    let confirm = format!(
        "aws logs filter-log-events --region {} --log-group-name {} --start-time {}",
        cli.region,
        q(group),
        (g.now - Duration::minutes(ERROR_LOOKBACK_MIN)).timestamp_millis()
    );
    let mut f = CheckResult {
        check: CheckId::DeliveryErrors.id(),
        target: stream.to_string(),
        status: Level::Ok,
        summary: format!("no delivery errors in {ERROR_LOOKBACK_MIN} min"),
        details: String::new(),
        confirm,
        pipeline: stream.to_string(),
    };
    match g.logs.get(group) {
        None => {}
        Some(Err(e)) if e.kind == crate::backend::ErrorKind::NotFound => {
            // Nothing could have been logged there: no evidence either way.
            f.status = Level::Unknown;
            f.summary = format!(
                "error log group {group} does not exist: Firehose cannot log delivery errors there"
            );
        }
        Some(Err(e)) => {
            f.status = Level::Unknown;
            f.summary = match e.missing_permission() {
                Some(p) => format!("error log group {group} not read (add {p} to fhtop's role)"),
                None => format!("error log group {group} not read"),
            };
            f.details = e.message.clone();
        }
        Some(Ok(events)) => {
            if let Some(e) = crate::judge::health::error_summary(events, g.now) {
                f.status = e.level;
                f.summary = e.text;
                f.details = e
                    .groups
                    .iter()
                    .map(|(code, n, at, msg)| {
                        format!("{code} ×{n}, newest {}: {msg}", at.format("%H:%M:%S"))
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        }
    }
    f
}
