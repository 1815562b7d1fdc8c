//! `fhtop pattern test|match`: an event against a rule's pattern (or a pattern file), or against
//! every rule of a bus — the local engine's verdict with the first field that failed, and
//! EventBridge's own (TestEventPattern) beside it when the account answers.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::backend::Backend;
use crate::judge::pattern::{Miss, Pattern, PatternError, Verdict};
use crate::text::sanitize;

/// Exit codes: 0 match (some rule matches), 1 no match, 2 the pattern or event is unusable,
/// 3 AWS unusable.
pub const MATCH: u8 = 0;
/// No match.
pub const NO_MATCH: u8 = 1;
/// The pattern, the event or the rule cannot be used.
pub const BAD_INPUT: u8 = 2;
/// AWS could not be asked (credentials, network, the rule or bus not readable).
pub const AWS_UNUSABLE: u8 = 3;

/// The pattern could not be decided (no engine could read it): exit 3 when nothing matched.
pub const UNDECIDED: &str = "none";

/// One pattern's verdict on the event, from both engines.
#[derive(Debug, Serialize)]
pub struct Tested {
    /// `bus/name` of the rule, or the pattern file.
    pub rule: String,
    /// The verdict that counts: EventBridge's when it answered, else the local engine's.
    #[serde(rename = "match")]
    pub matched: bool,
    /// Which engine decided: "TestEventPattern", "local", or "none" (neither could read the
    /// pattern).
    pub decided_by: &'static str,
    /// The local engine's first failed field, when it saw no match.
    pub miss: Option<Miss>,
    /// EventBridge's TestEventPattern answer, when it was asked and answered.
    pub test_event_pattern: Option<bool>,
    /// Why TestEventPattern gave no answer (not asked without an account, or its error).
    pub test_event_pattern_error: Option<String>,
    /// The two engines disagree (both verdicts are shown).
    pub disagree: bool,
    /// The rule's state when it is not enabled (e.g. "DISABLED"): its pattern may match, but it
    /// takes no event.
    pub rule_state: Option<String>,
}

/// Reads a JSON document from a file, or standard input for "-".
///
/// Errors: the file cannot be read, or is not JSON (the message names it).
pub fn read_json(path: &str) -> Result<(String, Value), String> {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?
    };
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: not JSON: {e}"))?;
    Ok((text, v))
}

/// Tests `event` against the pattern locally (when fhtop's engine can read it: `pattern` is
/// `Err` with why not) and, when `backend` is given, with TestEventPattern.
pub async fn test_one(
    backend: Option<&dyn Backend>,
    name: &str,
    pattern_json: &str,
    pattern: Result<&Pattern, &PatternError>,
    event_json: &str,
    event: &Value,
) -> Tested {
    let local = pattern.ok().map(|p| p.test(event));
    let (aws, aws_err) = match backend {
        Some(b) => match b.test_event_pattern(pattern_json, event_json).await {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.explained())),
        },
        None => (None, Some("not asked: no AWS account".into())),
    };
    let disagree = match (aws, &local) {
        (Some(a), Some(l)) => a != l.is_match(),
        _ => false,
    };
    let (matched, decided_by) = match (aws, &local) {
        (Some(a), _) => (a, "TestEventPattern"),
        (None, Some(l)) => (l.is_match(), "local"),
        (None, None) => (false, UNDECIDED),
    };
    Tested {
        rule: name.to_string(),
        matched,
        decided_by,
        miss: match local {
            Some(Verdict::NoMatch(m)) => Some(m),
            _ => None,
        },
        rule_state: None,
        test_event_pattern: aws,
        test_event_pattern_error: match (pattern, aws_err) {
            (Err(pe), Some(e)) => Some(format!("{e}; and fhtop's engine: {pe}")),
            (_, e) => e,
        },
        disagree,
    }
}

/// Human lines for one verdict.
pub fn lines(t: &Tested) -> Vec<String> {
    let mut out = vec![format!(
        "{}  {}  (decided by {})",
        if t.matched { "MATCH   " } else { "NO MATCH" },
        t.rule,
        t.decided_by
    )];
    if let Some(st) = &t.rule_state {
        out.push(format!(
            "          the rule is {st}: it takes no event, whatever its pattern matches"
        ));
    }
    if let Some(m) = &t.miss {
        out.push(format!("          {}", m.line()));
    }
    match (t.test_event_pattern, &t.test_event_pattern_error) {
        (Some(a), _) if t.disagree => out.push(format!(
            "          the engines disagree: TestEventPattern says {}, fhtop's engine {}",
            if a { "match" } else { "no match" },
            if a { "no match" } else { "match" }
        )),
        (None, Some(e)) => out.push(format!("          TestEventPattern: {e}")),
        _ => {}
    }
    out
}

/// Prints `results` as JSON or lines (sanitized) and returns the exit code: 0 when one
/// matches (with `takes_events`, one whose rule is enabled: what `match` asks — which rules
/// take this event; `test` asks about the pattern).
pub fn report(results: &[Tested], json: bool, takes_events: bool) -> u8 {
    if json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "results": results }))
                .unwrap_or_default()
        );
    } else {
        for t in results {
            for l in lines(t) {
                crate::outln!("{}", sanitize::clean(&l));
            }
        }
    }
    // A rule that is not enabled takes no event: its match does not count.
    if results
        .iter()
        .any(|t| t.matched && (!takes_events || t.rule_state.is_none()))
    {
        MATCH
    } else if results.iter().any(|t| t.decided_by == UNDECIDED) {
        AWS_UNUSABLE
    } else {
        NO_MATCH
    }
}

