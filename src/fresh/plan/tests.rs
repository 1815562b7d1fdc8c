//! The metric plan's unit and property tests.

use super::*;
use crate::model::{metric_queries, metric_queries_of};

#[test]
fn a_plan_costs_the_screen_every_poll_and_the_rest_once_a_rotation() {
    use crate::judge::losses::tests::{rule, stream};
    let mut inv = Inventory::default();
    for i in 0..100 {
        inv.streams
            .push(std::sync::Arc::new(stream(&format!("s-{i:03}"))));
    }
    inv.rules
        .push(std::sync::Arc::new(rule("r", "s-000", None)));
    let every = Duration::from_secs(60);
    let nothing = PlanCost::of(&inv, &Want::default(), &HashSet::new(), every, None);
    let triage: usize = metric_queries(&inv, &[]).len();
    assert_eq!(nothing.rows, 101);
    assert!((nothing.full_per_minute - triage as f64).abs() < 1e-9);
    // Nothing on screen: every row once in ten polls.
    assert!((nothing.plan_per_minute - triage as f64 / 10.0).abs() < 1e-9);
    let want = Want {
        screen: (0..10)
            .map(|i| Scope::Stream(format!("s-{i:03}")))
            .collect(),
        full: vec![Scope::Stream("s-000".into())],
    };
    let shown = PlanCost::of(&inv, &want, &HashSet::new(), every, None);
    let ten: usize = metric_queries_of(&inv, &[], |s| want.screen.contains(s)).len();
    let whole = metric_queries_of(&inv, &want.full, |s| want.full.contains(s)).len();
    let one = metric_queries_of(&inv, &[], |s| want.full.contains(s)).len();
    let expect = (triage - ten) as f64 / 10.0 + (ten - one) as f64 + whole as f64;
    assert!(
        (shown.plan_per_minute - expect).abs() < 1e-9,
        "{shown:?} vs {expect}"
    );
    assert!(shown.plan_per_minute < shown.full_per_minute);
    assert!((PlanCost::usd_per_hour(1_000.0) - 0.6).abs() < 1e-9);
}

/// A rule off screen whose series ListMetrics says are empty is not asked for them again; one
/// on screen, failing, never fetched, or named by the listing is; a stale listing rests
/// nothing.
#[test]
fn series_the_listing_says_are_empty_rest_off_screen_only() {
    use crate::judge::losses::tests::{rule, stream};
    use crate::model::RuleKey;
    let mut inv = Inventory::default();
    inv.streams.push(std::sync::Arc::new(stream("s")));
    for n in ["quiet", "busy", "shown", "failing", "new"] {
        inv.rules.push(std::sync::Arc::new(rule(n, "s", None)));
    }
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let every = Duration::from_secs(60);
    let window = MetricWindow::ending_at(now, 180, 60);
    let key = |n: &str| RuleKey {
        bus: "default".into(),
        name: n.into(),
    };
    let mut have = Metrics::new(window);
    for q in metric_queries(&inv, &[]) {
        if q.scope != Scope::Rule(key("new")) {
            have.put(q.scope, q.metric, 0, vec![None; 180]);
        }
    }
    let mut present = HashSet::new();
    present.insert((Scope::Rule(key("busy")), MetricId::FailedInvocations));
    // The stream's series are all present: nothing of it rests.
    for q in metric_queries(&inv, &[]) {
        if matches!(q.scope, Scope::Stream(_)) {
            present.insert((q.scope, q.metric));
        }
    }
    let mut plan = Plan::default();
    plan.set_listing(
        Listing {
            at: now,
            swept: Listing::metrics_of(&inv).into_iter().collect(),
            present,
        },
        every * 2,
    );
    // Every row due: nothing fetched yet in this plan.
    let want = Want {
        screen: vec![Scope::Rule(key("shown"))],
        full: Vec::new(),
    };
    let urgent: HashSet<Scope> = [Scope::Rule(key("failing"))].into();
    let p = plan.poll(&inv, &want, &urgent, &have, now, every);
    let asked = |n: &str| {
        p.queries
            .iter()
            .filter(|q| q.scope == Scope::Rule(key(n)))
            .map(|q| q.metric)
            .collect::<Vec<_>>()
    };
    assert!(asked("quiet").is_empty(), "{p:?}");
    assert_eq!(asked("busy"), vec![MetricId::FailedInvocations]);
    assert_eq!(
        asked("shown").len(),
        crate::model::metric::RULE_TRIAGE.len()
    );
    assert_eq!(
        asked("failing").len(),
        crate::model::metric::RULE_TRIAGE.len()
    );
    // Never fetched: asked for, whatever the listing says.
    let n = crate::model::metric::RULE_TRIAGE.len();
    assert_eq!(asked("new").len(), n);
    assert_eq!(p.rested, vec![Scope::Rule(key("quiet"))]);
    assert_eq!(p.skipped, 2 * n - 1);
    // The rested row counts as looked at: the rotation moves on.
    plan.record_poll(&p, now);
    assert_eq!(plan.last.get(&Scope::Rule(key("quiet"))), Some(&now));
    // A listing older than two polls rests nothing.
    let later = now + chrono::Duration::seconds(121);
    let mut stale = Plan::default();
    stale.set_listing(plan.listing().cloned().unwrap_or_default(), every * 2);
    let p = stale.poll(&inv, &want, &urgent, &have, later, every);
    assert_eq!(p.skipped, 0);
    assert!(p.rested.is_empty());
}

