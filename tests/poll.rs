//! Pollers and the store: a failing poll keeps the last data and says why, backoff does not
//! spin, recovery is automatic, and log events land exactly once. Uses tokio's paused clock,
//! so nothing here depends on wall time.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fhtop::backend::{BResult, Backend, BackendError, Clock, ErrorKind, demo::DemoBackend};
use fhtop::config::Intervals;
use fhtop::fresh::ctx::PollCtx;
use fhtop::fresh::store::{LogStore, Store};
use fhtop::fresh::{logs, metrics, poll};
use fhtop::model::*;

/// The demo account, except that alarm polls fail while `failing` is set (a throttled API),
/// counting every call. A wrapper over the demo for poller logic, not an AWS stand-in.
struct Flaky {
    inner: DemoBackend,
    failing: std::sync::atomic::AtomicBool,
    alarm_calls: AtomicU32,
    /// Every metrics call: (queries, points of its window).
    metric_calls: std::sync::Mutex<Vec<(usize, usize)>>,
    /// While set, listing the buses and rules waits for `rules_go` (a slow ListRules walk).
    hold_rules: std::sync::atomic::AtomicBool,
    rules_go: tokio::sync::Notify,
}

impl Flaky {
    /// `inner`, not failing, counting nothing yet; with `hold_rules`, listing the rules waits
    /// for `rules_go`.
    fn new(inner: DemoBackend, hold_rules: bool) -> Self {
        Self {
            inner,
            failing: false.into(),
            alarm_calls: AtomicU32::new(0),
            metric_calls: Default::default(),
            hold_rules: hold_rules.into(),
            rules_go: tokio::sync::Notify::new(),
        }
    }
}

#[async_trait]
impl Backend for Flaky {
    async fn identity(&self) -> BResult<Identity> {
        self.inner.identity().await
    }
    async fn inventory(&self) -> BResult<Inventory> {
        self.inner.inventory().await
    }
    async fn metrics(&self, q: &[MetricQuery], w: &MetricWindow) -> BResult<Vec<Series>> {
        if let Ok(mut c) = self.metric_calls.lock() {
            c.push((q.len(), w.points));
        }
        self.inner.metrics(q, w).await
    }
    async fn alarms(&self) -> BResult<Vec<Alarm>> {
        self.alarm_calls.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err(BackendError::new(ErrorKind::Throttled, "Rate exceeded"));
        }
        self.inner.alarms().await
    }
    async fn log_events(&self, g: &str, s: DateTime<Utc>, l: usize) -> BResult<Vec<LogEvent>> {
        self.inner.log_events(g, s, l).await
    }
    async fn describe_rule(&self, key: &RuleKey) -> BResult<Rule> {
        self.inner.describe_rule(key).await
    }
    async fn bus_rules(&self, bus: &str) -> BResult<Vec<fhtop::model::Rule>> {
        self.inner.bus_rules(bus).await
    }
    async fn buses_and_rules(&self) -> BResult<(Vec<Bus>, Vec<Rule>, Vec<InventoryError>)> {
        if self.hold_rules.load(Ordering::SeqCst) {
            self.rules_go.notified().await;
        }
        self.inner.buses_and_rules().await
    }
    async fn test_event_pattern(&self, pattern: &str, event: &str) -> BResult<bool> {
        self.inner.test_event_pattern(pattern, event).await
    }
    async fn set_rule_state(&self, key: &RuleKey, state: &RuleState) -> BResult<()> {
        self.inner.set_rule_state(key, state).await
    }
    async fn simulate_principal_policy(
        &self,
        p: &str,
        a: &[String],
        r: &[String],
        c: &std::collections::BTreeMap<String, Vec<String>>,
        rp: Option<&str>,
    ) -> BResult<Vec<fhtop::judge::iam::SimResult>> {
        self.inner.simulate_principal_policy(p, a, r, c, rp).await
    }
    async fn principal_policies(&self, p: &str) -> BResult<fhtop::judge::iam::NamedPolicies> {
        self.inner.principal_policies(p).await
    }
    async fn rule_targets(&self, k: &RuleKey) -> BResult<Vec<fhtop::model::Target>> {
        self.inner.rule_targets(k).await
    }
    async fn resource_policy(&self, a: &str) -> BResult<Option<String>> {
        self.inner.resource_policy(a).await
    }
    async fn role_trust_policy(&self, r: &str) -> BResult<Option<String>> {
        self.inner.role_trust_policy(r).await
    }
    async fn managed_policy(&self, n: &str) -> BResult<Option<(String, String)>> {
        self.inner.managed_policy(n).await
    }
    async fn bucket_policy(&self, b: &str) -> BResult<Option<String>> {
        self.inner.bucket_policy(b).await
    }
    async fn list_objects(
        &self,
        b: &str,
        p: &str,
        c: Option<&str>,
    ) -> BResult<fhtop::model::failed::ObjectPage> {
        self.inner.list_objects(b, p, c).await
    }
    async fn get_object(&self, b: &str, k: &str, m: usize, e: Option<&str>) -> BResult<Vec<u8>> {
        self.inner.get_object(b, k, m, e).await
    }
}

