//! View state (owned by the UI task) and how actions change it. Pure: no I/O, no clock.

mod command;
mod copy;
mod dialogs;
mod keys;
mod logview;
mod pane;
mod records;
mod recover;
mod rows;

pub use dialogs::{Overlay, PendingToggle, SimForm};
pub use logview::{log_cursor, log_event_lines};
pub use pane::Pane;
pub use records::{Failed, Tester};
pub use recover::{PendingRecovery, RecoverJob, RecoverPlan, RecoverProgress, RecoverWhat};
pub use rows::{Entry, ListState, entries, entries_key, merged_entries, visible_rows};

use crossterm::event::{KeyCode, KeyEvent};

use crate::fresh::ctx::Interest;
use crate::fresh::store::{Merged, Part, Snapshot};
use crate::judge::check;
use crate::judge::health::Level;
use crate::judge::iam::{self, SimRequest, Tone};
use crate::model::{AlarmState, RuleKey, Scope};
use crate::ui::keymap::{Action, Keymap};

/// What a row points at: the Logs pane and the drill-ins follow it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// The rule, when the row is about one (`bus/name`).
    pub rule: Option<RuleKey>,
    /// The delivery stream name, when the row is about one.
    pub stream: Option<String>,
    /// The part of the inventory that could not be read, when the row is an error row:
    /// (`InventoryError::kind`, `InventoryError::name`).
    pub unread: Option<(&'static str, String)>,
    /// The context the row belongs to (index into [`Merged::parts`]; 0 with one context).
    pub ctx: usize,
}

impl Focus {
    /// The stream and rule the row is about, as metric scopes (stream first).
    pub fn scopes(&self) -> impl Iterator<Item = Scope> + '_ {
        let stream = self.stream.iter().map(|s| Scope::Stream(s.clone()));
        stream.chain(self.rule.iter().map(|r| Scope::Rule(r.clone())))
    }

    /// "rule → stream", just one of them, what could not be read, or "nothing selected".
    pub fn label(&self) -> String {
        if let Some((kind, name)) = &self.unread {
            return format!("{kind} {name}: not read");
        }
        match (&self.rule, &self.stream) {
            (Some(r), Some(s)) => format!("{r} → {s}"),
            (Some(r), None) => r.to_string(),
            (None, Some(s)) => s.clone(),
            (None, None) => "nothing selected".to_string(),
        }
    }
    /// The log groups that belong to this target (stream error log, `/aws/events/<rule>`).
    pub fn log_groups(&self, snap: &Snapshot) -> Vec<String> {
        let mut v = Vec::new();
        let Some(inv) = snap.inventory.get() else {
            return v;
        };
        if let Some(g) = self
            .stream
            .as_deref()
            .and_then(|s| inv.inv.stream(s))
            .and_then(|s| s.log_group())
        {
            v.push(g.to_string());
        }
        if let Some(r) = self.rule.as_ref().and_then(|k| inv.inv.rule(k)) {
            v.push(r.log_group());
        }
        v
    }
}

/// A drill-in (full-screen details) opened with Enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A delivery stream, by name.
    Stream(String),
    /// A rule, by bus and name.
    Rule(RuleKey),
}

