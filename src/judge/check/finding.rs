//! Building one finding: from a health verdict, from a simulation's report, from a read that
//! failed; shared by the stream and rule findings.

use super::*;

/// The pipeline a rule's finding is grouped under: the first delivery stream it feeds, else
/// the rule itself (`bus/name`).
pub(super) fn stream_of(g: &Gathered, rule: &str) -> String {
    rule.rsplit_once('/')
        .and_then(|(bus, name)| {
            g.inv.rule(&RuleKey {
                bus: bus.into(),
                name: name.into(),
            })
        })
        .and_then(|r| r.targets.iter().find_map(|t| r.local_stream(t)))
        .map_or_else(|| rule.to_string(), str::to_string)
}

/// An account-wide read that failed, as its own UNKNOWN finding: the operation, the error and
/// the permission to add (when it was denied), and what is therefore undecided.
pub(super) fn read_failure(
    check: CheckId,
    e: &BackendError,
    undecided: &str,
    confirm: String,
) -> CheckResult {
    let op = e.op.map_or("a read", |o| o.name());
    CheckResult {
        check: check.id(),
        target: "(account)".into(),
        status: Level::Unknown,
        summary: match e.missing_permission() {
            Some(p) => format!("{op} denied (add {p} to fhtop's role): {undecided}"),
            None => format!("{op} failed: {undecided}"),
        },
        details: e.message.clone(),
        confirm,
        pipeline: "(account)".into(),
    }
}

/// A part of the inventory that could not be read, as an UNKNOWN finding saying what was
/// therefore not checked.
pub(super) fn unread_finding(g: &Gathered, e: &InventoryError, cli: &Confirm) -> CheckResult {
    let r = &g.region;
    let (check, summary, confirm) = match e.kind {
        "stream" => (
            CheckId::StreamStatus,
            format!("could not describe stream {}: not checked", e.name),
            cli.describe_stream(&e.name),
        ),
        "streams" => (
            CheckId::StreamStatus,
            "could not list delivery streams: no stream checked".to_string(),
            format!("aws firehose list-delivery-streams --region {r}"),
        ),
        "bus" => (
            CheckId::RuleState,
            format!(
                "could not list the rules of bus {}: they are not checked",
                e.name
            ),
            format!(
                "aws events list-rules --region {r} --event-bus-name {}",
                q(&e.name)
            ),
        ),
        "buses" => (
            CheckId::RuleState,
            "could not list event buses: only the default bus was checked".to_string(),
            format!("aws events list-event-buses --region {r}"),
        ),
        _ => (
            CheckId::RuleState,
            format!("could not read the targets of rule {}: not checked", e.name),
            match e.name.rsplit_once('/') {
                Some((bus, rule)) => format!(
                    "aws events list-targets-by-rule --region {r} --event-bus-name {} --rule {}",
                    q(bus),
                    q(rule)
                ),
                None => format!("aws events list-rules --region {r}"),
            },
        ),
    };
    CheckResult {
        check: check.id(),
        target: e.label(),
        status: Level::Unknown,
        summary: match e.missing_permission {
            Some(p) => format!("{summary} (add {p} to fhtop's role)"),
            None => summary,
        },
        details: e.message.to_string(),
        confirm,
        pipeline: e.name.clone(),
    }
}

pub(super) fn sim_status(r: &Report) -> Level {
    match r.verdict() {
        Verdict::Allowed => Level::Ok,
        Verdict::Denied => Level::Fail,
        Verdict::Undetermined | Verdict::Error => Level::Unknown,
    }
}

pub(super) fn sim_details(r: &Report) -> String {
    let mut d = if r.principal.is_empty() {
        vec![]
    } else {
        vec![format!("principal {} · engine {}", r.principal, r.engine)]
    };
    d.extend(r.fixes.iter().cloned());
    d.join("\n")
}

/// The health findings of `check`, or one OK/UNKNOWN line saying why it passed.
pub(super) fn from_health(
    out: &mut Vec<CheckResult>,
    health: &[crate::judge::health::Finding],
    check: CheckId,
    target: &str,
    pipeline: &str,
    ok: impl FnOnce() -> (Level, String),
    confirm: String,
) {
    from_health_refined(out, health, check, (target, pipeline), ok, confirm, |_| {
        None
    });
}

/// [`from_health`], with a confirming command per symptom where the check's one does not
/// confirm that finding (e.g. freshness is confirmed by DataFreshness, not Success).
pub(super) fn from_health_refined(
    out: &mut Vec<CheckResult>,
    health: &[crate::judge::health::Finding],
    check: CheckId,
    (target, pipeline): (&str, &str),
    ok: impl FnOnce() -> (Level, String),
    confirm: String,
    refine: impl Fn(Symptom) -> Option<String>,
) {
    let mut any = false;
    for f in health.iter().filter(|f| f.check == check) {
        any = true;
        out.push(CheckResult {
            check: check.id(),
            target: target.to_string(),
            status: f.level,
            summary: f.text.to_string(),
            details: String::new(),
            confirm: refine(f.symptom).unwrap_or_else(|| confirm.clone()),
            pipeline: pipeline.to_string(),
        });
    }
    if !any {
        let (status, summary) = ok();
        out.push(CheckResult {
            check: check.id(),
            target: target.to_string(),
            status,
            summary,
            details: String::new(),
            confirm,
            pipeline: pipeline.to_string(),
        });
    }
}

pub(super) fn sim_for<'a>(g: &'a Gathered, t: &SimTarget) -> Option<&'a Report> {
    g.sims.iter().find(|(x, _)| x == t).map(|(_, r)| r)
}

pub(super) fn alarms_ok(g: &Gathered, linked: usize) -> (Level, String) {
    match &g.alarms {
        Err(_) => (Level::Unknown, "alarms not read".into()),
        Ok(_) if linked == 0 => (Level::Ok, "no linked alarm".into()),
        Ok(_) => (Level::Ok, format!("{linked} linked alarm(s) OK")),
    }
}
