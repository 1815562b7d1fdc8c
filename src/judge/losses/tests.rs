//! The ledger from hand-made metrics: each place a failure goes, its fate and deadline, and
//! the twin that stays clear.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::{
    Destination, MetricId, MetricWindow, RuleState, S3Destination, Scope, Source, Target,
};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 30).unwrap()
}

/// A Direct PUT stream `name` delivering to S3 (bucket `lake`), for tests.
pub(crate) fn stream(name: &str) -> Stream {
    Stream {
        name: name.into(),
        arn: format!("arn:aws:firehose:us-east-1:123456789012:deliverystream/{name}"),
        status: "ACTIVE".into(),
        source: Source::DirectPut,
        created: None,
        failure: None,
        encryption: None,
        destination: Destination::S3(Box::new(S3Destination {
            bucket_arn: "arn:aws:s3:::lake".into(),
            prefix: Some(format!("{name}/")),
            error_output_prefix: None,
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            buffering_mb: 5,
            buffering_seconds: 60,
            compression: "GZIP".into(),
            kms_key_arn: None,
            dynamic_partitioning: None,
            log_group: None,
            log_stream: None,
            custom_time_zone: None,
        })),
        processors: Vec::new(),
        format_conversion: false,
        last_update: None,
        version_id: None,
    }
}

/// An enabled rule `name` on the default bus with one target, the stream `stream`, and
/// dead-letter queue `dlq`, for tests.
pub(crate) fn rule(name: &str, stream: &str, dlq: Option<&str>) -> crate::model::Rule {
    crate::model::Rule {
        bus: "default".into(),
        name: name.into(),
        arn: format!("arn:aws:events:us-east-1:123456789012:rule/{name}"),
        state: RuleState::Enabled,
        description: None,
        event_pattern: Some(r#"{"source":["acme"]}"#.into()),
        schedule: None,
        managed_by: None,
        role_arn: None,
        targets: vec![Target {
            id: "t".into(),
            arn: format!("arn:aws:firehose:us-east-1:123456789012:deliverystream/{stream}"),
            role_arn: None,
            dead_letter_arn: dlq.map(str::to_string),
            has_input_transformer: false,
            input_path: None,
            input: None,
            max_event_age_seconds: Some(3600),
            max_retry_attempts: None,
        }],
    }
}

/// 60 one-minute points ending at `now`, every rule and stream metric of `inv` zero (rules)
/// or healthy (streams), then `set` applied: (scope, metric, value every minute).
fn metrics(inv: &Inventory, set: &[(Scope, MetricId, f64)]) -> Metrics {
    let w = MetricWindow::ending_at(now(), 60, 60);
    let mut m = Metrics::new(w);
    for q in crate::model::metric_queries(inv, &[]) {
        let v = if q.metric.is_rule_metric() {
            0.0
        } else {
            match q.metric {
                MetricId::DataFreshness(_) => 40.0,
                MetricId::DeliverySuccess(_) => 1.0,
                MetricId::ThrottledRecords => 0.0,
                _ => 100.0,
            }
        };
        m.put(q.scope.clone(), q.metric, 0, vec![Some(v); w.points]);
    }
    for (scope, id, v) in set {
        m.put(scope.clone(), *id, 0, vec![Some(*v); w.points]);
    }
    m
}

fn inv(rules: Vec<crate::model::Rule>, streams: Vec<Stream>) -> Inventory {
    Inventory {
        buses: Vec::new(),
        rules: rules.into_iter().map(std::sync::Arc::new).collect(),
        streams: streams.into_iter().map(std::sync::Arc::new).collect(),
        errors: Vec::new(),
    }
}

fn run(
    inv: &Inventory,
    m: &Metrics,
    queues: Option<&BTreeMap<String, BResult<QueueState>>>,
) -> Ledger {
    let inp = Inputs {
        metrics: Ok(m),
        recent: None,
        queues,
        outputs: None,
        archives: None,
        now: now(),
    };
    let rules: Vec<RuleKey> = inv.rules.iter().map(|r| r.key()).collect();
    let streams: Vec<String> = inv.streams.iter().map(|s| s.name.clone()).collect();
    ledger(&inp, inv, &rules, &streams)
}

fn rk(name: &str) -> Scope {
    Scope::Rule(RuleKey {
        bus: "default".into(),
        name: name.into(),
    })
}

#[test]
fn failures_without_a_queue_are_lost_and_with_one_recoverable() {
    let i = inv(
        vec![
            rule("no-dlq", "a", None),
            rule("dlq", "b", Some("arn:aws:sqs:us-east-1:123456789012:b-dlq")),
            rule("quiet", "c", None),
        ],
        vec![stream("a"), stream("b"), stream("c")],
    );
    let m = metrics(
        &i,
        &[
            (rk("no-dlq"), MetricId::FailedInvocations, 2.0),
            (rk("dlq"), MetricId::FailedInvocations, 3.0),
            (rk("dlq"), MetricId::InvocationsSentToDlq, 3.0),
        ],
    );
    let l = run(&i, &m, None);
    let dropped: Vec<&LossLine> = l
        .lines
        .iter()
        .filter(|x| x.place == Place::Dropped)
        .collect();
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].target, "default/no-dlq");
    assert_eq!(dropped[0].fate, Fate::Lost);
    assert_eq!(dropped[0].count, Some(120), "2 a minute for 60 minutes");
    let q = l
        .lines
        .iter()
        .find(|x| x.place == Place::DeadLetterQueue)
        .unwrap();
    assert_eq!((q.fate, q.count), (Fate::Recoverable, Some(180)));
    assert!(q.summary.contains("not read here"), "{}", q.summary);
    // The quiet twin has no line at all.
    assert!(l.lines.iter().all(|x| x.target != "default/quiet"));
    assert_eq!(l.exit_code(), 2);
    assert_eq!(l.lines[0].fate, Fate::Lost, "worst first");
}

