//! The differential test of the local evaluator ([`super::eval`]) against an independent IAM
//! simulator, `@cloud-copilot/iam-simulate` (npm, pinned in `tests/iamsim/package.json` and
//! its lock file; `tests/run.sh` installs it). A deterministic generator makes cases over the
//! policy kinds fhtop reads — identity, permissions boundary, bucket / KMS key / Kinesis stream
//! policies, conditions with set operators, cross-account, NotPrincipal, NotAction,
//! NotResource, wildcards — plus the examples of issue 25; `tests/iamsim/run.mjs` decides each
//! with the simulator, and every answer of fhtop must agree: no "allowed" where it denies, no
//! "denied" where it allows, and each "undetermined" names what it needs.
//!
//! Where fhtop is deliberately not the simulator's answer it is undetermined, never the
//! opposite decision, and the reason is at the rule in `eval.rs`:
//! - a Principal naming a role *session* while fhtop simulates the role: the real caller is a
//!   session whose name fhtop does not know;
//! - a Deny with NotPrincipal that names the role but not its account: the IAM User Guide
//!   (NotPrincipal) says AWS may check the account first, which is then not excluded.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::eval::{self, Decision, Missing, PolicyKind};

const ACCT: &str = "111122223333";
const OTHER: &str = "444455556666";
const ROLE: &str = "arn:aws:iam::111122223333:role/fh-delivery";
const OTHER_ROLE: &str = "arn:aws:iam::111122223333:role/admin";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const FOREIGN_KEY: &str =
    "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OBJECT: &str = "arn:aws:s3:::acme-lake/data/2024/x.gz";
const BUCKET: &str = "arn:aws:s3:::acme-lake";
const STREAM: &str = "arn:aws:kinesis:us-east-1:111122223333:stream/source";
const FOREIGN_STREAM: &str = "arn:aws:kinesis:us-east-1:444455556666:stream/source";
const DELIVERY: &str = "arn:aws:firehose:us-east-1:111122223333:deliverystream/orders";

