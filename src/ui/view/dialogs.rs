//! What opens on top of a pane: the permission-simulation and checks overlay, the custom
//! simulation form (`P`), the rule-change confirmation (`t`); and what they act on.

use super::*;

/// What a selection is about, resolved in the inventory.
enum Picked<'a> {
    Stream(&'a crate::model::Stream),
    Rule(&'a crate::model::Rule),
}

/// The result overlay of `p`, `P` and `c`: pending until the answer arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    /// The request id ([`View::overlay_seq`]) the answer must carry; older answers are dropped.
    pub id: u64,
    /// The overlay's title (what was asked).
    pub title: String,
    /// What is running, shown until the lines arrive.
    pub pending: String,
    /// The report lines once the answer arrived; `None` while pending.
    pub lines: Option<Vec<(Tone, String)>>,
    /// Lines scrolled down from the top.
    pub scroll: usize,
}

/// The pattern tester (`m` on a rule): the rule's pattern against the events its bus logged
/// (pick one with j/k) or an event pasted into the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct Tester {
    /// The request id the samples must carry; older answers are dropped.
    pub id: u64,
    /// The rule tested.
    pub rule: RuleKey,
    /// The samples, once read (or why they could not be tested).
    pub report: Option<Result<crate::judge::pattern::SampleReport, String>>,
    /// The sample picked (index into the report's events, newest first).
    pub selected: usize,
    /// An event pasted into the terminal (bracketed paste), tested instead of the pick.
    pub pasted: Option<serde_json::Value>,
    /// Lines the right-hand side is scrolled down.
    pub scroll: usize,
}

/// The failed records of a stream (`e`): the list (pick one with j/k), and one record whole
/// (Enter; Esc goes back to the list).
#[derive(Debug, Clone, PartialEq)]
pub struct Failed {
    /// The request id the records must carry; older answers are dropped.
    pub id: u64,
    /// The stream.
    pub stream: String,
    /// The records once read, or why they could not be.
    pub report: Option<Result<crate::judge::records::FailedRecords, String>>,
    /// The record picked (index into the report's records, newest first).
    pub selected: usize,
    /// The picked record is shown whole.
    pub open: bool,
    /// Lines the record view is scrolled down.
    pub scroll: usize,
    /// A record pasted into the terminal (bracketed paste), partition-tested instead of the
    /// pick until the next key.
    pub pasted: Option<String>,
    /// The partition test of the record shown, run once when it is shown (the pick's index,
    /// `None` for the pasted one); `None` when the stream has no partitioning query.
    pub tested: Option<(Option<usize>, crate::judge::partition::PartitionTest)>,
}

impl Failed {
    /// Runs the stream's `MetadataExtractionQuery` on the record shown — the pasted one, else
    /// the open pick — once, and keeps the result for the frames that show it.
    pub(super) fn test_partition(&mut self, snap: &Snapshot) {
        self.tested = None;
        let Some((query, prefix)) = snap
            .inventory
            .get()
            .and_then(|i| i.inv.stream(&self.stream))
            .and_then(|s| s.s3())
            .and_then(|d| {
                let q = d.dynamic_partitioning.as_ref().filter(|p| p.enabled)?;
                Some((q.jq_query.clone()?, d.prefix.clone().unwrap_or_default()))
            })
        else {
            return;
        };
        let (key, bytes, at) = match (&self.pasted, &self.report) {
            (Some(p), _) => (None, p.as_bytes().to_vec(), snap.as_of()),
            (None, Some(Ok(r))) if self.open => match r.records.get(self.selected) {
                Some(rec) => match &rec.data {
                    crate::model::failed::RecordData::Text { text, truncated: 0 } => (
                        Some(self.selected),
                        text.as_bytes().to_vec(),
                        rec.arrival.unwrap_or(snap.as_of()),
                    ),
                    // Cut, binary or undecodable: not the record Firehose parsed.
                    _ => return,
                },
                None => return,
            },
            _ => return,
        };
        self.tested = Some((
            key,
            crate::judge::partition::test(&query, &prefix, &bytes, at),
        ));
    }
}

