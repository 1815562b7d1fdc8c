//! Saving what is on screen for the incident ticket (`S`): the frame as it is now — overlays,
//! status and all — rendered again off-screen from the same (snapshot, view), written as plain
//! text and as SVG (the `fhtop snapshot` formats) to `$FHTOP_SCREENS_DIR`, else
//! `$XDG_STATE_HOME/fhtop/screens` (as k9s keeps its screen dumps), else the temp directory.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::fresh::store::Merged;
use crate::ui::render::Ctx;
use crate::ui::view::View;

/// Where saved screens go (see the module doc).
pub fn screens_dir() -> PathBuf {
    std::env::var_os("FHTOP_SCREENS_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::state_dir().map(|d| d.join("fhtop").join("screens")))
        .unwrap_or_else(|| std::env::temp_dir().join("fhtop-screens"))
}

/// Renders the frame of `width` × `height` cells and writes `fhtop-<account>-<UTC time>.txt`
/// and `.svg` into `dir` (created if needed; the account is the first context's, or
/// `contexts` when several are watched). Returns the two paths.
///
/// Errors: the directory or a file could not be written (the message names the path).
pub fn save(
    w: &Merged,
    view: &View,
    ctx: &Ctx,
    (width, height): (u16, u16),
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<Vec<PathBuf>, String> {
    let buf = crate::ui::frame::draw(w, view, ctx, width.max(1), height.max(1))
        .map_err(|e| format!("rendering: {e}"))?;
    let account = if w.is_several() {
        "contexts".to_string()
    } else {
        w.snap(0)
            .identity
            .get()
            .map(|i| i.account.clone())
            .filter(|a| a.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or_else(|| "unknown".into())
    };
    let stem = format!("fhtop-{account}-{}", now.format("%Y%m%d-%H%M%S"));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (ext, body) in [
        ("txt", crate::ui::frame::to_text(&buf)),
        ("svg", crate::ui::frame::to_svg(&buf, ctx.theme)),
    ] {
        let path = dir.join(format!("{stem}.{ext}"));
        std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
