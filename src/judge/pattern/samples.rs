//! Real sample events for a rule: what the rules of its bus delivered to CloudWatch Logs
//! (`/aws/events/<rule>`, and any log group a rule of the bus targets), tested against the
//! rule's pattern. A catch-all logging rule on a bus makes every event that arrived a sample.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{Miss, Pattern, Verdict};
use crate::backend::Backend;
use crate::model::{Inventory, Rule, arn_parts};

/// Events read per sample log group at most.
pub const SAMPLES_PER_GROUP: usize = 100;

/// A rule's pattern against the recent logged events of its bus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleReport {
    /// `bus/name` of the rule tested.
    pub rule: String,
    /// The bus the samples come from.
    pub bus: String,
    /// The log groups read: the bus's candidates ([`sample_groups`]) that exist, when that
    /// was listed.
    pub groups: Vec<String>,
    /// The log groups that held events (a subset of `groups`).
    pub found_in: Vec<String>,
    /// Distinct events tested (by event `id`).
    pub tested: usize,
    /// Of those, how many match.
    pub matched: usize,
    /// The nearest miss (most fields matched; the newest among equals), with
    /// `"<detail-type> from <source>, id <id>"`.
    pub nearest: Option<(Miss, String)>,
    /// The `id` of the nearest-miss event.
    #[serde(skip)]
    pub nearest_id: Option<String>,
    /// Every event tested, newest first.
    #[serde(skip)]
    pub events: Vec<Sample>,
    /// Log groups that could not be read, with why (a missing group is no error).
    pub errors: Vec<String>,
}

/// One logged event tested against the pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// When it was logged.
    pub time: DateTime<Utc>,
    /// `"<detail-type> from <source>"`.
    pub what: String,
    /// The event's `id` (the log event id when it has none).
    pub id: String,
    /// The pattern's verdict on it.
    pub verdict: Verdict,
    /// The event, pretty-printed JSON.
    pub json: String,
}

impl SampleReport {
    /// "0 of 12 recent events on bus orders-bus match; nearest miss: detail-type: …".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} of {} recent event{} on bus {} match",
            self.matched,
            self.tested,
            if self.tested == 1 { "" } else { "s" },
            self.bus
        );
        if self.matched == 0
            && let Some((m, what)) = &self.nearest
        {
            s.push_str(&format!("; nearest miss ({what}): {}", m.line()));
        }
        s
    }
}

/// The log groups holding events of `bus`: each rule's `/aws/events/<rule>` and every log group
/// a rule of the bus targets.
pub fn sample_groups(inv: &Inventory, bus: &str) -> Vec<String> {
    let mut g: BTreeSet<String> = BTreeSet::new();
    for r in inv.rules.iter().filter(|r| r.bus == bus) {
        g.insert(r.log_group());
        for t in &r.targets {
            if let Some((_, "logs", _, _, res)) = arn_parts(&t.arn)
                && let Some(name) = res.strip_prefix("log-group:")
            {
                g.insert(name.trim_end_matches(":*").to_string());
            }
        }
    }
    g.into_iter().collect()
}

/// Where EventBridge's CloudWatch Logs targets live: a rule's log group target must be named
/// `/aws/events/…` (Amazon EventBridge User Guide, "Targets": CloudWatch log group).
const RULE_LOGS: &str = "/aws/events/";

/// From this many candidate groups under [`RULE_LOGS`] on, which of them exist is listed
/// first (DescribeLogGroups), so that only those are read: a quiet rule on a bus of 200 rules
/// asked FilterLogEvents of 200 groups, most of which do not exist.
const LIST_FROM: usize = 4;

/// The candidates of `groups` that exist: those under [`RULE_LOGS`] that DescribeLogGroups
/// lists, and the others as they are. The listing may take a tenth of a page per candidate
/// (50 groups a page): when it would take more, or cannot be read, every candidate is read,
/// as before (one FilterLogEvents each; a missing group is no error).
async fn existing(backend: &dyn Backend, groups: Vec<String>) -> Vec<String> {
    let candidates = groups.iter().filter(|g| g.starts_with(RULE_LOGS)).count();
    if candidates < LIST_FROM {
        return groups;
    }
    match backend
        .log_group_names(RULE_LOGS, (candidates / 10).max(1))
        .await
    {
        Ok(Some(names)) => {
            let have: BTreeSet<String> = names.into_iter().collect();
            groups
                .into_iter()
                .filter(|g| !g.starts_with(RULE_LOGS) || have.contains(g))
                .collect()
        }
        _ => groups,
    }
}

/// Reads the recent logged events of `rule`'s bus (since `since`) and tests `rule`'s pattern
/// against each distinct one.
///
/// Errors: the rule has no pattern, or fhtop's engine cannot read it (the [`super::PatternError`]
/// text).
pub async fn test_samples(
    backend: &dyn Backend,
    inv: &Inventory,
    rule: &Rule,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<SampleReport, String> {
    let pattern = Pattern::parse(
        rule.event_pattern
            .as_deref()
            .ok_or_else(|| "the rule has no event pattern".to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let groups = existing(backend, sample_groups(inv, &rule.bus)).await;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut rep = SampleReport {
        rule: format!("{}/{}", rule.bus, rule.name),
        bus: rule.bus.clone(),
        groups: groups.clone(),
        found_in: Vec::new(),
        tested: 0,
        matched: 0,
        nearest: None,
        nearest_id: None,
        events: Vec::new(),
        errors: Vec::new(),
    };
    let mut nearest_at: Option<DateTime<Utc>> = None;
    for g in &groups {
        // A full page is the start of the hour: the last minutes are read too (the newest
        // samples are the ones that matter); without them, the older samples still serve.
        let recent = now - chrono::Duration::minutes(5);
        let events =
            match crate::backend::read::newest_events(backend, g, since, recent, SAMPLES_PER_GROUP)
                .await
            {
                Ok((e, _)) => e,
                Err(e) if e.kind == crate::backend::ErrorKind::NotFound => continue,
                Err(e) => {
                    rep.errors.push(format!("{g}: {}", e.explained()));
                    continue;
                }
            };
        if !events.is_empty() {
            rep.found_in.push(g.clone());
        }
        for e in events {
            let Ok(v) = serde_json::from_str::<Value>(&e.message) else {
                continue;
            };
            if !v.is_object() {
                continue;
            }
            let id = v
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| e.event_id.clone(), str::to_string);
            if !seen.insert(id.clone()) {
                continue;
            }
            let what = format!(
                "{} from {}",
                v.get("detail-type").and_then(Value::as_str).unwrap_or("?"),
                v.get("source").and_then(Value::as_str).unwrap_or("?")
            );
            let verdict = pattern.test(&v);
            rep.tested += 1;
            match &verdict {
                Verdict::Match => rep.matched += 1,
                Verdict::NoMatch(m) => {
                    // The most fields matched; among equals, the newest event.
                    let better = match (&rep.nearest, nearest_at) {
                        (Some((n, _)), Some(at)) => {
                            m.matched > n.matched || (m.matched == n.matched && e.timestamp > at)
                        }
                        _ => true,
                    };
                    if better {
                        rep.nearest = Some((m.clone(), format!("{what}, id {id}")));
                        rep.nearest_id = Some(id.clone());
                        nearest_at = Some(e.timestamp);
                    }
                }
            }
            rep.events.push(Sample {
                time: e.timestamp,
                what,
                id,
                verdict,
                json: serde_json::to_string_pretty(&v).unwrap_or_default(),
            });
        }
    }
    rep.events.sort_by_key(|e| std::cmp::Reverse(e.time));
    Ok(rep)
}
