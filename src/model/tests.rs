use super::*;
use chrono::{DateTime, Utc};

#[test]
fn firehose_arn_parsing() {
    assert_eq!(
        firehose_name_from_arn("arn:aws:firehose:us-east-1:123:deliverystream/orders"),
        Some("orders")
    );
    assert_eq!(
        firehose_name_from_arn("arn:aws:lambda:us-east-1:123:function:f"),
        None
    );
    assert_eq!(firehose_name_from_arn("garbage"), None);
    assert_eq!(
        firehose_name_from_arn("arn:aws:firehose:us-east-1:123:deliverystream/"),
        None
    );
}

#[test]
fn window_is_aligned_and_includes_current_period() {
    let now = DateTime::parse_from_rfc3339("2026-01-01T10:00:42Z")
        .unwrap()
        .with_timezone(&Utc);
    let w = MetricWindow::ending_at(now, 180, 60);
    assert_eq!(w.points, 180);
    assert_eq!(w.time_of(179).to_rfc3339(), "2026-01-01T10:00:00+00:00");
    assert_eq!(w.start.to_rfc3339(), "2026-01-01T07:01:00+00:00");
}

#[test]
fn eventbridge_gaps_are_zero_firehose_gaps_stay() {
    let raw = vec![None, Some(2.0)];
    assert_eq!(
        normalise_series(MetricId::MatchedEvents, raw.clone()),
        vec![Some(0.0), Some(2.0)]
    );
    assert_eq!(
        normalise_series(MetricId::IncomingRecords, raw.clone()),
        raw
    );
}

#[test]
fn recent_aggregates_skip_gaps() {
    let scope = Scope::Stream("s".into());
    let mut m = Metrics::new(MetricWindow::ending_at(Utc::now(), 6, 60));
    m.put(
        scope.clone(),
        MetricId::IncomingRecords,
        0,
        vec![Some(100.0), None, Some(1.0), None, Some(2.0), Some(3.0)],
    );
    m.put(
        scope.clone(),
        MetricId::DeliveryRecords(DestinationKind::S3),
        0,
        vec![None, None],
    );
    assert_eq!(m.recent_sum(&scope, MetricId::IncomingRecords), Some(6.0));
    assert_eq!(m.recent_avg(&scope, MetricId::IncomingRecords), Some(2.0));
    assert_eq!(m.recent_max(&scope, MetricId::IncomingRecords), Some(3.0));
    assert_eq!(
        m.recent_sum(&scope, MetricId::DeliveryRecords(DestinationKind::S3)),
        None
    );
    assert_eq!(m.latest(&scope, MetricId::IncomingRecords), Some(3.0));
}

