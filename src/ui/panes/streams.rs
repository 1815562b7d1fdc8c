//! Streams: every delivery stream with its destination, buffering and delivery figures.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Cell;

use super::{
    Col, columns, error_cells, fit_columns, health_cell, in_context, merged_staleness, no_data,
    num, num_styled, table,
};
use crate::fresh::store::Merged;
use crate::model::{AlarmState, Destination, DestinationKind, MetricId, Scope, bucket_from_arn};
use crate::ui::chrome::{Ctx, title};
use crate::ui::fmt;
use crate::ui::view::{Pane, View, visible_rows};
use crate::ui::{safe_fit, safe_fit_name};

const COLS: [Col; 12] = [
    Col("HEALTH", 6, 0),
    Col("STREAM", 24, 0),
    Col("STATUS", 8, 3),
    Col("DESTINATION", 34, 2),
    Col("BUFFER", 12, 5),
    Col("COMPRESS", 12, 6),
    Col("DYN-PART", 8, 6),
    Col("IN/5m", 8, 2),
    Col("OUT/5m", 8, 2),
    Col("OK%", 6, 1),
    Col("FRESH", 6, 1),
    Col("ALARMS", 8, 3),
];

/// Draws the Streams pane: every delivery stream with destination, buffering and delivery figures.
pub fn render(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let ls = view.list(Pane::Streams).cloned().unwrap_or_default();
    let es = view.rows(Pane::Streams, w);
    let pos = ls.position(&es);
    // The area's height is more than the table's rows: enough rows, never too few.
    let vis = visible_rows(es.len(), pos, usize::from(area.height));
    let note = merged_staleness(ctx, w, |s| {
        (s.inventory.fetched_at, s.inventory.error.as_ref())
    });
    let block = ctx.block(title(ctx, format!("Streams ({})", es.len()), note), true);
    let no_inv = no_data(ctx, w, view, |s| {
        (s.inventory.get().is_some(), s.inventory.error.as_ref())
    });
    let cols = columns(&COLS, w);
    let fitted = fit_columns(&cols, area);
    let mut rows = Vec::new();
    {
        // Only the rows on screen are built: a frame costs the same for 10 rows or 10,000.
        for e in &es[vis.clone()] {
            // Each row from its own context's data.
            let snap = w.snap(e.target.ctx);
            let Some(inv) = snap.inventory.get() else {
                continue;
            };
            let metrics = snap.metrics.get();
            let alarms = snap.alarms.get().map(Vec::as_slice).unwrap_or(&[]);
            let diagnosis = snap.diagnosis();
            let in_ctx = |cells| in_context(cells, w, view, e.target.ctx, ctx);
            if let Some(err) = e.error.and_then(|i| inv.inv.errors.get(i)) {
                let mut cells = error_cells(ctx, COLS.len(), (1, 3), err);
                // Not described: the figures of the metrics ListMetrics said it reports.
                if let Some(r) = err.reported.filter(|r| !r.is_empty()) {
                    let sc = Scope::Stream(err.name.clone());
                    let incoming = r.incoming.unwrap_or(MetricId::IncomingRecords);
                    let figures = metric_cells(ctx, metrics, &sc, incoming, r.destination);
                    cells.splice(7..11, figures);
                }
                rows.push(fitted.row(in_ctx(cells)));
                continue;
            }
            let Some(s) = inv.inv.streams.get(e.index) else {
                continue;
            };
            let h = diagnosis.stream(&s.name);
            let (dest, buffer, compress, dp) = match &s.destination {
                Destination::S3(d) => (
                    format!("s3://{}", bucket_from_arn(&d.bucket_arn)),
                    format!("{} MiB/{}s", d.buffering_mb, d.buffering_seconds),
                    d.compression.clone(),
                    if s.dynamic_partitioning_enabled() {
                        "on"
                    } else {
                        "off"
                    },
                ),
                Destination::Service(d) => (
                    format!(
                        "{} {}",
                        d.kind.label(),
                        d.endpoint_name.as_deref().unwrap_or(&d.endpoint)
                    ),
                    d.buffering_seconds.map_or("–".into(), |b| format!("{b}s")),
                    "–".into(),
                    "–",
                ),
                Destination::Unknown(o) => (format!("? {o}"), "–".into(), "–".into(), "–"),
            };
            let sc = Scope::Stream(s.name.clone());
            let figures = metric_cells(
                ctx,
                metrics,
                &sc,
                MetricId::incoming(&s.source),
                s.destination_kind(),
            );
            let firing = alarms
                .iter()
                .filter(|a| a.is_for_stream(&s.name) && a.state == AlarmState::Alarm)
                .count();
            let total = alarms.iter().filter(|a| a.is_for_stream(&s.name)).count();
            let status_style = if s.status == "ACTIVE" {
                t.text()
            } else {
                t.warn()
            };
            let mut cells = vec![
                health_cell(ctx, h.level),
                Cell::from(safe_fit_name(&s.name, COLS[1].1 as usize)),
                Cell::from(Span::styled(safe_fit(&s.status, 8), status_style)),
                Cell::from(safe_fit(&dest, COLS[3].1 as usize)),
                Cell::from(safe_fit(&buffer, COLS[4].1 as usize)),
                Cell::from(safe_fit(&compress, COLS[5].1 as usize)),
                Cell::from(dp),
            ];
            cells.extend(figures);
            cells.push(num_styled(
                if firing > 0 {
                    format!("{firing}✖/{total}")
                } else {
                    format!("{total}")
                },
                if firing > 0 { t.fail() } else { t.dim() },
            ));
            rows.push(fitted.row(in_ctx(cells)));
        }
    }
    let selected = (!rows.is_empty()).then(|| pos - vis.start);
    let empty = if let Some(msg) = &no_inv {
        msg.as_str()
    } else {
        "no delivery streams match"
    };
    table(
        f,
        area,
        block,
        fitted.spec(&cols, rows, selected, empty),
        ctx,
    );
}

/// The IN/5m, OUT/5m, OK% and FRESH cells of a stream row: records in (`incoming`), delivered,
/// delivery success and data freshness of its destination `kind`, over the last 5 minutes.
fn metric_cells<'a>(
    ctx: &Ctx,
    metrics: Option<&crate::model::Metrics>,
    sc: &Scope,
    incoming: MetricId,
    kind: Option<DestinationKind>,
) -> [Cell<'a>; 4] {
    let t = ctx.theme;
    let m = |id| metrics.and_then(|m| m.recent_sum(sc, id));
    let ok = kind.and_then(|k| metrics.and_then(|m| m.delivery_ratio(sc, k)));
    let fresh =
        kind.and_then(|k| metrics.and_then(|m| m.recent_max(sc, MetricId::DataFreshness(k))));
    let delivered = kind.and_then(|k| m(MetricId::DeliveryRecords(k)));
    [
        num(fmt::opt_count(m(incoming))),
        num(fmt::opt_count(delivered)),
        num_styled(
            fmt::ratio_pct(ok),
            if ok.is_some_and(|v| v < 1.0) {
                t.fail()
            } else {
                t.text()
            },
        ),
        num(fmt::secs(fresh)),
    ]
}
