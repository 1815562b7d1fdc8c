//! Shared helpers: a settled demo snapshot at a fixed instant, and frame rendering.
#![allow(dead_code)]

pub mod tmux;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use fhtop::backend::{Clock, demo::DemoBackend};
use fhtop::fresh::store::Snapshot;
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::render::Ctx;
use fhtop::ui::settings::AppSettings;
use fhtop::ui::theme::Theme;
use fhtop::ui::view::View;
use fhtop::ui::{frame, snapshot};
use ratatui::buffer::Buffer;

pub const AT: &str = "2026-03-01T12:00:30Z";
pub const SEED: u64 = 7;

pub fn at() -> DateTime<Utc> {
    snapshot::parse_at(AT).expect("fixed instant parses")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The settings the tests run the app with: writable, the runbook's policy name, 3 h window.
pub fn app_settings() -> AppSettings {
    AppSettings::default()
}

/// The demo account in two regions as two contexts, each polled once: `lake` (eu-west-1,
/// marked production) and `dr` (us-east-1).
pub fn two_contexts() -> fhtop::fresh::store::Merged {
    let part = |name: &str, region: &str, production: bool| {
        let clock = Clock::Fixed(at());
        let backend = Arc::new(DemoBackend::new(SEED, clock, Some(region.to_string())));
        let (snap, _) = runtime()
            .block_on(snapshot::settle(
                backend,
                clock,
                &app_settings(),
                &Keymap::default(),
                &[],
            ))
            .expect("demo settles");
        fhtop::fresh::store::Part {
            name: name.to_string(),
            production,
            read_only: false,
            snap,
        }
    };
    fhtop::fresh::store::Merged::new(vec![
        part("lake", "eu-west-1", true),
        part("dr", "us-east-1", false),
    ])
}

/// Poll the demo account once, press `keys`, return the data and the view.
pub fn settle(keys: &str) -> (Snapshot, View) {
    let clock = Clock::Fixed(at());
    let backend = Arc::new(DemoBackend::new(SEED, clock, None));
    let keys = parse_key_sequence(keys).expect("keys parse");
    runtime()
        .block_on(snapshot::settle(
            backend,
            clock,
            &app_settings(),
            &Keymap::default(),
            &keys,
        ))
        .expect("demo settles")
}

pub fn draw_with(snap: &Snapshot, view: &View, theme: &Theme, w: u16, h: u16) -> Buffer {
    let keymap = Keymap::default();
    let ctx = Ctx {
        theme,
        keymap: &keymap,
        now: at(),
    };
    frame::draw(&one(snap), view, &ctx, w, h).expect("draws")
}

/// One context's snapshot as the view takes every context's.
pub fn one(snap: &Snapshot) -> fhtop::fresh::store::Merged {
    fhtop::fresh::store::Merged::one(snap.clone())
}

/// The frame after `keys`, as text, at `w`×`h`.
pub fn frame(keys: &str, w: u16, h: u16) -> String {
    let (snap, view) = settle(keys);
    frame::to_text(&draw_with(&snap, &view, &Theme::default_theme(), w, h))
}

/// (status, summary) of every `fhtop check --json` finding of `check` on `target`.
pub fn findings_of<'a>(
    fs: &'a [serde_json::Value],
    check: &str,
    target: &str,
) -> Vec<(&'a str, &'a str)> {
    fs.iter()
        .filter(|f| f["check"] == check && f["target"] == target)
        .map(|f| {
            (
                f["status"].as_str().unwrap_or(""),
                f["summary"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

/// Whether a finding of `check` on `target` has `status` and a summary containing `text`.
pub fn has_finding(
    fs: &[serde_json::Value],
    check: &str,
    target: &str,
    status: &str,
    text: &str,
) -> bool {
    findings_of(fs, check, target)
        .iter()
        .any(|(s, summary)| *s == status && summary.contains(text))
}
