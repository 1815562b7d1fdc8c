//! New data made ready off the UI task (issue 27): what a frame derives from a data change —
//! the diagnosis of every row, the sorted rows of the focused pane, the counts in the header,
//! the pollers' wants — is made on a blocking thread by drawing the frame once off screen;
//! the UI keeps drawing (and answering keys over) the data it shows until then, and then
//! swaps the prepared snapshots in, whose frame costs what a frame over unchanged data does.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::fresh::store::{Merged, MergedMemo, Part, Snapshot};
use crate::ui::keymap::Keymap;
use crate::ui::render::{self, render};
use crate::ui::theme::Theme;
use crate::ui::view::View;

/// What the off-screen frame is drawn with: the view and the screen's size as they were when
/// the data changed, the theme and keymap.
#[derive(Clone)]
pub struct Look {
    /// The view at the time of the data change (a view changed since pays for its own rows).
    pub view: View,
    /// The screen's (columns, rows).
    pub size: (u16, u16),
    /// The theme the frame is drawn with.
    pub theme: Arc<Theme>,
    /// The key bindings (the footer names them).
    pub keymap: Arc<Keymap>,
}

/// Makes `parts`' derived values (in their snapshots' shared caches and in `memo`) by drawing
/// one frame of them, then returns their snapshots, in order: call it on a blocking thread.
/// `now` is the clock the frame shows.
pub fn prepare(
    parts: Vec<Part>,
    memo: MergedMemo,
    look: &Look,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Snapshot> {
    let w = Merged::with_memo(parts, memo);
    for (i, p) in w.parts().iter().enumerate() {
        let _ = look.view.interest(&p.snap, i);
        let _ = look.view.wanted(&w, i);
    }
    let ctx = render::Ctx {
        theme: &look.theme,
        keymap: &look.keymap,
        now,
    };
    let mut view = look.view.clone();
    view.screen_rows = look.size.1;
    let Ok(mut term) = Terminal::new(TestBackend::new(look.size.0.max(1), look.size.1.max(1)));
    // A test backend cannot fail to draw; if it did, the UI would draw (and pay) itself.
    let _ = term.draw(|f| render(f, &w, &view, &ctx));
    w.parts().iter().map(|p| p.snap.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fresh::store::Store;
    use crate::model::Inventory;

    /// After `prepare`, the snapshots it returns hold their diagnosis and the focused pane's
    /// rows: the UI's frame makes neither again.
    #[test]
    fn prepared_snapshots_carry_their_rows() {
        let st = Store::new();
        st.set_inventory(Inventory::default(), chrono::Utc::now());
        let memo = MergedMemo::default();
        let settings = crate::ui::settings::AppSettings::default();
        let look = Look {
            view: View::with_settings(&settings),
            size: (80, 24),
            theme: Arc::new(Theme::default_theme()),
            keymap: Arc::new(Keymap::default()),
        };
        let parts = vec![Part {
            snap: st.snapshot(),
            ..Part::default()
        }];
        let snaps = prepare(parts, memo.clone(), &look, chrono::Utc::now());
        let made = std::sync::atomic::AtomicU32::new(0);
        let w = Merged::with_memo(
            vec![Part {
                snap: snaps[0].clone(),
                ..Part::default()
            }],
            memo,
        );
        let d = w.snap(0).diagnosis();
        assert!(Arc::ptr_eq(&d, &st.snapshot().diagnosis()), "shared");
        let rows = crate::ui::view::merged_entries(look.view.pane, &w, "", None);
        let again = w.snap(0).memo(
            &crate::ui::view::entries_key(look.view.pane, w.snap(0), "", 0, ""),
            || {
                made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Vec::<crate::ui::view::Entry>::new()
            },
        );
        assert!(
            Arc::ptr_eq(&rows, &again),
            "the pane's rows were made off the UI task"
        );
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}