/// Over many generated accounts, views and listings: every series of a row on screen,
/// selected or failing, and every series never held, is asked for; a rested row's series are
/// all held ones a fresh listing says are empty.
#[test]
fn no_verdict_rests_on_a_series_neither_fetched_nor_listed_empty() {
    use crate::judge::losses::tests::{rule, stream};
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    };
    let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let every = Duration::from_secs(60);
    for _ in 0..200 {
        let mut inv = Inventory::default();
        for i in 0..(1 + next(20)) {
            inv.streams
                .push(std::sync::Arc::new(stream(&format!("s{i}"))));
        }
        for i in 0..next(40) {
            let dlq = (next(3) == 0).then_some("arn:aws:sqs:us-east-1:123456789012:q");
            inv.rules
                .push(std::sync::Arc::new(rule(&format!("r{i}"), "s0", dlq)));
        }
        let scopes = inv.scopes();
        let pick = |k: u64, next: &mut dyn FnMut(u64) -> u64| -> Vec<Scope> {
            scopes.iter().filter(|_| next(k) == 0).cloned().collect()
        };
        let want = Want {
            screen: pick(4, &mut next),
            full: pick(10, &mut next),
        };
        let urgent: HashSet<Scope> = pick(8, &mut next).into_iter().collect();
        let window = MetricWindow::ending_at(t0, 180, 60);
        let mut have = Metrics::new(window);
        for q in metric_queries(&inv, &want.full) {
            if next(5) != 0 {
                have.put(q.scope, q.metric, 0, vec![None; 180]);
            }
        }
        let mut present = HashSet::new();
        for q in metric_queries(&inv, &want.full) {
            if next(3) == 0 {
                present.insert((q.scope, q.metric));
            }
        }
        let swept: HashSet<MetricId> = Listing::metrics_of(&inv)
            .into_iter()
            .filter(|_| next(4) != 0)
            .collect();
        let listing = Listing {
            at: t0 - chrono::Duration::seconds(next(200) as i64),
            swept,
            present,
        };
        let fresh = t0 - listing.at <= chrono::Duration::seconds(120);
        let mut plan = Plan::default();
        plan.set_listing(listing.clone(), every * 2);
        let p = plan.poll(&inv, &want, &urgent, &have, t0, every);
        let asked: HashSet<(Scope, MetricId)> = p
            .queries
            .iter()
            .map(|q| (q.scope.clone(), q.metric))
            .collect();
        let always: HashSet<&Scope> = want
            .screen
            .iter()
            .chain(&want.full)
            .chain(&urgent)
            .collect();
        for q in metric_queries(&inv, &want.full) {
            let key = (q.scope.clone(), q.metric);
            let held = have.series(&q.scope, q.metric).is_some();
            if always.contains(&q.scope) || !held {
                assert!(asked.contains(&key), "{key:?} must be asked for");
            }
            if !asked.contains(&key) && p.rested.contains(&q.scope) {
                assert!(fresh && listing.absent(&q.scope, q.metric), "{key:?}");
            }
        }
        for s in &p.rested {
            assert!(!always.contains(s), "{s:?} is shown, never rested");
            assert!(!p.queries.iter().any(|q| &q.scope == s));
        }
        assert!(fresh || p.skipped == 0);
    }
}

#[test]
fn the_rotation_fetches_every_row_within_its_period() {
    let every = Duration::from_secs(60);
    assert_eq!(rotation_share(1_500, every, ROTATION), 150);
    assert_eq!(rotation_share(7, every, ROTATION), 1);
    assert_eq!(rotation_share(0, every, ROTATION), 0);
    // A poll slower than the rotation fetches everything each time.
    assert_eq!(rotation_share(40, Duration::from_secs(900), ROTATION), 40);
    // A longer rotation, a smaller share.
    assert_eq!(rotation_share(1_500, every, Duration::from_secs(1200)), 75);
}

