//! Running simulations: iam:SimulatePrincipalPolicy first, the local evaluator where it is
//! unavailable, every resource-side policy on the path by its own rules, and the trust policy;
//! a batch shares its reads (each role, bucket, key and stream policy read once).

use super::*;

pub(super) fn policy_or_note(
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

/// Rows on a Firehose stream of another account than the principal's: Firehose has no
/// resource-based policy, so nothing on the stream's side can allow them, whatever the
/// principal's own policies say (across accounts both sides must allow — IAM User Guide,
/// "Cross-account policy evaluation logic"). Taken out into `blocked`, with what to do instead.
fn foreign_firehose(
    results: &mut Vec<(SimResult, Option<String>)>,
    principal_account: &str,
    blocked: &mut Vec<SimResult>,
    fixes: &mut Vec<String>,
) {
    if principal_account.is_empty() {
        return;
    }
    let mut keep = Vec::new();
    for (mut r, b) in std::mem::take(results) {
        let foreign = arn_parts(&r.resource)
            .filter(|p| p.1 == "firehose" && !p.3.is_empty() && p.3 != principal_account)
            .map(|p| p.3.to_string());
        match foreign {
            Some(acc) if r.decision != Decision::ExplicitDeny => {
                r.decision = Decision::ImplicitDeny;
                r.matched = vec![Matched::fact(format!(
                    "{} is in account {acc}: Firehose has no resource policy to let another account write",
                    r.resource
                ))];
                let fix = format!(
                    "{} is another account's ({acc}): write to a stream of {principal_account}, or send the events to an event bus of {acc} whose rule targets the stream there",
                    r.resource
                );
                if !fixes.contains(&fix) {
                    fixes.push(fix);
                }
                blocked.push(r);
            }
            _ => keep.push((r, b)),
        }
    }
    *results = keep;
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
            Subject::Producers(b) => format!("account {}", b.account),
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
        Subject::Producers(b) => return super::bus::run_producers(backend, b, report).await,
        Subject::Principal(p) => p.as_str(),
    };
    let mut ctx = context(principal);
    // Every request carries the time it is made (IAM User Guide, "AWS global condition
    // context keys": aws:CurrentTime, aws:EpochTime): the simulation asks about now.
    let now = chrono::Utc::now();
    ctx.insert(
        "aws:currenttime".into(),
        vec![now.format("%Y-%m-%dT%H:%M:%SZ").to_string()],
    );
    ctx.insert("aws:epochtime".into(), vec![now.timestamp().to_string()]);
    ctx.extend(req.context.clone());
    // A role session's requests carry the role's tags as aws:PrincipalTag/KEY (Firehose and
    // EventBridge document no session tags of their own): read, every other tag key is absent.
    if principal.contains(":role/") {
        match backend.role_tags(principal).await {
            Ok(tags) => {
                for (k, v) in tags {
                    ctx.insert(
                        format!("aws:principaltag/{}", k.to_ascii_lowercase()),
                        vec![v],
                    );
                }
                ctx.insert(eval::PRINCIPAL_TAGS_LISTED.into(), vec![]);
            }
            Err(e) if e.kind == crate::backend::ErrorKind::NotFound => {}
            Err(e) => report.notes.push(format!(
                "tags of {principal} not read (aws:PrincipalTag unknown): {e}"
            )),
        }
    }
    // The requests on the bucket: S3 compares aws:ResourceTag only where ABAC is enabled.
    let bucket_ctx = match &req.bucket {
        Some(b) => bucket_context(backend, b, &ctx, &mut report.notes).await,
        None => ctx.clone(),
    };
    let ctx_of = |c: &Check| {
        if c.resources.iter().all(|r| on_bucket(req, r)) {
            &bucket_ctx
        } else {
            &ctx
        }
    };
    // `perms custom`: the asker gives the context, and every other key is absent — as
    // SimulatePrincipalPolicy takes the keys it is not given.
    let missing = if req.keys_not_given_absent {
        eval::Missing::Absent
    } else {
        eval::Missing::Unknown
    };
    let account = arn_parts(principal).map(|p| p.3).unwrap_or("");
    let mut resource_policy = None;
    let mut raw_bucket_policy = None;
    // The bucket policy could not be read (the error) or parsed (None): its rows cannot be
    // decided.
    let mut bucket_unread: Option<Option<BackendError>> = None;
    if let Some(b) = &req.bucket {
        match backend.bucket_policy(b).await {
            Ok(Some(doc)) => {
                resource_policy = policy_or_note(
                    &format!("bucket policy of {b}"),
                    PolicyKind::Resource,
                    &doc,
                    &mut report.notes,
                );
                if resource_policy.is_some() {
                    report.notes.push(format!("bucket policy of {b} included"));
                    raw_bucket_policy = Some(doc);
                } else {
                    bucket_unread = Some(None);
                }
            }
            Ok(None) => report
                .notes
                .push(format!("bucket {b} has no bucket policy")),
            Err(e) => {
                report
                    .notes
                    .push(format!("bucket policy of {b} not read: {e}"));
                bucket_unread = Some(Some(e));
            }
        }
    }
    // Whose the bucket is: S3 ARNs carry no account, and across accounts both sides must allow.
    let bucket_owner = match &req.bucket {
        Some(b) => {
            let (owner, note) = backend.bucket_owner(b).await;
            report.notes.extend(note);
            owner
        }
        None => "",
    };
    let mut results: Vec<(SimResult, Option<String>)> = Vec::new();
    // The principal's permissions boundary, once read: resource-policy grants to the role are
    // limited by it.
    let mut boundary: Option<BoundaryRead> = None;
    let mut simulated = Ok(());
    // The API evaluates a resource policy only with an IAM user as the caller.
    let is_user = principal.contains(":user/");
    // ... and with the principal's account as the owner: another account's bucket (or one
    // whose owner is unknown) is merged locally, where both sides must allow.
    let raw_policy = if is_user && bucket_owner.is_empty() {
        raw_bucket_policy.as_deref()
    } else {
        None
    };
    for c in &req.checks {
        match backend.simulate(principal, c, ctx_of(c), raw_policy).await {
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
            } else if resource_policy.is_some() || !bucket_owner.is_empty() {
                if resource_policy.is_some() {
                    report.engine.push_str(" + bucket policy (local evaluator)");
                }
                let b = read_boundary(backend, principal).await;
                let rows = results
                    .iter_mut()
                    .filter(|(r, _)| on_bucket(req, &r.resource));
                merge_resource_policy(
                    resource_policy.as_ref(),
                    rows,
                    principal,
                    &b,
                    &bucket_ctx,
                    bucket_owner,
                    missing,
                );
                boundary = Some(b);
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
                    let denied = evaluate_checks(
                        &[],
                        &req.checks,
                        principal,
                        account,
                        &ctx,
                        missing,
                        &mut Vec::new(),
                    );
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
            // The trust policy is evaluated on its own (below), never with these.
            let mut unparsed = None;
            let mut policies: Vec<eval::Policy> = Vec::new();
            for (name, kind, doc) in fetched.iter().filter(|(_, k, _)| *k != PolicyKind::Trust) {
                match policy_or_note(name, *kind, doc, &mut report.notes) {
                    Some(p) => policies.push(p),
                    None => unparsed = Some(name.clone()),
                }
            }
            if fetched.iter().all(|(_, k, _)| *k != PolicyKind::Identity) {
                report
                    .notes
                    .push(format!("{principal} has no identity policy attached"));
            }
            let mut absent = Vec::new();
            results = Vec::new();
            for c in &req.checks {
                results.extend(evaluate_checks(
                    &policies,
                    std::slice::from_ref(c),
                    principal,
                    account,
                    ctx_of(c),
                    missing,
                    &mut absent,
                ));
            }
            if !absent.is_empty() {
                report.notes.push(format!(
                    "condition keys not given, taken as absent (as iam:SimulatePrincipalPolicy takes them): {}",
                    absent.join(", ")
                ));
            }
            let b: BoundaryRead = Ok(policies
                .iter()
                .find(|p| p.kind == PolicyKind::Boundary)
                .cloned());
            // Rows a bucket policy or a foreign owner does not touch are left as they are
            // (merge_resource_policy skips them).
            let rows = results
                .iter_mut()
                .filter(|(r, _)| on_bucket(req, &r.resource));
            merge_resource_policy(
                resource_policy.as_ref(),
                rows,
                principal,
                &b,
                &bucket_ctx,
                bucket_owner,
                missing,
            );
            boundary = Some(b);
            // A policy that could not be parsed may hold the deny (or the boundary) that
            // decides: nothing is allowed on the strength of the others alone.
            if let Some(name) = unparsed {
                for (r, _) in &mut results {
                    if r.decision != Decision::ExplicitDeny {
                        r.decision =
                            Decision::Undetermined(format!("{name}, which could not be parsed"));
                        r.matched.clear();
                    }
                }
            }
        }
    }
    if let Some(what) = &req.not_evaluated {
        results.push((
            SimResult {
                action: "(destination access)".into(),
                resource: what.clone(),
                decision: Decision::Undetermined(format!("{what}: not evaluated by fhtop")),
                matched: vec![],
            },
            None,
        ));
    }
    let mut blocked = Vec::new();
    let mut resource_fixes = Vec::new();
    foreign_firehose(&mut results, account, &mut blocked, &mut resource_fixes);
    if let (Some(err), Some(b)) = (&bucket_unread, &req.bucket) {
        let on_it = |r: &str| crate::model::arn::s3_bucket_of(r) == Some(b.as_str());
        let what = match err {
            Some(e) if e.kind == crate::backend::ErrorKind::NotFound => format!("bucket {b}"),
            _ => format!("bucket policy of {b}"),
        };
        unreadable(
            &mut results,
            on_it,
            &what,
            err.as_ref(),
            &mut blocked,
            &mut resource_fixes,
        );
    }
    let needs_boundary = results
        .iter()
        .any(|(r, _)| arn_parts(&r.resource).is_some_and(|p| p.1 == "kms" || p.1 == "kinesis"));
    let boundary = match boundary {
        Some(b) => b,
        None if needs_boundary => read_boundary(backend, principal).await,
        None => Ok(None),
    };
    let (stream_rows, stream_fixes) = stream_policies(
        backend,
        principal,
        &boundary,
        &ctx,
        &mut results,
        &mut report.notes,
    )
    .await;
    blocked.extend(stream_rows);
    resource_fixes.extend(stream_fixes);
    let (key_rows, key_fixes) = key_policies(
        backend,
        principal,
        &boundary,
        &ctx,
        &mut results,
        &mut report.notes,
    )
    .await;
    blocked.extend(key_rows);
    resource_fixes.extend(key_fixes);
    let (key_rows, key_fixes) = (blocked, resource_fixes);
    let role = principal.rsplit('/').next().unwrap_or(principal);
    let trusted = match &req.trust {
        Some(t) if principal.contains(":role/") => {
            Some(trust(backend, principal, t, &mut report.notes).await)
        }
        _ => None,
    };
    let dead_letter = match &req.dead_letter {
        Some(d) => Some(dead_letter(backend, d, &mut report.notes).await),
        None => None,
    };
    let mut report = finish(report, &results, &format!("an identity policy of {role}"));
    report.rows.extend(
        key_rows
            .iter()
            .map(|r| row(&r.action, &r.resource, &r.decision, &r.matched)),
    );
    report.fixes.extend(key_fixes);
    for (r, fix) in trusted.into_iter().chain(dead_letter) {
        report
            .rows
            .push(row(&r.action, &r.resource, &r.decision, &r.matched));
        report.fixes.extend(fix);
    }
    report
}

