//! The generated cases: random but seeded policies over every kind fhtop reads.

use super::*;

/// xorshift64*: deterministic, no dependency.
pub(super) struct Rng(u64);

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

pub(super) fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A target: action, resource, the resource's account, and the actions of the same service.
pub(super) struct Target {
    pub(super) action: &'static str,
    pub(super) resource: &'static str,
    pub(super) account: &'static str,
    pub(super) service: &'static str,
    /// A narrower resource pattern that still covers `resource`, and one that does not.
    pub(super) covering: &'static str,
    pub(super) missing_it: &'static str,
}

pub(super) const TARGETS: [Target; 7] = [
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
pub(super) struct Cond {
    pub(super) op: &'static str,
    pub(super) key: &'static str,
    pub(super) values: &'static [&'static str],
    pub(super) contexts: &'static [&'static [&'static str]],
}

pub(super) const CONDS: [Cond; 16] = [
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
pub(super) fn add_condition(
    rng: &mut Rng,
    st: &mut Value,
    ctx: &mut BTreeMap<String, Vec<String>>,
) {
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

pub(super) fn stmt(allow: bool, actions: Value, resources: Value) -> Value {
    json!({"Effect": if allow {"Allow"} else {"Deny"}, "Action": actions, "Resource": resources})
}

/// A statement of an identity policy or boundary about `t`.
pub(super) fn principal_statement(
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
pub(super) fn principal_value(rng: &mut Rng) -> (Value, &'static str) {
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

pub(super) fn resource_statement(
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

pub(super) fn kind_of(t: &Target, has_rp: bool) -> &'static str {
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

pub(super) fn generated(n: usize) -> Vec<Case> {
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
