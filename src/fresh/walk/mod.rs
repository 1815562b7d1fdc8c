//! The progressive inventory walk: names first, detail as it comes.
//!
//! 1. ListDeliveryStreams and ListEventBuses + ListRules run at once (separate quotas); every
//!    stream and rule is published as soon as they answer, its row marked "… read"
//!    ([`InventoryError::loading`]) — undecided, never OK.
//! 2. DescribeDeliveryStream and ListTargetsByRule fill the rows in under the backend's paces:
//!    the rows on screen first ([`Wanted`]), then the failing ones (an alarm in ALARM, or
//!    failing on what is known), then the rest by name. What is known is published every
//!    [`publish_every`] when it changed, so the screen fills in while the walk goes on.
//!    Meanwhile ListMetrics (recently active `AWS/Firehose` metrics) says each stream's source
//!    and destination kind ([`Reported`]), so its triage metrics are fetched before it is
//!    described, or when its describe fails (the metric plan's rows, `crate::fresh::plan`); its
//!    health stays undecided.
//! 3. Later walks list again (new and deleted resources) and describe only new streams, the
//!    failing or changing ones, and a slow rotation of the rest: every stream is described
//!    again within [`REDESCRIBE_AFTER_MIN`] minutes, spread over the walks in between.
//!
//! A warm start seeds the walker with the cached inventory: its rows are shown (the section
//! marked cached) and every one is described again, until the first walk ends.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::watch;

mod due;
mod publish;
pub use publish::{PUBLISH_EVERY, PUBLISH_EVERY_MAX, PUBLISH_ROWS_PER_SECOND, publish_every};
mod queue;
use queue::{Known, Queue};

use crate::backend::{BResult, BackendError, ErrorKind};
use crate::fresh::ctx::PollCtx;
use crate::judge::health::Level;
use crate::model::{
    AlarmState, Bus, Inventory, InventoryError, Reported, Rule, RuleKey, Stream, Target,
};

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
    /// What the metric plan needs of the view: the rows on screen, the selection and the
    /// drill-in ([`crate::fresh::plan`]).
    pub metrics: crate::fresh::plan::Want,
}

/// What the walks know between runs: each stream's description and each rule's targets, with
/// when they were read.
pub struct Walker {
    /// Described streams, shared with every inventory published since (a stream described
    /// again unchanged keeps its allocation).
    streams: HashMap<String, Known<Arc<Stream>>>,
    targets: HashMap<RuleKey, Known<Vec<Target>>>,
    /// Streams whose last DescribeDeliveryStream failed: error rows until a read succeeds, and
    /// read first.
    failed: HashMap<String, InventoryError>,
    /// Rules whose last ListTargetsByRule failed, likewise.
    failed_rules: HashMap<RuleKey, InventoryError>,
    /// The inventory poll interval: the rotation's share per walk comes from it.
    interval: Duration,
    /// When the cache seeding the walker was written, until a walk ends.
    cached_at: Option<DateTime<Utc>>,
    /// A refresh interrupted the last walk: the next one reads the rows on screen again.
    refresh_wanted: bool,
    /// What each listed stream's metrics report (ListMetrics), for the rows not described yet.
    reported: HashMap<String, Reported>,
    /// [`DEFER_IDLE_RULES_OVER`], or what [`Walker::defer_idle_rules_over`] set.
    defer_idle_over: usize,
    /// This walk's idle rules never read (`Walker::idle_unread`): their rows say so.
    idle: HashSet<RuleKey>,
    /// The last walk's listing, kept when it ended with idle rules unread: what
    /// [`Walker::read_wanted`] reads them into and publishes between walks.
    last: Option<Listing>,
}

/// How a walk ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkEnd {
    /// Everything due was read; the cache is written.
    Done,
    /// A refresh (`r`, a rule change) cut it short: walk again now — the next walk lists again
    /// and reads the rows on screen again, keeping everything else read so far.
    Interrupted,
}

