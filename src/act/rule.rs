//! A rule change: what enabling or disabling changes ([`RulePlan`]), the state to come back
//! to, and the command that restores it.

use super::*;

/// What the user is asked to confirm: everything needed to know what will change.
#[derive(Debug, Clone, PartialEq)]
pub struct RulePlan {
    /// The rule to change.
    pub key: RuleKey,
    /// Its state now (DescribeRule), shown as the "from" of the change.
    pub from: RuleState,
    /// True to enable, false to DisableRule.
    pub enable: bool,
    /// The state asked for: DISABLED, ENABLED, or the enabled state fhtop restores.
    pub to: RuleState,
    /// Why `to` is not plain ENABLED / what to know before disabling (e.g. how the state
    /// disabled now can be restored); shown with the confirmation.
    pub note: Option<String>,
    /// Delivery streams the rule sends to.
    pub streams: Vec<String>,
    /// The account the rule is in (from the caller identity).
    pub account: String,
    /// The region the rule is in.
    pub region: String,
}

impl RulePlan {
    /// The state asked for, as AWS spells it ("ENABLED", "DISABLED",
    /// "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS").
    pub fn to_state(&self) -> &str {
        self.to.as_str()
    }
    /// "Enable" or "Disable", for prompts.
    pub fn verb(&self) -> &'static str {
        if self.enable { "Enable" } else { "Disable" }
    }
    /// One line for a prompt or a dialog title.
    pub fn summary(&self) -> String {
        format!(
            "{} rule {} in account {} ({}): {} → {}",
            self.verb(),
            self.key,
            self.account,
            self.region,
            self.from.as_str(),
            self.to_state()
        )
    }
}

/// The state the audit log at `path` recorded for `key` (in this account and region) before
/// fhtop last disabled it, with when ("2026-11-29 12:03 UTC"); `None` when no confirmed disable
/// is recorded, or the rule was enabled again since. Lines that are not audit records are
/// skipped.
pub fn state_before_disable(
    path: &std::path::Path,
    identity: &Identity,
    key: &RuleKey,
) -> Option<(RuleState, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut found = None;
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("");
        if field("account") != identity.account
            || field("region") != identity.region
            || field("bus") != key.bus
            || field("rule") != key.name
            || field("outcome") != "confirmed"
        {
            continue;
        }
        found = match field("to") {
            "DISABLED" => Some((
                RuleState::parse(field("from")),
                chrono::DateTime::parse_from_rfc3339(field("time"))
                    .map(|t| {
                        t.with_timezone(&Utc)
                            .format("%Y-%m-%d %H:%M UTC")
                            .to_string()
                    })
                    .unwrap_or_else(|_| field("time").to_string()),
            )),
            _ => None,
        };
    }
    found.filter(|(s, _)| s.is_enabled())
}

/// The AWS CLI command that puts `rule` back in `state` with everything else unchanged
/// (PutRule replaces the rule's pattern, schedule, description and role, so all are given).
pub fn restore_command(rule: &Rule, state: &str, region: &str) -> String {
    let q = crate::text::shell_quote;
    let mut cmd = format!(
        "aws events put-rule --region {} --event-bus-name {} --name {} --state {}",
        q(region),
        q(&rule.bus),
        q(&rule.name),
        q(state)
    );
    for (flag, v) in [
        ("--event-pattern", &rule.event_pattern),
        ("--schedule-expression", &rule.schedule),
        ("--description", &rule.description),
        ("--role-arn", &rule.role_arn),
    ] {
        if let Some(v) = v {
            cmd.push_str(&format!(" {flag} {}", q(v)));
        }
    }
    cmd
}

/// The state a change of `rule` sets and what to tell the user about it. Enabling restores the
/// enabled state the audit log at `audit` recorded before fhtop disabled the rule; disabling a
/// rule in a state EnableRule cannot restore says how it will be restored (or, without an audit
/// log, the command that restores it).
pub fn target_state(
    rule: &Rule,
    enable: bool,
    audit: Option<&std::path::Path>,
    identity: &Identity,
) -> (RuleState, Option<String>) {
    let key = rule.key();
    if !enable {
        let note = match &rule.state {
            RuleState::Other(s) if rule.state.is_enabled() => Some(match audit {
                Some(_) => format!(
                    "{key} is {s}: fhtop records it, and enabling the rule with fhtop restores \
                     {s}, not ENABLED"
                ),
                None => format!(
                    "{key} is {s} and fhtop has no audit log to remember it: restore it with {}",
                    restore_command(rule, s, &identity.region)
                ),
            }),
            _ => None,
        };
        return (RuleState::Disabled, note);
    }
    // Already enabled (in whichever way): nothing to change — never EnableRule over
    // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, which would set plain ENABLED.
    if rule.state.is_enabled() {
        return (rule.state.clone(), None);
    }
    match audit.and_then(|p| state_before_disable(p, identity, &key)) {
        Some((state @ RuleState::Other(_), at)) => {
            let note = format!(
                "restores {}, its state before fhtop disabled it at {at}",
                state.as_str()
            );
            (state, Some(note))
        }
        _ => (RuleState::Enabled, None),
    }
}
