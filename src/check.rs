//! `fhtop check`: the on-call runbook (`../shared/seed/firehose-eventbridge-runbook.md`) as one
//! command, for every pipeline or the ones named. The same findings back the TUI's health marks
//! (`health.rs`) and its Checks overlay (`c`).
//!
//! [`gather`] reads what the checks need from the backend, concurrently and with the backend's
//! batching (one inventory walk, GetMetricData 500 metrics a call, one DescribeAlarms walk,
//! the error log groups, the permission simulations); [`evaluate`] is a pure function of that.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::backend::{BResult, Backend};
use crate::health::{
    CheckId, ERROR_LOOKBACK_MIN, ERRORS_RECENT_MIN, Inputs, Level, Symptom, rule_health,
    stream_health,
};
use crate::iam::{self, Report, SimRequest, Tone, Verdict};
use crate::model::{Alarm, AlarmState, Inventory, LogEvent, Metrics, Rule, RuleKey, Stream};
use crate::text::fmt_duration;

/// One finding: `{"check","target","status","summary","details","confirm"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub target: String,
    pub status: Level,
    pub summary: String,
    pub details: String,
    /// The AWS CLI command a human would run to confirm it, names filled in.
    pub confirm: String,
    /// The pipeline it belongs to (its stream's name, or the account).
    #[serde(skip)]
    pub pipeline: String,
}

/// Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
pub fn exit_code(findings: &[Finding]) -> u8 {
    match findings.iter().map(|f| f.status).max() {
        Some(Level::Fail) => 2,
        Some(Level::Warn) => 1,
        Some(Level::Unknown) => 3,
        _ => 0,
    }
}

/// What to check: streams and rules by name (`bus/name` or a name on any bus). Empty = every
/// pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub streams: Vec<String>,
    pub rules: Vec<String>,
}

/// The resolved selection: streams (existing) and rules (with a Firehose target) to check, and
/// names asked for that do not exist.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub streams: BTreeSet<String>,
    pub rules: BTreeSet<RuleKey>,
    pub missing: Vec<(&'static str, String)>,
}

fn rule_matches(r: &Rule, name: &str) -> bool {
    r.name == name || format!("{}/{}", r.bus, r.name) == name
}

/// The delivery streams a rule feeds: its Firehose targets, and the streams reading its
/// Kinesis targets.
fn streams_fed<'a>(inv: &'a Inventory, r: &Rule) -> Vec<&'a Stream> {
    let mut v = Vec::new();
    for t in &r.targets {
        match t.firehose_stream_name() {
            Some(n) => v.extend(inv.stream(n)),
            None => v.extend(inv.streams_reading(&t.arn)),
        }
    }
    v
}

fn feeds_firehose(inv: &Inventory, r: &Rule) -> bool {
    r.targets.iter().any(|t| t.firehose_stream_name().is_some()) || !streams_fed(inv, r).is_empty()
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty() && self.rules.is_empty()
    }

    pub fn resolve(&self, inv: &Inventory) -> Scope {
        let mut sc = Scope::default();
        if self.is_empty() {
            sc.streams = inv.streams.iter().map(|s| s.name.clone()).collect();
            sc.rules = inv
                .rules
                .iter()
                .filter(|r| feeds_firehose(inv, r))
                .map(Rule::key)
                .collect();
            return sc;
        }
        for name in &self.streams {
            match inv.stream(name) {
                Some(s) => {
                    sc.streams.insert(s.name.clone());
                    sc.rules
                        .extend(inv.rules_feeding(&s.name).into_iter().map(Rule::key));
                }
                None => sc.missing.push(("stream", name.clone())),
            }
        }
        for name in &self.rules {
            let found: Vec<&Rule> = inv.rules.iter().filter(|r| rule_matches(r, name)).collect();
            if found.is_empty() {
                sc.missing.push(("rule", name.clone()));
            }
            for r in found {
                sc.rules.insert(r.key());
                for s in streams_fed(inv, r) {
                    sc.streams.insert(s.name.clone());
                }
            }
        }
        sc
    }
}

