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
use crate::health::{CheckId, Level, fmt_duration, rule_health, stream_health};
use crate::iam::{self, Report, SimRequest, Tone, Verdict};
use crate::model::{Alarm, AlarmState, Inventory, LogEvent, Metrics, Rule, RuleKey, Stream};

/// How far back the error log groups are read.
pub const ERROR_LOOKBACK_MIN: i64 = 60;
/// Error events newer than this make delivery-errors FAIL; older ones WARN.
const ERRORS_RECENT_MIN: i64 = 15;

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

fn feeds_firehose(r: &Rule) -> bool {
    r.targets.iter().any(|t| t.firehose_stream_name().is_some())
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
                .filter(|r| feeds_firehose(r))
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
                for t in &r.targets {
                    if let Some(s) = t.firehose_stream_name().and_then(|n| inv.stream(n)) {
                        sc.streams.insert(s.name.clone());
                    }
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
    Stream(String),
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
    let metrics = g.metrics.as_ref().ok();
    let alarms: &[Alarm] = g.alarms.as_deref().unwrap_or(&[]);
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
            stream_findings(g, s, metrics, alarms, &cli, &mut out);
        }
    }
    for key in &g.scope.rules {
        if let Some(r) = g.inv.rule(key) {
            rule_findings(g, r, metrics, alarms, &cli, &mut out);
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
    let mut d = vec![format!("principal {} · engine {}", r.principal, r.engine)];
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

fn stream_findings(
    g: &Gathered,
    s: &Stream,
    metrics: Option<&Metrics>,
    alarms: &[Alarm],
    cli: &Cli,
    out: &mut Vec<Finding>,
) {
    let h = stream_health(s, metrics, alarms).findings;
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
    if let Some(d) = s.s3() {
        from_health(
            out,
            &h,
            CheckId::Delivery,
            n,
            n,
            || match metrics {
                None => no_metrics(),
                Some(_) => (
                    Level::Ok,
                    format!(
                        "delivering to S3, freshness within buffer {}",
                        fmt_duration(f64::from(d.buffering_seconds))
                    ),
                ),
            },
            cli.stream_metric(n, "DeliveryToS3.Success", "Average"),
        );
    }
    if let Some(group) = s.log_group() {
        out.push(delivery_errors(g, n, group, cli));
    }
    if let Some(rep) = g
        .sims
        .iter()
        .find(|(t, _)| *t == SimTarget::Stream(n.to_string()))
        .map(|(_, r)| r)
        && let Some(d) = s.s3()
    {
        let bucket = crate::model::bucket_from_arn(&d.bucket_arn);
        out.push(Finding {
            check: CheckId::BucketAccess.id(),
            target: n.to_string(),
            status: sim_status(rep),
            summary: match rep.verdict() {
                Verdict::Allowed => format!("delivery role may write s3://{bucket}"),
                _ => format!("s3://{bucket}: {}", rep.summary()),
            },
            details: sim_details(rep),
            confirm: format!(
                "{} && aws s3api get-bucket-policy --bucket {}",
                cli.simulate(
                    &d.role_arn,
                    &["s3:PutObject", "s3:GetBucketLocation", "s3:ListBucket"],
                    &[d.bucket_arn.clone(), format!("{}/*", d.bucket_arn)]
                ),
                q(bucket)
            ),
            pipeline: n.to_string(),
        });
    }
    let linked: Vec<&Alarm> = alarms.iter().filter(|a| a.is_for_stream(n)).collect();
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

fn rule_findings(
    g: &Gathered,
    r: &Rule,
    metrics: Option<&Metrics>,
    alarms: &[Alarm],
    cli: &Cli,
    out: &mut Vec<Finding>,
) {
    let key = r.key();
    let target = key.to_string();
    let pipeline = r
        .targets
        .iter()
        .find_map(|t| t.firehose_stream_name())
        .unwrap_or(&r.name)
        .to_string();
    let mut h = rule_health(r, metrics, alarms).findings;
    for t in &r.targets {
        if let Some(s) = t.firehose_stream_name()
            && g.inv.stream(s).is_none()
        {
            h.push(crate::health::Finding {
                check: CheckId::RuleState,
                level: Level::Fail,
                text: format!("target stream {s} does not exist in {}", g.region),
            });
        }
    }
    if let Some(p) = &r.event_pattern
        && let Err(e) = serde_json::from_str::<serde_json::Value>(p)
    {
        h.push(crate::health::Finding {
            check: CheckId::RuleState,
            level: Level::Fail,
            text: format!("event pattern does not parse: {e}"),
        });
    }
    let describe = format!(
        "aws events describe-rule --region {} --name {} --event-bus-name {}",
        cli.region,
        q(&r.name),
        q(&r.bus)
    );
    let not_triggering = h.iter().any(|f| f.text.starts_with("rule not triggering"));
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
    let linked: Vec<&Alarm> = alarms.iter().filter(|a| a.is_for_rule(&key)).collect();
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
        out.push(Finding {
            check: CheckId::WriterPermission.id(),
            target: target.clone(),
            status: sim_status(rep),
            summary: match rep.verdict() {
                Verdict::Allowed => "target role may call PutRecord and PutRecordBatch".into(),
                _ => rep.summary(),
            },
            details: sim_details(rep),
            confirm: if rep.principal.is_empty() {
                describe_targets(cli.region, r)
            } else {
                cli.simulate(
                    &rep.principal,
                    &["firehose:PutRecord", "firehose:PutRecordBatch"],
                    &resources,
                )
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
                    crate::ui::fmt::fit(&f.target, 28),
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
