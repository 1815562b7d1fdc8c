//! No panic at any terminal size from 1×1 to 400×120, in any pane, drill-in or overlay, and
//! across resize storms on one terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use std::sync::OnceLock;

use fhtop::fresh::store::Merged;
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::render::{Ctx, render};
use fhtop::ui::theme::Theme;
use fhtop::ui::view::View;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

const VIEWS: [&str; 10] = [
    "",
    "2",
    "3",
    "4",
    "5",
    "6",
    "enter",
    "3 j enter",
    "?",
    "/ o r d",
];

fn data() -> &'static Merged {
    static SNAP: OnceLock<Merged> = OnceLock::new();
    SNAP.get_or_init(|| Merged::one(common::settle("").0))
}

fn view_after(keys: &str) -> View {
    let snap = data();
    let mut v = View::new(true);
    v.sync_target(snap);
    let km = Keymap::default();
    for k in parse_key_sequence(keys).unwrap_or_default() {
        v.on_key(&k, &km, snap);
    }
    v
}

fn draw(term: &mut Terminal<TestBackend>, view: &View) {
    let theme = Theme::default_theme();
    let km = Keymap::default();
    let ctx = Ctx {
        theme: &theme,
        keymap: &km,
        now: common::at(),
    };
    term.draw(|f| render(f, data(), view, &ctx)).expect("draw");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn any_size_any_view(w in 1u16..=400, h in 1u16..=120, v in 0usize..VIEWS.len()) {
        let view = view_after(VIEWS[v]);
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        draw(&mut term, &view);
        prop_assert_eq!(term.backend().buffer().area, Rect::new(0, 0, w, h));
    }
}

#[test]
fn every_small_size_exhaustively() {
    for v in VIEWS {
        let view = view_after(v);
        for w in 1..=45u16 {
            for h in 1..=25u16 {
                let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
                draw(&mut term, &view);
            }
        }
    }
}

#[test]
fn resize_storm_on_one_terminal() {
    let view = view_after("enter");
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    let mut x: u32 = 12345;
    for _ in 0..500 {
        // xorshift: sizes jump around, including to 1×1 and back.
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let w = (x % 300) as u16 + 1;
        let h = ((x >> 9) % 100) as u16 + 1;
        term.backend_mut().resize(w, h);
        term.resize(Rect::new(0, 0, w, h)).expect("resize");
        draw(&mut term, &view);
    }
}