#[test]
fn a_queue_that_refuses_loses_and_one_read_says_its_depth_and_deadline() {
    let arn = "arn:aws:sqs:us-east-1:123456789012:q";
    let i = inv(vec![rule("r", "a", Some(arn))], vec![stream("a")]);
    let m = metrics(
        &i,
        &[
            (rk("r"), MetricId::FailedInvocations, 2.0),
            (rk("r"), MetricId::InvocationsSentToDlq, 1.0),
            (rk("r"), MetricId::InvocationsFailedToBeSentToDlq, 1.0),
        ],
    );
    let mut queues = BTreeMap::new();
    queues.insert(
        arn.to_string(),
        Ok(QueueState {
            arn: arn.into(),
            visible: 50,
            in_flight: 10,
            retention_seconds: 86_400,
            oldest_age_seconds: Some(3_600.0),
        }),
    );
    let l = run(&i, &m, Some(&queues));
    let refused = l
        .lines
        .iter()
        .find(|x| x.place == Place::DlqRefused)
        .unwrap();
    assert_eq!((refused.fate, refused.count), (Fate::Lost, Some(60)));
    // Every target has a queue: nothing is counted as dropped.
    assert!(l.lines.iter().all(|x| x.place != Place::Dropped));
    let q = l
        .lines
        .iter()
        .find(|x| x.place == Place::DeadLetterQueue)
        .unwrap();
    assert_eq!(
        q.count,
        Some(60),
        "the queue's depth, visible and in flight"
    );
    assert_eq!(q.deadline, Some(now() + chrono::Duration::hours(23)));
    // Emptied since: clear, not recoverable.
    queues.insert(
        arn.to_string(),
        Ok(QueueState {
            arn: arn.into(),
            visible: 0,
            in_flight: 0,
            retention_seconds: 86_400,
            oldest_age_seconds: None,
        }),
    );
    let l = run(&i, &m, Some(&queues));
    let q = l
        .lines
        .iter()
        .find(|x| x.place == Place::DeadLetterQueue)
        .unwrap();
    assert_eq!(q.fate, Fate::Clear);
    // A queue that cannot be read while nothing was sent: undecided, never clear.
    let quiet = metrics(&i, &[]);
    queues.insert(
        arn.to_string(),
        Err(crate::backend::BackendError::new(
            crate::backend::ErrorKind::Denied,
            "GetQueueAttributes: AccessDenied",
        )),
    );
    let l = run(&i, &quiet, Some(&queues));
    assert_eq!(l.worst(), Fate::Unknown);
    assert_eq!(l.exit_code(), 3);
}

