//! API cost: what fhtop has asked AWS for, per operation, and the CloudWatch metrics it has
//! requested (GetMetricData is billed per metric requested).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::{TableSpec, num, table};
use crate::fresh::store::Snapshot;
use crate::model::MetricKind;
use crate::ui::chrome::{Ctx, title};
use crate::ui::fmt;

use crate::fresh::plan::{GET_METRIC_DATA_PER_1000, PlanCost};

/// Draws the API cost pane of every context shown (`only`: one of them), one table each,
/// stacked; with one context, its table alone.
pub fn render_each(
    f: &mut Frame,
    area: Rect,
    w: &crate::fresh::store::Merged,
    only: Option<usize>,
    ctx: &Ctx,
) {
    if !w.is_several() {
        return render(f, area, w.snap(0), "", ctx);
    }
    let shown: Vec<&crate::fresh::store::Part> = w
        .parts()
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
        .map(|(_, p)| p)
        .collect();
    let n = u32::try_from(shown.len()).unwrap_or(1).max(1);
    let areas = ratatui::layout::Layout::vertical(
        shown
            .iter()
            .map(|_| ratatui::layout::Constraint::Ratio(1, n)),
    )
    .split(area);
    for (p, a) in shown.iter().zip(areas.iter()) {
        render(f, *a, &p.snap, &p.name, ctx);
    }
}