/// The custom simulation dialog (`P`): principal, actions, resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimForm {
    /// The text typed into each field: principal ARN, actions, resource ARNs.
    pub fields: [String; 3],
    /// The field with the cursor (0–2).
    pub focus: usize,
    /// Why the last submission was rejected (e.g. no principal), shown under the fields.
    pub error: Option<String>,
    /// The context the simulation runs in, when several are watched (the title names it);
    /// empty with one.
    pub context: String,
}

impl SimForm {
    /// The label of each field.
    pub const LABELS: [&'static str; 3] = ["principal ARN", "actions", "resource ARNs"];
    /// The placeholder example of each field.
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
    /// The rule to change.
    pub key: RuleKey,
    /// Its state in the snapshot (`State`, e.g. "ENABLED").
    pub from: String,
    /// True to enable, false to disable.
    pub enable: bool,
    /// The state it will be put in: "DISABLED", "ENABLED", or the enabled state fhtop restores
    /// (see `action::state_before_disable`).
    pub to: String,
    /// What to know before confirming (the state restored, or how a disabled state will be
    /// restored), when there is something.
    pub note: Option<String>,
    /// Delivery streams the rule sends to (what the change affects).
    pub streams: Vec<String>,
    /// The account, from the snapshot's identity.
    pub account: String,
    /// The region, from the snapshot's identity.
    pub region: String,
    /// The context is production: the dialog says so before anything else.
    pub production: bool,
    /// The profile the change is made as ("default" for the default chain).
    pub profile: String,
    /// The context the rule is in (index into `Merged::parts`).
    pub ctx: usize,
    /// That context's name, when several are watched (the dialog names it first); empty with
    /// one.
    pub context: String,
}

impl View {
    /// What `p`, `P`, `c`, `m`, `e` and `t` act on: the drill-in (in [`View::ctx`]), else
    /// the selected row (in its context).
    fn acted_on(&self, w: &Merged) -> Focus {
        match (&self.detail, self.selection(w)) {
            (Some(Detail::Stream(s)), _) => Focus {
                rule: None,
                stream: Some(s.clone()),
                unread: None,
                ctx: self.ctx,
            },
            (Some(Detail::Rule(k)), _) => Focus {
                rule: Some(k.clone()),
                stream: None,
                unread: None,
                ctx: self.ctx,
            },
            (None, Some((e, pos))) => match (self.pane, e.get(pos)) {
                // On the Rules pane the row is the rule, whatever it feeds.
                (Pane::Rules, Some(x)) => Focus {
                    rule: x.target.rule.clone(),
                    stream: None,
                    unread: None,
                    ctx: x.target.ctx,
                },
                (_, Some(x)) => x.target.clone(),
                _ => self.nothing_selected(),
            },
            _ => self.nothing_selected(),
        }
    }

    /// No row and no drill-in: nothing to act on, in the context shown (the `:ctx` one, else
    /// the last row's) — never silently context 0.
    fn nothing_selected(&self) -> Focus {
        Focus {
            ctx: self.only.unwrap_or(self.target.ctx),
            ..Focus::default()
        }
    }

    /// " · CONTEXT" for a dialog title when several contexts are watched, else nothing.
    fn in_context(&self, w: &Merged) -> String {
        if w.is_several() {
            format!(" · {}", w.part(self.ctx).name)
        } else {
            String::new()
        }
    }

    /// [`View::acted_on`], its context made the view's (the dialogs and effects that follow
    /// are about it), and that context's snapshot.
    fn act_on<'a>(&mut self, w: &'a Merged) -> (Focus, &'a Snapshot) {
        let f = self.acted_on(w);
        self.ctx = f.ctx;
        let snap = w.snap(f.ctx);
        (f, snap)
    }

