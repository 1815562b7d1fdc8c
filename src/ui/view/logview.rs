//! The Logs pane's cursor and one log event opened whole.

use super::*;

impl View {
    /// Enter on the Logs pane: the event at the cursor ([`View::log_scroll`] events up from the
    /// newest), whole in the overlay — time, group, stream, id, then the message: JSON
    /// pretty-printed, anything else as it came; wrapped, scrollable, sanitized when drawn.
    pub(super) fn open_log_event(&mut self, snap: &Snapshot) {
        let groups = self.target.log_groups(snap);
        let events = crate::ui::panes::logs::merged(snap, &groups);
        let Some(i) = log_cursor(&events, self) else {
            self.status = Some(Status {
                level: Level::Unknown,
                text: "no log event to open".into(),
            });
            return;
        };
        let e = events[i];
        let id = self.open_overlay(
            format!(
                "Log event — {} {}",
                e.group,
                e.timestamp.format("%Y-%m-%d %H:%M:%S%.3f UTC")
            ),
            String::new(),
        );
        self.finished(id, log_event_lines(e));
    }
}

/// The index of the Logs pane's cursor among `events` (oldest first): the newest when
/// following, else the event the user moved to ([`View::log_anchor`], so events arriving
/// meanwhile do not move it), else [`View::log_scroll`] events up from the newest; `None`
/// without events.
pub fn log_cursor(events: &[&crate::model::LogEvent], view: &View) -> Option<usize> {
    let last = events.len().checked_sub(1)?;
    if view.follow {
        return Some(last);
    }
    if let Some(a) = &view.log_anchor
        && let Some(i) = events.iter().position(|e| &e.event_id == a)
    {
        return Some(i);
    }
    Some(last.saturating_sub(view.log_scroll))
}

impl View {
    /// Moves the Logs cursor to `to(current index)` (clamped), anchored to that event; past the
    /// newest it follows again.
    pub(super) fn move_log_cursor(&mut self, snap: &Snapshot, to: impl Fn(usize) -> usize) {
        let events = crate::ui::panes::logs::merged(snap, &self.target.log_groups(snap));
        let Some(cur) = log_cursor(&events, self) else {
            return;
        };
        let last = events.len() - 1;
        let next = to(cur).min(last);
        if next == last && next >= cur {
            // Down onto (or at) the newest: follow the stream again.
            self.follow = true;
            self.log_scroll = 0;
            self.log_anchor = None;
            return;
        }
        self.follow = false;
        self.log_scroll = last - next;
        self.log_anchor = events.get(next).map(|e| e.event_id.clone());
    }
}

/// A log event as overlay lines: its fields, then the message — a Firehose error's code and
/// message first, JSON pretty-printed, other text line by line.
pub fn log_event_lines(e: &crate::model::LogEvent) -> Vec<(Tone, String)> {
    let mut out = vec![
        (
            Tone::Field,
            format!(
                "time       {}",
                e.timestamp.format("%Y-%m-%d %H:%M:%S%.3f UTC")
            ),
        ),
        (Tone::Field, format!("group      {}", e.group)),
        (Tone::Field, format!("stream     {}", e.stream)),
        (Tone::Field, format!("event id   {}", e.event_id)),
        (Tone::Note, String::new()),
    ];
    if let Some(err) = crate::model::parse_firehose_error(&e.message) {
        out.push((
            Tone::Row(Level::Fail),
            format!("{}: {}", err.code, err.message),
        ));
        out.push((Tone::Note, String::new()));
    }
    match serde_json::from_str::<serde_json::Value>(&e.message) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => out.extend(
            serde_json::to_string_pretty(&v)
                .unwrap_or_default()
                .lines()
                .map(|l| (Tone::Code, l.to_string())),
        ),
        _ => out.extend(e.message.lines().map(|l| (Tone::Code, l.to_string()))),
    }
    out
}
