//! The permission-simulation overlay (`p`) and the custom simulation dialog (`P`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::iam::{Tone, report_lines};
use crate::ui::keymap::Action;
use crate::ui::render::{Ctx, title};
use crate::ui::view::{PermView, SimForm};
use crate::ui::{safe_fit, safe_owned};

/// Every report, one block each, scrolled by `pv.scroll`.
pub fn render(f: &mut Frame, area: Rect, pv: &PermView, ctx: &Ctx) {
    let t = ctx.theme;
    let mut lines: Vec<Line> = Vec::new();
    match &pv.reports {
        None => lines.push(Line::from(Span::styled(
            format!(
                "  simulating… ({} simulation{}; IAM answers in a few seconds)",
                pv.pending,
                if pv.pending == 1 { "" } else { "s" }
            ),
            t.dim(),
        ))),
        Some(reports) => {
            lines.push(Line::from(Span::styled(
                format!("  {}", crate::iam::tally(reports)),
                t.title(),
            )));
            for r in reports {
                lines.push(Line::default());
                for (tone, text) in report_lines(r) {
                    let style = match tone {
                        Tone::Heading(l) => t.level(l).add_modifier(ratatui::style::Modifier::BOLD),
                        Tone::Row(l) => t.level(l),
                        Tone::Field => t.text(),
                        Tone::Code => t.title(),
                        Tone::Note => t.dim(),
                    };
                    lines.push(Line::from(safe_owned(&text, style)));
                }
            }
        }
    }
    let inner_h = area.height.saturating_sub(4) as usize;
    let max_scroll = lines.len().saturating_sub(inner_h);
    let scroll = pv.scroll.min(max_scroll);
    let visible: Vec<Line> = lines.into_iter().skip(scroll).collect();
    let hint = format!(
        "{}/{} scroll · {} closes",
        ctx.keymap.label(Action::Down),
        ctx.keymap.label(Action::Up),
        ctx.keymap.label(Action::Back)
    );
    let block = ctx.block(
        title(
            ctx,
            format!("Permissions — {}", safe_fit(&pv.title, 60)),
            hint,
        ),
        true,
    );
    let w = area.width.saturating_sub(4).max(1);
    let h = area.height.saturating_sub(2).max(1);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(ratatui::widgets::Clear, rect);
    f.render_widget(Paragraph::new(visible).block(block), rect);
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
        title(ctx, "Custom permission simulation".into(), String::new()),
        true,
    );
    crate::ui::panes::help::popup(f, area, (field_w + 20) as u16, lines, block);
}
