//! `fhtop recover dlq --rule BUS/NAME`: a rule target's dead-letter queue sent back to the
//! target through the guarded path ([`crate::act::recover::dlq`]): the dry run (the queue, its
//! depth and oldest message, the stream, what each record is), read-only and confirmation, the
//! journaled redrive, the audit record, the result.

use std::sync::Arc;

use crate::act::recover::dlq::{self, DlqOptions, Redrive, record_for};
use crate::act::recover::{self, journal};
use crate::backend::Backend;
use crate::config::Settings;
use crate::model::RuleKey;
use crate::text::sanitize;

/// `BUS/NAME` as a rule key; a bare `NAME` is on the default bus.
pub fn rule_key(s: &str) -> RuleKey {
    match s.split_once('/') {
        Some((bus, name)) => RuleKey {
            bus: bus.to_string(),
            name: name.to_string(),
        },
        None => RuleKey {
            bus: "default".into(),
            name: s.to_string(),
        },
    }
}

/// The exit code of a redrive: in doubt 5; partial 1 (stopped, refused, or messages of this
/// target left); nothing sent or deleted 2; else 0.
pub fn outcome(r: &Redrive) -> u8 {
    let ours_left = r
        .left
        .iter()
        .filter(|(why, _)| !why.starts_with("another rule"))
        .map(|(_, n)| n)
        .sum::<usize>();
    if r.sent.in_doubt > 0 || r.left.keys().any(|k| k.starts_with("in doubt")) {
        recover::IN_DOUBT
    } else if r.sent.stopped.is_some() || !r.sent.refused.is_empty() || ours_left > 0 {
        recover::PARTIAL
    } else if r.sent.accepted == 0 && r.deleted_already_sent == 0 {
        recover::NOTHING
    } else {
        recover::RECOVERED
    }
}

/// `fhtop recover dlq`; the exit code ([`recover`]'s).
pub async fn dlq_command(
    settings: &Settings,
    backend: Arc<dyn Backend>,
    args: super::RecoverDlqArgs,
) -> u8 {
    let say = super::recover::say;
    let (identity, key, rule) =
        match super::recover::identity_and_rule(backend.as_ref(), &args.rule, true).await {
            Ok(x) => x,
            Err(code) => return code,
        };
    let with_dlq: Vec<&crate::model::Target> = rule
        .targets
        .iter()
        .filter(|t| t.dead_letter_arn.is_some())
        .filter(|t| args.target.as_deref().is_none_or(|id| t.id == id))
        .collect();
    let target = match with_dlq.as_slice() {
        [one] => *one,
        [] => {
            say(&format!(
                "nothing to recover: no target{} of {key} has a dead-letter queue",
                args.target
                    .as_deref()
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default()
            ));
            return recover::NOTHING;
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|t| t.id.as_str()).collect();
            say(&format!(
                "refused: several targets of {key} have a dead-letter queue; pick one with --target ({})",
                ids.join(", ")
            ));
            return recover::REFUSED;
        }
    };
    let queue = target.dead_letter_arn.clone().unwrap_or_default();
    let Some(stream) = rule.local_stream(target).map(str::to_string) else {
        say(&format!(
            "refused: target {} of {key} is not a Firehose stream of this account and region ({}): fhtop sends only to those",
            target.id, target.arn
        ));
        return recover::REFUSED;
    };
    // What the target receives must be computable from the event, or nothing is sent.
    if let Err(why) = record_for(target, "{}")
        && (target.has_input_transformer || !why.contains("selects nothing"))
    {
        say(&format!("refused: {why}"));
        return recover::REFUSED;
    }
    let state = backend.queue_state(&queue).await;
    let depth = state.as_ref().map(|q| q.depth()).ok();
    if !args.json {
        crate::outln!(
            "Recover dlq · rule {} · target {} → stream {}\n  queue {}: {}\n  each record: {}",
            sanitize::clean(&key.to_string()),
            sanitize::clean(&target.id),
            sanitize::clean(&stream),
            sanitize::clean(&queue),
            match &state {
                Ok(q) => format!(
                    "{} messages{}",
                    q.depth(),
                    q.oldest_age_seconds
                        .map(|a| format!(", the oldest {} old", crate::text::fmt_duration(a)))
                        .unwrap_or_default()
                ),
                Err(e) => format!("depth not read ({})", sanitize::clean(&e.explained())),
            },
            target.input_shape()
        );
    }
    if depth == Some(0) {
        say("nothing to recover: the queue is empty");
        return recover::NOTHING;
    }
    if args.dry_run {
        return recover::RECOVERED;
    }
    let name = format!("{}_{}_{}", key.bus, key.name, target.id);
    let Some(path) = args
        .journal
        .clone()
        .or_else(|| journal::default_path("dlq", &identity.account, &identity.region, &name))
    else {
        say("refused: no state directory for the journal (set FHTOP_STATE_DIR or --journal)");
        return recover::REFUSED;
    };
    let what = format!(
        "send the events of {} to {stream} and delete each once accepted",
        crate::model::arn::resource_name(&queue).unwrap_or(&queue)
    );
    if let Err(why) = super::recover::confirm(settings, &identity, args.yes, &what, &stream) {
        say(&format!("refused: {why}"));
        return recover::REFUSED;
    }
    let mut journal = match journal::Journal::open(&path) {
        Ok(j) => j,
        Err(e) => {
            say(&format!("refused: the journal {}: {e}", path.display()));
            return recover::REFUSED;
        }
    };
    let opts = DlqOptions {
        visibility_seconds: args.visibility_timeout,
        resend_in_doubt: args.resend_in_doubt,
    };
    let r = dlq::redrive(
        backend.as_ref(),
        (&rule, target, &queue, &stream),
        &mut journal,
        &opts,
        |_| {},
    )
    .await;
    let code = outcome(&r);
    let word = match code {
        recover::RECOVERED => "recovered",
        recover::IN_DOUBT => "in doubt",
        recover::NOTHING => "nothing",
        _ => "partial",
    };
    recover::audit(
        crate::act::default_audit_path().as_deref(),
        &super::recover::audit_record(
            &identity,
            "recover dlq",
            serde_json::json!({
                "rule": key.to_string(),
                "target": target.id,
                "queue": queue,
                "stream": stream,
                "accepted": r.sent.accepted,
                "deleted": r.deleted + r.deleted_already_sent,
                "left": r.left,
                "journal": path.display().to_string(),
                "outcome": word,
                "error": r.sent.stopped,
            }),
        ),
        code == recover::RECOVERED,
    );
    if args.json {
        let doc = serde_json::json!({
            "queue": queue, "stream": stream, "depth": depth, "redrive": r, "outcome": word,
            "journal": path.display().to_string(),
        });
        crate::outln!(
            "{}",
            sanitize::json_inert(&serde_json::to_string_pretty(&doc).unwrap_or_default())
        );
    } else {
        crate::outln!(
            "{word}: {} records accepted by Firehose in {} calls; {} messages deleted ({} sent by an earlier run)",
            r.sent.accepted,
            r.sent.calls,
            r.deleted + r.deleted_already_sent,
            r.deleted_already_sent
        );
        for (code, n) in &r.error_codes {
            crate::outln!("  ERROR_CODE {}: {n}", sanitize::clean(code));
        }
        for (why, n) in &r.left {
            crate::outln!("  left in the queue: {n} {}", sanitize::clean(why));
        }
        if let Some(why) = &r.sent.stopped {
            crate::outln!("  stopped: {}", sanitize::clean(why));
        }
    }
    code
}
