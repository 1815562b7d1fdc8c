//! The interactive loop: `select!` over terminal events, store notifications, a 1 s clock and
//! signals. Keys and resizes redraw at once; new data redraws with the next clock second.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::signal::unix::{SignalKind, signal};

use crate::action::{Executor, Outcome};
use crate::backend::{Backend, Clock};
use crate::config::Settings;
use crate::health::Level;
use crate::poll;
use crate::store::Store;
use crate::ui::keymap::Keymap;
use crate::ui::render::{self, render};
use crate::ui::terminal::TerminalGuard;
use crate::ui::theme::Theme;
use crate::ui::view::{Effect, Status, View};

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

pub async fn run(
    settings: &Settings,
    theme: &Theme,
    keymap: &Keymap,
    backend: Arc<dyn Backend>,
    clock: Clock,
) -> Result<()> {
    init_logging();
    tracing::info!(
        "fhtop {} started ({})",
        env!("CARGO_PKG_VERSION"),
        if settings.demo { "demo account" } else { "AWS" }
    );
    let store = Arc::new(Store::new());
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let pollers = poll::spawn(
        poll::Ctx {
            backend: backend.clone(),
            store: store.clone(),
            clock,
            window_minutes: settings.window_minutes,
        },
        settings.intervals,
    );
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut guard = TerminalGuard::enter()?;
    let mut view = View::new(settings.read_only);
    view.writer_policy = settings.writer_policy.clone();
    let (sim_tx, mut sim_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut events = EventStream::new();
    let mut store_rx = store.subscribe();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut shown_complete = false;
    loop {
        if dirty {
            tui_logger::move_events();
            let snap = store.snapshot();
            view.sync_target(&snap);
            pollers.set_interest(view.interest(&snap));
            let ctx = render::Ctx {
                theme,
                keymap,
                now: clock.now(),
            };
            guard.terminal.draw(|f| render(f, &snap, &view, &ctx))?;
            shown_complete = snap.is_complete();
            dirty = false;
        }
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    let snap = store.snapshot();
                    match view.on_key(&k, keymap, &snap) {
                        Effect::Quit => break,
                        Effect::Refresh => {
                            tracing::info!("refresh requested");
                            pollers.refresh_now();
                        }
                        Effect::ToggleRule(key, enable) => {
                            spawn_rule_change(&backend, &store, settings, key, enable, &done_tx);
                        }
                        e @ (Effect::Simulate(..) | Effect::Check(..)) => {
                            let (backend, tx) = (backend.clone(), sim_tx.clone());
                            let (window, writer) = (settings.window_minutes, settings.writer_policy.clone());
                            let now = clock.now();
                            tokio::spawn(async move {
                                if let Some(a) = answer(backend.as_ref(), &e, window, &writer, now).await {
                                    let _ = tx.send(a);
                                }
                            });
                        }
                        Effect::None => {}
                    }
                    dirty = true;
                }
                Some(Ok(Event::Resize(..))) => dirty = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            // New data is drawn with the next clock second (ages are shown in seconds, so
            // nothing is lost), which halves idle redraws; before the first complete poll it
            // is drawn at once.
            _ = store_rx.changed() => dirty = !shown_complete,
            Some((key, outcome)) = done_rx.recv() => {
                view.status = Some(rule_change_status(&key, &outcome));
                pollers.refresh_now();
                dirty = true;
            }
            Some((id, reports)) = sim_rx.recv() => {
                view.finished(id, reports);
                dirty = true;
            }
            _ = tick.tick() => dirty = true,
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = sigint.recv() => break,
        }
    }
    drop(guard);
    Ok(())
}

/// The answer to an overlay effect (`p`/`P` simulations, `c` checks): the overlay's id and the
/// lines it shows; `None` for any other effect. The UI loop runs it off the UI task, `fhtop
/// snapshot` in line.
pub async fn answer(
    backend: &dyn Backend,
    effect: &Effect,
    window_minutes: u32,
    writer_policy: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<(u64, Vec<(crate::iam::Tone, String)>)> {
    match effect {
        Effect::Simulate(id, reqs) => {
            let reports = crate::iam::run_all(backend, reqs).await;
            for r in &reports {
                tracing::info!("permission simulation: {} — {}", r.title, r.summary());
            }
            Some((*id, crate::iam::reports_lines(&reports)))
        }
        Effect::Check(id, sel) => {
            let gathered =
                crate::check::gather(backend, sel, window_minutes, writer_policy, now).await;
            Some((
                *id,
                match gathered {
                    Ok(g) => crate::check::overlay_lines(&crate::check::evaluate(&g)),
                    Err(e) => vec![(
                        crate::iam::Tone::Row(Level::Fail),
                        format!("checks could not run: {e}"),
                    )],
                },
            ))
        }
        _ => None,
    }
}

/// Run a confirmed rule change through the executor off the UI task; the result comes back on
/// `done` (the UI never waits for the network).
fn spawn_rule_change(
    backend: &Arc<dyn Backend>,
    store: &Store,
    settings: &Settings,
    key: crate::model::RuleKey,
    enable: bool,
    done: &tokio::sync::mpsc::UnboundedSender<(crate::model::RuleKey, Outcome)>,
) {
    let Some(identity) = store.snapshot().identity.get().cloned() else {
        let _ = done.send((key, Outcome::Refused("account not known yet".into())));
        return;
    };
    let exec = Executor {
        backend: backend.clone(),
        read_only: settings.read_only,
        identity,
        audit_path: crate::action::default_audit_path(),
        verify_timeout: Duration::from_secs(30),
    };
    let done = done.clone();
    tokio::spawn(async move {
        let outcome = match exec.plan(&key, enable).await {
            Ok(plan) => exec.apply(&plan).await,
            Err(refused) => refused,
        };
        let _ = done.send((key, outcome));
    });
}

fn rule_change_status(key: &crate::model::RuleKey, o: &Outcome) -> Status {
    let level = match o {
        Outcome::Confirmed | Outcome::Unchanged => Level::Ok,
        Outcome::Refused(_) | Outcome::Unverified(_) => Level::Warn,
        Outcome::Failed(_) => Level::Fail,
    };
    let text = match o.detail() {
        Some(d) => format!("{key}: {} — {d}", o.word()),
        None => format!("{key}: {}", o.word()),
    };
    Status { level, text }
}
