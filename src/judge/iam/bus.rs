//! May producers in another account put events on a rule's bus? A bus takes another account's
//! `events:PutEvents` only where its resource policy (DescribeEventBus `Policy`) lets that
//! account in; an explicit Deny there refuses it whatever the sender's own policies say
//! (Amazon EventBridge User Guide, "Permissions for Amazon EventBridge event buses"; IAM User
//! Guide, "Cross-account policy evaluation logic").
//!
//! The producers fhtop knows are the accounts a rule's pattern names (`"account": [...]`): a
//! rule that matches only another account's events depends on that account being let in. The
//! sender's own IAM policies live in the other account and are not readable here, so a bus
//! that lets the account in leaves the answer undetermined (naming that), never allowed.

use super::*;

/// The producers a rule's pattern names on its bus: account `account` putting events on the
/// bus `bus` (ARN `bus_arn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusCheck {
    /// The 12-digit account the pattern's `account` field names.
    pub account: String,
    /// The bus name (`EventBusName`).
    pub bus: String,
    /// The bus ARN, `arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME`.
    pub bus_arn: String,
}

/// The accounts other than the rule's own that the rule's pattern names in its `account`
/// field (exact values only; a prefix or other matcher names no account).
pub fn producer_accounts(rule: &Rule) -> Vec<String> {
    let own = arn_parts(&rule.arn).map(|p| p.3).unwrap_or("");
    let Some(v) = rule
        .event_pattern
        .as_deref()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
    else {
        return vec![];
    };
    let mut out: Vec<String> = v
        .get("account")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str())
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) && *a != own)
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One request per account the rule's pattern names besides its own: may it put events on
/// the rule's bus. None for a rule without an ARN (its bus's ARN is not known).
pub fn producer_requests(rule: &Rule) -> Vec<SimRequest> {
    let Some((partition, _, region, own, _)) = arn_parts(&rule.arn) else {
        return vec![];
    };
    let bus_arn = format!(
        "arn:{partition}:events:{region}:{own}:event-bus/{}",
        rule.bus
    );
    producer_accounts(rule)
        .into_iter()
        .map(|account| {
            SimRequest::new(
                format!(
                    "Rule {}: events from account {account} onto bus {}",
                    rule.key(),
                    rule.bus
                ),
                Subject::Producers(BusCheck {
                    account,
                    bus: rule.bus.clone(),
                    bus_arn: bus_arn.clone(),
                }),
                vec![],
            )
        })
        .collect()
}

/// The command that lets `b.account` put events on the bus.
fn put_permission(b: &BusCheck) -> String {
    format!(
        "let account {a} put events on {bus} (it refuses them now, so the rule never sees them): aws events put-permission --event-bus-name {bus} --action events:PutEvents --principal {a} --statement-id allow-{a}",
        a = b.account,
        bus = b.bus
    )
}

/// Decides a [`Subject::Producers`] request from the bus's policy alone.
pub(super) async fn run_producers(backend: &Reads<'_>, b: &BusCheck, mut report: Report) -> Report {
    report.engine = "event bus policy (local evaluator)".into();
    let action = format!("events:PutEvents (from account {})", b.account);
    let senders = format!(
        "the IAM policies of the senders in account {} (another account's, not readable here)",
        b.account
    );
    let mut result = SimResult {
        action,
        resource: b.bus_arn.clone(),
        decision: Decision::Undetermined(format!("the policy of event bus {}", b.bus)),
        matched: vec![],
    };
    let mut fix = None;
    match backend.bus_policy(&b.bus).await {
        Ok(None) => {
            result.decision = Decision::ImplicitDeny;
            result.matched = vec![Matched::fact(format!(
                "event bus {}: no policy (only its own account may put events)",
                b.bus
            ))];
            fix = Some(put_permission(b));
        }
        Ok(Some(doc)) => {
            let name = format!("policy of event bus {}", b.bus);
            if let Some(policy) =
                policy_or_note(&name, PolicyKind::Resource, &doc, &mut report.notes)
            {
                (result.decision, result.matched) = decide(&policy, &doc, b, &senders);
                if result.decision == Decision::ImplicitDeny {
                    fix = Some(put_permission(b));
                }
            }
        }
        Err(e) => report
            .notes
            .push(format!("policy of event bus {} not read: {e}", b.bus)),
    }
    report.rows.push(row(
        &result.action,
        &result.resource,
        &result.decision,
        &result.matched,
    ));
    report.fixes.extend(fix);
    report
}

