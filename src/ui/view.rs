//! View state (owned by the UI task) and how actions change it. Pure: no I/O, no clock.

use crossterm::event::{KeyCode, KeyEvent};

use crate::check;
use crate::health::Level;
use crate::iam::{self, SimRequest, Tone};
use crate::model::{AlarmState, RuleKey};
use crate::poll::Interest;
use crate::store::Snapshot;
use crate::ui::keymap::{Action, Keymap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Pipelines,
    Streams,
    Rules,
    Alarms,
    Logs,
    AppLog,
    Cost,
}

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::Pipelines,
        Pane::Streams,
        Pane::Rules,
        Pane::Alarms,
        Pane::Logs,
        Pane::AppLog,
        Pane::Cost,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Pane::Pipelines => "Pipelines",
            Pane::Streams => "Streams",
            Pane::Rules => "Rules",
            Pane::Alarms => "Alarms",
            Pane::Logs => "Logs",
            Pane::AppLog => "App log",
            Pane::Cost => "API cost",
        }
    }
    fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
    /// The panes that are selectable lists.
    fn list_slot(self) -> Option<usize> {
        match self {
            Pane::Pipelines => Some(0),
            Pane::Streams => Some(1),
            Pane::Rules => Some(2),
            Pane::Alarms => Some(3),
            _ => None,
        }
    }
}

/// What a row points at: the Logs pane and the drill-ins follow it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub rule: Option<RuleKey>,
    pub stream: Option<String>,
}

impl Target {
    pub fn label(&self) -> String {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Stream(String),
    Rule(RuleKey),
}

/// One row of a list pane, in display order.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub level: Level,
    pub target: Target,
    /// Index into the pane's source list (pipelines, streams, rules, alarms).
    pub index: usize,
    /// Set for a stream or rule the backend could not describe: index into
    /// `Inventory::errors`.
    pub error: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    /// The selected row's id, so the selection stays on the same item when rows re-sort.
    pub selected_id: Option<String>,
    pub filter: String,
}

impl ListState {
    /// The selected position among `entries`.
    pub fn position(&self, entries: &[Entry]) -> usize {
        if let Some(id) = &self.selected_id
            && let Some(i) = entries.iter().position(|e| &e.id == id)
        {
            return i;
        }
        self.selected.min(entries.len().saturating_sub(1))
    }
}

fn matches(filter: &str, hay: &[&str]) -> bool {
    if filter.is_empty() {
        return true;
    }
    let f = filter.to_lowercase();
    hay.iter().any(|h| h.to_lowercase().contains(&f))
}

