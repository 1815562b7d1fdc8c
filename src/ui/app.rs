//! The interactive loop: `select!` over terminal events, store notifications, effect answers, a
//! 1 s clock and signals; each becomes one [`Msg`] for [`update`], whose effects run off the UI
//! task through the [`Runner`]. Keys and resizes redraw at once; new data is prepared off the
//! UI task ([`crate::ui::prepare`]) and redraws with the next clock second.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio::signal::unix::{SignalKind, signal};

use crate::backend::{Backend, Clock};
use crate::config::{Context, Settings};
use crate::fresh::store::{Merged, MergedMemo, Part, Snapshot, Store};
use crate::fresh::{ctx, poll};
use crate::ui::effects::{Runner, Runners};
use crate::ui::keymap::Keymap;
use crate::ui::msg::{Msg, update};
use crate::ui::prepare::{Look, prepare};
use crate::ui::render::{self, render};
use crate::ui::settings::AppSettings;
use crate::ui::terminal::TerminalGuard;
use crate::ui::theme::Theme;
use crate::ui::view::{Effect, View};

/// Route `tracing` events to the App log pane (and nowhere else: stdout is the screen).
///
/// `tui_logger::init_logger` is deliberately not called: it starts a thread that wakes every
/// 10 ms to move events from its hot buffer, which alone costs more than the whole idle UI.
/// The UI loop calls `tui_logger::move_events()` before each frame instead.
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    tui_logger::set_default_level(tui_logger::LevelFilter::Info);
    let sub = tracing_subscriber::registry().with(tui_logger::TuiTracingSubscriberLayer);
    let _ = tracing::subscriber::set_global_default(sub);
}

/// One context the dashboard watches: what the config says of it, and its backend.
pub struct Watched {
    /// The context (name, profile, region, endpoint, production, read-only).
    pub context: Context,
    /// Its backend (its own profile, region, endpoint, pacing).
    pub backend: Arc<dyn Backend>,
}

/// Makes the backend of a context added while the dashboard runs (`:region`): the AWS
/// backend of its profile, region and endpoint, or the demo account in that region.
pub type Connect = Arc<dyn Fn(Context) -> BoxFuture<'static, Arc<dyn Backend>> + Send + Sync>;

/// One watched context at run time: its store and its pollers (its effect runner is in
/// [`Runners`], at the same index).
struct Running {
    context: Context,
    store: Arc<Store>,
    pollers: poll::Pollers,
    /// The snapshot the UI draws: the store's newest once prepared off the UI task.
    shown: Snapshot,
}

/// Every context's snapshot, as the view draws them (merged values kept in `memo`).
fn merged(running: &[Running], memo: &MergedMemo) -> Merged {
    Merged::with_memo(
        running
            .iter()
            .map(|r| Part {
                name: r.context.name.clone(),
                production: r.context.production,
                read_only: r.context.read_only,
                snap: r.shown.clone(),
            })
            .collect(),
        memo.clone(),
    )
}

/// Starts preparing every context's newest data off the UI task ([`prepare`]), drawn as
/// `look` says; the prepared snapshots arrive on `tx`.
fn start_prepare(
    running: &[Running],
    memo: &MergedMemo,
    look: Look,
    clock: Clock,
    tx: &tokio::sync::mpsc::UnboundedSender<Vec<Snapshot>>,
) {
    let parts: Vec<Part> = running
        .iter()
        .map(|r| Part {
            name: r.context.name.clone(),
            production: r.context.production,
            read_only: r.context.read_only,
            snap: r.store.snapshot(),
        })
        .collect();
    let raw: Vec<Snapshot> = parts.iter().map(|p| p.snap.clone()).collect();
    let (memo, tx) = (memo.clone(), tx.clone());
    tokio::spawn(async move {
        let prepared =
            tokio::task::spawn_blocking(move || prepare(parts, memo, &look, clock.now())).await;
        // A preparation that panicked hands over the data as it is: the loop is never left
        // waiting (and draws, and pays, itself).
        let _ = tx.send(prepared.unwrap_or(raw));
    });
}

