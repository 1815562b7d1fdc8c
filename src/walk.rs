//! The progressive inventory walk: names first, detail as it comes.
//!
//! 1. ListDeliveryStreams and ListEventBuses + ListRules run at once (separate quotas); every
//!    stream and rule is published as soon as they answer, its row marked "… read"
//!    ([`InventoryError::loading`]) — undecided, never OK.
//! 2. DescribeDeliveryStream and ListTargetsByRule fill the rows in under the backend's paces:
//!    the rows on screen first ([`Wanted`]), then the failing ones (an alarm in ALARM, or
//!    failing on what is known), then the rest by name. What is known is published every
//!    [`PUBLISH_EVERY`], so the screen fills in while the walk goes on.
//! 3. Later walks list again (new and deleted resources) and describe only new streams, the
//!    failing or changing ones, and a slow rotation of the rest: every stream is described
//!    again within [`REDESCRIBE_AFTER_MIN`] minutes, spread over the walks in between.
//!
//! A warm start seeds the walker with the cached inventory: its rows are shown (the section
//! marked cached) and every one is described again, until the first walk ends.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::watch;

use crate::backend::{BResult, BackendError, ErrorKind};
use crate::health::Level;
use crate::model::{AlarmState, Bus, Inventory, InventoryError, Rule, RuleKey, Stream, Target};
use crate::poll::PollCtx;

/// How often a walk publishes what it has learnt: each publish is a new inventory and a new
/// diagnosis, so not more often than the screen's clock shows a change.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// Minutes after which a described stream (or a rule's targets) is read again.
pub const REDESCRIBE_AFTER_MIN: i64 = 30;
/// DescribeDeliveryStream calls in flight at once (the pace bounds the rate).
const DESCRIBES_IN_FLIGHT: usize = 4;
/// ListTargetsByRule calls in flight at once.
const TARGETS_IN_FLIGHT: usize = 8;

/// The rows the UI shows now and around them, in screen order: what a walk reads first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Delivery stream names.
    pub streams: Vec<String>,
    /// Rules.
    pub rules: Vec<RuleKey>,
}

struct Known<T> {
    value: T,
    /// When it was read (for a cached one, when the cache was written).
    at: DateTime<Utc>,
    /// Read from the cache of an earlier run: described again by the first walk.
    from_cache: bool,
}

/// What the walks know between runs: each stream's description and each rule's targets, with
/// when they were read.
pub struct Walker {
    streams: HashMap<String, Known<Stream>>,
    targets: HashMap<RuleKey, Known<Vec<Target>>>,
    /// The inventory poll interval: the rotation's share of streams per walk comes from it.
    interval: Duration,
    /// When the cache seeding the walker was written, until a walk ends.
    cached_at: Option<DateTime<Utc>>,
}

/// One walk's listing, and what failed in it.
struct Listing {
    names: Vec<String>,
    buses: Vec<Bus>,
    rules: Vec<Rule>,
    errors: Vec<InventoryError>,
}

enum Done {
    Stream(String, BResult<Stream>),
    Targets(RuleKey, BResult<Vec<Target>>),
}

impl Walker {
    /// A walker that knows nothing yet, walking every `interval` (seconds).
    pub fn new(interval: Duration) -> Self {
        Self {
            streams: HashMap::new(),
            targets: HashMap::new(),
            interval,
            cached_at: None,
        }
    }

    /// Seeds the walker with a cached inventory read from AWS at `at`: shown until the first
    /// walk has read every part of it again.
    pub fn seed(&mut self, inv: &Inventory, at: DateTime<Utc>) {
        for s in &inv.streams {
            self.streams.insert(
                s.name.clone(),
                Known {
                    value: s.clone(),
                    at,
                    from_cache: true,
                },
            );
        }
        for r in &inv.rules {
            self.targets.insert(
                r.key(),
                Known {
                    value: r.targets.clone(),
                    at,
                    from_cache: true,
                },
            );
        }
        self.cached_at = Some(at);
    }

