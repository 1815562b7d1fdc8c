//! The frame: header, pane tabs, the focused pane (or a drill-in), the context strip, the
//! footer, and the help overlay. A pure function of (snapshot, view, context).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::fresh::store::Merged;
use crate::model::AlarmState;
pub use crate::ui::chrome::{Ctx, staleness, title};
use crate::ui::fmt;
use crate::ui::keymap::Action;
use crate::ui::panes;
use crate::ui::view::{Detail, Pane, View};

/// Smallest area the full layout is drawn in; below it a one-line notice.
const MIN_W: u16 = 40;
const MIN_H: u16 = 8;

/// Draws a whole frame of every context's data `w`: header, tabs, the focused pane (rows of
/// every context) or drill-in (in its context), context strip, footer, overlays; a one-line
/// notice when the terminal is smaller than 40×8.
pub fn render(f: &mut Frame, w: &Merged, view: &View, ctx: &Ctx) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        let msg = format!(
            "fhtop: terminal {}×{} too small (need {MIN_W}×{MIN_H}) · q quits",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).style(ctx.theme.warn()), area);
        return;
    }
    // Recoveries sending (or just ended) have a line each above the footer, on every pane.
    let jobs = panes::recover::shown(view, ctx.now);
    let job_rows = u16::try_from(jobs.len())
        .unwrap_or(u16::MAX)
        .min(area.height / 4);
    let [header, tabs, body, progress, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(job_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    panes::recover::progress(f, progress, &jobs, ctx);
    if w.is_several() {
        render_header_many(f, header, w, view, ctx);
    } else {
        render_header(f, header, w.part(0), view, ctx);
    }
    render_tabs(f, tabs, w, view, ctx);
    // The drill-in and the dialogs are in the context they were opened in.
    let snap = w.snap(view.ctx);
    match &view.detail {
        Some(Detail::Stream(name)) => panes::detail::stream(f, body, snap, view, name, ctx),
        Some(Detail::Rule(key)) => panes::detail::rule(f, body, snap, view, key, ctx),
        None => render_pane(f, body, w, view, ctx),
    }
    render_footer(f, footer, view, ctx);
    if let Some(p) = &view.confirm {
        panes::help::confirm(f, area, p, ctx);
    }
    if let Some(p) = &view.recover_confirm {
        panes::recover::confirm(f, area, p, ctx);
    }
    if let Some(pv) = &view.overlay {
        panes::perms::render(f, area, pv, ctx);
    }
    if let Some(tv) = &view.tester {
        panes::pattern::render(f, area, snap, tv, ctx);
    }
    if let Some(fv) = &view.failed {
        panes::failed::render(f, area, fv, ctx);
    }
    if let Some(form) = &view.sim_form {
        panes::perms::form(f, area, form, ctx);
    }
    if view.help {
        panes::help::render(f, area, view.help_scroll, ctx);
    }
}

fn render_pane(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let with_context = matches!(
        view.pane,
        Pane::Pipelines | Pane::Streams | Pane::Rules | Pane::Alarms
    ) && area.height >= 22;
    let (main, strip) = if with_context {
        // The list gets what its rows need; the context strip gets the rest (at least 9 rows).
        let rows = view.rows(view.pane, w).len() as u16;
        let list_h = (rows + 3).clamp(8, area.height.saturating_sub(9));
        let [m, s] = Layout::vertical([Constraint::Length(list_h), Constraint::Min(9)]).areas(area);
        (m, Some(s))
    } else {
        (area, None)
    };
    // The Logs pane and the context strip follow the selected row, in its context.
    let target = w.snap(view.target.ctx);
    match view.pane {
        Pane::Pipelines => panes::pipelines::render(f, main, w, view, ctx),
        Pane::Streams => panes::streams::render(f, main, w, view, ctx),
        Pane::Rules => panes::rules::render(f, main, w, view, ctx),
        Pane::Alarms => panes::alarms::render(f, main, w, view, ctx),
        Pane::Logs => panes::logs::render(f, main, target, view, ctx),
        Pane::AppLog => panes::applog::render(f, main, ctx),
        Pane::Cost => panes::cost::render_each(f, main, w, view.only, ctx),
    }
    if let Some(s) = strip {
        panes::context::render(f, s, target, view, ctx);
    }
}

/// The header with several contexts: per context its name (a production context's in the
/// production colours, marked ⚑), then its state — connecting, STALE / OFF with what, or
/// the age of its oldest data — then the API call rate over all, the `:ctx` focus and
/// READ-ONLY; shorter forms until it fits next to the clock.
fn render_header_many(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let base = t.header();
    let clock = ctx.now.format(" %H:%M:%S UTC ").to_string();
    let width = area.width as usize;
    let mut spans = Vec::new();
    for compact in 0..3u8 {
        spans = vec![Span::styled(
            " fhtop ",
            base.add_modifier(ratatui::style::Modifier::BOLD),
        )];
        for (i, p) in w.parts().iter().enumerate() {
            let snap = &p.snap;
            let dim = view.only.is_some_and(|o| o != i);
            spans.push(Span::styled(" ", base));
            let name = crate::ui::safe_fit(&p.name, if compact == 2 { 12 } else { 24 });
            let prod = view.production(p);
            spans.push(Span::styled(
                if prod { format!("⚑{name}") } else { name },
                if prod {
                    t.production()
                } else if dim {
                    base
                } else {
                    base.add_modifier(ratatui::style::Modifier::BOLD)
                },
            ));
            if p.read_only && !view.read_only {
                // Changes refused in this context only.
                spans.push(Span::styled(" ", base));
                spans.push(Span::styled("RO", t.badge()));
            }
            spans.push(Span::styled(" ", base));
            let off = snap.features_off();
            let stale = snap.stale_sections();
            let bad = t
                .stale()
                .patch(base.remove_modifier(ratatui::style::Modifier::BOLD));
            if let Some((section, e)) = stale.first() {
                let text = match compact {
                    0 => format!(" STALE {section}: {} ", crate::ui::safe_fit(&e.message, 24)),
                    1 => format!(" STALE {section} "),
                    _ => " STALE ".to_string(),
                };
                spans.push(Span::styled(text, bad));
            } else if let Some((perm, _)) = off.first() {
                let text = if compact == 0 {
                    format!(" OFF: add {perm} ")
                } else {
                    " OFF ".to_string()
                };
                spans.push(Span::styled(text, bad));
            } else if let Some(oldest) = snap.oldest_fetch() {
                let mut age = fmt::age(ctx.now, oldest);
                if snap.inventory.cached {
                    age.push_str(" cached");
                }
                spans.push(Span::styled(
                    if compact == 0 {
                        format!("age {age}")
                    } else {
                        age
                    },
                    base,
                ));
                // The progressive walk of this context, while it reads.
                if let Some(inv) = snap.inventory.get().filter(|_| compact < 2) {
                    let ((s, st), (r, rt)) = inv.inv.reading();
                    if s + r > 0 {
                        spans.push(Span::styled(
                            format!(" described {}/{}", (st + rt).saturating_sub(s + r), st + rt),
                            base,
                        ));
                    }
                }
            } else {
                spans.push(Span::styled("connecting…", base));
            }
            spans.push(Span::styled(" ·", base));
        }
        spans.pop();
        let per_min: u64 = w
            .parts()
            .iter()
            .filter_map(|p| p.snap.api.get())
            .map(|api| api.ops.iter().map(|o| o.1).sum::<u64>())
            .sum();
        if w.parts().iter().any(|p| p.snap.api.get().is_some()) {
            spans.push(Span::styled(format!("  API {per_min}/min"), base));
        }
        if let Some(o) = view.only {
            spans.push(Span::styled(
                format!("  [:ctx {}]", crate::ui::safe_fit(&w.part(o).name, 24)),
                t.badge(),
            ));
        }
        if view.read_only {
            spans.push(Span::styled("  ", base));
            spans.push(Span::styled(" READ-ONLY ", t.badge()));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if used + clock.len() <= width {
            break;
        }
    }
    clock_right(f, area, spans, clock, base);
}

/// Draws the header row: `spans`, then `clock` against the right edge.
fn clock_right(
    f: &mut Frame,
    area: Rect,
    mut spans: Vec<Span>,
    clock: String,
    base: ratatui::style::Style,
) {
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        " ".repeat(usize::from(area.width).saturating_sub(used + clock.len())),
        base,
    ));
    spans.push(Span::styled(clock, base));
    f.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

fn render_header(
    f: &mut Frame,
    area: Rect,
    part: &crate::fresh::store::Part,
    view: &View,
    ctx: &Ctx,
) {
    let snap = &part.snap;
    let base = ctx.theme.header();
    let clock = ctx.now.format(" %H:%M:%S UTC ").to_string();
    let width = area.width as usize;
    // Shorter forms until it fits next to the clock: full, short ages, no profile.
    let mut spans = Vec::new();
    for compact in 0..3 {
        spans = header_spans(part, view, ctx, compact);
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if used + clock.len() <= width {
            break;
        }
    }
    // The caller ARN goes after the account when the row has room for it.
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if let Some(arn) = snap.identity.get().and_then(|i| i.caller_arn.as_deref()) {
        let arn = crate::ui::safe_fit(arn, 60);
        if width.saturating_sub(used + clock.len()) > arn.chars().count() + 6 {
            let at = spans.len().min(ARN_SLOT);
            spans.insert(at, Span::styled(format!(" · {arn}"), base));
        }
    }
    clock_right(f, area, spans, clock, base);
}

/// Where the caller ARN is inserted: after the nine identity spans (name, badge, gap, account
/// label and value, separator, region, profile label and value).
const ARN_SLOT: usize = 9;

fn header_spans<'a>(
    part: &'a crate::fresh::store::Part,
    view: &View,
    ctx: &Ctx,
    compact: u8,
) -> Vec<Span<'a>> {
    let snap = &part.snap;
    let t = ctx.theme;
    let base = t.header();
    let mut spans = vec![Span::styled(
        " fhtop ",
        base.add_modifier(ratatui::style::Modifier::BOLD),
    )];
    match snap.identity.get() {
        Some(id) => {
            spans.push(Span::styled(if id.demo { " DEMO " } else { "" }, t.badge()));
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                if compact < 2 { "account " } else { "" },
                base,
            ));
            spans.push(crate::ui::safe(&id.account, base));
            spans.push(Span::styled(" · ", base));
            spans.push(crate::ui::safe(&id.region, base));
            if let (Some(p), true) = (&id.profile, compact < 2) {
                spans.push(Span::styled(" · profile ", base));
                spans.push(crate::ui::safe(p, base));
            } else {
                spans.push(Span::styled("", base));
                spans.push(Span::styled("", base));
            }
        }
        None => spans.push(Span::styled("connecting…", base)),
    }
    spans.push(Span::styled("  ", base));
    if snap.oldest_fetch().is_none() {
        spans.push(Span::styled("waiting for first poll", base));
    } else {
        let ages: Vec<String> = [
            ("metrics", snap.metrics.fetched_at),
            ("alarms", snap.alarms.fetched_at),
            ("inventory", snap.inventory.fetched_at),
        ]
        .into_iter()
        .map(|(n, t0)| {
            let mut age = t0.map_or("–".into(), |t0| fmt::age(ctx.now, t0));
            // A warm start's inventory is marked until the fresh walk replaces it.
            if n == "inventory" && snap.inventory.cached {
                age.push_str(" cached");
            }
            if compact == 0 {
                format!("{n} {age}")
            } else {
                age
            }
        })
        .collect();
        spans.push(Span::styled(
            if compact == 0 {
                format!("age: {}", ages.join(" · "))
            } else {
                format!("age m/a/i {}", ages.join("/"))
            },
            base,
        ));
    }
    // The progressive walk: how much of the inventory is still being read.
    if let Some(inv) = snap.inventory.get() {
        let ((s, st), (r, rt)) = inv.inv.reading();
        if s + r > 0 {
            let rules = match inv.inv.rules_listing() {
                true => "rules being listed".to_string(),
                false => format!("{}/{rt} rules", rt.saturating_sub(r)),
            };
            let text = match compact {
                0 => format!(
                    "  described {}/{st} streams · {rules}",
                    st.saturating_sub(s)
                ),
                _ => format!("  described {}/{st}", st.saturating_sub(s)),
            };
            spans.push(Span::styled(text, base));
        }
        // Rows still without their triage metrics (health needs them; the walk's ListMetrics
        // lets rows not described yet have them too).
        let (with, of) = snap.triage_fetched();
        if with < of {
            spans.push(Span::styled(
                if compact == 0 {
                    format!("  triage metrics {with}/{of} rows")
                } else {
                    format!("  triage {with}/{of}")
                },
                base,
            ));
        }
        // A large account's short first window, while its history loads.
        if let (Some(h), Some(m)) = (snap.history, snap.metrics.get()) {
            let short = crate::model::window_label(m.window.minutes());
            let whole = crate::model::window_label(h.minutes);
            spans.push(Span::styled(
                if compact == 0 {
                    format!(
                        "  metrics: last {short}, {whole} history {}/{}",
                        fmt::count(h.done as f64),
                        fmt::count(h.of as f64)
                    )
                } else {
                    format!(
                        "  {short}; {whole} {}/{}",
                        fmt::count(h.done as f64),
                        fmt::count(h.of as f64)
                    )
                },
                base,
            ));
        }
    }
    let off = snap.features_off();
    // On a narrow screen a missing permission matters more than the call rate.
    if let Some(api) = snap.api.get().filter(|_| compact < 2 || off.is_empty()) {
        let per_min: u64 = api.ops.iter().map(|o| o.1).sum();
        spans.push(Span::styled(format!("  API {per_min}/min"), base));
    }
    if let Some((perm, feature)) = off.first() {
        // A permission fhtop's role lacks: which feature is off and what turns it on.
        spans.push(Span::styled("  ", base));
        let more = if off.len() > 1 {
            format!(" +{} more (API cost pane)", off.len() - 1)
        } else {
            String::new()
        };
        let text = if compact == 0 {
            format!(" OFF {}: add {perm}{more} ", crate::text::fit(feature, 40))
        } else {
            format!(" OFF: add {perm} ")
        };
        spans.push(Span::styled(
            text,
            t.stale()
                .patch(base.remove_modifier(ratatui::style::Modifier::BOLD)),
        ));
    } else if let Some((name, e)) = snap.stale_sections().first() {
        spans.push(Span::styled("  ", base));
        spans.push(Span::styled(
            format!(" STALE {name}: {} ", crate::ui::safe_fit(&e.message, 40)),
            t.stale()
                .patch(base.remove_modifier(ratatui::style::Modifier::BOLD)),
        ));
    }
    if view.production(part) {
        spans.push(Span::styled("  ", base));
        spans.push(Span::styled(" PRODUCTION ", t.production()));
    }
    if view.read_only {
        spans.push(Span::styled("  ", base));
        spans.push(Span::styled(" READ-ONLY ", t.badge()));
    }
    spans
}