#[tokio::test(start_paused = true)]
async fn stale_section_keeps_data_backs_off_and_recovers() {
    let clock = Clock::Fixed(common::at());
    let flaky = Arc::new(Flaky::new(DemoBackend::new(7, clock, None), false));
    let store = Arc::new(Store::new());
    let intervals = Intervals {
        inventory: 60,
        metrics: 10,
        alarms: 10,
        logs: 10,
    };
    let pollers = poll::spawn(
        PollCtx {
            backend: flaky.clone(),
            store: store.clone(),
            clock,
            window_minutes: 60,
            cache_dir: None,
        },
        intervals,
    );
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let snap = store.snapshot();
    assert!(snap.is_complete(), "first polls published everything");
    let alarms_before = snap.alarms.get().map(Vec::len);

    flaky.failing.store(true, Ordering::SeqCst);
    let calls_at_fault = flaky.alarm_calls.load(Ordering::SeqCst);
    // Ten minutes of a throttled API.
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    let snap = store.snapshot();
    let err = snap.alarms.error.clone().expect("the failure is recorded");
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert!(err.failures >= 2);
    assert_eq!(
        snap.alarms.get().map(Vec::len),
        alarms_before,
        "last data kept"
    );
    let calls = flaky.alarm_calls.load(Ordering::SeqCst) - calls_at_fault;
    // Without backoff a 10 s interval makes 60 calls in 10 minutes; with it (10, 20, 40,
    // then 60 s ± 20 %) about 12.
    assert!(calls <= 15, "backed off: {calls} calls in 10 minutes");
    assert!(
        snap.metrics.error.is_none(),
        "other sections are unaffected"
    );

    flaky.failing.store(false, Ordering::SeqCst);
    pollers.refresh_now();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let snap = store.snapshot();
    assert!(
        snap.alarms.error.is_none(),
        "recovered by itself after refresh"
    );
    // And without a refresh, within one capped backoff period of the fault ending.
    flaky.failing.store(true, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_secs(300)).await;
    flaky.failing.store(false, Ordering::SeqCst);
    tokio::time::sleep(poll::BACKOFF_CAP.mul_f64(1.21)).await;
    assert!(store.snapshot().alarms.error.is_none());
}

