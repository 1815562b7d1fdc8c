//! Keys → view changes and effects, per mode: typing a filter, the custom-simulation form,
//! an open dialog or overlay, normal navigation.

use super::*;
use crate::ui::keymap::Mode;

impl View {
    /// Typing into the filter: every key edits it; Enter keeps it, Esc clears it.
    pub fn filter_key(&mut self, key: &KeyEvent, w: &Merged) {
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
        self.sync_target(w);
    }

    /// Typing a `:` command: every key edits it; Tab completes, Enter runs it, Esc closes it.
    pub fn command_key(&mut self, key: &KeyEvent, w: &Merged) -> Effect {
        let Some(line) = self.command.as_mut() else {
            return Effect::None;
        };
        match key.code {
            KeyCode::Esc => self.command = None,
            // Backspace on an empty line closes it, as in k9s.
            KeyCode::Backspace if line.pop().is_none() => self.command = None,
            KeyCode::Tab => {
                let (streams, rules, contexts) = completion_pool(w);
                let streams: Vec<&str> = streams.iter().map(String::as_str).collect();
                let (done, hits) = crate::ui::command::complete(line, &streams, &rules, &contexts);
                *line = done;
                self.status = (hits.len() > 1).then(|| Status {
                    level: Level::Ok,
                    text: crate::text::fit(&hits.join("  "), 300),
                });
            }
            KeyCode::Enter => {
                let text = line.clone();
                self.command = None;
                return match crate::ui::command::parse(&text) {
                    Ok(c) => self.run_command(c, w),
                    Err(e) => {
                        self.status = Some(Status {
                            level: Level::Warn,
                            text: e,
                        });
                        Effect::None
                    }
                };
            }
            KeyCode::Char(c) if !c.is_control() && line.chars().count() < 200 => line.push(c),
            _ => {}
        }
        Effect::None
    }

    /// `pane` unfiltered, with context `ctx`'s row `id` selected.
    fn select_row(&mut self, pane: Pane, id: &str, ctx: usize, w: &Merged) {
        self.set_pane(pane, w);
        if let Some(slot) = pane.list_slot() {
            self.lists[slot].filter.clear();
            self.lists[slot].selected_id = Some(super::rows::row_id(w, ctx, id));
        }
    }

    /// `:stream` / `:rule`: `pane` unfiltered with the row `id` selected, `target` what the
    /// other panes follow, and its drill-in open (in the target's context).
    fn jump(&mut self, pane: Pane, id: &str, target: Focus, detail: Detail, w: &Merged) {
        self.select_row(pane, id, target.ctx, w);
        self.ctx = target.ctx;
        self.target = target;
        self.detail = Some(detail);
    }

    /// The contexts `:stream` / `:rule` look in: the `:ctx` one, else every one.
    fn searched(&self, w: &Merged) -> Vec<usize> {
        (0..w.parts().len())
            .filter(|i| self.only.is_none_or(|o| o == *i))
            .collect()
    }

