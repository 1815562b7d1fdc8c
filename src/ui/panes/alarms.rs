//! Alarms: every CloudWatch alarm, firing first, with the stream or rule it watches.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, rest_width, table};
use crate::model::AlarmState;
use crate::store::Snapshot;
use crate::ui::fmt;
use crate::ui::render::{Ctx, staleness, title};
use crate::ui::safe_fit;
use crate::ui::view::{Pane, View, entries};

const HEADER: [&str; 6] = ["STATE", "ALARM", "METRIC", "WATCHES", "SINCE", "REASON"];
const W: [u16; 5] = [19, 36, 28, 30, 7];

pub fn state_span<'a>(ctx: &Ctx, s: AlarmState) -> Span<'a> {
    let t = ctx.theme;
    match s {
        AlarmState::Alarm => Span::styled("✖ ALARM", t.fail()),
        AlarmState::InsufficientData => Span::styled("? INSUFFICIENT_DATA", t.warn()),
        AlarmState::Ok => Span::styled("● OK", t.ok()),
    }
}

pub fn render(f: &mut Frame, area: Rect, snap: &Snapshot, view: &View, ctx: &Ctx) {
    let ls = view.list(Pane::Alarms).cloned().unwrap_or_default();
    let es = entries(Pane::Alarms, snap, &ls.filter);
    let (note, _) = staleness(ctx, snap.alarms.fetched_at, snap.alarms.error.as_ref());
    let block = ctx.block(title(ctx, format!("Alarms ({})", es.len()), note), true);
    let alarms = snap.alarms.get();
    let reason_w = rest_width(area, &W);
    let mut rows = Vec::new();
    if let Some(alarms) = alarms {
        for e in &es {
            let Some(a) = alarms.get(e.index) else {
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
            rows.push(Row::new(vec![
                Cell::from(state_span(ctx, a.state)),
                Cell::from(safe_fit(&a.name, W[1] as usize)),
                Cell::from(safe_fit(&metric, W[2] as usize)),
                Cell::from(safe_fit(&watches, W[3] as usize)),
                Cell::from(fmt::age(ctx.now, a.state_updated)),
                Cell::from(Span::styled(safe_fit(&a.reason, reason_w), ctx.theme.dim())),
            ]));
        }
    }
    let mut widths: Vec<Constraint> = W.iter().map(|w| Constraint::Length(*w)).collect();
    widths.push(Constraint::Min(1));
    let selected = (!rows.is_empty()).then(|| ls.position(&es));
    let empty = if alarms.is_none() {
        "loading…"
    } else {
        "no alarms match"
    };
    table(
        f,
        area,
        block,
        TableSpec {
            header: &HEADER,
            widths,
            rows,
            selected,
            empty,
        },
        ctx,
    );
}

pub fn comparison_symbol(c: &str) -> &'static str {
    match c {
        "GreaterThanThreshold" => ">",
        "GreaterThanOrEqualToThreshold" => "≥",
        "LessThanThreshold" => "<",
        "LessThanOrEqualToThreshold" => "≤",
        _ => "?",
    }
}
