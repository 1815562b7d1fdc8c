//! The fix for a denial: the smallest statement that would allow what was implicitly denied,
//! what to change for an explicit deny, the trust statement a service needs.

use super::*;

/// The smallest statement that would allow what was implicitly denied, per resource; for an
/// explicit deny, what to change instead (no Allow overrides it).
pub(super) fn fixes(results: &[(SimResult, Option<String>)], target: &str) -> Vec<String> {
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
                let by = if by.is_empty() {
                    "a Deny statement".to_string()
                } else {
                    by.join(", ")
                };
                let keys: Vec<&str> = r
                    .matched
                    .iter()
                    .flat_map(|m| m.condition_keys.iter().map(String::as_str))
                    .collect();
                // A Deny under a condition is a control: the fix meets it, never removes it.
                let line = if keys
                    .iter()
                    .any(|k| k.starts_with("s3:x-amz-server-side-encryption"))
                {
                    format!(
                        "{} on {} is denied by {by} unless the upload is encrypted as the bucket demands ({}): give the stream that encryption — its S3 destination's EncryptionConfiguration with KMSEncryptionConfig.AWSKMSKeyARN set to the key the bucket expects (aws firehose update-destination ... --extended-s3-destination-update '{{\"EncryptionConfiguration\":{{\"KMSEncryptionConfig\":{{\"AWSKMSKeyARN\":\"KEY_ARN\"}}}}}}'); keep the bucket's Deny",
                        r.action,
                        r.resource,
                        keys.join(", ")
                    )
                } else if !keys.is_empty() {
                    format!(
                        "{} on {} is denied by {by} unless its condition holds ({}): meet the condition; the Deny is a control, do not remove it",
                        r.action,
                        r.resource,
                        keys.join(", ")
                    )
                } else {
                    format!(
                        "{} on {} is explicitly denied by {by}: remove or narrow that statement (no Allow overrides a Deny)",
                        r.action, r.resource
                    )
                };
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
        // A fix never grants on every resource: name them.
        if res.contains(&"*") {
            out.push(format!(
                "{} is not allowed on the resources asked (*): a fix names the resources it grants on (never \"Resource\": \"*\") — ask again with --resource ARN",
                acts.join(", ")
            ));
            continue;
        }
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

/// The trust statement that lets the service assume the role (Firehose: with the
/// `sts:ExternalId` condition AWS documents).
pub(super) fn trust_fix(role: &str, t: &TrustCheck) -> String {
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
