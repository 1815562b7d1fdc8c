//! What a walk publishes: the inventory as known now — the stream names alone while the rules
//! are still being listed, then described streams, rules with their targets, and a row for
//! every part still being read or that failed — and, at the walk's end, the cache.

use std::collections::HashSet;
use std::time::Duration;

use super::{Listing, Walker};
use crate::fresh::ctx::PollCtx;
use crate::model::{Inventory, InventoryError};

/// How often a walk publishes what it has learnt: each publish is a new inventory and a new
/// diagnosis, so not more often than the screen's clock shows a change.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// The longest wait between two publishes of a large walk ([`publish_every`]).
pub const PUBLISH_EVERY_MAX: Duration = Duration::from_secs(5);
/// Rows listed (streams and rules) per second of wait between two publishes
/// ([`publish_every`]).
pub const PUBLISH_ROWS_PER_SECOND: usize = 5_000;

/// How long a walk of `rows` listed (streams and rules) waits between two publishes of what
/// it read off screen: a publish makes a new inventory, its pipelines and a diagnosis of every
/// row (about 10 µs a row), so one second per [`PUBLISH_ROWS_PER_SECOND`] rows, from
/// [`PUBLISH_EVERY`] to [`PUBLISH_EVERY_MAX`]: 3 s at 5,000 streams and 10,000 rules. A row on
/// screen that was read is published within [`PUBLISH_EVERY`] whatever the size.
pub fn publish_every(rows: usize) -> Duration {
    let secs = u64::try_from(rows.div_ceil(PUBLISH_ROWS_PER_SECOND)).unwrap_or(u64::MAX);
    Duration::from_secs(secs).clamp(PUBLISH_EVERY, PUBLISH_EVERY_MAX)
}

impl Walker {
    /// Publishes the stream names alone (sorted, once each), while the buses and rules are
    /// still being listed (an [`InventoryError::loading`] "buses" row: what feeds each stream
    /// is not known yet).
    pub(super) fn publish_names(&self, c: &PollCtx, names: &[String]) {
        let listing = Listing {
            names: names.to_vec(),
            buses: Vec::new(),
            rules: Vec::new(),
            rule_index: Default::default(),
            errors: vec![InventoryError::loading(
                "buses",
                "event buses and their rules",
            )],
            gone: HashSet::new(),
            gone_rules: HashSet::new(),
        };
        self.publish(c, &listing);
    }

    /// Publishes the inventory as known now: described streams, rules with the targets read,
    /// and a row for every part still being read or that failed (marked cached while a warm
    /// start's rows are still in it).
    pub(super) fn publish(&self, c: &PollCtx, listing: &Listing) {
        let inv = self.known(listing);
        match self.cached_at {
            Some(at) => c.store.set_inventory_walk(inv, at, true),
            None => c.store.set_inventory_walk(inv, c.clock.now(), false),
        }
    }

    /// The walk's end: the inventory is published and written to the cache (without the rules
    /// whose targets could not be read: a warm start would show them as feeding nothing).
    pub(super) fn publish_final(&self, c: &PollCtx, listing: &Listing) {
        let inv = self.known(listing);
        let mut kept = inv.clone();
        kept.rules
            .retain(|r| !self.failed_rules.contains_key(&r.key()));
        crate::fresh::cache::save_inventory_cache(c, &kept);
        c.store.set_inventory_walk(inv, c.clock.now(), false);
    }

    /// What is known now, as an inventory.
    fn known(&self, listing: &Listing) -> Inventory {
        let mut errors = listing.errors.clone();
        let mut streams = Vec::with_capacity(listing.names.len());
        for n in listing.names.iter().filter(|n| !listing.gone.contains(*n)) {
            let reported = || self.reported.get(n).copied();
            if let Some(e) = self.failed.get(n) {
                errors.push(e.clone().with_reported(reported()));
            } else if let Some(k) = self.streams.get(n) {
                streams.push(k.value.clone());
            } else {
                errors.push(InventoryError::loading("stream", n).with_reported(reported()));
            }
        }
        // The rules as the listing holds them (their targets merged as they were read): shared,
        // not copied.
        let rules = listing
            .rules
            .iter()
            .filter(|r| !listing.gone_rules.contains(&r.key()))
            .map(|r| {
                let key = r.key();
                if let Some(e) = self.failed_rules.get(&key) {
                    errors.push(e.clone());
                } else if !self.targets.contains_key(&key) {
                    errors.push(if self.idle.contains(&key) {
                        InventoryError::idle_rule(&key.to_string())
                    } else {
                        InventoryError::loading("rule", &key.to_string())
                    });
                }
                r.clone()
            })
            .collect();
        Inventory {
            buses: listing.buses.clone(),
            rules,
            streams,
            errors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_walk_publishes_less_often() {
        assert_eq!(publish_every(0), PUBLISH_EVERY);
        assert_eq!(publish_every(5_000), PUBLISH_EVERY);
        assert_eq!(publish_every(15_000), Duration::from_secs(3));
        assert_eq!(publish_every(1_000_000), PUBLISH_EVERY_MAX);
    }
}
