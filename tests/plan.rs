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
