//! IAM and S3 reads for the permission simulations: SimulatePrincipalPolicy (all pages), the
//! policies of a role for the local evaluator, a customer-managed policy by name, a bucket
//! policy.

use std::collections::BTreeMap;

use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, PolicyEvaluationDecisionType};
use aws_sdk_s3::error::ProvideErrorMetadata;

use super::{ApiStats, classify};
use crate::backend::{BResult, BackendError, ErrorKind, Op};
use crate::model::{Decision, Matched, NamedPolicies, PolicyKind, SimResult};

/// At most this many pages of one SimulatePrincipalPolicy answer.
const MAX_PAGES: usize = 50;

/// The simulator's decision. A context key it reports missing was taken as absent: that is
/// the answer when fhtop knows the key is absent from the real request
/// ([`crate::model::known_absent`]: no VPC endpoint, a tag the role or the bucket
/// does not carry), and undetermined otherwise.
fn decision(
    d: &PolicyEvaluationDecisionType,
    missing: &[String],
    context: &BTreeMap<String, Vec<String>>,
) -> Decision {
    let missing: Vec<&str> = missing
        .iter()
        .map(String::as_str)
        .filter(|k| !crate::model::known_absent(context, &k.to_ascii_lowercase()))
        .collect();
    match d {
        PolicyEvaluationDecisionType::ExplicitDeny => Decision::ExplicitDeny,
        // A result computed without a context value a Condition needs is not an answer.
        _ if !missing.is_empty() => Decision::Undetermined(missing.join(", ")),
        PolicyEvaluationDecisionType::Allowed => Decision::Allowed,
        _ => Decision::ImplicitDeny,
    }
}

fn matched(st: &[aws_sdk_iam::types::Statement]) -> Vec<Matched> {
    st.iter()
        .map(|s| {
            let id = s.source_policy_id().unwrap_or("?");
            let kind = s
                .source_policy_type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default();
            let at = s
                .start_position()
                .map(|p| format!(", statement at line {} col {}", p.line(), p.column()))
                .unwrap_or_default();
            Matched {
                policy: if kind.is_empty() {
                    format!("{id}{at}")
                } else {
                    format!("{id} ({kind}{at})")
                },
                sid: None,
                condition_keys: vec![],
            }
        })
        .collect()
}

/// The known keys as context entries; a key known to be absent is left out (the simulator
/// then treats it as absent, as the real request is).
fn context_entries(ctx: &BTreeMap<String, Vec<String>>) -> Vec<ContextEntry> {
    ctx.iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            let t = match k.as_str() {
                "aws:securetransport" => ContextKeyTypeEnum::Boolean,
                "aws:currenttime" => ContextKeyTypeEnum::Date,
                "aws:epochtime" => ContextKeyTypeEnum::Numeric,
                _ => ContextKeyTypeEnum::String,
            };
            ContextEntry::builder()
                .context_key_name(k)
                .set_context_key_values(Some(v.clone()))
                .context_key_type(t)
                .build()
        })
        .collect()
}

/// One SimulatePrincipalPolicy question.
pub struct Simulation<'a> {
    pub principal: &'a str,
    pub actions: &'a [String],
    pub resources: &'a [String],
    pub context: &'a BTreeMap<String, Vec<String>>,
    /// Only for an IAM user principal: the API needs a user as the caller to evaluate a
    /// resource policy's Principal element.
    pub resource_policy: Option<&'a str>,
}

