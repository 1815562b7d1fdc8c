//! App log: fhtop's own log (tui-logger, fed by `tracing`). Every message is sanitized by the
//! formatter, since poll errors quote AWS text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use tui_logger::{ExtLogRecord, LogFormatter, TuiLoggerWidget};

use crate::ui::chrome::{Ctx, title};

struct SafeFormatter {
    error: Style,
    warn: Style,
    info: Style,
    dim: Style,
}

impl LogFormatter for SafeFormatter {
    fn min_width(&self) -> u16 {
        1
    }
    fn format(&self, _width: usize, evt: &ExtLogRecord) -> Vec<Line<'_>> {
        let (word, style) = match evt.level {
            log::Level::Error => ("ERROR", self.error),
            log::Level::Warn => ("WARN ", self.warn),
            log::Level::Info => ("INFO ", self.info),
            _ => ("DEBUG", self.dim),
        };
        vec![Line::from(vec![
            Span::styled(evt.timestamp.strftime("%H:%M:%S ").to_string(), self.dim),
            Span::styled(format!("{word} "), style),
            Span::raw(crate::text::sanitize::clean(evt.msg()).into_owned()),
        ])]
    }
}

/// Draws the App log pane: fhtop's own tracing messages, sanitized.
pub fn render(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let block = ctx.block(
        title(
            ctx,
            "App log".into(),
            "fhtop's own events: polls, failures, recoveries".into(),
        ),
        true,
    );
    let w = TuiLoggerWidget::default()
        .block(block)
        .formatter(Box::new(SafeFormatter {
            error: t.fail(),
            warn: t.warn(),
            info: t.info(),
            dim: t.dim(),
        }));
    f.render_widget(w, area);
}
