//! Drill-ins: everything about one stream or one rule on one screen.

mod rule;
mod stream;

pub use rule::rule;
pub use stream::stream;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Wrap};

use crate::fresh::store::Snapshot;
use crate::model::{Destination, MetricId, RuleKey, Scope, bucket_from_arn, group_errors};
use crate::ui::chrome::{Ctx, title};
use crate::ui::fmt;
use crate::ui::panes::alarms::state_span;
use crate::ui::panes::context::target_findings;
use crate::ui::view::{Focus, View};
use crate::ui::{safe_fit, safe_fit_name, safe_owned};

/// The "since when" lines of a drill-in: each timeline entry newest first (time, kind, what),
/// or that nothing changed; `events` from [`crate::judge::health::timeline`], each wrapped to
/// `width` columns with its text's hanging indent, in at most two rows.
pub(super) fn timeline_lines(
    ctx: &Ctx,
    snap: &Snapshot,
    events: &[crate::judge::health::timeline::Event],
    width: u16,
) -> Vec<Line<'static>> {
    use crate::judge::health::timeline::EventKind;
    let t = ctx.theme;
    let mut out = Vec::new();
    if events.is_empty() {
        out.push(Line::from(Span::styled(
            "nothing changed in the window: no alarm change, configuration change, error log or metric turn",
            t.dim(),
        )));
    }
    for e in events {
        let style = match e.kind {
            EventKind::Alarm | EventKind::ErrorLog => t.warn(),
            _ => t.text(),
        };
        // Wrapped under the text, never cut mid-word (`width` is the block's inside), in at
        // most two rows so that one long error leaves room for the changes before it.
        out.extend(crate::ui::chrome::hanging_within(
            vec![
                Span::styled(format!("{} ", e.at.format("%H:%M")), t.dim()),
                Span::styled(format!("{:<9} ", e.kind.label()), t.dim()),
            ],
            &e.text,
            style,
            width,
            2,
        ));
    }
    if let Some(err) = &snap.alarm_history.error {
        out.push(Line::from(safe_owned(
            &format!(
                "alarm history not read: {}",
                crate::backend::explain_denied(&err.message, err.missing_permission)
            ),
            t.stale(),
        )));
    }
    out
}

pub(super) fn kv<'a>(ctx: &Ctx, k: &'a str, v: &str) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<15}"), ctx.theme.dim()),
        safe_owned(v, ctx.theme.text()),
    ])
}

/// Value formatting per metric kind.
pub(super) fn show(m: MetricId, v: Option<f64>) -> String {
    use crate::model::Unit;
    match m.unit() {
        Unit::Ratio => fmt::ratio_pct(v),
        Unit::Seconds => fmt::secs(v),
        Unit::Bytes => v.map_or("–".into(), fmt::bytes),
        Unit::Milliseconds => v.map_or("–".into(), |x| format!("{x:.0} ms")),
        Unit::Count | Unit::PerSecond => fmt::opt_count(v),
    }
}

/// "last 3h · 1 column = 1 min": what `width` columns of the view's chart window show.
pub(super) fn chart_note(view: &View, width: u16) -> String {
    let period = u64::from(view.chart_period().max(60));
    let points = u64::from(view.chart_minutes) * 60 / period;
    let width = u64::from(width.max(1));
    // A window longer than the columns is squeezed: a column then holds several periods.
    let column = if points > width {
        format!("1 column ≈ {} min", (points * period).div_ceil(width * 60))
    } else {
        format!("1 column = {} min", period / 60)
    };
    format!(
        "last {} · {column} · [ ] window",
        crate::model::window_label(view.chart_minutes)
    )
}