pub async fn simulate(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    q: Simulation<'_>,
) -> BResult<Vec<SimResult>> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    // The resource's owner, for a resource ARN that does not name one (S3): the principal's
    // account.
    let owner = crate::model::arn_parts(q.principal)
        .map(|(partition, _, _, a, _)| format!("arn:{partition}:iam::{a}:root"));
    for _ in 0..MAX_PAGES {
        stats.call(Op::SimulatePrincipalPolicy);
        let mut req = c
            .simulate_principal_policy()
            .policy_source_arn(q.principal)
            .set_action_names(Some(q.actions.to_vec()))
            .set_resource_arns(Some(q.resources.to_vec()))
            .set_context_entries(Some(context_entries(q.context)))
            .set_marker(marker.take());
        if let Some(doc) = q.resource_policy {
            req = req
                .resource_policy(doc)
                .caller_arn(q.principal)
                .set_resource_owner(owner.clone());
        }
        // No retries: when the simulator fails, the local evaluator gives the answer at once
        // instead of after the SDK's backoff.
        let r = req
            .customize()
            .config_override(aws_sdk_iam::config::Builder::default().retry_config(
                aws_sdk_iam::config::retry::RetryConfig::standard().with_max_attempts(1),
            ))
            .send()
            .await
            .map_err(|e| classify(Op::SimulatePrincipalPolicy, e))?;
        for e in r.evaluation_results() {
            let per_resource = e.resource_specific_results();
            if per_resource.is_empty() {
                out.push(SimResult {
                    action: e.eval_action_name().to_string(),
                    resource: e.eval_resource_name().unwrap_or("*").to_string(),
                    decision: decision(e.eval_decision(), e.missing_context_values(), q.context),
                    matched: matched(e.matched_statements()),
                });
            }
            for rr in per_resource {
                out.push(SimResult {
                    action: e.eval_action_name().to_string(),
                    resource: rr.eval_resource_name().to_string(),
                    decision: decision(
                        rr.eval_resource_decision(),
                        rr.missing_context_values(),
                        q.context,
                    ),
                    matched: matched(rr.matched_statements()),
                });
            }
        }
        match (r.is_truncated(), r.marker()) {
            (true, Some(m)) => marker = Some(m.to_string()),
            _ => return Ok(out),
        }
    }
    Ok(out)
}

/// `arn:aws:iam::123:role/path/name` → `name`.
fn role_name(arn: &str) -> BResult<&str> {
    match arn.split_once(":role/") {
        Some((_, path)) => Ok(path.rsplit('/').next().unwrap_or(path)),
        None => Err(BackendError::new(
            ErrorKind::Other,
            format!("the local evaluator reads role policies only; {arn} is not a role ARN"),
        )),
    }
}

async fn policy_document(c: &aws_sdk_iam::Client, stats: &ApiStats, arn: &str) -> BResult<String> {
    stats.call(Op::GetPolicy);
    let p = c
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(|e| classify(Op::GetPolicy, e))?;
    let version = p
        .policy()
        .and_then(|p| p.default_version_id())
        .unwrap_or("v1")
        .to_string();
    stats.call(Op::GetPolicyVersion);
    let v = c
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .map_err(|e| classify(Op::GetPolicyVersion, e))?;
    Ok(v.policy_version()
        .and_then(|v| v.document())
        .unwrap_or("")
        .to_string())
}

/// GetRole: the role with its trust policy and permissions boundary.
async fn get_role(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    name: &str,
) -> BResult<aws_sdk_iam::operation::get_role::GetRoleOutput> {
    stats.call(Op::GetRole);
    c.get_role()
        .role_name(name)
        .send()
        .await
        .map_err(|e| classify(Op::GetRole, e))
}

