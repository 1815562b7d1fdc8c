//! Cost of one frame and of one demo metrics poll, in release mode.
//!
//!   cargo bench --bench frame
//!
//! Prints the mean over many iterations; compare runs on the same machine only.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

use std::sync::Arc;
use std::time::Instant;

use fhtop::backend::{Backend, Clock, demo::DemoBackend};
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::theme::Theme;

fn main() -> anyhow::Result<()> {
    let clock = Clock::Fixed(fhtop::snapshot::parse_at("2026-03-01T12:00:30Z")?);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let backend: Arc<dyn Backend> = Arc::new(DemoBackend::new(7, clock, None));
    let km = Keymap::default();
    let theme = Theme::default_theme();
    let ctx = fhtop::ui::render::Ctx {
        theme: &theme,
        keymap: &km,
        now: clock.now(),
    };
    for (name, keys) in [
        ("pipelines", ""),
        ("logs", "5"),
        ("stream drill-in", "enter"),
    ] {
        let keys = parse_key_sequence(keys)?;
        let settings = fhtop::ui::effects::AppSettings {
            read_only: false,
            writer_policy: "firehose_writer".into(),
            window_minutes: 180,
        };
        let (snap, view) = rt.block_on(fhtop::snapshot::settle(
            backend.clone(),
            clock,
            &settings,
            &km,
            &keys,
        ))?;
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48))?;
        let n = 300u32;
        let t = Instant::now();
        for _ in 0..n {
            term.draw(|f| fhtop::ui::render::render(f, &snap, &view, &ctx))?;
        }
        println!(
            "frame 160x48 {name:<16} {:>8.1} µs",
            t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        );
    }
    let store = Arc::new(fhtop::store::Store::new());
    let c = fhtop::poll::PollCtx {
        backend,
        store: store.clone(),
        clock,
        window_minutes: 180,
        cache_dir: None,
    };
    rt.block_on(fhtop::poll::poll_inventory(&c))?;
    let n = 50u32;
    let t = Instant::now();
    for _ in 0..n {
        rt.block_on(fhtop::poll::poll_all_metrics(&c, &store.snapshot()))?;
    }
    println!(
        "demo metrics poll (all series)  {:>8.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    );
    Ok(())
}