/// Everything the checks read, fetched once.
pub struct Gathered {
    pub account: String,
    pub region: String,
    pub now: DateTime<Utc>,
    pub inv: Inventory,
    pub scope: Scope,
    pub metrics: BResult<Metrics>,
    pub alarms: BResult<Vec<Alarm>>,
    /// Error log group → its events of the last hour.
    pub logs: HashMap<String, BResult<Vec<LogEvent>>>,
    /// Simulations with the target they are about.
    pub sims: Vec<(SimTarget, Report)>,
    pub writer_policy: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimTarget {
    /// The stream's delivery role.
    Stream(String),
    /// The stream's source role (Kinesis data stream, MSK).
    Source(String),
    Rule(RuleKey),
    WriterPolicy,
}

/// Read what the checks need, concurrently. Fails only when the inventory cannot be read.
pub async fn gather(
    backend: &dyn Backend,
    sel: &Selection,
    window_minutes: u32,
    writer_policy: &str,
    now: DateTime<Utc>,
) -> BResult<Gathered> {
    let (identity, inv) = tokio::join!(backend.identity(), backend.inventory());
    let identity = identity?;
    let inv = inv?;
    let scope = sel.resolve(&inv);
    let mut sims: Vec<(SimTarget, SimRequest)> = Vec::new();
    for name in &scope.streams {
        if let Some(req) = inv.stream(name).and_then(iam::stream_request) {
            sims.push((SimTarget::Stream(name.clone()), req));
        }
        if let Some(req) = inv.stream(name).and_then(iam::source_request) {
            sims.push((SimTarget::Source(name.clone()), req));
        }
    }
    for key in &scope.rules {
        if let Some(r) = inv.rule(key) {
            sims.extend(
                iam::rule_requests(r)
                    .into_iter()
                    .map(|q| (SimTarget::Rule(key.clone()), q)),
            );
        }
    }
    if !writer_policy.is_empty() {
        let streams = scope
            .streams
            .iter()
            .filter_map(|n| inv.stream(n).map(|s| s.arn.clone()))
            .collect();
        sims.push((
            SimTarget::WriterPolicy,
            iam::writer_request(writer_policy, streams),
        ));
    }
    let groups: Vec<String> = scope
        .streams
        .iter()
        .filter_map(|n| inv.stream(n).and_then(Stream::log_group))
        .map(str::to_string)
        .collect();
    let since = now - Duration::minutes(ERROR_LOOKBACK_MIN);
    let reqs: Vec<SimRequest> = sims.iter().map(|(_, q)| q.clone()).collect();
    let (metrics, alarms, logs, reports) = tokio::join!(
        crate::poll::fetch_metrics(backend, &inv, now, window_minutes),
        backend.alarms(),
        futures_util::future::join_all(groups.iter().map(|g| backend.log_events(g, since, 1000))),
        iam::run_all(backend, &reqs),
    );
    Ok(Gathered {
        account: identity.account,
        region: identity.region,
        now,
        scope,
        metrics,
        alarms,
        logs: groups.into_iter().zip(logs).collect(),
        sims: sims.into_iter().map(|(t, _)| t).zip(reports).collect(),
        writer_policy: writer_policy.to_string(),
        inv,
    })
}

fn q(s: &str) -> String {
    shlex::try_quote(s)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| "'?'".into())
}

struct Cli<'a> {
    region: &'a str,
    now: DateTime<Utc>,
    window_minutes: i64,
}

