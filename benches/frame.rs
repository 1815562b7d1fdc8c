//! Cost of one frame and of one demo metrics poll, in release mode.
//!
//!   cargo bench --bench frame
//!
//! Prints the mean over many iterations; compare runs on the same machine only.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use fhtop::backend::{Backend, Clock, demo::DemoBackend};
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::theme::Theme;

fn main() -> anyhow::Result<()> {
    let clock = Clock::Fixed(fhtop::ui::snapshot::parse_at("2026-03-01T12:00:30Z")?);
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
        let settings = fhtop::ui::settings::AppSettings::default();
        let (snap, view) = rt.block_on(fhtop::ui::snapshot::settle(
            backend.clone(),
            clock,
            &settings,
            &km,
            &keys,
        ))?;
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48))?;
        let snap = fhtop::fresh::store::Merged::one(snap);
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
    // Issues 12 and 27: one frame at 160x48 for 10 to 20,000 rows, the large account built in
    // code from the demo's streams (copies under other names, each with its original's
    // metrics). New data's diagnosis and sorted rows are made once, off the UI task; every
    // frame reuses them and builds only the rows on screen.
    let settings = fhtop::ui::settings::AppSettings::default();
    let (base, _) = rt.block_on(fhtop::ui::snapshot::settle(
        backend.clone(),
        clock,
        &settings,
        &km,
        &[],
    ))?;
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48))?;
    let look = |view: &fhtop::ui::view::View| fhtop::ui::prepare::Look {
        view: view.clone(),
        size: (160, 48),
        theme: Arc::new(theme.clone()),
        keymap: Arc::new(km.clone()),
    };
    for rows in [10usize, 100, 1_000, 10_000, 20_000] {
        let store = scaled(&base, rows, clock.now())?;
        for (label, at) in [("top", 0usize), ("middle", rows / 2)] {
            let mut view = fhtop::ui::view::View::with_settings(&settings);
            view.pane = fhtop::ui::view::Pane::Streams;
            view.lists[1].selected = at;
            // New data: prepared off the UI task (the diagnosis, the sorted rows), then the
            // UI's share — the pollers' wants and the first frame of the prepared snapshot.
            store.set_alarms(base.alarms.get().cloned().unwrap_or_default(), clock.now());
            let memo = fhtop::fresh::store::MergedMemo::default();
            let t = Instant::now();
            let part = fhtop::fresh::store::Part {
                snap: store.snapshot(),
                ..Default::default()
            };
            let prepared =
                fhtop::ui::prepare::prepare(vec![part], memo.clone(), &look(&view), clock.now());
            let off_ui = t.elapsed();
            let t = Instant::now();
            let snap = fhtop::fresh::store::Merged::with_memo(
                vec![fhtop::fresh::store::Part {
                    snap: prepared[0].clone(),
                    ..Default::default()
                }],
                memo,
            );
            let _ = view.interest(snap.snap(0), 0);
            let _ = view.wanted(&snap, 0);
            term.draw(|f| fhtop::ui::render::render(f, &snap, &view, &ctx))?;
            let first = t.elapsed();
            // The same data change drawn without preparing it (what the UI would pay).
            store.set_alarms(base.alarms.get().cloned().unwrap_or_default(), clock.now());
            let t = Instant::now();
            let unprepared = fhtop::fresh::store::Merged::one(store.snapshot());
            term.draw(|f| fhtop::ui::render::render(f, &unprepared, &view, &ctx))?;
            let whole = t.elapsed();
            let n = 500u32;
            let t = Instant::now();
            for _ in 0..n {
                term.draw(|f| fhtop::ui::render::render(f, &snap, &view, &ctx))?;
            }
            println!(
                "frame 160x48 Streams {rows:>6} rows, selection at the {label:<6} {:>7.1} µs a frame; after new data: {:>7.1} µs on the UI task, {:>8.1} µs prepared off it ({:>8.1} µs unprepared)",
                t.elapsed().as_secs_f64() * 1e6 / f64::from(n),
                first.as_secs_f64() * 1e6,
                off_ui.as_secs_f64() * 1e6,
                whole.as_secs_f64() * 1e6
            );
        }
    }

    let store = Arc::new(fhtop::fresh::store::Store::new());
    let c = fhtop::fresh::ctx::PollCtx {
        backend,
        store: store.clone(),
        clock,
        window_minutes: 180,
        cache_dir: None,
    };
    rt.block_on(fhtop::fresh::poll::poll_inventory(&c))?;
    let n = 50u32;
    let t = Instant::now();
    for _ in 0..n {
        rt.block_on(fhtop::fresh::metrics::poll_all_metrics(
            &c,
            &store.snapshot(),
        ))?;
    }
    println!(
        "demo metrics poll (all series)  {:>8.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    );
    Ok(())
}

/// A store holding `rows` streams: the demo's, then copies of them under other names (each
/// with its original's metrics) until there are `rows`; the demo's rules, alarms and identity.
fn scaled(
    base: &fhtop::fresh::store::Snapshot,
    rows: usize,
    at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<fhtop::fresh::store::Store> {
    use fhtop::model::Scope;
    let inv = &base.inventory.get().context("demo inventory")?.inv;
    let m = base.metrics.get().context("demo metrics")?;
    let mut big = inv.clone();
    big.streams.clear();
    let mut metrics = fhtop::model::Metrics::new(m.window);
    for i in 0..rows {
        let orig = &inv.streams[i % inv.streams.len()];
        let mut s = fhtop::model::Stream::clone(orig);
        if i >= inv.streams.len() {
            s.name = format!("{}-{i:05}", orig.name);
        }
        for (scope, id) in m.keys() {
            let Some(series) = m.series(scope, id) else {
                continue;
            };
            if *scope == Scope::Stream(orig.name.clone()) {
                metrics.put(Scope::Stream(s.name.clone()), id, 0, series.to_vec());
            } else if i == 0 && matches!(scope, Scope::Rule(_)) {
                metrics.put(scope.clone(), id, 0, series.to_vec());
            }
        }
        big.streams.push(s.into());
    }
    big.streams.sort_by(|a, b| a.name.cmp(&b.name));
    let store = fhtop::fresh::store::Store::new();
    if let Some(id) = base.identity.get() {
        store.set_identity(id.clone(), at);
    }
    store.set_inventory(big, at);
    store.set_metrics(metrics, at);
    store.set_alarms(base.alarms.get().cloned().unwrap_or_default(), at);
    Ok(store)
}
