//! What a recovery says, the same from the CLI and the TUI: the dry run as text, the exit
//! code of a run (its verdict) and the audit record.

use super::dlq::Redrive;
use super::errors::{ErrorsPlan, Sent};
use crate::text::{self, sanitize};

/// The dry run as text.
pub fn render_plan(p: &ErrorsPlan, journal: &std::path::Path) -> String {
    let c = |s: &str| sanitize::clean(s).into_owned();
    let mut out = format!(
        "Recover errors · stream {} · from s3://{}\n  {} objects, {} failed records in the window",
        c(&p.stream),
        c(&p.bucket),
        p.objects_found,
        p.records
    );
    let types: Vec<String> = p.by_type.iter().map(|(t, n)| format!("{n} {t}")).collect();
    if !types.is_empty() {
        out.push_str(&format!(" ({})", types.join(", ")));
    }
    out.push('\n');
    out.push_str(&format!(
        "  to send: {} records ({}) in {} PutRecordBatch calls, about {} at the pace; billable {} (5 KB a record at least)\n",
        p.to_send,
        text::bytes(p.bytes as f64),
        p.calls,
        text::fmt_duration(p.seconds),
        text::bytes(p.billable_bytes as f64)
    ));
    for (why, n) in &p.held {
        out.push_str(&format!(
            "  held back: {n} records: {} (--force sends them)\n",
            c(why)
        ));
    }
    if p.already_sent > 0 {
        out.push_str(&format!(
            "  already sent by an earlier run: {} records (not sent again)\n",
            p.already_sent
        ));
    }
    if p.in_doubt > 0 {
        out.push_str(&format!(
            "  in doubt: {} records of calls that got no answer (Firehose may have them; --resend-in-doubt sends them again)\n",
            p.in_doubt
        ));
    }
    for u in &p.unreadable {
        out.push_str(&format!("  not recoverable: {}\n", c(u)));
    }
    if p.list_truncated {
        out.push_str(
            "  the listing stopped before the window was listed whole: run again for the rest\n",
        );
    }
    out.push_str(&format!("  journal: {}\n", journal.display()));
    out
}

/// The exit code of a run: [`super::IN_DOUBT`] when a call got no answer, [`super::PARTIAL`]
/// when records were refused, unreadable or the run stopped, else [`super::RECOVERED`].
fn outcome(sent: &Sent) -> u8 {
    if sent.in_doubt > 0 {
        super::IN_DOUBT
    } else if sent.stopped.is_some() || !sent.refused.is_empty() || !sent.unreadable.is_empty() {
        super::PARTIAL
    } else {
        super::RECOVERED
    }
}

/// The exit code of `fhtop recover errors` after sending `plan`: the run's own (in doubt,
/// partial, recovered), then [`super::IN_DOUBT`] where an earlier run left records in doubt (sent again, maybe, and not
/// verified), and [`super::PARTIAL`] where not everything of the window was recovered: held
/// back, unreadable, not listed whole, or planned and not found again when sending.
pub fn errors_code(plan: &ErrorsPlan, sent: &Sent) -> u8 {
    let mut code = outcome(sent);
    if code == super::RECOVERED && plan.in_doubt > 0 {
        code = super::IN_DOUBT;
    }
    let held: usize = plan.held.values().sum();
    if code == super::RECOVERED
        && (held > 0
            || !plan.unreadable.is_empty()
            || plan.list_truncated
            || not_found_again(plan, sent) > 0)
    {
        code = super::PARTIAL;
    }
    code
}

/// Planned records that did not turn up again when sending (the error output changed since
/// the dry run): every planned record is accepted, refused or in doubt otherwise.
pub fn not_found_again(plan: &ErrorsPlan, sent: &Sent) -> usize {
    let accounted = sent.accepted + sent.refused.len() + sent.in_doubt;
    plan.to_send.saturating_sub(accounted)
}

/// A run's exit code as the audit log and the screen say it: "recovered", "in doubt",
/// "nothing" (a redrive that found none), "partial".
pub fn word(code: u8) -> &'static str {
    match code {
        super::RECOVERED => "recovered",
        super::IN_DOUBT => "in doubt",
        super::NOTHING => "nothing",
        _ => "partial",
    }
}

/// The audit record of a recovery: when, who (caller, profile), where (account, region),
/// what (`action`), then `fields`.
pub fn audit_record(
    identity: &crate::model::Identity,
    action: &str,
    fields: serde_json::Value,
) -> serde_json::Value {
    let mut rec = serde_json::json!({
        "time": chrono::Utc::now().to_rfc3339(),
        "caller_arn": identity.caller_arn,
        "profile": identity.profile,
        "account": identity.account,
        "region": identity.region,
        "action": action,
    });
    if let (Some(r), serde_json::Value::Object(f)) = (rec.as_object_mut(), fields) {
        r.extend(f);
    }
    rec
}

/// The exit code of a redrive: in doubt 5; partial 1 (stopped, refused, or messages of this
/// target left); nothing sent or deleted 2; else 0.
pub fn dlq_code(r: &Redrive) -> u8 {
    let ours_left = r
        .left
        .iter()
        .filter(|(why, _)| !why.starts_with("another rule"))
        .map(|(_, n)| n)
        .sum::<usize>();
    if r.sent.in_doubt > 0 || r.left.keys().any(|k| k.starts_with("in doubt")) {
        super::IN_DOUBT
    } else if r.sent.stopped.is_some() || !r.sent.refused.is_empty() || ours_left > 0 {
        super::PARTIAL
    } else if r.sent.accepted == 0 && r.deleted_already_sent == 0 {
        super::NOTHING
    } else {
        super::RECOVERED
    }
}