#[tokio::test]
async fn log_events_land_exactly_once_across_polls() {
    let clock = Clock::Fixed(common::at());
    let demo = Arc::new(DemoBackend::new(7, clock, None));
    let store = Arc::new(Store::new());
    let c = PollCtx {
        backend: demo.clone(),
        store: store.clone(),
        clock,
        window_minutes: 60,
        cache_dir: None,
    };
    let group = "/aws/kinesisfirehose/clickstream-raw".to_string();
    let mut logs = LogStore::default();
    for _ in 0..4 {
        logs::poll_logs(&c, std::slice::from_ref(&group), &mut logs)
            .await
            .expect("poll");
    }
    let since = common::at() - chrono::Duration::minutes(logs::LOG_LOOKBACK_MIN);
    let all = demo
        .log_events(&group, since, usize::MAX)
        .await
        .expect("read");
    let buf = store.snapshot();
    let buf = buf
        .logs
        .get()
        .and_then(|l| l.group(&group))
        .expect("group polled");
    assert_eq!(buf.received as usize, all.len(), "no duplicate, no loss");
    let ids: std::collections::HashSet<_> = buf.events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids.len(), buf.events.len());
    assert!(
        all.windows(2).any(|w| w[0].timestamp == w[1].timestamp),
        "bursts share a millisecond"
    );
}

#[tokio::test]
async fn missing_log_group_is_reported_on_the_group_not_the_section() {
    let clock = Clock::Fixed(common::at());
    let store = Arc::new(Store::new());
    let c = PollCtx {
        backend: Arc::new(DemoBackend::new(7, clock, None)),
        store: store.clone(),
        clock,
        window_minutes: 60,
        cache_dir: None,
    };
    let mut logs = LogStore::default();
    let res = logs::poll_logs(&c, &["/aws/events/nope".to_string()], &mut logs).await;
    assert!(res.is_ok());
    let snap = store.snapshot();
    let g = snap
        .logs
        .get()
        .and_then(|l| l.group("/aws/events/nope"))
        .expect("group");
    assert!(g.error.as_deref().unwrap_or("").contains("does not exist"));
    assert!(
        g.missing_since.is_some(),
        "not asked for again on every poll"
    );
}

/// Issue 12's triage set is exactly what health reads: for every stream and rule of the demo
/// account (Direct PUT and Kinesis sources, S3 and service destinations, dynamic
/// partitioning, failing and healthy), health judged from the
/// triage set alone equals health judged from every metric.
#[tokio::test]
async fn health_from_the_triage_set_equals_health_from_every_metric() {
    let clock = Clock::Fixed(common::at());
    let backend: Arc<dyn Backend> = Arc::new(DemoBackend::new(common::SEED, clock, None));
    let store = Arc::new(Store::new());
    let c = PollCtx {
        backend,
        store: store.clone(),
        clock,
        window_minutes: 180,
        cache_dir: None,
    };
    poll::poll_inventory(&c).await.expect("inventory");
    poll::poll_alarms(&c).await.expect("alarms");
    let snap = store.snapshot();
    let inv = &snap.inventory.get().expect("inventory").inv;
    metrics::poll_all_metrics(&c, &snap).await.expect("metrics");
    let all = store.snapshot().metrics.get().expect("metrics").clone();
    let plan: std::collections::HashSet<(Scope, MetricId)> = metric_queries(inv, &[])
        .into_iter()
        .map(|q| (q.scope, q.metric))
        .collect();
    let mut triage = all.clone();
    triage.retain(|s, m| plan.contains(&(s.clone(), m)));
    assert!(
        triage.len() < all.len(),
        "the triage set is a part: {} of {}",
        triage.len(),
        all.len()
    );
    let alarms = snap.alarms.get().map(|a| a.as_slice()).unwrap_or(&[]);
    let inputs = |m| fhtop::judge::health::Inputs {
        inv,
        metrics: Some(m),
        metrics_error: None,
        alarms,
        logs: None,
        now: common::at(),
    };
    let shapes = [
        inv.streams
            .iter()
            .any(|s| matches!(s.source, Source::KinesisStream { .. })),
        inv.streams.iter().any(|s| s.dynamic_partitioning_enabled()),
        inv.streams
            .iter()
            .any(|s| s.destination_kind() != Some(DestinationKind::S3)),
    ];
    // (Lambda processing and format conversion: tests/shapes.rs, whose `fhtop check` reads
    // the triage set only.)
    assert_eq!(
        shapes, [true; 3],
        "the demo has the shapes the set depends on"
    );
    let mut not_ok = 0;
    for s in &inv.streams {
        let a = fhtop::judge::health::stream_health(&inputs(&all), s);
        let b = fhtop::judge::health::stream_health(&inputs(&triage), s);
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "stream {}", s.name);
        not_ok += usize::from(a.level != fhtop::judge::health::Level::Ok);
    }
    for r in &inv.rules {
        let a = fhtop::judge::health::rule_health(&inputs(&all), r);
        let b = fhtop::judge::health::rule_health(&inputs(&triage), r);
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "rule {}", r.key());
        not_ok += usize::from(a.level != fhtop::judge::health::Level::Ok);
    }
    assert!(not_ok > 0, "failing rows are compared too");
}

