//! Logs: Firehose error events and EventBridge rule log events of the selected pipeline,
//! newest last, following the newest unless scrolled.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::fresh::store::Snapshot;
use crate::model::{LogEvent, parse_firehose_error};
use crate::ui::chrome::{Ctx, title};
use crate::ui::view::View;
use crate::ui::{safe, safe_fit, safe_owned};

/// The events of `groups`, merged oldest → newest.
pub fn merged<'a>(snap: &'a Snapshot, groups: &[String]) -> Vec<&'a LogEvent> {
    let mut v: Vec<&LogEvent> = Vec::new();
    if let Some(logs) = snap.logs.get() {
        for g in groups {
            if let Some(b) = logs.group(g) {
                v.extend(b.events.iter().map(|e| &**e));
            }
        }
    }
    v.sort_by(|a, b| {
        a.timestamp
            .cmp(&b.timestamp)
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    v
}

/// An EventBridge event (as `/aws/events/<rule>` log groups hold them) → (detail-type, source,
/// compact detail).
fn eventbridge_event(message: &str) -> Option<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(message).ok()?;
    let kind = v.get("detail-type")?.as_str()?.to_string();
    let source = v.get("source")?.as_str()?.to_string();
    let detail = v.get("detail").map(|d| d.to_string()).unwrap_or_default();
    Some((kind, source, detail))
}

/// One event as one row: time, source, and for Firehose errors "code: message".
pub fn line<'a>(e: &'a LogEvent, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    let source = e.group.rsplit('/').next().unwrap_or(&e.group);
    let mut spans = vec![
        Span::styled(e.timestamp.format("%H:%M:%S ").to_string(), t.dim()),
        Span::styled(format!("{} ", safe_fit(source, 22)), t.info()),
    ];
    if let Some(err) = parse_firehose_error(&e.message) {
        spans.push(Span::styled(
            format!("{}: ", safe_fit(&err.code, 60)),
            t.fail(),
        ));
        spans.push(safe_owned(&err.message, t.text()));
    } else if let Some((kind, source, detail)) = eventbridge_event(&e.message) {
        spans.push(Span::styled(format!("{} ", safe_fit(&kind, 40)), t.title()));
        spans.push(Span::styled(format!("{} ", safe_fit(&source, 40)), t.dim()));
        spans.push(safe_owned(&detail, t.text()));
    } else {
        spans.push(safe(&e.message, t.text()));
    }
    Line::from(spans)
}

/// Draws the Logs pane: the selected target's log groups merged, newest last, following or
/// scrolled back [`View::log_scroll`] lines.
pub fn render(f: &mut Frame, area: Rect, snap: &Snapshot, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let groups = view.target.log_groups(snap);
    let events = merged(snap, &groups);
    let follow = if view.follow { "follow" } else { "paused" };
    let note = if groups.is_empty() {
        "select a pipeline, stream or rule first".to_string()
    } else {
        format!("{} · {} events · {follow}", groups.join(", "), events.len())
    };
    let block = ctx.block(
        title(
            ctx,
            format!("Logs — {}", safe_fit(&view.target.label(), 60)),
            safe_fit(&note, 100),
        ),
        true,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let h = inner.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    for g in &groups {
        if let Some(err) = snap
            .logs
            .get()
            .and_then(|l| l.group(g))
            .and_then(|b| b.error.as_ref())
        {
            lines.push(Line::from(Span::styled(
                format!("{}: {}", safe_fit(g, 60), safe_fit(err, 120)),
                t.stale(),
            )));
        }
    }
    if events.is_empty() && lines.is_empty() {
        let msg = if groups.is_empty() {
            "No log groups: the selection has no Firehose error logging and no /aws/events/<rule> group."
        } else {
            "No events in the last 15 minutes."
        };
        lines.push(Line::from(Span::styled(msg, t.dim())));
    }
    let room = h.saturating_sub(lines.len());
    // The cursor (what Enter opens whole) is the bottom line: the newest when following.
    if let Some(cursor) = crate::ui::view::log_cursor(&events, view) {
        let end = cursor + 1;
        let start = end.saturating_sub(room);
        for (i, e) in events[start..end].iter().enumerate() {
            let l = line(e, ctx);
            lines.push(if start + i == cursor && !view.follow {
                l.patch_style(t.selection())
            } else {
                l
            });
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}