/// Rules never read beyond which a walk reads the idle ones by share: with more, a rule with no
/// `MatchedEvents` in the last 3 hours (ListMetrics) — it delivered nothing, so its targets
/// decide no verdict now — is read in the rotation's share (all within
/// [`REDESCRIBE_AFTER_MIN`]), or as soon as it is on screen, instead of all at a cold start.
/// 1,000 rules are 50 s of ListTargetsByRule at the backend's EventBridge pace (20 a second,
/// of the 50 the Amazon EventBridge quotas page allows the account); 10,000 are over 8 minutes.
pub const DEFER_IDLE_RULES_OVER: usize = 1_000;

/// Throttled answers a walk puts back in its queue (at the lowered pace) before it gives up
/// and leaves the rest to the next walk.
pub const THROTTLES_PER_WALK: u32 = 20;

/// One walk's listing, and what vanished during it.
struct Listing {
    names: Vec<String>,
    buses: Vec<Bus>,
    /// The rules listed, with the targets read so far: shared with every inventory published
    /// during the walk (a rule's targets read is a copy of that rule only).
    rules: Vec<Arc<Rule>>,
    /// Where each rule is in `rules`.
    rule_index: HashMap<RuleKey, usize>,
    errors: Vec<InventoryError>,
    /// Listed, then NotFound when read: deleted since; not shown.
    gone: HashSet<String>,
    gone_rules: HashSet<RuleKey>,
}

impl Listing {
    /// The targets of rule `k` as read now (copy-on-write: the inventories already published
    /// keep the rule as it was).
    fn set_targets(&mut self, k: &RuleKey, targets: Vec<Target>) {
        if let Some(r) = self.rule_index.get(k).and_then(|i| self.rules.get_mut(*i)) {
            Arc::make_mut(r).targets = targets;
        }
    }
}

enum Done {
    /// Boxed: a described stream is far larger than the other answers.
    Stream(String, BResult<Box<Stream>>),
    Targets(RuleKey, BResult<Vec<Target>>),
}

