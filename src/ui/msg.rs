//! The one way UI state changes: every input — a key, a resize, the clock, new data in the
//! store, the answer of background work — is a [`Msg`], and [`update`] turns it into changes
//! of the [`View`] plus [`Effect`]s for the runner (`ui::effects`). The TUI loop, `fhtop
//! snapshot` and headless tests all go through here.

use crossterm::event::KeyEvent;

use crate::act::Outcome;
use crate::fresh::store::Merged;
use crate::judge::health::Level;
use crate::judge::iam::Tone;
use crate::model::RuleKey;
use crate::ui::keymap::Keymap;
use crate::ui::view::{Effect, RecoverPlan, RecoverProgress, RecoverWhat, Status, View};

/// Everything that changes the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press (releases never become a message).
    Key(KeyEvent),
    /// The terminal was resized: redraw.
    Resize,
    /// The 1 s clock: ages and "now" move.
    Tick,
    /// The store published new data: rows may have re-sorted or appeared.
    DataChanged,
    /// A confirmed rule change in context `.0` finished, with its outcome.
    RuleChanged(usize, RuleKey, Outcome),
    /// The lines of overlay `id` (permission simulations, checks) arrived.
    Answer(u64, Vec<(Tone, String)>),
    /// The loss ledger of Recover overlay `id` arrived: its lines, and the replay it offers
    /// (`A`), when an archive covers a failing rule's window.
    Ledger(u64, Vec<(Tone, String)>, Option<RecoverWhat>),
    /// The pattern tester's samples arrived for request `id` (or why the rule could not be
    /// tested).
    Samples(
        u64,
        Box<Result<crate::judge::pattern::SampleReport, String>>,
    ),
    /// The failed records of request `id` arrived (or why they could not be read).
    FailedRead(
        u64,
        Box<Result<crate::judge::records::FailedRecords, String>>,
    ),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The screen was saved (the paths written, text then SVG), or why not.
    ScreenSaved(Result<Vec<std::path::PathBuf>, String>),
    /// SIGTERM, SIGHUP or SIGINT: leave.
    Stop,
    /// Context `.0` is watched now (added by `:region`, or already there): show only it.
    ContextAdded(usize),
    /// The dry run of recovery job `.0` in context `.1` (or why nothing can be sent).
    RecoverPlanned(u64, usize, Box<Result<RecoverPlan, String>>),
    /// Recovery job `.0` has sent this far.
    RecoverProgress(u64, RecoverProgress),
    /// Recovery job `.0` ended at `.1` with exit code `.2` (`act::recover`'s) and this summary.
    RecoverDone(u64, chrono::DateTime<chrono::Utc>, u8, String),
}

/// Apply one message to the view, drawn from every context's data `w`; what to do next comes
/// back as effects (empty for most).
pub fn update(view: &mut View, msg: Msg, keymap: &Keymap, w: &Merged) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => match view.on_key(&k, keymap, w) {
            Effect::None => vec![],
            e => vec![e],
        },
        Msg::Resize | Msg::Tick => vec![],
        Msg::DataChanged => {
            view.sync_target(w);
            vec![]
        }
        Msg::RuleChanged(ctx, key, outcome) => {
            let mut st = rule_change_status(&key, &outcome);
            if w.is_several() {
                st.text = format!("{}: {}", w.part(ctx).name, st.text);
            }
            view.status = Some(st);
            // The new state shows everywhere as soon as the pollers read it again.
            vec![Effect::Refresh]
        }
        Msg::Answer(id, lines) => {
            view.finished(id, lines);
            vec![]
        }
        Msg::Ledger(id, lines, replay) => {
            view.finished(id, lines);
            if let Some(o) = &mut view.overlay
                && o.id == id
            {
                o.recover_replay = replay;
            }
            vec![]
        }
        Msg::RecoverPlanned(id, ctx, r) => match view.recovery_planned(id, ctx, *r, w) {
            Effect::None => vec![],
            e => vec![e],
        },
        Msg::RecoverProgress(id, p) => {
            view.recovery_progress(id, p);
            vec![]
        }
        Msg::RecoverDone(id, at, code, summary) => {
            view.recovery_done(id, at, code, summary);
            // What was sent shows in the metrics and the ledger as soon as they are read.
            vec![Effect::Refresh]
        }
        Msg::Samples(id, r) => {
            view.samples_read(id, *r);
            vec![]
        }
        Msg::FailedRead(id, r) => {
            view.failed_read(id, *r);
            vec![]
        }
        Msg::Paste(text) => {
            view.pasted(&text, w.snap(view.ctx));
            vec![]
        }
        Msg::ScreenSaved(r) => {
            view.status = Some(match r {
                Ok(paths) => Status {
                    level: Level::Ok,
                    text: format!(
                        "screen saved: {}",
                        paths
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                },
                Err(e) => Status {
                    level: Level::Fail,
                    text: format!("screen not saved: {e}"),
                },
            });
            vec![]
        }
        Msg::Stop => vec![Effect::Quit],
        Msg::ContextAdded(i) => {
            view.context_added(i, w);
            vec![]
        }
    }
}

/// The footer line after a rule change: confirmed / unchanged (ok), refused / unverified
/// (warn), failed (fail), with the reason.
pub fn rule_change_status(key: &RuleKey, o: &Outcome) -> Status {
    let level = match o {
        Outcome::Confirmed | Outcome::Unchanged => Level::Ok,
        Outcome::Refused(_) | Outcome::Unverified(_) => Level::Warn,
        Outcome::Failed(_) => Level::Fail,
    };
    let text = match o.detail() {
        Some(d) => format!("{key}: {} — {d}", o.word()),
        None => format!("{key}: {}", o.word()),
    };
    Status { level, text }
}
