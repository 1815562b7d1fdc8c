//! `fhtop recover replay --rule BUS/NAME --from T [--to T]`: the archive that covers the
//! window, the guards (no archive, the rule still failing, read-only, confirmation), the
//! replay started once and followed to its end, the audit record
//! ([`crate::act::recover::replay`]).

use std::sync::Arc;

use crate::act::recover::{self, replay};
use crate::backend::Backend;
use crate::config::Settings;
use crate::model::{MetricId, MetricKind, MetricQuery, MetricWindow, Scope};
use crate::text::sanitize;

/// Minutes of `FailedInvocations` that decide whether the rule still fails.
const STILL_FAILING_MINUTES: u32 = 15;

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
    let (mut from, to) = (args.from, args.to.min(now));
    let Some(bus) = crate::judge::losses::bus_arn(&rule) else {
        say(&format!(
            "refused: {key} has no ARN fhtop can read its bus from"
        ));
        return recover::REFUSED;
    };
    // Named from the window as asked (the same arguments, the same replay).
    let name = replay::replay_name(&rule, args.from, args.to);
    let report = |archive: Option<&str>,
                  r: Option<&crate::model::archive::Replay>,
                  outcome: &str,
                  from: chrono::DateTime<chrono::Utc>| {
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
    // A replay of this rule and window started before: follow it, never start a second.
    let existing = match backend.describe_replay(&name).await {
        Ok(r) => r,
        Err(e) => {
            say(&e.explained());
            return recover::AWS_UNUSABLE;
        }
    };
    let archive_arn = if let Some(r) = &existing {
        say(&format!(
            "replay {name} of this rule and window was started before ({}): following it, not starting another",
            r.state
        ));
        r.archive_arn.clone()
    } else {
        let archives = match backend.archives(&bus).await {
            Ok(a) => a,
            Err(e) => {
                say(&e.explained());
                return recover::AWS_UNUSABLE;
            }
        };
        let archive = match crate::judge::losses::choose_archive(&archives, &rule, (from, to), now)
        {
            Ok((a, start)) => {
                if start > from {
                    say(&format!(
                        "the archive {} holds events from {} UTC on: the window starts there",
                        a.name,
                        start.format("%Y-%m-%d %H:%M:%S")
                    ));
                    from = start;
                }
                a
            }
            Err(why) => {
                say(&format!(
                    "refused: no archive covers {} – {} for {key}: {why}",
                    from.format("%Y-%m-%d %H:%M"),
                    to.format("%H:%M UTC")
                ));
                report(None, None, "refused", from);
                return recover::REFUSED;
            }
        };
        if !args.json {
            crate::outln!(
                "Recover replay · rule {} · archive {} ({})\n  window {} – {} UTC, to this rule only (FilterArns)\n  every archived event of the window the rule matches is sent again, those delivered the first time too",
                sanitize::clean(&key.to_string()),
                sanitize::clean(&archive.name),
                archive.pattern.as_deref().map_or(
                    "every event of the bus".to_string(),
                    |p| format!("pattern {}", sanitize::clean(p))
                ),
                from.format("%Y-%m-%d %H:%M"),
                to.format("%Y-%m-%d %H:%M")
            );
        }
        if !args.force {
            let window = MetricWindow::ending_at(now, STILL_FAILING_MINUTES, 60);
            let q = vec![MetricQuery {
                scope: Scope::Rule(key.clone()),
                metric: MetricId::FailedInvocations,
                kind: MetricKind::Full,
            }];
            let failed = crate::backend::read::fetch(backend.as_ref(), q, window)
                .await
                .map(|m| {
                    m.window_sum(&Scope::Rule(key.clone()), MetricId::FailedInvocations)
                        .unwrap_or(0.0)
                });
            match failed {
                Ok(n) if n > 0.0 => {
                    say(&format!(
                        "refused: {key} still fails ({n:.0} FailedInvocations in {STILL_FAILING_MINUTES} min): replayed events would fail again (--force replays anyway)"
                    ));
                    report(Some(&archive.arn), None, "refused", from);
                    return recover::REFUSED;
                }
                Ok(_) => {}
                Err(e) => {
                    say(&format!(
                        "refused: whether {key} still fails is not known ({}); --force replays anyway",
                        e.explained()
                    ));
                    return recover::REFUSED;
                }
            }
        }
        if args.dry_run {
            report(Some(&archive.arn), None, "dry run", from);
            return recover::RECOVERED;
        }
        let what = format!("replay {key}'s events of the window from {}", archive.name);
        if let Err(why) = super::recover::confirm(settings, &identity, args.yes, &what, &key.name) {
            say(&format!("refused: {why}"));
            report(Some(&archive.arn), None, "refused", from);
            return recover::REFUSED;
        }
        if let Err(e) = backend
            .start_replay(&name, &archive.arn, (from, to), (&bus, &rule.arn))
            .await
        {
            say(&e.explained());
            return recover::AWS_UNUSABLE;
        }
        archive.arn.clone()
    };
    if args.dry_run {
        report(Some(&archive_arn), existing.as_ref(), "dry run", from);
        return recover::RECOVERED;
    }
    let followed = replay::follow(
        backend.as_ref(),
        &name,
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
    let (code, word) = match &followed {
        Ok(r) if r.state == "COMPLETED" => (recover::RECOVERED, "recovered"),
        Ok(r) if r.ended() => (recover::PARTIAL, "failed"),
        Ok(_) => (recover::IN_DOUBT, "started, not ended"),
        Err(_) => (recover::IN_DOUBT, "started, not followed"),
    };
    recover::audit(
        crate::act::default_audit_path().as_deref(),
        &super::recover::audit_record(
            &identity,
            "recover replay",
            serde_json::json!({
                "rule": key.to_string(), "replay": name, "archive": archive_arn,
                "from": from.to_rfc3339(), "to": to.to_rfc3339(), "outcome": word,
                "state": followed.as_ref().ok().map(|r| r.state.clone()),
            }),
        ),
        code == recover::RECOVERED,
    );
    report(Some(&archive_arn), followed.as_ref().ok(), word, from);
    if !args.json {
        match &followed {
            Ok(r) => crate::outln!(
                "{word}: replay {name} {}{}",
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
