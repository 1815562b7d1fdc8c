//! The strip under a list pane: why the selected row has the health it has, and its newest
//! error log lines. Answers "what is wrong here?" without a keypress.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::fresh::store::Snapshot;
use crate::judge::health::{Health, target_health};
use crate::ui::chrome::{Ctx, title};
use crate::ui::view::{Focus, View};
use crate::ui::{safe_fit, safe_owned};

/// Health of whatever the target names: rule and stream findings together.
pub fn target_findings(snap: &Snapshot, target: &Focus) -> Option<Health> {
    let inp = snap.health_inputs()?;
    Some(target_health(
        &inp,
        target.rule.as_ref(),
        target.stream.as_deref(),
    ))
}

/// Draws the context strip: the selected target's findings on the left, its newest log
/// lines on the right.
pub fn render(f: &mut Frame, area: Rect, snap: &Snapshot, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    let target = &view.target;
    let label = safe_fit(&target.label(), 60);

    let block = ctx.block(title(ctx, format!("Why — {label}"), String::new()), false);
    let inner = block.inner(left);
    f.render_widget(block, left);
    let mut lines: Vec<Line> = Vec::new();
    // An error row: what could not be read and why, whole (never "healthy").
    let unread = target.unread.as_ref().and_then(|(kind, name)| {
        snap.inventory.get().and_then(|i| {
            i.inv
                .errors
                .iter()
                .find(|e| e.kind == *kind && e.name == *name)
        })
    });
    if let Some(e) = unread {
        let level = if e.is_one_resource() {
            crate::judge::health::Level::Fail
        } else {
            crate::judge::health::Level::Unknown
        };
        let text = format!(
            "{} {}: {}",
            level.mark(),
            e.what_failed(),
            crate::text::sanitize::clean(&e.explained())
        );
        f.render_widget(
            Paragraph::new(text)
                .style(t.level(level))
                .wrap(ratatui::widgets::Wrap { trim: false }),
            inner,
        );
    } else {
        match target_findings(snap, target) {
            Some(h) if h.findings.is_empty() => {
                lines.push(Line::from(Span::styled(
                    "● nothing wrong in metrics, error logs or alarms",
                    t.ok(),
                )));
                lines.push(Line::from(Span::styled(
                    "  permissions are not simulated here: p (or c for every check)",
                    t.dim(),
                )));
            }
            Some(h) => {
                for fd in &h.findings {
                    lines.push(Line::from(vec![
                        Span::styled(format!("{} ", fd.level.mark()), t.level(fd.level)),
                        safe_owned(&fd.text, t.level(fd.level)),
                    ]));
                }
            }
            None => lines.push(Line::from(Span::styled("loading…", t.dim()))),
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    let groups = target.log_groups(snap);
    let events = super::logs::merged(snap, &groups);
    let note = format!("{} events · Enter/5 for more", events.len());
    let block = ctx.block(title(ctx, "Recent log events".into(), note), false);
    let inner = block.inner(right);
    f.render_widget(block, right);
    let h = inner.height as usize;
    let lines: Vec<Line> = if events.is_empty() {
        vec![Line::from(Span::styled(
            if groups.is_empty() {
                "no log group for this selection"
            } else {
                "no events in the last 15 minutes"
            },
            t.dim(),
        ))]
    } else {
        events[events.len().saturating_sub(h)..]
            .iter()
            .map(|e| super::logs::line(e, ctx))
            .collect()
    };
    f.render_widget(Paragraph::new(lines), inner);
}
