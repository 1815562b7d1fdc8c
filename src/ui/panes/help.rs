//! The `?` overlay: every binding, read from the live keymap (so rebinding shows here), and
//! what the marks mean.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::health::Level;
use crate::ui::keymap::Action;
use crate::ui::render::{Ctx, title};

pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
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
    let mut marks = vec![Span::styled("  Health  ", t.dim())];
    for l in [Level::Ok, Level::Warn, Level::Fail, Level::Unknown] {
        marks.push(Span::styled(
            format!("{} {}   ", l.mark(), l.word()),
            t.level(l),
        ));
    }
    lines.push(Line::from(marks));
    lines.push(Line::from(Span::styled(
        "  Sparklines: 1 char = 1 min; ▁ = zero; blank = no datapoint (a gap).",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "  Counts are sums over the last 5 minutes. ⚙ = rule managed by an AWS service.",
        t.dim(),
    )));
    lines.push(Line::from(Span::styled(
        "  Keys are rebindable in the [keys] table of the config file (fhtop config).",
        t.dim(),
    )));
    let h = (lines.len() as u16 + 2).min(area.height);
    let w = 84.min(area.width);
    let [row] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(w)])
        .flex(Flex::Center)
        .areas(row);
    f.render_widget(Clear, rect);
    let block = ctx.block(title(ctx, "Help".into(), "? or Esc closes".into()), true);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}
