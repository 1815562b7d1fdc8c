//! Each wrong kind of issue 25 as a named test, with a healthy twin that stays allowed.
use super::*;

const ACCT: &str = "111122223333";
const ROLE: &str = "arn:aws:iam::111122223333:role/fh-delivery";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";
const OBJECT: &str = "arn:aws:s3:::acme-lake/data/x.gz";

fn pol(kind: PolicyKind, statements: &str) -> Policy {
    let doc = format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#);
    parse("p", kind, &doc).expect("test policy")
}

fn allow_all(kind: PolicyKind, action: &str) -> Policy {
    pol(
        kind,
        &format!(r#"[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]"#),
    )
}

fn run(policies: &[Policy], account: &str, action: &str, resource: &str) -> Decision {
    run_ctx(
        policies,
        account,
        action,
        resource,
        &BTreeMap::new(),
        Missing::Absent,
    )
}

fn run_ctx(
    policies: &[Policy],
    account: &str,
    action: &str,
    resource: &str,
    context: &BTreeMap<String, Vec<String>>,
    missing: Missing,
) -> Decision {
    evaluate(
        policies,
        &Request {
            principal: ROLE,
            account,
            action,
            resource,
            context,
            missing,
        },
    )
    .decision
}

fn grant(principal: &str, allow: bool, action: &str) -> Policy {
    let effect = if allow { "Allow" } else { "Deny" };
    pol(
        PolicyKind::Resource,
        &format!(
            r#"[{{"Effect":"{effect}","Principal":{principal},"Action":"{action}","Resource":"*"}}]"#
        ),
    )
}

#[test]
fn a_key_policy_grant_to_the_role_is_limited_by_its_boundary() {
    let key_policy = grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "kms:*");
    let identity = allow_all(PolicyKind::Identity, "kms:*");
    let s3_only = allow_all(PolicyKind::Boundary, "s3:*");
    let p = [identity.clone(), s3_only, key_policy.clone()];
    assert_eq!(
        run(&p, "", "kms:GenerateDataKey", KEY),
        Decision::ImplicitDeny
    );
    let twin = [
        identity,
        allow_all(PolicyKind::Boundary, "kms:*"),
        key_policy,
    ];
    assert_eq!(
        run(&twin, "", "kms:GenerateDataKey", KEY),
        Decision::Allowed
    );
    // The same through an engine's answer (SimulatePrincipalPolicy said allowed or not).
    let req = Request {
        principal: ROLE,
        account: "",
        action: "kms:Decrypt",
        resource: KEY,
        context: &BTreeMap::new(),
        missing: Missing::Absent,
    };
    let kp = grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "kms:*");
    let side =
        PrincipalSide::from_decision(&Decision::ImplicitDeny, &[], Tri::No, Some("b".into()));
    assert_eq!(
        decide(&side, Some(&kp), &req).decision,
        Decision::ImplicitDeny
    );
    let side = PrincipalSide::from_decision(&Decision::ImplicitDeny, &[], Tri::Yes, None);
    assert_eq!(decide(&side, Some(&kp), &req).decision, Decision::Allowed);
}

