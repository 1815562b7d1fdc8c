//! The result overlay (`p` permission simulations, `c` checks) and the custom simulation
//! dialog (`P`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::judge::iam::Tone;
use crate::ui::chrome::{Ctx, title};
use crate::ui::keymap::Action;
use crate::ui::safe_owned;
use crate::ui::view::{Overlay, SimForm};

/// The result overlay: a simulation's reports or a check run's findings, scrolled.
pub fn render(f: &mut Frame, area: Rect, pv: &Overlay, ctx: &Ctx) {
    let t = ctx.theme;
    let lines: Vec<Line> = match &pv.lines {
        None => vec![Line::from(Span::styled(
            format!("  {}", pv.pending),
            t.dim(),
        ))],
        Some(lines) => lines
            .iter()
            .map(|(tone, text)| {
                let style = match tone {
                    Tone::Heading(l) => t.level(*l).add_modifier(ratatui::style::Modifier::BOLD),
                    Tone::Row(l) => t.level(*l),
                    Tone::Field => t.title(),
                    Tone::Code => t.text(),
                    Tone::Note => t.dim(),
                };
                Line::from(safe_owned(text, style))
            })
            .collect(),
    };
    // Long lines (ARNs, the confirming AWS CLI commands) wrap rather than being cut: they are
    // meant to be read whole and copied.
    let inner_h = area.height.saturating_sub(4) as usize;
    let inner_w = area.width.saturating_sub(6).max(1) as usize;
    // Rows as wrapped (word by word, as the paragraph wraps): the last line stays reachable.
    let rows: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            textwrap::wrap(&text, inner_w).len().max(1)
        })
        .sum();
    let scroll = pv.scroll.min(rows.saturating_sub(inner_h));
    let mut hint = format!(
        "{}/{} scroll · {} closes",
        ctx.keymap.label(Action::Down),
        ctx.keymap.label(Action::Up),
        ctx.keymap.label(Action::Back)
    );
    for (a, what) in super::recover::hints(pv).into_iter().rev() {
        hint = format!("{} {what} · {hint}", ctx.keymap.label(a));
    }
    let rect = super::overlay_rect(area);
    let block = ctx.block(
        crate::ui::chrome::title_within(ctx, &pv.title, hint, rect.width),
        true,
    );
    f.render_widget(ratatui::widgets::Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(block),
        rect,
    );
}

/// The custom simulation dialog.
pub fn form(f: &mut Frame, area: Rect, form: &SimForm, ctx: &Ctx) {
    let t = ctx.theme;
    let field_w = area.width.saturating_sub(24).clamp(10, 96) as usize;
    let mut lines = vec![Line::default()];
    for (i, label) in SimForm::LABELS.iter().enumerate() {
        let focused = i == form.focus;
        let value = &form.fields[i];
        // Show the end of a long value: that is where the cursor is.
        let shown: String = {
            let n = value.chars().count();
            value.chars().skip(n.saturating_sub(field_w - 1)).collect()
        };
        let mut spans = vec![Span::styled(
            format!("  {} {:<14}", if focused { "▸" } else { " " }, label),
            if focused { t.title() } else { t.dim() },
        )];
        if value.is_empty() && !focused {
            spans.push(Span::styled(SimForm::HINTS[i], t.dim()));
        } else {
            spans.push(safe_owned(&shown, t.text()));
            if focused {
                spans.push(Span::styled("▏", t.title()));
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(format!("  {e}"), t.warn())));
    }
    lines.push(Line::from(vec![
        Span::styled("  Tab ", t.title()),
        Span::styled("next field   ", t.text()),
        Span::styled("Enter ", t.title()),
        Span::styled("simulate   ", t.text()),
        Span::styled("Esc ", t.title()),
        Span::styled("cancel", t.text()),
    ]));
    let block = ctx.block(
        title(
            ctx,
            format!(
                "Custom permission simulation{}",
                crate::text::sanitize::clean(&form.context)
            ),
            String::new(),
        ),
        true,
    );
    crate::ui::panes::help::popup(f, area, (field_w + 20) as u16, lines, block);
}