/// Effects the app loop carries out for the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing to do.
    None,
    /// Leave the TUI.
    Quit,
    /// Wake every poller now ([`crate::fresh::poll::Pollers::refresh_now`]).
    Refresh,
    /// The user confirmed: enable (true) or disable the rule of context `.0`, through
    /// `act::Executor`.
    ToggleRule(usize, RuleKey, bool),
    /// Run these permission simulations in context `.0` off the UI task; the reports come
    /// back to [`View::finished`] with id `.1`.
    Simulate(usize, u64, Vec<SimRequest>),
    /// Run the runbook checks for this selection in context `.0` off the UI task; the
    /// findings come back to [`View::finished`] with id `.1`.
    Check(usize, u64, check::Selection),
    /// Read the loss ledger of this selection in context `.0` off the UI task (`fhtop
    /// losses`'s reads); its lines come back to [`View::finished`] with id `.1`.
    Losses(usize, u64, check::Selection),
    /// Test this rule's pattern (context `.0`) against the events its bus logged, off the UI
    /// task; the lines come back to [`View::finished`] with id `.1`.
    PatternTest(usize, u64, RuleKey),
    /// Read this stream's failed records (context `.0`) from its S3 error output, off the UI
    /// task; they come back to [`View::failed_read`] with id `.1`.
    ReadFailed(usize, u64, String),
    /// Write the screen as it is now to files (`ui::screen::save`); the loop that owns the
    /// terminal does it and answers with `Msg::ScreenSaved`.
    SaveScreen,
    /// `:region R`: watch region `.1` with context `.0`'s profile and endpoint (the loop adds
    /// the context unless one like it is watched) and answer with `Msg::ContextAdded`.
    AddRegion(usize, String),
    /// Put this text on the terminal's clipboard: the loop that owns the terminal writes it as
    /// an OSC 52 sequence (`ESC ] 52 ; c ; base64 BEL`), which terminals, SSH and tmux with
    /// `set-clipboard on` carry to the clipboard of the machine the person sits at.
    Copy(String),
    /// `E` / `D` in the Recover overlay: the dry run of `.2` in context `.0` (`fhtop recover
    /// errors|dlq --dry-run`), held under job id `.1` until confirmed or let go; it comes back
    /// as `Msg::RecoverPlanned`.
    RecoverPlan(usize, u64, RecoverWhat),
    /// The dry run of job `.1` (context `.0`) was confirmed: send it, in the background, with
    /// `Msg::RecoverProgress` as it goes and `Msg::RecoverDone` at the end.
    RecoverSend(usize, u64),
    /// The dry run of job `.1` (context `.0`) was not confirmed: let it go (and its journal).
    RecoverCancel(usize, u64),
}

impl Effect {
    /// The context the effect runs in; `None` for the loop's own (Quit, Refresh, None,
    /// SaveScreen, Copy, AddRegion).
    pub fn context(&self) -> Option<usize> {
        match self {
            Effect::ToggleRule(c, ..)
            | Effect::Simulate(c, ..)
            | Effect::Check(c, ..)
            | Effect::Losses(c, ..)
            | Effect::PatternTest(c, ..)
            | Effect::ReadFailed(c, ..)
            | Effect::RecoverPlan(c, ..)
            | Effect::RecoverSend(c, ..)
            | Effect::RecoverCancel(c, ..) => Some(*c),
            Effect::None
            | Effect::Quit
            | Effect::Refresh
            | Effect::SaveScreen
            | Effect::Copy(_)
            | Effect::AddRegion(..) => None,
        }
    }
}

/// A one-line message in the footer until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Colours the message (OK, WARN, FAIL).
    pub level: Level,
    /// The message (sanitized before display).
    pub text: String,
}

/// Rows moved by PgUp / PgDn.
pub const PAGE: usize = 10;

/// The series a chart or sparkline draws for `scope` × `id` over the view's chart window: the
/// tail of the health metrics when the window is within theirs, else the charts' own fetch once
/// it covers that window; `None` while it is loading.
pub fn chart_series(
    snap: &Snapshot,
    view: &View,
    scope: &crate::model::Scope,
    id: crate::model::MetricId,
) -> Option<crate::model::Series> {
    if view.chart_minutes <= view.base_minutes {
        let m = snap.metrics.get()?;
        let s = m.series(scope, id)?;
        let p = u64::from(m.window.period_seconds.max(1));
        let n = usize::try_from(u64::from(view.chart_minutes) * 60 / p).unwrap_or(usize::MAX);
        return Some(s.tail(n).to_vec());
    }
    if chart_loading(snap, view) {
        return None;
    }
    Some(snap.chart.get()?.series(scope, id)?.to_vec())
}

/// The minutes the since-when timelines cover and their title: the metrics window, which is
/// shorter than the view's while a large account's history loads
/// ([`crate::fresh::plan::history`]; said in the title).
pub fn timeline_window(snap: &Snapshot, view: &View) -> (u32, String) {
    match (snap.history, snap.metrics.get()) {
        (Some(h), Some(m)) if m.window.minutes() < view.base_minutes => (
            m.window.minutes(),
            format!(
                "last {} ({} history loading)",
                crate::model::window_label(m.window.minutes()),
                crate::model::window_label(h.minutes)
            ),
        ),
        _ => (
            view.base_minutes,
            format!("last {}", crate::model::window_label(view.base_minutes)),
        ),
    }
}

/// Whether the charts wait for their own fetch: a window longer than the health metrics' that
/// the chart section does not cover yet.
pub fn chart_loading(snap: &Snapshot, view: &View) -> bool {
    view.chart_minutes > view.base_minutes
        && !snap.chart.get().is_some_and(|m| {
            m.window.points as u64 * u64::from(m.window.period_seconds)
                == u64::from(view.chart_minutes) * 60
        })
}

