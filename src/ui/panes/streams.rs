//! Streams: every delivery stream with its destination, buffering and delivery figures.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::{TableSpec, health_cell, num, num_styled, table};
use crate::health::stream_health;
use crate::model::{AlarmState, Destination, MetricId, Scope, bucket_from_arn};
use crate::store::Snapshot;
use crate::ui::fmt;
use crate::ui::render::{Ctx, staleness, title};
use crate::ui::safe_fit;
use crate::ui::view::{Pane, View, entries};

const HEADER: [&str; 12] = [
    "HEALTH",
    "STREAM",
    "STATUS",
    "DESTINATION",
    "BUFFER",
    "COMPRESS",
    "DYN-PART",
    "IN/5m",
    "S3/5m",
    "S3 OK%",
    "FRESH",
    "ALARMS",
];
const W: [u16; 12] = [6, 24, 8, 34, 12, 12, 8, 8, 8, 6, 6, 8];

pub fn render(f: &mut Frame, area: Rect, snap: &Snapshot, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let ls = view.list(Pane::Streams).cloned().unwrap_or_default();
    let es = entries(Pane::Streams, snap, &ls.filter);
    let (note, _) = staleness(
        ctx,
        snap.inventory.fetched_at,
        snap.inventory.error.as_ref(),
    );
    let block = ctx.block(title(ctx, format!("Streams ({})", es.len()), note), true);
    let inv = snap.inventory.get();
    let metrics = snap.metrics.get();
    let alarms = snap.alarms.get().map(Vec::as_slice).unwrap_or(&[]);
    let mut rows = Vec::new();
    if let Some(inv) = inv {
        for e in &es {
            let Some(s) = inv.inv.streams.get(e.index) else {
                continue;
            };
            let h = stream_health(s, metrics, alarms);
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
                Destination::Other(o) => (o.clone(), "–".into(), "–".into(), "–"),
            };
            let sc = Scope::Stream(s.name.clone());
            let m = |id| metrics.and_then(|m| m.recent_sum(&sc, id));
            let ok = metrics.and_then(|m| m.recent_avg(&sc, MetricId::DeliverySuccess));
            let fresh = metrics.and_then(|m| m.recent_max(&sc, MetricId::DataFreshness));
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
            rows.push(Row::new(vec![
                health_cell(ctx, h.level),
                Cell::from(safe_fit(&s.name, W[1] as usize)),
                Cell::from(Span::styled(safe_fit(&s.status, 8), status_style)),
                Cell::from(safe_fit(&dest, W[3] as usize)),
                Cell::from(safe_fit(&buffer, W[4] as usize)),
                Cell::from(safe_fit(&compress, W[5] as usize)),
                Cell::from(dp),
                num(fmt::opt_count(m(MetricId::IncomingRecords))),
                num(fmt::opt_count(m(MetricId::DeliveryRecords))),
                num_styled(
                    fmt::ratio_pct(ok),
                    if ok.is_some_and(|v| v < 1.0) {
                        t.fail()
                    } else {
                        t.text()
                    },
                ),
                num(fmt::secs(fresh)),
                num_styled(
                    if firing > 0 {
                        format!("{firing}✖/{total}")
                    } else {
                        format!("{total}")
                    },
                    if firing > 0 { t.fail() } else { t.dim() },
                ),
            ]));
        }
    }
    let widths: Vec<Constraint> = W.iter().map(|w| Constraint::Length(*w)).collect();
    let selected = (!rows.is_empty()).then(|| ls.position(&es));
    let empty = if inv.is_none() {
        "loading…"
    } else {
        "no delivery streams match"
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
