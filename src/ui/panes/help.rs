//! The `?` overlay: every binding, read from the live keymap (so rebinding shows here), and
//! what the marks mean.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::judge::health::Level;
use crate::ui::chrome::{Ctx, title};
use crate::ui::keymap::Action;

/// Draws the help overlay (`?`): every action with its current keys, and the health marks.
pub fn render(f: &mut Frame, area: Rect, scroll: usize, ctx: &Ctx) {
    let t = ctx.theme;
    let mut lines: Vec<Line> = Vec::new();
    for a in Action::ALL {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", ctx.keymap.label(a)), t.title()),
            Span::styled(a.describe(), t.text()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<18}", "Ctrl-C"), t.title()),
        Span::styled("quit, always", t.text()),
    ]));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!(
            "  Commands ({} then Enter; Tab completes)",
            ctx.keymap.label(Action::Command)
        ),
        t.dim(),
    )));
    for (c, what) in crate::ui::command::COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("  :{c:<17}"), t.title()),
            Span::styled(*what, t.text()),
        ]));
    }
    lines.push(Line::default());
    let mut marks = vec![Span::styled("  Health  ", t.dim())];
    for l in [Level::Ok, Level::Warn, Level::Fail, Level::Unknown] {
        marks.push(Span::styled(
            format!("{} {}   ", l.mark(), l.word()),
            t.level(l),
        ));
    }
    lines.push(Line::from(marks));
    lines.push(Line::from(Span::styled(
        "  Trends: the chart window ([ ] 1h…3d) squeezed into the column; ▁ zero; blank no data.",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "  Counts are sums over the last 5 minutes. ⚙ = rule managed by an AWS service.",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "  Metrics: rows on screen and failing rows every poll, the rest within 10 min.",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "  … read = not described yet: health undecided, figures from its own metrics.",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "  ENABLED+CT = ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (rule detail: Enter)",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "  Keys are rebindable in the [keys] table of the config file (fhtop config).",
        t.dim(),
    )));
    // Taller than the terminal (24 lines): j/k scroll it, and the title says so.
    let room = usize::from(area.height.saturating_sub(2));
    let scroll = scroll.min(lines.len().saturating_sub(room));
    let hint = if lines.len() > room {
        format!(
            "j/k scroll ({}/{}) · ? or Esc closes",
            scroll + room,
            lines.len()
        )
    } else {
        "? or Esc closes".to_string()
    };
    let block = ctx.block(title(ctx, "Help".into(), hint), true);
    let lines: Vec<Line> = lines.into_iter().skip(scroll).collect();
    popup(f, area, 84, lines, block);
}

/// `lines` in `block`, `width` columns wide and as tall as the lines, centred over `area`.
pub(crate) fn popup(
    f: &mut Frame,
    area: Rect,
    width: u16,
    lines: Vec<Line>,
    block: ratatui::widgets::Block,
) {
    let h = (lines.len() as u16 + 2).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

/// A dialog's last line: `y` `yes` · `n` / `Esc` `no`, in the keys the keymap binds.
pub(crate) fn confirm_keys(ctx: &Ctx, yes: &str, no: &str) -> Line<'static> {
    let t = ctx.theme;
    Line::from(vec![
        Span::styled(
            format!("  {} ", ctx.keymap.label(Action::Confirm)),
            t.title(),
        ),
        Span::styled(format!("{yes}   "), t.text()),
        Span::styled(
            format!(
                "{} / {} ",
                ctx.keymap.label(Action::Cancel),
                ctx.keymap.label(Action::Back)
            ),
            t.title(),
        ),
        Span::styled(no.to_string(), t.text()),
    ])
}

/// The confirmation of a rule change: account, region, bus, rule, current → new state, and the
/// streams it feeds.
pub fn confirm(f: &mut Frame, area: Rect, p: &crate::ui::view::PendingToggle, ctx: &Ctx) {
    let t = ctx.theme;
    let verb = if p.enable { "Enable" } else { "Disable" };
    let width: u16 = 84;
    let row = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<10}"), t.dim()),
            Span::styled(crate::text::sanitize::clean(&v).into_owned(), t.text()),
        ])
    };
    let mut lines = vec![Line::default()];
    if p.production {
        // Before anything else: where this change lands.
        let context = if p.context.is_empty() {
            String::new()
        } else {
            format!("context {} · ", crate::text::sanitize::clean(&p.context))
        };
        lines.push(Line::from(Span::styled(
            format!(
                "  PRODUCTION · {context}profile {} · account {} · {}",
                crate::text::sanitize::clean(&p.profile),
                crate::text::sanitize::clean(&p.account),
                crate::text::sanitize::clean(&p.region)
            ),
            t.production(),
        )));
        lines.push(Line::default());
    }
    if !p.context.is_empty() {
        // Several contexts are watched: which one the change lands in comes first.
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<10}", "context"), t.dim()),
            Span::styled(
                crate::text::sanitize::clean(&p.context).into_owned(),
                if p.production {
                    t.production()
                } else {
                    t.title()
                },
            ),
        ]));
    }
    lines.extend([
        row("profile", p.profile.clone()),
        row("account", p.account.clone()),
        row("region", p.region.clone()),
        row("bus", p.key.bus.clone()),
        row("rule", p.key.name.clone()),
        Line::from(vec![
            Span::styled(format!("  {:<10}", "state"), t.dim()),
            Span::styled(crate::text::sanitize::clean(&p.from).into_owned(), t.text()),
            Span::styled(" → ", t.dim()),
            Span::styled(
                crate::text::sanitize::clean(&p.to).into_owned(),
                if p.enable { t.ok() } else { t.warn() },
            ),
        ]),
        row(
            "feeds",
            if p.streams.is_empty() {
                "no delivery stream".into()
            } else {
                p.streams.join(", ")
            },
        ),
    ]);
    if let Some(note) = &p.note {
        lines.push(Line::default());
        for l in textwrap::wrap(&crate::text::sanitize::clean(note), usize::from(width) - 6) {
            lines.push(Line::styled(format!("  {l}"), t.warn()));
        }
    }
    lines.extend([
        Line::default(),
        confirm_keys(ctx, &format!("{verb} it"), "cancel"),
    ]);
    let block = ctx.block(
        title(
            ctx,
            format!(
                "{verb} rule {}?",
                crate::ui::safe_fit(&p.key.to_string(), 50)
            ),
            String::new(),
        ),
        true,
    );
    popup(f, area, width, lines, block);
}
