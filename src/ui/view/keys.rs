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
        let mode = if self.confirm.is_some() || self.recover_confirm.is_some() {
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
        if let Some(e) = self.recovery_confirm_key(a) {
            return e;
        }
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
        // Copying reads what is open (an overlay's commands) or the selection; it closes nothing.
        if a == Action::Copy {
            return self.copy(w);
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
                Action::Back
                | Action::Cancel
                | Action::Simulate
                | Action::Checks
                | Action::Recover => self.overlay = None,
                Action::RecoverErrors | Action::RecoverDlq | Action::RecoverReplay => {
                    return self.plan_recovery(w, a);
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
            Action::Recover => return self.open_losses(w),
            Action::CustomSimulation => self.open_sim_form(w),
            // Taken before an overlay sees the key (above).
            Action::Confirm | Action::Cancel | Action::SaveScreen | Action::Copy => {}
            Action::RecoverErrors | Action::RecoverDlq | Action::RecoverReplay => {
                self.status = Some(Status {
                    level: Level::Warn,
                    text: "E, D and A recover from the Recover overlay: open it with R first"
                        .into(),
                });
            }
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

/// Ctrl-C (or whatever quit is bound to with Ctrl): quits even while typing text.
fn ctrl_c(keymap: &Keymap, key: &KeyEvent) -> bool {
    keymap.action(key) == Some(Action::Quit)
        && key
            .modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL)
}