/// Issue 12: a row's history is fetched once, then extended by its newest minutes (the last
/// five read again); a poll a minute later asks for the rows on screen over a short range, and
/// every row keeps its whole window.
#[tokio::test]
async fn a_series_is_extended_by_its_newest_minutes_not_fetched_again() {
    let t0 = common::at();
    let (flaky, store) = recording_demo(t0);
    let at = |t| ctx_at(&flaky, &store, t);
    let c = at(t0);
    poll::poll_inventory(&c).await.expect("inventory");
    let snap = store.snapshot();
    let inv = snap.inventory.get().expect("inventory").inv.clone();
    let want = fhtop::fresh::plan::Want {
        screen: inv.scopes(),
        full: Vec::new(),
    };
    let every = std::time::Duration::from_secs(60);
    let mut plan = fhtop::fresh::plan::Plan::default();
    metrics::poll_metrics(&c, &snap, &mut plan, &want, every)
        .await
        .expect("first poll");
    let first: Vec<(usize, usize)> = std::mem::take(&mut *flaky.metric_calls.lock().unwrap());
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].1, 180, "the whole window once");

    let c = at(t0 + chrono::Duration::seconds(60));
    metrics::poll_metrics(&c, &store.snapshot(), &mut plan, &want, every)
        .await
        .expect("next poll");
    let next: Vec<(usize, usize)> = std::mem::take(&mut *flaky.metric_calls.lock().unwrap());
    assert_eq!(
        next.iter().map(|c| c.0).sum::<usize>(),
        first[0].0,
        "every row on screen again"
    );
    assert!(
        next.iter().all(|c| c.1 <= 15),
        "the newest minutes only (5 read again, rounded to 10): {next:?}"
    );
    let m = store.snapshot();
    let m = m.metrics.get().expect("metrics");
    assert_eq!(
        m.window.start,
        first_start(t0) + chrono::Duration::seconds(60)
    );
    assert!(
        m.keys()
            .all(|(s, id)| m.series(s, id).is_some_and(|p| p.len() == 180)),
        "every series spans the new window"
    );
}

/// The demo account at `t0`, recording its metrics calls, and an empty store.
fn recording_demo(t0: DateTime<Utc>) -> (Arc<Flaky>, Arc<Store>) {
    let flaky = Arc::new(Flaky::new(
        DemoBackend::new(common::SEED, Clock::Fixed(t0), None),
        false,
    ));
    (flaky, Arc::new(Store::new()))
}

/// Pollers' context on `flaky` and `store` with the clock fixed at `t` (3 h window).
fn ctx_at(flaky: &Arc<Flaky>, store: &Arc<Store>, t: DateTime<Utc>) -> PollCtx {
    PollCtx {
        backend: flaky.clone(),
        store: store.clone(),
        clock: Clock::Fixed(t),
        window_minutes: 180,
        cache_dir: None,
    }
}

fn first_start(now: DateTime<Utc>) -> DateTime<Utc> {
    MetricWindow::ending_at(now, 180, 60).start
}