    /// "NAME is in N contexts: :ctx A, :ctx B" when a name is in several.
    fn ambiguous(what: &str, w: &Merged, ctxs: &[usize]) -> Status {
        Status {
            level: Level::Warn,
            text: format!(
                "{what} is in {} contexts ({}): focus one with :ctx NAME first",
                ctxs.len(),
                ctxs.iter()
                    .map(|&i| w.part(i).name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Carries out a `:` command.
    fn run_command(&mut self, c: crate::ui::command::Command, w: &Merged) -> Effect {
        use crate::ui::command::Command;
        match c {
            Command::Quit => return Effect::Quit,
            Command::Help => self.help = true,
            Command::Pane(p) => self.set_pane(p, w),
            Command::Stream(name) => {
                // Described, or listed and not described yet (its row says why).
                let described = |i: usize| {
                    w.snap(i)
                        .inventory
                        .get()
                        .is_some_and(|inv| inv.inv.stream(&name).is_some())
                };
                let listed = |i: usize| {
                    w.snap(i).inventory.get().is_some_and(|inv| {
                        inv.inv
                            .errors
                            .iter()
                            .any(|e| e.kind == "stream" && e.name == name)
                    })
                };
                let have: Vec<usize> = self
                    .searched(w)
                    .into_iter()
                    .filter(|&i| described(i) || listed(i))
                    .collect();
                match have.as_slice() {
                    [ctx] if !described(*ctx) => {
                        // Its row, selected; no drill-in until it is described.
                        self.select_row(Pane::Streams, &format!("error:stream:{name}"), *ctx, w);
                        self.sync_target(w);
                        self.status = Some(Status {
                            level: Level::Unknown,
                            text: format!(
                                "{name} is listed and not described (yet, or it could not be): its row says why"
                            ),
                        });
                    }
                    [ctx] => {
                        let target = Focus {
                            rule: None,
                            stream: Some(name.clone()),
                            unread: None,
                            ctx: *ctx,
                        };
                        self.jump(
                            Pane::Streams,
                            &name,
                            target,
                            Detail::Stream(name.clone()),
                            w,
                        );
                    }
                    [] => {
                        self.status = Some(Status {
                            level: Level::Warn,
                            text: format!("no stream {name} here (Tab completes the names)"),
                        })
                    }
                    many => self.status = Some(Self::ambiguous(&name, w, many)),
                }
            }
            Command::Rule(name) => {
                let keys: Vec<(usize, RuleKey)> = self
                    .searched(w)
                    .into_iter()
                    .flat_map(|i| {
                        w.snap(i)
                            .inventory
                            .get()
                            .map(|inv| {
                                inv.inv
                                    .rules
                                    .iter()
                                    .map(|r| r.key())
                                    .filter(|k| k.to_string() == name || k.name == name)
                                    .map(|k| (i, k))
                                    .collect::<Vec<_>>()
                            })
                            .unwrap_or_default()
                    })
                    .collect();
                let ctxs: std::collections::BTreeSet<usize> =
                    keys.iter().map(|(i, _)| *i).collect();
                match keys.as_slice() {
                    [(ctx, key)] => {
                        let target = Focus {
                            rule: Some(key.clone()),
                            stream: None,
                            unread: None,
                            ctx: *ctx,
                        };
                        let id = key.to_string();
                        self.jump(Pane::Rules, &id, target, Detail::Rule(key.clone()), w);
                    }
                    [] => {
                        self.status = Some(Status {
                            level: Level::Warn,
                            text: format!("no rule {name} here (Tab completes the names)"),
                        })
                    }
                    _ if ctxs.len() > 1 => {
                        let ctxs: Vec<usize> = ctxs.into_iter().collect();
                        self.status = Some(Self::ambiguous(&name, w, &ctxs));
                    }
                    many => {
                        self.status = Some(Status {
                            level: Level::Warn,
                            text: format!(
                                "{name} is on {} buses: :rule {}",
                                many.len(),
                                many.iter()
                                    .map(|(_, k)| k.to_string())
                                    .collect::<Vec<_>>()
                                    .join(" or :rule ")
                            ),
                        })
                    }
                }
            }
            Command::Context(want) => self.focus_context(want, w),
            Command::Region(region) => {
                let region = region.trim().to_ascii_lowercase();
                // A region name: letters, digits and dashes (e.g. eu-west-1, us-gov-west-1).
                if region.is_empty()
                    || !region
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    self.status = Some(Status {
                        level: Level::Warn,
                        text: format!("{region:?} is not a region name (e.g. eu-west-1)"),
                    });
                    return Effect::None;
                }
                let base = self.only.unwrap_or(self.target.ctx);
                self.status = Some(Status {
                    level: Level::Unknown,
                    text: format!(
                        "watching {region} with the profile of {}…",
                        w.part(base).name
                    ),
                });
                return Effect::AddRegion(base, region);
            }
        }
        Effect::None
    }

    /// Context `i` was added (`:region`) or already watched: show only it.
    pub fn context_added(&mut self, i: usize, w: &Merged) {
        self.show_only(i, w);
    }

    /// Shows only context `i`'s rows (every context's when there is one), selections reset.
    fn show_only(&mut self, i: usize, w: &Merged) {
        self.only = w.is_several().then_some(i);
        for l in &mut self.lists {
            l.selected = 0;
            l.selected_id = None;
        }
        self.detail = None;
        self.status = Some(Status {
            level: Level::Ok,
            text: format!(
                "showing only {} (:ctx all shows every context)",
                about(w.part(i))
            ),
        });
        self.sync_target(w);
    }

    /// `:ctx`: with no name, says which contexts are watched and which is focused; `all`
    /// shows every context's rows again; a name shows only that context's rows.
    fn focus_context(&mut self, want: Option<String>, w: &Merged) {
        let status = |level, text| Some(Status { level, text });
        match want.as_deref() {
            None => {
                let names: Vec<String> = w.parts().iter().map(about).collect();
                let focus = match self.only {
                    Some(i) => format!("; showing only {}", w.part(i).name),
                    None if w.is_several() => "; showing all".into(),
                    None => String::new(),
                };
                self.status = status(Level::Ok, format!("context: {}{focus}", names.join(", ")));
            }
            Some("all") => {
                self.only = None;
                self.status = status(
                    Level::Ok,
                    format!("showing every context ({})", w.parts().len()),
                );
                self.sync_target(w);
            }
            Some(name) => match w.find(name) {
                Some(i) => self.show_only(i, w),
                None => {
                    let names: Vec<&str> = w.parts().iter().map(|p| p.name.as_str()).collect();
                    self.status = status(
                        Level::Warn,
                        format!(
                            "no context {name}: watching {} (start fhtop with --context {name} to add it)",
                            names.join(", ")
                        ),
                    );
                }
            },
        }
    }

    /// One key press.
    pub fn on_key(&mut self, key: &KeyEvent, keymap: &Keymap, w: &Merged) -> Effect {
        if self.command.is_some() {
            // Ctrl-C still quits while typing.
            if ctrl_c(keymap, key) {
                return Effect::Quit;
            }
            return self.command_key(key, w);
        }
        if self.editing_filter {
            // Ctrl-C still quits while typing.
            if ctrl_c(keymap, key) {
                return Effect::Quit;
            }
            self.filter_key(key, w);
            return Effect::None;
        }
        if self.sim_form.is_some() {
            if ctrl_c(keymap, key) {
                return Effect::Quit;
            }
            return self.form_key(key);
        }
        let mode = if self.confirm.is_some() {
            Mode::Dialog
        } else {
            Mode::Normal
        };
        match keymap.action_in(mode, key) {
            Some(a) => self.apply(a, w),
            None => Effect::None,
        }
    }

    /// Applies an action to the view and says what the app loop must do. A confirmation dialog
    /// swallows keys (confirm, cancel, quit); otherwise per the focused pane, drill-in or overlay.
    pub fn apply(&mut self, a: Action, w: &Merged) -> Effect {
        if let Some(p) = &self.confirm {
            // The dialog swallows keys: y confirms, n/Esc cancels, q still quits.
            return match a {
                Action::Confirm => {
                    let e = Effect::ToggleRule(p.ctx, p.key.clone(), p.enable);
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
        // The screen is saved as it is, overlays included (a checks overlay for the ticket).
        if a == Action::SaveScreen {
            return Effect::SaveScreen;
        }
        if a != Action::Confirm {
            self.status = None;
        }
        if let Some(fv) = &mut self.failed {
            // The failed records swallow keys: pick, open, scroll, back, close, quit. A key
            // after a paste goes back to the records first.
            if fv.pasted.take().is_some() && a != Action::Quit {
                fv.test_partition(w.snap(self.ctx));
                return Effect::None;
            }
            let n = fv
                .report
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .map_or(0, |r| r.records.len());
            match a {
                Action::Up | Action::Down | Action::Top | Action::Bottom if fv.open => {
                    // At most the record's lines (wrapped lines are not counted: the last
                    // screen of a record with very long lines is reached with PgDn).
                    let last = fv
                        .report
                        .as_ref()
                        .and_then(|r| r.as_ref().ok())
                        .and_then(|r| r.records.get(fv.selected))
                        .map_or(0, crate::ui::panes::failed::record_line_count);
                    fv.scroll = match a {
                        Action::Up => fv.scroll.saturating_sub(1),
                        Action::Down => fv.scroll.saturating_add(1),
                        Action::Top => 0,
                        _ => last,
                    }
                    .min(last);
                }
                Action::Up | Action::Down | Action::Top | Action::Bottom => {
                    fv.selected = match a {
                        Action::Up => fv.selected.saturating_sub(1),
                        Action::Down => (fv.selected + 1).min(n.saturating_sub(1)),
                        Action::Top => 0,
                        _ => n.saturating_sub(1),
                    };
                }
                Action::PageUp if fv.open => fv.scroll = fv.scroll.saturating_sub(PAGE),
                Action::PageDown if fv.open => fv.scroll = fv.scroll.saturating_add(PAGE),
                Action::PageUp => fv.selected = fv.selected.saturating_sub(PAGE),
                Action::PageDown => {
                    fv.selected = (fv.selected + PAGE).min(n.saturating_sub(1));
                }
                Action::DrillIn if n > 0 => {
                    fv.open = true;
                    fv.scroll = 0;
                    fv.test_partition(w.snap(self.ctx));
                }
                Action::Back if fv.open => fv.open = false,
                Action::Back | Action::Cancel | Action::FailedRecords => self.failed = None,
                Action::Quit => return Effect::Quit,
                _ => {}
            }
            return Effect::None;
        }
        if let Some(t) = &mut self.tester {
            // The tester swallows keys: pick a sample, scroll, close, quit.
            let n = t
                .report
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .map_or(0, |r| r.events.len());
            match a {
                Action::Up | Action::Down | Action::Top | Action::Bottom => {
                    t.selected = match a {
                        Action::Up => t.selected.saturating_sub(1),
                        Action::Down => (t.selected + 1).min(n.saturating_sub(1)),
                        Action::Top => 0,
                        _ => n.saturating_sub(1),
                    };
                    t.pasted = None;
                    t.scroll = 0;
                }
                Action::PageUp => t.scroll = t.scroll.saturating_sub(PAGE),
                Action::PageDown => t.scroll = t.scroll.saturating_add(PAGE),
                Action::Back | Action::Cancel | Action::PatternTest => self.tester = None,
                Action::Quit => return Effect::Quit,
                _ => {}
            }
            return Effect::None;
        }
        if let Some(pv) = &mut self.overlay {
            // The overlay swallows keys: scroll, close, quit.
            if let Some(to) = scrolled(pv.scroll, a) {
                pv.scroll = to;
                return Effect::None;
            }
            match a {
                Action::Back | Action::Cancel | Action::Simulate | Action::Checks => {
                    self.overlay = None
                }
                Action::Quit => return Effect::Quit,
                _ => {}
            }
            return Effect::None;
        }
        if self.help {
            // The overlay swallows keys: these close it, these scroll it (small terminals).
            if let Some(to) = scrolled(self.help_scroll, a) {
                self.help_scroll = to;
                return Effect::None;
            }
            match a {
                Action::Help | Action::Back => {
                    self.help = false;
                    self.help_scroll = 0;
                }
                Action::Quit => return Effect::Quit,
                _ => {}
            }
            return Effect::None;
        }
        match a {
            Action::Quit => return Effect::Quit,
            Action::Help => self.help = true,
            Action::Refresh => return Effect::Refresh,
            Action::NextPane => {
                let i = (self.pane.index() + 1) % Pane::ALL.len();
                self.set_pane(Pane::ALL[i], w);
            }
            Action::PrevPane => {
                let i = (self.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len();
                self.set_pane(Pane::ALL[i], w);
            }
            Action::PanePipelines => self.set_pane(Pane::Pipelines, w),
            Action::PaneStreams => self.set_pane(Pane::Streams, w),
            Action::PaneRules => self.set_pane(Pane::Rules, w),
            Action::PaneAlarms => self.set_pane(Pane::Alarms, w),
            Action::PaneLogs => self.set_pane(Pane::Logs, w),
            Action::PaneAppLog => self.set_pane(Pane::AppLog, w),
            Action::PaneCost => self.set_pane(Pane::Cost, w),
            Action::Back => {
                if self.detail.is_some() {
                    self.detail = None;
                } else if let Some(slot) = self.pane.list_slot() {
                    self.lists[slot].filter.clear();
                    self.sync_target(w);
                }
            }
            Action::Filter => {
                if self.detail.is_none() && self.pane.list_slot().is_some() {
                    self.editing_filter = true;
                } else {
                    // Say so: what is typed next would otherwise run as keys.
                    self.status = Some(Status {
                        level: Level::Warn,
                        text: "no filter here: / filters the lists (panes 1–4)".into(),
                    });
                }
            }
            Action::DrillIn => self.drill_in(w),
            Action::ToggleRule => self.toggle_rule(w),
            Action::Simulate => return self.simulate(w),
            Action::Checks => return self.run_checks(w),
            Action::CustomSimulation => self.open_sim_form(w),
            Action::Confirm | Action::Cancel | Action::SaveScreen => {}
            Action::ChartLonger => self.step_chart_window(true),
            Action::ChartShorter => self.step_chart_window(false),
            Action::PatternTest => return self.test_pattern(w),
            Action::FailedRecords => return self.open_failed(w),
            Action::Command => {
                self.command = Some(String::new());
                self.status = None;
            }
            Action::Follow => {
                if self.follow {
                    // Paused on the newest event, which stays put as others arrive.
                    self.follow = false;
                    let snap = w.snap(self.target.ctx);
                    let events =
                        crate::ui::panes::logs::merged(snap, &self.target.log_groups(snap));
                    self.log_anchor = events.last().map(|e| e.event_id.clone());
                    self.log_scroll = 0;
                } else {
                    self.follow = true;
                    self.log_scroll = 0;
                    self.log_anchor = None;
                }
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
                    self.move_log_cursor(w.snap(self.target.ctx), |cur| {
                        if up {
                            cur.saturating_sub(n)
                        } else {
                            cur.saturating_add(n)
                        }
                    });
                } else if up {
                    self.move_to(w, |cur, _| cur.saturating_sub(n));
                } else {
                    self.move_to(w, |cur, _| cur.saturating_add(n));
                }
            }
            Action::Top => {
                if self.pane == Pane::Logs {
                    self.move_log_cursor(w.snap(self.target.ctx), |_| 0);
                } else {
                    self.move_to(w, |_, _| 0);
                }
            }
            Action::Bottom => {
                if self.pane == Pane::Logs {
                    self.follow = true;
                    self.log_scroll = 0;
                    self.log_anchor = None;
                } else {
                    self.move_to(w, |_, len| len.saturating_sub(1));
                }
            }
        }
        Effect::None
    }
}

/// Where a scroll key takes a scrolled view (overlay, help): one line, a page, the top, or the
/// end (clamped by the render); `None` for any other action.
fn scrolled(scroll: usize, a: Action) -> Option<usize> {
    Some(match a {
        Action::Up => scroll.saturating_sub(1),
        Action::Down => scroll.saturating_add(1),
        Action::PageUp => scroll.saturating_sub(PAGE),
        Action::PageDown => scroll.saturating_add(PAGE),
        Action::Top => 0,
        Action::Bottom => usize::MAX / 2,
        _ => return None,
    })
}

/// A context as `:ctx` names it: "NAME (account A · REGION)", "NAME (not read yet)", or "not
/// known yet" for the one unnamed context before its identity is read.
fn about(p: &Part) -> String {
    match p.snap.identity.get() {
        Some(i) => format!("{} (account {} · {})", p.name, i.account, i.region),
        None if p.name.is_empty() => "not known yet".into(),
        None => format!("{} (not read yet)", p.name),
    }
}

/// Ctrl-C (or whatever quit is bound to with Ctrl): quits even while typing text.
fn ctrl_c(keymap: &Keymap, key: &KeyEvent) -> bool {
    keymap.action(key) == Some(Action::Quit)
        && key
            .modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL)
}

/// What Tab completes from: every context's stream names and rules (as `BUS/NAME` and
/// `NAME`), deduplicated, and the context names.
fn completion_pool(w: &Merged) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut streams = std::collections::BTreeSet::new();
    let mut rules = std::collections::BTreeSet::new();
    for p in w.parts() {
        if let Some(inv) = p.snap.inventory.get().map(|i| &i.inv) {
            streams.extend(inv.streams.iter().map(|s| s.name.clone()));
            rules.extend(
                inv.rules
                    .iter()
                    .flat_map(|r| [r.key().to_string(), r.name.clone()]),
            );
        }
    }
    let contexts: Vec<String> = w
        .parts()
        .iter()
        .map(|p| p.name.clone())
        .filter(|n| !n.is_empty())
        .collect();
    (
        streams.into_iter().collect(),
        rules.into_iter().collect(),
        contexts,
    )
}