/// Draws the API cost pane of one context: calls per operation (last minute, total) and
/// metrics requested with their estimated GetMetricData cost; `context` names it in the title
/// when several are watched (one pane each), empty otherwise.
pub fn render(f: &mut Frame, area: Rect, snap: &Snapshot, context: &str, ctx: &Ctx) {
    let t = ctx.theme;
    let heading = if context.is_empty() {
        "API cost".to_string()
    } else {
        format!("API cost · {}", crate::ui::safe_fit(context, 32))
    };
    let Some(api) = snap.api.get() else {
        let block = ctx.block(title(ctx, heading, String::new()), true);
        f.render_widget(
            Paragraph::new("The demo account makes no AWS calls. Against AWS this pane counts every API call fhtop makes, per operation, and the CloudWatch metrics it requests.")
                .style(t.dim())
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    };
    // The rate leaves out what is requested once (a large account's history): it does not
    // recur.
    let once = api
        .metrics_by_kind
        .iter()
        .filter(|(k, _, _)| *k == MetricKind::History)
        .map(|(_, hour, _)| *hour as f64)
        .sum::<f64>();
    let per_hour = api.metrics_last_hour as f64 - once;
    let note = format!(
        "metrics requested: {} in the last hour, {} since start · ≈ ${:.2}/hour, ${:.0}/month at this rate{}",
        fmt::count(api.metrics_last_hour as f64),
        fmt::count(api.metrics_total as f64),
        per_hour / 1000.0 * GET_METRIC_DATA_PER_1000,
        per_hour / 1000.0 * GET_METRIC_DATA_PER_1000 * 24.0 * 30.0,
        if once > 0.0 {
            format!(
                " (+${:.2} once: the history)",
                once / 1000.0 * GET_METRIC_DATA_PER_1000
            )
        } else {
            String::new()
        }
    );
    let block = ctx.block(title(ctx, heading, note), true);
    // The last column's text wraps to what the other three leave of the width (at 80
    // columns the operation column is narrowed to the longest operation name).
    let narrow = area.width < 110;
    let (op_w, num_w) = if narrow { (32, 8) } else { (36, 9) };
    let text_w = usize::from(area.width.saturating_sub(2 + op_w + 2 * num_w + 3)).max(12);
    // A row whose last column is text: `head`, an empty LAST MIN, `total`, and `body` wrapped.
    let row = |head: Cell<'static>, total: Cell<'static>, body: String, style| {
        let lines: Vec<Line<'static>> = textwrap::wrap(&body, text_w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l.into_owned(), style)))
            .collect();
        let h = u16::try_from(lines.len().max(1)).unwrap_or(1);
        Row::new(vec![
            head,
            Cell::from(""),
            total,
            Cell::from(ratatui::text::Text::from(lines)),
        ])
        .height(h)
    };
    // The plan's steady state, what fetching every row every poll would cost, and what rests
    // on ListMetrics (as of the last metrics poll).
    let planned: Vec<Row> = snap
        .plan
        .get()
        .map(|p| {
            let line = |head: String, body: String| {
                row(
                    Cell::from(Span::styled(head, t.dim())),
                    Cell::from(""),
                    body,
                    t.dim(),
                )
            };
            let mut rows = vec![line(
                format!("METRIC PLAN ({} rows)", p.rows),
                format!(
                    "{} · ${:.0}/month at the plan",
                    p.rates(),
                    PlanCost::usd_per_hour(p.plan_per_minute) * 24.0 * 30.0
                ),
            )];
            rows.push(line(String::new(), p.rotation_line()));
            rows.extend(p.resting().map(|r| line(String::new(), r)));
            rows
        })
        .unwrap_or_default();
    let off = snap.features_off();
    let denied = |op: &str| off.iter().any(|(p, _)| *p == op);
    let mut rows: Vec<Row> = api
        .ops
        .iter()
        .map(|(op, minute, total)| {
            // What a data-reading call cost in bytes (GetObject of failed records).
            let read = api
                .bytes_read
                .iter()
                .find(|(o, _)| o == op)
                .map(|(_, n)| format!("{} read", crate::text::bytes(*n as f64)))
                .unwrap_or_default();
            Row::new(vec![
                Cell::from(Line::from(Span::styled(
                    op.clone(),
                    if denied(op) { t.fail() } else { t.text() },
                ))),
                num(fmt::count(*minute as f64)),
                num(fmt::count(*total as f64)),
                Cell::from(Span::styled(read, t.dim())),
            ])
        })
        .collect();
    // Metrics requested per data kind: what each part of the metric plan costs.
    if !api.metrics_by_kind.is_empty() {
        rows.push(Row::new(vec![Cell::from("")]));
        rows.push(row(
            Cell::from(Span::styled("METRICS REQUESTED BY KIND", t.dim())),
            Cell::from(""),
            "last hour ≈ cost at list price · what for".into(),
            t.dim(),
        ));
        for (kind, hour, total) in &api.metrics_by_kind {
            let what = match kind {
                MetricKind::Triage => "every row: what health and the list columns read",
                MetricKind::Full => "the selection and the drill-in: every metric",
                MetricKind::Chart => "a chart window longer than the metrics window",
                MetricKind::History => "once: the history behind a short first window",
            };
            rows.push(row(
                Cell::from(format!("metrics: {}", kind.as_str())),
                num(fmt::count(*total as f64)),
                format!(
                    "{} last hour ≈ ${:.2}/hour · {what}",
                    fmt::count(*hour as f64),
                    *hour as f64 / 1000.0 * GET_METRIC_DATA_PER_1000
                ),
                t.dim(),
            ));
        }
    }
    if !planned.is_empty() {
        rows.push(Row::new(vec![Cell::from("")]));
        rows.extend(planned);
    }
    // What fhtop's own role lacks: each permission once, with what it turns on
    // (`fhtop policy` prints the whole policy).
    if !off.is_empty() {
        rows.push(Row::new(vec![Cell::from("")]));
        rows.push(row(
            Cell::from(Span::styled("DENIED TO FHTOP", t.warn())),
            Cell::from(""),
            "add to fhtop's role (`fhtop policy` prints all it needs)".into(),
            t.warn(),
        ));
        for (perm, feature) in &off {
            rows.push(row(
                Cell::from(Span::styled(perm.to_string(), t.fail())),
                Cell::from(""),
                format!("off: {feature}"),
                t.dim(),
            ));
        }
    }
    table(
        f,
        area,
        block,
        TableSpec {
            header: vec!["OPERATION", "LAST MIN", "TOTAL", ""],
            widths: vec![
                Constraint::Length(op_w),
                Constraint::Length(num_w),
                Constraint::Length(num_w),
                Constraint::Min(1),
            ],
            rows,
            selected: None,
            empty: "no calls yet",
        },
        ctx,
    );
}
