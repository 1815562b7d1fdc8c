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
    /// A Recover overlay (`R`) on a pipeline with a stream: the stream `E` re-sends the
    /// error output of.
    pub recover: Option<String>,
    /// ... and with a rule whose target has a dead-letter queue: the rule `D` redrives.
    pub recover_rule: Option<RuleKey>,
    /// ... and a failing rule whose window an archive covers (the ledger's): what `A`
    /// replays.
    pub recover_replay: Option<super::RecoverWhat>,
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
    /// (see `act::state_before_disable`).
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
    pub(super) fn acted_on(&self, w: &Merged) -> Focus {
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
    pub(super) fn act_on<'a>(&mut self, w: &'a Merged) -> (Focus, &'a Snapshot) {
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

    pub(super) fn open_overlay(&mut self, title: String, pending: String) -> u64 {
        self.overlay_seq += 1;
        self.overlay = Some(Overlay {
            id: self.overlay_seq,
            title,
            pending,
            lines: None,
            scroll: 0,
            recover: None,
            recover_rule: None,
            recover_replay: None,
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

    /// The selected pipeline as a selection of `fhtop check` / `fhtop losses` — its stream
    /// (and the rules feeding it), else its rule (and the stream it feeds) — and the overlay's
    /// title, `VERB — stream NAME`; `Err` with the effect to return when nothing is picked.
    fn pipeline_selection(
        &mut self,
        w: &Merged,
        verb: &str,
    ) -> Result<(String, check::Selection), Effect> {
        let (target, snap) = self.act_on(w);
        if snap.inventory.get().is_none() {
            return Err(Effect::None);
        }
        let here = self.in_context(w);
        match Self::picked(&target, snap) {
            Some(Picked::Stream(st)) => Ok((
                format!("{verb} — stream {}{}", st.name, here),
                check::Selection {
                    streams: vec![st.name.clone()],
                    rules: vec![],
                },
            )),
            Some(Picked::Rule(r)) => Ok((
                format!("{verb} — rule {}{}", r.key(), here),
                check::Selection {
                    streams: vec![],
                    rules: vec![r.key().to_string()],
                },
            )),
            None => Err(self.pick_first()),
        }
    }

    /// `c`: the runbook's checks for the selected pipeline (its stream, else its rule).
    pub(super) fn run_checks(&mut self, w: &Merged) -> Effect {
        let (title, sel) = match self.pipeline_selection(w, "Checks") {
            Ok(x) => x,
            Err(e) => return e,
        };
        let id = self.open_overlay(title, "running the runbook's checks…".into());
        Effect::Check(self.ctx, id, sel)
    }

    /// `R`: the selected pipeline's loss ledger — its stream and the rules feeding it, or its
    /// rule and the stream it feeds — read as `fhtop losses` reads it (queues, archives, the
    /// error output), with the commands that recover it.
    pub(super) fn open_losses(&mut self, w: &Merged) -> Effect {
        let (title, sel) = match self.pipeline_selection(w, "Recover") {
            Ok(x) => x,
            Err(e) => return e,
        };
        let id = self.open_overlay(
            title,
            "reading the ledger: metrics, dead-letter queues, archives, the S3 error output…"
                .into(),
        );
        // What D redrives: the selected row's rule, else the first rule of the pipeline (or
        // feeding its stream) whose target has a dead-letter queue.
        let (target, snap) = self.act_on(w);
        let with_dlq = snap.inventory.get().and_then(|i| {
            let feeding = sel
                .streams
                .iter()
                .flat_map(|s| i.inv.rules_feeding(s))
                .map(|r| r.key());
            target
                .rule
                .clone()
                .into_iter()
                .chain(sel.rules.iter().map(|k| RuleKey::parse(k)))
                .chain(feeding)
                .find(|k| i.inv.rule(k).is_some_and(|r| r.has_dead_letter_queue()))
        });
        if let Some(o) = &mut self.overlay {
            o.recover = sel.streams.first().cloned();
            o.recover_rule = with_dlq;
        }
        Effect::Losses(self.ctx, id, sel)
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
                let req = iam::custom_request(&principal, actions, resources, Default::default());
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
                .filter_map(|t| match rule.foreign_stream(t) {
                    // Another account's stream is named with where it is.
                    Some((account, region, name)) => Some(format!("{name} ({account} {region})")),
                    None => t.firehose_stream_name().map(str::to_string),
                })
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

/// Why a rule action has nothing to act on: a pipeline row without a rule (its stream is fed
/// directly), or nothing selected that has a rule.
pub(super) fn no_rule_here(f: &Focus) -> String {
    match &f.stream {
        Some(s) => format!("no rule feeds {s} (it is written to directly): nothing to act on"),
        None => "select a rule first (Rules pane, or a pipeline row)".into(),
    }
}
