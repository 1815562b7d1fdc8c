//! The one path every mutation takes, from the TUI (`t`, `y`) and from the CLI
//! (`fhtop rule enable|disable`): read-only gate → managed-rule refusal → confirmation (by the
//! caller, between [`Executor::plan`] and [`Executor::apply`]) → EnableRule/DisableRule (PutRule
//! to restore a state other than ENABLED) → verification (DescribeRule until the new state
//! shows, or a timeout) → audit record.
//!
//! A rule can be enabled in two ways (EventBridge `State`): `ENABLED`, and
//! `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` (also read-only management events from
//! CloudTrail). EnableRule always sets `ENABLED`, so enabling a rule fhtop disabled restores the
//! state the audit log recorded before the disable, with PutRule; without that record, the
//! plan says which command would restore it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

use crate::backend::Backend;
use crate::model::{Identity, Rule, RuleKey, RuleState};

pub mod recover;
mod rule;
pub use rule::{RulePlan, restore_command, state_before_disable, target_state};

/// How a rule change ended; recorded in the audit log and mapped to the `fhtop rule` exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Changed and seen changed by DescribeRule.
    Confirmed,
    /// Already in the wanted state: nothing sent.
    Unchanged,
    /// Not attempted: read-only, managed, not found, not confirmed.
    Refused(String),
    /// The call failed.
    Failed(String),
    /// The call succeeded but the new state did not show within the timeout.
    Unverified(String),
}

impl Outcome {
    /// The outcome as the audit log spells it: "confirmed", "unchanged", "refused", "failed",
    /// "unverified".
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Unchanged => "unchanged",
            Outcome::Refused(_) => "refused",
            Outcome::Failed(_) => "failed",
            Outcome::Unverified(_) => "unverified",
        }
    }
    /// The reason or error message of a refused, failed or unverified change.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Outcome::Refused(s) | Outcome::Failed(s) | Outcome::Unverified(s) => Some(s),
            _ => None,
        }
    }
    /// Exit code for `fhtop rule`: 0 done, 1 failed, 4 refused, 5 not verified.
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Confirmed | Outcome::Unchanged => 0,
            Outcome::Failed(_) => 1,
            Outcome::Refused(_) => 4,
            Outcome::Unverified(_) => 5,
        }
    }
}

/// One JSON line per mutation attempt. Never a credential in it.
#[derive(Debug, Serialize)]
struct AuditRecord<'a> {
    time: String,
    caller_arn: Option<&'a str>,
    profile: Option<&'a str>,
    region: &'a str,
    account: &'a str,
    bus: &'a str,
    rule: &'a str,
    from: &'a str,
    to: &'a str,
    outcome: &'a str,
    error: Option<&'a str>,
}

/// Where audit records go: `$FHTOP_AUDIT_LOG`, else `$XDG_STATE_HOME/fhtop/audit.jsonl`.
pub fn default_audit_path() -> Option<PathBuf> {
    std::env::var_os("FHTOP_AUDIT_LOG")
        .map(PathBuf::from)
        .or_else(|| dirs::state_dir().map(|d| d.join("fhtop").join("audit.jsonl")))
}

/// Appends one audit `line` (a JSON object, never a credential) to the audit log at `path`
/// (creating it and its directory), and to the app log — at info when `ok`, else warn. A
/// log that cannot be written is an error in the app log; the action is not undone.
pub fn append_audit(path: Option<&std::path::Path>, line: &str, ok: bool) {
    if ok {
        tracing::info!("audit: {}", crate::text::sanitize::clean(line));
    } else {
        tracing::warn!("audit: {}", crate::text::sanitize::clean(line));
    }
    if let Some(path) = path {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
            })
            .and_then(|mut f| writeln!(f, "{line}"));
        if let Err(e) = written {
            tracing::error!("audit log {}: {e}", path.display());
        }
    }
}

