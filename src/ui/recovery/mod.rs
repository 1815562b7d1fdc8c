//! Recovery from the TUI, the runner's side: the dry run of `fhtop recover errors`, `fhtop
//! recover dlq` (its plan and its journal, locked, held until the confirmation or its
//! cancellation) or `fhtop recover replay` (the archive chosen; the replay's name is its
//! exactly-once key), then the send in the background — the same journaled, exactly-once
//! [`crate::act::recover`] code as the CLI's, the same exit code and audit record
//! ([`crate::act::recover::report`], with `"from": "tui"`) — with progress messages as it goes.
//!
//! The options are the CLI's defaults: the last 24 h of the error output, records that would
//! fail again held back, records in doubt never re-sent, 500 records a call, 1 MiB/s; a
//! dead-letter queue's messages hidden 300 s while they are sent.

mod dlq;
mod errors;
mod replay;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::act::recover::{self, journal};
use crate::backend::{Backend, Clock};
use crate::fresh::store::Store;
use crate::model::Identity;
use crate::ui::msg::Msg;
use crate::ui::view::{RecoverProgress, RecoverWhat};

/// Where a long effect tells how it goes (a recovery's progress): each message reaches the
/// loop as soon as it is told, before the effect's answer.
pub type Tell<'a> = dyn Fn(Msg) + Send + Sync + 'a;

/// A dry run waiting for its confirmation: what sending sends, and the journal it locked.
enum Held {
    Errors(errors::Held),
    Dlq(dlq::Held),
    Replay(replay::Held),
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

    /// Lets job `id`'s dry run go (not confirmed): audited as refused, as the CLI's
    /// unconfirmed run is; its journal's lock goes with it.
    pub fn cancel(&self, id: u64) {
        match self.take(id) {
            Some(Held::Errors(h)) => errors::not_confirmed(&h),
            Some(Held::Dlq(h)) => dlq::not_confirmed(&h),
            Some(Held::Replay(h)) => replay::not_confirmed(&h),
            None => {}
        }
    }

    /// The dry run of job `id` (context `ctx`) of `what`, at `now`: held when there is
    /// something to send; the answer as `Msg::RecoverPlanned`.
    pub async fn plan(
        &self,
        backend: &dyn Backend,
        store: &Store,
        now: DateTime<Utc>,
        (id, ctx): (u64, usize),
        what: &RecoverWhat,
    ) -> Msg {
        let identity = store.snapshot().identity.get().cloned();
        let r = match identity {
            None => Err("the account is not known yet".to_string()),
            Some(identity) => match what {
                RecoverWhat::Errors(stream) => errors::dry_run(backend, identity, now, stream)
                    .await
                    .map(|(shown, h)| (shown, Held::Errors(h))),
                RecoverWhat::Dlq(key) => dlq::dry_run(backend, identity, key)
                    .await
                    .map(|(shown, h)| (shown, Held::Dlq(h))),
                RecoverWhat::Replay(key, from, to) => {
                    replay::dry_run(backend, identity, now, (key, *from, *to))
                        .await
                        .map(|(shown, h)| (shown, Held::Replay(h)))
                }
            },
        };
        let r = r.map(|(shown, held)| {
            tracing::info!("{}: dry run, {} to send", what.label(), shown.to_send);
            self.put(id, held);
            shown
        });
        if let Err(why) = &r {
            tracing::warn!("{}: {why}", what.label());
        }
        Msg::RecoverPlanned(id, ctx, Box::new(r))
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
        let Some(held) = self.take(id) else {
            return Msg::RecoverDone(
                id,
                clock.now(),
                recover::REFUSED,
                "the dry run is no longer held: run it again".into(),
            );
        };
        let started = std::time::Instant::now();
        let progress = |done: usize, of: usize| {
            tell(Msg::RecoverProgress(
                id,
                RecoverProgress {
                    done,
                    of,
                    seconds: started.elapsed().as_secs_f64(),
                },
            ));
        };
        let (code, summary) = match held {
            Held::Errors(h) => errors::send(backend, h, read_only, &progress).await,
            Held::Dlq(h) => dlq::send(backend, h, read_only, &progress).await,
            Held::Replay(h) => replay::send(backend, h, read_only, &progress).await,
        };
        tracing::info!("{summary}");
        Msg::RecoverDone(id, clock.now(), code, summary)
    }
}

/// The audit record of a TUI recovery: the CLI's, marked `"from": "tui"`.
fn audit(identity: &Identity, action: &str, mut fields: serde_json::Value, outcome: &str) {
    if let Some(f) = fields.as_object_mut() {
        f.insert("outcome".into(), outcome.into());
        f.insert("from".into(), "tui".into());
    }
    recover::audit(
        crate::act::default_audit_path().as_deref(),
        &recover::report::audit_record(identity, action, fields),
        outcome == "recovered",
    );
}

/// A journal at its default place (`what`: "errors", "dlq"; `name` the stream or target),
/// opened and locked. Errors: no state directory, or the journal cannot be opened or is
/// locked by another run.
fn open_journal(identity: &Identity, what: &str, name: &str) -> Result<journal::Journal, String> {
    let path = journal::default_path(what, &identity.account, &identity.region, name)
        .ok_or("no state directory for the journal (set FHTOP_STATE_DIR)")?;
    journal::Journal::open(&path).map_err(|e| format!("the journal {}: {e}", path.display()))
}
