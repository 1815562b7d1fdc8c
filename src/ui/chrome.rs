//! What every pane draws with: the render context (theme, keymap, the frame's "now"), bordered
//! blocks, block titles and the stale/loading note. Panes and the frame both use it; it uses
//! neither.

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use unicode_width::UnicodeWidthStr;

use crate::ui::fmt;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;

/// Everything a frame depends on besides the data and the view.
pub struct Ctx<'a> {
    /// Colours and styles.
    pub theme: &'a Theme,
    /// Key bindings (for hints and help).
    pub keymap: &'a Keymap,
    /// The instant the frame is drawn for: ages ("3m ago") are measured from it.
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    /// A bordered block with this title; the border is highlighted when `focused`.
    pub fn block<'b>(&self, title: Line<'b>, focused: bool) -> Block<'b> {
        Block::default()
            .borders(Borders::ALL)
            .border_style(self.theme.border(focused))
            .title(title)
    }
}

/// "title · note" block title.
pub fn title<'a>(ctx: &Ctx, main: String, note: String) -> Line<'a> {
    let mut v = vec![Span::styled(format!(" {main} "), ctx.theme.title())];
    if !note.is_empty() {
        v.push(Span::styled(format!("{note} "), ctx.theme.dim()));
    }
    Line::from(v)
}

/// A block title that fits `width` columns (the block's): `main` cut to fit (at most 70), and
/// the hint only when both fit — a title never runs over the border.
pub fn title_within<'a>(ctx: &Ctx, main: &str, hint: String, width: u16) -> Line<'a> {
    let room = usize::from(width.saturating_sub(4));
    let head = crate::ui::safe_fit(main, room.min(70));
    let hint = if head.chars().count() + hint.chars().count() + 3 <= room {
        hint
    } else {
        String::new()
    };
    title(ctx, head, hint)
}

/// A note for a block title when the section behind it is stale or missing.
pub fn staleness(
    ctx: &Ctx,
    fetched: Option<DateTime<Utc>>,
    err: Option<&crate::fresh::store::SectionError>,
) -> (String, Style) {
    match (fetched, err) {
        (_, Some(e)) => (
            format!(
                "stale {} · {}",
                fetched.map_or_else(|| "never fetched".to_string(), |t| fmt::age(ctx.now, t)),
                crate::ui::safe_fit(&e.message, 50)
            ),
            ctx.theme.stale(),
        ),
        (None, None) => ("loading…".to_string(), ctx.theme.dim()),
        (Some(_), None) => (String::new(), ctx.theme.dim()),
    }
}

/// `prefix`, then `text` (untrusted: sanitized here) in `style`, wrapped at word boundaries to
/// `width` columns; continuation lines are indented under the text (a hanging indent), so a
/// line is never cut mid-word at the border. A word longer than the room left is broken.
pub fn hanging(
    prefix: Vec<Span<'static>>,
    text: &str,
    style: Style,
    width: u16,
) -> Vec<Line<'static>> {
    hanging_within(prefix, text, style, width, usize::MAX)
}

/// [`hanging`] in at most `rows` rows (at least 1): the last one kept ends after a whole word
/// with "…" when the text goes on.
pub fn hanging_within(
    prefix: Vec<Span<'static>>,
    text: &str,
    style: Style,
    width: u16,
    rows: usize,
) -> Vec<Line<'static>> {
    let indent: usize = prefix.iter().map(|s| s.content.width()).sum();
    // At least 10 columns of text, even when the prefix leaves less (the border cuts then).
    let room = usize::from(width).saturating_sub(indent).max(10);
    let clean = crate::text::sanitize::clean(text);
    let mut wrapped: Vec<String> =
        textwrap::wrap(&clean, textwrap::Options::new(room).break_words(true))
            .into_iter()
            .map(|c| c.into_owned())
            .collect();
    let keep = rows.max(1);
    if wrapped.len() > keep {
        wrapped.truncate(keep);
        if let Some(last) = wrapped.last_mut() {
            // Room for the "…" after the last whole word.
            *last = crate::text::fit_words(&format!("{last} …"), room);
        }
    }
    let mut rows = wrapped.into_iter();
    let first = rows.next().unwrap_or_default();
    let mut first_line = prefix;
    first_line.push(Span::styled(first, style));
    let mut out = vec![Line::from(first_line)];
    out.extend(
        rows.map(|r| Line::from(vec![Span::raw(" ".repeat(indent)), Span::styled(r, style)])),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn hanging_wraps_at_words_under_the_text() {
        let lines = hanging(
            vec![Span::raw("12:00 "), Span::raw("alarm     ")],
            "orders-freshness went to ALARM: threshold crossed on DeliveryToS3.DataFreshness",
            Style::default(),
            44,
        );
        let rows: Vec<String> = lines.iter().map(text).collect();
        assert!(rows.len() > 1, "{rows:?}");
        assert!(rows[0].starts_with("12:00 alarm     orders-freshness"));
        for r in &rows {
            assert!(r.width() <= 44, "{r:?}");
        }
        for r in &rows[1..] {
            assert!(r.starts_with(&" ".repeat(16)), "hanging indent: {r:?}");
            assert!(!r[16..].starts_with(' '));
        }
        // Every word whole on some row: nothing cut mid-word.
        let joined: Vec<&str> = rows.iter().flat_map(|r| r.split_whitespace()).collect();
        assert!(joined.contains(&"threshold") && joined.contains(&"DeliveryToS3.DataFreshness"));
        // Untrusted text is sanitized.
        let l = hanging(Vec::new(), "a\u{1b}[2Jb", Style::default(), 20);
        assert!(!text(&l[0]).contains('\u{1b}'));
    }
}