impl Cli<'_> {
    fn metric(&self, ns: &str, metric: &str, dims: &[(&str, &str)], stat: &str) -> String {
        let dims: Vec<String> = dims
            .iter()
            .map(|(k, v)| format!("Name={k},Value={}", q(v)))
            .collect();
        format!(
            "aws cloudwatch get-metric-statistics --region {} --namespace {ns} --metric-name {metric} --dimensions {} --statistics {stat} --period 300 --start-time {} --end-time {}",
            self.region,
            dims.join(" "),
            (self.now - Duration::minutes(self.window_minutes)).format("%Y-%m-%dT%H:%M:%SZ"),
            self.now.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
    fn stream_metric(&self, s: &str, metric: &str, stat: &str) -> String {
        self.metric("AWS/Firehose", metric, &[("DeliveryStreamName", s)], stat)
    }
    fn describe_stream(&self, s: &str) -> String {
        format!(
            "aws firehose describe-delivery-stream --region {} --delivery-stream-name {} --query 'DeliveryStreamDescription.{{Status:DeliveryStreamStatus,Failure:FailureDescription,Encryption:DeliveryStreamEncryptionConfiguration}}'",
            self.region,
            q(s)
        )
    }
    fn simulate(&self, principal: &str, actions: &[&str], resources: &[String]) -> String {
        let res: Vec<String> = resources.iter().map(|r| q(r)).collect();
        format!(
            "aws iam simulate-principal-policy --policy-source-arn {} --action-names {} --resource-arns {}",
            q(principal),
            actions.join(" "),
            res.join(" ")
        )
    }
}

/// The findings for the selection, pure.
pub fn evaluate(g: &Gathered) -> Vec<Finding> {
    let cli = Cli {
        region: &g.region,
        now: g.now,
        window_minutes: g
            .metrics
            .as_ref()
            .map(|m| (m.window.points as i64 * i64::from(m.window.period_seconds)) / 60)
            .unwrap_or(180),
    };
    let inputs = Inputs {
        inv: &g.inv,
        metrics: g.metrics.as_ref().ok(),
        alarms: g.alarms.as_deref().unwrap_or(&[]),
        logs: Some(&g.logs),
        now: g.now,
    };
    let mut out = Vec::new();
    for (kind, name) in &g.scope.missing {
        out.push(Finding {
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
    for name in &g.scope.streams {
        if let Some(s) = g.inv.stream(name) {
            stream_findings(g, &inputs, s, &cli, &mut out);
        }
    }
    for key in &g.scope.rules {
        if let Some(r) = g.inv.rule(key) {
            rule_findings(g, &inputs, r, &cli, &mut out);
        }
    }
    if let Some((_, rep)) = g.sims.iter().find(|(t, _)| *t == SimTarget::WriterPolicy) {
        out.push(Finding {
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
    if let Err(e) = &g.alarms {
        out.push(Finding {
            check: CheckId::Alarms.id(),
            target: "(account)".into(),
            status: Level::Unknown,
            summary: "alarms could not be read".into(),
            details: e.message.clone(),
            confirm: format!("aws cloudwatch describe-alarms --region {}", g.region),
            pipeline: "(account)".into(),
        });
    }
    out
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
    out: &mut Vec<Finding>,
    health: &[crate::health::Finding],
    check: CheckId,
    target: &str,
    pipeline: &str,
    ok: impl FnOnce() -> (Level, String),
    confirm: String,
) {
    let mut any = false;
    for f in health.iter().filter(|f| f.check == check) {
        any = true;
        out.push(Finding {
            check: check.id(),
            target: target.to_string(),
            status: f.level,
            summary: f.text.clone(),
            details: String::new(),
            confirm: confirm.clone(),
            pipeline: pipeline.to_string(),
        });
    }
    if !any {
        let (status, summary) = ok();
        out.push(Finding {
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

fn alarm_confirm(region: &str, linked: &[&Alarm]) -> String {
    let names: Vec<String> = linked
        .iter()
        .filter(|a| a.state != AlarmState::Ok)
        .map(|a| q(&a.name))
        .collect();
    if names.is_empty() {
        format!("aws cloudwatch describe-alarms --region {region} --state-value ALARM")
    } else {
        format!(
            "aws cloudwatch describe-alarms --region {region} --alarm-names {}",
            names.join(" ")
        )
    }
}

fn stream_findings(g: &Gathered, inp: &Inputs, s: &Stream, cli: &Cli, out: &mut Vec<Finding>) {
    let metrics = inp.metrics;
    let h = stream_health(inp, s).findings;
    let n = s.name.as_str();
    let no_metrics = || (Level::Unknown, "no metrics".to_string());
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
    from_health(
        out,
        &h,
        CheckId::Delivery,
        n,
        n,
        || match (metrics, kind) {
            (None, _) => no_metrics(),
            // Unreachable: an unknown destination is always a finding; never OK.
            (_, None) => (Level::Unknown, "destination not evaluated".into()),
            (Some(_), Some(k)) => (
                Level::Ok,
                format!(
                    "delivering to {}, freshness within buffer {}",
                    k.label(),
                    fmt_duration(f64::from(s.buffering_seconds().unwrap_or(300)))
                ),
            ),
        },
        cli.stream_metric(n, success_metric, "Average"),
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
                Some(_) => (Level::Ok, "record processing succeeding".into()),
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
        out.push(Finding {
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
        out.push(Finding {
            check: CheckId::SourceAccess.id(),
            target: n.to_string(),
            status: sim_status(rep),
            summary: match rep.verdict() {
                Verdict::Allowed => format!("source role may read {}", s.source),
                _ => format!("{}: {}", s.source, rep.summary()),
            },
            details: sim_details(rep),
            confirm: cli.simulate(
                principal,
                &iam::KINESIS_SOURCE_ACTIONS,
                &[source.to_string()],
            ),
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
                                crate::health::DEFAULT_ACTIVE_PARTITIONS_LIMIT
                            ),
                        ),
                        _ => (Level::Ok, "no partition count reported".into()),
                    }
                }
            },
            cli.stream_metric(n, "PartitionCount", "Maximum"),
        );
    }
    from_health(
        out,
        &h,
        CheckId::Throttling,
        n,
        n,
        || match metrics {
            None => no_metrics(),
            Some(_) => (Level::Ok, "no throttled records".into()),
        },
        cli.stream_metric(n, "ThrottledRecords", "Sum"),
    );
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

fn delivery_errors(g: &Gathered, stream: &str, group: &str, cli: &Cli) -> Finding {
    let confirm = format!(
        "aws logs filter-log-events --region {} --log-group-name {} --start-time {}",
        cli.region,
        q(group),
        (g.now - Duration::minutes(ERROR_LOOKBACK_MIN)).timestamp_millis()
    );
    let mut f = Finding {
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
            f.summary = format!("error log group {group} does not exist (no errors logged yet)");
        }
        Some(Err(e)) => {
            f.status = Level::Unknown;
            f.summary = format!("error log group {group} not read");
            f.details = e.message.clone();
        }
        Some(Ok(events)) => {
            let groups = crate::model::group_errors(events);
            if let Some(newest) = groups.iter().map(|(_, _, at, _)| *at).max() {
                f.status = if g.now - newest <= Duration::minutes(ERRORS_RECENT_MIN) {
                    Level::Fail
                } else {
                    Level::Warn
                };
                let parts: Vec<String> = groups
                    .iter()
                    .map(|(code, n, _, _)| format!("{code} ×{n}"))
                    .collect();
                f.summary = format!(
                    "{} (newest {} ago)",
                    parts.join(", "),
                    fmt_duration((g.now - newest).num_seconds() as f64)
                );
                f.details = groups
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

fn rule_findings(g: &Gathered, inp: &Inputs, r: &Rule, cli: &Cli, out: &mut Vec<Finding>) {
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
        out.push(Finding {
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

fn describe_targets(region: &str, r: &Rule) -> String {
    format!(
        "aws events list-targets-by-rule --region {region} --rule {} --event-bus-name {}",
        q(&r.name),
        q(&r.bus)
    )
}

/// Findings grouped by pipeline, the worst pipeline first, worst finding first within it.
pub fn grouped(findings: &[Finding]) -> Vec<(String, Level, Vec<&Finding>)> {
    let mut by: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by.entry(f.pipeline.as_str()).or_default().push(f);
    }
    let mut out: Vec<(String, Level, Vec<&Finding>)> = by
        .into_iter()
        .map(|(p, mut fs)| {
            fs.sort_by_key(|f| std::cmp::Reverse(f.status));
            let worst = fs.iter().map(|f| f.status).max().unwrap_or(Level::Ok);
            (p.to_string(), worst, fs)
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The human report (untrusted text: the caller sanitizes each line). `all` also lists the
/// checks that passed; otherwise a healthy pipeline is one line.
pub fn human_lines(findings: &[Finding], all: bool) -> Vec<(Tone, String)> {
    let mut out = Vec::new();
    for (pipeline, worst, fs) in grouped(findings) {
        let ok = fs.iter().filter(|f| f.status == Level::Ok).count();
        out.push((
            Tone::Heading(worst),
            format!(
                "{} {} {pipeline}  ({} check{}, {ok} OK)",
                worst.mark(),
                worst.name(),
                fs.len(),
                if fs.len() == 1 { "" } else { "s" }
            ),
        ));
        for f in fs {
            if f.status == Level::Ok && !all {
                continue;
            }
            out.push((
                Tone::Row(f.status),
                format!(
                    "  {:<7} {:<17} {:<28} {}",
                    f.status.name(),
                    f.check,
                    crate::text::fit(&f.target, 28),
                    f.summary
                ),
            ));
            if f.status != Level::Ok {
                for d in f.details.lines().filter(|l| !l.is_empty()) {
                    out.push((Tone::Note, format!("          {d}")));
                }
                out.push((Tone::Code, format!("          confirm: {}", f.confirm)));
            }
        }
    }
    out
}

/// The TUI overlay's lines: the tally, then every finding.
pub fn overlay_lines(findings: &[Finding]) -> Vec<(Tone, String)> {
    let mut lines = vec![(Tone::Field, tally(findings)), (Tone::Note, String::new())];
    lines.extend(human_lines(findings, true));
    lines
}

/// "12 pipelines · 80 checks: 3 FAIL, 2 WARN, 75 OK".
pub fn tally(findings: &[Finding]) -> String {
    let pipelines = findings
        .iter()
        .map(|f| f.pipeline.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let parts: Vec<String> = [Level::Fail, Level::Warn, Level::Unknown, Level::Ok]
        .iter()
        .map(|s| (s, findings.iter().filter(|f| f.status == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.name()))
        .collect();
    format!(
        "{pipelines} pipeline{} · {} checks: {}",
        if pipelines == 1 { "" } else { "s" },
        findings.len(),
        parts.join(", ")
    )
}