    /// One walk: list, publish the names, then read what is due in priority order, publishing
    /// every [`PUBLISH_EVERY`] and at the end (and writing the cache then).
    ///
    /// Errors: an account-wide [`BackendError`] (network, credentials, throttling beyond the
    /// SDK's retries) ends the walk after publishing what it has; what was read is kept for the
    /// next walk. A failure of one resource is an error row, not an error.
    pub async fn walk(
        &mut self,
        c: &PollCtx,
        wanted: &watch::Receiver<Wanted>,
    ) -> Result<(), BackendError> {
        let listing = self.list(c).await?;
        let now = c.clock.now();
        let failing = failing_now(c);

        // What is due: streams never read (or from the cache), changing or failing ones, and
        // the oldest share of the rest.
        let mut due: Vec<(u8, String)> = Vec::new();
        let mut rotation: Vec<(DateTime<Utc>, String)> = Vec::new();
        for n in &listing.names {
            match self.streams.get(n) {
                None => due.push((u8::from(!failing.contains(n)), n.clone())),
                Some(k) if k.from_cache || k.value.status != "ACTIVE" || failing.contains(n) => {
                    due.push((u8::from(!failing.contains(n)), n.clone()));
                }
                Some(k) => rotation.push((k.at, n.clone())),
            }
        }
        rotation.sort();
        let share = self.rotation_share(listing.names.len());
        let stale = chrono::Duration::minutes(REDESCRIBE_AFTER_MIN);
        due.extend(
            rotation
                .into_iter()
                .enumerate()
                .filter(|(i, (at, _))| *i < share || now - *at >= stale)
                .map(|(_, (_, n))| (2, n)),
        );
        // Failing first, then by name (the screen's rows jump ahead as they are picked).
        due.sort();
        let mut stream_queue: VecDeque<String> = due.into_iter().map(|(_, n)| n).collect();
        let mut stream_todo: HashSet<String> = stream_queue.iter().cloned().collect();

        let mut target_queue: VecDeque<RuleKey> = listing
            .rules
            .iter()
            .map(Rule::key)
            .filter(|k| match self.targets.get(k) {
                None => true,
                Some(t) => t.from_cache || now - t.at >= stale,
            })
            .collect();
        let mut target_todo: HashSet<RuleKey> = target_queue.iter().cloned().collect();

        let mut failed: HashMap<String, InventoryError> = HashMap::new();
        let mut failed_rules: HashMap<RuleKey, InventoryError> = HashMap::new();
        self.publish(c, &listing, &failed, &failed_rules);
        let mut published = tokio::time::Instant::now();

        let mut describes = FuturesUnordered::new();
        let mut lists = FuturesUnordered::new();
        let mut account_error: Option<BackendError> = None;
        loop {
            if account_error.is_none() {
                let w = wanted.borrow().clone();
                while describes.len() < DESCRIBES_IN_FLIGHT {
                    let Some(n) = pick(&mut stream_queue, &mut stream_todo, &w.streams) else {
                        break;
                    };
                    let b = c.backend.clone();
                    describes.push(async move {
                        let r = b.describe_stream(&n).await;
                        Done::Stream(n, r)
                    });
                }
                while lists.len() < TARGETS_IN_FLIGHT {
                    let Some(k) = pick(&mut target_queue, &mut target_todo, &w.rules) else {
                        break;
                    };
                    let b = c.backend.clone();
                    lists.push(async move {
                        let r = b.rule_targets(&k).await;
                        Done::Targets(k, r)
                    });
                }
            }
            let done = tokio::select! {
                Some(d) = describes.next(), if !describes.is_empty() => d,
                Some(d) = lists.next(), if !lists.is_empty() => d,
                else => break,
            };
            let at = c.clock.now();
            match done {
                Done::Stream(n, Ok(s)) => {
                    failed.remove(&n);
                    self.streams.insert(
                        n,
                        Known {
                            value: s,
                            at,
                            from_cache: false,
                        },
                    );
                }
                Done::Targets(k, Ok(t)) => {
                    failed_rules.remove(&k);
                    self.targets.insert(
                        k,
                        Known {
                            value: t,
                            at,
                            from_cache: false,
                        },
                    );
                }
                Done::Stream(_, Err(e)) | Done::Targets(_, Err(e)) if e.is_account_wide() => {
                    // Let what is in flight land, start nothing new.
                    account_error.get_or_insert(e);
                }
                Done::Stream(n, Err(e)) => {
                    self.streams.remove(&n);
                    // Deleted since it was listed: gone, not an error.
                    if e.kind != ErrorKind::NotFound {
                        failed.insert(n.clone(), InventoryError::new("stream", &n, &e));
                    }
                }
                Done::Targets(k, Err(e)) => {
                    self.targets.remove(&k);
                    if e.kind != ErrorKind::NotFound {
                        let name = format!("{}/{}", k.bus, k.name);
                        failed_rules.insert(k, InventoryError::new("rule", &name, &e));
                    }
                }
            }
            if published.elapsed() >= PUBLISH_EVERY {
                self.publish(c, &listing, &failed, &failed_rules);
                published = tokio::time::Instant::now();
            }
        }
        if let Some(e) = account_error {
            self.publish(c, &listing, &failed, &failed_rules);
            return Err(e);
        }
        self.cached_at = None;
        self.publish_final(c, &listing, &failed, &failed_rules);
        Ok(())
    }

