//! Permission simulations: "can this stream's delivery role write its bucket?", "can this
//! rule's target role put records into its stream?", "does the `firehose_writer` policy allow
//! PutRecord/PutRecordBatch?", and any custom principal × actions × resources.
//!
//! Engines, best first:
//! 1. `iam:SimulatePrincipalPolicy` (through [`Backend::simulate_principal_policy`]). The API
//!    accepts a resource policy only with a caller that is an IAM user, so for a role the bucket
//!    policy is evaluated next to it by the local evaluator (an explicit deny there wins; a
//!    grant there to the role's ARN allows).
//! 2. Where that API is unavailable (access denied, not implemented, failing), the local
//!    evaluator ([`eval`]) over the role's policies fetched with IAM read calls and the bucket
//!    policy.
//!
//! Every [`Report`] names the engine, gives the decision per action × resource with the
//! statements that decided it, and for a denial a minimal statement that would fix it.

pub mod eval;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub use eval::{Decision, Matched, PolicyKind};

use crate::backend::{BResult, Backend, BackendError};
use crate::health::Level;
use crate::model::{Inventory, Rule, Stream};

/// Actions on some resources, simulated together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

impl Check {
    pub fn new(actions: &[&str], resources: Vec<String>) -> Self {
        Self {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resources,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A role (or user) ARN: everything attached to it, its boundary, the resource policy.
    Principal(String),
    /// A customer-managed policy looked up by name, evaluated on its own.
    ManagedPolicy(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimRequest {
    pub title: String,
    pub subject: Subject,
    pub checks: Vec<Check>,
    /// The bucket whose policy takes part.
    pub bucket: Option<String>,
    /// Known before any call: the request cannot be simulated (e.g. a target without a role).
    pub problem: Option<String>,
}

/// One simulated action on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimResult {
    pub action: String,
    pub resource: String,
    pub decision: Decision,
    pub matched: Vec<Matched>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub action: String,
    pub resource: String,
    pub decision: String,
    /// For `undetermined`: the condition key whose value decides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub title: String,
    pub principal: String,
    pub engine: String,
    pub rows: Vec<Row>,
    /// Ready-to-paste fixes, one per denied resource group.
    pub fixes: Vec<String>,
    pub notes: Vec<String>,
    pub error: Option<String>,
}

/// Worst first: what a report means for a health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Allowed,
    Undetermined,
    Error,
    Denied,
}

impl Report {
    pub fn verdict(&self) -> Verdict {
        if self.rows.iter().any(|r| r.decision.ends_with("Deny")) {
            Verdict::Denied
        } else if self.error.is_some() {
            Verdict::Error
        } else if self.rows.iter().any(|r| r.decision == "undetermined") {
            Verdict::Undetermined
        } else {
            Verdict::Allowed
        }
    }
    pub fn denied_actions(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| r.decision.ends_with("Deny"))
            .map(|r| r.action.as_str())
            .collect();
        v.dedup();
        v
    }
    /// One line: "allowed (8/8)", "DENIED: s3:PutObject", ...
    pub fn summary(&self) -> String {
        match self.verdict() {
            Verdict::Allowed => format!("allowed ({}/{})", self.rows.len(), self.rows.len()),
            Verdict::Denied => format!("DENIED: {}", self.denied_actions().join(", ")),
            Verdict::Undetermined => {
                let keys: Vec<&str> = self
                    .rows
                    .iter()
                    .filter_map(|r| r.needs.as_deref())
                    .collect();
                format!("undetermined: needs {}", keys.join(", "))
            }
            Verdict::Error => format!(
                "not simulated: {}",
                self.error.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

/// Parts of an ARN: partition, service, region, account, resource.
fn arn_parts(arn: &str) -> Option<(&str, &str, &str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    let (_, p, s, r, a, res) = (
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    );
    Some((p, s, r, a, res))
}

/// The literal start of an S3 prefix, before any `!{...}` expression Firehose expands.
fn literal_prefix(prefix: Option<&str>) -> &str {
    let p = prefix.unwrap_or("");
    match p.find("!{") {
        Some(i) => &p[..i],
        None => p,
    }
}

/// The delivery role of a stream against its S3 destination, KMS key and error log group.
pub fn stream_request(stream: &Stream) -> Option<SimRequest> {
    let s3 = stream.s3()?;
    let bucket = crate::model::bucket_from_arn(&s3.bucket_arn).to_string();
    let mut objects = vec![format!(
        "{}/{}*",
        s3.bucket_arn,
        literal_prefix(s3.prefix.as_deref())
    )];
    let errors = format!(
        "{}/{}*",
        s3.bucket_arn,
        literal_prefix(s3.error_output_prefix.as_deref())
    );
    if !objects.contains(&errors) && s3.error_output_prefix.is_some() {
        objects.push(errors);
    }
    let mut checks = vec![
        Check::new(
            &["s3:GetBucketLocation", "s3:ListBucket"],
            vec![s3.bucket_arn.clone()],
        ),
        Check::new(
            &["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"],
            objects,
        ),
    ];
    if let Some(k) = &s3.kms_key_arn {
        checks.push(Check::new(
            &["kms:GenerateDataKey", "kms:Decrypt"],
            vec![k.clone()],
        ));
    }
    if let (Some(group), Some((part, _, region, account, _))) =
        (&s3.log_group, arn_parts(&stream.arn))
    {
        checks.push(Check::new(
            &["logs:PutLogEvents"],
            vec![format!(
                "arn:{part}:logs:{region}:{account}:log-group:{group}:log-stream:{}",
                s3.log_stream.as_deref().unwrap_or("*")
            )],
        ));
    }
    Some(SimRequest {
        title: format!("Stream {}: delivery role → s3://{bucket}", stream.name),
        subject: Subject::Principal(s3.role_arn.clone()),
        checks,
        bucket: Some(bucket),
        problem: None,
    })
}

/// One request per Firehose target of the rule: may its RoleArn put records into the stream?
pub fn rule_requests(rule: &Rule) -> Vec<SimRequest> {
    rule.targets
        .iter()
        .filter_map(|t| {
            let stream = t.firehose_stream_name()?;
            let title = format!("Rule {}: target {} → {stream}", rule.key(), t.id);
            let role = t.role_arn.clone().or_else(|| rule.role_arn.clone());
            Some(match role {
                Some(role) => SimRequest {
                    title,
                    subject: Subject::Principal(role),
                    checks: vec![Check::new(
                        &["firehose:PutRecord", "firehose:PutRecordBatch"],
                        vec![t.arn.clone()],
                    )],
                    bucket: None,
                    problem: None,
                },
                None => SimRequest {
                    title,
                    subject: Subject::Principal(String::new()),
                    checks: vec![],
                    bucket: None,
                    problem: Some(
                        "the target has no RoleArn: EventBridge needs a role to call Firehose"
                            .into(),
                    ),
                },
            })
        })
        .collect()
}

/// The runbook's check: the customer-managed policy `name` allows PutRecord and
/// PutRecordBatch on `streams` (their ARNs; `*` when none is given).
pub fn writer_request(name: &str, streams: Vec<String>) -> SimRequest {
    let resources = if streams.is_empty() {
        vec!["*".to_string()]
    } else {
        streams
    };
    SimRequest {
        title: format!("Policy {name} allows writing to Firehose"),
        subject: Subject::ManagedPolicy(name.to_string()),
        checks: vec![Check::new(
            &["firehose:PutRecord", "firehose:PutRecordBatch"],
            resources,
        )],
        bucket: None,
        problem: None,
    }
}

/// Every simulation `p` runs for a stream: its delivery role, each rule feeding it, and the
/// writer policy on it.
pub fn for_stream(inv: &Inventory, stream: &Stream, writer_policy: &str) -> Vec<SimRequest> {
    let mut v: Vec<SimRequest> = stream_request(stream).into_iter().collect();
    for r in inv.rules_feeding(&stream.name) {
        for q in rule_requests(r) {
            let to_this = q.checks.iter().any(|c| c.resources.contains(&stream.arn));
            // Rules sharing one role ask the same question once.
            let asked = q.problem.is_none()
                && v.iter()
                    .any(|o| o.subject == q.subject && o.checks == q.checks);
            if to_this && !asked {
                v.push(q);
            }
        }
    }
    if !writer_policy.is_empty() {
        v.push(writer_request(writer_policy, vec![stream.arn.clone()]));
    }
    v
}

/// Every simulation `p` runs for a rule: each target role, and the writer policy on its
/// streams.
pub fn for_rule(rule: &Rule, writer_policy: &str) -> Vec<SimRequest> {
    let mut v = rule_requests(rule);
    if !writer_policy.is_empty() {
        v.push(writer_request(writer_policy, rule.firehose_target_arns()));
    }
    v
}

pub fn custom_request(principal: &str, actions: Vec<String>, resources: Vec<String>) -> SimRequest {
    let bucket = resources.iter().find_map(|r| {
        r.strip_prefix("arn:aws:s3:::")
            .map(|b| b.split('/').next().unwrap_or(b).to_string())
    });
    SimRequest {
        title: format!("Custom: {principal}"),
        subject: Subject::Principal(principal.to_string()),
        checks: vec![Check { actions, resources }],
        bucket,
        problem: None,
    }
}

/// Condition keys fhtop knows for a delivery made by Firehose or EventBridge: TLS, and who
/// the caller is. Passed to the simulator as context entries and to the local evaluator.
pub fn context(principal: &str) -> BTreeMap<String, Vec<String>> {
    let mut m = BTreeMap::new();
    m.insert("aws:securetransport".into(), vec!["true".into()]);
    m.insert("aws:principalarn".into(), vec![principal.to_string()]);
    if let Some((_, _, _, account, _)) = arn_parts(principal) {
        m.insert("aws:principalaccount".into(), vec![account.to_string()]);
    }
    m
}

fn row(action: &str, resource: &str, decision: &Decision, matched: &[Matched]) -> Row {
    Row {
        action: action.to_string(),
        resource: resource.to_string(),
        decision: decision.word().to_string(),
        needs: match decision {
            Decision::Undetermined(k) => Some(k.clone()),
            _ => None,
        },
        matched: matched
            .iter()
            .map(|m| match &m.sid {
                Some(s) => format!("{} (Sid {s})", m.policy),
                None => m.policy.clone(),
            })
            .collect(),
    }
}

/// The smallest statement that would allow what was implicitly denied, per resource; for an
/// explicit deny, what to change instead (no Allow overrides it).
fn fixes(results: &[(SimResult, Option<String>)], target: &str) -> Vec<String> {
    let mut by_resource: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut out = Vec::new();
    let mut boundary: Option<&str> = None;
    for (r, blocked_by) in results {
        match &r.decision {
            Decision::ImplicitDeny => {
                let v = by_resource.entry(r.resource.as_str()).or_default();
                if !v.contains(&r.action.as_str()) {
                    v.push(r.action.as_str());
                }
                if let Some(b) = blocked_by {
                    boundary = Some(b);
                }
            }
            Decision::ExplicitDeny => {
                let by: Vec<String> = r
                    .matched
                    .iter()
                    .map(|m| match &m.sid {
                        Some(s) => format!("{} statement {s}", m.policy),
                        None => m.policy.clone(),
                    })
                    .collect();
                let line = format!(
                    "{} on {} is explicitly denied by {}: remove or narrow that statement (no Allow overrides a Deny)",
                    r.action,
                    r.resource,
                    if by.is_empty() {
                        "a Deny statement".to_string()
                    } else {
                        by.join(", ")
                    }
                );
                if !out.contains(&line) {
                    out.push(line);
                }
            }
            _ => {}
        }
    }
    // Resources denied the same actions share one statement.
    let mut groups: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    for (res, acts) in by_resource {
        match groups.iter_mut().find(|(a, _)| *a == acts) {
            Some((_, rs)) => rs.push(res),
            None => groups.push((acts, vec![res])),
        }
    }
    for (i, (acts, res)) in groups.into_iter().enumerate() {
        let stmt = serde_json::json!({
            "Sid": format!("FhtopFix{}", i + 1),
            "Effect": "Allow",
            "Action": acts,
            "Resource": res,
        });
        let body = serde_json::to_string_pretty(&stmt).unwrap_or_default();
        let to = match boundary {
            Some(b) => format!("add to {target} and to its permissions boundary {b}"),
            None => format!("add to {target}"),
        };
        out.push(format!("{to}:\n{body}"));
    }
    out
}

fn policy_or_note(
    name: &str,
    kind: PolicyKind,
    doc: &str,
    notes: &mut Vec<String>,
) -> Option<eval::Policy> {
    match eval::parse(name, kind, doc) {
        Ok(p) => Some(p),
        Err(e) => {
            notes.push(format!("ignored: {e}"));
            None
        }
    }
}

type Cell<T> = Arc<tokio::sync::OnceCell<BResult<T>>>;
type Memo<T> = Mutex<HashMap<String, Cell<T>>>;

/// A principal's policies as read from IAM: (name, kind, document).
pub type NamedPolicies = Vec<(String, PolicyKind, String)>;

/// The reads of a batch of simulations, each made once: a role shared by several rules is read
/// once, a bucket policy once, and once the simulator has failed it is not asked again.
struct Reads<'a> {
    backend: &'a dyn Backend,
    simulator_down: Mutex<Option<BackendError>>,
    policies: Memo<NamedPolicies>,
    buckets: Memo<Option<String>>,
    managed: Memo<Option<(String, String)>>,
}

fn cell<T>(map: &Memo<T>, key: &str) -> Cell<T> {
    let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
    m.entry(key.to_string()).or_default().clone()
}

impl<'a> Reads<'a> {
    fn new(backend: &'a dyn Backend) -> Self {
        Self {
            backend,
            simulator_down: Mutex::default(),
            policies: Mutex::default(),
            buckets: Mutex::default(),
            managed: Mutex::default(),
        }
    }

    async fn simulate(
        &self,
        principal: &str,
        check: &Check,
        ctx: &BTreeMap<String, Vec<String>>,
        resource_policy: Option<&str>,
    ) -> BResult<Vec<SimResult>> {
        let down = self
            .simulator_down
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(e) = down {
            return Err(e);
        }
        let r = self
            .backend
            .simulate_principal_policy(
                principal,
                &check.actions,
                &check.resources,
                ctx,
                resource_policy,
            )
            .await;
        if let Err(e) = &r
            && e.kind != crate::backend::ErrorKind::Throttled
        {
            *self
                .simulator_down
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
        }
        r
    }

    async fn principal_policies(&self, p: &str) -> BResult<NamedPolicies> {
        cell(&self.policies, p)
            .get_or_init(|| self.backend.principal_policies(p))
            .await
            .clone()
    }

    async fn bucket_policy(&self, b: &str) -> BResult<Option<String>> {
        cell(&self.buckets, b)
            .get_or_init(|| self.backend.bucket_policy(b))
            .await
            .clone()
    }

    async fn managed_policy(&self, n: &str) -> BResult<Option<(String, String)>> {
        cell(&self.managed, n)
            .get_or_init(|| self.backend.managed_policy(n))
            .await
            .clone()
    }
}

/// Run one simulation. Never fails: a failure is the report's `error`.
pub async fn run(backend: &dyn Backend, req: &SimRequest) -> Report {
    run_with(&Reads::new(backend), req).await
}

async fn run_with(backend: &Reads<'_>, req: &SimRequest) -> Report {
    let mut report = Report {
        title: req.title.clone(),
        principal: match &req.subject {
            Subject::Principal(p) => p.clone(),
            Subject::ManagedPolicy(n) => format!("policy {n}"),
        },
        engine: String::new(),
        rows: vec![],
        fixes: vec![],
        notes: vec![],
        error: req.problem.clone(),
    };
    if req.problem.is_some() {
        report.engine = "none".into();
        return report;
    }
    let principal = match &req.subject {
        Subject::ManagedPolicy(name) => return run_policy(backend, req, name, report).await,
        Subject::Principal(p) => p.as_str(),
    };
    let ctx = context(principal);
    let account = arn_parts(principal).map(|p| p.3).unwrap_or("");
    let mut resource_policy = None;
    let mut raw_bucket_policy = None;
    if let Some(b) = &req.bucket {
        match backend.bucket_policy(b).await {
            Ok(Some(doc)) => {
                report.notes.push(format!("bucket policy of {b} included"));
                resource_policy = policy_or_note(
                    &format!("bucket policy of {b}"),
                    PolicyKind::Resource,
                    &doc,
                    &mut report.notes,
                );
                raw_bucket_policy = Some(doc);
            }
            Ok(None) => report
                .notes
                .push(format!("bucket {b} has no bucket policy")),
            Err(e) => report.notes.push(format!(
                "bucket policy of {b} not read, so not part of the result: {e}"
            )),
        }
    }
    let mut results: Vec<(SimResult, Option<String>)> = Vec::new();
    let mut simulated = Ok(());
    // The API evaluates a resource policy only with an IAM user as the caller.
    let is_user = principal.contains(":user/");
    let raw_policy = if is_user {
        raw_bucket_policy.as_deref()
    } else {
        None
    };
    for c in &req.checks {
        match backend.simulate(principal, c, &ctx, raw_policy).await {
            Ok(rs) => results.extend(rs.into_iter().map(|r| (r, None))),
            Err(e) => {
                simulated = Err(e);
                break;
            }
        }
    }
    match simulated {
        Ok(()) => {
            report.engine = "iam:SimulatePrincipalPolicy".into();
            if raw_policy.is_some() {
                report.engine.push_str(" (bucket policy as ResourcePolicy)");
            } else if let Some(rp) = &resource_policy {
                report.engine.push_str(" + bucket policy (local evaluator)");
                for (r, _) in &mut results {
                    let e = eval::evaluate(
                        std::slice::from_ref(rp),
                        &eval::Request {
                            principal,
                            account,
                            action: &r.action,
                            resource: &r.resource,
                            context: &ctx,
                        },
                    );
                    match (&e.decision, &r.decision) {
                        (Decision::ExplicitDeny, _) => {
                            r.decision = Decision::ExplicitDeny;
                            r.matched = e.matched;
                        }
                        (Decision::Undetermined(k), d) if *d != Decision::ExplicitDeny => {
                            r.decision = Decision::Undetermined(k.clone());
                            r.matched = e.matched;
                        }
                        (Decision::Allowed, Decision::ImplicitDeny) => {
                            r.decision = Decision::Allowed;
                            r.matched = e.matched;
                        }
                        _ => {}
                    }
                }
            }
        }
        Err(e) => {
            report.engine = format!(
                "local evaluator (iam:SimulatePrincipalPolicy unavailable: {})",
                crate::ui::fmt::fit(&e.message, 160)
            );
            let fetched = match backend.principal_policies(principal).await {
                Ok(p) => p,
                Err(e) if e.kind == crate::backend::ErrorKind::NotFound => {
                    // Nothing is allowed to a role that does not exist.
                    let denied = evaluate_checks(&[], &req.checks, principal, account, &ctx);
                    let mut report = finish(report, &denied, "");
                    report.fixes = vec![format!(
                        "{principal} does not exist ({}): create it, or point the resource at a role that exists",
                        e.message
                    )];
                    return report;
                }
                Err(e) => {
                    report.error = Some(format!("cannot read the policies of {principal}: {e}"));
                    return report;
                }
            };
            let mut policies: Vec<eval::Policy> = fetched
                .iter()
                .filter_map(|(name, kind, doc)| policy_or_note(name, *kind, doc, &mut report.notes))
                .collect();
            if fetched.iter().all(|(_, k, _)| *k != PolicyKind::Identity) {
                report
                    .notes
                    .push(format!("{principal} has no identity policy attached"));
            }
            policies.extend(resource_policy.clone());
            results = evaluate_checks(&policies, &req.checks, principal, account, &ctx);
        }
    }
    let role = principal.rsplit('/').next().unwrap_or(principal);
    finish(report, &results, &format!("an identity policy of {role}"))
}

fn finish(mut report: Report, results: &[(SimResult, Option<String>)], fix_target: &str) -> Report {
    report.rows = results
        .iter()
        .map(|(r, _)| row(&r.action, &r.resource, &r.decision, &r.matched))
        .collect();
    report.fixes = fixes(results, fix_target);
    report
}

/// The local evaluator over every action × resource of `checks`.
fn evaluate_checks(
    policies: &[eval::Policy],
    checks: &[Check],
    principal: &str,
    account: &str,
    ctx: &BTreeMap<String, Vec<String>>,
) -> Vec<(SimResult, Option<String>)> {
    let mut out = Vec::new();
    for c in checks {
        for a in &c.actions {
            for r in &c.resources {
                let e = eval::evaluate(
                    policies,
                    &eval::Request {
                        principal,
                        account,
                        action: a,
                        resource: r,
                        context: ctx,
                    },
                );
                out.push((
                    SimResult {
                        action: a.clone(),
                        resource: r.clone(),
                        decision: e.decision,
                        matched: e.matched,
                    },
                    e.blocked_by_boundary,
                ));
            }
        }
    }
    out
}

async fn run_policy(
    backend: &Reads<'_>,
    req: &SimRequest,
    name: &str,
    mut report: Report,
) -> Report {
    report.engine = "policy document (local evaluator)".into();
    let (arn, doc) = match backend.managed_policy(name).await {
        Ok(Some(x)) => x,
        Ok(None) => {
            report.error = Some(format!(
                "no customer-managed policy named {name} in this account"
            ));
            return report;
        }
        Err(e) => {
            report.error = Some(format!("cannot read policy {name}: {e}"));
            return report;
        }
    };
    report.principal = arn.clone();
    let Some(policy) = policy_or_note(&arn, PolicyKind::Identity, &doc, &mut report.notes) else {
        report.error = Some(format!("policy {name} could not be parsed"));
        return report;
    };
    let results = evaluate_checks(
        std::slice::from_ref(&policy),
        &req.checks,
        "",
        "",
        &context(""),
    );
    finish(report, &results, &format!("policy {name}"))
}

/// Run several simulations: the first alone (it finds out whether the simulator answers), the
/// rest concurrently, sharing every read.
pub async fn run_all(backend: &dyn Backend, reqs: &[SimRequest]) -> Vec<Report> {
    let reads = Reads::new(backend);
    let probe = reqs
        .iter()
        .position(|r| matches!(r.subject, Subject::Principal(_)) && r.problem.is_none());
    let first = match probe {
        Some(i) => Some(run_with(&reads, &reqs[i]).await),
        None => None,
    };
    let rest = futures_util::future::join_all(
        reqs.iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != probe)
            .map(|(_, r)| run_with(&reads, r)),
    )
    .await;
    let mut rest = rest.into_iter();
    let mut first = first;
    (0..reqs.len())
        .filter_map(|i| {
            if Some(i) == probe {
                first.take()
            } else {
                rest.next()
            }
        })
        .collect()
}

/// "3 simulations: 1 denied, 2 allowed".
pub fn tally(reports: &[Report]) -> String {
    let count = |v: Verdict| reports.iter().filter(|r| r.verdict() == v).count();
    let parts: Vec<String> = [
        (Verdict::Denied, "denied"),
        (Verdict::Error, "not simulated"),
        (Verdict::Undetermined, "undetermined"),
        (Verdict::Allowed, "allowed"),
    ]
    .iter()
    .filter(|(v, _)| count(*v) > 0)
    .map(|(v, w)| format!("{} {w}", count(*v)))
    .collect();
    format!(
        "{} simulation{}: {}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// Several reports as lines: the tally, then each report.
pub fn reports_lines(reports: &[Report]) -> Vec<(Tone, String)> {
    let mut lines = vec![(Tone::Field, tally(reports))];
    for r in reports {
        lines.push((Tone::Note, String::new()));
        lines.extend(report_lines(r));
    }
    lines
}

/// How a line of a report is shown: the TUI styles it, the CLI prints it plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Heading(Level),
    Field,
    Row(Level),
    Code,
    Note,
}

impl Verdict {
    pub fn level(self) -> Level {
        match self {
            Verdict::Allowed => Level::Ok,
            Verdict::Undetermined => Level::Warn,
            Verdict::Error | Verdict::Denied => Level::Fail,
        }
    }
}

fn decision_level(decision: &str) -> Level {
    match decision {
        "allowed" => Level::Ok,
        "undetermined" => Level::Warn,
        _ => Level::Fail,
    }
}

/// A report as lines of text (untrusted: sanitize before they reach a terminal).
pub fn report_lines(r: &Report) -> Vec<(Tone, String)> {
    let v = r.verdict();
    let mut out = vec![(
        Tone::Heading(v.level()),
        format!("{} {} — {}", v.level().mark(), r.title, r.summary()),
    )];
    out.push((Tone::Field, format!("  principal  {}", r.principal)));
    out.push((Tone::Field, format!("  engine     {}", r.engine)));
    let aw = r.rows.iter().map(|x| x.action.len()).max().unwrap_or(0);
    for row in &r.rows {
        let l = decision_level(&row.decision);
        let decision = match &row.needs {
            Some(k) => format!("undetermined: needs {k}"),
            None => row.decision.clone(),
        };
        out.push((
            Tone::Row(l),
            format!(
                "  {} {:<13} {:<aw$}  {}",
                l.mark(),
                decision,
                row.action,
                row.resource
            ),
        ));
        if !row.matched.is_empty() {
            out.push((Tone::Note, format!("      by {}", row.matched.join("; "))));
        }
    }
    for f in &r.fixes {
        let mut it = f.lines();
        if let Some(first) = it.next() {
            out.push((Tone::Field, format!("  fix: {first}")));
        }
        for l in it {
            out.push((Tone::Code, format!("    {l}")));
        }
    }
    for n in &r.notes {
        out.push((Tone::Note, format!("  note: {n}")));
    }
    out
}