#[test]
fn records_held_undelivered_have_a_24_hour_deadline_and_past_it_are_lost() {
    let i = inv(Vec::new(), vec![stream("stuck"), stream("fine")]);
    let s = |n: &str| Scope::Stream(n.into());
    let m = metrics(
        &i,
        &[(
            s("stuck"),
            MetricId::DataFreshness(crate::model::DestinationKind::S3),
            3_600.0,
        )],
    );
    let l = run(&i, &m, None);
    let held = l
        .lines
        .iter()
        .find(|x| x.place == Place::Undelivered)
        .unwrap();
    assert_eq!(held.target, "stuck");
    assert_eq!(held.fate, Fate::AtRisk);
    assert!(held.at_most);
    assert_eq!(held.deadline, Some(now() + chrono::Duration::hours(23)));
    assert!(held.summary.contains("lost in 23h00m"), "{}", held.summary);
    assert!(l.lines.iter().all(|x| x.target != "fine"));
    assert_eq!(l.exit_code(), 1);
    // A buffer's worth of age is not at risk.
    let m = metrics(
        &i,
        &[(
            s("stuck"),
            MetricId::DataFreshness(crate::model::DestinationKind::S3),
            120.0,
        )],
    );
    assert!(run(&i, &m, None).lines.is_empty());
    // Past 24 h: lost.
    let m = metrics(
        &i,
        &[(
            s("stuck"),
            MetricId::DataFreshness(crate::model::DestinationKind::S3),
            90_000.0,
        )],
    );
    assert_eq!(run(&i, &m, None).worst(), Fate::Lost);
}

#[test]
fn retries_now_are_at_risk_until_the_targets_event_age() {
    let i = inv(vec![rule("r", "a", None)], vec![stream("a")]);
    let w = MetricWindow::ending_at(now(), 60, 60);
    let mut m = metrics(&i, &[]);
    // Retries over the last 20 minutes only.
    let mut v = vec![Some(0.0); w.points];
    for x in v.iter_mut().skip(w.points - 20) {
        *x = Some(4.0);
    }
    m.put(rk("r"), MetricId::RetryInvocationAttempts, 0, v);
    let l = run(&i, &m, None);
    let r = l.lines.iter().find(|x| x.place == Place::Retrying).unwrap();
    assert_eq!(r.fate, Fate::AtRisk);
    assert_eq!(r.count, Some(80));
    // The run began 20 periods back; MaximumEventAgeInSeconds is 3600.
    assert_eq!(
        r.deadline,
        Some(w.time_of(w.points - 20) + chrono::Duration::seconds(3600))
    );
    // Retries that stopped long ago are not at risk now.
    let mut m = metrics(&i, &[]);
    let mut v = vec![Some(0.0); w.points];
    v[3] = Some(9.0);
    m.put(rk("r"), MetricId::RetryInvocationAttempts, 0, v);
    assert!(run(&i, &m, None).lines.is_empty());
}

#[test]
fn unread_metrics_are_undecided_never_clear() {
    let i = inv(vec![rule("r", "a", None)], vec![stream("a")]);
    let empty = Metrics::new(MetricWindow::ending_at(now(), 60, 60));
    let l = run(&i, &empty, None);
    assert!(l.lines.iter().all(|x| x.fate == Fate::Unknown));
    assert_eq!(l.lines.len(), 2);
    assert_eq!(l.exit_code(), 3);
    let inp = Inputs {
        metrics: Err("GetMetricData: AccessDenied"),
        recent: None,
        queues: None,
        outputs: None,
        archives: None,
        now: now(),
    };
    let l = ledger(&inp, &i, &[rule("r", "a", None).key()], &["a".to_string()]);
    assert_eq!(l.worst(), Fate::Unknown);
}

