//! The policies on the other side of a request: resource policies (bucket, Kinesis stream;
//! same account or across accounts), KMS key policies by KMS's own rule, and the role's trust policy for the
//! service that assumes it.

use super::*;

/// The principal's permissions boundary as the resource-side rules need it: none, the parsed
/// policy, or why it could not be read (then a grant it could limit is undetermined).
pub(super) type BoundaryRead = Result<Option<eval::Policy>, String>;

/// The principal's side of one row: the engine's identity ∧ boundary decision, and the
/// boundary alone (a resource-policy grant to the role ARN is limited by it).
fn side_of(r: &SimResult, boundary: &BoundaryRead, req: &eval::Request) -> eval::PrincipalSide {
    let (tri, name) = match boundary {
        Ok(None) => (eval::Tri::Yes, None),
        Ok(Some(p)) => (
            eval::principal_side(std::slice::from_ref(p), req).boundary,
            Some(p.name.clone()),
        ),
        Err(e) => (
            eval::Tri::Unknown(format!(
                "the permissions boundary, which could not be read ({e})"
            )),
            Some("permissions boundary".to_string()),
        ),
    };
    eval::PrincipalSide::from_decision(&r.decision, &r.matched, tri, name)
}

/// The account `resource` belongs to, as [`eval::Request::account`] takes it: empty for the
/// principal's own; for an ARN with no account (S3), `bucket_owner` — what ListBuckets said
/// ([`eval::OWNER_OTHER`], [`eval::OWNER_UNKNOWN`], or empty for the account's own).
fn owner<'a>(resource: &'a str, principal_account: &str, bucket_owner: &'a str) -> &'a str {
    match arn_parts(resource).map(|p| p.3) {
        Some(a) if !a.is_empty() && a != principal_account => a,
        Some("") if crate::model::arn::s3_bucket_of(resource).is_some() => bucket_owner,
        _ => "",
    }
}

/// A resource policy (bucket, Kinesis stream, KMS key) next to the principal's decision on
/// each row, by the AWS evaluation logic ([`eval::decide`]): its explicit deny wins (a deny
/// naming the account too), a grant to the role is limited by the permissions boundary, a
/// grant to `*` or the session is not (within one account), across accounts both sides must
/// allow, and for a KMS key IAM policies count only where the key policy trusts the account.
///
/// Without a resource policy (`rp` `None`) only a bucket that is not (known to be) the
/// account's own changes a row: across accounts the bucket side must allow too.
/// The context of the requests on bucket `b`: `ctx`, and every `aws:ResourceTag` key absent
/// where ABAC is disabled on the bucket (S3's default), because S3 then does not compare the
/// key (Amazon S3 User Guide, "Using tags with S3 general purpose buckets": "S3 evaluates this
/// condition key only after you enable ABAC on your bucket"). With ABAC enabled, or its status
/// unread, conditions on the key stay undetermined, with a note saying why.
pub(super) async fn bucket_context(
    backend: &Reads<'_>,
    b: &str,
    ctx: &BTreeMap<String, Vec<String>>,
    notes: &mut Vec<String>,
) -> BTreeMap<String, Vec<String>> {
    let mut c = ctx.clone();
    match backend.bucket_abac(b).await {
        Ok(false) => {
            c.insert(eval::RESOURCE_TAGS_LISTED.into(), vec![]);
        }
        Ok(true) => notes.push(format!(
            "bucket {b} has ABAC enabled: conditions on its tags (aws:ResourceTag) are not evaluated by fhtop"
        )),
        // A bucket that does not exist is said by the bucket-policy read.
        Err(e) if e.kind == crate::backend::ErrorKind::NotFound => {}
        Err(e) => notes.push(format!(
            "ABAC status of bucket {b} not read (aws:ResourceTag unknown): {e}"
        )),
    }
    c
}

