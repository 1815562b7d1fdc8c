//! The findings, a pure function of what was gathered: the health rules' verdicts per check,
//! the simulations' verdicts, and an OK line saying why a check passed.

use super::*;

/// What the health rules read, from what was gathered.
fn inputs_of(g: &Gathered) -> Inputs<'_> {
    Inputs {
        inv: &g.inv,
        metrics: g.metrics.as_ref().ok(),
        metrics_error: g.metrics.as_ref().err().map(|e| e.message.as_str()),
        alarms: g.alarms.as_deref().unwrap_or(&[]),
        logs: Some(&g.logs),
        now: g.now,
    }
}

/// Since when: the timeline ([`crate::judge::health::timeline`]) of every stream and rule checked that
/// has a WARN or FAIL finding (alarm coverage alone does not count), as (target, events): what
/// changed in the metrics window, for the first question of a post-incident review.
pub fn timelines(
    g: &Gathered,
    findings: &[CheckResult],
) -> Vec<(String, Vec<crate::judge::health::timeline::Event>)> {
    let inputs = inputs_of(g);
    let since = g
        .metrics
        .as_ref()
        .map_or(g.now - chrono::Duration::hours(3), |m| m.window.start);
    let history = g.alarm_history.as_deref().unwrap_or(&[]);
    let failing = |target: &str| {
        findings.iter().any(|f| {
            f.target == target
                && matches!(f.status, Level::Warn | Level::Fail)
                && f.check != CheckId::AlarmCoverage.id()
        })
    };
    let mut out = Vec::new();
    for name in g.scope.streams.iter().filter(|n| failing(n)) {
        if let Some(s) = g.inv.stream(name) {
            out.push((
                name.clone(),
                crate::judge::health::timeline::stream(&inputs, s, history, since),
            ));
        }
    }
    for key in g.scope.rules.iter().filter(|k| failing(&k.to_string())) {
        if let Some(r) = g.inv.rule(key) {
            out.push((
                key.to_string(),
                crate::judge::health::timeline::rule(&inputs, r, history, since),
            ));
        }
    }
    out
}

