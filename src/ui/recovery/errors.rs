//! `E`: a stream's failed records from its S3 error output (`fhtop recover errors`).

use chrono::{DateTime, Utc};

use super::{audit, open_journal};
use crate::act::recover::errors::{self, ErrorsOptions, ErrorsPlan, Sent};
use crate::act::recover::{self, journal, report};
use crate::backend::Backend;
use crate::model::{Identity, Stream};
use crate::ui::view::{RecoverPlan, RecoverWhat};

/// A held dry run of `recover errors`.
pub(super) struct Held {
    identity: Identity,
    stream: Stream,
    plan: ErrorsPlan,
    journal: journal::Journal,
    opts: ErrorsOptions,
}

/// The dry run for `stream` at `now`, held with its journal; `Err` says why nothing is sent
/// (the dry run's text first, where there is one).
pub(super) async fn dry_run(
    backend: &dyn Backend,
    identity: Identity,
    now: DateTime<Utc>,
    stream: &str,
) -> Result<(RecoverPlan, Held), String> {
    let stream = backend
        .describe_stream(stream)
        .await
        .map_err(|e| e.explained())?;
    let journal = open_journal(&identity, "errors", &stream.name)?;
    let opts = ErrorsOptions {
        since: now - chrono::Duration::hours(24),
        now,
        force: false,
        resend_in_doubt: false,
        batch_records: errors::MAX_BATCH_RECORDS,
        bytes_per_second: 1_048_576.0,
    };
    let plan = errors::plan(backend, &stream, journal.state(), &opts)
        .await
        .map_err(|e| match e.op {
            None => format!("nothing to recover: {}", e.message),
            Some(_) => e.explained(),
        })?;
    let text = report::render_plan(&plan, journal.path());
    if plan.to_send == 0 {
        let held: usize = plan.held.values().sum();
        return Err(if held > 0 {
            format!(
                "{text}nothing to send now: {held} records held back (fix the cause, or fhtop recover errors --force)"
            )
        } else {
            format!("{text}nothing to send")
        });
    }
    let shown = RecoverPlan {
        what: RecoverWhat::Errors(stream.name.clone()),
        stream: stream.name.clone(),
        lines: text.lines().map(str::to_string).collect(),
        to_send: plan.to_send,
        account: identity.account.clone(),
        region: identity.region.clone(),
    };
    Ok((
        shown,
        Held {
            identity,
            stream,
            plan,
            journal,
            opts,
        },
    ))
}

/// The audit record of a dry run not confirmed: refused, nothing sent.
pub(super) fn not_confirmed(h: &Held) {
    let sent = Sent {
        stopped: Some("not confirmed; nothing sent".into()),
        ..Sent::default()
    };
    audit(&h.identity, "recover errors", fields(&sent, h), "refused");
}

/// The audit record's fields of a run of `h` that did `sent`.
fn fields(sent: &Sent, h: &Held) -> serde_json::Value {
    serde_json::json!({
        "stream": h.stream.name,
        "planned": h.plan.to_send,
        "accepted": sent.accepted,
        "refused": sent.refused.len(),
        "in_doubt": sent.in_doubt,
        "calls": sent.calls,
        "journal": h.journal.path().display().to_string(),
        "error": sent.stopped,
    })
}

/// Sends the held plan; its exit code and summary.
pub(super) async fn send(
    backend: &dyn Backend,
    mut h: Held,
    read_only: bool,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> (u8, String) {
    // The read-only gate, again at the last moment (the view checked it before the dry run).
    if read_only {
        let sent = Sent {
            stopped: Some("read-only mode: nothing is sent".into()),
            ..Sent::default()
        };
        audit(&h.identity, "recover errors", fields(&sent, &h), "refused");
        return (recover::REFUSED, "READ-ONLY: nothing sent".into());
    }
    let sent = errors::send(
        backend,
        &h.stream,
        &h.plan,
        &mut h.journal,
        &h.opts,
        progress,
    )
    .await;
    let code = report::errors_code(&h.plan, &sent);
    let word = report::word(code);
    audit(&h.identity, "recover errors", fields(&sent, &h), word);
    let mut summary = format!(
        "{}: {word}: {} of {} records accepted by Firehose in {} calls",
        h.stream.name, sent.accepted, h.plan.to_send, sent.calls
    );
    if !sent.refused.is_empty() {
        summary.push_str(&format!(", {} refused", sent.refused.len()));
    }
    if sent.in_doubt > 0 {
        summary.push_str(&format!(", {} in doubt (not sent again)", sent.in_doubt));
    }
    if let Some(why) = &sent.stopped {
        summary.push_str(&format!("; stopped: {why}"));
    }
    if code != recover::RECOVERED {
        summary.push_str(" · E again resumes; nothing accepted is sent twice");
    }
    (code, summary)
}