#[test]
fn brief_says_the_worst_in_eight_columns() {
    let line = |fate, count, deadline| LossLine {
        target: "t".into(),
        place: Place::Dropped,
        fate,
        count,
        at_most: false,
        unit: "events",
        deadline,
        summary: String::new(),
        location: None,
        evidence: String::new(),
        command: None,
        replay_window: None,
    };
    let d = Some(now() + chrono::Duration::minutes(23 * 60 + 20));
    assert_eq!(brief(&[], now()), "");
    assert_eq!(
        brief(
            &[
                line(Fate::AtRisk, None, d),
                line(Fate::Lost, Some(130_000), None)
            ],
            now()
        ),
        "lost130k"
    );
    assert_eq!(brief(&[line(Fate::AtRisk, None, d)], now()), "risk 23h");
    assert_eq!(
        brief(&[line(Fate::Recoverable, Some(7_500), None)], now()),
        "kept7.5k"
    );
    assert_eq!(
        brief(&[line(Fate::Lost, Some(20_000), None)], now()),
        "lost 20k"
    );
}

#[test]
fn dropped_events_an_archive_holds_are_recoverable_by_a_replay() {
    use crate::model::archive::Archive;
    let i = inv(vec![rule("no-dlq", "a", None)], vec![stream("a")]);
    // Failing over the window's last 10 minutes.
    let mut m = metrics(&i, &[]);
    m.put(
        rk("no-dlq"),
        MetricId::FailedInvocations,
        m.window.points - 10,
        vec![Some(2.0); 10],
    );
    let mut archives = BTreeMap::new();
    archives.insert(
        "default".to_string(),
        Ok(vec![Archive {
            name: "all".into(),
            arn: "arn:aws:events:us-east-1:123456789012:archive/all".into(),
            pattern: None,
            state: "ENABLED".into(),
            retention_days: 0,
            created: Some(now() - chrono::Duration::days(3)),
        }]),
    );
    let inp = Inputs {
        metrics: Ok(&m),
        recent: None,
        queues: None,
        outputs: None,
        archives: Some(&archives),
        now: now(),
    };
    let l = ledger(&inp, &i, &[rule("no-dlq", "a", None).key()], &[]);
    let d = l.lines.iter().find(|x| x.place == Place::Dropped).unwrap();
    assert_eq!(d.fate, Fate::Recoverable);
    assert!(
        d.recover_command()
            .unwrap()
            .starts_with("fhtop recover replay --rule default/no-dlq --from ")
    );
    let (from, _) = d.replay_window.unwrap();
    assert_eq!(
        from,
        m.window.time_of(m.window.points - 10),
        "where it began"
    );
    // Failing since the window's first minute: where it began is not known (and a window
    // starting with the metrics' would move every minute, each read naming another replay of
    // the same events), so none is offered.
    let whole = metrics(&i, &[(rk("no-dlq"), MetricId::FailedInvocations, 2.0)]);
    let l = ledger(
        &Inputs {
            metrics: Ok(&whole),
            ..inp
        },
        &i,
        &[rule("no-dlq", "a", None).key()],
        &[],
    );
    let d = l.lines.iter().find(|x| x.place == Place::Dropped).unwrap();
    assert_eq!(d.fate, Fate::Lost);
    assert_eq!(d.replay_window, None);
    assert!(d.recover_command().is_none());
    assert!(d.summary.contains("or earlier"), "{}", d.summary);
    // No archive on the bus: lost.
    let mut none = BTreeMap::new();
    none.insert("default".to_string(), Ok(Vec::new()));
    let inp = Inputs {
        archives: Some(&none),
        ..inp
    };
    let l = ledger(&inp, &i, &[rule("no-dlq", "a", None).key()], &[]);
    assert_eq!(l.worst(), Fate::Lost);
}
