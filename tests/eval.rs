//! The local IAM evaluator, rule by rule (the fallback engine of the permission simulations).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

use std::collections::BTreeMap;

use fhtop::judge::iam::eval::{
    Decision, Evaluation, Missing, Policy, PolicyKind, Request, evaluate, glob, parse,
};

const ROLE: &str = "arn:aws:iam::123456789012:role/firehose-delivery";
const BUCKET: &str = "arn:aws:s3:::acme-lake";
const OBJECTS: &str = "arn:aws:s3:::acme-lake/data/*";

fn policy(kind: PolicyKind, name: &str, statements: &str) -> Policy {
    let doc = format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#);
    parse(name, kind, &doc).expect("test policy parses")
}

fn identity(statements: &str) -> Policy {
    policy(PolicyKind::Identity, "identity", statements)
}

fn ctx() -> BTreeMap<String, Vec<String>> {
    fhtop::judge::iam::context(ROLE)
}

fn evaluation(policies: &[Policy], action: &str, resource: &str) -> Evaluation {
    let c = ctx();
    evaluate(
        policies,
        &Request {
            principal: ROLE,
            account: "123456789012",
            action,
            resource,
            context: &c,
            missing: Missing::Unknown,
        },
    )
}

fn decide(policies: &[Policy], action: &str, resource: &str) -> Decision {
    evaluation(policies, action, resource).decision
}

#[test]
fn wildcards_star_and_question_mark() {
    let table = [
        ("*", "", true),
        ("*", "anything", true),
        ("s3:*", "s3:PutObject", true),
        ("s3:Put*", "s3:PutObject", true),
        ("s3:Put*", "s3:GetObject", false),
        ("s3:?etObject", "s3:GetObject", true),
        ("s3:?etObject", "s3:GeetObject", false),
        ("arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a/b/x", true),
        ("arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a/b/y", false),
        ("a*b*c", "abc", true),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbY", false),
        ("exact", "exac", false),
    ];
    for (p, t, want) in table {
        assert_eq!(glob(p, t), want, "glob({p:?}, {t:?})");
    }
}

#[test]
fn allow_matches_and_nothing_else_is_allowed() {
    let p = [identity(
        r#"[{"Sid":"Put","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-lake/*"}]"#,
    )];
    assert_eq!(decide(&p, "s3:PutObject", OBJECTS), Decision::Allowed);
    assert_eq!(decide(&p, "s3:GetObject", OBJECTS), Decision::ImplicitDeny);
    assert_eq!(
        decide(&p, "s3:PutObject", "arn:aws:s3:::other/x"),
        Decision::ImplicitDeny
    );
    let e = evaluation(&p, "s3:PutObject", OBJECTS);
    assert_eq!(e.matched.len(), 1);
    assert_eq!(e.matched[0].policy, "identity");
    assert_eq!(e.matched[0].sid.as_deref(), Some("Put"));
}

#[test]
fn actions_are_case_insensitive_resources_are_not() {
    let p = [identity(
        r#"{"Effect":"Allow","Action":"S3:putobject","Resource":"arn:aws:s3:::acme-lake/*"}"#,
    )];
    assert_eq!(decide(&p, "s3:PutObject", OBJECTS), Decision::Allowed);
    assert_eq!(
        decide(&p, "s3:PutObject", "arn:aws:s3:::ACME-LAKE/data/x"),
        Decision::ImplicitDeny
    );
}

#[test]
fn not_action_and_not_resource_invert_the_match() {
    let p = [identity(
        r#"[{"Effect":"Allow","NotAction":"s3:DeleteObject","Resource":"*"}]"#,
    )];
    assert_eq!(decide(&p, "s3:PutObject", OBJECTS), Decision::Allowed);
    assert_eq!(
        decide(&p, "s3:DeleteObject", OBJECTS),
        Decision::ImplicitDeny
    );
    let p = [identity(
        r#"[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}]"#,
    )];
    assert_eq!(decide(&p, "s3:PutObject", OBJECTS), Decision::Allowed);
    assert_eq!(
        decide(&p, "s3:PutObject", "arn:aws:s3:::secret/x"),
        Decision::ImplicitDeny
    );
}

