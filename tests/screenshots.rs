//! The SVGs in `screenshots/` are generated from the demo account (fixed seed and instant) and
//! must match what the code renders now, so the README never shows a stale UI.
//! Regenerate with: `UPDATE_SCREENSHOTS=1 cargo test --test screenshots`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use std::path::Path;

use fhtop::ui::frame::to_svg;
use fhtop::ui::theme::Theme;

const SHOTS: [(&str, &str, &str); 7] = [
    ("pipelines", "", "default"),
    ("stream-drill-in", "enter", "default"),
    ("help", "?", "default"),
    ("rule-drill-in", "3 j enter", "default"),
    ("pipelines-ansi16", "", "ansi16"),
    ("permissions", "p", "default"),
    ("checks", "c", "default"),
];

#[test]
fn screenshots_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    let update = std::env::var_os("UPDATE_SCREENSHOTS").is_some();
    let mut stale = Vec::new();
    for (name, keys, theme) in SHOTS {
        let (snap, view) = common::settle(keys);
        let theme = Theme::load(theme, false).expect("theme");
        let svg = to_svg(&common::draw_with(&snap, &view, &theme, 160, 48), &theme);
        let path = dir.join(format!("{name}.svg"));
        if update {
            std::fs::write(&path, &svg).expect("write screenshot");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "screenshots out of date: {stale:?}; run UPDATE_SCREENSHOTS=1 cargo test --test screenshots"
    );
}
