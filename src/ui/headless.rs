//! The whole app without a terminal: the store filled from a backend, the view, and the same
//! [`update`] and effect [`Runner`] the TUI loop uses. `fhtop snapshot` is built on it, and a
//! test can drive the app with any list of messages — keys, new data, background answers —
//! and look at the view and a frame.

use std::sync::Arc;

use anyhow::Result;

use crate::backend::{Backend, Clock};
use crate::fresh::ctx::PollCtx;
use crate::fresh::store::{LogStore, Merged, SectionKind, Snapshot, Store};
use crate::fresh::{logs, metrics, poll};
use crate::ui::effects::Runner;
use crate::ui::keymap::Keymap;
use crate::ui::msg::{Msg, update};
use crate::ui::settings::AppSettings;
use crate::ui::view::{Effect, View};

/// The app without a terminal: store, view and keymap, driven by messages (keys, new data,
/// background answers) through the same `update` as the TUI.
pub struct Headless {
    /// The store, filled by [`Headless::start`] and later polls.
    pub store: Arc<Store>,
    /// The view the messages change.
    pub view: View,
    /// The key bindings keys are resolved with.
    pub keymap: Keymap,
    /// What `y` put on the clipboard (the TUI writes it as OSC 52), oldest first.
    pub copied: Vec<String>,
    runner: Runner,
    quit: bool,
}

impl Headless {
    /// Poll identity, inventory, alarms and metrics once, as the pollers' first round would. A
    /// poll that fails marks its section stale with the error (as the pollers do) and the others
    /// still run: the frame shows what could be read and says what could not.
    ///
    /// Errors: none today (kept fallible for the callers).
    pub async fn start(
        backend: Arc<dyn Backend>,
        clock: Clock,
        settings: AppSettings,
        keymap: Keymap,
    ) -> Result<Self> {
        let store = Arc::new(Store::new());
        let c = PollCtx {
            backend: backend.clone(),
            store: store.clone(),
            clock,
            window_minutes: settings.window_minutes,
            cache_dir: None,
        };
        let record = |kind: SectionKind, r: Result<(), crate::backend::BackendError>| {
            if let Err(e) = r {
                store.set_error(kind, &e, clock.now());
            }
        };
        record(SectionKind::Identity, poll::poll_identity(&c).await);
        record(SectionKind::Inventory, poll::poll_inventory(&c).await);
        record(SectionKind::Alarms, poll::poll_alarms(&c).await);
        let snap = store.snapshot();
        if snap.inventory.data.is_some() {
            // Keys open drill-ins after this one fetch: every row's every metric.
            record(
                SectionKind::Metrics,
                metrics::poll_all_metrics(&c, &snap).await,
            );
        }
        let mut view = View::with_settings(&settings);
        view.sync_target(&Merged::one(store.snapshot()));
        Ok(Self {
            runner: Runner {
                backend,
                store: store.clone(),
                clock,
                settings,
                recoveries: Default::default(),
            },
            store,
            view,
            keymap,
            copied: Vec::new(),
            quit: false,
        })
    }

    /// Deliver one message. Its effects run to completion here, and their answers are
    /// delivered in turn, so the view afterwards shows the answer, not "pending". Returns
    /// false once the app has quit (later messages are ignored).
    pub async fn send(&mut self, msg: Msg) -> bool {
        let mut queue = vec![msg];
        while let Some(m) = queue.pop() {
            if self.quit {
                break;
            }
            let w = self.merged();
            for e in update(&mut self.view, m, &self.keymap, &w) {
                match e {
                    Effect::Quit => self.quit = true,
                    // Everything is polled in line here; nothing to wake.
                    Effect::Refresh | Effect::None => {}
                    // One context here: `:region` adds none.
                    Effect::AddRegion(..) => {}
                    // No terminal: kept for the test to read, as the clipboard would.
                    Effect::Copy(text) => self.copied.push(text),
                    // As the TUI would, at 160 × 48 in the default theme.
                    Effect::SaveScreen => {
                        let theme = crate::ui::theme::Theme::default_theme();
                        let ctx = crate::ui::render::Ctx {
                            theme: &theme,
                            keymap: &self.keymap,
                            now: self.runner.clock.now(),
                        };
                        let r = crate::ui::screen::save(
                            &w,
                            &self.view,
                            &ctx,
                            (160, 48),
                            &crate::ui::screen::screens_dir(),
                            self.runner.clock.now(),
                        );
                        queue.push(Msg::ScreenSaved(r));
                    }
                    e => {
                        let told = std::sync::Mutex::new(Vec::new());
                        let tell = |m: Msg| told.lock().unwrap_or_else(|p| p.into_inner()).push(m);
                        let answer = self.runner.run(e, &tell).await;
                        queue.extend(told.into_inner().unwrap_or_else(|p| p.into_inner()));
                        queue.extend(answer);
                    }
                }
            }
        }
        !self.quit
    }

    /// Read what the log and chart pollers would now (the view's log groups and those of every
    /// stream not known to be healthy; the charts' series for a longer window) and the API
    /// cost, then tell the view. A log group that cannot be
    /// read is an error line in the frame, not a failure.
    pub async fn poll_logs(&mut self) {
        let c = PollCtx {
            backend: self.runner.backend.clone(),
            store: self.store.clone(),
            clock: self.runner.clock,
            window_minutes: self.runner.settings.window_minutes,
            cache_dir: None,
        };
        let snap = self.store.snapshot();
        let interest = self.view.interest(&snap, 0);
        let groups = logs::log_groups(&snap, &interest);
        let mut logs = LogStore::default();
        let _ = logs::poll_logs(&c, &groups, &mut logs).await;
        // The charts' own series, when their window is longer than the health metrics'.
        if let Some(want) = &interest.chart
            && let Err(e) = metrics::poll_chart(&c, want).await
        {
            self.store.set_error(SectionKind::Chart, &e, c.clock.now());
        }
        poll::publish_api_stats(&c);
        self.send(Msg::DataChanged).await;
    }

    /// A consistent copy of the store's data.
    pub fn snapshot(&self) -> Snapshot {
        self.store.snapshot()
    }

    /// The store's data as the view draws it: one context.
    pub fn merged(&self) -> Merged {
        Merged::one(self.store.snapshot())
    }
}