/// A row missing any series of its plan (its triage set grew with its configuration, it came
/// back after a failed describe) is fetched at the next poll whatever the rotation says —
/// never left without metrics, which would read as "nothing failed".
#[tokio::test]
async fn a_row_missing_a_series_is_fetched_at_the_next_poll() {
    let t0 = common::at();
    let (flaky, store) = recording_demo(t0);
    let c = ctx_at(&flaky, &store, t0);
    poll::poll_inventory(&c).await.expect("inventory");
    let snap = store.snapshot();
    let inv = snap.inventory.get().expect("inventory").inv.clone();
    let every = std::time::Duration::from_secs(60);
    let mut plan = fhtop::fresh::plan::Plan::default();
    let none = fhtop::fresh::plan::Want::default();
    metrics::poll_metrics(&c, &snap, &mut plan, &none, every)
        .await
        .expect("first poll");
    // One rule loses its series; nothing is on screen.
    let rule = Scope::Rule(inv.rules[0].key());
    let mut m = store.snapshot().metrics.get().expect("metrics").clone();
    m.retain(|s, _| *s != rule);
    store.set_metrics(m, t0);
    flaky.metric_calls.lock().unwrap().clear();
    metrics::poll_metrics(&c, &store.snapshot(), &mut plan, &none, every)
        .await
        .expect("next poll");
    let m = store.snapshot();
    let m = m.metrics.get().expect("metrics");
    for id in fhtop::model::RULE_TRIAGE {
        assert_eq!(
            m.series(&rule, id).map(|p| p.len()),
            Some(180),
            "{id:?} fetched again, over the whole window"
        );
    }
    assert!(
        flaky
            .metric_calls
            .lock()
            .unwrap()
            .iter()
            .any(|c| c.1 == 180),
        "the missing series read whole"
    );
}

/// What ListMetrics reports of a stream before it is described (issue 12) agrees with its
/// configuration on every stream of the demo account: the source's count, the destination
/// kind, and a triage set that is the described stream's, less what needs the configuration
/// (Lambda, format conversion, partitioning), plus at most its S3 backup's records.
#[tokio::test]
async fn what_metrics_report_before_describe_agrees_with_the_configuration() {
    let backend = DemoBackend::new(common::SEED, Clock::Fixed(common::at()), None);
    let inv = backend.inventory().await.expect("inventory");
    let mut reported: std::collections::HashMap<String, Reported> = Default::default();
    for m in Reported::listed() {
        for n in backend.streams_reporting(m).await.expect("listing") {
            reported.entry(n).or_default().saw(m);
        }
    }
    assert_eq!(reported.len(), inv.streams.len(), "every stream reports");
    for s in &inv.streams {
        let r = reported[&s.name];
        assert_eq!(
            r.incoming,
            Some(MetricId::incoming(&s.source)),
            "{}",
            s.name
        );
        assert_eq!(r.destination, s.destination_kind(), "{}", s.name);
        let described = MetricId::triage(s);
        for m in MetricId::triage_reported(&r) {
            assert!(
                described.contains(&m) || m == MetricId::DeliveryRecords(DestinationKind::S3),
                "{}: {m:?} is not in its triage set {described:?}",
                s.name
            );
        }
    }
}