#[test]
fn a_resource_policy_deny_naming_the_account_covers_the_role() {
    let identity = allow_all(PolicyKind::Identity, "s3:*");
    for who in [
        format!(r#"{{"AWS":"arn:aws:iam::{ACCT}:root"}}"#),
        format!(r#"{{"AWS":"{ACCT}"}}"#),
    ] {
        let p = [identity.clone(), grant(&who, false, "s3:PutObject")];
        assert_eq!(
            run(&p, "", "s3:PutObject", OBJECT),
            Decision::ExplicitDeny,
            "{who}"
        );
    }
    let twin = [
        identity,
        grant(r#"{"AWS":"444455556666"}"#, false, "s3:PutObject"),
    ];
    assert_eq!(run(&twin, "", "s3:PutObject", OBJECT), Decision::Allowed);
}

#[test]
fn a_partial_wildcard_principal_matches_nothing() {
    let p = [grant(
        r#"{"AWS":"arn:aws:iam::111122223333:role/fh-*"}"#,
        true,
        "s3:PutObject",
    )];
    assert_eq!(run(&p, "", "s3:PutObject", OBJECT), Decision::ImplicitDeny);
    let twin = [grant(
        &format!(r#"{{"AWS":"{ROLE}"}}"#),
        true,
        "s3:PutObject",
    )];
    assert_eq!(run(&twin, "", "s3:PutObject", OBJECT), Decision::Allowed);
}

#[test]
fn across_accounts_both_sides_must_allow_and_an_unknown_owner_is_undetermined() {
    let identity = allow_all(PolicyKind::Identity, "s3:*");
    let other = "444455556666";
    assert_eq!(
        run(
            std::slice::from_ref(&identity),
            other,
            "s3:PutObject",
            OBJECT
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        run(
            std::slice::from_ref(&identity),
            OWNER_UNKNOWN,
            "s3:PutObject",
            OBJECT
        ),
        Decision::Undetermined("the resource's owner account".into())
    );
    let bucket = grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "s3:PutObject");
    let twin = [identity, bucket];
    assert_eq!(run(&twin, other, "s3:PutObject", OBJECT), Decision::Allowed);
    assert_eq!(
        run(&twin, OWNER_UNKNOWN, "s3:PutObject", OBJECT),
        Decision::Allowed
    );
}

#[test]
fn not_principal_deny_always_denies_a_role_with_a_boundary() {
    let np = pol(
        PolicyKind::Resource,
        &format!(
            r#"[{{"Effect":"Deny","NotPrincipal":{{"AWS":["{ROLE}","arn:aws:iam::{ACCT}:root"]}},"Action":"s3:*","Resource":"*"}}]"#
        ),
    );
    let identity = allow_all(PolicyKind::Identity, "s3:*");
    let p = [
        identity.clone(),
        allow_all(PolicyKind::Boundary, "s3:*"),
        np.clone(),
    ];
    assert_eq!(run(&p, "", "s3:PutObject", OBJECT), Decision::ExplicitDeny);
    // Without a boundary: the role is named, but the session that calls is not — a Deny that
    // may still cover it is never "allowed".
    let twin = [identity.clone(), np];
    assert!(
        matches!(run(&twin, "", "s3:PutObject", OBJECT), Decision::Undetermined(ref k) if k.contains("session")),
        "{:?}",
        run(&twin, "", "s3:PutObject", OBJECT)
    );
    // A NotPrincipal that names neither the role nor its account denies it.
    let other = pol(
        PolicyKind::Resource,
        r#"[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"s3:*","Resource":"*"}]"#,
    );
    assert_eq!(
        run(&[identity, other], "", "s3:PutObject", OBJECT),
        Decision::ExplicitDeny
    );
}

#[test]
fn a_same_account_grant_to_star_is_not_limited_by_the_boundary_one_to_the_role_is() {
    let boundary = allow_all(PolicyKind::Boundary, "kinesis:*");
    let star = [boundary.clone(), grant(r#""*""#, true, "s3:PutObject")];
    assert_eq!(run(&star, "", "s3:PutObject", OBJECT), Decision::Allowed);
    let role = [
        boundary,
        grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "s3:PutObject"),
    ];
    assert_eq!(
        run(&role, "", "s3:PutObject", OBJECT),
        Decision::ImplicitDeny
    );
}

#[test]
fn a_star_request_resource_asks_about_some_resource() {
    let stream = "arn:aws:firehose:us-east-1:111122223333:deliverystream/orders";
    let p = [pol(
        PolicyKind::Identity,
        &format!(
            r#"[{{"Effect":"Allow","Action":"firehose:PutRecordBatch","Resource":"{stream}"}}]"#
        ),
    )];
    assert_eq!(
        run(&p, "", "firehose:PutRecordBatch", "*"),
        Decision::Allowed
    );
    assert_eq!(
        run(&p, "", "firehose:PutRecord", "*"),
        Decision::ImplicitDeny
    );
}

#[test]
fn set_operators_and_keys_assumed_absent() {
    let p = [pol(
        PolicyKind::Identity,
        r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["team*"]},"ForAnyValue:StringEquals":{"aws:PrincipalTag/team":"data"}}}]"#,
    )];
    let mut ctx = BTreeMap::new();
    ctx.insert(
        "aws:principaltag/team".to_string(),
        vec!["data".to_string()],
    );
    // aws:TagKeys absent: ForAllValues is true.
    let e = evaluate(
        &p,
        &Request {
            principal: ROLE,
            account: "",
            action: "s3:PutObject",
            resource: OBJECT,
            context: &ctx,
            missing: Missing::Absent,
        },
    );
    assert_eq!(e.decision, Decision::Allowed);
    assert_eq!(e.assumed_absent, vec!["aws:TagKeys".to_string()]);
    // Unknown instead of absent: undetermined, naming the key.
    assert_eq!(
        run_ctx(&p, "", "s3:PutObject", OBJECT, &ctx, Missing::Unknown),
        Decision::Undetermined("aws:TagKeys".into())
    );
    ctx.insert(
        "aws:tagkeys".to_string(),
        vec!["team-a".to_string(), "owner".to_string()],
    );
    assert_eq!(
        run_ctx(&p, "", "s3:PutObject", OBJECT, &ctx, Missing::Absent),
        Decision::ImplicitDeny
    );
    ctx.insert("aws:tagkeys".to_string(), vec!["team-a".to_string()]);
    assert_eq!(
        run_ctx(&p, "", "s3:PutObject", OBJECT, &ctx, Missing::Absent),
        Decision::Allowed
    );
}

#[test]
fn patterns_overlap() {
    assert!(overlap("arn:aws:s3:::b/*", "*"));
    assert!(overlap("arn:aws:s3:::b/data/*", "arn:aws:s3:::b/*/x"));
    assert!(!overlap("arn:aws:s3:::b/errors/*", "arn:aws:s3:::b/data/*"));
    assert!(overlap("a?c", "abc"));
    assert!(!overlap("a?c", "ac"));
}

#[test]
fn a_star_request_never_turns_an_undecided_deny_into_allowed() {
    // Allow s3:* on "*", a Deny on acme-lake/* under a condition fhtop cannot decide: the
    // request "acme-lake/*" is undetermined — evaluating the broader "*" instead would escape
    // the deny and say allowed.
    let p = [pol(
        PolicyKind::Identity,
        r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-lake/*",
             "Condition":{"StringNotEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]"#,
    )];
    let d = run_ctx(
        &p,
        "",
        "s3:PutObject",
        "arn:aws:s3:::acme-lake/*",
        &BTreeMap::new(),
        Missing::Unknown,
    );
    assert!(matches!(d, Decision::Undetermined(_)), "{d:?}");
    // Twin: no deny, allowed.
    let twin = [allow_all(PolicyKind::Identity, "s3:*")];
    assert_eq!(
        run(&twin, "", "s3:PutObject", "arn:aws:s3:::acme-lake/*"),
        Decision::Allowed
    );
}

#[test]
fn an_undecided_engine_answer_keeps_its_deny_undecided() {
    // SimulatePrincipalPolicy could not decide (a Deny on a key it was not given): a bucket
    // policy granting to "*" must not make that allowed.
    let side = PrincipalSide::from_decision(
        &Decision::Undetermined("aws:SourceIp".into()),
        &[],
        Tri::Yes,
        None,
    );
    let rp = grant(r#""*""#, true, "s3:PutObject");
    let ctx = BTreeMap::new();
    let req = Request {
        principal: ROLE,
        account: "",
        action: "s3:PutObject",
        resource: OBJECT,
        context: &ctx,
        missing: Missing::Unknown,
    };
    let e = decide(&side, Some(&rp), &req);
    assert!(
        matches!(e.decision, Decision::Undetermined(_)),
        "{:?}",
        e.decision
    );
    // Twin: the engine allowed; the grant to "*" keeps it allowed.
    let side = PrincipalSide::from_decision(&Decision::Allowed, &[], Tri::Yes, None);
    assert_eq!(decide(&side, Some(&rp), &req).decision, Decision::Allowed);
}

#[test]
fn a_bucket_of_another_account_needs_both_sides() {
    // The identity allows; the bucket is another account's and its policy is silent: denied.
    let identity = [allow_all(PolicyKind::Identity, "s3:PutObject")];
    assert_eq!(
        run(&identity, OWNER_OTHER, "s3:PutObject", OBJECT),
        Decision::ImplicitDeny
    );
    // Owner not known: undetermined, naming the owner.
    assert!(matches!(
        run(&identity, OWNER_UNKNOWN, "s3:PutObject", OBJECT),
        Decision::Undetermined(ref k) if k.contains("owner")
    ));
    // The account's own bucket: allowed.
    assert_eq!(
        run(&identity, "", "s3:PutObject", OBJECT),
        Decision::Allowed
    );
}

/// With the role's tags read, a principal tag the role does not carry is absent (a condition
/// on it is false, its negation true); without them it stays undetermined.
#[test]
fn principal_tags_listed_whole_make_an_untagged_key_absent() {
    let p = pol(
        PolicyKind::Identity,
        r#"[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
             "Condition":{"StringEquals":{"aws:PrincipalTag/team":"data"}}}]"#,
    );
    let decide = |p: &Policy, ctx: &BTreeMap<String, Vec<String>>| {
        run_ctx(
            std::slice::from_ref(p),
            "",
            "s3:PutObject",
            OBJECT,
            ctx,
            Missing::Unknown,
        )
    };
    let mut ctx = BTreeMap::new();
    let unknown = decide(&p, &ctx);
    assert!(matches!(unknown, Decision::Undetermined(_)), "{unknown:?}");
    ctx.insert(PRINCIPAL_TAGS_LISTED.to_string(), vec![]);
    ctx.insert(
        "aws:principaltag/owner".to_string(),
        vec!["ops".to_string()],
    );
    assert_eq!(decide(&p, &ctx), Decision::ImplicitDeny);
    ctx.insert(
        "aws:principaltag/team".to_string(),
        vec!["data".to_string()],
    );
    assert_eq!(decide(&p, &ctx), Decision::Allowed);
    // Other unknown keys are still unknown.
    let q = pol(
        PolicyKind::Identity,
        r#"[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
             "Condition":{"StringEquals":{"aws:ResourceTag/team":"data"}}}]"#,
    );
    let d = decide(&q, &ctx);
    assert!(matches!(d, Decision::Undetermined(_)), "{d:?}");
    // A bucket whose ABAC is disabled: S3 compares no aws:ResourceTag, so the key is absent.
    ctx.insert(RESOURCE_TAGS_LISTED.to_string(), vec![]);
    assert_eq!(decide(&q, &ctx), Decision::ImplicitDeny);
}