#[test]
fn explicit_deny_wins_over_any_allow() {
    let p = [
        identity(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
        policy(
            PolicyKind::Identity,
            "guardrail",
            r#"{"Sid":"NoPuts","Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-lake/*"}"#,
        ),
    ];
    assert_eq!(decide(&p, "s3:PutObject", OBJECTS), Decision::ExplicitDeny);
    assert_eq!(decide(&p, "s3:GetObject", OBJECTS), Decision::Allowed);
}

#[test]
fn the_permissions_boundary_intersects() {
    let allow_all = identity(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
    let boundary = policy(
        PolicyKind::Boundary,
        "boundary",
        r#"{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}"#,
    );
    let p = [allow_all, boundary];
    assert_eq!(decide(&p, "s3:GetObject", OBJECTS), Decision::Allowed);
    assert_eq!(decide(&p, "s3:PutObject", OBJECTS), Decision::ImplicitDeny);
    // The boundary alone grants nothing.
    let only_boundary = [policy(
        PolicyKind::Boundary,
        "boundary",
        r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#,
    )];
    assert_eq!(
        decide(&only_boundary, "s3:GetObject", OBJECTS),
        Decision::ImplicitDeny
    );
    // And it says it was the boundary.
    let e = evaluation(&p, "s3:PutObject", OBJECTS);
    assert_eq!(e.blocked_by_boundary.as_deref(), Some("boundary"));
}

#[test]
fn a_same_account_bucket_policy_grants_to_the_role_arn_but_not_to_the_account() {
    let to_role = policy(
        PolicyKind::Resource,
        "bucket policy",
        &format!(
            r#"{{"Sid":"Firehose","Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-lake/*"}}"#
        ),
    );
    assert_eq!(
        decide(std::slice::from_ref(&to_role), "s3:PutObject", OBJECTS),
        Decision::Allowed
    );
    assert_eq!(
        decide(&[to_role], "s3:GetObject", OBJECTS),
        Decision::ImplicitDeny
    );
    let to_account = policy(
        PolicyKind::Resource,
        "bucket policy",
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        decide(&[to_account], "s3:PutObject", OBJECTS),
        Decision::ImplicitDeny
    );
    let to_service = policy(
        PolicyKind::Resource,
        "bucket policy",
        r#"{"Effect":"Allow","Principal":{"Service":"firehose.amazonaws.com"},"Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        decide(&[to_service], "s3:PutObject", OBJECTS),
        Decision::ImplicitDeny
    );
}

#[test]
fn a_bucket_policy_deny_applies_and_tls_only_denies_are_decided_from_context() {
    let allow = identity(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    let deny_other = policy(
        PolicyKind::Resource,
        "bucket policy",
        r#"{"Sid":"OnlyAdmins","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-lake/*"}"#,
    );
    assert_eq!(
        decide(&[allow.clone(), deny_other], "s3:PutObject", OBJECTS),
        Decision::ExplicitDeny
    );
    let tls_only = policy(
        PolicyKind::Resource,
        "bucket policy",
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::acme-lake","arn:aws:s3:::acme-lake/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    assert_eq!(
        decide(&[allow, tls_only], "s3:PutObject", OBJECTS),
        Decision::Allowed
    );
}

#[test]
fn a_condition_it_cannot_decide_is_undetermined_never_allowed() {
    let p = [identity(
        r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
    )];
    assert_eq!(
        decide(&p, "s3:PutObject", OBJECTS),
        Decision::Undetermined("aws:SourceIp".into())
    );
    // A deny with an unknown condition next to an allow: undetermined, not allowed.
    let p = [
        identity(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
        identity(
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}"#,
        ),
    ];
    assert_eq!(
        decide(&p, "s3:PutObject", OBJECTS),
        Decision::Undetermined("aws:SourceVpce".into())
    );
    // ...but if nothing allows it, it is denied whatever the condition says.
    let p = [identity(
        r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}"#,
    )];
    assert_eq!(decide(&p, "s3:PutObject", OBJECTS), Decision::ImplicitDeny);
}

#[test]
fn conditions_on_known_keys_are_decided() {
    let table = [
        (
            r#"{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}"#,
            Decision::Allowed,
        ),
        (
            r#"{"StringEquals":{"aws:PrincipalAccount":"999999999999"}}"#,
            Decision::ImplicitDeny,
        ),
        (
            r#"{"StringNotEquals":{"aws:PrincipalAccount":"999999999999"}}"#,
            Decision::Allowed,
        ),
        (
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/firehose-*"}}"#,
            Decision::Allowed,
        ),
        (
            r#"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/firehose-*"}}"#,
            Decision::ImplicitDeny,
        ),
        (
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
            Decision::Allowed,
        ),
        // …IfExists on a key the context does not know: it may be present, so undecided.
        (
            r#"{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}"#,
            Decision::Undetermined("aws:SourceVpc".into()),
        ),
        // Every documented operator is decided (issue 25): 123456789012 < 5 is false.
        (
            r#"{"NumericLessThan":{"aws:PrincipalAccount":"5"}}"#,
            Decision::ImplicitDeny,
        ),
    ];
    for (cond, want) in table {
        let p = [identity(&format!(
            r#"{{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{cond}}}"#
        ))];
        assert_eq!(decide(&p, "s3:PutObject", OBJECTS), want, "{cond}");
    }
}

#[test]
fn documents_as_iam_returns_them_url_encoded_parse() {
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AListBucket%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aacme-lake%22%7D%5D%7D";
    let p = parse("encoded", PolicyKind::Identity, encoded).expect("parses");
    assert_eq!(decide(&[p], "s3:ListBucket", BUCKET), Decision::Allowed);
    assert!(parse("broken", PolicyKind::Identity, "{not json").is_err());
    assert!(parse("no statement", PolicyKind::Identity, r#"{"Version":"1"}"#).is_err());
    assert!(
        parse(
            "bad effect",
            PolicyKind::Identity,
            r#"{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}"#
        )
        .is_err()
    );
}

#[test]
fn no_policy_means_implicit_deny() {
    assert_eq!(decide(&[], "s3:PutObject", OBJECTS), Decision::ImplicitDeny);
}

#[test]
fn across_accounts_both_the_identity_and_the_resource_policy_must_allow() {
    let grant = policy(
        PolicyKind::Resource,
        "bucket policy",
        &format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"s3:PutObject","Resource":"*"}}"#
        ),
    );
    let allow = identity(r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}"#);
    let c = ctx();
    let other = |p: &[Policy]| {
        evaluate(
            p,
            &Request {
                principal: ROLE,
                account: "999999999999",
                action: "s3:PutObject",
                resource: OBJECTS,
                context: &c,
                missing: Missing::Unknown,
            },
        )
        .decision
    };
    assert_eq!(other(std::slice::from_ref(&grant)), Decision::ImplicitDeny);
    assert_eq!(other(std::slice::from_ref(&allow)), Decision::ImplicitDeny);
    assert_eq!(other(&[allow, grant]), Decision::Allowed);
}

/// Issue 10, kind 6: keys fhtop knows for a write Firehose makes. A key known to be absent
/// (no values in the context) makes positive operators false, negated ones true, `…IfExists`
/// true and `Null: true` true (IAM user guide, "Condition operators"); a key not in the context
/// at all stays undetermined.
#[test]
fn keys_known_absent_follow_the_iam_rules_and_unknown_keys_stay_undetermined() {
    let cond = |op: &str, key: &str, value: &str| {
        identity(&format!(
            r#"[{{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{{"{op}":{{"{key}":"{value}"}}}}}}]"#
        ))
    };
    let mut absent = ctx();
    absent.insert("aws:sourcevpce".into(), vec![]);
    let run = |p: &Policy, c: &BTreeMap<String, Vec<String>>| {
        evaluate(
            std::slice::from_ref(p),
            &Request {
                principal: ROLE,
                account: "123456789012",
                action: "s3:PutObject",
                resource: OBJECTS,
                context: c,
                missing: Missing::Unknown,
            },
        )
        .decision
    };
    // Set operators are decided by the IAM rules (issue 25): ForAnyValue on a key known to be
    // absent (an empty set) is false ("Set operators for multivalued context keys")...
    assert_eq!(
        run(
            &cond("ForAnyValue:StringNotEquals", "aws:SourceVpce", "vpce-1"),
            &absent
        ),
        Decision::ImplicitDeny
    );
    // ... and on a key fhtop cannot know, undetermined, naming it.
    assert_eq!(
        run(
            &cond("ForAnyValue:StringNotEquals", "aws:SourceVpce", "vpce-1"),
            &ctx()
        ),
        Decision::Undetermined("aws:SourceVpce".into())
    );
    let table = [
        ("StringEquals", "vpce-1", Decision::ImplicitDeny),
        ("StringNotEquals", "vpce-1", Decision::Allowed),
        ("StringLike", "vpce-*", Decision::ImplicitDeny),
        ("StringNotLike", "vpce-*", Decision::Allowed),
        ("StringEqualsIfExists", "vpce-1", Decision::Allowed),
        ("Null", "true", Decision::Allowed),
        ("Null", "false", Decision::ImplicitDeny),
    ];
    for (op, value, want) in table {
        assert_eq!(
            run(&cond(op, "aws:SourceVpce", value), &absent),
            want,
            "{op} on a key known absent"
        );
        // Not in the context at all: undecided, …IfExists too (the key may be there).
        let unknown = run(&cond(op, "aws:SourceVpce", value), &ctx());
        assert_eq!(
            unknown,
            Decision::Undetermined("aws:SourceVpce".into()),
            "{op} on an unknown key"
        );
    }
}

/// Example (a) of issue 10: a bucket policy that denies `s3:*` to everyone unless the request
/// comes through one VPC endpoint. Firehose never writes through the customer's endpoint: with
/// `aws:SourceVpce` known absent, the Deny applies.
#[test]
fn a_vpc_endpoint_only_bucket_policy_denies_firehose() {
    let bucket = policy(
        PolicyKind::Resource,
        "bucket policy of acme-lake",
        r#"[{"Sid":"OnlyThroughVpce","Effect":"Deny","Principal":"*","Action":"s3:*",
             "Resource":["arn:aws:s3:::acme-lake","arn:aws:s3:::acme-lake/*"],
             "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d"}}}]"#,
    );
    let grant = identity(
        r#"[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-lake/*"}]"#,
    );
    let mut c = ctx();
    c.insert("aws:sourcevpce".into(), vec![]);
    let e = evaluate(
        &[grant, bucket],
        &Request {
            principal: ROLE,
            account: "123456789012",
            action: "s3:PutObject",
            resource: OBJECTS,
            context: &c,
            missing: Missing::Unknown,
        },
    );
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.matched[0].sid.as_deref(), Some("OnlyThroughVpce"));
}

