//! `fhtop recover replay --rule BUS/NAME --from T [--to T]`: the archive that covers the
//! window, the guards (no archive, the rule still failing, read-only, confirmation), the
//! replay started once and followed to its end, the audit record
//! ([`crate::act::recover::replay`]).

use std::sync::Arc;

use crate::act::recover::{self, replay};
use crate::backend::Backend;
use crate::config::Settings;
use crate::text::sanitize;

/// `fhtop recover replay`; the exit code ([`recover`]'s: 0 replayed and COMPLETED, 1 FAILED or
/// CANCELLED, 3 AWS unusable, 4 refused, 5 started and not ended within `--timeout`).
pub async fn replay_command(
    settings: &Settings,
    backend: Arc<dyn Backend>,
    args: super::RecoverReplayArgs,
) -> u8 {
    let say = super::recover::say;
    let (identity, key, rule) =
        match super::recover::identity_and_rule(backend.as_ref(), &args.rule, false).await {
            Ok(x) => x,
            Err(code) => return code,
        };
    let now = chrono::Utc::now();
    let name = replay::replay_name(&rule, args.from, args.to);
    let report =
        |archive: Option<&str>,
         r: Option<&crate::model::archive::Replay>,
         outcome: &str,
         (from, to): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)| {
            if args.json {
                let doc = serde_json::json!({
                    "rule": key.to_string(), "archive": archive, "window": [from, to],
                    "replay_name": name, "replay": r, "outcome": outcome,
                });
                crate::outln!(
                    "{}",
                    sanitize::json_inert(&serde_json::to_string_pretty(&doc).unwrap_or_default())
                );
            }
        };
    let plan = match replay::prepare(
        backend.as_ref(),
        &rule,
        (args.from, args.to),
        now,
        args.force,
    )
    .await
    {
        Ok(p) => p,
        Err((code, why)) => {
            say(&why);
            if code == recover::REFUSED {
                report(None, None, "refused", (args.from, args.to.min(now)));
            }
            return code;
        }
    };
    let window = (plan.from, plan.to);
    // The dry run: to stderr when it is followed by a started replay's progress, to stdout
    // for a plan.
    if plan.existing.is_some() {
        for l in &plan.lines {
            say(l);
        }
    } else if !args.json {
        for l in &plan.lines {
            crate::outln!("{l}");
        }
    }
    if args.dry_run {
        report(
            Some(&plan.archive_arn),
            plan.existing.as_ref(),
            "dry run",
            window,
        );
        return recover::RECOVERED;
    }
    if plan.existing.is_none() {
        let what = format!(
            "replay {key}'s events of the window from archive {}",
            plan.archive_arn
        );
        if let Err(why) = super::recover::confirm(settings, &identity, args.yes, &what, &key.name) {
            say(&format!("refused: {why}"));
            report(Some(&plan.archive_arn), None, "refused", window);
            return recover::REFUSED;
        }
    }
    let (code, word, followed) = replay::run(
        backend.as_ref(),
        &plan,
        std::time::Duration::from_secs(2),
        args.timeout,
        |r| {
            if !args.json {
                eprintln!(
                    "  {} {}",
                    r.state,
                    r.last_replayed
                        .map(|t| format!("· replayed up to {} UTC", t.format("%H:%M:%S")))
                        .unwrap_or_default()
                );
            }
        },
    )
    .await;
    if code == recover::AWS_UNUSABLE {
        if let Err(e) = &followed {
            say(&e.explained());
        }
        return code;
    }
    recover::audit(
        crate::act::default_audit_path().as_deref(),
        &super::recover::audit_record(
            &identity,
            "recover replay",
            serde_json::json!({
                "rule": key.to_string(), "replay": plan.name, "archive": plan.archive_arn,
                "from": plan.from.to_rfc3339(), "to": plan.to.to_rfc3339(), "outcome": word,
                "state": followed.as_ref().ok().map(|r| r.state.clone()),
            }),
        ),
        code == recover::RECOVERED,
    );
    report(
        Some(&plan.archive_arn),
        followed.as_ref().ok(),
        word,
        window,
    );
    if !args.json {
        match &followed {
            Ok(r) => crate::outln!(
                "{word}: replay {} {}{}",
                plan.name,
                r.state,
                r.reason
                    .as_deref()
                    .map(|x| format!(" ({})", sanitize::clean(x)))
                    .unwrap_or_default()
            ),
            Err(e) => crate::outln!("{word}: {}", sanitize::clean(&e.explained())),
        }
    }
    code
}