pub(super) fn merge_resource_policy<'r>(
    rp: Option<&eval::Policy>,
    results: impl Iterator<Item = &'r mut (SimResult, Option<String>)>,
    principal: &str,
    boundary: &BoundaryRead,
    ctx: &BTreeMap<String, Vec<String>>,
    bucket_owner: &str,
    missing: eval::Missing,
) {
    let principal_account = arn_parts(principal).map(|p| p.3).unwrap_or("");
    for (r, _) in results {
        let resource = r.resource.clone();
        let account = owner(&resource, principal_account, bucket_owner);
        if rp.is_none() && account.is_empty() {
            continue;
        }
        let action = r.action.clone();
        let req = eval::Request {
            principal,
            account,
            action: &action,
            resource: &resource,
            context: ctx,
            missing,
        };
        let e = eval::decide(&side_of(r, boundary, &req), rp, &req);
        r.decision = e.decision;
        r.matched = e.matched;
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

/// The rows on a resource whose policy could not be read or parsed: that policy might deny, so
/// they are undetermined, never allowed (an explicit deny found elsewhere stands). When the
/// resource does not exist they are denied — taken out into `blocked`, with the fix.
pub(super) fn unreadable(
    results: &mut Vec<(SimResult, Option<String>)>,
    on: impl Fn(&str) -> bool,
    what: &str,
    e: Option<&BackendError>,
    blocked: &mut Vec<SimResult>,
    fixes: &mut Vec<String>,
) {
    if let Some(e) = e.filter(|e| e.kind == crate::backend::ErrorKind::NotFound) {
        let mut keep = Vec::new();
        let mut any = false;
        for (mut r, b) in std::mem::take(results) {
            if on(&r.resource) {
                r.decision = Decision::ImplicitDeny;
                r.matched = vec![Matched::fact(format!("{what}: does not exist"))];
                blocked.push(r);
                any = true;
            } else {
                keep.push((r, b));
            }
        }
        *results = keep;
        if any {
            fixes.push(format!(
                "{what} does not exist ({}): create it, or point the stream at one that exists",
                e.message
            ));
        }
        return;
    }
    for (r, _) in results.iter_mut().filter(|(r, _)| on(&r.resource)) {
        if r.decision != Decision::ExplicitDeny {
            r.decision = Decision::Undetermined(format!("{what}, which could not be read"));
            r.matched.clear();
        }
    }
}

/// Kinesis data stream resource policies, applied like a bucket policy. A policy that cannot be
/// read is noted and not part of the result.
pub(super) async fn stream_policies(
    backend: &Reads<'_>,
    principal: &str,
    boundary: &BoundaryRead,
    ctx: &BTreeMap<String, Vec<String>>,
    results: &mut Vec<(SimResult, Option<String>)>,
    notes: &mut Vec<String>,
) -> (Vec<SimResult>, Vec<String>) {
    let (mut blocked, mut fixes) = (Vec::new(), Vec::new());
    for arn in resources_of(results, "kinesis") {
        let short = crate::model::resource_name(&arn)
            .unwrap_or(&arn)
            .to_string();
        let name = format!("resource policy of {short}");
        let on_it = |r: &str| r == arn;
        match backend.resource_policy(&arn).await {
            Ok(Some(doc)) => match policy_or_note(&name, PolicyKind::Resource, &doc, notes) {
                Some(p) => {
                    notes.push(format!("{name} included"));
                    // Only for the stream it is attached to, whatever its Resource says.
                    let rows = results.iter_mut().filter(|(r, _)| on_it(&r.resource));
                    merge_resource_policy(
                        Some(&p),
                        rows,
                        principal,
                        boundary,
                        ctx,
                        "",
                        eval::Missing::Unknown,
                    );
                }
                None => unreadable(results, on_it, &name, None, &mut blocked, &mut fixes),
            },
            Ok(None) => {}
            Err(e) => {
                notes.push(format!("{name} not read: {e}"));
                let what = format!("Kinesis stream {short}");
                let what = if e.kind == crate::backend::ErrorKind::NotFound {
                    what
                } else {
                    name.clone()
                };
                unreadable(results, on_it, &what, Some(&e), &mut blocked, &mut fixes);
            }
        }
    }
    (blocked, fixes)
}

/// KMS key policies, by KMS's own rule: a key policy must allow the principal itself, or the
/// account (which delegates to IAM: then the identity decision stands); otherwise no identity
/// grant counts. A grant to the role is limited by its permissions boundary like any
/// resource-policy grant to the role ARN. An explicit deny in it wins (one naming the account
/// too). A key policy that cannot be read leaves the KMS rows undetermined (every key has one,
/// and it decides). Returns the KMS rows the key policy decided against where the principal's
/// own policies allowed them (taken out of `results`, so no identity-policy fix is suggested
/// for them) and the fix for each key.
///
/// AWS: KMS developer guide, "Key policies in AWS KMS" (default key policy, "Allows access to
/// the AWS account and enables IAM policies"); IAM User Guide, "Policy evaluation logic"
/// (permissions boundaries and resource-based policies).
pub(super) async fn key_policies(
    backend: &Reads<'_>,
    principal: &str,
    boundary: &BoundaryRead,
    ctx: &BTreeMap<String, Vec<String>>,
    results: &mut Vec<(SimResult, Option<String>)>,
    notes: &mut Vec<String>,
) -> (Vec<SimResult>, Vec<String>) {
    let mut blocked = Vec::new();
    let mut fixes = Vec::new();
    for key in resources_of(results, "kms") {
        let short = crate::model::resource_name(&key)
            .unwrap_or(&key)
            .to_string();
        let name = format!("key policy of {short}");
        // Outside IAM: KMS refuses every request on a key that is not Enabled, whatever the
        // policies say (AWS KMS Developer Guide, "Key states of AWS KMS keys").
        match backend.kms_key_state(&key).await {
            Ok(state) if state == "Enabled" => {}
            Ok(state) => {
                key_not_enabled(results, &key, &short, &state, &mut blocked, &mut fixes);
                continue;
            }
            Err(e) if e.kind == crate::backend::ErrorKind::NotFound => {
                let on_it = |r: &str| r == key;
                let what = format!("KMS key {short}");
                unreadable(results, on_it, &what, Some(&e), &mut blocked, &mut fixes);
                continue;
            }
            Err(e) => {
                notes.push(format!("state of KMS key {short} not read: {e}"));
                for (r, _) in results.iter_mut().filter(|(r, _)| r.resource == key) {
                    if r.decision == Decision::Allowed {
                        r.decision = Decision::Undetermined(format!(
                            "the state of KMS key {short} (DescribeKey: {})",
                            e.explained()
                        ));
                    }
                }
            }
        }
        let doc = match backend.resource_policy(&key).await {
            Ok(Some(doc)) => doc,
            Ok(None) => String::new(),
            Err(e) => {
                notes.push(format!("{name} not read: {e}"));
                let what = if e.kind == crate::backend::ErrorKind::NotFound {
                    format!("KMS key {short}")
                } else {
                    name.clone()
                };
                let on_it = |r: &str| r == key;
                unreadable(results, on_it, &what, Some(&e), &mut blocked, &mut fixes);
                continue;
            }
        };
        let policy = if doc.is_empty() {
            // Every key has a key policy; none read means none allows.
            eval::Policy {
                name: name.clone(),
                kind: PolicyKind::Resource,
                statements: vec![],
            }
        } else {
            match policy_or_note(&name, PolicyKind::Resource, &doc, notes) {
                Some(p) => p,
                None => {
                    let on_it = |r: &str| r == key;
                    unreadable(results, on_it, &name, None, &mut blocked, &mut fixes);
                    continue;
                }
            }
        };
        notes.push(format!("{name} included"));
        let mut denied_actions: Vec<String> = Vec::new();
        let mut keep = Vec::new();
        for (r, b) in std::mem::take(results) {
            if r.resource != key {
                keep.push((r, b));
                continue;
            }
            let before = r.decision.clone();
            let mut one = [(r, b)];
            merge_resource_policy(
                Some(&policy),
                one.iter_mut(),
                principal,
                boundary,
                ctx,
                "",
                eval::Missing::Unknown,
            );
            let [(mut r, b)] = one;
            if before == Decision::Allowed && r.decision == Decision::ImplicitDeny {
                r.matched = vec![Matched::fact(name.clone())];
                if !denied_actions.contains(&r.action) {
                    denied_actions.push(r.action.clone());
                }
                blocked.push(r);
            } else {
                keep.push((r, b));
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

/// The rows on a KMS key that is not Enabled: denied by KMS itself (a `KMSInvalidStateException`
/// or `DisabledException`), taken out into `blocked`, with the command that brings the key
/// back.
fn key_not_enabled(
    results: &mut Vec<(SimResult, Option<String>)>,
    key: &str,
    short: &str,
    state: &str,
    blocked: &mut Vec<SimResult>,
    fixes: &mut Vec<String>,
) {
    let mut keep = Vec::new();
    for (mut r, b) in std::mem::take(results) {
        if r.resource == key {
            r.decision = Decision::ImplicitDeny;
            r.matched = vec![Matched::fact(format!(
                "KMS key {short} is {state} (DescribeKey)"
            ))];
            blocked.push(r);
        } else {
            keep.push((r, b));
        }
    }
    *results = keep;
    let id = crate::text::shell_quote(key);
    fixes.push(match state {
        "Disabled" => format!(
            "KMS key {short} is Disabled: KMS refuses every request on it, whatever the policies allow. Enable it: aws kms enable-key --key-id {id}"
        ),
        "PendingDeletion" => format!(
            "KMS key {short} is scheduled for deletion: KMS refuses every request on it. Cancel the deletion and enable it: aws kms cancel-key-deletion --key-id {id} && aws kms enable-key --key-id {id}"
        ),
        other => format!(
            "KMS key {short} is {other}: KMS refuses cryptographic requests until it is Enabled (AWS KMS Developer Guide, \"Key states of AWS KMS keys\")"
        ),
    });
}

/// May EventBridge send to the rule target's dead-letter queue: its queue policy evaluated for
/// `sqs:SendMessage` by `events.amazonaws.com` with the rule as `aws:SourceArn` (and its
/// account as `aws:SourceAccount`). A queue without a policy allows no other principal; one
/// that cannot be read is undetermined, never allowed. Returns the row and, for a denial, the
/// statement to add.
pub(super) async fn dead_letter(
    backend: &Reads<'_>,
    d: &DeadLetterCheck,
    notes: &mut Vec<String>,
) -> (SimResult, Option<String>) {
    let short = crate::model::resource_name(&d.queue)
        .unwrap_or(&d.queue)
        .to_string();
    let mut result = SimResult {
        action: "sqs:SendMessage (events.amazonaws.com, dead letters)".into(),
        resource: d.queue.clone(),
        decision: Decision::Undetermined(format!("the policy of dead-letter queue {short}")),
        matched: vec![],
    };
    let statement = serde_json::json!({
        "Sid": "EventBridgeDeadLetters",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": d.queue,
        "Condition": {"ArnEquals": {"aws:SourceArn": d.rule_arn}},
    });
    let add = || {
        format!(
            "EventBridge may not send dead letters to {short}, so the events it gives up on are lost: add to the queue policy (aws sqs set-queue-attributes --attributes Policy=...):\n{}",
            serde_json::to_string_pretty(&statement).unwrap_or_default()
        )
    };
    let doc = match backend.queue_policy(&d.queue).await {
        Ok(Some(doc)) => doc,
        Ok(None) => {
            result.decision = Decision::ImplicitDeny;
            result.matched = vec![Matched::fact(format!(
                "dead-letter queue {short}: no policy"
            ))];
            return (result, Some(add()));
        }
        Err(e) if e.kind == crate::backend::ErrorKind::NotFound => {
            result.decision = Decision::ImplicitDeny;
            result.matched = vec![Matched::fact(format!(
                "dead-letter queue {short}: does not exist"
            ))];
            return (
                result,
                Some(format!(
                    "the dead-letter queue {short} does not exist: create it, or point the target at one that exists"
                )),
            );
        }
        Err(e) => {
            notes.push(format!("policy of dead-letter queue {short} not read: {e}"));
            return (result, None);
        }
    };
    let name = format!("policy of dead-letter queue {short}");
    let Some(policy) = policy_or_note(&name, PolicyKind::Resource, &doc, notes) else {
        return (result, None);
    };
    let mut context: BTreeMap<String, Vec<String>> = BTreeMap::new();
    context.insert("aws:sourcearn".into(), vec![d.rule_arn.clone()]);
    if let Some((_, _, _, account, _)) = arn_parts(&d.rule_arn) {
        context.insert("aws:sourceaccount".into(), vec![account.to_string()]);
    }
    context.insert("aws:securetransport".into(), vec!["true".into()]);
    let e = eval::evaluate(
        std::slice::from_ref(&policy),
        &eval::Request {
            principal: "Service:events.amazonaws.com",
            account: "",
            action: "sqs:SendMessage",
            resource: &d.queue,
            context: &context,
            missing: eval::Missing::Unknown,
        },
    );
    result.decision = e.decision;
    result.matched = e.matched;
    let fix = match &result.decision {
        Decision::ImplicitDeny => Some(add()),
        Decision::ExplicitDeny => Some(format!(
            "a Deny in the policy of dead-letter queue {short} refuses EventBridge: narrow it so events.amazonaws.com may send for this rule"
        )),
        _ => None,
    };
    (result, fix)
}

/// May `t.service` assume `role`: its trust policy evaluated for `sts:AssumeRole` with the
/// condition keys the service sends. A trust policy that cannot be read is undetermined, never
/// allowed. Returns the result row and, for a denial, the statement to add.
pub(super) async fn trust(
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
            missing: eval::Missing::Unknown,
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