/// Example (b): the KMS statement AWS documents for a delivery role, conditioned on
/// `kms:ViaService` and the S3 encryption context, is allowed for the writes Firehose makes.
#[test]
fn the_documented_kms_statement_is_allowed_for_the_stream_s_writes() {
    let key = "arn:aws:kms:us-east-1:123456789012:key/k-1";
    let kms = identity(&format!(
        r#"[{{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"{key}",
              "Condition":{{"StringEquals":{{"kms:ViaService":"s3.us-east-1.amazonaws.com"}},
                            "StringLike":{{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::acme-lake/data/*"}}}}}}]"#
    ));
    let mut c = ctx();
    c.insert(
        "kms:viaservice".into(),
        vec!["s3.us-east-1.amazonaws.com".into()],
    );
    c.insert(
        "kms:encryptioncontext:aws:s3:arn".into(),
        vec!["arn:aws:s3:::acme-lake/data/".into()],
    );
    for action in ["kms:Decrypt", "kms:GenerateDataKey"] {
        let e = evaluate(
            std::slice::from_ref(&kms),
            &Request {
                principal: ROLE,
                account: "123456789012",
                action,
                resource: key,
                context: &c,
                missing: Missing::Unknown,
            },
        );
        assert_eq!(e.decision, Decision::Allowed, "{action}");
    }
    // Through another service the same statement does not apply.
    c.insert(
        "kms:viaservice".into(),
        vec!["sqs.us-east-1.amazonaws.com".into()],
    );
    let e = evaluate(
        std::slice::from_ref(&kms),
        &Request {
            principal: ROLE,
            account: "123456789012",
            action: "kms:Decrypt",
            resource: key,
            context: &c,
            missing: Missing::Unknown,
        },
    );
    assert_eq!(e.decision, Decision::ImplicitDeny);
}

/// A trust policy is evaluated for the service principal: `Service:` entries match only that
/// service, with the condition keys the service sends.
#[test]
fn trust_policies_match_the_service_principal_and_its_external_id() {
    let trust = policy(
        PolicyKind::Resource,
        "trust policy of firehose-delivery",
        r#"[{"Effect":"Allow","Principal":{"Service":"firehose.amazonaws.com"},"Action":"sts:AssumeRole",
             "Condition":{"StringEquals":{"sts:ExternalId":"123456789012"}}}]"#,
    );
    let assume = |service: &str, external_id: &str| {
        let mut c = BTreeMap::new();
        c.insert("sts:externalid".to_string(), vec![external_id.to_string()]);
        evaluate(
            std::slice::from_ref(&trust),
            &Request {
                principal: &format!("Service:{service}"),
                account: "",
                action: "sts:AssumeRole",
                resource: ROLE,
                context: &c,
                missing: Missing::Unknown,
            },
        )
        .decision
    };
    assert_eq!(
        assume("firehose.amazonaws.com", "123456789012"),
        Decision::Allowed
    );
    assert_eq!(
        assume("events.amazonaws.com", "123456789012"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        assume("firehose.amazonaws.com", "999999999999"),
        Decision::ImplicitDeny
    );
}