#[test]
fn errors_grouped_by_code_newest_message_kept() {
    let ev = |s: i64, msg: &str| LogEvent {
        group: "g".into(),
        stream: "s".into(),
        timestamp: DateTime::from_timestamp(s, 0).unwrap(),
        event_id: s.to_string(),
        message: msg.into(),
    };
    let events = [
        ev(1, r#"{"errorCode":"S3.AccessDenied","message":"old"}"#),
        ev(3, r#"{"errorCode":"S3.AccessDenied","message":"new"}"#),
        ev(2, r#"{"errorCode":"S3.SlowDown","message":"slow"}"#),
        ev(4, "not json"),
    ];
    let g = group_errors(events.iter());
    assert_eq!(g.len(), 2);
    assert_eq!(g[0].0, "S3.AccessDenied");
    assert_eq!(g[0].1, 2);
    assert_eq!(g[0].3, "new");
    assert_eq!(g[1].0, "S3.SlowDown");
}

#[test]
fn delivery_metric_names_follow_each_kind_s_prefix() {
    for kind in DestinationKind::ALL {
        for id in MetricId::delivery(kind) {
            let name = id.name();
            assert!(
                name.starts_with(&format!("{}.", kind.metric_prefix())),
                "{kind:?}: {name}"
            );
        }
    }
    // Iceberg counts rows, not records.
    assert_eq!(
        MetricId::DeliveryRecords(DestinationKind::Iceberg).name(),
        "DeliveryToIceberg.SuccessfulRowCount"
    );
}

#[test]
fn chart_periods_fit_288_points_and_cloudwatch_retention() {
    use crate::model::{chart_period, window_label};
    assert_eq!(chart_period(60), 60);
    assert_eq!(chart_period(180), 60);
    assert_eq!(chart_period(720), 180);
    assert_eq!(chart_period(1440), 300);
    assert_eq!(chart_period(4320), 900);
    // Older than 15 days: a multiple of 300 s; older than 63 days: of 3600 s.
    assert_eq!(chart_period(20 * 1440) % 300, 0);
    assert_eq!(chart_period(90 * 1440) % 3600, 0);
    assert_eq!(window_label(4320), "3d");
    assert_eq!(window_label(720), "12h");
}

/// Issue 12: series are kept once and shared: moving the window copies nothing (a series not
/// fetched again ends where its last fetch ended), a fetch from point `at` keeps the points
/// before it, and gaps stay gaps (EventBridge's become zeros).
#[test]
fn series_move_with_the_window_and_are_extended_in_place() {
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-01-01T07:00:30Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{e}"));
    let scope = Scope::Stream("s".into());
    let id = MetricId::IncomingRecords;
    let mut m = Metrics::new(MetricWindow::ending_at(t0, 6, 60));
    m.put(
        scope.clone(),
        id,
        0,
        vec![Some(1.0), None, Some(3.0), Some(4.0), Some(5.0), Some(6.0)],
    );
    m.put(scope.clone(), MetricId::Invocations, 0, vec![None; 6]);
    let later = MetricWindow::ending_at(t0 + chrono::Duration::minutes(2), 6, 60);
    let mut n = m
        .moved_to(later)
        .unwrap_or_else(|| panic!("a later window"));
    let s = n.series(&scope, id).unwrap_or_else(|| panic!("kept"));
    assert_eq!(
        s.to_vec(),
        vec![Some(3.0), Some(4.0), Some(5.0), Some(6.0)],
        "ends at its fetch"
    );
    assert_eq!(
        n.recent_sum(&scope, id),
        Some(18.0),
        "recent = its own newest points"
    );
    n.put(scope.clone(), id, 3, vec![Some(6.5), Some(7.0), Some(8.0)]);
    assert_eq!(
        n.series(&scope, id).map(|s| s.to_vec()),
        Some(vec![
            Some(3.0),
            Some(4.0),
            Some(5.0),
            Some(6.5),
            Some(7.0),
            Some(8.0)
        ])
    );
    assert_eq!(
        n.series(&scope, MetricId::Invocations).map(|s| s.to_vec()),
        Some(vec![Some(0.0); 4]),
        "EventBridge gaps are zeros"
    );
    assert_eq!(
        m.series(&scope, id).map(|s| s.len()),
        Some(6),
        "the old publish is untouched"
    );
    assert!(
        m.moved_to(MetricWindow::ending_at(t0, 6, 300)).is_none(),
        "another period"
    );
    assert_eq!(n.len(), 2);
    n.retain(|_, m| m == id);
    assert_eq!(n.keys().count(), 1);
}

#[test]
fn what_a_stream_s_metrics_report_gives_its_triage_set_before_it_is_described() {
    use DestinationKind::*;
    use MetricId::*;
    // A non-S3 destination reports its S3 backup's delivery too, in either listing order.
    for order in [
        [DeliverySuccess(S3), DeliverySuccess(Splunk)],
        [DeliverySuccess(Splunk), DeliverySuccess(S3)],
    ] {
        let mut r = Reported::default();
        r.saw(IncomingRecords);
        for m in order {
            r.saw(m);
        }
        assert_eq!(
            r,
            Reported {
                incoming: Some(IncomingRecords),
                destination: Some(Splunk),
                s3_backup: true
            }
        );
        assert_eq!(
            MetricId::triage_reported(&r),
            vec![
                IncomingRecords,
                ThrottledRecords,
                DeliveryRecords(Splunk),
                DeliverySuccess(Splunk),
                DataFreshness(Splunk),
                DeliveryRecords(S3)
            ]
        );
    }
    // Direct PUT to S3: the 5 metrics of a described stream of that shape.
    let mut r = Reported::default();
    r.saw(DeliverySuccess(S3));
    r.saw(IncomingRecords);
    assert_eq!(
        MetricId::triage_reported(&r),
        vec![
            IncomingRecords,
            ThrottledRecords,
            DeliveryRecords(S3),
            DeliverySuccess(S3),
            DataFreshness(S3)
        ]
    );
    // A Kinesis source: its throttling and lag; no ThrottledRecords (Direct PUT only).
    let mut r = Reported::default();
    r.saw(KinesisReadRecords);
    let t = MetricId::triage_reported(&r);
    assert!(t.contains(&ThrottledGetRecords) && t.contains(&KinesisMillisBehindLatest));
    assert!(!t.contains(&ThrottledRecords));
    // Nothing reported in 3 hours: nothing to fetch.
    assert!(MetricId::triage_reported(&Reported::default()).is_empty());
    // Every listing is of an AWS/Firehose metric: 3 sources and every destination kind.
    let listed = Reported::listed();
    assert_eq!(listed.len(), 3 + DestinationKind::ALL.len());
    assert!(listed.iter().all(|m| m.namespace() == "AWS/Firehose"));
}

#[test]
fn gaps_around_the_datapoints_are_not_stored_and_read_back_as_gaps() {
    let t0 = Utc::now();
    let scope = Scope::Stream("s".into());
    let id = MetricId::IncomingRecords;
    let mut m = Metrics::new(MetricWindow::ending_at(t0, 8, 60));
    let raw = vec![None, None, Some(1.0), None, Some(2.0), None, None, None];
    m.put(scope.clone(), id, 0, raw.clone());
    m.put(scope.clone(), MetricId::Invocations, 0, vec![None; 8]);
    let s = m.series(&scope, id).unwrap_or_else(|| panic!("stored"));
    assert_eq!((s.len(), s.to_vec()), (8, raw.clone()));
    assert_eq!(s.get(2), Some(1.0));
    assert_eq!((s.get(0), s.get(7), s.get(8)), (None, None, None));
    assert_eq!(s.tail(5).to_vec(), raw[3..].to_vec());
    assert_eq!(
        s.tail(20).to_vec(),
        raw,
        "a tail longer than the series is all of it"
    );
    let empty = m
        .series(&scope, MetricId::Invocations)
        .unwrap_or_else(|| panic!("fetched, with no datapoint"));
    // EventBridge omits zeros: its gaps read as zeros, stored or not.
    assert_eq!((empty.len(), empty.to_vec()), (8, vec![Some(0.0); 8]));
    assert_eq!(m.recent_sum(&scope, MetricId::Invocations), Some(0.0));
    // Three periods later the window starts inside the leading gaps' past: the series keeps
    // its values at the same times, and ends where it was fetched.
    let later = MetricWindow::ending_at(t0 + chrono::Duration::minutes(3), 8, 60);
    let n = m
        .moved_to(later)
        .unwrap_or_else(|| panic!("a later window"));
    let s = n.series(&scope, id).unwrap_or_else(|| panic!("kept"));
    assert_eq!(s.to_vec(), raw[3..].to_vec());
    assert_eq!(n.recent_sum(&scope, id), Some(2.0));
    // Past every datapoint: only gaps remain.
    let much_later = MetricWindow::ending_at(t0 + chrono::Duration::minutes(6), 8, 60);
    let n = m
        .moved_to(much_later)
        .unwrap_or_else(|| panic!("a later window"));
    let s = n.series(&scope, id).unwrap_or_else(|| panic!("kept"));
    assert_eq!(s.to_vec(), vec![None, None]);
}

/// A row's series are found by metric whatever order they were stored in; storing one again
/// replaces it, and dropping some keeps the others.
#[test]
fn a_rows_series_are_found_by_metric_in_any_order() {
    use MetricId::*;
    let t0 = Utc::now();
    let mut m = Metrics::new(MetricWindow::ending_at(t0, 3, 60));
    let scope = Scope::Rule(RuleKey {
        bus: "default".into(),
        name: "r".into(),
    });
    let ids = [
        FailedInvocations,
        Invocations,
        InvocationsSentToDlq,
        MatchedEvents,
        InvocationsFailedToBeSentToDlq,
    ];
    for (k, id) in ids.iter().enumerate() {
        m.put(scope.clone(), *id, 0, vec![Some(k as f64); 3]);
    }
    for (k, id) in ids.iter().enumerate() {
        assert_eq!(m.latest(&scope, *id), Some(k as f64), "{id:?}");
    }
    m.put(scope.clone(), MatchedEvents, 0, vec![Some(9.0); 3]);
    assert_eq!(m.latest(&scope, MatchedEvents), Some(9.0));
    assert_eq!(m.len(), ids.len());
    m.retain(|_, id| id != Invocations && id != MatchedEvents);
    assert_eq!(m.len(), 3);
    assert_eq!(m.series(&scope, Invocations).map(|s| s.len()), None);
    assert_eq!(m.latest(&scope, FailedInvocations), Some(0.0));
    assert_eq!(m.latest(&scope, InvocationsFailedToBeSentToDlq), Some(4.0));
}