/// Every check of the selection, one result per (check, target): the findings, pure.
pub fn evaluate(g: &Gathered) -> Vec<CheckResult> {
    let cli = Confirm {
        region: &g.region,
        now: g.now,
        window_minutes: g
            .metrics
            .as_ref()
            .map(|m| (m.window.points as i64 * i64::from(m.window.period_seconds)) / 60)
            .unwrap_or(180),
    };
    let inputs = inputs_of(g);
    let mut out = Vec::new();
    for (kind, name) in &g.scope.missing {
        out.push(CheckResult {
            check: if *kind == "stream" {
                CheckId::StreamStatus.id()
            } else {
                CheckId::RuleState.id()
            },
            target: name.clone(),
            status: Level::Fail,
            summary: format!("{kind} {name} does not exist in {}", g.region),
            details: String::new(),
            confirm: if *kind == "stream" {
                format!("aws firehose list-delivery-streams --region {}", g.region)
            } else {
                format!(
                    "aws events list-rules --region {} --name-prefix {}",
                    g.region,
                    q(name)
                )
            },
            pipeline: name.clone(),
        });
    }
    for e in g.scope.unread.iter().filter_map(|i| g.inv.errors.get(*i)) {
        out.push(unread_finding(g, e, &cli));
    }
    for name in &g.scope.streams {
        if let Some(s) = g.inv.stream(name) {
            stream_findings(g, &inputs, s, &cli, &mut out);
            out.push(alarm_coverage(g, s, &cli));
        }
    }
    for key in &g.scope.rules {
        if let Some(r) = g.inv.rule(key) {
            rule_findings(g, &inputs, r, &cli, &mut out);
        }
    }
    if let Some((_, rep)) = g.sims.iter().find(|(t, _)| *t == SimTarget::WriterPolicy) {
        out.push(CheckResult {
            check: CheckId::WriterPermission.id(),
            target: format!("policy {}", g.writer_policy),
            status: sim_status(rep),
            summary: rep.summary(),
            details: sim_details(rep),
            confirm: format!(
                "aws iam list-policies --scope Local --query 'Policies[?PolicyName==`{}`]'",
                g.writer_policy.replace(['\'', '`'], "")
            ),
            pipeline: "(account)".into(),
        });
    }
    for (rule, res) in &g.samples {
        out.push(match res {
            Ok(rep) if rep.tested > 0 => CheckResult {
                check: CheckId::PatternSamples.id(),
                target: rep.rule.clone(),
                status: if rep.matched == 0 {
                    Level::Warn
                } else {
                    Level::Ok
                },
                summary: rep.summary(),
                details: format!("samples from {}", rep.found_in.join(", ")),
                confirm: format!(
                    "fhtop pattern test --rule {} --event EVENT.json (an event from {})",
                    q(&rep.rule),
                    rep.found_in
                        .first()
                        .map_or("the bus's log groups", String::as_str)
                ),
                pipeline: stream_of(g, rule),
            },
            // Nothing logged and nothing failed to read: nothing to say.
            Ok(rep) if rep.errors.is_empty() => continue,
            Ok(rep) => CheckResult {
                check: CheckId::PatternSamples.id(),
                target: rule.clone(),
                status: Level::Unknown,
                summary: format!("the logged events of bus {} could not be read", rep.bus),
                details: rep.errors.join("\n"),
                confirm: format!(
                    "aws logs filter-log-events --region {} --log-group-name {}",
                    g.region,
                    q(rep.groups.first().map_or("", String::as_str))
                ),
                pipeline: stream_of(g, rule),
            },
            Err(e) => CheckResult {
                check: CheckId::PatternSamples.id(),
                target: rule.clone(),
                status: Level::Unknown,
                summary: format!("not tested against logged events: {e}"),
                details: String::new(),
                confirm: format!("fhtop pattern test --rule {} --event EVENT.json", q(rule)),
                pipeline: stream_of(g, rule),
            },
        });
    }
    if let Err(e) = &g.alarms {
        out.push(read_failure(
            CheckId::Alarms,
            e,
            "the alarm checks are undecided",
            format!("aws cloudwatch describe-alarms --region {}", g.region),
        ));
    }
    // Every metric-based check above said "metrics not read": say once why.
    if let Err(e) = &g.metrics {
        out.push(read_failure(
            CheckId::Delivery,
            e,
            "every metric-based check is undecided",
            format!(
                "aws cloudwatch list-metrics --region {} --namespace AWS/Firehose",
                g.region
            ),
        ));
    }
    out
}

/// The pipeline a rule's finding is grouped under: the first delivery stream it feeds, else
/// the rule itself (`bus/name`).
fn stream_of(g: &Gathered, rule: &str) -> String {
    rule.rsplit_once('/')
        .and_then(|(bus, name)| {
            g.inv.rule(&RuleKey {
                bus: bus.into(),
                name: name.into(),
            })
        })
        .and_then(|r| r.targets.iter().find_map(|t| t.firehose_stream_name()))
        .map_or_else(|| rule.to_string(), str::to_string)
}

/// An account-wide read that failed, as its own UNKNOWN finding: the operation, the error and
/// the permission to add (when it was denied), and what is therefore undecided.
fn read_failure(check: CheckId, e: &BackendError, undecided: &str, confirm: String) -> CheckResult {
    let op = e.op.map_or("a read", |o| o.name());
    CheckResult {
        check: check.id(),
        target: "(account)".into(),
        status: Level::Unknown,
        summary: match e.missing_permission() {
            Some(p) => format!("{op} denied (add {p} to fhtop's role): {undecided}"),
            None => format!("{op} failed: {undecided}"),
        },
        details: e.message.clone(),
        confirm,
        pipeline: "(account)".into(),
    }
}

