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

pub use crate::model::policy::{Decision, Matched, NamedPolicies, PolicyKind, SimResult};

use crate::backend::{BResult, Backend, BackendError};
use crate::health::Level;
use crate::model::{Inventory, Rule, Source, Stream, arn_parts};

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
    /// The service that must be able to assume the principal (a role), checked against the
    /// role's trust policy.
    pub trust: Option<TrustCheck>,
    /// Condition keys fhtop knows for these requests beyond [`context`] (lower-case key →
    /// values; no values = known to be absent from the request).
    pub context: BTreeMap<String, Vec<String>>,
}

/// What every write a service (Firehose, EventBridge) makes on the customer's behalf is known
/// to carry or lack: it does not come through the customer's VPC endpoint, so `aws:SourceVpce`
/// is absent.
fn service_context() -> BTreeMap<String, Vec<String>> {
    let mut m = BTreeMap::new();
    m.insert("aws:sourcevpce".into(), vec![]);
    m
}

/// The keys of Firehose's writes to S3 (and the KMS calls S3 makes for them): the encryption
/// settings of the stream decide `s3:x-amz-server-side-encryption` and its key id; with a key,
/// `kms:ViaService` is S3 in the stream's region and the encryption context is the object ARN
/// under the prefix. AWS: Firehose developer guide, "Grant Firehose access to an Amazon S3
/// destination" (the documented KMS statement).
fn s3_context(s3: &crate::model::S3Destination, region: &str) -> BTreeMap<String, Vec<String>> {
    let mut m = service_context();
    match &s3.kms_key_arn {
        Some(key) => {
            m.insert(
                "s3:x-amz-server-side-encryption".into(),
                vec!["aws:kms".into()],
            );
            m.insert(
                "s3:x-amz-server-side-encryption-aws-kms-key-id".into(),
                vec![key.clone()],
            );
            m.insert(
                "kms:viaservice".into(),
                vec![format!("s3.{region}.amazonaws.com")],
            );
            m.insert(
                "kms:encryptioncontext:aws:s3:arn".into(),
                vec![format!(
                    "{}/{}",
                    s3.bucket_arn,
                    literal_prefix(s3.prefix.as_deref())
                )],
            );
        }
        None => {
            m.insert("s3:x-amz-server-side-encryption".into(), vec![]);
            m.insert(
                "s3:x-amz-server-side-encryption-aws-kms-key-id".into(),
                vec![],
            );
        }
    }
    m
}

/// "May this service assume the role?": the role's trust policy evaluated for `sts:AssumeRole`
/// by the service principal, with the condition keys the service sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustCheck {
    /// The service principal: `firehose.amazonaws.com`, `events.amazonaws.com`.
    pub service: String,
    /// Condition keys the service's AssumeRole carries (lower-case key → values):
    /// `sts:externalid` (Firehose sets the account id), `aws:sourceaccount`, `aws:sourcearn`.
    pub context: BTreeMap<String, Vec<String>>,
}