    /// The stream (if it exists) or else the rule `target` is about, in `snap`.
    fn picked<'a>(target: &Focus, snap: &'a Snapshot) -> Option<Picked<'a>> {
        let inv = &snap.inventory.get()?.inv;
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
    pub(super) fn simulate(&mut self, w: &Merged) -> Effect {
        let (target, snap) = self.act_on(w);
        let Some(inv) = snap.inventory.get().map(|i| &i.inv) else {
            return Effect::None;
        };
        let here = self.in_context(w);
        let (title, reqs) = match Self::picked(&target, snap) {
            Some(Picked::Stream(st)) => (
                format!("Permissions — stream {}{}", st.name, here),
                iam::for_stream(inv, st, &self.writer_policy),
            ),
            Some(Picked::Rule(r)) => (
                format!("Permissions — rule {}{}", r.key(), here),
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
        Effect::Simulate(self.ctx, id, reqs)
    }

    /// Enter on the Logs pane: the event at the cursor ([`View::log_scroll`] events up from the
    /// newest), whole in the overlay — time, group, stream, id, then the message: JSON
    /// pretty-printed, anything else as it came; wrapped, scrollable, sanitized when drawn.
    pub(super) fn open_log_event(&mut self, snap: &Snapshot) {
        let groups = self.target.log_groups(snap);
        let events = crate::ui::panes::logs::merged(snap, &groups);
        let Some(i) = log_cursor(&events, self) else {
            self.status = Some(Status {
                level: Level::Unknown,
                text: "no log event to open".into(),
            });
            return;
        };
        let e = events[i];
        let id = self.open_overlay(
            format!(
                "Log event — {} {}",
                e.group,
                e.timestamp.format("%Y-%m-%d %H:%M:%S%.3f UTC")
            ),
            String::new(),
        );
        self.finished(id, log_event_lines(e));
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
    pub(super) fn run_checks(&mut self, w: &Merged) -> Effect {
        let (target, snap) = self.act_on(w);
        if snap.inventory.get().is_none() {
            return Effect::None;
        }
        let here = self.in_context(w);
        let (title, sel) = match Self::picked(&target, snap) {
            Some(Picked::Stream(st)) => (
                format!("Checks — stream {}{}", st.name, here),
                check::Selection {
                    streams: vec![st.name.clone()],
                    rules: vec![],
                },
            ),
            Some(Picked::Rule(r)) => (
                format!("Checks — rule {}{}", r.key(), here),
                check::Selection {
                    streams: vec![],
                    rules: vec![r.key().to_string()],
                },
            ),
            None => return self.pick_first(),
        };
        let id = self.open_overlay(title, "running the runbook's checks…".into());
        Effect::Check(self.ctx, id, sel)
    }

    /// `m`: the pattern tester for the selected rule (a pipeline row's rule, a rule drill-in):
    /// its pattern against what its bus logged.
    pub(super) fn test_pattern(&mut self, w: &Merged) -> Effect {
        let (target, snap) = self.act_on(w);
        let Some(key) = target.rule.clone() else {
            self.status = Some(Status {
                level: Level::Warn,
                text: no_rule_here(&target),
            });
            return Effect::None;
        };
        let has_pattern = snap
            .inventory
            .get()
            .and_then(|i| i.inv.rule(&key))
            .is_some_and(|r| r.event_pattern.is_some());
        if !has_pattern {
            self.status = Some(Status {
                level: Level::Warn,
                text: format!("{key} has no event pattern (a schedule rule)"),
            });
            return Effect::None;
        }
        self.overlay_seq += 1;
        self.tester = Some(Tester {
            id: self.overlay_seq,
            rule: key.clone(),
            report: None,
            selected: 0,
            pasted: None,
            scroll: 0,
        });
        Effect::PatternTest(self.ctx, self.overlay_seq, key)
    }

    /// `e`: the failed records of the selected stream (a pipeline row's stream, a stream
    /// drill-in), read from its S3 error output.
    pub(super) fn open_failed(&mut self, w: &Merged) -> Effect {
        let Some(stream) = self.act_on(w).0.stream else {
            self.status = Some(Status {
                level: Level::Warn,
                text: "select a stream first (Streams pane, or a pipeline row)".into(),
            });
            return Effect::None;
        };
        self.overlay_seq += 1;
        self.failed = Some(Failed {
            id: self.overlay_seq,
            stream: stream.clone(),
            report: None,
            selected: 0,
            open: false,
            scroll: 0,
            pasted: None,
            tested: None,
        });
        Effect::ReadFailed(self.ctx, self.overlay_seq, stream)
    }

    /// The failed records arrived (an older answer is dropped).
    pub fn failed_read(
        &mut self,
        id: u64,
        report: Result<crate::judge::records::FailedRecords, String>,
    ) {
        if let Some(f) = &mut self.failed
            && f.id == id
        {
            f.report = Some(report);
            f.selected = 0;
        }
    }

    /// The tester's samples arrived (an older answer is dropped).
    pub fn samples_read(
        &mut self,
        id: u64,
        report: Result<crate::judge::pattern::SampleReport, String>,
    ) {
        if let Some(t) = &mut self.tester
            && t.id == id
        {
            // Start on the nearest miss: the event that shows the trap.
            t.selected = report
                .as_ref()
                .ok()
                .and_then(|r| {
                    r.nearest_id
                        .as_ref()
                        .and_then(|n| r.events.iter().position(|e| &e.id == n))
                })
                .unwrap_or(0);
            t.report = Some(report);
        }
    }

    /// Text pasted into the terminal: in the failed records, a record to partition-test; in
    /// the tester, the event to test (JSON).
    pub fn pasted(&mut self, text: &str, snap: &Snapshot) {
        if let Some(fv) = &mut self.failed {
            fv.pasted = Some(text.to_string());
            fv.test_partition(snap);
            self.status = Some(Status {
                level: Level::Ok,
                text: "the pasted record, tested with the stream's partitioning query (any key goes back)".into(),
            });
            return;
        }
        let Some(t) = &mut self.tester else {
            return;
        };
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() => {
                t.pasted = Some(v);
                t.scroll = 0;
                self.status = Some(Status {
                    level: Level::Ok,
                    text: "testing the pasted event (j/k goes back to the samples)".into(),
                });
            }
            // Not an event: back to the picked sample, never the previous paste's verdict.
            Ok(_) => {
                t.pasted = None;
                self.status = Some(Status {
                    level: Level::Warn,
                    text: "the pasted JSON is not an event (an object)".into(),
                })
            }
            Err(e) => {
                t.pasted = None;
                self.status = Some(Status {
                    level: Level::Warn,
                    text: format!("the pasted text is not JSON: {e}"),
                })
            }
        }
    }

    /// `P`: the custom simulation dialog, prefilled from the selection.
    pub(super) fn open_sim_form(&mut self, w: &Merged) {
        let mut form = SimForm::default();
        let (target, snap) = self.act_on(w);
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
        form.context = self.in_context(w);
        self.sim_form = Some(form);
    }

    /// Typing into the custom simulation dialog.
    pub(super) fn form_key(&mut self, key: &KeyEvent) -> Effect {
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
                let req = iam::custom_request(&principal, actions, resources);
                let title = format!("Permissions — custom: {principal}{}", form.context);
                self.sim_form = None;
                return self.start_simulation(title, vec![req]);
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
    pub(super) fn toggle_rule(&mut self, w: &Merged) {
        let refuse = |text: String| Status {
            level: Level::Warn,
            text,
        };
        let (target, snap) = self.act_on(w);
        let part = w.part(target.ctx);
        let Some(key) = target.rule.clone() else {
            self.status = Some(refuse(no_rule_here(&target)));
            return;
        };
        if self.read_only || part.read_only {
            // Which read-only: fhtop's, or only this context's (`read_only` in its config).
            let whose = if self.read_only {
                String::new()
            } else {
                format!(" (context {})", part.name)
            };
            self.status = Some(refuse(format!("READ-ONLY{whose}: {key} not changed")));
            return;
        }
        // A warm start's rows are from the last run: never offer a change on them.
        if snap.inventory.cached {
            self.status = Some(refuse(format!(
                "the rules shown are from the cache of the last run: {key} can be changed once \
                 the fresh inventory is read"
            )));
            return;
        }
        let Some(inv) = snap.inventory.get() else {
            return;
        };
        let Some(rule) = inv.inv.rule(&key).cloned() else {
            return;
        };
        // What a change affects is its targets: not offered before they are read.
        if inv.inv.unread_rule(&key).is_some() {
            self.status = Some(refuse(format!(
                "the targets of {key} are not known (still being read, or unreadable): what \
                 it feeds is unknown, so no change is offered"
            )));
            return;
        }
        if let Some(m) = &rule.managed_by {
            self.status = Some(refuse(format!("{key} is managed by {m}: change it there")));
            return;
        }
        let id = snap.identity.get();
        let enable = !rule.state.is_enabled();
        let (to, note) = match id {
            Some(id) => crate::act::target_state(
                &rule,
                enable,
                crate::act::default_audit_path().as_deref(),
                id,
            ),
            None => (
                if enable {
                    crate::model::RuleState::Enabled
                } else {
                    crate::model::RuleState::Disabled
                },
                None,
            ),
        };
        self.confirm = Some(PendingToggle {
            enable,
            to: to.as_str().to_string(),
            note,
            from: rule.state.as_str().to_string(),
            streams: rule
                .targets
                .iter()
                .filter_map(|t| t.firehose_stream_name().map(str::to_string))
                .collect(),
            account: id.map(|i| i.account.clone()).unwrap_or_default(),
            region: id.map(|i| i.region.clone()).unwrap_or_default(),
            profile: id
                .and_then(|i| i.profile.clone())
                .unwrap_or_else(|| "default".into()),
            production: self.production(part),
            key,
            ctx: target.ctx,
            context: if w.is_several() {
                part.name.clone()
            } else {
                String::new()
            },
        });
    }
}

/// The index of the Logs pane's cursor among `events` (oldest first): the newest when
/// following, else the event the user moved to ([`View::log_anchor`], so events arriving
/// meanwhile do not move it), else [`View::log_scroll`] events up from the newest; `None`
/// without events.
pub fn log_cursor(events: &[&crate::model::LogEvent], view: &View) -> Option<usize> {
    let last = events.len().checked_sub(1)?;
    if view.follow {
        return Some(last);
    }
    if let Some(a) = &view.log_anchor
        && let Some(i) = events.iter().position(|e| &e.event_id == a)
    {
        return Some(i);
    }
    Some(last.saturating_sub(view.log_scroll))
}

impl View {
    /// Moves the Logs cursor to `to(current index)` (clamped), anchored to that event; past the
    /// newest it follows again.
    pub(super) fn move_log_cursor(&mut self, snap: &Snapshot, to: impl Fn(usize) -> usize) {
        let events = crate::ui::panes::logs::merged(snap, &self.target.log_groups(snap));
        let Some(cur) = log_cursor(&events, self) else {
            return;
        };
        let last = events.len() - 1;
        let next = to(cur).min(last);
        if next == last && next >= cur {
            // Down onto (or at) the newest: follow the stream again.
            self.follow = true;
            self.log_scroll = 0;
            self.log_anchor = None;
            return;
        }
        self.follow = false;
        self.log_scroll = last - next;
        self.log_anchor = events.get(next).map(|e| e.event_id.clone());
    }
}

/// A log event as overlay lines: its fields, then the message — a Firehose error's code and
/// message first, JSON pretty-printed, other text line by line.
pub fn log_event_lines(e: &crate::model::LogEvent) -> Vec<(Tone, String)> {
    let mut out = vec![
        (
            Tone::Field,
            format!(
                "time       {}",
                e.timestamp.format("%Y-%m-%d %H:%M:%S%.3f UTC")
            ),
        ),
        (Tone::Field, format!("group      {}", e.group)),
        (Tone::Field, format!("stream     {}", e.stream)),
        (Tone::Field, format!("event id   {}", e.event_id)),
        (Tone::Note, String::new()),
    ];
    if let Some(err) = crate::model::parse_firehose_error(&e.message) {
        out.push((
            Tone::Row(Level::Fail),
            format!("{}: {}", err.code, err.message),
        ));
        out.push((Tone::Note, String::new()));
    }
    match serde_json::from_str::<serde_json::Value>(&e.message) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => out.extend(
            serde_json::to_string_pretty(&v)
                .unwrap_or_default()
                .lines()
                .map(|l| (Tone::Code, l.to_string())),
        ),
        _ => out.extend(e.message.lines().map(|l| (Tone::Code, l.to_string()))),
    }
    out
}

/// Why a rule action has nothing to act on: a pipeline row without a rule (its stream is fed
/// directly), or nothing selected that has a rule.
fn no_rule_here(f: &Focus) -> String {
    match &f.stream {
        Some(s) => format!("no rule feeds {s} (it is written to directly): nothing to act on"),
        None => "select a rule first (Rules pane, or a pipeline row)".into(),
    }
}
