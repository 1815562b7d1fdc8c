//! The demo backend's promises: its shape, its determinism, the incident's numbers.

use super::*;

fn fixed() -> Clock {
    Clock::Fixed(
        DateTime::parse_from_rfc3339("2026-03-01T12:00:30Z")
            .unwrap()
            .into(),
    )
}

#[tokio::test]
async fn inventory_has_the_promised_shape() {
    let d = DemoBackend::new(7, fixed(), None);
    let inv = d.inventory().await.unwrap();
    assert!(inv.streams.len() >= 6);
    assert!(inv.rules.len() >= 10);
    assert_eq!(inv.buses.len(), 2);
    assert!(inv.rules.iter().any(|r| r.state == RuleState::Disabled));
    assert!(inv.rules.iter().any(|r| r.managed_by.is_some()));
    assert!(inv.rules.iter().any(|r| r.schedule.is_some()));
    let alarms = d.alarms().await.unwrap();
    for s in [
        AlarmState::Ok,
        AlarmState::Alarm,
        AlarmState::InsufficientData,
    ] {
        assert!(alarms.iter().any(|a| a.state == s), "{s:?}");
    }
}

#[tokio::test]
async fn same_seed_same_numbers_other_seed_other_numbers() {
    let q = [MetricQuery {
        scope: Scope::Stream("app-logs".into()),
        metric: MetricId::IncomingRecords,
        kind: crate::model::MetricKind::Triage,
    }];
    let w = MetricWindow::ending_at(fixed().now(), 60, 60);
    let a = DemoBackend::new(7, fixed(), None)
        .metrics(&q, &w)
        .await
        .unwrap();
    let b = DemoBackend::new(7, fixed(), None)
        .metrics(&q, &w)
        .await
        .unwrap();
    let c = DemoBackend::new(8, fixed(), None)
        .metrics(&q, &w)
        .await
        .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn failing_stream_delivers_nothing_and_freshness_climbs() {
    let d = DemoBackend::new(1, fixed(), None);
    let w = MetricWindow::ending_at(fixed().now(), 180, 60);
    let scope = Scope::Stream("clickstream-raw".into());
    let q: Vec<_> = [
        MetricId::DeliverySuccess(DestinationKind::S3),
        MetricId::DataFreshness(DestinationKind::S3),
        MetricId::DeliveryRecords(DestinationKind::S3),
    ]
    .into_iter()
    .map(|metric| MetricQuery {
        scope: scope.clone(),
        metric,
        kind: crate::model::MetricKind::Triage,
    })
    .collect();
    let s = d.metrics(&q, &w).await.unwrap();
    assert_eq!(s[0].last().copied().flatten(), Some(0.0));
    assert_eq!(s[0][0], Some(1.0), "before the incident it delivered");
    let fresh: Vec<f64> = s[1].iter().rev().take(10).filter_map(|v| *v).collect();
    assert!(fresh.windows(2).all(|w| w[0] > w[1]), "{fresh:?}");
    assert_eq!(s[2].last().copied().flatten(), Some(0.0));
}

#[tokio::test]
async fn log_events_resume_from_a_timestamp() {
    let d = DemoBackend::new(1, fixed(), None);
    let g = "/aws/kinesisfirehose/clickstream-raw";
    let all = d
        .log_events(g, fixed().now() - Duration::hours(1), 100_000)
        .await
        .unwrap();
    assert!(all.len() > 100);
    assert!(all.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
    let mid = all[all.len() / 2].timestamp;
    let tail = d.log_events(g, mid, 100_000).await.unwrap();
    assert_eq!(tail[0].timestamp, mid);
    assert!(d.log_events("/nope", mid, 10).await.is_err());
}
