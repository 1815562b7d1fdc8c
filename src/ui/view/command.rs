//! The `:` command line: typing it (Tab completes), and what each command does — `:stream`,
//! `:rule` jump to a row in any context, `:ctx` focuses a context, `:region` adds one.

use super::*;

impl View {
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