/// The rows of a list pane, filtered and sorted (worst health first, then by name).
pub fn entries(pane: Pane, snap: &Snapshot, filter: &str) -> Vec<Entry> {
    let Some(inv) = snap.inventory.get() else {
        return Vec::new();
    };
    let diagnosis = snap.diagnosis();
    let alarms = snap.alarms.get().map(Vec::as_slice).unwrap_or(&[]);
    let mut out: Vec<(Entry, String)> = Vec::new();
    match pane {
        Pane::Pipelines => {
            for (i, link) in inv.pipelines.iter().enumerate() {
                let rule = link.rule.and_then(|r| inv.inv.rules.get(r));
                let rk = rule.map(|r| r.key());
                let name = format!(
                    "{} {}",
                    rk.as_ref().map(|k| k.to_string()).unwrap_or_default(),
                    link.stream_name
                );
                if !matches(filter, &[&name]) {
                    continue;
                }
                let level = diagnosis.pipeline_level(i);
                out.push((
                    Entry {
                        id: format!("{name}#{i}"),
                        level,
                        target: Target {
                            rule: rk,
                            stream: Some(link.stream_name.clone()),
                        },
                        index: i,
                        error: None,
                    },
                    name,
                ));
            }
        }
        Pane::Streams => {
            for (i, s) in inv.inv.streams.iter().enumerate() {
                let bucket = s.bucket().map(|d| d.bucket_arn.as_str()).unwrap_or("");
                if !matches(filter, &[&s.name, &s.status, bucket]) {
                    continue;
                }
                out.push((
                    Entry {
                        id: s.name.clone(),
                        level: diagnosis.stream_level(&s.name),
                        target: Target {
                            rule: None,
                            stream: Some(s.name.clone()),
                        },
                        index: i,
                        error: None,
                    },
                    s.name.clone(),
                ));
            }
        }
        Pane::Rules => {
            for (i, r) in inv.inv.rules.iter().enumerate() {
                let key = r.key().to_string();
                if !matches(filter, &[&key, r.state.as_str()]) {
                    continue;
                }
                let stream = r
                    .targets
                    .iter()
                    .find_map(|t| t.firehose_stream_name())
                    .map(str::to_string);
                out.push((
                    Entry {
                        id: key.clone(),
                        level: diagnosis.rule_level(&r.key()),
                        target: Target {
                            rule: Some(r.key()),
                            stream,
                        },
                        index: i,
                        error: None,
                    },
                    key,
                ));
            }
        }
        Pane::Alarms => {
            for (i, a) in alarms.iter().enumerate() {
                if !matches(filter, &[&a.name, a.state.as_str()]) {
                    continue;
                }
                let level = match a.state {
                    AlarmState::Alarm => Level::Fail,
                    AlarmState::InsufficientData => Level::Warn,
                    AlarmState::Ok => Level::Ok,
                };
                let rule = a.rule().map(|n| RuleKey {
                    bus: a.bus().to_string(),
                    name: n.to_string(),
                });
                out.push((
                    Entry {
                        id: a.name.clone(),
                        level,
                        target: Target {
                            rule,
                            stream: a.stream().map(str::to_string),
                        },
                        index: i,
                        error: None,
                    },
                    a.name.clone(),
                ));
            }
        }
        Pane::Logs | Pane::AppLog | Pane::Cost => {}
    }
    // Streams and rules that could not be described are rows too, so nothing silently vanishes.
    for (i, err) in inv.inv.errors.iter().enumerate() {
        let wanted = match pane {
            Pane::Pipelines | Pane::Streams => err.kind == "stream",
            Pane::Rules => err.kind == "rule",
            _ => false,
        };
        if !wanted || !matches(filter, &[&err.name]) {
            continue;
        }
        let stream = (err.kind == "stream").then(|| err.name.clone());
        out.push((
            Entry {
                id: format!("error:{}:{}", err.kind, err.name),
                level: Level::Fail,
                target: Target { rule: None, stream },
                index: usize::MAX,
                error: Some(i),
            },
            err.name.clone(),
        ));
    }
    out.sort_by(|(a, an), (b, bn)| b.level.cmp(&a.level).then_with(|| an.cmp(bn)));
    out.into_iter().map(|(e, _)| e).collect()
}

/// Effects the app loop carries out for the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    Quit,
    Refresh,
    /// The user confirmed: enable (true) or disable the rule, through `action::Executor`.
    ToggleRule(RuleKey, bool),
    /// Run these permission simulations off the UI task; the reports come back to
    /// [`View::finished`] with this id.
    Simulate(u64, Vec<SimRequest>),
    /// Run the runbook checks for this selection off the UI task; the findings come back to
    /// [`View::finished`] with this id.
    Check(u64, check::Selection),
}

/// What a selection is about, resolved in the inventory.
enum Picked<'a> {
    Stream(&'a crate::model::Stream),
    Rule(&'a crate::model::Rule),
}

/// The result overlay of `p`, `P` and `c`: pending until the answer arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    pub id: u64,
    pub title: String,
    /// What is running, shown until the lines arrive.
    pub pending: String,
    pub lines: Option<Vec<(Tone, String)>>,
    pub scroll: usize,
}

/// The custom simulation dialog (`P`): principal, actions, resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimForm {
    pub fields: [String; 3],
    pub focus: usize,
    pub error: Option<String>,
}

impl SimForm {
    pub const LABELS: [&'static str; 3] = ["principal ARN", "actions", "resource ARNs"];
    pub const HINTS: [&'static str; 3] = [
        "arn:aws:iam::123456789012:role/name",
        "s3:PutObject, firehose:PutRecordBatch",
        "arn:aws:s3:::bucket/*  (empty = *)",
    ];
}

fn split_list(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The confirmation dialog of a rule change, filled from the snapshot (no network).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingToggle {
    pub key: RuleKey,
    pub from: String,
    pub enable: bool,
    pub streams: Vec<String>,
    pub account: String,
    pub region: String,
}

/// A one-line message in the footer until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub level: Level,
    pub text: String,
}

pub const PAGE: usize = 10;

#[derive(Debug, Clone)]
pub struct View {
    pub pane: Pane,
    pub lists: [ListState; 4],
    pub detail: Option<Detail>,
    pub help: bool,
    /// The filter being typed (the focused list's filter updates as you type).
    pub editing_filter: bool,
    pub follow: bool,
    /// Lines scrolled up from the newest when not following.
    pub log_scroll: usize,
    /// What the Logs pane shows: the last row selected in a list pane.
    pub target: Target,
    pub read_only: bool,
    pub confirm: Option<PendingToggle>,
    pub status: Option<Status>,
    pub overlay: Option<Overlay>,
    pub sim_form: Option<SimForm>,
    /// Id of the last simulation asked for; older answers are dropped.
    pub overlay_seq: u64,
    /// The customer-managed policy `p` on a rule checks (settings `writer_policy`).
    pub writer_policy: String,
}

impl View {
    pub fn new(read_only: bool) -> Self {
        Self {
            pane: Pane::Pipelines,
            lists: Default::default(),
            detail: None,
            help: false,
            editing_filter: false,
            follow: true,
            log_scroll: 0,
            target: Target::default(),
            read_only,
            confirm: None,
            status: None,
            overlay: None,
            sim_form: None,
            overlay_seq: 0,
            writer_policy: "firehose_writer".into(),
        }
    }

