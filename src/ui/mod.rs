//! The terminal UI: view state, keymap, theme, and one render function per pane.

pub mod app;
pub mod chrome;
pub mod command;
pub mod effects;
pub mod fmt;
pub mod frame;
pub mod header;
pub mod headless;
pub mod keymap;
pub mod msg;
pub mod panes;
pub mod prepare;
pub mod recovery;
pub mod render;
pub mod screen;
pub mod settings;
pub mod snapshot;
pub mod terminal;
pub mod theme;
pub mod view;

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::Span;

/// Untrusted text → a span that is safe on a terminal. Every string that came from AWS goes
/// through here (or through `sanitize::clean`) before it is drawn.
pub fn safe<'a>(s: &'a str, style: Style) -> Span<'a> {
    match crate::text::sanitize::clean(s) {
        Cow::Borrowed(b) => Span::styled(b, style),
        Cow::Owned(o) => Span::styled(o, style),
    }
}

/// Untrusted text → an owned, clean, width-limited string.
pub fn safe_fit(s: &str, w: usize) -> String {
    fmt::fit(&crate::text::sanitize::clean(s), w)
}

/// An untrusted name (stream, rule, bus, alarm) sanitized and fitted into `w` columns by
/// cutting its middle, so names that differ only at the end stay distinguishable.
pub fn safe_fit_name(s: &str, w: usize) -> String {
    crate::text::fit_middle(&crate::text::sanitize::clean(s), w)
}

/// Untrusted text → an owned span that is safe on a terminal.
pub fn safe_owned(s: &str, style: Style) -> Span<'static> {
    Span::styled(crate::text::sanitize::clean(s).into_owned(), style)
}
