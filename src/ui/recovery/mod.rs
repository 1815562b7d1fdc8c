//! Recovery from the TUI, the runner's side: the dry run of `fhtop recover errors` (its plan
//! and its journal, locked, held until the confirmation or its cancellation), then the send in
//! the background — the same journaled, exactly-once [`errors::send`] as the CLI's, the same
//! exit code and audit record ([`report`]) — with progress messages as it goes.
//!
//! The options are the CLI's defaults: the last 24 h of the error output, records that would
//! fail again held back, records in doubt never re-sent, 500 records a call, 1 MiB/s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::act::recover::errors::{self, ErrorsOptions, ErrorsPlan};
use crate::act::recover::{self, journal, report};
use crate::backend::{Backend, Clock};
use crate::fresh::store::Store;
use crate::model::{Identity, Stream};
use crate::ui::msg::Msg;
use crate::ui::view::{RecoverPlan, RecoverProgress};

/// Where a long effect tells how it goes (a recovery's progress): each message reaches the
/// loop as soon as it is told, before the effect's answer.
pub type Tell<'a> = dyn Fn(Msg) + Send + Sync + 'a;

/// A dry run waiting for its confirmation: what sending sends, and the journal it locked.
struct Held {
    identity: Identity,
    stream: Stream,
    plan: ErrorsPlan,
    journal: journal::Journal,
    opts: ErrorsOptions,
}

/// The recoveries of one context: dry runs waiting for their confirmation, by job id.
#[derive(Clone, Default)]
pub struct Recoveries(Arc<Mutex<HashMap<u64, Held>>>);

impl Recoveries {
    fn put(&self, id: u64, h: Held) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, h);
    }
    fn take(&self, id: u64) -> Option<Held> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&id)
    }

    /// Lets job `id`'s dry run go (not confirmed): its journal's lock goes with it.
    pub fn cancel(&self, id: u64) {
        drop(self.take(id));
    }

    /// The dry run of job `id` (context `ctx`) for `stream`, at `now`: held when there is
    /// something to send; the answer as `Msg::RecoverPlanned`.
    pub async fn plan(
        &self,
        backend: &dyn Backend,
        store: &Store,
        now: DateTime<Utc>,
        (id, ctx): (u64, usize),
        stream: &str,
    ) -> Msg {
        let r = self.dry_run(backend, store, now, id, stream).await;
        if let Err(why) = &r {
            tracing::warn!("recover errors {stream}: {why}");
        }
        Msg::RecoverPlanned(id, ctx, Box::new(r))
    }

    async fn dry_run(
        &self,
        backend: &dyn Backend,
        store: &Store,
        now: DateTime<Utc>,
        id: u64,
        stream: &str,
    ) -> Result<RecoverPlan, String> {
        let identity = store
            .snapshot()
            .identity
            .get()
            .cloned()
            .ok_or("the account is not known yet")?;
        let stream = backend
            .describe_stream(stream)
            .await
            .map_err(|e| e.explained())?;
        let path =
            journal::default_path("errors", &identity.account, &identity.region, &stream.name)
                .ok_or("no state directory for the journal (set FHTOP_STATE_DIR)")?;
        let journal = journal::Journal::open(&path)
            .map_err(|e| format!("the journal {}: {e}", path.display()))?;
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
        let text = report::render_plan(&plan, &path);
        tracing::info!(
            "recover errors {}: dry run, {} records to send",
            stream.name,
            plan.to_send
        );
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
            stream: stream.name.clone(),
            lines: text.lines().map(str::to_string).collect(),
            to_send: plan.to_send,
            account: identity.account.clone(),
            region: identity.region.clone(),
        };
        self.put(
            id,
            Held {
                identity,
                stream,
                plan,
                journal,
                opts,
            },
        );
        Ok(shown)
    }

    /// Sends job `id`'s held plan (confirmed), telling progress as it goes; audited, logged.
    /// `read_only` refuses it (the gate again, at the last moment). The answer as
    /// `Msg::RecoverDone`.
    pub async fn send(
        &self,
        backend: &dyn Backend,
        clock: &Clock,
        read_only: bool,
        id: u64,
        tell: &Tell<'_>,
    ) -> Msg {
        let Some(mut h) = self.take(id) else {
            return Msg::RecoverDone(
                id,
                clock.now(),
                recover::REFUSED,
                "the dry run is no longer held: run it again".into(),
            );
        };
        let journal_path = h.journal.path().display().to_string();
        let audit = |sent: &errors::Sent, outcome: &str| {
            recover::audit(
                crate::act::default_audit_path().as_deref(),
                &report::audit_record(
                    &h.identity,
                    "recover errors",
                    serde_json::json!({
                        "stream": h.stream.name,
                        "planned": h.plan.to_send,
                        "accepted": sent.accepted,
                        "refused": sent.refused.len(),
                        "in_doubt": sent.in_doubt,
                        "calls": sent.calls,
                        "journal": journal_path,
                        "outcome": outcome,
                        "error": sent.stopped,
                        "from": "tui",
                    }),
                ),
                outcome == "recovered",
            );
        };
        // The read-only gate, again at the last moment (the view checked it before the dry run).
        if read_only {
            let sent = errors::Sent {
                stopped: Some("read-only mode: nothing is sent".into()),
                ..errors::Sent::default()
            };
            audit(&sent, "refused");
            return Msg::RecoverDone(
                id,
                clock.now(),
                recover::REFUSED,
                "READ-ONLY: nothing sent".into(),
            );
        }
        tracing::info!(
            "recover errors {}: sending {} records",
            h.stream.name,
            h.plan.to_send
        );
        let started = std::time::Instant::now();
        let sent = errors::send(
            backend,
            &h.stream,
            &h.plan,
            &mut h.journal,
            &h.opts,
            |done, of| {
                tell(Msg::RecoverProgress(
                    id,
                    RecoverProgress {
                        done,
                        of,
                        seconds: started.elapsed().as_secs_f64(),
                    },
                ));
            },
        )
        .await;
        let code = report::errors_code(&h.plan, &sent);
        let word = report::word(code);
        audit(&sent, word);
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
        tracing::info!("recover errors {summary}");
        Msg::RecoverDone(id, clock.now(), code, summary)
    }
}