impl TrustCheck {
    /// Firehose assuming a delivery or source role for `stream_arn`. AWS: Firehose developer
    /// guide, "Controlling access with Amazon Data Firehose" (trust policy with
    /// `sts:ExternalId` = the account id).
    pub fn firehose(stream_arn: &str) -> Self {
        let account = arn_parts(stream_arn).map(|p| p.3).unwrap_or("");
        let mut context = BTreeMap::new();
        context.insert("sts:externalid".into(), vec![account.to_string()]);
        context.insert("aws:sourceaccount".into(), vec![account.to_string()]);
        context.insert("aws:sourcearn".into(), vec![stream_arn.to_string()]);
        Self {
            service: "firehose.amazonaws.com".into(),
            context,
        }
    }
    /// EventBridge assuming a rule target's role. AWS: EventBridge user guide, condition keys
    /// `aws:SourceArn` (the rule ARN) and `aws:SourceAccount`.
    pub fn events(rule_arn: &str) -> Self {
        let account = arn_parts(rule_arn).map(|p| p.3).unwrap_or("");
        let mut context = BTreeMap::new();
        context.insert("aws:sourceaccount".into(), vec![account.to_string()]);
        context.insert("aws:sourcearn".into(), vec![rule_arn.to_string()]);
        Self {
            service: "events.amazonaws.com".into(),
            context,
        }
    }
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
                let mut keys: Vec<&str> = Vec::new();
                for k in self.rows.iter().filter_map(|r| r.needs.as_deref()) {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                format!("undetermined: needs {}", keys.join(", "))
            }
            Verdict::Error => format!(
                "not simulated: {}",
                self.error.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

/// The literal start of an S3 prefix, before any `!{...}` expression Firehose expands.
fn literal_prefix(prefix: Option<&str>) -> &str {
    let p = prefix.unwrap_or("");
    match p.find("!{") {
        Some(i) => &p[..i],
        None => p,
    }
}

/// S3 actions Firehose needs on a bucket and on the objects it writes. AWS: Firehose
/// developer guide, "Grant Firehose access to an Amazon S3 destination".
const S3_BUCKET_ACTIONS: [&str; 2] = ["s3:GetBucketLocation", "s3:ListBucket"];
const S3_OBJECT_ACTIONS: [&str; 3] = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"];
/// What the source role needs on a Kinesis data stream source.
pub const KINESIS_SOURCE_ACTIONS: [&str; 4] = [
    "kinesis:DescribeStream",
    "kinesis:GetShardIterator",
    "kinesis:GetRecords",
    "kinesis:ListShards",
];
/// What the delivery role needs on a Lambda processor's function.
pub const LAMBDA_ACTIONS: [&str; 2] = ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"];
/// What a rule target's role needs on a Firehose stream (EventBridge sends batches).
pub const FIREHOSE_PUT_ACTIONS: [&str; 2] = ["firehose:PutRecord", "firehose:PutRecordBatch"];
/// What a rule target's role needs on a Kinesis data stream.
pub const KINESIS_PUT_ACTIONS: [&str; 2] = ["kinesis:PutRecord", "kinesis:PutRecords"];

/// The delivery role of a stream against everything delivery touches: the S3 bucket (the
/// destination, or a service destination's backup), the KMS key, the error log group, the
/// Lambda processors; and whether Firehose may assume it. A destination fhtop does not know is
/// a request that says so (never "allowed").
pub fn stream_request(stream: &Stream) -> Option<SimRequest> {
    let kind = match stream.destination_kind() {
        Some(k) => k,
        None => {
            return Some(SimRequest {
                title: format!("Stream {}: delivery role", stream.name),
                subject: Subject::Principal(String::new()),
                checks: vec![],
                bucket: None,
                problem: Some(
                    "destination not evaluated: fhtop does not know what this destination needs"
                        .into(),
                ),
                trust: None,
                context: BTreeMap::new(),
            });
        }
    };
    let role = stream.delivery_role()?.to_string();
    let mut checks = Vec::new();
    let region = arn_parts(&stream.arn).map(|p| p.2).unwrap_or("");
    let context = stream
        .bucket()
        .map(|s3| s3_context(s3, region))
        .unwrap_or_else(service_context);
    let bucket = stream.bucket().map(|s3| {
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
        checks.push(Check::new(&S3_BUCKET_ACTIONS, vec![s3.bucket_arn.clone()]));
        checks.push(Check::new(&S3_OBJECT_ACTIONS, objects));
        if let Some(k) = &s3.kms_key_arn {
            checks.push(Check::new(
                &["kms:GenerateDataKey", "kms:Decrypt"],
                vec![k.clone()],
            ));
        }
        bucket
    });
    let functions: Vec<String> = stream.lambda_arns().iter().map(|a| a.to_string()).collect();
    if !functions.is_empty() {
        checks.push(Check::new(&LAMBDA_ACTIONS, functions));
    }
    if let (Some(group), Some((part, _, region, account, _))) =
        (stream.log_group(), arn_parts(&stream.arn))
    {
        let log_stream = match &stream.destination {
            crate::model::Destination::S3(d) => d.log_stream.as_deref(),
            crate::model::Destination::Service(d) => d.log_stream.as_deref(),
            crate::model::Destination::Unknown(_) => None,
        };
        checks.push(Check::new(
            &["logs:PutLogEvents"],
            vec![format!(
                "arn:{part}:logs:{region}:{account}:log-group:{group}:log-stream:{}",
                log_stream.unwrap_or("*")
            )],
        ));
    }
    let title = match (kind, &bucket) {
        (crate::model::DestinationKind::S3, Some(b)) => {
            format!("Stream {}: delivery role → s3://{b}", stream.name)
        }
        (k, Some(b)) => format!(
            "Stream {}: delivery role → {} (backup s3://{b})",
            stream.name,
            k.label()
        ),
        (k, None) => format!("Stream {}: delivery role → {}", stream.name, k.label()),
    };
    Some(SimRequest {
        title,
        subject: Subject::Principal(role),
        checks,
        bucket,
        problem: None,
        trust: Some(TrustCheck::firehose(&stream.arn)),
        context,
    })
}

/// The source role of a stream that reads a Kinesis data stream or an MSK topic: may it read
/// the source, and may Firehose assume it. `None` for Direct PUT.
pub fn source_request(stream: &Stream) -> Option<SimRequest> {
    let (title, role, checks) = match &stream.source {
        Source::KinesisStream {
            stream_arn,
            role_arn,
        } => (
            format!(
                "Stream {}: source role → Kinesis stream {}",
                stream.name,
                crate::model::resource_name(stream_arn).unwrap_or(stream_arn)
            ),
            role_arn.clone(),
            vec![Check::new(
                &KINESIS_SOURCE_ACTIONS,
                vec![stream_arn.clone()],
            )],
        ),
        Source::Msk {
            cluster_arn,
            topic,
            role_arn,
        } => {
            // arn:…:cluster/NAME/UUID → arn:…:topic/NAME/UUID/TOPIC
            let topic_arn = format!(
                "{}/{topic}",
                cluster_arn.replacen(":cluster/", ":topic/", 1)
            );
            (
                format!("Stream {}: source role → MSK topic {topic}", stream.name),
                role_arn.clone(),
                vec![
                    Check::new(
                        &[
                            "kafka:GetBootstrapBrokers",
                            "kafka:DescribeCluster",
                            "kafka:DescribeClusterV2",
                            "kafka-cluster:Connect",
                        ],
                        vec![cluster_arn.clone()],
                    ),
                    Check::new(
                        &[
                            "kafka-cluster:DescribeTopic",
                            "kafka-cluster:DescribeTopicDynamicConfiguration",
                            "kafka-cluster:ReadData",
                        ],
                        vec![topic_arn],
                    ),
                ],
            )
        }
        Source::DirectPut | Source::Other(_) => return None,
    };
    Some(match role {
        Some(role) => SimRequest {
            title,
            subject: Subject::Principal(role),
            checks,
            bucket: None,
            problem: None,
            trust: Some(TrustCheck::firehose(&stream.arn)),
            context: service_context(),
        },
        None => SimRequest {
            title,
            subject: Subject::Principal(String::new()),
            checks: vec![],
            bucket: None,
            problem: Some("the source has no RoleARN: Firehose needs a role to read it".into()),
            trust: None,
            context: BTreeMap::new(),
        },
    })
}

/// One request per target of the rule that feeds Firehose (a delivery stream, or any Kinesis
/// data stream): may its RoleArn put records there, and may EventBridge assume it.
pub fn rule_requests(rule: &Rule) -> Vec<SimRequest> {
    rule.targets
        .iter()
        .filter_map(|t| {
            let (what, actions): (String, &[&str]) = if let Some(stream) = t.firehose_stream_name()
            {
                (stream.to_string(), &FIREHOSE_PUT_ACTIONS)
            } else if let Some(k) = crate::model::kinesis_name_from_arn(&t.arn) {
                (format!("Kinesis stream {k}"), &KINESIS_PUT_ACTIONS)
            } else {
                return None;
            };
            let title = format!("Rule {}: target {} → {what}", rule.key(), t.id);
            let role = t.role_arn.clone().or_else(|| rule.role_arn.clone());
            Some(match role {
                Some(role) => SimRequest {
                    title,
                    subject: Subject::Principal(role),
                    checks: vec![Check::new(actions, vec![t.arn.clone()])],
                    bucket: None,
                    problem: None,
                    trust: Some(TrustCheck::events(&rule.arn)),
                    context: service_context(),
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
                    trust: None,
                    context: BTreeMap::new(),
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
        trust: None,
        context: BTreeMap::new(),
    }
}

/// Every simulation `p` runs for a stream: its delivery role, each rule feeding it, and the
/// writer policy on it.
pub fn for_stream(inv: &Inventory, stream: &Stream, writer_policy: &str) -> Vec<SimRequest> {
    let mut v: Vec<SimRequest> = stream_request(stream).into_iter().collect();
    v.extend(source_request(stream));
    let source = stream.source.kinesis_stream_arn().map(str::to_string);
    for r in inv.rules_feeding(&stream.name) {
        for q in rule_requests(r) {
            let to_this = q.checks.iter().any(|c| {
                c.resources.contains(&stream.arn)
                    || source.as_ref().is_some_and(|k| c.resources.contains(k))
            });
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
        trust: None,
        context: BTreeMap::new(),
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

/// The reads of a batch of simulations, each made once: a role shared by several rules is read
/// once, a bucket policy once, and once the simulator has failed it is not asked again.
struct Reads<'a> {
    backend: &'a dyn Backend,
    simulator_down: Mutex<Option<BackendError>>,
    policies: Memo<NamedPolicies>,
    buckets: Memo<Option<String>>,
    managed: Memo<Option<(String, String)>>,
    trusts: Memo<Option<String>>,
    resources: Memo<Option<String>>,
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
            trusts: Mutex::default(),
            resources: Mutex::default(),
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

    /// The role's trust policy: from the policies already read when the simulator is down
    /// (one GetRole per role either way), else its own GetRole.
    async fn trust_policy(&self, role: &str) -> BResult<Option<String>> {
        let down = self
            .simulator_down
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if down {
            let policies = self.principal_policies(role).await?;
            return Ok(policies
                .into_iter()
                .find(|(_, k, _)| *k == PolicyKind::Trust)
                .map(|(_, _, d)| d));
        }
        cell(&self.trusts, role)
            .get_or_init(|| self.backend.role_trust_policy(role))
            .await
            .clone()
    }

    async fn resource_policy(&self, arn: &str) -> BResult<Option<String>> {
        cell(&self.resources, arn)
            .get_or_init(|| self.backend.resource_policy(arn))
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
    let mut ctx = context(principal);
    ctx.extend(req.context.clone());
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
                merge_resource_policy(
                    rp,
                    results.iter_mut().map(|(r, _)| r),
                    principal,
                    account,
                    &ctx,
                );
            }
        }
        Err(e) => {
            report.engine = format!(
                "local evaluator (iam:SimulatePrincipalPolicy unavailable: {})",
                crate::text::fit(&e.message, 160)
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
    stream_policies(
        backend,
        principal,
        account,
        &ctx,
        &mut results,
        &mut report.notes,
    )
    .await;
    let (key_rows, key_fixes) =
        key_policies(backend, principal, &ctx, &mut results, &mut report.notes).await;
    let role = principal.rsplit('/').next().unwrap_or(principal);
    let trusted = match &req.trust {
        Some(t) if principal.contains(":role/") => {
            Some(trust(backend, principal, t, &mut report.notes).await)
        }
        _ => None,
    };
    let mut report = finish(report, &results, &format!("an identity policy of {role}"));
    report.rows.extend(
        key_rows
            .iter()
            .map(|r| row(&r.action, &r.resource, &r.decision, &r.matched)),
    );
    report.fixes.extend(key_fixes);
    if let Some((r, fix)) = trusted {
        report
            .rows
            .push(row(&r.action, &r.resource, &r.decision, &r.matched));
        report.fixes.extend(fix);
    }
    report
}

/// A same-account resource policy (bucket, Kinesis stream) next to the identity decision: its
/// explicit deny wins, its grant to the principal allows what identity did not, a condition it
/// cannot decide makes the row undetermined.
fn merge_resource_policy<'r>(
    rp: &eval::Policy,
    results: impl Iterator<Item = &'r mut SimResult>,
    principal: &str,
    account: &str,
    ctx: &BTreeMap<String, Vec<String>>,
) {
    for r in results {
        let e = eval::evaluate(
            std::slice::from_ref(rp),
            &eval::Request {
                principal,
                account,
                action: &r.action,
                resource: &r.resource,
                context: ctx,
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

/// The distinct resources of `results` of one service (`kms`, `kinesis`).
fn resources_of(results: &[(SimResult, Option<String>)], service: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for (r, _) in results {
        if arn_parts(&r.resource).is_some_and(|p| p.1 == service) && !v.contains(&r.resource) {
            v.push(r.resource.clone());
        }
    }
    v
}

/// Kinesis data stream resource policies, applied like a bucket policy. A policy that cannot be
/// read is noted and not part of the result.
async fn stream_policies(
    backend: &Reads<'_>,
    principal: &str,
    account: &str,
    ctx: &BTreeMap<String, Vec<String>>,
    results: &mut [(SimResult, Option<String>)],
    notes: &mut Vec<String>,
) {
    for arn in resources_of(results, "kinesis") {
        let name = format!(
            "resource policy of {}",
            crate::model::resource_name(&arn).unwrap_or(&arn)
        );
        match backend.resource_policy(&arn).await {
            Ok(Some(doc)) => {
                notes.push(format!("{name} included"));
                if let Some(p) = policy_or_note(&name, PolicyKind::Resource, &doc, notes) {
                    // Only for the stream it is attached to, whatever its Resource says.
                    let on_it = results
                        .iter_mut()
                        .map(|(r, _)| r)
                        .filter(|r| r.resource == arn);
                    merge_resource_policy(&p, on_it, principal, account, ctx);
                }
            }
            Ok(None) => {}
            Err(e) => notes.push(format!("{name} not read, so not part of the result: {e}")),
        }
    }
}

/// KMS key policies, by KMS's own rule: a key policy must allow the principal itself, or the
/// account (which delegates to IAM: then the identity decision stands); otherwise no identity
/// grant counts. An explicit deny in it wins. A key policy that cannot be read leaves the KMS
/// rows undetermined (every key has one, and it decides). Returns the KMS rows the key policy
/// decided against (taken out of `results`, so no identity-policy fix is suggested for them)
/// and the fix for each key.
///
/// AWS: KMS developer guide, "Key policies" (default key policy, "Allows access to the AWS
/// account and enables IAM policies").
async fn key_policies(
    backend: &Reads<'_>,
    principal: &str,
    ctx: &BTreeMap<String, Vec<String>>,
    results: &mut Vec<(SimResult, Option<String>)>,
    notes: &mut Vec<String>,
) -> (Vec<SimResult>, Vec<String>) {
    let mut blocked = Vec::new();
    let mut fixes = Vec::new();
    let account = arn_parts(principal).map(|p| p.3).unwrap_or("");
    let root = format!("arn:aws:iam::{account}:root");
    for key in resources_of(results, "kms") {
        let short = crate::model::resource_name(&key)
            .unwrap_or(&key)
            .to_string();
        let name = format!("key policy of {short}");
        let doc = match backend.resource_policy(&key).await {
            Ok(Some(doc)) => doc,
            Ok(None) => String::new(),
            Err(e) => {
                notes.push(format!("{name} not read: {e}"));
                for (r, _) in results.iter_mut().filter(|(r, _)| r.resource == key) {
                    r.decision = Decision::Undetermined(name.clone());
                    r.matched.clear();
                }
                continue;
            }
        };
        let policy = if doc.is_empty() {
            None
        } else {
            policy_or_note(&name, PolicyKind::Resource, &doc, notes)
        };
        notes.push(format!("{name} included"));
        let mut denied_actions: Vec<String> = Vec::new();
        let mut keep = Vec::new();
        for (mut r, b) in std::mem::take(results) {
            if r.resource != key {
                keep.push((r, b));
                continue;
            }
            let decide = |who: &str| {
                policy.as_ref().map(|p| {
                    eval::evaluate(
                        std::slice::from_ref(p),
                        &eval::Request {
                            principal: who,
                            account: "",
                            action: &r.action,
                            resource: &key,
                            context: ctx,
                        },
                    )
                })
            };
            let direct = decide(principal);
            let delegated = decide(&root);
            match (
                direct.as_ref().map(|e| &e.decision),
                delegated.as_ref().map(|e| &e.decision),
            ) {
                (Some(Decision::ExplicitDeny), _) => {
                    r.decision = Decision::ExplicitDeny;
                    r.matched = direct.map(|e| e.matched).unwrap_or_default();
                    keep.push((r, b));
                }
                (Some(Decision::Allowed), _) if r.decision != Decision::ExplicitDeny => {
                    r.decision = Decision::Allowed;
                    r.matched = direct.map(|e| e.matched).unwrap_or_default();
                    keep.push((r, b));
                }
                // The account is trusted: IAM decides, as it already did.
                (_, Some(Decision::Allowed)) => keep.push((r, b)),
                (Some(Decision::Undetermined(k)), _) | (_, Some(Decision::Undetermined(k))) => {
                    r.decision = Decision::Undetermined(k.clone());
                    keep.push((r, b));
                }
                _ => {
                    r.decision = Decision::ImplicitDeny;
                    r.matched = vec![Matched {
                        policy: name.clone(),
                        sid: None,
                    }];
                    if !denied_actions.contains(&r.action) {
                        denied_actions.push(r.action.clone());
                    }
                    blocked.push(r);
                }
            }
        }
        *results = keep;
        if !denied_actions.is_empty() {
            let stmt = serde_json::json!({
                "Sid": "FhtopAllowDelivery",
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": denied_actions,
                "Resource": "*",
            });
            fixes.push(format!(
                "the key policy of {short} allows neither {principal} nor the account (IAM), so no identity grant counts: add to the key policy (aws kms put-key-policy --policy-name default):\n{}",
                serde_json::to_string_pretty(&stmt).unwrap_or_default()
            ));
        }
    }
    (blocked, fixes)
}

/// May `t.service` assume `role`: its trust policy evaluated for `sts:AssumeRole` with the
/// condition keys the service sends. A trust policy that cannot be read is undetermined, never
/// allowed. Returns the result row and, for a denial, the statement to add.
async fn trust(
    backend: &Reads<'_>,
    role: &str,
    t: &TrustCheck,
    notes: &mut Vec<String>,
) -> (SimResult, Option<String>) {
    let mut result = SimResult {
        action: "sts:AssumeRole".into(),
        resource: role.to_string(),
        decision: Decision::Undetermined("the trust policy".into()),
        matched: vec![],
    };
    let doc = match backend.trust_policy(role).await {
        Ok(Some(doc)) => doc,
        Ok(None) => {
            result.decision = Decision::ImplicitDeny;
            return (result, Some(trust_fix(role, t)));
        }
        Err(e) => {
            notes.push(format!("trust policy of {role} not read: {e}"));
            return (result, None);
        }
    };
    let name = format!(
        "trust policy of {}",
        role.rsplit('/').next().unwrap_or(role)
    );
    let Some(policy) = policy_or_note(&name, PolicyKind::Resource, &doc, notes) else {
        return (result, None);
    };
    let principal = format!("Service:{}", t.service);
    let e = eval::evaluate(
        std::slice::from_ref(&policy),
        &eval::Request {
            principal: &principal,
            account: "",
            action: "sts:AssumeRole",
            resource: role,
            context: &t.context,
        },
    );
    result.decision = e.decision;
    result.matched = e.matched;
    let fix = match &result.decision {
        Decision::ImplicitDeny => Some(trust_fix(role, t)),
        Decision::ExplicitDeny => Some(format!(
            "{} may not assume {role}: a Deny in its trust policy applies; remove or narrow it",
            t.service
        )),
        _ => None,
    };
    (result, fix)
}

/// The trust statement that lets the service assume the role (Firehose: with the
/// `sts:ExternalId` condition AWS documents).
fn trust_fix(role: &str, t: &TrustCheck) -> String {
    let mut stmt = serde_json::json!({
        "Effect": "Allow",
        "Principal": {"Service": t.service},
        "Action": "sts:AssumeRole",
    });
    if let Some(id) = t.context.get("sts:externalid").and_then(|v| v.first()) {
        stmt["Condition"] = serde_json::json!({"StringEquals": {"sts:ExternalId": id}});
    }
    format!(
        "{} may not assume {role}: add to its trust policy (aws iam update-assume-role-policy):\n{}",
        t.service,
        serde_json::to_string_pretty(&stmt).unwrap_or_default()
    )
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