/// `fhtop pattern test`: `rule` (`[BUS/]NAME`, read with DescribeRule) or a pattern file,
/// against the event file.
pub async fn test_command(
    backend: Option<Arc<dyn Backend>>,
    rule: Option<&str>,
    pattern_file: Option<&str>,
    event_file: &str,
    json: bool,
) -> u8 {
    let (event_json, event) = match read_json(event_file) {
        Ok(e) => e,
        Err(e) => return bad(&e),
    };
    let mut rule_state = None;
    let (name, pattern_json) = match (rule, pattern_file) {
        (_, Some(f)) => match read_json(f) {
            Ok((t, _)) => (f.to_string(), t),
            Err(e) => return bad(&e),
        },
        (Some(r), None) => {
            let Some(b) = backend.as_deref() else {
                return bad("--rule needs an AWS account (or --demo)");
            };
            let key = match r.rsplit_once('/') {
                Some((bus, name)) => crate::model::RuleKey {
                    bus: bus.into(),
                    name: name.into(),
                },
                None => crate::model::RuleKey {
                    bus: "default".into(),
                    name: r.into(),
                },
            };
            match b.describe_rule(&key).await {
                Ok(rule) => match rule.event_pattern {
                    Some(p) => {
                        rule_state =
                            (!rule.state.is_enabled()).then(|| rule.state.as_str().to_string());
                        (key.to_string(), p)
                    }
                    None => {
                        return bad(&format!(
                            "rule {key} has no event pattern ({})",
                            rule.schedule.as_deref().unwrap_or("no schedule either")
                        ));
                    }
                },
                Err(e) if e.kind == crate::backend::ErrorKind::NotFound => {
                    return bad(&format!(
                        "rule {key} does not exist{}",
                        if r.contains('/') {
                            ""
                        } else {
                            " (on the default bus; name another bus as BUS/NAME)"
                        }
                    ));
                }
                Err(e) => return unusable(&e),
            }
        }
        (None, None) => return bad("give --rule [BUS/]NAME or --pattern FILE"),
    };
    let pattern = Pattern::parse(&pattern_json);
    let mut t = test_one(
        backend.as_deref(),
        &name,
        &pattern_json,
        pattern.as_ref(),
        &event_json,
        &event,
    )
    .await;
    t.rule_state = rule_state;
    // A pattern neither engine accepts is the input's fault: say so (EventBridge's words
    // first), not "no match".
    let aws_rejects = t
        .test_event_pattern_error
        .as_deref()
        .is_some_and(|e| e.contains("InvalidEventPattern"));
    if aws_rejects || (pattern.is_err() && t.test_event_pattern.is_none()) {
        let why = match (&t.test_event_pattern_error, &pattern) {
            (Some(e), _) if aws_rejects => e.clone(),
            (_, Err(e)) => e.to_string(),
            (Some(e), _) => e.clone(),
            (None, Ok(_)) => String::new(),
        };
        return bad(&format!("{name}: {why}"));
    }
    report(&[t], json, false)
}

/// `fhtop pattern match`: which rules of `bus` match the event (ListRules on that bus).
pub async fn match_command(
    backend: Arc<dyn Backend>,
    bus: &str,
    event_file: &str,
    json: bool,
) -> u8 {
    let (event_json, event) = match read_json(event_file) {
        Ok(e) => e,
        Err(e) => return bad(&e),
    };
    let rules = match backend.bus_rules(bus).await {
        Ok(r) => r,
        Err(e) => return unusable(&e),
    };
    let mut results = Vec::new();
    for r in &rules {
        let Some(pj) = &r.event_pattern else { continue };
        let name = format!("{}/{}", r.bus, r.name);
        // A pattern fhtop's engine cannot read is still asked of EventBridge.
        let p = Pattern::parse(pj);
        let mut t = test_one(
            Some(backend.as_ref()),
            &name,
            pj,
            p.as_ref(),
            &event_json,
            &event,
        )
        .await;
        t.rule_state = (!r.state.is_enabled()).then(|| r.state.as_str().to_string());
        results.push(t);
    }
    // Matches first, then the nearest misses.
    results.sort_by_key(|t| {
        (
            !t.matched,
            std::cmp::Reverse(t.miss.as_ref().map_or(0, |m| m.matched)),
        )
    });
    if results.is_empty() && !json {
        crate::outln!(
            "no rule with an event pattern on bus {}",
            sanitize::clean(bus)
        );
    }
    report(&results, json, true)
}

fn unusable(e: &crate::backend::BackendError) -> u8 {
    eprintln!("fhtop: {}", sanitize::clean(&e.explained()));
    AWS_UNUSABLE
}

fn bad(msg: &str) -> u8 {
    eprintln!("fhtop: {}", sanitize::clean(msg));
    BAD_INPUT
}
