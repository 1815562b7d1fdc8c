//! The pattern tester (`m` on a rule): how many of the events its bus logged the rule's pattern
//! matches; a list of those samples to pick from (or an event pasted into the terminal); for
//! the picked event the verdict with the first failed field, the pattern and the event
//! pretty-printed with that field marked, and which rules of the bus take the event.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use serde_json::Value;

use crate::fresh::store::Snapshot;
use crate::judge::health::Level;
use crate::judge::pattern::{Pattern, Verdict};
use crate::ui::chrome::Ctx;
use crate::ui::keymap::Action;
use crate::ui::view::Tester;
use crate::ui::{safe_fit, safe_owned};

/// Pretty JSON lines, the lines of the failing field (`"key":`) marked.
fn marked<'a>(json: &str, failing: Option<&str>, ctx: &Ctx) -> Vec<Line<'a>> {
    let t = ctx.theme;
    json.lines()
        .map(|l| {
            let hit = failing.is_some_and(|k| l.trim_start().starts_with(k));
            Line::from(safe_owned(l, if hit { t.fail() } else { t.text() }))
        })
        .collect()
}

/// Draws the tester over `area`.
pub fn render(f: &mut Frame, area: Rect, snap: &Snapshot, tv: &Tester, ctx: &Ctx) {
    let t = ctx.theme;
    let rect = super::overlay_rect(area);
    let w = rect.width;
    let head = format!("Pattern test — rule {}", tv.rule);
    let hint = format!(
        "{}/{} pick · paste an event · PgUp/PgDn scroll · {} closes",
        ctx.keymap.label(Action::Down),
        ctx.keymap.label(Action::Up),
        ctx.keymap.label(Action::Back)
    );
    let block = ctx.block(crate::ui::chrome::title_within(ctx, &head, hint, w), true);
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let Some(rep) = super::answered(
        f,
        inner,
        &tv.report,
        "reading the events its bus logged…",
        "not tested",
        ctx,
    ) else {
        return;
    };
    let inv = snap.inventory.get().map(|i| &i.inv);
    let rule = inv.and_then(|i| i.rule(&tv.rule));
    let pattern_json = rule
        .and_then(|r| r.event_pattern.clone())
        .unwrap_or_default();
    let pattern = Pattern::parse(&pattern_json).ok();

    // The verdict over all samples, on top.
    let level = match (rep.tested, rep.matched) {
        (0, _) => Level::Unknown,
        (_, 0) => Level::Warn,
        _ => Level::Ok,
    };
    let mut summary = vec![Line::from(Span::styled(
        crate::text::sanitize::clean(&rep.summary()).into_owned(),
        t.level(level),
    ))];
    for e in &rep.errors {
        summary.push(Line::from(safe_owned(&format!("not read: {e}"), t.stale())));
    }
    if rep.tested == 0 {
        summary.push(Line::from(Span::styled(
            format!(
                "No events of bus {} were logged in the last hour: a rule on it with the pattern \
                 {{\"source\":[{{\"prefix\":\"\"}}]}} and a CloudWatch Logs target logs them all. \
                 Or paste an event here.",
                crate::text::sanitize::clean(&rep.bus)
            ),
            t.dim(),
        )));
    }
    let sum_h = u16::try_from(
        summary
            .iter()
            .map(|l| l.width().max(1).div_ceil(usize::from(inner.width.max(1))))
            .sum::<usize>(),
    )
    .unwrap_or(3)
    .min(inner.height / 3)
    .max(1);
    let [top, body] =
        Layout::vertical([Constraint::Length(sum_h + 1), Constraint::Min(1)]).areas(inner);
    f.render_widget(Paragraph::new(summary).wrap(Wrap { trim: false }), top);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(38), Constraint::Min(20)]).areas(body);

    // The samples, newest first; the picked one highlighted (none while a pasted event shows).
    let rows = usize::from(left.height.max(1));
    let first = tv
        .selected
        .saturating_sub(rows / 2)
        .min(rep.events.len().saturating_sub(rows));
    let list: Vec<Line> = rep
        .events
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, e)| {
            let (mark, style) = match e.verdict {
                Verdict::Match => ("● ", t.ok()),
                Verdict::NoMatch(_) => ("✖ ", t.fail()),
            };
            let text = format!(
                "{}{} {}",
                mark,
                e.time.format("%H:%M:%S"),
                safe_fit(&e.what, usize::from(left.width).saturating_sub(12))
            );
            if i == tv.selected && tv.pasted.is_none() {
                Line::from(Span::styled(text, t.selection()))
            } else {
                Line::from(Span::styled(text, style))
            }
        })
        .collect();
    f.render_widget(Paragraph::new(list), left);

    // The event shown: the pasted one, else the pick.
    let (label, event): (String, Option<Value>) = match &tv.pasted {
        Some(v) => ("the pasted event".into(), Some(v.clone())),
        None => match rep.events.get(tv.selected) {
            Some(e) => (
                format!("sample {} · id {}", e.time.format("%H:%M:%S"), e.id),
                serde_json::from_str(&e.json).ok(),
            ),
            None => ("no event".into(), None),
        },
    };
    let mut lines: Vec<Line> = Vec::new();
    let verdict = match (&pattern, &event) {
        (Some(p), Some(ev)) => Some(p.test(ev)),
        _ => None,
    };
    let failing = match &verdict {
        Some(Verdict::NoMatch(m)) => m.path.rsplit('.').next().map(|k| format!("\"{k}\":")),
        _ => None,
    };
    match &verdict {
        Some(Verdict::Match) => {
            lines.push(Line::from(Span::styled(format!("MATCH — {label}"), t.ok())))
        }
        Some(Verdict::NoMatch(m)) => {
            lines.push(Line::from(Span::styled(
                format!("NO MATCH — {label}"),
                t.fail(),
            )));
            lines.push(Line::from(safe_owned(&m.line(), t.fail())));
        }
        None => lines.push(Line::from(Span::styled(
            format!("{label}: the pattern cannot be read"),
            t.level(Level::Unknown),
        ))),
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("pattern of {}", tv.rule),
        t.title(),
    )));
    if let Ok(v) = serde_json::from_str::<Value>(&pattern_json) {
        lines.extend(marked(
            &serde_json::to_string_pretty(&v).unwrap_or_default(),
            failing.as_deref(),
            ctx,
        ));
    }
    if let Some(ev) = &event {
        // The opposite question: which rules of the bus take this event.
        let takers: Vec<String> = inv
            .map(|i| {
                i.rules
                    .iter()
                    .filter(|r| r.bus == tv.rule.bus)
                    .filter(|r| {
                        r.event_pattern
                            .as_deref()
                            .and_then(|p| Pattern::parse(p).ok())
                            .is_some_and(|p| p.test(ev).is_match())
                    })
                    .map(|r| {
                        if r.state.is_enabled() {
                            r.name.clone()
                        } else {
                            format!("{} ({}: takes nothing)", r.name, r.state.as_str())
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("rules on bus {} that match this event", tv.rule.bus),
            t.title(),
        )));
        lines.push(Line::from(safe_owned(
            &if takers.is_empty() {
                "none".to_string()
            } else {
                takers.join(", ")
            },
            if takers.is_empty() { t.warn() } else { t.ok() },
        )));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(label, t.title())));
        lines.extend(marked(
            &serde_json::to_string_pretty(ev).unwrap_or_default(),
            failing.as_deref(),
            ctx,
        ));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(tv.scroll).unwrap_or(u16::MAX), 0)),
        right,
    );
}