/// A part of the inventory that could not be read, as an UNKNOWN finding saying what was
/// therefore not checked.
fn unread_finding(g: &Gathered, e: &InventoryError, cli: &Confirm) -> CheckResult {
    let r = &g.region;
    let (check, summary, confirm) = match e.kind {
        "stream" => (
            CheckId::StreamStatus,
            format!("could not describe stream {}: not checked", e.name),
            cli.describe_stream(&e.name),
        ),
        "streams" => (
            CheckId::StreamStatus,
            "could not list delivery streams: no stream checked".to_string(),
            format!("aws firehose list-delivery-streams --region {r}"),
        ),
        "bus" => (
            CheckId::RuleState,
            format!(
                "could not list the rules of bus {}: they are not checked",
                e.name
            ),
            format!(
                "aws events list-rules --region {r} --event-bus-name {}",
                q(&e.name)
            ),
        ),
        "buses" => (
            CheckId::RuleState,
            "could not list event buses: only the default bus was checked".to_string(),
            format!("aws events list-event-buses --region {r}"),
        ),
        _ => (
            CheckId::RuleState,
            format!("could not read the targets of rule {}: not checked", e.name),
            match e.name.rsplit_once('/') {
                Some((bus, rule)) => format!(
                    "aws events list-targets-by-rule --region {r} --event-bus-name {} --rule {}",
                    q(bus),
                    q(rule)
                ),
                None => format!("aws events list-rules --region {r}"),
            },
        ),
    };
    CheckResult {
        check: check.id(),
        target: e.label(),
        status: Level::Unknown,
        summary: match e.missing_permission {
            Some(p) => format!("{summary} (add {p} to fhtop's role)"),
            None => summary,
        },
        details: e.message.clone(),
        confirm,
        pipeline: e.name.clone(),
    }
}

fn sim_status(r: &Report) -> Level {
    match r.verdict() {
        Verdict::Allowed => Level::Ok,
        Verdict::Denied => Level::Fail,
        Verdict::Undetermined | Verdict::Error => Level::Unknown,
    }
}

fn sim_details(r: &Report) -> String {
    let mut d = if r.principal.is_empty() {
        vec![]
    } else {
        vec![format!("principal {} · engine {}", r.principal, r.engine)]
    };
    d.extend(r.fixes.iter().cloned());
    d.join("\n")
}

/// The health findings of `check`, or one OK/UNKNOWN line saying why it passed.
fn from_health(
    out: &mut Vec<CheckResult>,
    health: &[crate::judge::health::Finding],
    check: CheckId,
    target: &str,
    pipeline: &str,
    ok: impl FnOnce() -> (Level, String),
    confirm: String,
) {
    from_health_refined(out, health, check, (target, pipeline), ok, confirm, |_| {
        None
    });
}

/// [`from_health`], with a confirming command per symptom where the check's one does not
/// confirm that finding (e.g. freshness is confirmed by DataFreshness, not Success).
fn from_health_refined(
    out: &mut Vec<CheckResult>,
    health: &[crate::judge::health::Finding],
    check: CheckId,
    (target, pipeline): (&str, &str),
    ok: impl FnOnce() -> (Level, String),
    confirm: String,
    refine: impl Fn(Symptom) -> Option<String>,
) {
    let mut any = false;
    for f in health.iter().filter(|f| f.check == check) {
        any = true;
        out.push(CheckResult {
            check: check.id(),
            target: target.to_string(),
            status: f.level,
            summary: f.text.clone(),
            details: String::new(),
            confirm: refine(f.symptom).unwrap_or_else(|| confirm.clone()),
            pipeline: pipeline.to_string(),
        });
    }
    if !any {
        let (status, summary) = ok();
        out.push(CheckResult {
            check: check.id(),
            target: target.to_string(),
            status,
            summary,
            details: String::new(),
            confirm,
            pipeline: pipeline.to_string(),
        });
    }
}