    pub fn list(&self, pane: Pane) -> Option<&ListState> {
        pane.list_slot().map(|i| &self.lists[i])
    }

    /// The focused list pane's rows and selected position.
    pub fn selection(&self, snap: &Snapshot) -> Option<(Vec<Entry>, usize)> {
        let ls = self.list(self.pane)?;
        let e = entries(self.pane, snap, &ls.filter);
        let pos = ls.position(&e);
        Some((e, pos))
    }

    /// What the log poller should read for this view.
    pub fn interest(&self, snap: &Snapshot) -> Interest {
        let target = match &self.detail {
            Some(Detail::Stream(s)) => Target {
                rule: None,
                stream: Some(s.clone()),
            },
            Some(Detail::Rule(r)) => Target {
                rule: Some(r.clone()),
                stream: None,
            },
            None => self.target.clone(),
        };
        Interest {
            log_groups: target.log_groups(snap),
        }
    }

    /// Re-derive the target from the focused list (rows may have re-sorted or appeared).
    pub fn sync_target(&mut self, snap: &Snapshot) {
        if let Some((e, pos)) = self.selection(snap)
            && let Some(entry) = e.get(pos)
        {
            self.target = entry.target.clone();
        }
    }

    fn move_to(&mut self, snap: &Snapshot, f: impl FnOnce(usize, usize) -> usize) {
        let Some(slot) = self.pane.list_slot() else {
            return;
        };
        let e = entries(self.pane, snap, &self.lists[slot].filter);
        if e.is_empty() {
            return;
        }
        let cur = self.lists[slot].position(&e);
        let new = f(cur, e.len()).min(e.len() - 1);
        self.lists[slot].selected = new;
        self.lists[slot].selected_id = Some(e[new].id.clone());
        self.target = e[new].target.clone();
    }

    fn set_pane(&mut self, p: Pane, snap: &Snapshot) {
        self.pane = p;
        self.detail = None;
        self.editing_filter = false;
        self.sync_target(snap);
    }

    /// Typing into the filter: every key edits it; Enter keeps it, Esc clears it.
    pub fn filter_key(&mut self, key: &KeyEvent, snap: &Snapshot) {
        let Some(slot) = self.pane.list_slot() else {
            self.editing_filter = false;
            return;
        };
        let ls = &mut self.lists[slot];
        match key.code {
            KeyCode::Enter => self.editing_filter = false,
            KeyCode::Esc => {
                ls.filter.clear();
                self.editing_filter = false;
            }
            KeyCode::Backspace => {
                ls.filter.pop();
            }
            KeyCode::Char(c) if !c.is_control() && ls.filter.chars().count() < 64 => {
                ls.filter.push(c);
            }
            _ => {}
        }
        ls.selected = 0;
        ls.selected_id = None;
        self.sync_target(snap);
    }

    /// One key press.
    pub fn on_key(&mut self, key: &KeyEvent, keymap: &Keymap, snap: &Snapshot) -> Effect {
        if self.editing_filter {
            // Ctrl-C still quits while typing.
            if keymap.action(key) == Some(Action::Quit)
                && key
                    .modifiers
                    .contains(crossterm::event::KeyModifiers::CONTROL)
            {
                return Effect::Quit;
            }
            self.filter_key(key, snap);
            return Effect::None;
        }
        if self.sim_form.is_some() {
            if keymap.action(key) == Some(Action::Quit)
                && key
                    .modifiers
                    .contains(crossterm::event::KeyModifiers::CONTROL)
            {
                return Effect::Quit;
            }
            return self.form_key(key);
        }
        match keymap.action(key) {
            Some(a) => self.apply(a, snap),
            None => Effect::None,
        }
    }