/// Every policy that decides what the role may do: the trust policy, attached managed policies,
/// inline policies, the permissions boundary — in that order. GetRole, ListAttachedRolePolicies
/// and ListRolePolicies are asked at once (none needs another's answer), and each page's policy
/// documents at once.
///
/// Errors: the first failing call's [`BackendError`] (NotFound when the role does not exist).
pub async fn role_policies(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    arn: &str,
) -> BResult<NamedPolicies> {
    let name = role_name(arn)?;
    let (role, attached, inline) = tokio::join!(
        get_role(c, stats, name),
        attached_policies(c, stats, name),
        inline_policies(c, stats, name),
    );
    let role = role?;
    let boundary = role
        .role()
        .and_then(|r| r.permissions_boundary())
        .and_then(|b| b.permissions_boundary_arn())
        .map(str::to_string);
    let mut out = Vec::new();
    if let Some(trust) = role.role().and_then(|r| r.assume_role_policy_document()) {
        out.push((
            format!("{name} trust policy"),
            PolicyKind::Trust,
            trust.to_string(),
        ));
    }
    out.extend(attached?);
    out.extend(inline?);
    if let Some(b) = boundary {
        let doc = policy_document(c, stats, &b).await?;
        out.push((b, PolicyKind::Boundary, doc));
    }
    Ok(out)
}

/// The role's attached managed policies, every page, each document read (GetPolicy +
/// GetPolicyVersion) at once per page.
async fn attached_policies(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    name: &str,
) -> BResult<NamedPolicies> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        stats.call(Op::ListAttachedRolePolicies);
        let r = c
            .list_attached_role_policies()
            .role_name(name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListAttachedRolePolicies, e))?;
        let arns: Vec<&str> = r
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn())
            .collect();
        let docs =
            futures_util::future::join_all(arns.iter().map(|parn| policy_document(c, stats, parn)))
                .await;
        for (parn, doc) in arns.iter().zip(docs) {
            out.push((parn.to_string(), PolicyKind::Identity, doc?));
        }
        match (r.is_truncated(), r.marker()) {
            (true, Some(m)) => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// The role's inline policies, every page, each document (GetRolePolicy) read at once per page.
async fn inline_policies(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    name: &str,
) -> BResult<NamedPolicies> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        stats.call(Op::ListRolePolicies);
        let r = c
            .list_role_policies()
            .role_name(name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListRolePolicies, e))?;
        let docs = futures_util::future::join_all(r.policy_names().iter().map(|p| async move {
            stats.call(Op::GetRolePolicy);
            c.get_role_policy()
                .role_name(name)
                .policy_name(p)
                .send()
                .await
                .map_err(|e| classify(Op::GetRolePolicy, e))
        }))
        .await;
        for (p, d) in r.policy_names().iter().zip(docs) {
            out.push((
                format!("{name}/{p} (inline)"),
                PolicyKind::Identity,
                d?.policy_document().to_string(),
            ));
        }
        match (r.is_truncated(), r.marker()) {
            (true, Some(m)) => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// The role's trust policy (AssumeRolePolicyDocument, URL-encoded as IAM returns it) from
/// GetRole.
///
/// Errors: NotFound when the role does not exist; what GetRole returns otherwise.
pub async fn trust_policy(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    arn: &str,
) -> BResult<Option<String>> {
    let role = get_role(c, stats, role_name(arn)?).await?;
    Ok(role
        .role()
        .and_then(|r| r.assume_role_policy_document())
        .map(str::to_string))
}

/// The tags of the role `arn` (ListRoleTags, every page): (key, value) in IAM's order.
/// Errors as [`role_policies`].
pub async fn role_tags(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    arn: &str,
) -> BResult<Vec<(String, String)>> {
    let name = role_name(arn)?;
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        stats.call(Op::ListRoleTags);
        let r = c
            .list_role_tags()
            .role_name(name)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListRoleTags, e))?;
        out.extend(
            r.tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string())),
        );
        match r.marker() {
            Some(m) if r.is_truncated() => marker = Some(m.to_string()),
            _ => return Ok(out),
        }
    }
}