fn render_tabs(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let firing: usize = w
        .parts()
        .iter()
        .enumerate()
        .filter(|(i, _)| view.only.is_none_or(|o| o == *i))
        .filter_map(|(_, p)| p.snap.alarms.get())
        .map(|a| a.iter().filter(|a| a.state == AlarmState::Alarm).count())
        .sum();
    let keys = [
        Action::PanePipelines,
        Action::PaneStreams,
        Action::PaneRules,
        Action::PaneAlarms,
        Action::PaneLogs,
        Action::PaneAppLog,
        Action::PaneCost,
    ];
    // The widest tab bar that fits: labels padded and spaced apart, then side by side, then
    // short titles, then unpadded (at 80 columns "7 API cost" is whole once the gaps go).
    let tabs = |pad: &'static str, gap: &'static str, short: bool| {
        let mut spans = Vec::new();
        for (i, (p, a)) in Pane::ALL.iter().zip(keys).enumerate() {
            let title = if short { p.short_title() } else { p.title() };
            let label = format!("{pad}{} {title}{pad}", ctx.keymap.first_label(a));
            let style = if *p == view.pane && view.detail.is_none() {
                t.selection()
            } else {
                t.text()
            };
            spans.push(Span::styled(label, style));
            if *p == Pane::Alarms && firing > 0 {
                // Unpadded, the count keeps a column from its title; side by side, one from
                // the next tab.
                let before = if pad.is_empty() { " " } else { "" };
                let after = if gap.is_empty() { " " } else { "" };
                spans.push(Span::styled(format!("{before}✖{firing}{after}"), t.fail()));
            }
            // No gap after the last tab: it would cost a column that shows nothing.
            if i + 1 < Pane::ALL.len() {
                spans.push(Span::raw(gap));
            }
        }
        spans
    };
    let fits = |spans: &[Span]| Line::from(spans.to_vec()).width() <= usize::from(area.width);
    let mut spans = Vec::new();
    for (pad, gap, short) in [
        (" ", " ", false),
        (" ", "", false),
        (" ", "", true),
        ("", " ", true),
    ] {
        spans = tabs(pad, gap, short);
        if fits(&spans) {
            break;
        }
    }
    if let Some(d) = &view.detail {
        if w.is_several() {
            spans.push(Span::styled(
                format!(" › {}", crate::ui::safe_fit(&w.part(view.ctx).name, 24)),
                t.title(),
            ));
        }
        let what = match d {
            Detail::Stream(s) => format!(" › stream {}", crate::ui::safe_fit(s, 60)),
            Detail::Rule(r) => format!(" › rule {}", crate::ui::safe_fit(&r.to_string(), 60)),
        };
        spans.push(Span::styled(what, t.title()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn key_hint<'a>(ctx: &Ctx, a: Action, what: &'a str) -> [Span<'a>; 2] {
    [
        Span::styled(ctx.keymap.label(a), ctx.theme.title()),
        Span::styled(format!(" {what}  "), ctx.theme.dim()),
    ]
}

fn render_footer(f: &mut Frame, area: Rect, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let mut spans: Vec<Span> = Vec::new();
    if let Some(st) = &view.status {
        spans.push(Span::styled(
            format!(
                "{} {}  ",
                st.level.mark(),
                crate::text::sanitize::clean(&st.text)
            ),
            t.level(st.level),
        ));
    }
    if view.confirm.is_some() || view.recover_confirm.is_some() {
        spans.extend(key_hint(ctx, Action::Confirm, "confirm"));
        spans.extend(key_hint(ctx, Action::Cancel, "cancel"));
    } else if view.help {
        spans.extend(key_hint(ctx, Action::Help, "close help"));
        spans.extend(key_hint(ctx, Action::Back, "close help"));
    } else if view.sim_form.is_some() {
        spans.push(Span::styled(
            "Tab next field · Enter simulate · Esc cancel",
            t.dim(),
        ));
    } else if view.failed.as_ref().is_some_and(|fv| fv.open) {
        spans.extend(key_hint(ctx, Action::Down, "scroll"));
        spans.extend(key_hint(ctx, Action::Back, "back to the list"));
    } else if view.failed.is_some() {
        spans.extend(key_hint(ctx, Action::Down, "pick a record"));
        spans.extend(key_hint(ctx, Action::DrillIn, "open it"));
        spans.extend(key_hint(ctx, Action::Back, "close"));
    } else if view.tester.is_some() {
        spans.extend(key_hint(ctx, Action::Down, "pick a sample"));
        spans.push(Span::styled("paste an event  ", t.dim()));
        spans.extend(key_hint(ctx, Action::Back, "close"));
    } else if let Some(o) = &view.overlay {
        for (a, what) in panes::recover::hints(o) {
            spans.extend(key_hint(ctx, a, what));
        }
        spans.extend(key_hint(ctx, Action::Down, "scroll"));
        spans.extend(key_hint(ctx, Action::Back, "close"));
    } else if let Some(line) = &view.command {
        spans.push(Span::styled(":", t.title()));
        spans.push(Span::styled(
            format!("{}▏", crate::text::sanitize::clean(line)),
            t.text(),
        ));
        spans.push(Span::styled(
            "  Tab complete · Enter run · Esc cancel",
            t.dim(),
        ));
    } else if view.editing_filter {
        let filter = view
            .list(view.pane)
            .map(|l| l.filter.as_str())
            .unwrap_or("");
        spans.push(Span::styled("filter: ", t.title()));
        spans.push(Span::styled(format!("{filter}▏"), t.text()));
        spans.push(Span::styled("  Enter keep · Esc clear", t.dim()));
    } else {
        if view.detail.is_some() {
            spans.extend(key_hint(ctx, Action::Back, "back"));
            spans.extend(key_hint(ctx, Action::Simulate, "perms"));
            spans.extend(key_hint(ctx, Action::Checks, "checks"));
        } else if view.pane == Pane::Logs {
            spans.extend(key_hint(ctx, Action::Up, "scroll"));
            let follow = if view.follow {
                "follow: on"
            } else {
                "follow: off"
            };
            spans.extend(key_hint(ctx, Action::Follow, follow));
            spans.extend(key_hint(ctx, Action::DrillIn, "open event"));
        } else if !matches!(view.pane, Pane::AppLog | Pane::Cost) {
            spans.extend(key_hint(ctx, Action::Down, "move"));
            spans.extend(key_hint(ctx, Action::DrillIn, "details"));
            spans.extend(key_hint(ctx, Action::Filter, "filter"));
            if matches!(view.pane, Pane::Pipelines | Pane::Streams | Pane::Rules) {
                spans.extend(key_hint(ctx, Action::Simulate, "perms"));
                spans.extend(key_hint(ctx, Action::Checks, "checks"));
            }
            if let Some(l) = view.list(view.pane).filter(|l| !l.filter.is_empty()) {
                spans.push(Span::styled(format!("[filter: {}] ", l.filter), t.warn()));
                spans.extend(key_hint(ctx, Action::Back, "clear"));
            }
        }
        spans.extend(key_hint(ctx, Action::NextPane, "pane"));
        spans.extend(key_hint(ctx, Action::Refresh, "refresh"));
        spans.extend(key_hint(ctx, Action::Help, "help"));
        spans.extend(key_hint(ctx, Action::Quit, "quit"));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