/// Everything the UI shows besides the data: focused pane, selections, filters, drill-in, dialogs.
#[derive(Debug, Clone)]
pub struct View {
    /// The focused pane.
    pub pane: Pane,
    /// Selection and filter of the four list panes (Pipelines, Streams, Rules, Alarms, in that
    /// order).
    pub lists: [ListState; 4],
    /// The drill-in open, if any (in context [`View::ctx`]).
    pub detail: Option<Detail>,
    /// The context the drill-in, the dialogs and their effects are about: the selected row's
    /// when one was opened (index into [`Merged::parts`]).
    pub ctx: usize,
    /// `:ctx NAME` shows only this context's rows; `None` (`:ctx all`) shows every context's.
    pub only: Option<usize>,
    /// The terminal's height in rows (48 until the app says): how many list rows can be on
    /// screen, for the metric plan.
    pub screen_rows: u16,
    /// The help overlay (`?`) is open.
    pub help: bool,
    /// The filter being typed (the focused list's filter updates as you type).
    pub editing_filter: bool,
    /// The Logs pane sticks to the newest event (`f` toggles).
    pub follow: bool,
    /// Lines scrolled up from the newest when not following.
    pub log_scroll: usize,
    /// What the Logs pane shows: the last row selected in a list pane.
    pub target: Focus,
    /// Rule changes are refused (`--read-only`).
    pub read_only: bool,
    /// The context is marked production (`production = true`).
    pub production_marked: bool,
    /// Profile / account patterns that make a context production (`production_match`).
    pub production_match: Vec<String>,
    /// The rule-change confirmation dialog, when open.
    pub confirm: Option<PendingToggle>,
    /// The footer message, until the next key.
    pub status: Option<Status>,
    /// The confirmation of a recovery's dry run, when open.
    pub recover_confirm: Option<PendingRecovery>,
    /// Recoveries sending in the background, and those ended (their last line).
    pub recoveries: Vec<RecoverJob>,
    /// The simulation / checks result overlay, when open.
    pub overlay: Option<Overlay>,
    /// The pattern tester (`m`), when open.
    pub tester: Option<Tester>,
    /// The failed records of a stream (`e`), when open.
    pub failed: Option<Failed>,
    /// The command line being typed (`:`), without the colon.
    pub command: Option<String>,
    /// The custom simulation form (`P`), when open.
    pub sim_form: Option<SimForm>,
    /// Id of the last simulation asked for; older answers are dropped.
    pub overlay_seq: u64,
    /// The customer-managed policy `p` on a rule checks (settings `writer_policy`).
    pub writer_policy: String,
    /// The window the charts and sparklines cover, in minutes (`[` / `]`; one of
    /// `model::CHART_WINDOWS_MIN`).
    pub chart_minutes: u32,
    /// Lines the help overlay is scrolled down (it is longer than a 24-line terminal).
    pub help_scroll: usize,
    /// The Logs event the cursor is on while not following (its event id), so new events do
    /// not move it.
    pub log_anchor: Option<String>,
    /// The health metrics' window in minutes (`--window`): charts no longer than it are cut
    /// from the health metrics, longer ones are fetched on their own.
    pub base_minutes: u32,
}

impl View {
    /// The initial view: Pipelines pane, nothing selected, logs following.
    pub fn new(read_only: bool) -> Self {
        Self {
            pane: Pane::Pipelines,
            lists: Default::default(),
            detail: None,
            ctx: 0,
            only: None,
            screen_rows: 48,
            help: false,
            editing_filter: false,
            follow: true,
            log_scroll: 0,
            target: Focus::default(),
            read_only,
            production_marked: false,
            production_match: Vec::new(),
            confirm: None,
            status: None,
            recover_confirm: None,
            recoveries: Vec::new(),
            overlay: None,
            tester: None,
            failed: None,
            command: None,
            sim_form: None,
            overlay_seq: 0,
            writer_policy: "firehose_writer".into(),
            chart_minutes: 180,
            log_anchor: None,
            help_scroll: 0,
            base_minutes: 180,
        }
    }

    /// The view for these settings: read-only, writer policy, the metrics window (which is also
    /// where the chart window starts).
    pub fn with_settings(s: &crate::ui::settings::AppSettings) -> Self {
        let mut v = Self::new(s.read_only);
        v.writer_policy = s.writer_policy.clone();
        v.production_marked = s.production;
        v.production_match = s.production_match.clone();
        v.base_minutes = s.window_minutes.max(1);
        v.chart_minutes = s.window_minutes.max(1);
        v
    }

