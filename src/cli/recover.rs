//! `fhtop recover errors --stream S`: the dry run, the guards (read-only, production,
//! confirmation), the journaled send with progress on stderr, the audit record, the result
//! ([`crate::act::recover`]).

use std::sync::Arc;

use crate::act::recover::errors::{self, ErrorsOptions, Sent};
use crate::act::recover::{self, journal, report};
use crate::backend::Backend;
use crate::config::Settings;
use crate::text::sanitize;
pub use report::{audit_record, render_plan};

/// Says `m` on stderr, cleaned for the terminal: `fhtop: m`.
pub fn say(m: &str) {
    eprintln!("fhtop: {}", sanitize::clean(m));
}

/// Who acts (STS) and the rule `arg` (BUS/NAME, or NAME on the default bus) names, with its
/// targets when `targets` (ListTargetsByRule, beside DescribeRule); `Err` is
/// [`recover::AWS_UNUSABLE`], after saying why.
pub async fn identity_and_rule(
    backend: &dyn Backend,
    arg: &str,
    targets: bool,
) -> Result<
    (
        crate::model::Identity,
        crate::model::RuleKey,
        crate::model::Rule,
    ),
    u8,
> {
    let fail = |e: crate::backend::BackendError| {
        say(&e.explained());
        recover::AWS_UNUSABLE
    };
    let identity = backend.identity().await.map_err(fail)?;
    let key = super::dlq::rule_key(arg);
    let rule = if targets {
        let (rule, targets) = tokio::join!(backend.describe_rule(&key), backend.rule_targets(&key));
        let rule = rule.map_err(fail)?;
        crate::model::Rule {
            targets: targets.map_err(fail)?,
            ..rule
        }
    } else {
        backend.describe_rule(&key).await.map_err(fail)?
    };
    Ok((identity, key, rule))
}

/// The guards of every recovery, in order: read-only, then a confirmation — `--yes`, else a
/// terminal's answer (in a production context the `name` typed, not a y). `Err` says why it
/// is refused.
pub fn confirm(
    settings: &Settings,
    identity: &crate::model::Identity,
    yes: bool,
    what: &str,
    name: &str,
) -> Result<(), String> {
    use std::io::{BufRead, IsTerminal, Write};
    if settings.read_only {
        return Err("read-only mode: nothing is sent".into());
    }
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!("{what}: stdin is not a terminal, pass --yes"));
    }
    let production = crate::config::is_production(
        settings.production,
        &settings.production_match,
        identity.profile.as_deref(),
        Some(&identity.account),
    );
    if production {
        eprint!(
            "PRODUCTION · {}? type {} to confirm: ",
            sanitize::clean(what),
            sanitize::clean(name)
        );
    } else {
        eprint!("{}? [y/N] ", sanitize::clean(what));
    }
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let ok = if production {
        answer.trim() == name
    } else {
        matches!(answer.trim(), "y" | "Y" | "yes")
    };
    if ok {
        Ok(())
    } else {
        Err("not confirmed; nothing sent".into())
    }
}