/// One generated case.
#[derive(Debug, Clone)]
struct Case {
    id: String,
    /// The policy kind it exercises, for the agreement figures.
    kind: &'static str,
    identity: Vec<Value>,
    boundary: Option<Value>,
    resource_policy: Option<Value>,
    principal: String,
    action: String,
    resource: String,
    resource_account: String,
    /// Original-case key → values (one value is sent as a string, except aws:TagKeys).
    context: BTreeMap<String, Vec<String>>,
    /// How fhtop takes keys not in the context: Absent (as SimulatePrincipalPolicy and the
    /// simulator do), or Unknown (a service's request whose value fhtop cannot know).
    missing: Missing,
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A target: action, resource, the resource's account, and the actions of the same service.
struct Target {
    action: &'static str,
    resource: &'static str,
    account: &'static str,
    service: &'static str,
    /// A narrower resource pattern that still covers `resource`, and one that does not.
    covering: &'static str,
    missing_it: &'static str,
}

const TARGETS: [Target; 7] = [
    Target {
        action: "s3:PutObject",
        resource: OBJECT,
        account: ACCT,
        service: "s3",
        covering: "arn:aws:s3:::acme-lake/data/*",
        missing_it: "arn:aws:s3:::acme-lake/errors/*",
    },
    Target {
        action: "s3:ListBucket",
        resource: BUCKET,
        account: ACCT,
        service: "s3",
        covering: "arn:aws:s3:::acme-*",
        missing_it: "arn:aws:s3:::other-bucket",
    },
    Target {
        action: "kms:GenerateDataKey",
        resource: KEY,
        account: ACCT,
        service: "kms",
        covering: "arn:aws:kms:us-east-1:111122223333:key/*",
        missing_it: "arn:aws:kms:us-east-1:111122223333:key/ffff*",
    },
    Target {
        action: "kinesis:GetRecords",
        resource: STREAM,
        account: ACCT,
        service: "kinesis",
        covering: "arn:aws:kinesis:*:111122223333:stream/sou?ce",
        missing_it: "arn:aws:kinesis:us-east-1:111122223333:stream/other",
    },
    Target {
        action: "firehose:PutRecordBatch",
        resource: DELIVERY,
        account: ACCT,
        service: "firehose",
        covering: "arn:aws:firehose:us-east-1:111122223333:deliverystream/*",
        missing_it: "arn:aws:firehose:us-east-1:111122223333:deliverystream/other",
    },
    Target {
        action: "kms:Decrypt",
        resource: FOREIGN_KEY,
        account: OTHER,
        service: "kms",
        covering: "arn:aws:kms:us-east-1:*:key/*",
        missing_it: "arn:aws:kms:us-east-1:111122223333:key/*",
    },
    Target {
        action: "kinesis:GetRecords",
        resource: FOREIGN_STREAM,
        account: OTHER,
        service: "kinesis",
        covering: "arn:aws:kinesis:us-east-1:444455556666:stream/*",
        missing_it: "arn:aws:kinesis:us-east-1:111122223333:stream/*",
    },
];

/// A condition with the context values that make it true, false, or leave its key absent.
struct Cond {
    op: &'static str,
    key: &'static str,
    values: &'static [&'static str],
    contexts: &'static [&'static [&'static str]],
}

const CONDS: [Cond; 16] = [
    Cond {
        op: "StringEquals",
        key: "aws:PrincipalTag/team",
        values: &["data"],
        contexts: &[&["data"], &["ops"], &[]],
    },
    Cond {
        op: "StringNotEqualsIfExists",
        key: "aws:SourceVpce",
        values: &["vpce-1a2b3c4d"],
        contexts: &[&["vpce-1a2b3c4d"], &["vpce-99999999"], &[]],
    },
    Cond {
        op: "Bool",
        key: "aws:SecureTransport",
        values: &["false"],
        contexts: &[&["true"], &["false"], &[]],
    },
    Cond {
        op: "IpAddress",
        key: "aws:SourceIp",
        values: &["10.0.0.0/8"],
        contexts: &[&["10.1.2.3"], &["192.168.1.1"], &[]],
    },
    Cond {
        op: "NotIpAddress",
        key: "aws:SourceIp",
        values: &["10.0.0.0/8", "172.16.0.0/12"],
        contexts: &[&["10.1.2.3"], &["192.168.1.1"], &[]],
    },
    Cond {
        op: "DateGreaterThan",
        key: "aws:CurrentTime",
        values: &["2020-01-01T00:00:00Z"],
        contexts: &[&["2024-06-01T12:00:00Z"], &["2019-06-01T12:00:00Z"], &[]],
    },
    Cond {
        op: "DateLessThan",
        key: "aws:CurrentTime",
        values: &["2030-01-01T00:00:00Z"],
        contexts: &[&["2024-06-01T12:00:00Z"], &["2031-06-01T12:00:00Z"], &[]],
    },
    Cond {
        op: "Null",
        key: "aws:SourceVpce",
        values: &["true"],
        contexts: &[&[], &["vpce-1a2b3c4d"]],
    },
    Cond {
        op: "ArnLike",
        key: "aws:PrincipalArn",
        values: &["arn:aws:iam::111122223333:role/fh-*"],
        contexts: &[
            &["arn:aws:iam::111122223333:role/fh-delivery"],
            &["arn:aws:iam::111122223333:role/admin"],
            &[],
        ],
    },
    Cond {
        op: "StringEquals",
        key: "aws:PrincipalAccount",
        values: &["111122223333"],
        contexts: &[&["111122223333"], &["444455556666"], &[]],
    },
    Cond {
        op: "ForAnyValue:StringEquals",
        key: "aws:TagKeys",
        values: &["team", "cost-center"],
        contexts: &[&["team", "env"], &["env"], &[]],
    },
    Cond {
        op: "ForAllValues:StringLike",
        key: "aws:TagKeys",
        values: &["team*", "env"],
        contexts: &[&["team-a", "env"], &["team-a", "owner"], &[]],
    },
    Cond {
        op: "ForAllValues:StringNotEquals",
        key: "aws:TagKeys",
        values: &["secret"],
        contexts: &[&["team", "env"], &["team", "secret"], &[]],
    },
    Cond {
        op: "ForAnyValue:StringNotLike",
        key: "aws:TagKeys",
        values: &["team*"],
        contexts: &[&["team-a", "env"], &["team-a"], &[]],
    },
    Cond {
        op: "StringLikeIfExists",
        key: "aws:PrincipalTag/project",
        values: &["fh-*"],
        contexts: &[&["fh-orders"], &["web"], &[]],
    },
    Cond {
        op: "NumericLessThanEquals",
        key: "aws:MultiFactorAuthAge",
        values: &["3600"],
        contexts: &[&["100"], &["7200"], &[]],
    },
];

/// Adds a random condition to `st`, and its context value (or none) to `ctx`.
fn add_condition(rng: &mut Rng, st: &mut Value, ctx: &mut BTreeMap<String, Vec<String>>) {
    let c = rng.pick(&CONDS);
    st["Condition"] = json!({ c.op: { c.key: c.values } });
    // Another condition on the same key keeps the context it already chose.
    if ctx.contains_key(c.key) {
        return;
    }
    let v = rng.pick(c.contexts);
    if !v.is_empty() {
        ctx.insert(c.key.to_string(), v.iter().map(|s| s.to_string()).collect());
    }
}

fn stmt(allow: bool, actions: Value, resources: Value) -> Value {
    json!({"Effect": if allow {"Allow"} else {"Deny"}, "Action": actions, "Resource": resources})
}

/// A statement of an identity policy or boundary about `t`.
fn principal_statement(
    rng: &mut Rng,
    t: &Target,
    allow: bool,
    ctx: &mut BTreeMap<String, Vec<String>>,
) -> Value {
    let service_all = format!("{}:*", t.service);
    let action: Value = match rng.below(6) {
        0 => json!(t.action),
        1 => json!(service_all),
        2 => json!("*"),
        3 => json!([t.action.to_ascii_lowercase()]),
        4 => json!(format!("{}:Get*", t.service)),
        _ => json!(["logs:PutLogEvents", t.action]),
    };
    let resource: Value = match rng.below(5) {
        0 => json!("*"),
        1 => json!(t.resource),
        2 => json!(t.covering),
        3 => json!(t.missing_it),
        _ => json!([t.missing_it, t.covering]),
    };
    let mut st = match rng.below(8) {
        // NotAction / NotResource
        0 => json!({"Effect": if allow {"Allow"} else {"Deny"},
                     "NotAction": rng.pick(&[json!("iam:*"), json!(t.action), json!([format!("{}:*", t.service)])]).clone(),
                     "Resource": resource}),
        1 => json!({"Effect": if allow {"Allow"} else {"Deny"}, "Action": action,
                     "NotResource": rng.pick(&[json!(t.missing_it), json!(t.resource), json!(t.covering)]).clone()}),
        _ => stmt(allow, action, resource),
    };
    if rng.chance(30) {
        add_condition(rng, &mut st, ctx);
    }
    st
}

/// A Principal / NotPrincipal value for a resource policy.
fn principal_value(rng: &mut Rng) -> (Value, &'static str) {
    let session = "arn:aws:sts::111122223333:assumed-role/fh-delivery/firehose";
    let choices: [(Value, &'static str); 11] = [
        (json!({"AWS": ROLE}), "role"),
        (json!("*"), "star"),
        (json!({"AWS": "*"}), "star"),
        (
            json!({"AWS": format!("arn:aws:iam::{ACCT}:root")}),
            "account",
        ),
        (json!({"AWS": ACCT}), "account"),
        (
            json!({"AWS": format!("arn:aws:iam::{OTHER}:root")}),
            "other account",
        ),
        (json!({"AWS": OTHER_ROLE}), "other role"),
        (
            json!({"AWS": "arn:aws:iam::111122223333:role/fh-*"}),
            "partial wildcard",
        ),
        (json!({"Service": "firehose.amazonaws.com"}), "service"),
        (json!({"AWS": session}), "session"),
        (json!({"AWS": [OTHER_ROLE, ROLE]}), "role"),
    ];
    let (v, k) = rng.pick(&choices);
    (v.clone(), k)
}

fn resource_statement(
    rng: &mut Rng,
    t: &Target,
    allow: bool,
    ctx: &mut BTreeMap<String, Vec<String>>,
) -> Value {
    let (p, _) = principal_value(rng);
    let action: Value = match rng.below(4) {
        0 => json!(t.action),
        1 => json!(format!("{}:*", t.service)),
        2 => json!("*"),
        _ => json!(format!("{}:List*", t.service)),
    };
    let resource: Value = if t.service == "kms" {
        json!("*")
    } else {
        match rng.below(4) {
            0 => json!(t.resource),
            1 => json!(t.covering),
            2 => json!(t.missing_it),
            _ => json!([t.resource, format!("{}/*", t.resource)]),
        }
    };
    let not_principal = !allow && rng.chance(20);
    let mut st =
        json!({"Effect": if allow {"Allow"} else {"Deny"}, "Action": action, "Resource": resource});
    if not_principal {
        let np = match rng.below(4) {
            0 => json!({"AWS": [ROLE, format!("arn:aws:iam::{ACCT}:root")]}),
            1 => json!({"AWS": OTHER_ROLE}),
            2 => json!({"AWS": format!("arn:aws:iam::{ACCT}:root")}),
            _ => json!({"AWS": ROLE}),
        };
        st["NotPrincipal"] = np;
    } else {
        st["Principal"] = p;
    }
    if rng.chance(25) {
        add_condition(rng, &mut st, ctx);
    }
    st
}

fn kind_of(t: &Target, has_rp: bool) -> &'static str {
    if t.account != ACCT {
        return "cross-account";
    }
    match (t.service, has_rp) {
        ("s3", true) => "bucket policy",
        ("kms", _) => "KMS key policy",
        ("kinesis", true) => "stream policy",
        _ => "identity + boundary",
    }
}

fn generated(n: usize) -> Vec<Case> {
    let mut rng = Rng(0x5EED_0025_1A3F_0001);
    let mut out = Vec::new();
    for i in 0..n {
        let t = &TARGETS[i % TARGETS.len()];
        let mut ctx = BTreeMap::new();
        let mut identity = Vec::new();
        for _ in 0..rng.below(3) + 1 {
            let allow = rng.chance(75);
            identity.push(doc(vec![principal_statement(&mut rng, t, allow, &mut ctx)]));
        }
        let boundary = rng.chance(40).then(|| {
            let mut sts = vec![principal_statement(&mut rng, t, true, &mut ctx)];
            if rng.chance(30) {
                sts.push(stmt(true, json!("logs:*"), json!("*")));
            }
            doc(sts)
        });
        // Every KMS key has a key policy; buckets and streams may have none.
        let has_rp = t.service == "kms" || (t.service != "firehose" && rng.chance(70));
        let resource_policy = has_rp.then(|| {
            let mut sts = Vec::new();
            if t.service == "kms" && rng.chance(60) {
                sts.push(json!({"Sid": "EnableIam", "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")},
                    "Action": "kms:*", "Resource": "*"}));
            }
            for _ in 0..rng.below(2) + 1 {
                let allow = rng.chance(65);
                sts.push(resource_statement(&mut rng, t, allow, &mut ctx));
            }
            doc(sts)
        });
        let missing = if rng.chance(15) {
            Missing::Unknown
        } else {
            Missing::Absent
        };
        let resource = if t.account == ACCT && rng.chance(8) {
            // `perms custom` without --resource.
            if t.service == "s3" {
                "arn:aws:s3:::acme-lake/*"
            } else {
                "*"
            }
        } else {
            t.resource
        };
        let kind = if resource.contains('*') {
            "wildcard request resource"
        } else {
            kind_of(t, resource_policy.is_some())
        };
        out.push(Case {
            id: format!("gen-{i}"),
            kind,
            identity,
            boundary,
            resource_policy,
            principal: ROLE.to_string(),
            action: t.action.to_string(),
            resource: resource.to_string(),
            resource_account: t.account.to_string(),
            context: ctx,
            missing,
        });
    }
    out
}

