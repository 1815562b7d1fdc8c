//! Carrying out effects, off the UI task: permission simulations, checks and rule changes go to
//! the backend and come back as a [`Msg`]. One runner serves the TUI loop (which spawns each
//! effect) and `fhtop snapshot` / headless tests (which await it in line). Quit and Refresh are
//! the loop's own.

use std::sync::Arc;
use std::time::Duration;

use crate::act::{Executor, Outcome};
use crate::backend::{Backend, Clock};
use crate::fresh::store::Store;
use crate::judge::health::Level;
use crate::judge::iam::Tone;
use crate::ui::msg::Msg;
use crate::ui::settings::AppSettings;
use crate::ui::view::Effect;

pub use crate::ui::recovery::Tell;

/// One [`Runner`] per context, in the order of `Merged::parts`: an effect runs in the context
/// it names.
#[derive(Clone)]
pub struct Runners(pub Vec<Runner>);

impl Runners {
    /// Carry out `effect` in its context; `None` for an effect with no answer, or naming no
    /// context there is.
    pub async fn run(&self, effect: Effect, tell: &Tell<'_>) -> Option<Msg> {
        let r = self.0.get(effect.context()?)?;
        r.run(effect, tell).await
    }
}

/// Runs effects against one backend and store.
#[derive(Clone)]
pub struct Runner {
    /// The backend effects are run against (rule changes, simulations, checks).
    pub backend: Arc<dyn Backend>,
    /// The store the pollers fill (read for snapshots).
    pub store: Arc<Store>,
    /// Where "now" comes from.
    pub clock: Clock,
    /// The settings the effects need (read-only, writer policy, metrics window).
    pub settings: AppSettings,
    /// Recoveries' dry runs waiting for their confirmation.
    pub recoveries: crate::ui::recovery::Recoveries,
}

impl Runner {
    /// Carry out `effect`; its answer, if it has one, as a message; what it tells on the way
    /// (a recovery's progress) through `tell`. Quit, Refresh and None have none (the loop
    /// handles the first two).
    pub async fn run(&self, effect: Effect, tell: &Tell<'_>) -> Option<Msg> {
        match effect {
            Effect::RecoverPlan(ctx, id, what) => Some(
                self.recoveries
                    .plan(
                        self.backend.as_ref(),
                        &self.store,
                        self.clock.now(),
                        (id, ctx),
                        &what,
                    )
                    .await,
            ),
            Effect::RecoverSend(_, id) => Some(
                self.recoveries
                    .send(
                        self.backend.as_ref(),
                        &self.clock,
                        self.settings.read_only,
                        id,
                        tell,
                    )
                    .await,
            ),
            Effect::RecoverCancel(_, id) => {
                self.recoveries.cancel(id);
                None
            }
            Effect::Simulate(_, id, reqs) => {
                let reports = crate::judge::iam::run_all(self.backend.as_ref(), &reqs).await;
                for r in &reports {
                    tracing::info!("permission simulation: {} — {}", r.title, r.summary());
                }
                Some(Msg::Answer(id, crate::judge::iam::reports_lines(&reports)))
            }
            Effect::Check(_, id, sel) => {
                let gathered = crate::judge::check::gather(
                    self.backend.as_ref(),
                    &sel,
                    self.settings.window_minutes,
                    &self.settings.writer_policy,
                    self.clock.now(),
                )
                .await;
                Some(Msg::Answer(
                    id,
                    match gathered {
                        Ok(g) => {
                            crate::judge::check::overlay_lines(&crate::judge::check::evaluate(&g))
                        }
                        Err(e) => {
                            vec![(Tone::Row(Level::Fail), format!("checks could not run: {e}"))]
                        }
                    },
                ))
            }
            Effect::Losses(_, id, sel) => {
                let gathered = crate::judge::losses::gather(
                    self.backend.as_ref(),
                    &sel,
                    crate::judge::losses::DEFAULT_WINDOW_MINUTES,
                    self.clock.now(),
                )
                .await;
                Some(match gathered {
                    Ok(g) => {
                        let ledger = g.ledger();
                        // The first failing rule an archive can replay (`A`).
                        let replay = ledger.lines.iter().find_map(|l| {
                            l.replay_window.map(|(from, to)| {
                                crate::ui::view::RecoverWhat::Replay(
                                    crate::model::RuleKey::parse(&l.target),
                                    from,
                                    to,
                                )
                            })
                        });
                        Msg::Ledger(id, crate::judge::losses::overlay_lines(&ledger), replay)
                    }
                    Err(e) => Msg::Answer(
                        id,
                        vec![(
                            Tone::Row(Level::Fail),
                            format!("the ledger could not be read: {}", e.explained()),
                        )],
                    ),
                })
            }
            Effect::ToggleRule(ctx, key, enable) => {
                let outcome = self.change_rule(&key, enable).await;
                Some(Msg::RuleChanged(ctx, key, outcome))
            }
            Effect::PatternTest(_, id, key) => {
                let snap = self.store.snapshot();
                let res = match snap.inventory.get().map(|i| &i.inv) {
                    Some(inv) => match inv.rule(&key) {
                        Some(rule) => {
                            let now = self.clock.now();
                            let since = now - chrono::Duration::hours(1);
                            crate::judge::pattern::test_samples(
                                self.backend.as_ref(),
                                inv,
                                rule,
                                since,
                                now,
                            )
                            .await
                        }
                        None => Err(format!("{key} is not in the inventory")),
                    },
                    None => Err("the inventory is not read yet".into()),
                };
                Some(Msg::Samples(id, Box::new(res)))
            }
            Effect::ReadFailed(_, id, name) => {
                let res = match self.backend.describe_stream(&name).await {
                    Ok(stream) => crate::judge::records::read(
                        self.backend.as_ref(),
                        &stream,
                        crate::judge::records::Limits::default(),
                        self.clock.now(),
                    )
                    .await
                    .map_err(|e| e.explained()),
                    Err(e) => Err(e.explained()),
                };
                if let Ok(r) = &res {
                    tracing::info!(
                        "failed records of {name}: {} read from {} objects ({} ListObjectsV2, {} GetObject, {} bytes)",
                        r.records.len(),
                        r.objects_read.len(),
                        r.list_calls,
                        r.get_calls,
                        r.bytes_read
                    );
                }
                Some(Msg::FailedRead(id, Box::new(res)))
            }
            // The loop's own: it has the terminal (its size to save, its output to copy to).
            Effect::Quit
            | Effect::Refresh
            | Effect::None
            | Effect::SaveScreen
            | Effect::Copy(_)
            | Effect::AddRegion(..) => None,
        }
    }

    /// A confirmed rule change through the one mutation path (`act::Executor`).
    async fn change_rule(&self, key: &crate::model::RuleKey, enable: bool) -> Outcome {
        let Some(identity) = self.store.snapshot().identity.get().cloned() else {
            return Outcome::Refused("account not known yet".into());
        };
        let exec = Executor {
            backend: self.backend.clone(),
            read_only: self.settings.read_only,
            identity,
            audit_path: crate::act::default_audit_path(),
            verify_timeout: Duration::from_secs(30),
        };
        match exec.plan(key, enable).await {
            Ok(plan) => exec.apply(&plan).await,
            Err(refused) => refused,
        }
    }
}
