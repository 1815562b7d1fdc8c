//! `fhtop recover dlq --rule BUS/NAME`: a rule target's dead-letter queue sent back to the
//! target through the guarded path ([`crate::act::recover::dlq`]): the dry run (the queue, its
//! depth and oldest message, the stream, what each record is), read-only and confirmation, the
//! journaled redrive, the audit record, the result.

use std::sync::Arc;

use crate::act::recover::dlq::{self, DlqOptions};
use crate::act::recover::{self, journal, report};
use crate::backend::Backend;
use crate::config::Settings;
use crate::model::RuleKey;
use crate::text::sanitize;

/// `BUS/NAME` as a rule key; a bare `NAME` is on the default bus ([`RuleKey::parse`]).
pub fn rule_key(s: &str) -> RuleKey {
    RuleKey::parse(s)
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
    let plan = match dlq::prepare(backend.as_ref(), &rule, args.target.as_deref()).await {
        Ok(p) => p,
        Err((code, why)) => {
            say(&why);
            return code;
        }
    };
    let (target, queue, stream, depth) = (
        &plan.target,
        plan.queue.clone(),
        plan.stream.clone(),
        plan.depth,
    );
    if !args.json {
        crate::outln!("{}", plan.text);
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
    let code = report::dlq_code(&r);
    let word = report::word(code);
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