/// Is `resource` the request's bucket or an object in it (in any partition: a China or
/// GovCloud bucket's policy takes part as any other's)?
fn on_bucket(req: &SimRequest, resource: &str) -> bool {
    req.bucket
        .as_deref()
        .is_some_and(|b| crate::model::arn::s3_bucket_of(resource) == Some(b))
}

/// The principal's permissions boundary, read with its policies (a read shared by the batch).
async fn read_boundary(backend: &Reads<'_>, principal: &str) -> BoundaryRead {
    let fetched = backend
        .principal_policies(principal)
        .await
        .map_err(|e| e.to_string())?;
    match fetched.iter().find(|(_, k, _)| *k == PolicyKind::Boundary) {
        None => Ok(None),
        Some((name, kind, doc)) => eval::parse(name, *kind, doc)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

/// The local evaluator over every action × resource of `checks`.
fn evaluate_checks(
    policies: &[eval::Policy],
    checks: &[Check],
    principal: &str,
    account: &str,
    ctx: &BTreeMap<String, Vec<String>>,
    missing: eval::Missing,
    absent: &mut Vec<String>,
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
                        missing,
                    },
                );
                for k in &e.assumed_absent {
                    if !absent.contains(k) {
                        absent.push(k.clone());
                    }
                }
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
        eval::Missing::Unknown,
        &mut Vec::new(),
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
    // The probe asks the simulator first; the others start as soon as it has answered (not
    // when the probe's whole evaluation is done), so an unavailable simulator is asked once
    // and the local evaluator's reads of every role run at once.
    let first = async {
        match probe {
            Some(i) => {
                let r = run_with(&reads, &reqs[i]).await;
                reads.mark_simulator_known();
                Some(r)
            }
            None => {
                reads.mark_simulator_known();
                None
            }
        }
    };
    let rest = futures_util::future::join_all(
        reqs.iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != probe)
            .map(|(_, r)| async {
                reads.simulator_known().await;
                run_with(&reads, r).await
            }),
    );
    let (first, rest) = tokio::join!(first, rest);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A China or GovCloud bucket's rows take its bucket policy as any other's do.
    #[test]
    fn the_bucket_policy_takes_part_in_every_partition() {
        let req = custom_request(
            "arn:aws-cn:iam::111122223333:role/r",
            vec!["s3:PutObject".into()],
            vec!["arn:aws-cn:s3:::lake/x".into()],
            BTreeMap::new(),
        );
        assert!(on_bucket(&req, "arn:aws-cn:s3:::lake/x/y"));
        assert!(on_bucket(&req, "arn:aws-cn:s3:::lake"));
        assert!(!on_bucket(&req, "arn:aws-cn:s3:::lakehouse/x"));
        assert!(!on_bucket(
            &req,
            "arn:aws-cn:kinesis:cn-north-1:111122223333:stream/lake"
        ));
    }
}
