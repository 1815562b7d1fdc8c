//! What a walk publishes: the inventory as known now — the stream names alone while the rules
//! are still being listed, then described streams, rules with their targets, and a row for
//! every part still being read or that failed — and, at the walk's end, the cache.

use std::collections::HashSet;

use super::{Listing, Walker};
use crate::fresh::ctx::PollCtx;
use crate::model::{Inventory, InventoryError};

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
