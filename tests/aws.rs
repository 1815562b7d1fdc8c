//! fhtop's real AWS backend against a real AWS-compatible server (moto) over HTTP, seeded
//! through its AWS API. CloudWatch goes through the harness's CBOR adapter (moto has no Smithy
//! RPC v2 CBOR); everything else is moto as is.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use std::collections::HashSet;
use std::sync::Arc;

use fhtop::backend::{Backend, Clock, ErrorKind};
use fhtop::fresh::ctx::{Interest, PollCtx};
use fhtop::fresh::store::{LogStore, Store};
use fhtop::fresh::{logs, metrics, poll};
use fhtop::judge::health::{Inputs, Level, rule_health, stream_health};
use fhtop::model::{AlarmState, DestinationKind, MetricId, RuleKey, RuleState, Scope};
use harness::{Aws, eventually};

fn ctx(backend: Arc<dyn Backend>, store: &Arc<Store>) -> PollCtx {
    PollCtx {
        backend,
        store: store.clone(),
        clock: Clock::System,
        window_minutes: 60,
        cache_dir: None,
    }
}

/// Every poller on `region` at the default intervals (inventory 300 s, the others 60 s): the
/// store they publish to, and the pollers (dropped: stopped).
async fn live(aws: &Aws, region: &str) -> (Arc<Store>, poll::Pollers) {
    let store = Arc::new(Store::new());
    let intervals = fhtop::config::Intervals {
        inventory: 300,
        metrics: 60,
        alarms: 60,
        logs: 60,
    };
    let pollers = poll::spawn(ctx(aws.backend(region).await, &store), intervals);
    (store, pollers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_account_loads_every_section() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    let store = Arc::new(Store::new());
    let c = ctx(aws.backend("us-west-2").await, &store);
    poll::poll_once(&c, &Interest::default())
        .await
        .expect("first poll");
    let snap = store.snapshot();

    let id = snap.identity.get().expect("identity");
    assert_eq!(id.account, "123456789012");
    assert_eq!(id.region, "us-west-2");
    assert!(
        id.caller_arn
            .as_deref()
            .unwrap_or("")
            .starts_with("arn:aws:sts::")
    );

    let inv = &snap.inventory.get().expect("inventory").inv;
    let names: Vec<&str> = inv.streams.iter().map(|s| s.name.as_str()).collect();
    for s in ["orders-to-s3", "clickstream-raw", "audit-trail"] {
        assert!(names.contains(&s), "{s} in {names:?}");
    }
    // The stream moto describes without required fields is either decoded with the SDK's
    // defaults or shown as an error row; it never takes the others down.
    assert!(
        names.contains(&"legacy-gap") || inv.errors.iter().any(|e| e.name == "legacy-gap"),
        "legacy-gap is a row or an error row"
    );
    let orders = inv.stream("orders-to-s3").expect("orders");
    let d = orders.s3().expect("S3 destination");
    assert_eq!(d.bucket_arn, "arn:aws:s3:::acme-lake");
    assert_eq!(
        d.log_group.as_deref(),
        Some("/aws/kinesisfirehose/orders-to-s3")
    );
    let dp = d
        .dynamic_partitioning
        .as_ref()
        .expect("dynamic partitioning");
    assert!(dp.enabled);
    assert_eq!(dp.jq_query.as_deref(), Some("{region: .detail.region}"));
    assert_eq!(inv.stream("audit-trail").and_then(|s| s.log_group()), None);

    assert_eq!(inv.buses.len(), 2);
    let rule = |bus: &str, name: &str| {
        inv.rule(&RuleKey {
            bus: bus.into(),
            name: name.into(),
        })
        .unwrap_or_else(|| panic!("rule {bus}/{name}"))
    };
    assert_eq!(
        rule("orders-bus", "payment-refunded").state,
        RuleState::Disabled
    );
    assert_eq!(
        rule("default", "clickstream-capture").state,
        RuleState::Enabled
    );
    assert_eq!(
        rule("default", "hourly-snapshot").schedule.as_deref(),
        Some("rate(1 hour)")
    );
    let t = &rule("default", "clickstream-capture").targets[0];
    assert_eq!(t.firehose_stream_name(), Some("clickstream-raw"));
    assert!(
        t.role_arn
            .as_deref()
            .unwrap_or("")
            .ends_with("eventbridge-firehose-writer")
    );
    let links = &snap.inventory.get().expect("inventory").pipelines;
    assert!(
        links
            .iter()
            .any(|l| l.stream_name == "clickstream-raw" && l.rule.is_some())
    );

    let alarms = snap.alarms.get().expect("alarms");
    let state = |n: &str| alarms.iter().find(|a| a.name == n).map(|a| a.state);
    assert_eq!(
        state("clickstream-raw-DataFreshness"),
        Some(AlarmState::Alarm)
    );
    assert_eq!(state("orders-to-s3-Success"), Some(AlarmState::Ok));
    assert_eq!(
        state("audit-trail-Incoming"),
        Some(AlarmState::InsufficientData)
    );
    assert!(alarms.iter().any(|a| a.is_for_stream("clickstream-raw")));

    let m = snap
        .metrics
        .get()
        .expect("metrics through the CBOR adapter");
    let clicks = Scope::Stream("clickstream-raw".into());
    let incoming = m
        .window_sum(&clicks, MetricId::IncomingRecords)
        .unwrap_or(0.0);
    assert!(
        incoming >= 29_000.0,
        "30 seeded minutes of 1000: {incoming}"
    );
    assert_eq!(
        m.recent_avg(&clicks, MetricId::DeliverySuccess(DestinationKind::S3)),
        Some(0.0)
    );
    // A missing Firehose datapoint is a gap; a missing EventBridge datapoint is zero.
    let audit = m
        .series(
            &Scope::Stream("audit-trail".into()),
            MetricId::IncomingRecords,
        )
        .expect("series");
    assert!(audit.iter().all(|v| v.is_none()));
    let inv_series = m
        .series(
            &Scope::Rule(RuleKey {
                bus: "orders-bus".into(),
                name: "order-events".into(),
            }),
            MetricId::Invocations,
        )
        .expect("series");
    assert!(inv_series.iter().all(|v| v == Some(0.0)));
    let matched = m.window_sum(
        &Scope::Rule(RuleKey {
            bus: "orders-bus".into(),
            name: "order-events".into(),
        }),
        MetricId::MatchedEvents,
    );
    assert!(
        matched.unwrap_or(0.0) >= 145_000.0,
        "custom-bus rule metrics use EventBusName: {matched:?}"
    );

    // Health from real data.
    let inputs = Inputs {
        inv,
        metrics: Some(m),
        metrics_error: None,
        alarms,
        logs: None,
        now: chrono::Utc::now(),
    };
    let h = stream_health(&inputs, inv.stream("clickstream-raw").expect("clicks"));
    assert_eq!(h.level, Level::Fail);
    assert!(
        h.findings
            .iter()
            .any(|f| f.text.contains("S3 delivery success 0%"))
    );
    let h = rule_health(&inputs, rule("orders-bus", "payment-refunded"));
    assert_eq!(h.level, Level::Warn);

    // Logs of the failing stream were read because it is failing.
    let logs = snap.logs.get().expect("logs");
    let g = logs
        .group("/aws/kinesisfirehose/clickstream-raw")
        .expect("failing stream's log");
    assert_eq!(g.events.len(), 20);
    assert!(
        g.events
            .iter()
            .all(|e| e.message.contains("S3.AccessDenied"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_account_loads_completely_and_metrics_are_batched() {
    let aws = Aws::start();
    aws.seed("eu-west-1", "scale");
    let store = Arc::new(Store::new());
    let c = ctx(aws.backend("eu-west-1").await, &store);
    poll::poll_inventory(&c).await.expect("inventory");
    let snap = store.snapshot();
    let inv = &snap.inventory.get().expect("inventory").inv;
    assert_eq!(
        inv.streams.len(),
        150,
        "every page of ListDeliveryStreams followed"
    );
    assert_eq!(inv.buses.len(), 3);
    assert_eq!(inv.rules.len(), 300, "every page of ListRules followed");
    assert!(
        inv.rules.iter().all(|r| r.targets.len() == 1),
        "targets of every rule"
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors.first());
    assert_eq!(aws.count("DescribeDeliveryStream"), 150);
    assert_eq!(aws.count("ListTargetsByRule"), 300);
    assert_eq!(
        aws.count("ListDeliveryStreams"),
        1,
        "one page of up to 10,000 names"
    );

    // Issue 12's metric plan: off the selection only the triage set (what health and the list
    // columns read); the selected stream and rule (and an open drill-in) every metric.
    aws.reset_counts();
    let sel_stream = Scope::Stream("s-007".into());
    let sel_rule = Scope::Rule(RuleKey {
        bus: "bus-a".into(),
        name: "r-001".into(),
    });
    let every = std::time::Duration::from_secs(60);
    let mut plan = fhtop::fresh::plan::Plan::default();
    let want = fhtop::fresh::plan::Want {
        screen: Vec::new(),
        full: vec![sel_stream.clone(), sel_rule.clone()],
    };
    metrics::poll_metrics(&c, &snap, &mut plan, &want, every)
        .await
        .expect("metrics");
    let s007 = inv.stream("s-007").expect("s-007");
    let stream_triage = MetricId::triage(s007);
    assert_eq!(
        stream_triage.len(),
        5,
        "Direct PUT to S3: incoming, throttled, delivered, success, freshness"
    );
    let queries = 149 * stream_triage.len()
        + MetricId::for_stream(s007).len()
        + 299 * fhtop::model::RULE_TRIAGE.len()
        + MetricId::RULE.len();
    // Issue 27: a series never fetched is fetched whatever ListMetrics says, so a first poll
    // (no series held) makes no sweep: nothing could rest on it.
    let requested = queries;
    assert_eq!(
        aws.count("ListMetrics"),
        0,
        "no sweep before a series is held"
    );
    assert_eq!(
        aws.count("metrics requested"),
        requested as u64,
        "what CloudWatch bills, counted at the server"
    );
    // One more for the selection, fetched and published first (the rest is over two calls).
    let max_calls = requested.div_ceil(500) as u64 + 1;
    let calls = aws.count("GetMetricData");
    assert!(
        calls >= 1 && calls <= max_calls,
        "{calls} GetMetricData calls for {requested} metrics (max {max_calls})"
    );
    assert_eq!(aws.count("GetMetricStatistics"), 0);
    let m = store.snapshot();
    let m = m.metrics.get().expect("metrics");
    assert_eq!(m.len(), queries);
    let off = Scope::Stream("s-100".into());
    assert!(
        m.series(&off, MetricId::DataFreshness(DestinationKind::S3))
            .is_some()
    );
    assert!(
        m.series(&off, MetricId::IncomingBytes).is_none(),
        "an off-screen row gets no drill-in metric"
    );
    assert!(m.series(&sel_stream, MetricId::IncomingBytes).is_some());
    assert!(m.series(&sel_rule, MetricId::TriggeredRules).is_some());
    let off_rule = Scope::Rule(RuleKey {
        bus: "bus-b".into(),
        name: "r-002".into(),
    });
    assert!(m.series(&off_rule, MetricId::FailedInvocations).is_some());
    assert!(m.series(&off_rule, MetricId::TriggeredRules).is_none());
    // Selecting another row asks for the rest of its metrics only, over the same window.
    aws.reset_counts();
    let want = fhtop::fresh::plan::Want {
        screen: vec![off.clone()],
        full: vec![off.clone()],
    };
    metrics::poll_new_metrics(&c, &mut plan, &want, every)
        .await
        .expect("new metrics");
    let whole = MetricId::for_stream(s007).len();
    assert_eq!(
        aws.count("metrics requested"),
        (whole - stream_triage.len()) as u64
    );
    let m = store.snapshot();
    let m = m.metrics.get().expect("metrics");
    assert!(m.series(&off, MetricId::IncomingBytes).is_some());

    // The next poll: the row on screen and selected whole, and the rotation's share of the
    // others' triage sets (each row again within 10 minutes), each series extended by its
    // newest minutes; every row keeps its series.
    aws.reset_counts();
    let snap = store.snapshot();
    metrics::poll_metrics(&c, &snap, &mut plan, &want, every)
        .await
        .expect("metrics");
    // The rotation's share is counted in series (issue 27): the series of the rows off screen
    // that the ListMetrics sweep does not call empty (each stream's ThrottledRecords, which
    // the scale account never published, rests on it), spread over the 10 polls of the
    // 10-minute rotation; the least recently fetched rows up to it.
    assert!(aws.count("ListMetrics") > 0, "the sweep");
    let listing = plan.listing().expect("the sweep's listing");
    let active = fhtop::model::metric_queries(inv, &[])
        .into_iter()
        .filter(|q| q.scope != off && !listing.absent(&q.scope, q.metric))
        .count();
    assert!(
        listing.absent(&Scope::Stream("s-001".into()), MetricId::ThrottledRecords),
        "never published"
    );
    assert_eq!(
        fhtop::fresh::plan::rotation_for(active, 150),
        fhtop::fresh::plan::ROTATION
    );
    let share = fhtop::fresh::plan::rotation_share(active, every, fhtop::fresh::plan::ROTATION);
    assert_eq!(share, active.div_ceil(10));
    let requested = aws.count("metrics requested") as usize - whole;
    assert!(
        requested >= share && requested < share + stream_triage.len(),
        "s-100 whole and {requested} series of the rotation: its share is {share} of {active}"
    );
    let m = store.snapshot();
    let m = m.metrics.get().expect("metrics");
    assert_eq!(
        m.len(),
        150 * stream_triage.len() + (whole - stream_triage.len()) + 300 * 5,
        "every row's triage set, s-100's drill-in metrics (s-007's and r-001's dropped)"
    );
    assert!(m.series(&sel_stream, MetricId::IncomingBytes).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_log_events_each_shown_exactly_once() {
    let aws = Aws::start();
    aws.seed("ap-southeast-2", "logs10k");
    let store = Arc::new(Store::new());
    let c = ctx(aws.backend("ap-southeast-2").await, &store);
    let group = "/aws/kinesisfirehose/big".to_string();
    let mut logs = LogStore::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut messages: HashSet<String> = HashSet::new();
    let mut total = 0u64;
    for _ in 0..60 {
        logs::poll_logs(&c, std::slice::from_ref(&group), &mut logs)
            .await
            .expect("poll");
        let buf = logs.group(&group).expect("group");
        let new = (buf.received - total) as usize;
        total = buf.received;
        for e in buf.events.iter().rev().take(new) {
            assert!(
                seen.insert(e.event_id.clone()),
                "event {} shown twice",
                e.event_id
            );
            messages.insert(e.message.clone());
        }
        if new == 0 && total >= 10_000 {
            break;
        }
    }
    assert_eq!(total, 10_000, "every event once, none twice");
    assert_eq!(messages.len(), 10_000);
    assert!(
        aws.count("FilterLogEvents") >= 10,
        "spread over many pages and polls"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_keep_the_last_data_marked_stale_and_recover_by_themselves() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    let store = Arc::new(Store::new());
    let backend = aws.backend("us-west-2").await;
    let intervals = fhtop::config::Intervals {
        inventory: 2,
        metrics: 1,
        alarms: 1,
        logs: 1,
    };
    let pollers = poll::spawn(ctx(backend, &store), intervals);
    eventually("first complete poll", || store.snapshot().is_complete()).await;
    let alarms_before = store.snapshot().alarms.get().map(Vec::len);

    for (mode, kind) in [
        ("throttle", Some(ErrorKind::Throttled)),
        ("error500", None),
        ("expired", Some(ErrorKind::ExpiredCredentials)),
        ("reset", None),
        ("down", None),
    ] {
        aws.fault(mode, 0.0);
        eventually(&format!("{mode}: alarms marked stale"), || {
            let s = store.snapshot();
            s.alarms
                .error
                .as_ref()
                .is_some_and(|e| kind.is_none_or(|k| e.kind == k))
        })
        .await;
        let s = store.snapshot();
        assert_eq!(
            s.alarms.get().map(Vec::len),
            alarms_before,
            "{mode}: last data kept"
        );
        assert!(s.alarms.fetched_at.is_some(), "{mode}: its age is known");
        if mode == "expired" {
            let msg = &s
                .alarms
                .error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            assert!(msg.contains("expired"), "{msg}");
        }
        aws.fault("none", 0.0);
        eventually(&format!("{mode}: recovered without a restart"), || {
            let s = store.snapshot();
            s.alarms.error.is_none() && s.metrics.error.is_none() && s.inventory.error.is_none()
        })
        .await;
    }

    // Eight seconds of latency: polls are slow, nothing else is affected, and data stays.
    aws.fault("latency", 8.0);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(store.snapshot().is_complete());
    aws.fault("none", 0.0);
    drop(pollers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_undescribable_stream_is_an_error_row_and_the_rest_load() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    aws.fault_one("error500", "DescribeDeliveryStream", "clickstream-raw");
    let store = Arc::new(Store::new());
    let c = ctx(aws.backend("us-west-2").await, &store);
    poll::poll_inventory(&c)
        .await
        .expect("the inventory as a whole loads");
    let snap = store.snapshot();
    let inv = &snap.inventory.get().expect("inventory").inv;
    assert!(inv.stream("clickstream-raw").is_none());
    let err = inv
        .errors
        .iter()
        .find(|e| e.name == "clickstream-raw")
        .expect("error row");
    assert!(
        err.message.contains("DescribeDeliveryStream"),
        "{}",
        err.message
    );
    assert!(inv.stream("orders-to-s3").is_some() && inv.stream("audit-trail").is_some());
    assert_eq!(inv.rules.len(), 5, "rules unaffected");
}

/// The most calls that fell in any one-second window of `times`.
fn busiest_second(times: &[tokio::time::Instant]) -> usize {
    let mut t = times.to_vec();
    t.sort();
    (0..t.len())
        .map(|i| {
            t[i..]
                .iter()
                .take_while(|x| x.duration_since(t[i]) < std::time::Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// Sends `n` calls at once through `p` and returns when each went out.
async fn burst(p: &Arc<fhtop::backend::aws::Pace>, n: usize) -> Vec<tokio::time::Instant> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move {
                p.wait().await;
                tokio::time::Instant::now()
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// Issue 12's pacing: AWS's "5 transactions per second" is used whole — a burst of 5, then 5
/// a second — and never exceeded in any one-second window; a throttled answer halves it, and
/// quiet time gives it back.
#[tokio::test(start_paused = true)]
async fn the_pace_uses_the_stated_rate_and_never_exceeds_it() {
    let p = Arc::new(fhtop::backend::aws::Pace::new(5.0));
    let start = tokio::time::Instant::now();
    let times = burst(&p, 50).await;
    assert_eq!(busiest_second(&times), 5, "never more than 5 in a second");
    // 50 calls at 5/s with a burst of 5: the last goes out at 9 s, not 10 (or 12.5 at 4/s).
    let last = times.iter().max().unwrap().duration_since(start);
    assert_eq!(last, std::time::Duration::from_secs(9));
    let first_second = times
        .iter()
        .filter(|t| t.duration_since(start) < std::time::Duration::from_secs(1))
        .count();
    assert_eq!(first_second, 5, "the burst is used at once");

    // Throttled: half the rate until it is quiet again.
    let throttled: fhtop::backend::BResult<()> = Err(fhtop::backend::BackendError::new(
        ErrorKind::Throttled,
        "Rate exceeded",
    ));
    tokio::time::advance(std::time::Duration::from_secs(2)).await;
    p.observe(&throttled);
    assert_eq!(p.limit(), 2);
    // The calls in flight when throttling starts are one signal: no second halving.
    p.observe(&throttled);
    assert_eq!(p.limit(), 2, "one cut per window");
    let times = burst(&p, 20).await;
    assert_eq!(busiest_second(&times), 2, "halved after throttling");
    let quiet = fhtop::backend::aws::PACE_RECOVERY;
    tokio::time::advance(quiet).await;
    p.wait().await;
    assert_eq!(p.limit(), 3, "one call back per quiet {quiet:?}");
    tokio::time::advance(quiet * 2).await;
    p.wait().await;
    assert_eq!(p.limit(), 5, "back to the stated rate");
    tokio::time::advance(quiet * 3).await;
    p.wait().await;
    assert_eq!(p.limit(), 5, "never above it");
}

/// Issue 12, names first: the walk publishes every stream and rule as soon as the list calls
/// answer (rows marked as being read, never OK), and describes the rows on screen before the
/// others — at AWS's own 5 DescribeDeliveryStream calls a second, so the order shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walk_shows_every_name_first_and_describes_the_rows_on_screen_first() {
    let aws = Aws::start();
    aws.seed("ca-central-1", "scale");
    let store = Arc::new(Store::new());
    let c = ctx(aws.backend_paced("ca-central-1", 2.0).await, &store);
    // On screen: two streams and a rule late in the alphabet.
    let wanted = fhtop::fresh::walk::Wanted {
        streams: vec!["s-149".into(), "s-120".into()],
        rules: vec![RuleKey {
            bus: "bus-b".into(),
            name: "r-299".into(),
        }],
        metrics: Default::default(),
    };
    let (_tx, rx) = tokio::sync::watch::channel(wanted);
    let (refresh, mut refresh_rx) = tokio::sync::watch::channel(0u64);
    let mut walker = fhtop::fresh::walk::Walker::new(std::time::Duration::from_secs(300));
    let walk = tokio::spawn(async move {
        let first = walker.walk(&c, &rx, &mut refresh_rx).await;
        (first, walker, c, rx, refresh_rx)
    });

    eventually("the names", || store.snapshot().inventory.get().is_some()).await;
    let snap = store.snapshot();
    let inv = &snap.inventory.get().unwrap().inv;
    let ((loading, streams), (_, rules)) = inv.reading();
    assert_eq!((streams, rules), (150, 300), "every name at once");
    assert!(
        loading > 100,
        "named long before described: {loading} of 150 loading"
    );

    eventually("the rows on screen described", || {
        let snap = store.snapshot();
        let inv = &snap.inventory.get().unwrap().inv;
        inv.stream("s-149").is_some() && inv.stream("s-120").is_some()
    })
    .await;
    let snap = store.snapshot();
    let inv = &snap.inventory.get().unwrap().inv;
    assert!(
        inv.streams.len() < 20,
        "the rows on screen came first: {} described when they were",
        inv.streams.len()
    );
    // A pipeline whose stream is still being read is undecided: never OK, and never "target
    // stream not found".
    eventually("the rules' targets", || {
        store.snapshot().inventory.get().unwrap().inv.reading().1.0 == 0
    })
    .await;
    let snap = store.snapshot();
    let view = snap.inventory.get().unwrap();
    let d = snap.diagnosis();
    let waiting: Vec<usize> = (0..view.pipelines.len())
        .filter(|&i| view.pipelines[i].stream.is_none())
        .collect();
    assert!(!waiting.is_empty(), "streams still being read");
    for i in waiting {
        assert_eq!(
            d.pipeline_level(i),
            Level::Unknown,
            "{}",
            view.pipelines[i].stream_name
        );
    }

    // A refresh (`r`, a rule change) cuts the walk short; the next one lists again and keeps
    // what was read.
    refresh.send_modify(|n| *n += 1);
    let (first, mut walker, c, rx, mut refresh_rx) = walk.await.unwrap();
    assert_eq!(first.unwrap(), fhtop::fresh::walk::WalkEnd::Interrupted);
    let described = store.snapshot().inventory.get().unwrap().inv.streams.len();
    let again = tokio::spawn(async move { walker.walk(&c, &rx, &mut refresh_rx).await });
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = store.snapshot().inventory.get().unwrap().inv.streams.len();
        assert!(
            now >= described,
            "{now} < {described}: nothing read is lost"
        );
    }
    eventually("the next walk goes on", || {
        store.snapshot().inventory.get().unwrap().inv.streams.len() > described
    })
    .await;
    again.abort();
}

/// Issue 27, outcome 3: with many rules never read, a cold start reads the targets of the active
/// ones (MatchedEvents in ListMetrics), the rows on screen, and the rotation's share of the idle
/// ones — fewer calls than rules. The idle rows say why they wait, and feed no stream an
/// "unknown": they matched no event in 3 h.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_reads_the_active_rules_targets_and_a_share_of_the_idle_ones() {
    let aws = Aws::start();
    aws.seed("sa-east-1", "scale");
    let store = Arc::new(Store::new());
    let c = ctx(aws.backend("sa-east-1").await, &store);
    // On screen: an idle rule (r-299 matched nothing) beyond the share.
    let on_screen = RuleKey {
        bus: "bus-b".into(),
        name: "r-299".into(),
    };
    let wanted = fhtop::fresh::walk::Wanted {
        streams: vec![],
        rules: vec![on_screen.clone()],
        metrics: Default::default(),
    };
    let (_tx, rx) = tokio::sync::watch::channel(wanted);
    let (_refresh, mut refresh_rx) = tokio::sync::watch::channel(0u64);
    aws.reset_counts();
    // 300 rules, 30 active; deferral from 100 unread, walks every 300 s (6 in the 30-minute
    // rotation: a share of 50).
    let mut walker = fhtop::fresh::walk::Walker::new(std::time::Duration::from_secs(300))
        .defer_idle_rules_over(100);
    let end = walker.walk(&c, &rx, &mut refresh_rx).await.unwrap();
    assert_eq!(end, fhtop::fresh::walk::WalkEnd::Done);
    assert_eq!(
        aws.count("ListTargetsByRule"),
        30 + 50 + 1,
        "the active rules, the idle share and the rule on screen: {:?}",
        aws.counts()
    );
    let snap = store.snapshot();
    let inv = &snap.inventory.get().unwrap().inv;
    assert!(
        !inv.rule(&on_screen).unwrap().targets.is_empty(),
        "on screen: read"
    );
    assert_eq!(inv.reading().1.0, 300 - 81, "the rest wait for their share");
    assert!(
        inv.errors
            .iter()
            .filter(|e| e.loading && e.kind == "rule")
            .all(|e| e.idle),
        "every waiting rule is an idle one"
    );
    assert_eq!(
        inv.active_rules_unread(),
        0,
        "no rule that matched events waits"
    );
    // A stream fed by no rule read is not "unknown" on that account: idle rules feed it nothing.
    let d = snap.diagnosis();
    let view = snap.inventory.get().unwrap();
    let unlinked = (0..view.pipelines.len())
        .find(|&i| view.pipelines[i].rule.is_none() && view.pipelines[i].stream.is_some())
        .expect("a stream no read rule feeds");
    assert!(
        !d.pipeline(unlinked)
            .findings
            .iter()
            .any(|f| f.text.contains("still being read")),
        "{:?}",
        d.pipeline(unlinked)
    );
    // Between walks, an idle rule scrolled to is read at once, not at the next walk.
    let scrolled = RuleKey {
        bus: "default".into(),
        name: "r-297".into(),
    };
    assert!(
        inv.rule(&scrolled).unwrap().targets.is_empty(),
        "not read yet"
    );
    let now_on_screen = fhtop::fresh::walk::Wanted {
        streams: vec![],
        rules: vec![scrolled.clone(), on_screen],
        metrics: Default::default(),
    };
    assert_eq!(walker.read_wanted(&c, &now_on_screen).await, 1);
    assert_eq!(aws.count("ListTargetsByRule"), 82);
    let snap = store.snapshot();
    let inv = &snap.inventory.get().unwrap().inv;
    assert!(
        !inv.rule(&scrolled).unwrap().targets.is_empty(),
        "published"
    );
    assert_eq!(inv.reading().1.0, 300 - 82);
}

#[test]
fn binary_shows_the_seeded_account_and_answers_keys_while_aws_hangs() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    let t = common::tmux::Tmux::start("aws");
    t.launch_with(
        &format!(
            "AWS_SHARED_CREDENTIALS_FILE={} AWS_CONFIG_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true",
            aws.credentials_file().display()
        ),
        &format!("--region us-west-2 --endpoint-url {} --refresh 2", aws.url),
    );
    let s = t.wait_text("clickstream-raw");
    assert!(s.contains("account 123456789012") || s.contains("123456789012"));
    let s = t.wait_for("metrics on screen", |s| {
        s.contains("0.0%") && s.contains("DISABLED")
    });
    assert!(s.contains("ENABLED"));
    t.literal("4");
    let s = t.wait_text("Alarms (7)");
    for st in ["✖ ALARM", "? INSUFFICIENT_DATA", "● OK"] {
        assert!(s.contains(st), "{st}:\n{s}");
    }
    t.literal("2");
    t.wait_text("legacy-gap");
    t.literal("7");
    // The whole pane, not a frame caught while tmux redraws it (the rows come top down).
    t.wait_for("the cost pane counts calls", |s| {
        s.contains("GetMetricData") && s.contains("DescribeDeliveryStream")
    });
    assert_eq!(aws.count("GetMetricStatistics"), 0);

    // AWS hangs for a minute: keys still answer, the screen keeps its data.
    aws.fault("latency", 60.0);
    t.literal("r");
    t.literal("1");
    t.wait_text("Pipelines (");
    t.literal("3");
    t.wait_text("Rules (");
    t.literal("1");
    let s = t.wait_text("Pipelines (");
    assert!(s.contains("clickstream-raw"));
    aws.fault("none", 0.0);

    // AWS gone: stale, with the reason; back: fresh again, without a restart.
    aws.fault("down", 0.0);
    t.wait_text("STALE");
    aws.fault("none", 0.0);
    t.wait_for("recovery", |s| !s.contains("STALE"));
    t.literal("q");
    t.assert_terminal_restored("q");
}

#[test]
fn rule_toggle_end_to_end_tui_enables_cli_disables_read_only_sends_nothing() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    let audit = aws.dir.join("audit.jsonl");
    let cli = |args: &[&str]| {
        aws.fhtop("us-west-2")
            .args(args)
            .env("FHTOP_AUDIT_LOG", &audit)
            .output()
            .expect("fhtop runs")
    };
    let mutations = || aws.count("EnableRule") + aws.count("DisableRule");

    // Read-only: refused, nothing sent.
    let out = cli(&[
        "--read-only",
        "rule",
        "enable",
        "payment-refunded",
        "--bus",
        "orders-bus",
        "--yes",
    ]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without --yes and without a terminal: refused, nothing sent.
    let out = cli(&["rule", "enable", "payment-refunded", "--bus", "orders-bus"]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        mutations(),
        0,
        "no EnableRule/DisableRule reached the server"
    );

    // A service-managed rule: refused before any call, from the CLI and from the TUI.
    aws.managed(&["order-events"]);
    let out = cli(&[
        "rule",
        "disable",
        "order-events",
        "--bus",
        "orders-bus",
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("managed by securityhub.amazonaws.com"));
    assert_eq!(
        mutations(),
        0,
        "no EnableRule/DisableRule reached the server"
    );

    // The TUI: filter, t, y.
    let t = common::tmux::Tmux::start("toggle");
    let env = format!(
        "AWS_SHARED_CREDENTIALS_FILE={} AWS_CONFIG_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true FHTOP_AUDIT_LOG={} ",
        aws.credentials_file().display(),
        audit.display()
    );
    t.launch_with(
        &env,
        &format!("--region us-west-2 --endpoint-url {} --refresh 2", aws.url),
    );
    t.literal("3");
    t.wait_text("Rules (");
    t.literal("/payment");
    t.keys(&["Enter"]);
    // The inventory is read progressively: no change is offered until the rule's targets
    // (what the change affects) are read.
    t.wait_text("firehose:audit-trail");
    t.literal("t");
    let s = t.wait_text("Enable rule orders-bus/payment-refunded?");
    assert!(
        s.contains("DISABLED → ENABLED") && s.contains("audit-trail"),
        "{s}"
    );
    t.literal("y");
    t.wait_text("orders-bus/payment-refunded: confirmed");
    assert_eq!(aws.count("EnableRule"), 1);
    t.wait_for("the new state on screen", |s| {
        s.lines().any(|l| {
            l.contains("payment-refunded") && l.contains("ENABLED") && !l.contains("DISABLED")
        })
    });
    // The managed rule: t says why and opens nothing.
    t.keys(&["Escape"]);
    t.literal("/order-events");
    t.keys(&["Enter"]);
    t.wait_text("Rules (1)");
    t.literal("t");
    t.wait_text("managed by securityhub.amazonaws.com");
    assert_eq!(aws.count("DisableRule"), 0);
    t.literal("q");
    t.assert_terminal_restored("q");

    // The CLI disables it again, verified; planning reads the rule alone (DescribeRule and
    // ListTargetsByRule), never the account's inventory.
    aws.reset_counts();
    let out = cli(&[
        "rule",
        "disable",
        "payment-refunded",
        "--bus",
        "orders-bus",
        "--yes",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("DISABLED (verified)"));
    assert_eq!(aws.count("DisableRule"), 1);
    assert_eq!(aws.count("ListTargetsByRule"), 1);
    for op in [
        "ListDeliveryStreams",
        "DescribeDeliveryStream",
        "ListRules",
        "ListEventBuses",
    ] {
        assert_eq!(aws.count(op), 0, "{op}: {:?}", aws.counts());
    }

    let log = std::fs::read_to_string(&audit).expect("audit log");
    let outcomes: Vec<String> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            format!(
                "{} {}",
                v["to"].as_str().unwrap_or(""),
                v["outcome"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        outcomes.contains(&"ENABLED refused".to_string()),
        "{outcomes:?}"
    );
    assert!(
        outcomes.contains(&"ENABLED confirmed".to_string()),
        "{outcomes:?}"
    );
    assert!(
        outcomes.contains(&"DISABLED confirmed".to_string()),
        "{outcomes:?}"
    );
    assert!(!log.contains("testing"), "no credential in the audit log");
}

/// The warm start (issue 12): the last inventory of this account and region is shown at once,
/// marked cached, while the fresh walk is slow; the fresh one replaces it; a corrupt cache is
/// ignored (nothing shown until the fresh walk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_start_shows_the_cached_inventory_until_the_fresh_one() {
    let aws = Aws::start();
    aws.seed("eu-north-1", "healthy");
    let dir = aws.dir.join("cache");
    let intervals = fhtop::config::Intervals {
        inventory: 300,
        metrics: 60,
        alarms: 60,
        logs: 60,
    };
    let start = |store: &Arc<Store>, backend: Arc<dyn Backend>| {
        let mut c = ctx(backend, store);
        c.cache_dir = Some(dir.clone());
        poll::spawn(c, intervals)
    };

    // A first run reads the account and writes the cache.
    let store = Arc::new(Store::new());
    let pollers = start(&store, aws.backend("eu-north-1").await);
    eventually("a fresh inventory", || {
        store.snapshot().inventory.get().is_some() && !store.snapshot().inventory.cached
    })
    .await;
    eventually("the cache file", || {
        dir.join("inventory-123456789012-eu-north-1.json").exists()
    })
    .await;
    drop(pollers);

    // The next start, with Firehose slow: the cached rows at once, marked; then the fresh ones.
    aws.fault_one("latency", "ListDeliveryStreams", "");
    let store = Arc::new(Store::new());
    let pollers = start(&store, aws.backend("eu-north-1").await);
    eventually("the cached inventory", || store.snapshot().inventory.cached).await;
    let snap = store.snapshot();
    let inv = snap.inventory.get().expect("cached rows");
    assert!(
        inv.inv.stream("signups-raw").is_some(),
        "the cached stream is shown"
    );
    aws.fault("none", 0.0);
    eventually("the fresh inventory replaces it", || {
        !store.snapshot().inventory.cached && store.snapshot().inventory.get().is_some()
    })
    .await;
    drop(pollers);

    // A corrupt cache is ignored: nothing cached is ever shown.
    std::fs::write(
        dir.join("inventory-123456789012-eu-north-1.json"),
        b"{garbage",
    )
    .expect("write");
    aws.fault_one("latency", "ListDeliveryStreams", "");
    let store = Arc::new(Store::new());
    let pollers = start(&store, aws.backend("eu-north-1").await);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(
        store.snapshot().inventory.get().is_none(),
        "nothing from a corrupt cache"
    );
    aws.fault("none", 0.0);
    eventually("the fresh inventory", || {
        store.snapshot().inventory.get().is_some()
    })
    .await;
    assert!(!store.snapshot().inventory.cached);
    drop(pollers);
}

/// Rows without a configuration still get their triage metrics (issue 12): with every
/// DescribeDeliveryStream denied, ListMetrics (12 listings, one page each) tells each stream's
/// source and destination kind, and GetMetricData fetches the triage set of each: an HTTP
/// endpoint stream's delivery success, a Kinesis-sourced stream's records read. Their health
/// stays undecided (not OK).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_that_cannot_be_described_get_their_triage_metrics_from_list_metrics() {
    let aws = Aws::start();
    aws.seed("eu-south-1", "shapes");
    aws.fault_one("denied", "DescribeDeliveryStream", "");
    let (store, _pollers) = live(&aws, "eu-south-1").await;
    eventually("every row's triage metrics", || {
        let snap = store.snapshot();
        let (with, of) = snap.triage_fetched();
        snap.inventory
            .get()
            .is_some_and(|i| i.inv.reported().count() > 0)
            && of > 0
            && with == of
    })
    .await;
    // The walk's 12 listings (one page each), and the metric plan's sweeps on top.
    assert!(
        aws.count("ListMetrics") >= 12,
        "one listing per metric, one page"
    );
    let snap = store.snapshot();
    let inv = &snap.inventory.get().unwrap().inv;
    assert!(inv.streams.is_empty(), "nothing could be described");
    let reported: std::collections::HashMap<&str, &fhtop::model::Reported> =
        inv.reported().collect();
    let http = reported["dd-http-ok"];
    assert_eq!(http.destination, Some(DestinationKind::HttpEndpoint));
    assert_eq!(
        reported["ks-ok"].incoming,
        Some(MetricId::KinesisReadRecords)
    );
    let m = snap.metrics.get().unwrap();
    let ok = m.recent_avg(
        &Scope::Stream("dd-http-ok".into()),
        MetricId::DeliverySuccess(DestinationKind::HttpEndpoint),
    );
    assert_eq!(
        ok,
        Some(1.0),
        "the HTTP endpoint's delivery success is fetched"
    );
    let read = m.recent_sum(&Scope::Stream("ks-ok".into()), MetricId::KinesisReadRecords);
    assert!(read.is_some_and(|v| v > 0.0), "records read: {read:?}");
    let d = snap.diagnosis();
    for name in reported.keys() {
        assert_ne!(
            d.stream_level(name),
            Level::Ok,
            "{name} is never OK undescribed"
        );
    }
    let view = snap.inventory.get().unwrap();
    assert!(!view.pipelines.is_empty(), "rules feed some of the streams");
    for i in 0..view.pipelines.len() {
        assert_ne!(d.pipeline_level(i), Level::Ok, "pipeline {i} is never OK");
    }
}

/// A denied ListMetrics (issue 12) is said, not swallowed: the header's OFF list names
/// `cloudwatch:ListMetrics` and what it turns on; the stream is still described and shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_list_metrics_turns_its_feature_off_and_says_so() {
    let aws = Aws::start();
    aws.seed("eu-west-3", "healthy");
    aws.fault_one("denied", "ListMetrics", "");
    let (store, _pollers) = live(&aws, "eu-west-3").await;
    eventually("the OFF notice", || {
        store
            .snapshot()
            .features_off()
            .iter()
            .any(|(p, _)| *p == "cloudwatch:ListMetrics")
    })
    .await;
    let off = store.snapshot().features_off();
    let (_, feature) = off
        .iter()
        .find(|(p, _)| *p == "cloudwatch:ListMetrics")
        .unwrap();
    assert_eq!(*feature, "metrics of streams not described yet");
    eventually("the stream described all the same", || {
        store
            .snapshot()
            .inventory
            .get()
            .is_some_and(|i| i.inv.stream("signups-raw").is_some())
    })
    .await;
}
