//! One render function per pane.

pub mod alarms;
pub mod applog;
pub mod context;
pub mod detail;
pub mod help;
pub mod logs;
pub mod pipelines;
pub mod rules;
pub mod streams;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use crate::health::Level;
use crate::ui::render::Ctx;

/// A right-aligned cell (numbers).
pub fn num<'a>(s: String) -> Cell<'a> {
    Cell::from(Line::from(s).alignment(Alignment::Right))
}

pub fn health_cell<'a>(ctx: &Ctx, l: Level) -> Cell<'a> {
    Cell::from(Span::styled(
        format!("{} {}", l.mark(), l.word()),
        ctx.theme.level(l),
    ))
}

/// What a list pane hands to [`table`].
pub struct TableSpec<'a> {
    pub header: &'a [&'a str],
    pub widths: Vec<Constraint>,
    pub rows: Vec<Row<'a>>,
    pub selected: Option<usize>,
    /// Shown instead of the table when there are no rows.
    pub empty: &'a str,
}

/// A table with a header row and the selected row highlighted and kept in view.
pub fn table(f: &mut Frame, area: Rect, block: Block, spec: TableSpec, ctx: &Ctx) {
    let TableSpec {
        header,
        widths,
        rows,
        selected,
        empty,
    } = spec;
    if rows.is_empty() {
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            Paragraph::new(empty.to_string()).style(ctx.theme.dim()),
            inner,
        );
        return;
    }
    let header =
        Row::new(header.iter().map(|h| Cell::from(h.to_string()))).style(ctx.theme.title());
    let t = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(ctx.theme.selection());
    let mut state = TableState::default().with_selected(selected);
    f.render_stateful_widget(t, area, &mut state);
}

/// Sum of fixed widths plus spacing, to size the last (flexible) column.
pub fn rest_width(area: Rect, fixed: &[u16]) -> usize {
    let inner = area.width.saturating_sub(2) as usize;
    let used: usize = fixed.iter().map(|w| *w as usize + 1).sum();
    inner.saturating_sub(used).max(1)
}

/// A right-aligned, styled cell.
pub fn num_styled<'a>(s: String, style: ratatui::style::Style) -> Cell<'a> {
    Cell::from(Line::from(Span::styled(s, style)).alignment(Alignment::Right))
}