/// `fhtop recover errors`; the exit code ([`recover`]'s).
pub async fn errors_command(
    settings: &Settings,
    backend: Arc<dyn Backend>,
    args: super::RecoverErrorsArgs,
) -> u8 {
    use std::io::IsTerminal;
    let identity = match backend.identity().await {
        Ok(i) => i,
        Err(e) => {
            eprintln!("fhtop: {}", sanitize::clean(&e.explained()));
            return recover::AWS_UNUSABLE;
        }
    };
    let stream = match backend.describe_stream(&args.stream).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fhtop: {}", sanitize::clean(&e.explained()));
            return recover::AWS_UNUSABLE;
        }
    };
    let Some(path) = args.journal.clone().or_else(|| {
        journal::default_path("errors", &identity.account, &identity.region, &stream.name)
    }) else {
        eprintln!(
            "fhtop: refused: no state directory for the journal (set FHTOP_STATE_DIR or --journal)"
        );
        return recover::REFUSED;
    };
    let mut journal = match journal::Journal::open(&path) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("fhtop: refused: the journal {}: {e}", path.display());
            return recover::REFUSED;
        }
    };
    let now = chrono::Utc::now();
    let opts = ErrorsOptions {
        since: now - chrono::Duration::from_std(args.since).unwrap_or(chrono::Duration::days(31)),
        now,
        force: args.force,
        resend_in_doubt: args.resend_in_doubt,
        batch_records: usize::from(args.batch_records),
        bytes_per_second: args.rate as f64,
    };
    let plan = match errors::plan(backend.as_ref(), &stream, journal.state(), &opts).await {
        Ok(p) => p,
        Err(e) if e.op.is_none() => {
            eprintln!("fhtop: nothing to recover: {}", sanitize::clean(&e.message));
            return recover::NOTHING;
        }
        Err(e) => {
            eprintln!("fhtop: {}", sanitize::clean(&e.explained()));
            return recover::AWS_UNUSABLE;
        }
    };
    let report = |sent: Option<&Sent>, outcome: &str| {
        if args.json {
            let doc = serde_json::json!({
                "plan": plan,
                "sent": sent,
                "journal": path.display().to_string(),
                "outcome": outcome,
            });
            crate::outln!(
                "{}",
                sanitize::json_inert(&serde_json::to_string_pretty(&doc).unwrap_or_default())
            );
        }
    };
    if !args.json {
        crate::out!("{}", render_plan(&plan, &path));
    }
    let audit = |sent: &Sent, outcome: &str| {
        recover::audit(
            crate::act::default_audit_path().as_deref(),
            &audit_record(
                &identity,
                "recover errors",
                serde_json::json!({
                    "stream": stream.name,
                    "planned": plan.to_send,
                    "accepted": sent.accepted,
                    "refused": sent.refused.len(),
                    "in_doubt": sent.in_doubt,
                    "calls": sent.calls,
                    "journal": path.display().to_string(),
                    "outcome": outcome,
                    "error": sent.stopped,
                }),
            ),
            outcome == "recovered",
        );
    };
    if plan.to_send == 0 {
        let code = if plan.in_doubt > 0 {
            recover::IN_DOUBT
        } else if !plan.unreadable.is_empty() || plan.list_truncated || !plan.held.is_empty() {
            // Nothing sendable, but not because nothing is there.
            recover::PARTIAL
        } else {
            recover::NOTHING
        };
        report(
            None,
            if code == recover::NOTHING {
                "nothing"
            } else {
                "in doubt"
            },
        );
        let held: usize = plan.held.values().sum();
        if held > 0 {
            eprintln!(
                "fhtop: nothing to send now: {held} records held back (fix the cause, or --force)"
            );
        } else {
            eprintln!("fhtop: nothing to send");
        }
        return code;
    }
    if args.dry_run {
        report(None, "dry run");
        return recover::RECOVERED;
    }
    let refuse = |why: &str| {
        let sent = Sent {
            stopped: Some(why.to_string()),
            ..Sent::default()
        };
        audit(&sent, "refused");
        report(Some(&sent), "refused");
        eprintln!("fhtop: refused: {why}");
        recover::REFUSED
    };
    let what = format!(
        "send {} records to {} in account {} ({})",
        plan.to_send, stream.name, identity.account, identity.region
    );
    if let Err(why) = confirm(settings, &identity, args.yes, &what, &stream.name) {
        return refuse(&why);
    }
    let show_progress = !args.json && std::io::stderr().is_terminal();
    let sent = errors::send(
        backend.as_ref(),
        &stream,
        &plan,
        &mut journal,
        &opts,
        |done, of| {
            if show_progress {
                eprint!("\r  sent {done} of {of}");
            }
        },
    )
    .await;
    if show_progress {
        eprintln!();
    }
    let code = report::errors_code(&plan, &sent);
    let missing = report::not_found_again(&plan, &sent);
    if missing > 0 && !args.json {
        crate::outln!(
            "  {missing} of the {} planned records were not found again when sending (the error output changed since the dry run): run it again",
            plan.to_send
        );
    }
    let word = report::word(code);
    audit(&sent, word);
    report(Some(&sent), word);
    if !args.json {
        crate::outln!(
            "{}: {} of {} records accepted by Firehose (each a RecordId) in {} calls",
            word,
            sent.accepted,
            plan.to_send,
            sent.calls
        );
        for (id, code) in sent.refused.iter().take(10) {
            crate::outln!(
                "  refused: {} ({})",
                sanitize::clean(id),
                sanitize::clean(code)
            );
        }
        if let Some(why) = &sent.stopped {
            crate::outln!("  stopped: {}", sanitize::clean(why));
        }
        if code != recover::RECOVERED {
            crate::outln!(
                "  run it again to resume: nothing accepted is sent twice (held-back records need --force once their cause is fixed)"
            );
        }
    }
    code
}