    /// ListDeliveryStreams and ListEventBuses + ListRules, at once; forgets what was deleted.
    async fn list(&mut self, c: &PollCtx) -> Result<Listing, BackendError> {
        let (names, listed) = tokio::join!(c.backend.stream_names(), c.backend.buses_and_rules());
        let mut errors = Vec::new();
        let names = match names {
            Ok(mut n) => {
                n.sort();
                n.dedup();
                n
            }
            Err(e) if e.is_account_wide() => return Err(e),
            // Streams cannot be listed (e.g. firehose:ListDeliveryStreams denied): an error
            // row, and the rules are still shown.
            Err(e) => {
                errors.push(InventoryError::new("streams", "delivery streams", &e));
                Vec::new()
            }
        };
        let (buses, rules, bus_errors) = listed?;
        errors.extend(bus_errors);
        let listed: HashSet<&String> = names.iter().collect();
        self.streams.retain(|n, _| listed.contains(n));
        let keys: HashSet<RuleKey> = rules.iter().map(Rule::key).collect();
        self.targets.retain(|k, _| keys.contains(k));
        Ok(Listing {
            names,
            buses,
            rules,
            errors,
        })
    }

    /// How many of the longest-described streams a walk describes again, so that every one is
    /// read within [`REDESCRIBE_AFTER_MIN`] at this walker's interval.
    fn rotation_share(&self, streams: usize) -> usize {
        let walks = (REDESCRIBE_AFTER_MIN as f64 * 60.0 / self.interval.as_secs_f64().max(1.0))
            .floor()
            .max(1.0);
        (streams as f64 / walks).ceil() as usize
    }

    /// Publishes the inventory as known now: described streams, rules with the targets read,
    /// and a row for every part still being read or that failed (marked cached while a warm
    /// start's rows are still in it).
    fn publish(
        &self,
        c: &PollCtx,
        listing: &Listing,
        failed: &HashMap<String, InventoryError>,
        failed_rules: &HashMap<RuleKey, InventoryError>,
    ) {
        let inv = self.known(listing, failed, failed_rules);
        match self.cached_at {
            Some(at) => c.store.set_inventory_walk(inv, at, true),
            None => c.store.set_inventory_walk(inv, c.clock.now(), false),
        }
    }

    /// The walk's end: the inventory is published and written to the cache.
    fn publish_final(
        &self,
        c: &PollCtx,
        listing: &Listing,
        failed: &HashMap<String, InventoryError>,
        failed_rules: &HashMap<RuleKey, InventoryError>,
    ) {
        let inv = self.known(listing, failed, failed_rules);
        save_cache(c, &inv);
        c.store.set_inventory_walk(inv, c.clock.now(), false);
    }

