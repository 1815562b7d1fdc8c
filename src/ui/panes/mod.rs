//! One render function per pane.

pub mod alarms;
pub mod applog;
pub mod context;
pub mod cost;
pub mod detail;
pub mod failed;
pub mod help;
pub mod logs;
pub mod pattern;
pub mod perms;
pub mod pipelines;
pub mod recover;
pub mod rules;
pub mod streams;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use crate::fresh::store::{Merged, SectionError, Snapshot};
use crate::judge::health::Level;
use crate::ui::chrome::Ctx;
use crate::ui::view::View;

/// A right-aligned cell (numbers).
pub fn num<'a>(s: String) -> Cell<'a> {
    Cell::from(Line::from(s).alignment(Alignment::Right))
}

/// A health cell: mark and word ("● OK", "✖ FAIL") in the level's colour.
pub fn health_cell<'a>(ctx: &Ctx, l: Level) -> Cell<'a> {
    Cell::from(Span::styled(
        format!("{} {}", l.mark(), l.word()),
        ctx.theme.level(l),
    ))
}

/// A table column: header, width (0 = flexible: takes what is left, at least [`FLEX_MIN`]) and
/// priority (0 = always shown; higher numbers go first when the terminal is narrow).
#[derive(Debug, Clone, Copy)]
pub struct Col(pub &'static str, pub u16, pub u8);

/// The column a list pane gains after its first when several contexts are watched: the
/// row's context name, as wide as the longest name (8–24 columns; always shown: rows of two
/// contexts may be otherwise alike).
pub fn context_col(w: &Merged) -> Col {
    let longest = w
        .parts()
        .iter()
        .map(|p| p.name.chars().count() + 2)
        .max()
        .unwrap_or(0);
    Col(
        "CONTEXT",
        u16::try_from(longest.clamp(8, 24)).unwrap_or(24),
        0,
    )
}

/// The columns of a list pane: `cols`, with [`context_col`] after the first when `w` has
/// several contexts (it shrinks away with one).
pub fn columns(cols: &[Col], w: &Merged) -> Vec<Col> {
    let mut v = cols.to_vec();
    if w.is_several() {
        v.insert(1.min(v.len()), context_col(w));
    }
    v
}

/// A row's cells (one per column of the pane's own list) with its context's cell after the
/// first when `w` has several contexts: the context's name, a production context's as
/// "⚑ NAME" in the theme's production colours.
pub fn in_context<'a>(
    mut cells: Vec<Cell<'a>>,
    w: &Merged,
    view: &View,
    i: usize,
    ctx: &Ctx,
) -> Vec<Cell<'a>> {
    if !w.is_several() {
        return cells;
    }
    let part = w.part(i);
    let width = usize::from(context_col(w).1);
    let cell = if view.production(part) {
        Cell::from(Span::styled(
            crate::ui::safe_fit_name(&format!("⚑ {}", part.name), width),
            ctx.theme.production(),
        ))
    } else {
        Cell::from(Span::styled(
            crate::ui::safe_fit_name(&part.name, width),
            ctx.theme.dim(),
        ))
    };
    cells.insert(1.min(cells.len()), cell);
    cells
}

/// The contexts a list pane shows: every one, or the `:ctx` one.
pub fn shown<'a>(
    w: &'a Merged,
    view: &View,
) -> impl Iterator<Item = &'a crate::fresh::store::Part> {
    w.parts()
        .iter()
        .enumerate()
        .filter(move |(i, _)| view.only.is_none_or(|o| o == *i))
        .map(|(_, p)| p)
}

/// What a list pane says instead of rows when a shown context has no `section` yet: with one
/// context shown, its loading / error note; with several, none until every one lacks it
/// (the header slot of a context without data says why). `None` when there is data to show.
pub fn no_data(
    ctx: &Ctx,
    w: &Merged,
    view: &View,
    section: impl Fn(&Snapshot) -> (bool, Option<&SectionError>),
) -> Option<String> {
    let parts: Vec<&crate::fresh::store::Part> = shown(w, view).collect();
    if parts.iter().any(|p| section(&p.snap).0) {
        return None;
    }
    let first = parts.first()?;
    let (_, err) = section(&first.snap);
    let (msg, _) = crate::ui::chrome::staleness(ctx, None, err);
    Some(if w.is_several() {
        format!("{}: {msg}", crate::ui::safe_fit(&first.name, 24))
    } else {
        msg
    })
}

/// A list pane's stale / loading note for one section over every context: with one context,
/// [`crate::ui::chrome::staleness`] of it; with several, the first context whose section is
/// stale or not read, named ("team: stale 2m · …"), else nothing (each context's age is in
/// the header).
pub fn merged_staleness(
    ctx: &Ctx,
    w: &Merged,
    section: impl Fn(&Snapshot) -> (Option<chrono::DateTime<chrono::Utc>>, Option<&SectionError>),
) -> String {
    if !w.is_several() {
        let (f, e) = section(w.snap(0));
        return crate::ui::chrome::staleness(ctx, f, e).0;
    }
    w.parts()
        .iter()
        .find_map(|p| {
            let (f, e) = section(&p.snap);
            let (note, _) = crate::ui::chrome::staleness(ctx, f, e);
            (!note.is_empty()).then(|| format!("{}: {note}", crate::ui::safe_fit(&p.name, 24)))
        })
        .unwrap_or_default()
}

/// Least width, in columns, of the flexible column.
pub const FLEX_MIN: u16 = 10;

/// The columns that fit a width, in display order.
pub struct Fitted {
    keep: Vec<usize>,
    /// Width of the flexible column, when it is shown.
    pub flex: usize,
}