fn example(
    id: &str,
    identity: Vec<Value>,
    boundary: Option<Value>,
    resource_policy: Option<Value>,
    action: &str,
    resource: &str,
    account: &str,
) -> Case {
    Case {
        id: id.to_string(),
        kind: "issue 25 examples",
        identity,
        boundary,
        resource_policy,
        principal: ROLE.to_string(),
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: account.to_string(),
        context: BTreeMap::new(),
        missing: Missing::Absent,
    }
}

/// The examples of issue 25, each with its healthy twin.
fn examples() -> Vec<Case> {
    let all = |a: &str| doc(vec![stmt(true, json!(a), json!("*"))]);
    let to = |p: Value, allow: bool, a: &str, r: &str| {
        doc(vec![
            json!({"Effect": if allow {"Allow"} else {"Deny"}, "Principal": p, "Action": a, "Resource": r}),
        ])
    };
    vec![
        // (a) key policy naming the role, boundary only s3:*.
        example(
            "a-key-policy-boundary",
            vec![all("kms:*")],
            Some(all("s3:*")),
            Some(to(json!({"AWS": ROLE}), true, "kms:*", "*")),
            "kms:GenerateDataKey",
            KEY,
            ACCT,
        ),
        example(
            "a-key-policy-boundary-twin",
            vec![all("kms:*")],
            Some(all("kms:*")),
            Some(to(json!({"AWS": ROLE}), true, "kms:*", "*")),
            "kms:GenerateDataKey",
            KEY,
            ACCT,
        ),
        // (b) a Deny naming the account.
        example(
            "b-deny-account-root",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": format!("arn:aws:iam::{ACCT}:root")}),
                false,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "b-deny-account-id",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": ACCT}),
                false,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "b-deny-other-account-twin",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": OTHER}),
                false,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (c) a partial wildcard in Principal.
        example(
            "c-partial-wildcard",
            vec![],
            None,
            Some(to(
                json!({"AWS": "arn:aws:iam::111122223333:role/fh-*"}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "c-partial-wildcard-twin",
            vec![],
            None,
            Some(to(
                json!({"AWS": ROLE}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (d) a bucket in another account.
        example(
            "d-cross-account-bucket",
            vec![all("s3:*")],
            None,
            None,
            "s3:PutObject",
            OBJECT,
            OTHER,
        ),
        example(
            "d-cross-account-bucket-twin",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": ROLE}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            OTHER,
        ),
        // (e) NotPrincipal + Deny with a boundary.
        example(
            "e-notprincipal-boundary",
            vec![all("s3:*")],
            Some(all("s3:*")),
            Some(doc(vec![
                json!({"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE, format!("arn:aws:iam::{ACCT}:root")]}, "Action": "s3:*", "Resource": "arn:aws:s3:::acme-lake/*"}),
            ])),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "e-notprincipal-boundary-twin",
            vec![all("s3:*")],
            None,
            Some(doc(vec![
                json!({"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE, format!("arn:aws:iam::{ACCT}:root")]}, "Action": "s3:*", "Resource": "arn:aws:s3:::acme-lake/*"}),
            ])),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (f) a grant to '*' where the boundary omits the action: not limited within the account.
        example(
            "f-grant-star-boundary",
            vec![],
            Some(all("kinesis:*")),
            Some(to(
                json!("*"),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "f-grant-role-boundary",
            vec![],
            Some(all("kinesis:*")),
            Some(to(
                json!({"AWS": ROLE}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (g) a request resource of '*'.
        example(
            "g-star-request",
            vec![doc(vec![stmt(
                true,
                json!("firehose:PutRecordBatch"),
                json!(DELIVERY),
            )])],
            None,
            None,
            "firehose:PutRecordBatch",
            "*",
            ACCT,
        ),
        example(
            "g-star-request-denied-twin",
            vec![doc(vec![stmt(
                true,
                json!("firehose:PutRecord"),
                json!(DELIVERY),
            )])],
            None,
            None,
            "firehose:PutRecordBatch",
            "*",
            ACCT,
        ),
    ]
}

fn parse(name: &str, kind: PolicyKind, v: &Value) -> eval::Policy {
    eval::parse(name, kind, &v.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// fhtop's decision for a case (keys the simulator drops for the action are dropped here too).
fn fhtop(c: &Case, dropped: &[String]) -> eval::Evaluation {
    let mut policies: Vec<eval::Policy> = c
        .identity
        .iter()
        .enumerate()
        .map(|(i, p)| parse(&format!("identity{i}"), PolicyKind::Identity, p))
        .collect();
    if let Some(b) = &c.boundary {
        policies.push(parse("boundary", PolicyKind::Boundary, b));
    }
    if let Some(r) = &c.resource_policy {
        policies.push(parse("resource", PolicyKind::Resource, r));
    }
    let ctx: BTreeMap<String, Vec<String>> = c
        .context
        .iter()
        .filter(|(k, _)| !dropped.iter().any(|d| d.eq_ignore_ascii_case(k)))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    eval::evaluate(
        &policies,
        &eval::Request {
            principal: &c.principal,
            account: &c.resource_account,
            action: &c.action,
            resource: &c.resource,
            context: &ctx,
            missing: c.missing,
        },
    )
}

fn case_json(c: &Case) -> Value {
    let ctx: serde_json::Map<String, Value> = c
        .context
        .iter()
        .map(|(k, v)| {
            let value = if v.len() == 1 && k != "aws:TagKeys" {
                json!(v[0])
            } else {
                json!(v)
            };
            (k.clone(), value)
        })
        .collect();
    json!({
        "id": c.id, "identity": c.identity, "boundary": c.boundary,
        "resource_policy": c.resource_policy, "principal": c.principal, "action": c.action,
        "resource": c.resource, "resource_account": c.resource_account, "context": ctx,
    })
}

/// The simulator's answers, by case id. Fails (never skips) when node or the pinned package
/// is missing.
fn simulate(cases: &[Case]) -> BTreeMap<String, Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/iamsim");
    assert!(
        dir.join("node_modules/@cloud-copilot/iam-simulate")
            .is_dir(),
        "the IAM reference simulator is not installed: run `npm ci --prefix tests/iamsim` \
         (tests/run.sh does it)"
    );
    let mut child = Command::new("node")
        .arg("run.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `node` ({e}): install Node.js and npm (tests/run.sh does it)")
        });
    let input = Value::Array(cases.iter().map(case_json).collect()).to_string();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("node's output");
    writer.join().expect("writer").expect("write cases");
    assert!(
        out.status.success(),
        "tests/iamsim/run.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON answers");
    answers
        .into_iter()
        .map(|a| (a["id"].as_str().unwrap_or_default().to_string(), a))
        .collect()
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    agree: usize,
    undetermined: usize,
    wrong_allowed: usize,
    wrong_denied: usize,
    invalid: usize,
    /// Cases the simulator allows (a kind with none, or all, would test nothing).
    sim_allowed: usize,
    keys: Vec<String>,
}

#[test]
fn the_local_evaluator_agrees_with_an_independent_simulator() {
    let mut cases = examples();
    cases.extend(generated(700));
    let answers = simulate(&cases);
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for c in &cases {
        let a = &answers[&c.id];
        let t = tallies.entry(c.kind).or_default();
        let sim = a["decision"].as_str().unwrap_or("");
        if sim == "Error" {
            t.invalid += 1;
            continue;
        }
        t.cases += 1;
        let dropped: Vec<String> = a["ignored"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let e = fhtop(c, &dropped);
        let sim_allowed = sim == "Allowed";
        t.sim_allowed += usize::from(sim_allowed);
        match &e.decision {
            Decision::Undetermined(k) => {
                t.undetermined += 1;
                if k.trim().is_empty() {
                    failures.push(format!("{}: undetermined without a key", c.id));
                }
                if !t.keys.contains(k) {
                    t.keys.push(k.clone());
                }
            }
            Decision::Allowed if !sim_allowed => {
                t.wrong_allowed += 1;
                failures.push(format!(
                    "{}: fhtop allowed, simulator {sim}: {}",
                    c.id,
                    case_json(c)
                ));
            }
            Decision::ImplicitDeny | Decision::ExplicitDeny if sim_allowed => {
                t.wrong_denied += 1;
                failures.push(format!(
                    "{}: fhtop {:?}, simulator allowed: {}",
                    c.id,
                    e.decision,
                    case_json(c)
                ));
            }
            _ => t.agree += 1,
        }
    }
    let mut total = Tally::default();
    for (kind, t) in &tallies {
        eprintln!(
            "{kind:28} cases {:4} (allowed {:3}) agree {:4} undetermined {:3} wrong-allowed {} wrong-denied {} invalid {} keys {:?}",
            t.cases,
            t.sim_allowed,
            t.agree,
            t.undetermined,
            t.wrong_allowed,
            t.wrong_denied,
            t.invalid,
            t.keys
        );
        assert!(
            t.sim_allowed > 0 && t.sim_allowed < t.cases,
            "{kind}: the simulator allows {} of {} cases: the generator tests nothing there",
            t.sim_allowed,
            t.cases
        );
        total.cases += t.cases;
        total.agree += t.agree;
        total.undetermined += t.undetermined;
        total.invalid += t.invalid;
    }
    eprintln!(
        "total: cases {} agree {} undetermined {} invalid {}",
        total.cases, total.agree, total.undetermined, total.invalid
    );
    assert!(total.cases >= 500, "only {} valid cases", total.cases);
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