    /// What is known now, as an inventory.
    fn known(
        &self,
        listing: &Listing,
        failed: &HashMap<String, InventoryError>,
        failed_rules: &HashMap<RuleKey, InventoryError>,
    ) -> Inventory {
        let mut errors = listing.errors.clone();
        let mut streams = Vec::with_capacity(listing.names.len());
        for n in &listing.names {
            if let Some(e) = failed.get(n) {
                errors.push(e.clone());
            } else if let Some(k) = self.streams.get(n) {
                streams.push(k.value.clone());
            } else {
                errors.push(InventoryError::loading("stream", n));
            }
        }
        let rules = listing
            .rules
            .iter()
            .map(|r| {
                let key = r.key();
                let mut r = r.clone();
                if let Some(e) = failed_rules.get(&key) {
                    errors.push(e.clone());
                } else if let Some(t) = self.targets.get(&key) {
                    r.targets = t.value.clone();
                } else {
                    errors.push(InventoryError::loading(
                        "rule",
                        &format!("{}/{}", key.bus, key.name),
                    ));
                }
                r
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

/// The next item to read: the first wanted one still to do, else the queue's next.
fn pick<T: Clone + Eq + std::hash::Hash>(
    queue: &mut VecDeque<T>,
    todo: &mut HashSet<T>,
    wanted: &[T],
) -> Option<T> {
    if let Some(w) = wanted.iter().find(|w| todo.contains(*w)) {
        todo.remove(w);
        return Some(w.clone());
    }
    while let Some(x) = queue.pop_front() {
        if todo.remove(&x) {
            return Some(x);
        }
    }
    None
}

/// Streams failing now: an alarm on them in ALARM, or failing on what is known.
fn failing_now(c: &PollCtx) -> HashSet<String> {
    let snap = c.store.snapshot();
    let mut out: HashSet<String> = snap
        .alarms
        .get()
        .into_iter()
        .flatten()
        .filter(|a| a.state == AlarmState::Alarm)
        .filter_map(|a| a.stream().map(str::to_string))
        .collect();
    if snap.inventory.get().is_some() {
        let d = snap.diagnosis();
        out.extend(
            d.streams
                .iter()
                .filter(|(_, h)| h.level == Level::Fail)
                .map(|(n, _)| n.clone()),
        );
    }
    out
}

fn save_cache(c: &PollCtx, inv: &Inventory) {
    if let Some(dir) = &c.cache_dir
        && let Some(id) = c.store.snapshot().identity.get().filter(|i| !i.demo)
        && let Err(e) = crate::cache::save(dir, &id.account, &id.region, inv, c.clock.now())
    {
        tracing::warn!(
            "inventory cache not written: {}",
            crate::sanitize::clean(&e)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_rows_jump_the_queue_and_nothing_is_read_twice() {
        let mut q: VecDeque<String> = ["a", "b", "c", "d"].map(String::from).into();
        let mut todo: HashSet<String> = q.iter().cloned().collect();
        let wanted = vec!["c".to_string(), "x".to_string()];
        assert_eq!(pick(&mut q, &mut todo, &wanted).as_deref(), Some("c"));
        assert_eq!(pick(&mut q, &mut todo, &wanted).as_deref(), Some("a"));
        assert_eq!(pick(&mut q, &mut todo, &wanted).as_deref(), Some("b"));
        assert_eq!(pick(&mut q, &mut todo, &wanted).as_deref(), Some("d"));
        assert_eq!(pick(&mut q, &mut todo, &wanted), None);
    }

    #[test]
    fn the_rotation_reads_every_stream_within_half_an_hour() {
        // Every 300 s: 6 walks in 30 minutes, so a sixth of the streams each walk.
        let w = Walker::new(Duration::from_secs(300));
        assert_eq!(w.rotation_share(500), 84);
        assert_eq!(w.rotation_share(0), 0);
        // A walk every hour: every stream, every walk.
        assert_eq!(
            Walker::new(Duration::from_secs(3600)).rotation_share(10),
            10
        );
    }
}
