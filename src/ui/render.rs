//! The frame: header, pane tabs, the focused pane (or a drill-in), the context strip, the
//! footer, and the help overlay. A pure function of (snapshot, view, context).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::fresh::store::Merged;
use crate::model::AlarmState;
pub use crate::ui::chrome::{Ctx, staleness, title};
use crate::ui::header::{render_header, render_header_many};
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
