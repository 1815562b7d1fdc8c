//! Rules: every rule on every bus, its state, what it matches and where it sends.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Cell;

use super::{
    Col, columns, error_cells, fit_columns, health_cell, in_context, merged_staleness, no_data,
    num, num_styled, table,
};
use crate::fresh::store::Merged;
use crate::model::{MetricId, Rule, Scope};
use crate::ui::chrome::{Ctx, title};
use crate::ui::fmt;
use crate::ui::view::{Pane, View, visible_rows};
use crate::ui::{safe_fit, safe_fit_name};

const COLS: [Col; 9] = [
    Col("HEALTH", 6, 0),
    Col("BUS", 12, 1),
    Col("RULE", 30, 0),
    Col("STATE", 10, 0),
    Col("TARGETS", 24, 2),
    Col("MATCHED", 8, 3),
    Col("FAILED", 7, 3),
    Col("MANAGED BY", 14, 5),
    Col("PATTERN / SCHEDULE", 0, 4),
];

/// `{"source":["aws.ec2"],"detail":{"state":["stopped"]}}` → `source=aws.ec2 detail.state=stopped`.
pub fn pattern_summary(pattern: &str) -> String {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, v, out);
                }
            }
            serde_json::Value::Array(items) => {
                let vals: Vec<String> = items
                    .iter()
                    .map(|i| match i {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Object(o) => o
                            .iter()
                            .map(|(k, v)| format!("{k}:{}", v.to_string().trim_matches('"')))
                            .collect::<Vec<_>>()
                            .join(","),
                        other => other.to_string(),
                    })
                    .collect();
                out.push(format!("{prefix}={}", vals.join("|")));
            }
            other => out.push(format!("{prefix}={other}")),
        }
    }
    match serde_json::from_str::<serde_json::Value>(pattern) {
        Ok(v) => {
            let mut out = Vec::new();
            walk("", &v, &mut out);
            out.join(" ")
        }
        Err(_) => format!("(unparsable pattern) {pattern}"),
    }
}

/// What triggers a rule, in one line: "schedule ...", a summary of its event pattern, or "–".
pub fn rule_kind(r: &Rule) -> String {
    match (&r.schedule, &r.event_pattern) {
        (Some(s), _) => format!("schedule {s}"),
        (None, Some(p)) => pattern_summary(p),
        (None, None) => "–".to_string(),
    }
}

fn targets_summary(r: &Rule) -> String {
    let v: Vec<String> = r
        .targets
        .iter()
        .map(|t| match (r.foreign_stream(t), t.firehose_stream_name()) {
            (Some((account, region, s)), _) => format!("firehose:{s} ({account} {region})"),
            (None, Some(s)) => format!("firehose:{s}"),
            (None, None) => t.arn.split(':').nth(2).unwrap_or("?").to_string(),
        })
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Draws the Rules pane: every rule with state, trigger, targets and invocation figures.
pub fn render(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let ls = view.list(Pane::Rules).cloned().unwrap_or_default();
    let es = view.rows(Pane::Rules, w);
    let pos = ls.position(&es);
    // The area's height is more than the table's rows: enough rows, never too few.
    let vis = visible_rows(es.len(), pos, usize::from(area.height));
    let note = merged_staleness(ctx, w, |s| {
        (s.inventory.fetched_at, s.inventory.error.as_ref())
    });
    let buses: usize = super::shown(w, view)
        .map(|p| p.snap.inventory.get().map_or(0, |i| i.inv.buses.len()))
        .sum();
    let note = if note.is_empty() {
        format!("{buses} buses")
    } else {
        note
    };
    let block = ctx.block(title(ctx, format!("Rules ({})", es.len()), note), true);
    let no_inv = no_data(ctx, w, view, |s| {
        (s.inventory.get().is_some(), s.inventory.error.as_ref())
    });
    let cols = columns(&COLS, w);
    let fitted = fit_columns(&cols, area);
    let last_w = fitted.flex;
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
            let diagnosis = snap.diagnosis();
            let in_ctx = |cells| in_context(cells, w, view, e.target.ctx, ctx);
            if let Some(err) = e.error.and_then(|i| inv.inv.errors.get(i)) {
                let cells = error_cells(ctx, COLS.len(), (2, 8), err);
                rows.push(fitted.row(in_ctx(cells)));
                continue;
            }
            let Some(r) = inv.inv.rules.get(e.index) else {
                continue;
            };
            let h = diagnosis.rule(&r.key());
            let sc = Scope::Rule(r.key());
            let m = |id| metrics.and_then(|m| m.recent_sum(&sc, id));
            let failed = m(MetricId::FailedInvocations);
            let state_style = if r.state.is_enabled() {
                t.ok()
            } else {
                t.disabled()
            };
            // Rules whose targets are not known: still being read, or unreadable.
            let unread = inv
                .inv
                .errors
                .iter()
                .find(|er| er.kind == "rule" && er.name == r.key().to_string())
                .map(|er| er.loading);
            rows.push(fitted.row(in_ctx(vec![
                health_cell(ctx, h.level),
                Cell::from(safe_fit_name(&r.bus, COLS[1].1 as usize)),
                Cell::from(safe_fit_name(&r.name, COLS[2].1 as usize)),
                Cell::from(Span::styled(safe_fit(r.state.short(), 10), state_style)),
                Cell::from(match unread {
                    Some(true) => Span::styled("… reading", t.dim()),
                    Some(false) => {
                        Span::styled("not read", t.level(crate::judge::health::Level::Unknown))
                    }
                    None => Span::raw(safe_fit(&targets_summary(r), COLS[4].1 as usize)),
                }),
                num(fmt::opt_count(m(MetricId::MatchedEvents))),
                num_styled(
                    fmt::opt_count(failed),
                    if failed.unwrap_or(0.0) > 0.0 {
                        t.fail()
                    } else {
                        t.text()
                    },
                ),
                Cell::from(Span::styled(
                    safe_fit(r.managed_by.as_deref().unwrap_or("–"), COLS[7].1 as usize),
                    t.dim(),
                )),
                Cell::from(safe_fit(&rule_kind(r), last_w)),
            ])));
        }
    }
    let selected = (!rows.is_empty()).then(|| pos - vis.start);
    let empty = if let Some(msg) = &no_inv {
        msg.as_str()
    } else {
        "no rules match"
    };
    table(
        f,
        area,
        block,
        fitted.spec(&cols, rows, selected, empty),
        ctx,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        assert_eq!(
            pattern_summary(
                r#"{"source":["aws.ec2"],"detail":{"state":["stopped","terminated"]}}"#
            ),
            "source=aws.ec2 detail.state=stopped|terminated"
        );
        assert_eq!(
            pattern_summary(r#"{"detail-type":[{"prefix":"Stock"}]}"#),
            "detail-type=prefix:Stock"
        );
        assert!(pattern_summary("{nope").starts_with("(unparsable pattern)"));
    }
}
