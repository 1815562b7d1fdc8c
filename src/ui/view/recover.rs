//! Recovery from the TUI (`R`, then `E` or `D`): the dry run of `fhtop recover errors` for
//! the pipeline's stream or of `fhtop recover dlq` for its rule, its confirmation (the one
//! mutating path: read-only gate, production shown first, the dry run, `y`), and the jobs
//! sending in the background with their progress. The runner side is `ui::recovery`.

use chrono::{DateTime, Utc};

use super::{Effect, Status, View};
use crate::fresh::store::Merged;
use crate::judge::health::Level;
use crate::model::RuleKey;
use crate::ui::keymap::Action;

/// What a recovery from the TUI sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoverWhat {
    /// A stream's failed records, from its S3 error output (`fhtop recover errors`).
    Errors(String),
    /// The events in a rule's target's dead-letter queue (`fhtop recover dlq`).
    Dlq(RuleKey),
    /// A rule's archived events of a window (from, to), replayed to it (`fhtop recover
    /// replay`).
    Replay(RuleKey, DateTime<Utc>, DateTime<Utc>),
}

impl RecoverWhat {
    /// "recover errors STREAM", "recover dlq BUS/NAME" or "recover replay BUS/NAME", as the
    /// CLI names it.
    pub fn label(&self) -> String {
        match self {
            RecoverWhat::Errors(s) => format!("recover errors {s}"),
            RecoverWhat::Dlq(k) => format!("recover dlq {k}"),
            RecoverWhat::Replay(k, ..) => format!("recover replay {k}"),
        }
    }

    /// What its progress counts: "records", "messages", or the replay's "s of the window"
    /// (seconds of archived events replayed).
    pub fn unit(&self) -> &'static str {
        match self {
            RecoverWhat::Errors(_) => "records",
            RecoverWhat::Dlq(_) => "messages",
            RecoverWhat::Replay(..) => "s of the window",
        }
    }
}

/// A dry run, as the runner made it: what confirming sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoverPlan {
    /// What it recovers.
    pub what: RecoverWhat,
    /// The delivery stream the records go back into.
    pub stream: String,
    /// The dry run as `fhtop recover errors --dry-run` prints it, line by line.
    pub lines: Vec<String>,
    /// Records confirming sends.
    pub to_send: usize,
    /// The account and region it lands in (the context's identity).
    pub account: String,
    /// The region it lands in.
    pub region: String,
}

/// How far a sending recovery is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecoverProgress {
    /// Records answered so far (accepted, or refused for good).
    pub done: usize,
    /// Records the run sends.
    pub of: usize,
    /// Seconds since the run started sending.
    pub seconds: f64,
}

/// A dry run waiting for its confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRecovery {
    /// The job id (the dry run's request id; the runner holds its plan and journal under it).
    pub id: u64,
    /// The context it runs in (index into `Merged::parts`).
    pub ctx: usize,
    /// What confirming sends.
    pub plan: RecoverPlan,
    /// The context is production: the dialog says so first.
    pub production: bool,
    /// That context's name when several are watched; empty with one.
    pub context: String,
}

/// A recovery sending in the background, or ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoverJob {
    /// The job id.
    pub id: u64,
    /// What it recovers.
    pub what: RecoverWhat,
    /// The stream the records go back into.
    pub stream: String,
    /// The latest progress.
    pub progress: RecoverProgress,
    /// When it ended (the runner's clock), its exit code (`act::recover`'s) and summary.
    pub ended: Option<(DateTime<Utc>, u8, String)>,
}

impl View {
    /// `E` / `D` / `A` in the Recover overlay: the dry run of re-sending the stream's error
    /// output, of redriving the rule's dead-letter queue, or of replaying the failure's window
    /// from the archive — or why not (read-only, nothing of that kind here, one already
    /// running).
    pub(super) fn plan_recovery(&mut self, w: &Merged, which: Action) -> Effect {
        let Some(o) = &self.overlay else {
            return Effect::None;
        };
        let warn = |text: String| Status {
            level: Level::Warn,
            text,
        };
        let (what, none) = match which {
            Action::RecoverDlq => (
                o.recover_rule.clone().map(RecoverWhat::Dlq),
                "no dead-letter queue here: D redrives a rule target's queue (R on its pipeline)",
            ),
            Action::RecoverReplay => (
                o.recover_replay.clone(),
                "nothing to replay here: A replays a failing rule's window from its bus's archive, when the ledger finds one that covers it",
            ),
            _ => (
                o.recover.clone().map(RecoverWhat::Errors),
                "no stream here: E re-sends a stream's error output (R on its pipeline)",
            ),
        };
        let Some(what) = what else {
            self.status = Some(warn(none.into()));
            return Effect::None;
        };
        let part = w.part(self.ctx);
        if self.read_only || part.read_only {
            self.status = Some(warn(format!(
                "READ-ONLY: nothing is sent ({})",
                what.label()
            )));
            return Effect::None;
        }
        if self
            .recoveries
            .iter()
            .any(|j| j.what == what && j.ended.is_none())
        {
            self.status = Some(warn(format!("{}: already sending", what.label())));
            return Effect::None;
        }
        let (recover, recover_rule, recover_replay) = (
            o.recover.clone(),
            o.recover_rule.clone(),
            o.recover_replay.clone(),
        );
        let pending = match &what {
            RecoverWhat::Errors(_) => {
                "dry run: listing and reading the S3 error output… (nothing is sent)"
            }
            RecoverWhat::Dlq(_) => {
                "dry run: reading the dead-letter queue's depth… (nothing is received)"
            }
            RecoverWhat::Replay(..) => {
                "dry run: finding the archive, and whether the rule still fails… (nothing is started)"
            }
        };
        let id = self.open_overlay(format!("{} — dry run", what.label()), pending.into());
        if let Some(o) = &mut self.overlay {
            (o.recover, o.recover_rule, o.recover_replay) = (recover, recover_rule, recover_replay);
        }
        Effect::RecoverPlan(self.ctx, id, what)
    }