/// Starts watching `w`: its store (whose writes wake the loop through `notify`), its pollers
/// and its effect runner.
fn start(
    w: Watched,
    settings: &Settings,
    clock: Clock,
    notify: &Arc<tokio::sync::watch::Sender<u64>>,
) -> (Running, Runner) {
    let store = Arc::new(Store::new());
    let mut rx = store.subscribe();
    let tx = notify.clone();
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            tx.send_modify(|n| *n = n.wrapping_add(1));
        }
    });
    let pollers = poll::spawn(
        ctx::PollCtx {
            backend: w.backend.clone(),
            store: store.clone(),
            clock,
            window_minutes: settings.window_minutes,
            cache_dir: if settings.demo {
                None
            } else {
                crate::fresh::cache::default_dir()
            },
        },
        settings.intervals,
    );
    let mut app = AppSettings::from(settings);
    app.read_only |= w.context.read_only;
    app.production |= w.context.production;
    let runner = Runner {
        backend: w.backend,
        store: store.clone(),
        clock,
        settings: app,
        recoveries: Default::default(),
    };
    (
        Running {
            context: w.context,
            shown: store.snapshot(),
            store,
            pollers,
        },
        runner,
    )
}

/// The context `:region REGION` asks for, from context `base`: the same profile and
/// endpoint in `region`, named `PROFILE/REGION`.
fn with_region(base: &Context, region: &str) -> Context {
    Context {
        name: Context::name_of(base.profile.as_deref(), Some(region)),
        region: Some(region.to_string()),
        ..base.clone()
    }
}

