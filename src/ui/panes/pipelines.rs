//! Pipelines: one row per rule → stream link (and per stream nothing feeds), with the whole
//! funnel MatchedEvents → Invocations → FailedInvocations → IncomingRecords (or what the source
//! read) → `DeliveryTo<Destination>.Records`, with that destination's success and freshness.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Cell;

use super::{
    Col, columns, error_cells, fit_columns, health_cell, in_context, merged_staleness, no_data,
    num, num_styled, table,
};
use crate::fresh::store::Merged;
use crate::model::{MetricId, RECENT_POINTS, Scope};
use crate::ui::chrome::{Ctx, title};
use crate::ui::fmt;
use crate::ui::view::{Pane, View, visible_rows};
use crate::ui::{safe_fit, safe_fit_name};

const COLS: [Col; 15] = [
    Col("HEALTH", 6, 0),
    Col("RULE (bus/name)", 28, 0),
    Col("STATE", 10, 4),
    Col("STREAM", 20, 0),
    Col("MATCHED", 7, 5),
    Col("INVOKED", 7, 6),
    Col("FAILED", 7, 3),
    Col("INCOMING", 8, 2),
    Col("TO DEST", 7, 2),
    Col("OK%", 5, 1),
    Col("FRESH", 6, 1),
    Col("LOSS", 8, 1),
    Col("PARTS", 8, 6),
    Col("THROTL", 6, 5),
    Col("INCOMING TREND", 0, 7),
];