/// The bus policy's decision for a sender of `b.account`, its own side taken as allowing (it
/// is not readable): Allowed becomes undetermined on `senders`; an implicit deny of a policy
/// that names only some principals of the account is undetermined on which one sends.
fn decide(
    policy: &eval::Policy,
    doc: &str,
    b: &BusCheck,
    senders: &str,
) -> (Decision, Vec<Matched>) {
    // The sender's own side, unknown: taken as allowing, so what decides is the bus.
    let own_side = eval::parse(
        "the sender's own policies (assumed to allow)",
        PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"*"}]}"#,
    );
    let Ok(own_side) = own_side else {
        return (Decision::Undetermined(senders.to_string()), vec![]);
    };
    // A sender of the account, in the bus's partition.
    let partition = arn_parts(&b.bus_arn).map(|p| p.0).unwrap_or("aws");
    let principal = format!("arn:{partition}:iam::{}:root", b.account);
    let mut context = BTreeMap::new();
    context.insert("aws:principalaccount".to_string(), vec![b.account.clone()]);
    context.insert("aws:securetransport".to_string(), vec!["true".to_string()]);
    let e = eval::evaluate(
        &[own_side, policy.clone()],
        &eval::Request {
            principal: &principal,
            account: eval::OWNER_OTHER,
            action: "events:PutEvents",
            resource: &b.bus_arn,
            context: &context,
            missing: eval::Missing::Unknown,
        },
    );
    let bus_only: Vec<Matched> = e
        .matched
        .into_iter()
        .filter(|m| m.policy.contains("event bus"))
        .collect();
    match e.decision {
        Decision::Allowed => (Decision::Undetermined(senders.to_string()), bus_only),
        // A grant to one role or user of the account: whether it is the one that sends is
        // not known here.
        Decision::ImplicitDeny
            if doc.contains(&format!(":iam::{}:role/", b.account))
                || doc.contains(&format!(":iam::{}:user/", b.account)) =>
        {
            (
                Decision::Undetermined(format!(
                    "which principal of account {} sends (the bus policy lets in only some)",
                    b.account
                )),
                bus_only,
            )
        }
        d => (d, bus_only),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str) -> Rule {
        Rule {
            bus: "partners".into(),
            name: "from-partners".into(),
            arn: "arn:aws:events:eu-west-1:123456789012:rule/partners/from-partners".into(),
            state: crate::model::RuleState::Enabled,
            description: None,
            event_pattern: Some(pattern.into()),
            schedule: None,
            managed_by: None,
            role_arn: None,
            targets: vec![],
        }
    }

    #[test]
    fn producers_are_the_other_accounts_the_pattern_names_exactly() {
        let r = rule(
            r#"{"account":["111111111111","123456789012",{"prefix":"2"},"111111111111","222222222222"]}"#,
        );
        assert_eq!(
            producer_accounts(&r),
            vec!["111111111111".to_string(), "222222222222".to_string()]
        );
        let reqs = producer_requests(&r);
        assert_eq!(reqs.len(), 2);
        assert!(matches!(&reqs[0].subject, Subject::Producers(b)
            if b.bus_arn == "arn:aws:events:eu-west-1:123456789012:event-bus/partners"));
        assert!(producer_accounts(&rule(r#"{"source":["acme"]}"#)).is_empty());
    }

    fn decided(policy: &str, account: &str) -> Decision {
        let b = BusCheck {
            account: account.into(),
            bus: "partners".into(),
            bus_arn: "arn:aws:events:eu-west-1:123456789012:event-bus/partners".into(),
        };
        let p = eval::parse("policy of event bus partners", PolicyKind::Resource, policy)
            .unwrap_or_else(|e| panic!("{e}"));
        decide(&p, policy, &b, "senders").0
    }

    #[test]
    fn the_bus_policy_decides_for_another_account_and_never_allows_alone() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},
             "Action":"events:PutEvents","Resource":"arn:aws:events:eu-west-1:123456789012:event-bus/partners"},
            {"Sid":"NotThem","Effect":"Deny","Principal":{"AWS":"222222222222"},
             "Action":"events:PutEvents","Resource":"*"},
            {"Sid":"One","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444444444444:role/producer"},
             "Action":"events:PutEvents","Resource":"*"}]}"#;
        // Let in: the senders' own side is not readable.
        assert_eq!(
            decided(doc, "111111111111"),
            Decision::Undetermined("senders".into())
        );
        assert_eq!(decided(doc, "222222222222"), Decision::ExplicitDeny);
        assert_eq!(decided(doc, "333333333333"), Decision::ImplicitDeny);
        assert!(matches!(
            decided(doc, "444444444444"),
            Decision::Undetermined(k) if k.contains("which principal")
        ));
        let org = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"events:PutEvents",
            "Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}"#;
        assert!(matches!(
            decided(org, "111111111111"),
            Decision::Undetermined(k) if k.to_ascii_lowercase().contains("principalorgid")
        ));
    }
}
