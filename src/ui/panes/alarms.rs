//! Alarms: every CloudWatch alarm, firing first, with the stream or rule it watches.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Cell;

use super::{Col, columns, fit_columns, in_context, merged_staleness, no_data, table};
use crate::fresh::store::Merged;
use crate::model::AlarmState;
use crate::ui::chrome::{Ctx, title};
use crate::ui::fmt;
use crate::ui::view::{Pane, View, visible_rows};
use crate::ui::{safe_fit, safe_fit_name};

const COLS: [Col; 6] = [
    Col("STATE", 19, 0),
    Col("ALARM", 36, 0),
    Col("METRIC", 28, 2),
    Col("WATCHES", 30, 1),
    Col("SINCE", 7, 1),
    Col("REASON", 0, 3),
];

/// An alarm state as mark and word, in its level's colour: "✖ ALARM", "? INSUFFICIENT_DATA", "●
/// OK".
pub fn state_span<'a>(ctx: &Ctx, s: AlarmState) -> Span<'a> {
    let t = ctx.theme;
    match s {
        AlarmState::Alarm => Span::styled("✖ ALARM", t.fail()),
        AlarmState::InsufficientData => Span::styled("? INSUFFICIENT_DATA", t.warn()),
        AlarmState::Ok => Span::styled("● OK", t.ok()),
    }
}

/// Draws the Alarms pane: every alarm, worst state first, with what it watches and why.
pub fn render(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let ls = view.list(Pane::Alarms).cloned().unwrap_or_default();
    let es = view.rows(Pane::Alarms, w);
    let pos = ls.position(&es);
    // The area's height is more than the table's rows: enough rows, never too few.
    let vis = visible_rows(es.len(), pos, usize::from(area.height));
    let note = merged_staleness(ctx, w, |s| (s.alarms.fetched_at, s.alarms.error.as_ref()));
    let block = ctx.block(title(ctx, format!("Alarms ({})", es.len()), note), true);
    let no_alarms = no_data(ctx, w, view, |s| {
        (s.alarms.get().is_some(), s.alarms.error.as_ref())
    });
    let cols = columns(&COLS, w);
    let fitted = fit_columns(&cols, area);
    let reason_w = fitted.flex;
    let mut rows = Vec::new();
    {
        // Only the rows on screen are built: a frame costs the same for 10 rows or 10,000.
        for e in &es[vis.clone()] {
            let Some(a) = w
                .snap(e.target.ctx)
                .alarms
                .get()
                .and_then(|al| al.get(e.index))
            else {
                continue;
            };
            let watches = match (a.stream(), a.rule()) {
                (Some(s), _) => format!("stream {s}"),
                (None, Some(r)) => format!("rule {}/{r}", a.bus()),
                _ => "–".to_string(),
            };
            let metric = format!(
                "{} {}",
                a.metric.as_deref().unwrap_or("?"),
                match (&a.comparison, a.threshold) {
                    (Some(c), Some(th)) => format!("{} {th}", comparison_symbol(c)),
                    _ => String::new(),
                }
            );
            let cells = vec![
                Cell::from(state_span(ctx, a.state)),
                Cell::from(safe_fit_name(&a.name, COLS[1].1 as usize)),
                Cell::from(safe_fit(&metric, COLS[2].1 as usize)),
                Cell::from(safe_fit(&watches, COLS[3].1 as usize)),
                Cell::from(fmt::age(ctx.now, a.state_updated)),
                Cell::from(Span::styled(safe_fit(&a.reason, reason_w), ctx.theme.dim())),
            ];
            rows.push(fitted.row(in_context(cells, w, view, e.target.ctx, ctx)));
        }
    }
    let selected = (!rows.is_empty()).then(|| pos - vis.start);
    let empty = if let Some(msg) = &no_alarms {
        msg.as_str()
    } else {
        "no alarms match"
    };
    table(
        f,
        area,
        block,
        fitted.spec(&cols, rows, selected, empty),
        ctx,
    );
}

/// The mathematical symbol of a `ComparisonOperator` (">", "≥", "<", "≤"; "?" for others).
pub fn comparison_symbol(c: &str) -> &'static str {
    match c {
        "GreaterThanThreshold" => ">",
        "GreaterThanOrEqualToThreshold" => "≥",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "≤",
        _ => "?",
    }
}