/// Draws the Pipelines pane: one row per rule → stream link and per unfed stream, worst first.
pub fn render(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let ls = view.list(Pane::Pipelines).cloned().unwrap_or_default();
    let rows_e = view.rows(Pane::Pipelines, w);
    let pos = ls.position(&rows_e);
    // The area's height is more than the table's rows: enough rows, never too few.
    let vis = visible_rows(rows_e.len(), pos, usize::from(area.height));
    let note = merged_staleness(ctx, w, |s| (s.metrics.fetched_at, s.metrics.error.as_ref()));
    let loss_window = w
        .parts()
        .iter()
        .find_map(|p| p.snap.metrics.get().map(|m| m.window.minutes()))
        .map(|n| format!(" · loss: last {}", crate::judge::losses::window_text(n)))
        .unwrap_or_default();
    let mut counts = format!(
        "counts: last {RECENT_POINTS} min{loss_window} · trend {} ([ ])",
        crate::model::window_label(view.chart_minutes)
    );
    if let Some(e) = w
        .parts()
        .iter()
        .filter(|p| crate::ui::view::chart_loading(&p.snap, view))
        .find_map(|p| p.snap.chart.error.as_ref())
    {
        counts.push_str(&format!(
            " · trend not read: {}",
            crate::text::fit(&crate::text::sanitize::clean(&e.message), 60)
        ));
    }
    let note = if note.is_empty() {
        counts
    } else {
        format!("{counts} · metrics {note}")
    };
    let block = ctx.block(
        title(ctx, format!("Pipelines ({})", rows_e.len()), note),
        true,
    );
    let cols = columns(&COLS, w);
    let fitted = fit_columns(&cols, area);
    if let Some(msg) = no_data(ctx, w, view, |s| {
        (s.inventory.get().is_some(), s.inventory.error.as_ref())
    }) {
        table(f, area, block, fitted.spec(&cols, vec![], None, &msg), ctx);
        return;
    }
    let spark_w = fitted.flex;
    let mut rows = Vec::with_capacity(rows_e.len());
    // Only the rows on screen are built: a frame costs the same for 10 rows or 10,000.
    for e in &rows_e[vis.clone()] {
        // Each row from its own context's data.
        let snap = w.snap(e.target.ctx);
        let Some(inv) = snap.inventory.get() else {
            continue;
        };
        let metrics = snap.metrics.get();
        let diagnosis = snap.diagnosis();
        let mstyle = if snap.metrics.is_stale() {
            t.stale()
        } else {
            t.text()
        };
        let rules_reading = inv.inv.active_rules_unread() > 0;
        let idle_unread = inv.inv.reading().1.0 > 0;
        let in_ctx = |cells| in_context(cells, w, view, e.target.ctx, ctx);
        if let Some(err) = e.error.and_then(|i| inv.inv.errors.get(i)) {
            let cells = error_cells(ctx, COLS.len(), (1, 3), err);
            rows.push(fitted.row(in_ctx(cells)));
            continue;
        }
        let Some(link) = inv.pipelines.get(e.index) else {
            continue;
        };
        let rule = link.rule.and_then(|i| inv.inv.rules.get(i)).map(|r| &**r);
        let h = diagnosis.pipeline(e.index);
        let (rule_cell, state_cell) = match rule {
            Some(r) => {
                let w = COLS[1].1 as usize;
                let full = format!("{}/{}", r.bus, r.name);
                let name = if r.managed_by.is_some() {
                    format!("{} ⚙", safe_fit_name(&full, w - 2))
                } else {
                    safe_fit_name(&full, w)
                };
                let st = r.state.short();
                let style = if r.state.is_enabled() {
                    t.ok()
                } else {
                    t.disabled()
                };
                (
                    Cell::from(name),
                    Cell::from(Span::styled(safe_fit(st, 10), style)),
                )
            }
            None => {
                let source = link
                    .stream
                    .and_then(|i| inv.inv.streams.get(i))
                    .map(|s| match &s.source {
                        crate::model::Source::DirectPut => "direct PUT".to_string(),
                        other => other.to_string(),
                    })
                    .unwrap_or_else(|| "direct PUT".into());
                // "No rule" is only known once every rule's targets are read.
                let label = if rules_reading {
                    "(rules being read…)".to_string()
                } else if !inv.inv.unread_buses().is_empty() {
                    // A bus that could not be read may have a rule feeding it.
                    "(rules not all read)".to_string()
                } else if idle_unread {
                    // Idle rules (no events in 3 h) not read yet may target it: none active.
                    "(no active rule; idle unread)".to_string()
                } else {
                    format!("(no rule: {source})")
                };
                (
                    Cell::from(Span::styled(safe_fit(&label, COLS[1].1 as usize), t.dim())),
                    Cell::from(Span::styled("–", t.dim())),
                )
            }
        };
        let stream_style = if link.stream.is_some() {
            t.text()
        } else if link.foreign.is_some() {
            t.level(crate::judge::health::Level::Unknown)
        } else {
            t.fail()
        };
        let stream_name = if let Some((account, region)) = &link.foreign {
            // Another account's or region's stream, by its ARN: said as such (↗ and where),
            // not read here; the rule drill-in gives account and region whole.
            let home = link
                .rule
                .and_then(|i| inv.inv.rules.get(i))
                .map_or("", |r| r.arn.as_str());
            let where_ =
                if crate::model::arn_parts(home).is_some_and(|(_, _, _, a, _)| a == account) {
                    region
                } else {
                    account
                };
            safe_fit(
                &format!("{} ↗{where_}", link.stream_name),
                COLS[3].1 as usize,
            )
        } else if let Some(via) = &link.via {
            safe_fit(
                &format!("{} (via {via})", link.stream_name),
                COLS[3].1 as usize,
            )
        } else if link.stream.is_some() {
            safe_fit_name(&link.stream_name, COLS[3].1 as usize)
        } else {
            // Not in the inventory: being read, unreadable, or truly missing.
            let why = match inv.inv.unread_stream(&link.stream_name) {
                Some(e) if e.loading => "reading…",
                Some(_) => "not read",
                None => "missing",
            };
            safe_fit(&format!("{} ({why})", link.stream_name), COLS[3].1 as usize)
        };
        let mut cells = vec![
            health_cell(ctx, h.level),
            rule_cell,
            state_cell,
            Cell::from(Span::styled(stream_name, stream_style)),
        ];
        match metrics {
            Some(m) => {
                let rs = rule.map(|r| Scope::Rule(r.key()));
                // Another account's stream is not the local one of that name: its metrics
                // are not read here, so its scope matches no fetched series ("–").
                let ss = match &link.foreign {
                    None => Scope::Stream(link.stream_name.clone()),
                    Some((account, region)) => {
                        Scope::Stream(format!("{account}/{region}/{}", link.stream_name))
                    }
                };
                let rsum = |id| rs.as_ref().and_then(|s| m.recent_sum(s, id));
                let failed = rsum(MetricId::FailedInvocations);
                cells.push(num(fmt::opt_count(rsum(MetricId::MatchedEvents))));
                cells.push(num(fmt::opt_count(rsum(MetricId::Invocations))));
                cells.push(num_styled(
                    fmt::opt_count(failed),
                    if failed.unwrap_or(0.0) > 0.0 {
                        t.fail()
                    } else {
                        mstyle
                    },
                ));
                let stream = link
                    .stream
                    .and_then(|i| inv.inv.streams.get(i))
                    .map(|s| &**s);
                let kind = stream.and_then(|s| s.destination_kind());
                let incoming = stream
                    .map(|s| MetricId::incoming(&s.source))
                    .unwrap_or(MetricId::IncomingRecords);
                cells.push(num(fmt::opt_count(m.recent_sum(&ss, incoming))));
                let delivered = kind.and_then(|k| m.recent_sum(&ss, MetricId::DeliveryRecords(k)));
                cells.push(num(if kind.is_some() {
                    fmt::opt_count(delivered)
                } else {
                    "n/a".into()
                }));
                let ok = kind.and_then(|k| m.delivery_ratio(&ss, k));
                let ok_style = match ok {
                    Some(v) if v < 1.0 => t.fail(),
                    _ => mstyle,
                };
                cells.push(num_styled(
                    if kind.is_some() {
                        fmt::ratio_pct(ok)
                    } else {
                        "n/a".into()
                    },
                    ok_style,
                ));
                let fresh = kind.and_then(|k| m.recent_max(&ss, MetricId::DataFreshness(k)));
                let buffer = stream.map_or(300.0, crate::judge::health::buffer_interval);
                let fresh_style =
                    match fresh.map(|v| crate::judge::health::freshness_level(v, buffer)) {
                        Some(crate::judge::health::Level::Fail) => t.fail(),
                        Some(crate::judge::health::Level::Warn) => t.warn(),
                        _ => mstyle,
                    };
                cells.push(num_styled(fmt::secs(fresh), fresh_style));
                // The loss ledger of the row, by the metrics (queues and the error output are
                // `fhtop losses`'s and the drill-in's note).
                let ledger = crate::judge::losses::Inputs {
                    metrics: Ok(m),
                    recent: None,
                    queues: None,
                    outputs: None,
                    archives: None,
                    now: ctx.now,
                };
                let lines = crate::judge::losses::pipeline_lines(
                    &ledger,
                    &inv.inv,
                    rule,
                    if link.foreign.is_none() { stream } else { None },
                );
                let fate = crate::judge::losses::worst(&lines);
                let brief = crate::judge::losses::brief(&lines, ctx.now);
                cells.push(num_styled(
                    if brief.is_empty() {
                        "–".into()
                    } else {
                        brief
                    },
                    if fate == crate::judge::losses::Fate::Clear {
                        t.dim()
                    } else {
                        t.level(fate.level())
                    },
                ));
                let parts = match (
                    m.recent_max(&ss, MetricId::PartitionCount),
                    m.recent_max(&ss, MetricId::ActivePartitionsLimit),
                ) {
                    (Some(u), Some(l)) if l > 0.0 => {
                        let style = if u >= 0.8 * l { t.warn() } else { mstyle };
                        Span::styled(format!("{u:.0}/{l:.0}"), style)
                    }
                    _ => Span::styled("–", t.dim()),
                };
                cells.push(num_styled(parts.content.into_owned(), parts.style));
                let thr = m.recent_sum(&ss, MetricId::ThrottledRecords);
                cells.push(num_styled(
                    fmt::opt_count(thr),
                    if thr.unwrap_or(0.0) > 0.0 {
                        t.warn()
                    } else {
                        mstyle
                    },
                ));
                // The whole chart window, squeezed into the column.
                let spark = match crate::ui::view::chart_series(snap, view, &ss, incoming) {
                    Some(s) => fmt::sparkline(&fmt::squeeze(&s, spark_w), spark_w),
                    // Loading; "✖" when the longer window could not be read (the title says
                    // why).
                    None if crate::ui::view::chart_loading(snap, view) => {
                        if snap.chart.error.is_some() {
                            "✖"
                        } else {
                            "…"
                        }
                        .into()
                    }
                    None => String::new(),
                };
                cells.push(Cell::from(Span::styled(spark, t.spark())));
            }
            None => {
                for _ in 0..11 {
                    cells.push(Cell::from(Span::styled("…", t.dim())));
                }
            }
        }
        rows.push(fitted.row(in_ctx(cells)));
    }
    let empty = if ls.filter.is_empty() {
        "no delivery streams or Firehose-targeting rules in this account/region".to_string()
    } else {
        format!("nothing matches filter {:?}", ls.filter)
    };
    let selected = (!rows.is_empty()).then(|| pos - vis.start);
    table(
        f,
        area,
        block,
        fitted.spec(&cols, rows, selected, &empty),
        ctx,
    );
}