    pub fn apply(&mut self, a: Action, snap: &Snapshot) -> Effect {
        if let Some(p) = &self.confirm {
            // The dialog swallows keys: y confirms, n/Esc cancels, q still quits.
            return match a {
                Action::Confirm => {
                    let e = Effect::ToggleRule(p.key.clone(), p.enable);
                    self.status = Some(Status {
                        level: Level::Unknown,
                        text: format!(
                            "{} {}: pending…",
                            if p.enable { "enabling" } else { "disabling" },
                            p.key
                        ),
                    });
                    self.confirm = None;
                    e
                }
                Action::Cancel | Action::Back => {
                    self.confirm = None;
                    self.status = Some(Status {
                        level: Level::Ok,
                        text: "cancelled; nothing changed".into(),
                    });
                    Effect::None
                }
                Action::Quit => Effect::Quit,
                _ => Effect::None,
            };
        }
        if a != Action::Confirm {
            self.status = None;
        }
        if let Some(pv) = &mut self.overlay {
            // The overlay swallows keys: scroll, close, quit.
            match a {
                Action::Up => pv.scroll = pv.scroll.saturating_sub(1),
                Action::Down => pv.scroll = pv.scroll.saturating_add(1),
                Action::PageUp => pv.scroll = pv.scroll.saturating_sub(PAGE),
                Action::PageDown => pv.scroll = pv.scroll.saturating_add(PAGE),
                Action::Top => pv.scroll = 0,
                // Clamped to the end by the render.
                Action::Bottom => pv.scroll = usize::MAX / 2,
                Action::Back | Action::Cancel | Action::Simulate | Action::Checks => {
                    self.overlay = None
                }
                Action::Quit => return Effect::Quit,
                _ => {}
            }
            return Effect::None;
        }
        if self.help {
            // The overlay swallows keys; these close it.
            if matches!(a, Action::Help | Action::Back) {
                self.help = false;
            } else if a == Action::Quit {
                return Effect::Quit;
            }
            return Effect::None;
        }
        match a {
            Action::Quit => return Effect::Quit,
            Action::Help => self.help = true,
            Action::Refresh => return Effect::Refresh,
            Action::NextPane => {
                let i = (self.pane.index() + 1) % Pane::ALL.len();
                self.set_pane(Pane::ALL[i], snap);
            }
            Action::PrevPane => {
                let i = (self.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len();
                self.set_pane(Pane::ALL[i], snap);
            }
            Action::PanePipelines => self.set_pane(Pane::Pipelines, snap),
            Action::PaneStreams => self.set_pane(Pane::Streams, snap),
            Action::PaneRules => self.set_pane(Pane::Rules, snap),
            Action::PaneAlarms => self.set_pane(Pane::Alarms, snap),
            Action::PaneLogs => self.set_pane(Pane::Logs, snap),
            Action::PaneAppLog => self.set_pane(Pane::AppLog, snap),
            Action::PaneCost => self.set_pane(Pane::Cost, snap),
            Action::Back => {
                if self.detail.is_some() {
                    self.detail = None;
                } else if let Some(slot) = self.pane.list_slot() {
                    self.lists[slot].filter.clear();
                    self.sync_target(snap);
                }
            }
            Action::Filter => {
                if self.detail.is_none() && self.pane.list_slot().is_some() {
                    self.editing_filter = true;
                }
            }
            Action::DrillIn => self.drill_in(snap),
            Action::ToggleRule => self.toggle_rule(snap),
            Action::Simulate => return self.simulate(snap),
            Action::Checks => return self.run_checks(snap),
            Action::CustomSimulation => self.open_sim_form(snap),
            Action::Confirm | Action::Cancel => {}
            Action::Follow => {
                self.follow = !self.follow;
                self.log_scroll = 0;
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                let up = matches!(a, Action::Up | Action::PageUp);
                let n = if matches!(a, Action::Up | Action::Down) {
                    1
                } else {
                    PAGE
                };
                if self.detail.is_some() {
                    // Drill-ins are one screen; nothing to move.
                } else if self.pane == Pane::Logs {
                    if up {
                        self.follow = false;
                        self.log_scroll = self.log_scroll.saturating_add(n);
                    } else {
                        self.log_scroll = self.log_scroll.saturating_sub(n);
                        if self.log_scroll == 0 {
                            self.follow = true;
                        }
                    }
                } else if up {
                    self.move_to(snap, |cur, _| cur.saturating_sub(n));
                } else {
                    self.move_to(snap, |cur, _| cur.saturating_add(n));
                }
            }
            Action::Top => {
                if self.pane == Pane::Logs {
                    self.follow = false;
                    self.log_scroll = usize::MAX / 2;
                } else {
                    self.move_to(snap, |_, _| 0);
                }
            }
            Action::Bottom => {
                if self.pane == Pane::Logs {
                    self.follow = true;
                    self.log_scroll = 0;
                } else {
                    self.move_to(snap, |_, len| len.saturating_sub(1));
                }
            }
        }
        Effect::None
    }

    /// What `p`, `P`, `c` and `t` act on: the drill-in, else the selected row.
    fn acted_on(&self, snap: &Snapshot) -> Target {
        match (&self.detail, self.selection(snap)) {
            (Some(Detail::Stream(s)), _) => Target {
                rule: None,
                stream: Some(s.clone()),
            },
            (Some(Detail::Rule(k)), _) => Target {
                rule: Some(k.clone()),
                stream: None,
            },
            (None, Some((e, pos))) => match (self.pane, e.get(pos)) {
                // On the Rules pane the row is the rule, whatever it feeds.
                (Pane::Rules, Some(x)) => Target {
                    rule: x.target.rule.clone(),
                    stream: None,
                },
                (_, Some(x)) => x.target.clone(),
                _ => Target::default(),
            },
            _ => Target::default(),
        }
    }

    /// The stream (if it exists) or else the rule the selection is about.
    fn picked<'a>(&self, snap: &'a Snapshot) -> Option<Picked<'a>> {
        let inv = &snap.inventory.get()?.inv;
        let target = self.acted_on(snap);
        match (&target.stream, &target.rule) {
            (Some(s), _) if inv.stream(s).is_some() => inv.stream(s).map(Picked::Stream),
            (_, Some(k)) => inv.rule(k).map(Picked::Rule),
            _ => None,
        }
    }