impl Walker {
    /// A walker that knows nothing yet, walking every `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            streams: HashMap::new(),
            targets: HashMap::new(),
            failed: HashMap::new(),
            failed_rules: HashMap::new(),
            interval,
            cached_at: None,
            refresh_wanted: false,
            reported: HashMap::new(),
            defer_idle_over: DEFER_IDLE_RULES_OVER,
            idle: HashSet::new(),
            last: None,
        }
    }

    /// With more than `n` rules never read, idle ones are read by share
    /// ([`DEFER_IDLE_RULES_OVER`] by default).
    pub fn defer_idle_rules_over(mut self, n: usize) -> Self {
        self.defer_idle_over = n;
        self
    }

    /// Seeds the walker with a cached inventory read from AWS at `at`: shown until the first
    /// walk has read every part of it again.
    pub fn seed(&mut self, inv: &Inventory, at: DateTime<Utc>) {
        for s in &inv.streams {
            self.streams
                .insert(s.name.clone(), Known::new(s.clone(), at, true));
        }
        for r in &inv.rules {
            self.targets
                .insert(r.key(), Known::new(r.targets.clone(), at, true));
        }
        self.cached_at = Some(at);
    }

    /// One walk: list, publish the names, then read what is due in priority order, publishing
    /// what changed at most every [`publish_every`] (a row on screen within [`PUBLISH_EVERY`]),
    /// and at the end (and writing the cache then). A change on
    /// `refresh` (the pollers' refresh: `r`, a rule change) cuts the walk short
    /// ([`WalkEnd::Interrupted`]) so the caller walks again at once.
    ///
    /// Errors: an account-wide [`BackendError`] (network, credentials; throttling that goes on
    /// past [`THROTTLES_PER_WALK`] retries) ends the walk after publishing what it has; what
    /// was read is kept for the next walk. A failure of one resource is an error row, not an
    /// error.
    pub async fn walk(
        &mut self,
        c: &PollCtx,
        wanted: &watch::Receiver<Wanted>,
        refresh: &mut watch::Receiver<u64>,
    ) -> Result<WalkEnd, BackendError> {
        let mut listing = self.list(c).await?;
        let now = c.clock.now();
        let failing = failing_now(c);
        let again: (HashSet<String>, HashSet<RuleKey>) = if self.refresh_wanted {
            let w = wanted.borrow();
            (
                w.streams.iter().cloned().collect(),
                w.rules.iter().cloned().collect(),
            )
        } else {
            Default::default()
        };
        self.refresh_wanted = false;
        let stale = chrono::Duration::minutes(REDESCRIBE_AFTER_MIN);

        // What is due: streams never read (or from the cache), failed, changing, failing or
        // asked for again, and the longest-described share of the rest. Failing first.
        let mut due: Vec<(u8, String)> = Vec::new();
        let mut rotation: Vec<(DateTime<Utc>, String)> = Vec::new();
        for n in &listing.names {
            let first = failing.contains(n) || self.failed.contains_key(n) || again.0.contains(n);
            match self.streams.get(n) {
                Some(k) if !first && !k.from_cache && k.value.status == "ACTIVE" => {
                    rotation.push((k.at, n.clone()));
                }
                _ => due.push((u8::from(!first), n.clone())),
            }
        }
        due.extend(
            self.rotation(rotation, now, stale)
                .into_iter()
                .map(|n| (2, n)),
        );
        due.sort();
        let mut stream_queue = Queue::new(due.into_iter().map(|(_, n)| n));

        let mut rule_due: Vec<(u8, RuleKey)> = Vec::new();
        let mut rule_rotation: Vec<(DateTime<Utc>, RuleKey)> = Vec::new();
        // Many rules never read: the idle ones wait for their share (or the screen).
        self.idle = self.idle_unread(c, &listing).await;
        let idle = &self.idle;
        let mut deferred: Vec<RuleKey> = Vec::new();
        for k in listing.rules.iter().map(|r| r.key()) {
            let first = self.failed_rules.contains_key(&k) || again.1.contains(&k);
            match self.targets.get(&k) {
                Some(t) if !first && !t.from_cache => rule_rotation.push((t.at, k)),
                None if !first && idle.contains(&k) => deferred.push(k),
                _ => rule_due.push((u8::from(!first), k)),
            }
        }
        rule_due.extend(
            self.rotation(rule_rotation, now, stale)
                .into_iter()
                .map(|k| (2, k)),
        );
        deferred.sort();
        let share = self.rotation_share(listing.rules.len()).min(deferred.len());
        let later = deferred.split_off(share);
        rule_due.extend(deferred.into_iter().map(|k| (2, k)));
        rule_due.sort();
        let mut target_queue = Queue::new(rule_due.into_iter().map(|(_, k)| k)).on_demand(later);

        self.publish(c, &listing);
        let mut published = tokio::time::Instant::now();
        let every = publish_every(listing.names.len() + listing.rules.len());
        // A row on screen read since the last publish: published within PUBLISH_EVERY.
        let mut shown = false;

        // Streams not described, not reported yet or whose describe failed (a report from
        // an earlier walk may be stale): ask their metrics what they are.
        let mut probing = listing.names.iter().any(|n| {
            !self.streams.contains_key(n)
                && (!self.reported.contains_key(n) || self.failed.contains_key(n))
        });
        let probe = reported(c);
        tokio::pin!(probe);

        let mut describes = FuturesUnordered::new();
        let mut lists = FuturesUnordered::new();
        let mut account_error: Option<BackendError> = None;
        let mut throttles = 0;
        // Something read since the last publish changes what is shown.
        let mut unpublished = false;
        loop {
            if account_error.is_none() {
                let w = wanted.borrow().clone();
                // Two quotas, two pools: describes never wait behind target listings.
                while describes.len() < DESCRIBES_IN_FLIGHT
                    && let Some(n) = stream_queue.pick(&w.streams)
                {
                    let b = c.backend.clone();
                    describes.push(async move {
                        Done::Stream(n.clone(), b.describe_stream(&n).await.map(Box::new))
                    });
                }
                while lists.len() < TARGETS_IN_FLIGHT
                    && let Some(k) = target_queue.pick(&w.rules)
                {
                    let b = c.backend.clone();
                    lists.push(async move { Done::Targets(k.clone(), b.rule_targets(&k).await) });
                }
            }
            let done = tokio::select! {
                r = &mut probe, if probing => {
                    probing = false;
                    match r {
                        Ok(map) => {
                            for n in listing.names.iter().filter(|n| !self.streams.contains_key(*n)) {
                                let r = map.get(n).copied().unwrap_or_default();
                                self.reported.insert(n.clone(), r);
                            }
                        }
                        // Without an answer the rows wait for their describe; the error (a
                        // denied ListMetrics: the header's OFF list) is kept with the
                        // listing's, and the next walk asks again.
                        Err(e) => listing.errors.push(InventoryError::new(
                            "metrics",
                            "the metrics of streams not described",
                            &e,
                        )),
                    }
                    self.publish(c, &listing);
                    published = tokio::time::Instant::now();
                    unpublished = false;
                    continue;
                }
                Some(d) = describes.next(), if !describes.is_empty() => d,
                Some(d) = lists.next(), if !lists.is_empty() => d,
                // Only while there is work in flight: with none, the walk is over (`else`).
                r = refresh.changed(), if probing || !describes.is_empty() || !lists.is_empty() => {
                    if r.is_ok() && account_error.is_none() {
                        self.refresh_wanted = true;
                        self.publish(c, &listing);
                        return Ok(WalkEnd::Interrupted);
                    }
                    continue;
                }
                else => break,
            };
            let at = c.clock.now();
            {
                let w = wanted.borrow();
                shown |= match &done {
                    Done::Stream(n, _) => w.streams.contains(n),
                    Done::Targets(k, _) => w.rules.contains(k),
                };
            }
            // Whether what is shown changes: a warm start's streams described again as they
            // were cached change nothing, and are not published again (each publish is a new
            // inventory, diagnosis and rows).
            let mut changed = true;
            match done {
                Done::Stream(n, Ok(s)) => {
                    let same = self
                        .streams
                        .get(&n)
                        .filter(|k| *k.value == *s)
                        .map(|k| k.value.clone());
                    changed = self.failed.remove(&n).is_some() || same.is_none();
                    // Described: what its metrics reported is not needed any more (and would
                    // be stale if its describe failed later: that walk asks again).
                    self.reported.remove(&n);
                    let value = same.unwrap_or_else(|| Arc::new(*s));
                    self.streams.insert(n, Known::new(value, at, false));
                }
                Done::Targets(k, Ok(t)) => {
                    changed = self.failed_rules.remove(&k).is_some()
                        || self.targets.get(&k).is_none_or(|x| x.value != t);
                    if changed {
                        listing.set_targets(&k, t.clone());
                    }
                    self.targets.insert(k, Known::new(t, at, false));
                }
                // Throttled: the pace has slowed down (Pace::observe); read it again later in
                // this walk rather than give the whole walk up.
                Done::Stream(n, Err(e))
                    if e.kind == ErrorKind::Throttled && throttles < THROTTLES_PER_WALK =>
                {
                    throttles += 1;
                    changed = false;
                    stream_queue.retry(n);
                }
                Done::Targets(k, Err(e))
                    if e.kind == ErrorKind::Throttled && throttles < THROTTLES_PER_WALK =>
                {
                    throttles += 1;
                    changed = false;
                    target_queue.retry(k);
                }
                Done::Stream(_, Err(e)) | Done::Targets(_, Err(e)) if e.is_account_wide() => {
                    // Let what is in flight land, start nothing new.
                    account_error.get_or_insert(e);
                }
                Done::Stream(n, Err(e)) => {
                    self.streams.remove(&n);
                    if e.kind == ErrorKind::NotFound {
                        // Deleted since it was listed: gone, not an error.
                        self.failed.remove(&n);
                        listing.gone.insert(n);
                    } else {
                        self.failed
                            .insert(n.clone(), InventoryError::new("stream", &n, &e));
                    }
                }
                Done::Targets(k, Err(e)) => {
                    self.targets.remove(&k);
                    listing.set_targets(&k, Vec::new());
                    if e.kind == ErrorKind::NotFound {
                        self.failed_rules.remove(&k);
                        listing.gone_rules.insert(k);
                    } else {
                        let row = InventoryError::new("rule", &k.to_string(), &e);
                        self.failed_rules.insert(k, row);
                    }
                }
            }
            unpublished |= changed;
            let due = if shown { PUBLISH_EVERY } else { every };
            if unpublished && published.elapsed() >= due {
                self.publish(c, &listing);
                published = tokio::time::Instant::now();
                unpublished = false;
                shown = false;
            }
        }
        if let Some(e) = account_error {
            self.publish(c, &listing);
            return Err(e);
        }
        self.cached_at = None;
        self.publish_final(c, &listing);
        self.last = (!self.idle.is_empty()).then_some(listing);
        Ok(WalkEnd::Done)
    }

    /// ListDeliveryStreams and ListEventBuses + ListRules, at once; forgets what was deleted
    /// (only what a listing that answered no longer names).
    async fn list(&mut self, c: &PollCtx) -> Result<Listing, BackendError> {
        let names = c.backend.stream_names();
        let rules = c.backend.buses_and_rules();
        tokio::pin!(names, rules);
        // A cold start shows every stream name as soon as ListDeliveryStreams answers: ListRules
        // pages through every bus at the control plane's pace (10,000 rules are 100 calls),
        // and the names need not wait for them. Their rows say the rules are being listed
        // (never "no rule") until the rules arrive.
        let cold = self.cached_at.is_none() && self.streams.is_empty() && self.targets.is_empty();
        let sorted = |mut n: Vec<String>| {
            n.sort();
            n.dedup();
            n
        };
        let (names, listed) = if cold {
            tokio::select! {
                n = &mut names => {
                    let n = n.map(sorted);
                    if let Ok(n) = &n {
                        self.publish_names(c, n);
                    }
                    (n, rules.await)
                }
                l = &mut rules => (names.await.map(sorted), l),
            }
        } else {
            let (n, l) = tokio::join!(names, rules);
            (n.map(sorted), l)
        };
        let mut errors = Vec::new();
        let names = match names {
            Ok(n) => {
                let listed: HashSet<&String> = n.iter().collect();
                self.streams.retain(|k, _| listed.contains(k));
                self.failed.retain(|k, _| listed.contains(k));
                self.reported.retain(|k, _| listed.contains(k));
                n
            }
            Err(e) if e.is_account_wide() => return Err(e),
            // Streams cannot be listed (e.g. firehose:ListDeliveryStreams denied): an error
            // row, and the rules are still shown. What was described is kept for later.
            Err(e) => {
                errors.push(InventoryError::new("streams", "delivery streams", &e));
                Vec::new()
            }
        };
        let (buses, rules, bus_errors) = listed?;
        // A bus whose rules could not be listed keeps what was read of them.
        let unread: HashSet<&str> = bus_errors
            .iter()
            .filter(|e| e.kind == "bus")
            .map(|e| e.name.as_str())
            .collect();
        if !bus_errors.iter().any(|e| e.kind == "buses") {
            let keys: HashSet<RuleKey> = rules.iter().map(|r| r.key()).collect();
            let keep = |k: &RuleKey| keys.contains(k) || unread.contains(k.bus.as_str());
            self.targets.retain(|k, _| keep(k));
            self.failed_rules.retain(|k, _| keep(k));
        }
        errors.extend(bus_errors);
        // Each rule with the targets read before (its row shows them until read again).
        let rules: Vec<Arc<Rule>> = rules
            .into_iter()
            .map(|r| {
                let targets = self
                    .targets
                    .get(&r.key())
                    .map(|t| t.value.clone())
                    .unwrap_or_default();
                Arc::new(Rule { targets, ..r })
            })
            .collect();
        Ok(Listing {
            names,
            buses,
            rule_index: rules
                .iter()
                .enumerate()
                .map(|(i, r)| (r.key(), i))
                .collect(),
            rules,
            errors,
            gone: HashSet::new(),
            gone_rules: HashSet::new(),
        })
    }
}

/// What each stream's recently active metrics report: every listing of [`Reported::listed`]
/// at once (12 ListMetrics, each every page). A stream in no listing is not in the map.
///
/// Errors: the first listing's [`BackendError`]: a partial answer could mistake a stream's S3
/// backup for its destination.
async fn reported(c: &PollCtx) -> Result<HashMap<String, Reported>, BackendError> {
    let listed = Reported::listed();
    let answers =
        futures_util::future::join_all(listed.iter().map(|m| c.backend.streams_reporting(*m)))
            .await;
    let mut out: HashMap<String, Reported> = HashMap::new();
    for (m, names) in listed.into_iter().zip(answers) {
        for n in names? {
            out.entry(n).or_default().saw(m);
        }
    }
    Ok(out)
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

#[cfg(test)]
mod tests;
