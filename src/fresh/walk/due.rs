//! What a walk reads: the rotation's share of what was read longest ago, and on a large cold
//! start the idle rules it leaves for later ([`super::DEFER_IDLE_RULES_OVER`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{Listing, REDESCRIBE_AFTER_MIN, Walker};
use crate::fresh::ctx::PollCtx;
use crate::model::{MetricId, RuleKey};

impl Walker {
    /// The listed rules never read that ListMetrics says had no `MatchedEvents` in the last 3
    /// hours, when more than [`Walker::defer_idle_rules_over`] rules are unread; else none (and
    /// none when ListMetrics cannot be read: every rule is read as before).
    pub(super) async fn idle_unread(&self, c: &PollCtx, listing: &Listing) -> HashSet<RuleKey> {
        let unread: HashSet<RuleKey> = listing
            .rules
            .iter()
            .map(|r| r.key())
            .filter(|k| !self.targets.contains_key(k))
            .collect();
        if unread.len() <= self.defer_idle_over {
            return HashSet::new();
        }
        match c.backend.rules_reporting(MetricId::MatchedEvents).await {
            Ok(active) => {
                let active: HashSet<RuleKey> = active.into_iter().collect();
                unread.into_iter().filter(|k| !active.contains(k)).collect()
            }
            Err(e) => {
                tracing::debug!("idle rules not listed: {}", e.message);
                HashSet::new()
            }
        }
    }

    /// Of `known` (when each was read, and what), the longest-read share a walk reads again
    /// ([`Walker::rotation_share`]), and every one older than `stale`.
    pub(super) fn rotation<T: Ord>(
        &self,
        mut known: Vec<(DateTime<Utc>, T)>,
        now: DateTime<Utc>,
        stale: chrono::Duration,
    ) -> Vec<T> {
        known.sort();
        let share = self.rotation_share(known.len());
        known
            .into_iter()
            .enumerate()
            .filter(|(i, (at, _))| *i < share || now - *at >= stale)
            .map(|(_, (_, x))| x)
            .collect()
    }

    /// How many of the longest-read of `n` streams (or rules) a walk reads again, so that
    /// every one is read within [`REDESCRIBE_AFTER_MIN`] at this walker's interval.
    pub(super) fn rotation_share(&self, n: usize) -> usize {
        let walks = (REDESCRIBE_AFTER_MIN as f64 * 60.0 / self.interval.as_secs_f64().max(1.0))
            .floor()
            .max(1.0);
        (n as f64 / walks).ceil() as usize
    }

    /// Between walks: the targets of the idle rules on screen (`wanted.rules`) not read yet
    /// (ListTargetsByRule each), published at once — a row scrolled to does not wait for the
    /// next walk. Returns how many were read; a failure leaves the rule to the next walk.
    pub async fn read_wanted(&mut self, c: &PollCtx, wanted: &super::Wanted) -> usize {
        let due: Vec<RuleKey> = wanted
            .rules
            .iter()
            .filter(|k| self.idle.contains(*k) && !self.targets.contains_key(*k))
            .cloned()
            .collect();
        if due.is_empty() || self.last.is_none() {
            return 0;
        }
        let answers =
            futures_util::future::join_all(due.iter().map(|k| c.backend.rule_targets(k))).await;
        let at = c.clock.now();
        let mut read = 0;
        let Some(mut listing) = self.last.take() else {
            return 0;
        };
        for (k, a) in due.into_iter().zip(answers) {
            if let Ok(t) = a {
                listing.set_targets(&k, t.clone());
                self.targets
                    .insert(k, super::queue::Known::new(t, at, false));
                read += 1;
            }
        }
        if read > 0 {
            self.publish(c, &listing);
        }
        self.last = Some(listing);
        read
    }
}