    fn pick_first(&mut self) -> Effect {
        self.status = Some(Status {
            level: Level::Warn,
            text: "select a stream or a rule first".into(),
        });
        Effect::None
    }

    /// `p`: every simulation that proves the selected stream / rule may write where it must.
    fn simulate(&mut self, snap: &Snapshot) -> Effect {
        let Some(inv) = snap.inventory.get().map(|i| &i.inv) else {
            return Effect::None;
        };
        let (title, reqs) = match self.picked(snap) {
            Some(Picked::Stream(st)) => (
                format!("Permissions — stream {}", st.name),
                iam::for_stream(inv, st, &self.writer_policy),
            ),
            Some(Picked::Rule(r)) => (
                format!("Permissions — rule {}", r.key()),
                iam::for_rule(r, &self.writer_policy),
            ),
            None => return self.pick_first(),
        };
        if reqs.is_empty() {
            self.status = Some(Status {
                level: Level::Warn,
                text: format!(
                    "{title}: nothing to simulate (no S3 destination or Firehose target)"
                ),
            });
            return Effect::None;
        }
        self.start_simulation(title, reqs)
    }

    fn start_simulation(&mut self, title: String, reqs: Vec<SimRequest>) -> Effect {
        let n = reqs.len();
        let id = self.open_overlay(
            title,
            format!(
                "simulating… ({n} simulation{}; IAM answers in a few seconds)",
                if n == 1 { "" } else { "s" }
            ),
        );
        Effect::Simulate(id, reqs)
    }

    fn open_overlay(&mut self, title: String, pending: String) -> u64 {
        self.overlay_seq += 1;
        self.overlay = Some(Overlay {
            id: self.overlay_seq,
            title,
            pending,
            lines: None,
            scroll: 0,
        });
        self.overlay_seq
    }

    /// The answer of overlay `id` arrived (an older one is dropped).
    pub fn finished(&mut self, id: u64, lines: Vec<(Tone, String)>) {
        if let Some(o) = &mut self.overlay
            && o.id == id
        {
            o.lines = Some(lines);
        }
    }

    /// `c`: the runbook's checks for the selected pipeline (its stream, else its rule).
    fn run_checks(&mut self, snap: &Snapshot) -> Effect {
        if snap.inventory.get().is_none() {
            return Effect::None;
        }
        let (title, sel) = match self.picked(snap) {
            Some(Picked::Stream(st)) => (
                format!("Checks — stream {}", st.name),
                check::Selection {
                    streams: vec![st.name.clone()],
                    rules: vec![],
                },
            ),
            Some(Picked::Rule(r)) => (
                format!("Checks — rule {}", r.key()),
                check::Selection {
                    streams: vec![],
                    rules: vec![r.key().to_string()],
                },
            ),
            None => return self.pick_first(),
        };
        let id = self.open_overlay(title, "running the runbook's checks…".into());
        Effect::Check(id, sel)
    }