/// The customer-managed policy called `name`: (ARN, default version's document).
pub async fn managed_policy(
    c: &aws_sdk_iam::Client,
    stats: &ApiStats,
    name: &str,
) -> BResult<Option<(String, String)>> {
    let mut marker = None;
    loop {
        stats.call(Op::ListPolicies);
        let r = c
            .list_policies()
            .scope(aws_sdk_iam::types::PolicyScopeType::Local)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListPolicies, e))?;
        if let Some(p) = r.policies().iter().find(|p| p.policy_name() == Some(name)) {
            let arn = p.arn().unwrap_or_default().to_string();
            let doc = policy_document(c, stats, &arn).await?;
            return Ok(Some((arn, doc)));
        }
        match (r.is_truncated(), r.marker()) {
            (true, Some(m)) => marker = Some(m.to_string()),
            _ => return Ok(None),
        }
    }
}

/// Every bucket the account owns (ListBuckets, every page).
pub async fn own_buckets(c: &aws_sdk_s3::Client, stats: &ApiStats) -> BResult<Vec<String>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        stats.call(Op::ListBuckets);
        let r = c
            .list_buckets()
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListBuckets, e))?;
        out.extend(
            r.buckets()
                .iter()
                .filter_map(|b| b.name().map(str::to_string)),
        );
        match r.continuation_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

pub async fn bucket_policy(
    c: &aws_sdk_s3::Client,
    stats: &ApiStats,
    bucket: &str,
) -> BResult<Option<String>> {
    stats.call(Op::GetBucketPolicy);
    match c.get_bucket_policy().bucket(bucket).send().await {
        Ok(r) => Ok(r.policy().map(str::to_string)),
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => Ok(None),
        Err(e) => Err(classify(Op::GetBucketPolicy, e)),
    }
}

/// Whether ABAC is enabled on the general purpose bucket `bucket` (GetBucketAbac): only then does
/// S3 compare `aws:ResourceTag` conditions with the bucket's tags (Amazon S3 User Guide, "Using
/// tags with S3 general purpose buckets"). An answer without a status is the default,
/// disabled (Amazon S3 User Guide, "Enabling ABAC in general purpose buckets": "By default,
/// ABAC is disabled"). Errors: the backend's (e.g. `AccessDenied` without s3:GetBucketAbac).
pub async fn bucket_abac(c: &aws_sdk_s3::Client, stats: &ApiStats, bucket: &str) -> BResult<bool> {
    stats.call(Op::GetBucketAbac);
    let r = c
        .get_bucket_abac()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| classify(Op::GetBucketAbac, e))?;
    Ok(r.abac_status()
        .and_then(|s| s.status())
        .is_some_and(|s| s.as_str().eq_ignore_ascii_case("Enabled")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key the simulator reports missing decides "undetermined" unless fhtop knows the real
    /// request lacks it: then the simulator's answer (computed with it absent) stands.
    #[test]
    fn keys_known_absent_do_not_make_the_simulators_answer_undetermined() {
        let allowed = PolicyEvaluationDecisionType::Allowed;
        let implicit = PolicyEvaluationDecisionType::ImplicitDeny;
        let tag = vec!["aws:ResourceTag/team".to_string()];
        let mut ctx = BTreeMap::new();
        assert_eq!(
            decision(&implicit, &tag, &ctx),
            Decision::Undetermined("aws:ResourceTag/team".into())
        );
        ctx.insert(crate::model::RESOURCE_TAGS_LISTED.to_string(), vec![]);
        assert_eq!(decision(&implicit, &tag, &ctx), Decision::ImplicitDeny);
        // A key given with no values is absent too; others still count.
        ctx.insert("aws:sourcevpce".into(), vec![]);
        let both = vec!["aws:SourceVpce".to_string(), "aws:SourceIp".to_string()];
        assert_eq!(
            decision(&allowed, &both, &ctx),
            Decision::Undetermined("aws:SourceIp".into())
        );
        assert_eq!(decision(&allowed, &both[..1], &ctx), Decision::Allowed);
        // A tag key with `/` in it is under the listed prefix too.
        let slashed = vec!["aws:ResourceTag/kubernetes.io/cluster".to_string()];
        assert_eq!(decision(&allowed, &slashed, &ctx), Decision::Allowed);
    }
}