/// The TUI over `contexts` (one or more, each with its own store, pollers, pacing and
/// staleness; one failing never blanks another): starts the pollers, enters the alternate
/// screen, runs the key / data / effect loop until quit, and restores the terminal.
///
/// Errors: the terminal could not be set up or drawn to.
pub async fn run(
    settings: &Settings,
    theme: &Theme,
    keymap: &Keymap,
    contexts: Vec<Watched>,
    connect: Connect,
    clock: Clock,
) -> Result<()> {
    init_logging();
    tracing::info!(
        "fhtop {} started ({}; {} context{})",
        env!("CARGO_PKG_VERSION"),
        if settings.demo { "demo account" } else { "AWS" },
        contexts.len(),
        if contexts.len() == 1 { "" } else { "s" }
    );
    // Every store's writes wake the one loop.
    let (notify_tx, mut store_rx) = tokio::sync::watch::channel(0u64);
    let notify_tx = Arc::new(notify_tx);
    let mut running = Vec::new();
    let mut runners = Runners(Vec::new());
    for c in contexts {
        let (r, runner) = start(c, settings, clock, &notify_tx);
        running.push(r);
        runners.0.push(runner);
    }
    // Contexts added while running (`:region`) arrive here once their backend is made.
    let (added_tx, mut added_rx) = tokio::sync::mpsc::unbounded_channel::<Watched>();
    // Contexts being connected: a second `:region` for one is not a second context.
    let mut connecting: Vec<Context> = Vec::new();
    let memo = MergedMemo::default();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut guard = TerminalGuard::enter()?;
    // The settings' production mark is one context's (several: each part carries its own).
    let mut view = View::with_settings(&AppSettings::from(settings));
    // Answers of effects running off the UI task come back here as messages.
    let (answer_tx, mut answer_rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut shown_complete = false;
    // New data is prepared off the UI task, one preparation at a time; data that changes
    // meanwhile is prepared next.
    let (prepared_tx, mut prepared_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<Snapshot>>();
    let (mut preparing, mut pending) = (false, false);
    let (look_theme, look_keymap) = (Arc::new(theme.clone()), Arc::new(keymap.clone()));
    let look = |view: &View, size: ratatui::layout::Size| Look {
        view: view.clone(),
        size: (size.width, size.height),
        theme: look_theme.clone(),
        keymap: look_keymap.clone(),
    };
    loop {
        if dirty {
            tui_logger::move_events();
            let w = merged(&running, &memo);
            view.screen_rows = guard.terminal.size()?.height;
            for (i, r) in running.iter().enumerate() {
                r.pollers.set_interest(view.interest(w.snap(i), i));
                r.pollers.set_wanted(view.wanted(&w, i));
            }
            let ctx = render::Ctx {
                theme,
                keymap,
                now: clock.now(),
            };
            guard.terminal.draw(|f| render(f, &w, &view, &ctx))?;
            // Settled: every context complete, or failing (a context that is down must not
            // keep every new datum of the others drawing at once).
            shown_complete = w
                .parts()
                .iter()
                .all(|p| p.snap.is_complete() || !p.snap.stale_sections().is_empty());
            dirty = false;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Some(Ok(Event::Resize(..))) => Msg::Resize,
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            _ = store_rx.changed() => {
                if preparing {
                    pending = true;
                } else {
                    preparing = true;
                    let size = guard.terminal.size()?;
                    start_prepare(&running, &memo, look(&view, size), clock, &prepared_tx);
                }
                continue;
            }
            Some(snaps) = prepared_rx.recv() => {
                let old: Vec<Snapshot> = running
                    .iter_mut()
                    .zip(snaps)
                    .map(|(r, s)| std::mem::replace(&mut r.shown, s))
                    .collect();
                // The snapshots drawn until now are often the last holders of their rows and
                // diagnosis (at 5,000 streams, 7 to 11 ms to free): freed off the UI thread.
                drop(tokio::task::spawn_blocking(move || drop(old)));
                preparing = pending;
                if pending {
                    pending = false;
                    let size = guard.terminal.size()?;
                    start_prepare(&running, &memo, look(&view, size), clock, &prepared_tx);
                }
                Msg::DataChanged
            }
            Some(m) = answer_rx.recv() => m,
            Some(w) = added_rx.recv() => {
                tracing::info!("watching context {}", crate::text::sanitize::clean(&w.context.name));
                connecting.retain(|c| c != &w.context);
                let (r, runner) = start(w, settings, clock, &notify_tx);
                running.push(r);
                runners.0.push(runner);
                Msg::ContextAdded(running.len() - 1)
            }
            _ = tick.tick() => Msg::Tick,
            _ = sigterm.recv() => Msg::Stop,
            _ = sighup.recv() => Msg::Stop,
            _ = sigint.recv() => Msg::Stop,
        };
        // New data is drawn with the next clock second (ages are shown in seconds, so nothing
        // is lost), which halves idle redraws; before the first complete poll it is drawn at
        // once. Everything else redraws now.
        dirty |= !matches!(msg, Msg::DataChanged) || !shown_complete;
        let w = merged(&running, &memo);
        let mut quit = false;
        for effect in update(&mut view, msg, keymap, &w) {
            match effect {
                Effect::Quit => quit = true,
                Effect::Refresh => {
                    tracing::info!("refresh requested");
                    for r in &running {
                        r.pollers.refresh_now();
                    }
                }
                Effect::None => {}
                Effect::AddRegion(base, region) => {
                    let Some(base) = running.get(base).map(|r| r.context.clone()) else {
                        continue;
                    };
                    let want = with_region(&base, &region);
                    let same = |c: &Context| {
                        c.profile == want.profile
                            && c.region == want.region
                            && c.endpoint_url == want.endpoint_url
                    };
                    if let Some(i) = running.iter().position(|r| same(&r.context)) {
                        let _ = answer_tx.send(Msg::ContextAdded(i));
                    } else if connecting.iter().any(same) {
                        // Already on its way: its arrival focuses it.
                    } else {
                        connecting.push(want.clone());
                        // Made off the UI task (a profile may read files or an SSO cache).
                        let (connect, tx) = (connect.clone(), added_tx.clone());
                        tokio::spawn(async move {
                            let backend = connect(want.clone()).await;
                            let _ = tx.send(Watched {
                                context: want,
                                backend,
                            });
                        });
                    }
                }
                Effect::Copy(text) => {
                    // The footer already says what was copied; a terminal that cannot be
                    // written is the loop's next draw error anyway.
                    if let Err(e) =
                        crate::ui::terminal::copy_to_clipboard(&mut guard.terminal, &text)
                    {
                        tracing::warn!("not copied: {e}");
                    }
                }
                Effect::SaveScreen => {
                    let size = guard.terminal.size()?;
                    let ctx = render::Ctx {
                        theme,
                        keymap,
                        now: clock.now(),
                    };
                    let r = crate::ui::screen::save(
                        &w,
                        &view,
                        &ctx,
                        (size.width, size.height),
                        &crate::ui::screen::screens_dir(),
                        clock.now(),
                    );
                    match &r {
                        Ok(p) => tracing::info!("screen saved: {}", p[0].display()),
                        Err(e) => tracing::warn!("screen not saved: {e}"),
                    }
                    let _ = answer_tx.send(Msg::ScreenSaved(r));
                }
                e => {
                    let (runners, tx) = (runners.clone(), answer_tx.clone());
                    tokio::spawn(async move {
                        let tell = |m: Msg| {
                            let _ = tx.send(m);
                        };
                        if let Some(m) = runners.run(e, &tell).await {
                            tell(m);
                        }
                    });
                }
            }
        }
        if quit {
            break;
        }
    }
    drop(guard);
    Ok(())
}