#[test]
fn a_large_account_stretches_the_rotation_to_its_budget_and_no_further() {
    let mins = |d: Duration| d.as_secs_f64() / 60.0;
    // 4 series a stream delivering: 10 minutes up to 1,500 streams.
    assert_eq!(rotation_for(4 * 150, 150), ROTATION);
    assert_eq!(rotation_for(4 * 1_500, 1_500), ROTATION);
    // 5,000 streams: 20,000 series at 0.3 a stream a minute, 13 min 20 s.
    assert!((mins(rotation_for(20_000, 5_000)) - 40.0 / 3.0).abs() < 1e-9);
    // Rules' series count too; never past 30 minutes.
    assert_eq!(rotation_for(200_000, 5_000), ROTATION_MAX);
    // Nothing active (every series rests on the listing): 10 minutes.
    assert_eq!(rotation_for(0, 5_000), ROTATION);
}

/// The API cost pane's period is the one the poll keeps to: the same series counted, from
/// [`PlanCost::of`]'s own counts.
#[test]
fn the_cost_pane_states_the_rotation_the_poll_keeps_to() {
    use crate::judge::losses::tests::stream;
    let mut inv = Inventory::default();
    for i in 0..2_500 {
        inv.streams
            .push(std::sync::Arc::new(stream(&format!("s{i:04}"))));
    }
    let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    // Four series in five listed (streams delivering), the rest silent.
    let present: HashSet<(Scope, MetricId)> = metric_queries(&inv, &[])
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % 5 != 0)
        .map(|(_, q)| (q.scope, q.metric))
        .collect();
    let listing = Listing {
        at: t0,
        swept: Listing::metrics_of(&inv).into_iter().collect(),
        present,
    };
    let want = Want {
        screen: (0..40).map(|i| Scope::Stream(format!("s{i:04}"))).collect(),
        full: vec![Scope::Stream("s0100".into())],
    };
    let urgent: HashSet<Scope> = [Scope::Stream("s2000".into())].into();
    let always = want.always(&urgent);
    let polled = rotation_of(&inv, |s| always.contains(s), Some(&listing));
    let cost = PlanCost::of(
        &inv,
        &want,
        &urgent,
        Duration::from_secs(60),
        Some(&listing),
    );
    assert_eq!(cost.rotation, polled);
    assert!(polled > ROTATION && polled < ROTATION_MAX, "{polled:?}");
}

/// Issue 27: the rotation's share is counted in series, so a minute costs the same whether
/// its rows are busy streams or rules whose series rest on the listing (a share of rows cost
/// 400 metrics one minute and none the next nine); and no row waits longer than the period.
#[test]
fn the_rotation_costs_the_same_every_poll_whatever_its_rows() {
    use crate::judge::losses::tests::{rule, stream};
    let mut inv = Inventory::default();
    for i in 0..100 {
        inv.streams
            .push(std::sync::Arc::new(stream(&format!("s-{i:03}"))));
    }
    for i in 0..1_000 {
        inv.rules.push(std::sync::Arc::new(rule(
            &format!("r-{i:04}"),
            "s-000",
            None,
        )));
    }
    let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let every = Duration::from_secs(60);
    let mut have = Metrics::new(MetricWindow::ending_at(t0, 180, 60));
    let all = metric_queries(&inv, &[]);
    for q in &all {
        have.put(q.scope.clone(), q.metric, 0, vec![None; 180]);
    }
    // The streams' series are listed (busy); every rule's is not (idle, resting).
    let present: HashSet<(Scope, MetricId)> = all
        .iter()
        .filter(|q| matches!(q.scope, Scope::Stream(_)))
        .map(|q| (q.scope.clone(), q.metric))
        .collect();
    let busy = present.len();
    let mut plan = Plan::default();
    // The first load fetched every row at one instant.
    plan.record_poll(
        &Planned {
            queries: all.clone(),
            ..Planned::default()
        },
        t0,
    );
    let period = rotation_for(busy, 100);
    assert_eq!(period, ROTATION);
    let share = rotation_share(busy, every, period);
    let per_stream = busy / 100;
    let mut counts = Vec::new();
    for k in 1..=30 {
        let now = t0 + chrono::Duration::minutes(k);
        plan.set_listing(
            Listing {
                at: now,
                swept: Listing::metrics_of(&inv).into_iter().collect(),
                present: present.clone(),
            },
            every * 2,
        );
        let p = plan.poll(&inv, &Want::default(), &HashSet::new(), &have, now, every);
        counts.push(p.queries.len());
        plan.record_poll(&p, now);
        let limit = chrono::Duration::from_std(period).unwrap_or_default();
        for s in inv.scopes() {
            let last = plan.last.get(&s).copied().unwrap_or_default();
            assert!(now - last <= limit, "{s:?} waited past the period at {k}");
        }
    }
    for (k, n) in counts.iter().enumerate() {
        assert!(
            *n >= share && *n < share + per_stream,
            "poll {}: {n} series, the share is {share}: {counts:?}",
            k + 1
        );
    }
}