/// Carries out rule changes: plan (checks), apply (EnableRule/DisableRule), verify, audit.
pub struct Executor {
    /// The backend the changes are sent to.
    pub backend: Arc<dyn Backend>,
    /// Refuse every change (`--read-only`).
    pub read_only: bool,
    /// Who is changing what where (account, region, caller ARN), for the plan and the audit record.
    pub identity: Identity,
    /// The JSON-lines audit log; `None` writes no audit records.
    pub audit_path: Option<PathBuf>,
    /// How long to wait for DescribeRule to show the new state.
    pub verify_timeout: Duration,
}

impl Executor {
    /// Checks that need no confirmation: read-only, the rule exists, it is not managed.
    /// No mutating call is ever sent from here.
    pub async fn plan(&self, key: &RuleKey, enable: bool) -> Result<RulePlan, Outcome> {
        let refuse = |why: String| {
            let o = Outcome::Refused(why);
            self.audit(key, "?", if enable { "ENABLED" } else { "DISABLED" }, &o);
            o
        };
        if self.read_only {
            return Err(refuse("read-only mode: no changes are made".into()));
        }
        let rule = match self.backend.describe_rule(key).await {
            Ok(r) => r,
            Err(e) => return Err(refuse(format!("cannot read rule {key}: {}", e.message))),
        };
        if let Some(m) = &rule.managed_by {
            return Err(refuse(format!(
                "rule {key} is managed by {m}; change it through that service"
            )));
        }
        // What the change affects, read for this rule alone (never the whole inventory).
        let streams = match self.backend.rule_targets(key).await {
            Ok(targets) => targets
                .iter()
                .filter_map(|t| {
                    // Another account's or region's stream is named with where it is.
                    if let Some((account, region, name)) = rule.foreign_stream(t) {
                        return Some(format!("{name} ({account} {region})"));
                    }
                    t.firehose_stream_name().map(str::to_string).or_else(|| {
                        crate::model::kinesis_name_from_arn(&t.arn)
                            .map(|k| format!("Kinesis stream {k}"))
                    })
                })
                .collect(),
            Err(e) => {
                return Err(refuse(format!(
                    "cannot read the targets of {key}: {}",
                    e.message
                )));
            }
        };
        let (to, note) = target_state(&rule, enable, self.audit_path.as_deref(), &self.identity);
        Ok(RulePlan {
            key: key.clone(),
            from: rule.state,
            enable,
            to,
            note,
            streams,
            account: self.identity.account.clone(),
            region: self.identity.region.clone(),
        })
    }

    /// After the user confirmed `plan`: change, verify, record.
    pub async fn apply(&self, plan: &RulePlan) -> Outcome {
        let outcome = self.apply_inner(plan).await;
        self.audit(&plan.key, plan.from.as_str(), plan.to_state(), &outcome);
        outcome
    }

