//! What every pane draws with: the render context (theme, keymap, the frame's "now"), bordered
//! blocks, block titles and the stale/loading note. Panes and the frame both use it; it uses
//! neither.

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

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