    /// Whether a context is production: marked so (in its part, or the one context's
    /// settings), or its profile or account (from its snapshot's identity) matches a
    /// `production_match` pattern.
    pub fn production(&self, part: &Part) -> bool {
        let id = part.snap.identity.get();
        crate::config::is_production(
            self.production_marked || part.production,
            &self.production_match,
            id.and_then(|i| i.profile.as_deref()),
            id.map(|i| i.account.as_str()),
        )
    }

    /// Steps the chart window to the next longer (`longer`) or shorter one of
    /// `model::CHART_WINDOWS_MIN`, and says what it costs.
    pub fn step_chart_window(&mut self, longer: bool) {
        let w = crate::model::CHART_WINDOWS_MIN;
        let next = if longer {
            w.iter().copied().find(|&m| m > self.chart_minutes)
        } else {
            w.iter().rev().copied().find(|&m| m < self.chart_minutes)
        };
        let Some(m) = next else {
            return;
        };
        self.chart_minutes = m;
        let period = self.chart_period();
        let cost = if m > self.base_minutes {
            "fetched on its own: more GetMetricData metrics (API cost pane)"
        } else {
            "cut from the health metrics: no extra GetMetricData"
        };
        self.status = Some(Status {
            level: Level::Ok,
            text: format!(
                "charts: last {} at {}-min periods · {cost}",
                crate::model::window_label(m),
                period / 60
            ),
        });
    }

    /// The period (seconds) of the charts' series: the health metrics' 60 s while the window is
    /// within theirs, else [`crate::model::chart_period`].
    pub fn chart_period(&self) -> u32 {
        if self.chart_minutes <= self.base_minutes {
            60
        } else {
            crate::model::chart_period(self.chart_minutes)
        }
    }

    /// The list state of a list pane; `None` for Logs, App log and API cost.
    pub fn list(&self, pane: Pane) -> Option<&ListState> {
        pane.list_slot().map(|i| &self.lists[i])
    }

    /// The rows of list pane `pane` as the view shows them: every context's (or the `:ctx`
    /// one's), filtered by the pane's filter.
    pub fn rows(&self, pane: Pane, w: &Merged) -> std::sync::Arc<Vec<Entry>> {
        let filter = self.list(pane).map_or("", |l| l.filter.as_str());
        merged_entries(pane, w, filter, self.only)
    }

    /// The focused list pane's rows and selected position.
    pub fn selection(&self, w: &Merged) -> Option<(std::sync::Arc<Vec<Entry>>, usize)> {
        let ls = self.list(self.pane)?;
        let e = self.rows(self.pane, w);
        let pos = ls.position(&e);
        Some((e, pos))
    }

