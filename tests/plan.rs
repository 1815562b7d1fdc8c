//! The metric plan against moto through the harness proxy (issue 27): rows off screen whose
//! series CloudWatch's ListMetrics says had no datapoint in 3 hours rest on that listing, and
//! every verdict stays what a full fetch of every row says — the rows that fail, the rules
//! whose failures are listed, the healthy ones and the rules with no metrics at all (the
//! losses account).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use fhtop::backend::Clock;
use fhtop::fresh::ctx::PollCtx;
use fhtop::fresh::plan::{Plan, Want};
use fhtop::fresh::store::Store;
use fhtop::fresh::{metrics, poll};
use fhtop::judge::health::Level;
use harness::Aws;

const REGION: &str = "eu-north-1";

fn levels(store: &Store) -> (HashMap<String, Level>, HashMap<String, Level>) {
    let d = store.snapshot().diagnosis();
    (
        d.streams
            .iter()
            .map(|(k, h)| (k.clone(), h.level))
            .collect(),
        d.rules
            .iter()
            .map(|(k, h)| (k.to_string(), h.level))
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_resting_on_list_metrics_keep_the_verdicts_of_a_full_fetch() {
    let aws = Aws::start();
    aws.seed(REGION, "losses");
    let store = Arc::new(Store::new());
    let c = PollCtx {
        backend: aws.backend(REGION).await,
        store: store.clone(),
        clock: Clock::System,
        window_minutes: 60,
        cache_dir: None,
    };
    poll::poll_inventory(&c).await.expect("inventory");
    poll::poll_alarms(&c).await.expect("alarms");
    // Everything, every series: what the verdicts are on a full fetch.
    metrics::poll_all_metrics(&c, &store.snapshot())
        .await
        .expect("every metric");
    let full = levels(&store);
    assert!(
        full.1.values().any(|l| *l == Level::Fail),
        "the losses account has a failing rule: {full:?}"
    );
    let inv = store.snapshot().inventory.get().unwrap().inv.clone();
    let rows = inv.streams.len() + inv.rules.len();
    // A plan that has fetched nothing, nothing on screen: every row is due, and the rotation
    // rests what the listing says is empty.
    aws.reset_counts();
    let mut plan = Plan::default();
    metrics::poll_metrics(
        &c,
        &store.snapshot(),
        &mut plan,
        &Want::default(),
        Duration::from_secs(60),
    )
    .await
    .expect("a poll of the plan");
    let listed = aws.count("ListMetrics");
    assert!(listed >= 7, "the sweep lists every rule metric: {listed}");
    let requested = aws.count("metrics requested");
    let cost = store
        .snapshot()
        .plan
        .get()
        .cloned()
        .expect("the plan's cost");
    assert!(
        cost.resting_series > 0 && cost.listed_at.is_some(),
        "series rest on the listing: {cost:?}"
    );
    let every_series = fhtop::model::metric_queries(&inv, &[]).len() as u64;
    assert!(
        requested < every_series,
        "{requested} metrics requested of {every_series} ({rows} rows)"
    );
    // Every verdict is the full fetch's.
    assert_eq!(levels(&store), full);
}

/// Issue 27: a large account's first load over a short window, then its history. While the
/// history loads no row is OK that the whole window does not call OK; once it is in, every
/// series and every verdict is what one fetch of the whole window gives, and each series was
/// requested twice in all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_first_window_and_its_history_make_what_one_fetch_of_the_whole_window_makes() {
    const HISTORY_REGION: &str = "eu-south-1";
    let aws = Aws::start();
    aws.seed(HISTORY_REGION, "history");
    let now = chrono::Utc::now();
    let backend = aws.backend(HISTORY_REGION).await;
    let ctx = |store: &Arc<Store>| PollCtx {
        backend: backend.clone(),
        store: store.clone(),
        clock: Clock::Fixed(now),
        window_minutes: 180,
        cache_dir: None,
    };
    // The reference: every series over the whole window at once.
    let whole = Arc::new(Store::new());
    let c = ctx(&whole);
    poll::poll_inventory(&c).await.expect("inventory");
    poll::poll_alarms(&c).await.expect("alarms");
    metrics::poll_all_metrics(&c, &whole.snapshot())
        .await
        .expect("every metric");
    let reference = whole.snapshot().metrics.get().cloned().expect("metrics");
    assert_eq!(reference.window.minutes(), 180, "one-shot: never split");
    let (ref_streams, ref_rules) = levels(&whole);

    // The split (at any size here): the first poll reads 40 minutes.
    let store = Arc::new(Store::new());
    let c = ctx(&store);
    poll::poll_inventory(&c).await.expect("inventory");
    poll::poll_alarms(&c).await.expect("alarms");
    let mut plan = Plan::with_history(fhtop::fresh::plan::History::split_over(0));
    aws.reset_counts();
    let every = Duration::from_secs(60);
    metrics::poll_metrics(&c, &store.snapshot(), &mut plan, &Want::default(), every)
        .await
        .expect("the first poll");
    let short = store.snapshot().metrics.get().cloned().expect("metrics");
    assert_eq!(
        short.window.minutes(),
        fhtop::fresh::plan::FIRST_WINDOW_MINUTES
    );
    let series = short.len() as u64;
    assert_eq!(aws.count("metrics requested"), series);
    assert!(plan.history().loading());
    // Never OK where the whole window says otherwise; the rule that matched only 100 to 120
    // minutes ago is not triggering in 40 minutes (a warning), not OK.
    let (streams, rules) = levels(&store);
    for (row, level) in streams.iter().chain(rules.iter()) {
        let whole_level = ref_streams.get(row).or(ref_rules.get(row)).copied();
        assert!(
            *level != Level::Ok || whole_level == Some(Level::Ok),
            "{row}: OK on 40 minutes, {whole_level:?} on 180"
        );
    }
    let old = |l: &HashMap<String, Level>| {
        l.iter()
            .find(|(k, _)| k.ends_with("old-failure"))
            .map(|(_, v)| *v)
    };
    assert_eq!(old(&rules), Some(Level::Warn));
    assert_eq!(old(&ref_rules), Some(Level::Ok));

    // The history: each series once more, over the whole window; then one window.
    aws.reset_counts();
    let mut batches = 0;
    while metrics::poll_history(&c, &mut plan).await.expect("history") {
        batches += 1;
        let h = store.snapshot().history.expect("progress while loading");
        assert!(h.done < h.of && h.minutes == 180, "{h:?}");
    }
    assert_eq!(
        batches, 0,
        "fewer series than a batch: one call completes it"
    );
    assert_eq!(
        aws.count("metrics requested"),
        series,
        "each series once more"
    );
    assert!(!plan.history().loading());
    let snap = store.snapshot();
    assert!(snap.history.is_none());
    let merged = snap.metrics.get().expect("metrics");
    assert_eq!(merged.window, reference.window);
    assert_eq!(merged.len() as u64, series);
    for (scope, id) in merged.keys() {
        assert_eq!(
            merged.series(scope, id).map(|s| s.to_vec()),
            reference.series(scope, id).map(|s| s.to_vec()),
            "{scope:?} {id:?}"
        );
    }
    assert_eq!(levels(&store), (ref_streams, ref_rules));
    // From now on the polls read the whole window.
    metrics::poll_metrics(&c, &store.snapshot(), &mut plan, &Want::default(), every)
        .await
        .expect("the next poll");
    assert_eq!(
        store
            .snapshot()
            .metrics
            .get()
            .expect("metrics")
            .window
            .minutes(),
        180
    );
}