    /// `P`: the custom simulation dialog, prefilled from the selection.
    fn open_sim_form(&mut self, snap: &Snapshot) {
        let mut form = SimForm::default();
        let target = self.acted_on(snap);
        if let Some(inv) = snap.inventory.get().map(|i| &i.inv) {
            if let Some(s) = target.stream.as_deref().and_then(|s| inv.stream(s))
                && let Some(role) = s.delivery_role()
            {
                form.fields[0] = role.to_string();
                form.fields[2] = s
                    .bucket()
                    .map(|d| format!("{}/*", d.bucket_arn))
                    .unwrap_or_default();
            } else if let Some(t) = target
                .rule
                .as_ref()
                .and_then(|k| inv.rule(k))
                .and_then(|r| r.targets.first())
            {
                form.fields[0] = t.role_arn.clone().unwrap_or_default();
                form.fields[2] = t.arn.clone();
            }
        }
        // Text from AWS is edited here: keep only printable characters.
        for f in &mut form.fields {
            f.retain(|c| !c.is_control());
        }
        self.sim_form = Some(form);
    }

    /// Typing into the custom simulation dialog.
    fn form_key(&mut self, key: &KeyEvent) -> Effect {
        let Some(form) = &mut self.sim_form else {
            return Effect::None;
        };
        match key.code {
            KeyCode::Esc => self.sim_form = None,
            KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1) % 3,
            KeyCode::BackTab | KeyCode::Up => form.focus = (form.focus + 2) % 3,
            KeyCode::Backspace => {
                form.fields[form.focus].pop();
            }
            KeyCode::Enter => {
                let principal = form.fields[0].trim().to_string();
                let actions = split_list(&form.fields[1]);
                let mut resources = split_list(&form.fields[2]);
                if principal.is_empty() || actions.is_empty() {
                    form.error = Some("a principal ARN and at least one action are needed".into());
                    return Effect::None;
                }
                if resources.is_empty() {
                    resources.push("*".into());
                }
                self.sim_form = None;
                let req = iam::custom_request(&principal, actions, resources);
                return self
                    .start_simulation(format!("Permissions — custom: {principal}"), vec![req]);
            }
            KeyCode::Char(c)
                if !c.is_control() && form.fields[form.focus].chars().count() < 2048 =>
            {
                form.fields[form.focus].push(c);
                form.error = None;
            }
            _ => {}
        }
        Effect::None
    }

    /// `t`: open the confirmation for the selected rule, or say why not.
    fn toggle_rule(&mut self, snap: &Snapshot) {
        let refuse = |text: String| Status {
            level: Level::Warn,
            text,
        };
        let Some(key) = self.acted_on(snap).rule else {
            self.status = Some(refuse(
                "select a rule first (Rules pane, or a pipeline row)".into(),
            ));
            return;
        };
        if self.read_only {
            self.status = Some(refuse(format!("READ-ONLY: {key} not changed")));
            return;
        }
        let Some(rule) = snap.inventory.get().and_then(|i| i.inv.rule(&key).cloned()) else {
            return;
        };
        if let Some(m) = &rule.managed_by {
            self.status = Some(refuse(format!("{key} is managed by {m}: change it there")));
            return;
        }
        let id = snap.identity.get();
        self.confirm = Some(PendingToggle {
            enable: !rule.state.is_enabled(),
            from: rule.state.as_str().to_string(),
            streams: rule
                .targets
                .iter()
                .filter_map(|t| t.firehose_stream_name().map(str::to_string))
                .collect(),
            account: id.map(|i| i.account.clone()).unwrap_or_default(),
            region: id.map(|i| i.region.clone()).unwrap_or_default(),
            key,
        });
    }

    fn drill_in(&mut self, snap: &Snapshot) {
        if self.detail.is_some() {
            return;
        }
        let target = match self.selection(snap) {
            Some((e, pos)) => match e.get(pos) {
                Some(entry) => entry.target.clone(),
                None => return,
            },
            // Logs pane: drill into what it shows.
            None if self.pane == Pane::Logs => self.target.clone(),
            None => return,
        };
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
        self.target = target;
    }
}
