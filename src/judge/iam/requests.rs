//! What to simulate: a principal (or a managed policy) × actions × resources, with the trust
//! check and the request context fhtop knows, built from the inventory for a stream (its
//! delivery and source roles), a rule (its targets' roles), the runbook's writer policy, or a
//! custom question.

use super::*;

/// What a domain decides besides IAM, unread (OpenSearch guide, "Fine-grained access control").
const OPENSEARCH_NOT_READ: &str = "the domain's access policy and, if it is on, its fine-grained \
    access control (the role's mapping in the OpenSearch security plugin, not an IAM policy)";
/// Actions on some resources, simulated together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// IAM actions, e.g. "s3:PutObject".
    pub actions: Vec<String>,
    /// Resource ARNs each action is simulated on (`*` when the action takes none).
    pub resources: Vec<String>,
}

impl Check {
    /// Actions (copied to owned strings) on these resources.
    pub fn new(actions: &[&str], resources: Vec<String>) -> Self {
        Self {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resources,
        }
    }
}

/// Who is simulated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A role (or user) ARN: everything attached to it, its boundary, the resource policy.
    Principal(String),
    /// A customer-managed policy looked up by name, evaluated on its own.
    ManagedPolicy(String),
    /// The senders in another account a rule's pattern names, on the rule's bus.
    Producers(BusCheck),
}

/// One simulation to run: a subject × checks, plus what fhtop knows about the context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimRequest {
    /// What is asked, shown as the report's heading (e.g. "Stream orders: delivery role").
    pub title: String,
    /// The role, user or managed policy simulated.
    pub subject: Subject,
    /// The action × resource groups to decide.
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
    /// Access the request needs that fhtop does not evaluate (e.g. an Iceberg table through
    /// Glue and Lake Formation): reported as undetermined, never allowed.
    pub not_evaluated: Option<String>,
    /// Condition keys not in `context` are taken as absent, as iam:SimulatePrincipalPolicy
    /// takes the keys it is not given (`fhtop perms custom`, whose asker gives the context);
    /// otherwise a key fhtop cannot know leaves what depends on it undetermined.
    pub keys_not_given_absent: bool,
    /// A rule target's dead-letter queue: may EventBridge send what it dead-letters there
    /// (its queue policy, outside IAM).
    pub dead_letter: Option<DeadLetterCheck>,
}

/// May EventBridge (`events.amazonaws.com`) `sqs:SendMessage` to a target's dead-letter queue,
/// for this rule (`aws:SourceArn`): decided by the queue's policy (Amazon EventBridge User
/// Guide, "Granting permissions to the dead-letter queue").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetterCheck {
    /// The queue ARN (`DeadLetterConfig.Arn`).
    pub queue: String,
    /// The rule's ARN, the `aws:SourceArn` EventBridge sends with.
    pub rule_arn: String,
}

