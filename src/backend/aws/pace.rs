//! Pacing each API to its rate, slowing down on throttling and recovering after.

use std::time::Duration;

use crate::backend::{BResult, ErrorKind};

/// A control-plane rate limit as AWS states it, "N transactions per second": at most `N` calls
/// in any one-second window, shared by every task using it — a burst of up to `N` at once, then
/// `N` a second, so a first load uses the whole quota rather than a fraction of it. A throttled
/// answer halves the limit (not below one call a window); every [`PACE_RECOVERY`] without one
/// gives one call back, up to the stated rate (additive increase, multiplicative decrease).
/// Waiters are served in arrival order.
pub struct Pace {
    state: std::sync::Mutex<PaceState>,
    /// The stated rate: calls per `window`.
    max: u32,
    /// One second, or longer for a rate below 1/s (0.5/s is one call per 2 s).
    window: Duration,
}

struct PaceState {
    /// When each of the last calls in the window was (or will be) sent, oldest first.
    sent: std::collections::VecDeque<tokio::time::Instant>,
    /// The limit now: `max`, or less after throttling.
    limit: u32,
    /// When the limit last changed (a throttle, or one step of recovery).
    changed: tokio::time::Instant,
    /// When the limit was last halved: throttles answered within one window of it are the
    /// same burst, not a reason to halve again.
    cut: Option<tokio::time::Instant>,
}

/// How long without throttling before a lowered [`Pace`] gives one call per window back.
pub const PACE_RECOVERY: Duration = Duration::from_secs(10);

impl Pace {
    /// A pace of at most `per_second` calls per second (at least 0.01): whole calls per
    /// second when `per_second` ≥ 1, else one call per `1 / per_second` seconds.
    pub fn new(per_second: f64) -> Self {
        let per_second = per_second.max(0.01);
        let max = per_second.floor().max(1.0);
        Self {
            state: std::sync::Mutex::new(PaceState {
                sent: std::collections::VecDeque::new(),
                limit: max as u32,
                changed: tokio::time::Instant::now(),
                cut: None,
            }),
            max: max as u32,
            window: Duration::from_secs_f64(max / per_second),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Waits for this caller's turn: the earliest instant at which sending keeps every window
    /// at or under the limit.
    pub async fn wait(&self) {
        let at = {
            let mut st = self.lock();
            let now = tokio::time::Instant::now();
            // Recovery: one call back per quiet PACE_RECOVERY.
            while st.limit < self.max && now.duration_since(st.changed) >= PACE_RECOVERY {
                st.limit += 1;
                st.changed += PACE_RECOVERY;
            }
            while st.sent.front().is_some_and(|t| *t + self.window <= now) {
                st.sent.pop_front();
            }
            let limit = st.limit as usize;
            // Never before a slot already handed out (arrival order).
            let last = st.sent.back().map_or(now, |b| (*b).max(now));
            let at = match st.sent.len().checked_sub(limit) {
                // The window is full: the slot after the call `limit` back leaves it.
                Some(i) => (st.sent[i] + self.window).max(last),
                None => last,
            };
            st.sent.push_back(at);
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// The calls per window allowed now (the stated rate, or less after throttling).
    pub fn limit(&self) -> u32 {
        self.lock().limit
    }

    /// Weighs an answer: a throttled one halves the limit, once per window (the calls in
    /// flight when AWS starts throttling are one signal, not several).
    pub fn observe<T>(&self, r: &BResult<T>) {
        if matches!(r, Err(e) if e.kind == ErrorKind::Throttled) {
            let mut st = self.lock();
            let now = tokio::time::Instant::now();
            if st.cut.is_some_and(|t| now.duration_since(t) < self.window) {
                return;
            }
            st.limit = (st.limit / 2).max(1);
            st.changed = now;
            st.cut = Some(now);
        }
    }
}