fn stream_findings(
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
    let success_metric = kind
        .map(|k| crate::model::MetricId::DeliverySuccess(k).name())
        .unwrap_or("DeliveryToS3.Success");
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
        cli.stream_metric(n, success_metric, "Average"),
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
    if let Some(group) = s.log_group() {
        out.push(delivery_errors(g, n, group, cli));
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
fn alarm_coverage(g: &Gathered, s: &Stream, cli: &Confirm) -> CheckResult {
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

fn sim_for<'a>(g: &'a Gathered, t: &SimTarget) -> Option<&'a Report> {
    g.sims.iter().find(|(x, _)| x == t).map(|(_, r)| r)
}

fn alarms_ok(g: &Gathered, linked: usize) -> (Level, String) {
    match &g.alarms {
        Err(_) => (Level::Unknown, "alarms not read".into()),
        Ok(_) if linked == 0 => (Level::Ok, "no linked alarm".into()),
        Ok(_) => (Level::Ok, format!("{linked} linked alarm(s) OK")),
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

fn rule_findings(g: &Gathered, inp: &Inputs, r: &Rule, cli: &Confirm, out: &mut Vec<CheckResult>) {
    let key = r.key();
    let target = key.to_string();
    let pipeline = streams_fed(&g.inv, r)
        .first()
        .map(|s| s.name.as_str())
        .or_else(|| r.targets.iter().find_map(|t| t.firehose_stream_name()))
        .unwrap_or(&r.name)
        .to_string();
    let health = rule_health(inp, r);
    let not_triggering = health.has(Symptom::NotTriggering);
    let h = health.findings;
    let describe = format!(
        "aws events describe-rule --region {} --name {} --event-bus-name {}",
        cli.region,
        q(&r.name),
        q(&r.bus)
    );
    let confirm = if not_triggering {
        let mut dims = vec![("RuleName", r.name.as_str())];
        if r.bus != "default" {
            dims.push(("EventBusName", r.bus.as_str()));
        }
        cli.metric("AWS/Events", "MatchedEvents", &dims, "Sum")
    } else {
        describe
    };
    from_health(
        out,
        &h,
        CheckId::RuleState,
        &target,
        &pipeline,
        || {
            (
                Level::Ok,
                format!("{}, pattern parses, triggering", r.state.as_str()),
            )
        },
        confirm,
    );
    let linked: Vec<&Alarm> = inp.alarms.iter().filter(|a| a.is_for_rule(&key)).collect();
    from_health(
        out,
        &h,
        CheckId::Alarms,
        &target,
        &pipeline,
        || alarms_ok(g, linked.len()),
        alarm_confirm(cli.region, &linked),
    );
    for (_, rep) in g
        .sims
        .iter()
        .filter(|(t, _)| *t == SimTarget::Rule(key.clone()))
    {
        let resources = r.firehose_target_arns();
        let kinesis = resources.is_empty();
        out.push(CheckResult {
            check: CheckId::WriterPermission.id(),
            target: target.clone(),
            status: sim_status(rep),
            summary: match (rep.verdict(), kinesis) {
                (Verdict::Allowed, false) => {
                    "target role may call PutRecord and PutRecordBatch, EventBridge may assume it"
                        .into()
                }
                (Verdict::Allowed, true) => {
                    "target role may call kinesis:PutRecord and PutRecords, EventBridge may assume it"
                        .into()
                }
                _ => rep.summary(),
            },
            details: sim_details(rep),
            confirm: if rep.principal.is_empty() {
                describe_targets(cli.region, r)
            } else if kinesis {
                cli.simulate(
                    &rep.principal,
                    &iam::KINESIS_PUT_ACTIONS,
                    &r.targets.iter().map(|t| t.arn.clone()).collect::<Vec<_>>(),
                )
            } else {
                cli.simulate(&rep.principal, &iam::FIREHOSE_PUT_ACTIONS, &resources)
            },
            pipeline: pipeline.clone(),
        });
    }
}