/// What every write a service (Firehose, EventBridge) makes on the customer's behalf is known
/// to carry or lack: it does not come through the customer's VPC or VPC endpoint, so
/// `aws:SourceVpce` and `aws:SourceVpc` are absent (AWS: IAM user guide, global condition
/// keys — both are present only for requests through a VPC endpoint).
fn service_context() -> BTreeMap<String, Vec<String>> {
    let mut m = BTreeMap::new();
    m.insert("aws:sourcevpce".into(), vec![]);
    m.insert("aws:sourcevpc".into(), vec![]);
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

impl SimRequest {
    /// A request known, before any call, not to be simulatable (a target or source without a
    /// role, a destination fhtop does not know): its report says why, never "allowed".
    pub fn unsimulatable(title: String, problem: &str) -> Self {
        Self {
            problem: Some(problem.to_string()),
            ..Self::new(title, Subject::Principal(String::new()), vec![])
        }
    }

    /// `subject` × `checks`, titled `title`, with nothing else known: no bucket, trust,
    /// context, dead-letter queue; keys not given are unknown (not absent).
    pub fn new(title: String, subject: Subject, checks: Vec<Check>) -> Self {
        Self {
            title,
            subject,
            checks,
            bucket: None,
            problem: None,
            trust: None,
            context: BTreeMap::new(),
            not_evaluated: None,
            keys_not_given_absent: false,
            dead_letter: None,
        }
    }
}

impl TrustCheck {
    /// Firehose assuming a delivery or source role for `stream_arn`. AWS: Firehose developer
    /// guide, "Controlling access with Amazon Data Firehose" (trust policy with
    /// `sts:ExternalId` = the account id). Whether Firehose also sends `aws:SourceArn` /
    /// `aws:SourceAccount` is not documented there: a trust policy conditioned on them is
    /// undetermined, not allowed.
    pub fn firehose(stream_arn: &str) -> Self {
        let account = arn_parts(stream_arn).map(|p| p.3).unwrap_or("");
        let mut context = BTreeMap::new();
        context.insert("sts:externalid".into(), vec![account.to_string()]);
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
            return Some(SimRequest::unsimulatable(
                format!("Stream {}: delivery role", stream.name),
                "destination not evaluated: fhtop does not know what this destination needs",
            ));
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
    // The destination, where IAM governs it (Firehose developer guide, "Controlling access":
    // OpenSearch es:ESHttpPost/Put on the domain; Serverless aoss:APIAccessAll on the collection).
    // HTTP endpoint, Splunk, Redshift and Snowflake authenticate with their own credentials.
    let mut not_evaluated = None;
    if let crate::model::Destination::Service(d) = &stream.destination {
        use crate::model::DestinationKind as K;
        match d.kind {
            K::OpenSearch | K::Elasticsearch if d.endpoint.starts_with("arn:") => {
                checks.push(Check::new(
                    &["es:ESHttpPost", "es:ESHttpPut"],
                    vec![d.endpoint.clone(), format!("{}/*", d.endpoint)],
                ));
                not_evaluated = Some(OPENSEARCH_NOT_READ.into());
            }
            K::OpenSearchServerless => {
                // https://<collection id>.<region>.aoss.amazonaws.com
                let id = d
                    .endpoint
                    .trim_start_matches("https://")
                    .split('.')
                    .next()
                    .unwrap_or("");
                match arn_parts(&stream.arn) {
                    Some((part, _, region, account, _)) if !id.is_empty() => {
                        checks.push(Check::new(
                            &["aoss:APIAccessAll"],
                            vec![format!(
                                "arn:{part}:aoss:{region}:{account}:collection/{id}"
                            )],
                        ));
                        not_evaluated = Some(
                            "the collection's data access policy (not an IAM policy)".to_string(),
                        );
                    }
                    _ => {
                        not_evaluated =
                            Some("access to the OpenSearch Serverless collection".into())
                    }
                }
            }
            K::OpenSearch | K::Elasticsearch => {
                not_evaluated = Some("access to the OpenSearch domain (no domain ARN)".into())
            }
            K::Iceberg => {
                not_evaluated = Some("access to the Iceberg tables (Glue, Lake Formation)".into())
            }
            _ => {}
        }
    }
    if stream.format_conversion {
        not_evaluated = Some("the Glue table record format conversion reads".into());
    }
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
        not_evaluated,
        keys_not_given_absent: false,
        dead_letter: None,
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
                    Check::new(
                        &["kafka-cluster:DescribeGroup"],
                        vec![format!(
                            "{}/*",
                            cluster_arn.replacen(":cluster/", ":group/", 1)
                        )],
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
            not_evaluated: None,
            keys_not_given_absent: false,
            dead_letter: None,
        },
        None => SimRequest::unsimulatable(
            title,
            "the source has no RoleARN: Firehose needs a role to read it",
        ),
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
            // EventBridge assumes the target's own role to call Firehose or Kinesis (the
            // rule's RoleArn is for other buses), so a target without one cannot be called.
            let role = t.role_arn.clone();
            Some(match role {
                Some(role) => SimRequest {
                    title,
                    subject: Subject::Principal(role),
                    checks: vec![Check::new(actions, vec![t.arn.clone()])],
                    bucket: None,
                    problem: None,
                    trust: Some(TrustCheck::events(&rule.arn)),
                    context: service_context(),
                    not_evaluated: None,
                    keys_not_given_absent: false,
                    dead_letter: t.dead_letter_arn.clone().map(|queue| DeadLetterCheck {
                        queue,
                        rule_arn: rule.arn.clone(),
                    }),
                },
                None => SimRequest::unsimulatable(
                    title,
                    "the target has no RoleArn: EventBridge needs a role to call Firehose",
                ),
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
    SimRequest::new(
        format!("Policy {name} allows writing to Firehose"),
        Subject::ManagedPolicy(name.to_string()),
        vec![Check::new(
            &["firehose:PutRecord", "firehose:PutRecordBatch"],
            resources,
        )],
    )
}

/// Every simulation `p` runs for a stream: its delivery role, each rule feeding it (and the
/// senders of other accounts that rule's pattern names), and the writer policy on it.
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
                    .any(|o| o.subject == q.subject && o.checks == q.checks && o.trust == q.trust);
            if to_this && !asked {
                v.push(q);
            }
        }
        v.extend(producer_requests(r));
    }
    if !writer_policy.is_empty() {
        v.push(writer_request(writer_policy, vec![stream.arn.clone()]));
    }
    v
}

/// Every simulation `p` runs for a rule: each target role, the senders of other accounts its
/// pattern names (the bus policy), and the writer policy on its delivery streams — only when it has some (a rule that targets a Kinesis data stream is not
/// checked against a Firehose policy on `*`).
pub fn for_rule(rule: &Rule, writer_policy: &str) -> Vec<SimRequest> {
    let mut v = rule_requests(rule);
    v.extend(producer_requests(rule));
    let streams = rule.firehose_target_arns();
    if !writer_policy.is_empty() && !streams.is_empty() {
        v.push(writer_request(writer_policy, streams));
    }
    v
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