    /// The dry run of job `id` arrived: the confirmation opens, or the overlay says why
    /// nothing is sent. A dry run nobody waits for any more (its overlay was closed) is let
    /// go: the effect that releases the runner's hold on it.
    pub fn recovery_planned(
        &mut self,
        id: u64,
        ctx: usize,
        r: Result<RecoverPlan, String>,
        w: &Merged,
    ) -> Effect {
        let open = self.overlay.as_ref().is_some_and(|o| o.id == id);
        match r {
            Ok(plan) if open => {
                let production = self.production(w.part(ctx));
                let context = if w.is_several() {
                    w.part(ctx).name.clone()
                } else {
                    String::new()
                };
                self.overlay = None;
                self.recover_confirm = Some(PendingRecovery {
                    id,
                    ctx,
                    plan,
                    production,
                    context,
                });
            }
            // Closed meanwhile: nothing is confirmed; the runner's hold is let go.
            Ok(_) => return Effect::RecoverCancel(ctx, id),
            Err(why) => {
                let tone = crate::judge::iam::Tone::Row(Level::Warn);
                self.finished(id, why.lines().map(|l| (tone, l.to_string())).collect());
            }
        }
        Effect::None
    }

    /// A key while the confirmation is open: `y` sends (in the background), `n` / Esc lets
    /// the plan go, `q` quits.
    pub(super) fn recovery_confirm_key(&mut self, a: Action) -> Option<Effect> {
        let p = self.recover_confirm.as_ref()?;
        Some(match a {
            Action::Confirm => {
                let (id, ctx) = (p.id, p.ctx);
                self.recoveries.push(RecoverJob {
                    id,
                    what: p.plan.what.clone(),
                    stream: p.plan.stream.clone(),
                    progress: RecoverProgress {
                        done: 0,
                        of: p.plan.to_send,
                        seconds: 0.0,
                    },
                    ended: None,
                });
                self.status = Some(Status {
                    level: Level::Unknown,
                    text: match &p.plan.what {
                        RecoverWhat::Replay(k, ..) => {
                            format!("replaying {k}'s window in the background…")
                        }
                        what => format!(
                            "sending {} {} to {} in the background…",
                            p.plan.to_send,
                            what.unit(),
                            p.plan.stream
                        ),
                    },
                });
                self.recover_confirm = None;
                Effect::RecoverSend(ctx, id)
            }
            Action::Cancel | Action::Back => {
                let (id, ctx) = (p.id, p.ctx);
                self.recover_confirm = None;
                self.status = Some(Status {
                    level: Level::Ok,
                    text: "cancelled; nothing sent".into(),
                });
                Effect::RecoverCancel(ctx, id)
            }
            Action::Quit => Effect::Quit,
            _ => Effect::None,
        })
    }

    /// Job `id` has sent this far.
    pub fn recovery_progress(&mut self, id: u64, p: RecoverProgress) {
        if let Some(j) = self.recoveries.iter_mut().find(|j| j.id == id) {
            j.progress = p;
        }
    }

    /// Job `id` ended (at `at`, exit code `code`): its line says how, and so does the footer.
    pub fn recovery_done(&mut self, id: u64, at: DateTime<Utc>, code: u8, summary: String) {
        let level = match code {
            crate::act::recover::RECOVERED | crate::act::recover::NOTHING => Level::Ok,
            crate::act::recover::PARTIAL | crate::act::recover::IN_DOUBT => Level::Warn,
            _ => Level::Fail,
        };
        self.status = Some(Status {
            level,
            text: summary.clone(),
        });
        if let Some(j) = self.recoveries.iter_mut().find(|j| j.id == id) {
            j.ended = Some((at, code, summary));
        }
    }
}
