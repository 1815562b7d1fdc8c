//! `fhtop snapshot`: one frame after the first complete poll, as plain text or SVG. Also what
//! the screenshot and render tests are built on.

use std::sync::Arc;

use anyhow::{Result, anyhow};
use crossterm::event::KeyEvent;

use crate::backend::{Backend, Clock};
use crate::fresh::store::Snapshot;
use crate::ui::headless::Headless;
use crate::ui::keymap::Keymap;
use crate::ui::msg::Msg;
use crate::ui::settings::AppSettings;
use crate::ui::view::View;

/// Poll everything once, press `keys`, poll the logs the view then wants, and return the
/// snapshot and view a frame is drawn from.
///
/// Errors: the first poll that fails.
pub async fn settle(
    backend: Arc<dyn Backend>,
    clock: Clock,
    settings: &AppSettings,
    keymap: &Keymap,
    keys: &[KeyEvent],
) -> Result<(Snapshot, View)> {
    let mut app = Headless::start(backend, clock, settings.clone(), keymap.clone()).await?;
    for k in keys {
        if !app.send(Msg::Key(*k)).await {
            break;
        }
    }
    app.poll_logs().await;
    Ok((app.snapshot(), app.view))
}

/// Parse `--at`.
pub fn parse_at(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| anyhow!("--at {s:?}: {e} (use RFC 3339, e.g. 2026-03-01T12:00:00Z)"))
}