/// Keep columns by priority until the width is used up, so an 80-column SSH session shows the
/// essentials whole instead of every column squashed.
pub fn fit_columns(cols: &[Col], area: Rect) -> Fitted {
    let avail = area.width.saturating_sub(2) as usize;
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|&i| (cols[i].2, i));
    let mut used = 0usize;
    let mut keep = Vec::new();
    for i in order {
        let w = if cols[i].1 == 0 { FLEX_MIN } else { cols[i].1 } as usize + 1;
        if used + w <= avail + 1 || cols[i].2 == 0 {
            used += w;
            keep.push(i);
        }
    }
    keep.sort_unstable();
    let fixed: usize = keep
        .iter()
        .filter(|&&i| cols[i].1 > 0)
        .map(|&i| cols[i].1 as usize + 1)
        .sum();
    Fitted {
        flex: avail.saturating_sub(fixed).max(1),
        keep,
    }
}

impl Fitted {
    /// The headers of the kept columns.
    pub fn header(&self, cols: &[Col]) -> Vec<&'static str> {
        self.keep.iter().map(|&i| cols[i].0).collect()
    }
    /// The widths of the kept columns (`Length` for fixed, `Min(1)` for the flexible one).
    pub fn widths(&self, cols: &[Col]) -> Vec<Constraint> {
        self.keep
            .iter()
            .map(|&i| match cols[i].1 {
                0 => Constraint::Min(1),
                w => Constraint::Length(w),
            })
            .collect()
    }
    /// The table of a list pane: the kept columns' headers and widths, the rows, the selected
    /// row and what to say when there are none.
    pub fn spec<'a>(
        &self,
        cols: &[Col],
        rows: Vec<Row<'a>>,
        selected: Option<usize>,
        empty: &'a str,
    ) -> TableSpec<'a> {
        TableSpec {
            header: self.header(cols),
            widths: self.widths(cols),
            rows,
            selected,
            empty,
        }
    }

    /// The row made of the kept cells (`cells` has one per column).
    pub fn row<'a>(&self, cells: Vec<Cell<'a>>) -> Row<'a> {
        Row::new(
            cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| self.keep.contains(i))
                .map(|(_, c)| c),
        )
    }
}

/// What a list pane hands to [`table`].
pub struct TableSpec<'a> {
    /// Column headers, one per kept column.
    pub header: Vec<&'static str>,
    /// Column widths, one per kept column.
    pub widths: Vec<Constraint>,
    /// The table rows, in display order.
    pub rows: Vec<Row<'a>>,
    /// The selected row's index among `rows`, if any.
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

/// A right-aligned, styled cell.
pub fn num_styled<'a>(s: String, style: ratatui::style::Style) -> Cell<'a> {
    Cell::from(Line::from(Span::styled(s, style)).alignment(Alignment::Right))
}

/// A row for a part of the inventory the backend could not read: `✖ ERR` for a stream or rule
/// that could not be described, `? ERR` for a listing (a bus, all streams) that hides an unknown
/// number of them; what it is in column `name_col`, what failed and why in column `msg_col`,
/// dashes elsewhere. The context strip shows the message whole.
pub fn error_row<'a>(
    ctx: &Ctx,
    fitted: &Fitted,
    ncols: usize,
    cols: (usize, usize),
    err: &crate::model::InventoryError,
) -> Row<'a> {
    fitted.row(error_cells(ctx, ncols, cols, err))
}

/// The cells of an [`error_row`], for a pane that fills some of them in.
pub fn error_cells<'a>(
    ctx: &Ctx,
    ncols: usize,
    (name_col, msg_col): (usize, usize),
    err: &crate::model::InventoryError,
) -> Vec<Cell<'a>> {
    let t = ctx.theme;
    let (mark, style) = if err.loading {
        // Listed, not described yet: the progressive walk fills it in.
        ("… read", t.dim())
    } else if err.is_one_resource() {
        ("✖ ERR", t.fail())
    } else {
        ("? ERR", t.level(crate::judge::health::Level::Unknown))
    };
    (0..ncols)
        .map(|c| match c {
            0 => Cell::from(Span::styled(mark, style)),
            c if c == name_col => Cell::from(Span::styled(
                crate::ui::safe_fit_name(&err.label(), 40),
                style,
            )),
            c if c == msg_col => Cell::from(Span::styled(
                crate::ui::safe_fit(&format!("{}: {}", err.what_failed(), err.explained()), 200),
                style,
            )),
            _ => Cell::from(Span::styled("–", t.dim())),
        })
        .collect()
}

/// The answer of background work shown in `area` (the pattern tester's samples, the failed
/// records): `None` after drawing `pending` (dim) while it has not arrived, or
/// `"{failed}: {error}"` (UNKNOWN) when it failed; the answer otherwise, for the caller to draw.
pub(crate) fn answered<'a, T>(
    f: &mut Frame,
    area: Rect,
    report: &'a Option<Result<T, String>>,
    pending: &str,
    failed: &str,
    ctx: &Ctx,
) -> Option<&'a T> {
    let t = ctx.theme;
    match report {
        None => {
            f.render_widget(Paragraph::new(pending.to_string()).style(t.dim()), area);
            None
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(format!("{failed}: {}", crate::text::sanitize::clean(e)))
                    .style(t.level(Level::Unknown))
                    .wrap(ratatui::widgets::Wrap { trim: false }),
                area,
            );
            None
        }
        Some(Ok(r)) => Some(r),
    }
}

/// The rectangle of a full-screen overlay over `area`: two columns in from each side and one
/// row in from the top and bottom, centred.
pub fn overlay_rect(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).max(1);
    let h = area.height.saturating_sub(2).max(1);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