/// One chart per metric: a label line (name, newest, max), then a sparkline as tall as the
/// room allows, newest on the right. Zero is the lowest bar; a gap (no datapoint) is blank. The
/// series cover the view's chart window ([`crate::ui::view::chart_series`]).
pub(super) fn charts(
    f: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    (snap, view): (&Snapshot, &View),
    scope: &Scope,
    ids: &[MetricId],
) {
    let t = ctx.theme;
    if snap.metrics.get().is_none() {
        f.render_widget(Paragraph::new("waiting for metrics…").style(t.dim()), area);
        return;
    }
    if ids.is_empty() || area.height == 0 {
        return;
    }
    let per = (area.height / ids.len() as u16).max(1);
    let rows = Layout::vertical(ids.iter().map(|_| Constraint::Length(per))).split(area);
    for (&id, &r) in ids.iter().zip(rows.iter()) {
        if r.height == 0 {
            continue;
        }
        let series = match crate::ui::view::chart_series(snap, view, scope, id) {
            Some(s) => s,
            None if crate::ui::view::chart_loading(snap, view) => {
                let text = match &snap.chart.error {
                    Some(e) => format!(
                        "{:<27} the longer window could not be read: {}",
                        id.name(),
                        crate::text::sanitize::clean(&e.message)
                    ),
                    None => format!("{:<27} loading the longer window…", id.name()),
                };
                f.render_widget(Paragraph::new(text).style(t.dim()), r);
                continue;
            }
            None => Vec::new(),
        };
        let max = series
            .iter()
            .filter_map(|v| *v)
            .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))));
        let last = series.iter().rev().find_map(|v| *v);
        let label = Line::from(vec![
            Span::styled(format!("{:<27} ", id.name()), t.title()),
            Span::styled(
                format!("newest {:>9}   max {:>9}", show(id, last), show(id, max)),
                t.text(),
            ),
        ]);
        let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(r);
        f.render_widget(Paragraph::new(label), head);
        if body.height == 0 {
            continue;
        }
        // The whole window in the columns there are, aggregated as the metric's statistic.
        let w = body.width as usize;
        let tail = fmt::squeeze_stat(&series, w, id.stat());
        let top = tail
            .iter()
            .flatten()
            .copied()
            .reduce(f64::max)
            .unwrap_or(0.0);
        let eighth = 1000u64.div_ceil(8 * u64::from(body.height));
        let bars: Vec<Option<u64>> = tail
            .iter()
            .map(|v| {
                v.map(|x| {
                    if x <= 0.0 || top <= 0.0 {
                        eighth
                    } else {
                        ((x / top * 1000.0) as u64).max(2 * eighth)
                    }
                })
            })
            .collect();
        // Fewer points than columns: newest at the right edge, as the title promises.
        let used = u16::try_from(bars.len())
            .unwrap_or(u16::MAX)
            .min(body.width);
        let at = Rect {
            x: body.x + body.width - used,
            width: used,
            ..body
        };
        let spark = Sparkline::default().data(bars).max(1000).style(t.spark());
        f.render_widget(spark, at);
    }
}

pub(super) fn findings_and_alarms<'a>(
    ctx: &Ctx,
    snap: &Snapshot,
    target: &Focus,
    alarm_filter: impl Fn(&crate::model::Alarm) -> bool,
    before_alarms: Vec<Line<'a>>,
) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let mut lines = Vec::new();
    if let Some(h) = target_findings(snap, target) {
        if h.findings.is_empty() {
            lines.push(Line::from(Span::styled("● healthy", t.ok())));
        }
        for fd in h.findings {
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", fd.level.mark()), t.level(fd.level)),
                Span::styled(
                    crate::text::sanitize::clean(&fd.text).into_owned(),
                    t.level(fd.level),
                ),
            ]));
        }
    }
    lines.extend(before_alarms);
    let alarms: Vec<_> = snap
        .alarms
        .get()
        .map(|a| a.iter().filter(|a| alarm_filter(a)).cloned().collect())
        .unwrap_or_default();
    if !alarms.is_empty() {
        lines.push(Line::from(Span::styled("Alarms:", t.title())));
        for a in alarms {
            lines.push(Line::from(vec![
                state_span(ctx, a.state),
                Span::raw(" "),
                Span::styled(safe_fit_name(&a.name, 40), t.text()),
                Span::styled(format!(" {}", fmt::age(ctx.now, a.state_updated)), t.dim()),
            ]));
        }
    }
    lines
}

/// The loss ledger block of a drill-in: "Losses · last 60 min" and its lines by the metrics
/// (worst first, the deadline in each), or "nothing lost or at risk"; then what it cannot
/// see from here (the dead-letter queues' depth and the error output: `fhtop losses`).
pub(super) fn loss_lines<'a>(
    ctx: &Ctx,
    snap: &Snapshot,
    rule: Option<&crate::model::Rule>,
    stream: Option<&crate::model::Stream>,
) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let (Some(inv), Some(m)) = (snap.inventory.get(), snap.metrics.get()) else {
        return Vec::new();
    };
    let inputs = crate::judge::losses::Inputs {
        metrics: Ok(m),
        recent: None,
        queues: None,
        outputs: None,
        archives: None,
        now: ctx.now,
    };
    let found = crate::judge::losses::pipeline_lines(&inputs, &inv.inv, rule, stream);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "Losses · last {}",
            crate::judge::losses::window_text(m.window.minutes())
        ),
        t.title(),
    ))];
    if found.is_empty() {
        lines.push(Line::from(Span::styled(
            "● nothing lost, at risk or waiting to be recovered (by the metrics)",
            t.ok(),
        )));
    }
    for l in &found {
        let level = l.fate.level();
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {} ", level.mark(), l.fate.word()),
                t.level(level),
            ),
            Span::styled(
                crate::text::sanitize::clean(&l.summary).into_owned(),
                t.text(),
            ),
        ]));
    }
    lines.push(Line::from(Span::styled(
        "  queues, archives and the S3 error output: R (fhtop losses)",
        t.dim(),
    )));
    lines
}

/// The drill-in's subject is gone from the inventory (deleted while you looked).
pub(super) fn not_found(f: &mut Frame, area: Rect, ctx: &Ctx, what: &str, name: &str) {
    let block = ctx.block(
        title(
            ctx,
            format!("{what} {}", safe_fit_name(name, 60)),
            "not found".into(),
        ),
        true,
    );
    f.render_widget(
        Paragraph::new(format!(
            "This {} is not in the inventory any more.",
            what.to_lowercase()
        ))
        .block(block),
        area,
    );
}