/// Alarm coverage (issue 14) counts an alarm only when it watches the series the design
/// expects the right way: the demo's clickstream-raw has delivery-success, freshness and its
/// rule's failed-invocations alarms, and lacks the throttled-records one; an alarm comparing
/// the wrong way or carrying a dimension the series does not have (EventBusName=default: the
/// default bus's metrics have none) stops counting. The freshness threshold is fhtop's FAIL
/// line: 4 × the buffering interval, at least 900 s.
#[tokio::test]
async fn alarm_coverage_counts_only_alarms_watching_the_series_the_right_way() {
    use fhtop::judge::health::coverage::coverage;
    let backend = DemoBackend::new(common::SEED, Clock::Fixed(common::at()), None);
    let inv = backend.inventory().await.expect("inventory");
    let alarms = backend.alarms().await.expect("alarms");
    let s = inv.stream("clickstream-raw").expect("demo stream");
    let missing = |alarms: &[Alarm]| -> Vec<MetricId> {
        coverage(&inv, alarms, s)
            .into_iter()
            .filter(|c| c.alarms.is_empty())
            .map(|c| c.expected.metric)
            .collect()
    };
    assert_eq!(missing(&alarms), [MetricId::ThrottledRecords]);

    let mut wrong = alarms.clone();
    for a in &mut wrong {
        if a.name == "clickstream-raw-DeliverySuccess" {
            a.comparison = Some("GreaterThanThreshold".into());
        }
        if a.metric.as_deref() == Some("FailedInvocations") && a.rule().is_some() {
            a.dimensions.push(("EventBusName".into(), "default".into()));
        }
    }
    assert_eq!(
        missing(&wrong),
        [
            MetricId::DeliverySuccess(DestinationKind::S3),
            MetricId::ThrottledRecords,
            MetricId::FailedInvocations
        ]
    );
    let fresh = coverage(&inv, &alarms, s)
        .into_iter()
        .find(|c| matches!(c.expected.metric, MetricId::DataFreshness(_)))
        .expect("a freshness alarm is expected");
    let buffer = fhtop::judge::health::buffer_interval(s);
    assert_eq!(fresh.expected.threshold, (buffer * 4.0).max(900.0));
    assert!(
        fresh
            .expected
            .put_metric_alarm("us-east-1")
            .contains(&format!("--threshold {}", (buffer * 4.0).max(900.0))),
        "the command carries it"
    );
}

/// Issue 27: a cold start shows every stream name as soon as ListDeliveryStreams answers,
/// while ListRules still pages through the buses (10,000 rules are 100 calls at the control
/// plane's pace) — and no row says "no rule" until the rules are read.
#[tokio::test]
async fn stream_names_are_shown_before_the_rules_are_listed_and_claim_no_rule() {
    let clock = Clock::Fixed(common::at());
    let slow = Arc::new(Flaky::new(
        DemoBackend::new(common::SEED, clock, None),
        true,
    ));
    let store = Arc::new(Store::new());
    let c = PollCtx {
        backend: slow.clone(),
        store: store.clone(),
        clock,
        window_minutes: 60,
        cache_dir: None,
    };
    // The walk the inventory poller runs (names first, then each stream described).
    let walk = tokio::spawn(async move {
        let (_keep, wanted) = tokio::sync::watch::channel(fhtop::fresh::walk::Wanted::default());
        let (_tx, mut refresh) = tokio::sync::watch::channel(0u64);
        let mut walker = fhtop::fresh::walk::Walker::new(std::time::Duration::from_secs(60));
        walker.walk(&c, &wanted, &mut refresh).await
    });
    let names = slow.inner.stream_names().await.expect("names");
    // The rules are held: a walk that waited for them would never show anything.
    let shown = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            if let Some(inv) = store.snapshot().inventory.get() {
                break inv.inv.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the names are shown while the rules are still being listed");
    let ((_, listed), (rules_unread, _)) = shown.reading();
    assert_eq!(listed, names.len(), "every name, before any rule");
    assert!(shown.rules.is_empty() && shown.rules_listing());
    // What feeds each stream is not known yet: the Pipelines pane says "rules being read",
    // health never "no rule".
    assert!(rules_unread > 0);
    let snap = store.snapshot();
    let d = snap.diagnosis();
    for n in &names {
        let ok = d
            .streams
            .get(n)
            .is_some_and(|h| h.level == fhtop::judge::health::Level::Ok);
        assert!(!ok, "{n}: undecided while its rules are listed");
    }
    slow.rules_go.notify_one();
    walk.await.expect("walk").expect("inventory");
    let inv = store
        .snapshot()
        .inventory
        .get()
        .expect("inventory")
        .inv
        .clone();
    assert!(!inv.rules.is_empty() && !inv.rules_listing());
}