    /// What context `ctx`'s inventory walk reads first: the drill-in's resource (when the
    /// drill-in is in `ctx`), then its rows on screen and around them (a screen's height
    /// either side of the selection, in the focused list, else Pipelines).
    pub fn wanted(&self, all: &Merged, ctx: usize) -> crate::fresh::walk::Wanted {
        /// Rows either side of the selection: more than a screen's height.
        const AROUND: usize = 60;
        let mut w = crate::fresh::walk::Wanted::default();
        match self.detail.as_ref().filter(|_| self.ctx == ctx) {
            Some(Detail::Stream(s)) => {
                w.streams.push(s.clone());
                w.metrics.full.push(Scope::Stream(s.clone()));
            }
            Some(Detail::Rule(r)) => {
                w.rules.push(r.clone());
                w.metrics.full.push(Scope::Rule(r.clone()));
            }
            None => {}
        }
        let pane = if self.pane.list_slot().is_some() {
            self.pane
        } else {
            Pane::Pipelines
        };
        let Some(ls) = self.list(pane) else {
            return w;
        };
        let e = self.rows(pane, all);
        let pos = ls.position(&e);
        if let Some(sel) = e.get(pos).filter(|s| s.target.ctx == ctx) {
            // The selection's every metric: what its drill-in shows when Enter opens it.
            w.metrics.full.extend(sel.target.scopes());
        }
        // The rows on screen ([`visible_rows`]; the terminal's height is more than the
        // list's, so this holds them all).
        for en in &e[visible_rows(e.len(), pos, usize::from(self.screen_rows))] {
            if en.target.ctx == ctx {
                w.metrics.screen.extend(en.target.scopes());
            }
        }
        let lo = pos.saturating_sub(AROUND);
        // The selection first, then outwards: the rows nearest the eye.
        let mut order: Vec<usize> = (lo..e.len().min(pos + AROUND)).collect();
        order.sort_by_key(|&i| i.abs_diff(pos));
        for i in order {
            let f = &e[i].target;
            if f.ctx != ctx {
                continue;
            }
            if let Some(s) = &f.stream {
                w.streams.push(s.clone());
            }
            if let Some(r) = &f.rule {
                w.rules.push(r.clone());
            }
            if let Some((kind, name)) = &f.unread {
                match *kind {
                    "stream" => w.streams.push(name.clone()),
                    // `bus/rule`: a rule name has no '/', a partner bus name may.
                    "rule" => {
                        if let Some((bus, rule)) = name.rsplit_once('/') {
                            w.rules.push(RuleKey {
                                bus: bus.to_string(),
                                name: rule.to_string(),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        w
    }

    /// What context `ctx`'s log and chart pollers should read for this view: the log groups
    /// of the drill-in or selected row when it is in `ctx` (none otherwise); the charts'
    /// longer window for every context, the drill-in's full set only in its own.
    pub fn interest(&self, snap: &Snapshot, ctx: usize) -> Interest {
        let target = match &self.detail {
            Some(Detail::Stream(s)) => Focus {
                rule: None,
                stream: Some(s.clone()),
                unread: None,
                ctx: self.ctx,
            },
            Some(Detail::Rule(r)) => Focus {
                rule: Some(r.clone()),
                stream: None,
                unread: None,
                ctx: self.ctx,
            },
            None => self.target.clone(),
        };
        let detail = match self.detail.as_ref().filter(|_| self.ctx == ctx) {
            Some(Detail::Stream(s)) => Some(crate::model::Scope::Stream(s.clone())),
            Some(Detail::Rule(r)) => Some(crate::model::Scope::Rule(r.clone())),
            None => None,
        };
        Interest {
            log_groups: if target.ctx == ctx {
                target.log_groups(snap)
            } else {
                Vec::new()
            },
            chart: (self.chart_minutes > self.base_minutes).then_some(
                crate::fresh::ctx::ChartWant {
                    minutes: self.chart_minutes,
                    detail,
                },
            ),
        }
    }

    /// Re-derive the target from the focused list (rows may have re-sorted or appeared).
    pub fn sync_target(&mut self, w: &Merged) {
        if let Some((e, pos)) = self.selection(w)
            && let Some(entry) = e.get(pos)
        {
            self.target = entry.target.clone();
        }
    }

    fn move_to(&mut self, w: &Merged, f: impl FnOnce(usize, usize) -> usize) {
        let Some(slot) = self.pane.list_slot() else {
            return;
        };
        let e = self.rows(self.pane, w);
        if e.is_empty() {
            return;
        }
        let cur = self.lists[slot].position(&e);
        let new = f(cur, e.len()).min(e.len() - 1);
        self.lists[slot].selected = new;
        self.lists[slot].selected_id = Some(e[new].id.clone());
        self.target = e[new].target.clone();
    }

    fn set_pane(&mut self, p: Pane, w: &Merged) {
        self.pane = p;
        self.detail = None;
        self.editing_filter = false;
        self.sync_target(w);
    }

    fn drill_in(&mut self, w: &Merged) {
        if self.detail.is_some() {
            return;
        }
        let target = match self.selection(w) {
            Some((e, pos)) => match e.get(pos) {
                Some(entry) => entry.target.clone(),
                None => return,
            },
            // Logs pane: the event at the cursor, whole.
            None if self.pane == Pane::Logs => {
                self.open_log_event(w.snap(self.target.ctx));
                return;
            }
            None => return,
        };
        let snap = w.snap(target.ctx);
        let stream_exists = |s: &str| {
            snap.inventory
                .get()
                .is_some_and(|inv| inv.inv.stream(s).is_some())
        };
        self.detail = match (self.pane, &target.rule, &target.stream) {
            (Pane::Rules, Some(r), _) => Some(Detail::Rule(r.clone())),
            (_, _, Some(s)) if stream_exists(s) => Some(Detail::Stream(s.clone())),
            (_, Some(r), _) => Some(Detail::Rule(r.clone())),
            _ => None,
        };
        self.ctx = target.ctx;
        self.target = target;
    }
}