    async fn apply_inner(&self, plan: &RulePlan) -> Outcome {
        if self.read_only {
            return Outcome::Refused("read-only mode: no changes are made".into());
        }
        // Re-check right before the call: the rule may have changed since the dialog opened.
        match self.backend.describe_rule(&plan.key).await {
            Ok(r) if r.managed_by.is_some() => {
                return Outcome::Refused(format!("rule {} is managed", plan.key));
            }
            Ok(r) if r.state == plan.to => return Outcome::Unchanged,
            Ok(_) => {}
            Err(e) => return Outcome::Failed(e.message),
        }
        if let Err(e) = self.backend.set_rule_state(&plan.key, &plan.to).await {
            return Outcome::Failed(e.explained());
        }
        let deadline = tokio::time::Instant::now() + self.verify_timeout;
        loop {
            match self.backend.describe_rule(&plan.key).await {
                // The exact state: ENABLED where ENABLED_WITH_… was asked for is not done.
                Ok(r) if r.state == plan.to => return Outcome::Confirmed,
                Ok(_) | Err(_) if tokio::time::Instant::now() >= deadline => {
                    return Outcome::Unverified(format!(
                        "{} did not show {} within {} s",
                        plan.key,
                        plan.to_state(),
                        self.verify_timeout.as_secs()
                    ));
                }
                _ => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
    }

    fn audit(&self, key: &RuleKey, from: &str, to: &str, outcome: &Outcome) {
        let rec = AuditRecord {
            time: Utc::now().to_rfc3339(),
            caller_arn: self.identity.caller_arn.as_deref(),
            profile: self.identity.profile.as_deref(),
            region: &self.identity.region,
            account: &self.identity.account,
            bus: &key.bus,
            rule: &key.name,
            from,
            to,
            outcome: outcome.word(),
            error: outcome.detail(),
        };
        let line = serde_json::to_string(&rec).unwrap_or_default();
        let ok = matches!(outcome, Outcome::Confirmed | Outcome::Unchanged);
        append_audit(self.audit_path.as_deref(), &line, ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{Clock, demo::DemoBackend};

    fn exec(read_only: bool, audit: PathBuf) -> Executor {
        let clock = Clock::Fixed(Utc::now());
        Executor {
            backend: Arc::new(DemoBackend::new(7, clock, None)),
            read_only,
            identity: Identity {
                account: "123456789012".into(),
                region: "us-east-1".into(),
                profile: Some("demo".into()),
                caller_arn: Some("arn:aws:sts::123456789012:assumed-role/OnCall/me".into()),
                demo: true,
            },
            audit_path: Some(audit),
            verify_timeout: Duration::from_secs(2),
        }
    }

    fn key(bus: &str, name: &str) -> RuleKey {
        RuleKey {
            bus: bus.into(),
            name: name.into(),
        }
    }

    fn audit_file(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("fhtop-audit-{}-{name}.jsonl", std::process::id()))
    }

    #[tokio::test]
    async fn enable_confirm_verify_and_audit() {
        let path = audit_file("ok");
        let _ = std::fs::remove_file(&path);
        let e = exec(false, path.clone());
        let k = key("orders-bus", "payment-refunded");
        let plan = e.plan(&k, true).await.expect("plan");
        assert_eq!(plan.from, RuleState::Disabled);
        assert_eq!(plan.streams, vec!["payments-archive".to_string()]);
        assert!(plan.summary().contains("DISABLED → ENABLED"));
        assert_eq!(e.apply(&plan).await, Outcome::Confirmed);
        assert!(
            e.backend
                .describe_rule(&k)
                .await
                .expect("rule")
                .state
                .is_enabled()
        );
        assert_eq!(
            e.apply(&plan).await,
            Outcome::Unchanged,
            "a second apply sends nothing"
        );
        let log = std::fs::read_to_string(&path).expect("audit written");
        let lines: Vec<serde_json::Value> = log
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "confirmed");
        assert_eq!(lines[0]["from"], "DISABLED");
        assert_eq!(lines[0]["to"], "ENABLED");
        assert_eq!(
            lines[0]["caller_arn"],
            "arn:aws:sts::123456789012:assumed-role/OnCall/me"
        );
        assert!(!log.to_lowercase().contains("secret") && !log.contains("aws_access_key"));
        let _ = std::fs::remove_file(&path);
    }

    #[tokio::test]
    async fn read_only_and_managed_are_refused_before_any_change() {
        let path = audit_file("refused");
        let _ = std::fs::remove_file(&path);
        let ro = exec(true, path.clone());
        let k = key("orders-bus", "payment-refunded");
        assert!(matches!(ro.plan(&k, true).await, Err(Outcome::Refused(_))));
        assert!(
            !ro.backend
                .describe_rule(&k)
                .await
                .expect("rule")
                .state
                .is_enabled()
        );
        let rw = exec(false, path.clone());
        let managed = key("default", "SecurityHubFindingsToFirehose");
        match rw.plan(&managed, false).await {
            Err(Outcome::Refused(why)) => assert!(why.contains("securityhub.amazonaws.com")),
            other => panic!("managed rule not refused: {other:?}"),
        }
        assert!(
            rw.backend
                .describe_rule(&managed)
                .await
                .expect("rule")
                .state
                .is_enabled()
        );
        let log = std::fs::read_to_string(&path).expect("refusals are audited too");
        assert_eq!(log.lines().count(), 2);
        assert!(log.lines().all(|l| l.contains("\"outcome\":\"refused\"")));
        let _ = std::fs::remove_file(&path);
    }

    fn rule_in(state: &str) -> Rule {
        Rule {
            bus: "default".into(),
            name: "mgmt events".into(),
            arn: String::new(),
            state: RuleState::parse(state),
            description: Some("it's CloudTrail".into()),
            event_pattern: Some(r#"{"source":["aws.s3"]}"#.into()),
            schedule: None,
            managed_by: None,
            role_arn: None,
            targets: Vec::new(),
        }
    }

    #[test]
    fn enabling_restores_the_state_recorded_before_fhtop_disabled_it() {
        const CT: &str = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
        let path = audit_file("restore");
        let e = exec(false, path.clone());
        let rec = |from: &str, to: &str, outcome: &str, rule: &str| {
            format!(
                r#"{{"time":"2026-11-29T12:03:00Z","region":"us-east-1","account":"123456789012","bus":"default","rule":"{rule}","from":"{from}","to":"{to}","outcome":"{outcome}"}}"#
            )
        };
        let lines = [
            rec(CT, "DISABLED", "confirmed", "mgmt events"),
            rec(CT, "DISABLED", "confirmed", "other"),
            "not json".to_string(),
            rec("DISABLED", CT, "failed", "mgmt events"),
        ];
        std::fs::write(&path, lines.join("\n")).expect("write");
        let disabled = rule_in("DISABLED");
        let (to, note) = target_state(&disabled, true, Some(&path), &e.identity);
        assert_eq!(to.as_str(), CT);
        assert!(note.is_some_and(|n| n.contains("2026-11-29 12:03 UTC")));
        // Enabled again since (by fhtop, to ENABLED): nothing left to restore.
        std::fs::write(
            &path,
            [
                rec(CT, "DISABLED", "confirmed", "mgmt events"),
                rec("DISABLED", "ENABLED", "confirmed", "mgmt events"),
            ]
            .join("\n"),
        )
        .expect("write");
        assert_eq!(
            target_state(&disabled, true, Some(&path), &e.identity).0,
            RuleState::Enabled
        );
        // Another account's record does not count.
        let mut other = e.identity.clone();
        other.account = "999999999999".into();
        std::fs::write(&path, rec(CT, "DISABLED", "confirmed", "mgmt events")).expect("write");
        assert_eq!(
            target_state(&disabled, true, Some(&path), &other).0,
            RuleState::Enabled
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn disabling_without_an_audit_log_gives_the_command_that_restores() {
        let e = exec(false, audit_file("none"));
        let r = rule_in("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
        let (to, note) = target_state(&r, false, None, &e.identity);
        assert_eq!(to, RuleState::Disabled);
        let note = note.expect("a note");
        assert!(
            note.contains(
                "aws events put-rule --region us-east-1 --event-bus-name default --name 'mgmt events' \
                 --state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS --event-pattern "
            ) && note.contains(r#"--description "it's CloudTrail""#),
            "{note}"
        );
        // A plain ENABLED rule needs no note.
        assert_eq!(
            target_state(&rule_in("ENABLED"), false, None, &e.identity).1,
            None
        );
    }

    #[tokio::test]
    async fn a_cloudtrail_state_round_trips_through_the_demo_backend() {
        let path = audit_file("ct");
        let _ = std::fs::remove_file(&path);
        let e = exec(false, path.clone());
        let k = key("orders-bus", "payment-refunded");
        e.backend
            .set_rule_state(
                &k,
                &RuleState::parse("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
            )
            .await
            .expect("set");
        let off = e.plan(&k, false).await.expect("plan");
        assert!(off.note.is_some());
        assert_eq!(e.apply(&off).await, Outcome::Confirmed);
        let on = e.plan(&k, true).await.expect("plan");
        assert_eq!(
            on.to_state(),
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
        );
        assert_eq!(e.apply(&on).await, Outcome::Confirmed);
        assert_eq!(
            e.backend
                .describe_rule(&k)
                .await
                .expect("rule")
                .state
                .as_str(),
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn enabling_an_enabled_rule_keeps_its_state() {
        // No audit record: a rule already ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is not
        // "enabled" again with EnableRule (which would set plain ENABLED).
        let e = exec(false, audit_file("keep"));
        let r = rule_in("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
        let (to, note) = target_state(&r, true, None, &e.identity);
        assert_eq!(to, r.state);
        assert_eq!(note, None);
    }
}
