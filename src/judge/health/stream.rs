//! A delivery stream's health: status, alarms, its error log, delivery to its own kind of
//! destination (or "no data" / "not evaluated"), processing, its source, partitions,
//! throttling.

use super::*;

/// The buffer interval freshness is measured against, seconds: the destination's, at least
/// 60 (300 when it reports none).
pub fn buffer_interval(s: &Stream) -> f64 {
    f64::from(s.buffering_seconds().unwrap_or(300).max(60))
}

/// How bad a data freshness of `fresh` seconds is against a buffer interval of `buffer`
/// seconds: FAIL above max(4 × buffer, 15 min), WARN above buffer + 60 s, OK otherwise.
pub fn freshness_level(fresh: f64, buffer: f64) -> Level {
    if fresh > (buffer * 4.0).max(900.0) {
        Level::Fail
    } else if fresh > buffer + 60.0 {
        Level::Warn
    } else {
        Level::Ok
    }
}

/// Delivery to the destination: success, records arriving but none delivered, freshness, and
/// "no data" when the window holds no delivery datapoint at all.
fn delivery_findings(h: &mut Health, s: &Stream, m: &Metrics, sc: &Scope) {
    let Some(kind) = s.destination_kind() else {
        let what = match &s.destination {
            Destination::Unknown(w) => w.as_str(),
            _ => "unknown",
        };
        h.add(
            CheckId::Delivery,
            Symptom::DestinationNotEvaluated,
            Level::Unknown,
            format!("destination not evaluated ({what})"),
        );
        return;
    };
    let label = kind.label();
    let delivery = MetricId::delivery(kind);
    let any_point = delivery.iter().any(|id| {
        m.series(sc, *id)
            .is_some_and(|v| v.iter().any(|x| x.is_some()))
    });
    if !any_point {
        h.add(
            CheckId::Delivery,
            Symptom::NoDeliveryData,
            Level::Unknown,
            format!(
                "no data: no {}.* datapoint in the window (idle, or not reporting)",
                kind.metric_prefix()
            ),
        );
        return;
    }
    // Delivered before, silent now: a stream delivers at least once per buffer interval while
    // records come in, so no delivery datapoint over two intervals (and the recent periods) is
    // not "fine" — it is "no recent data", or a warning when records are arriving.
    let period = usize::try_from(m.window.period_seconds.max(1)).unwrap_or(60);
    let buffer = usize::try_from(s.buffering_seconds().unwrap_or(300)).unwrap_or(300);
    let lookback = RECENT_POINTS.max((2 * buffer).div_ceil(period) + 1);
    if !delivery.iter().any(|id| m.any_in_last(sc, *id, lookback)) {
        let minutes = lookback * period / 60;
        let arriving = m
            .recent_sum(sc, MetricId::incoming(&s.source))
            .unwrap_or(0.0);
        let (level, text) = if arriving > 0.0 {
            (
                Level::Warn,
                format!(
                    "records arriving, no {}.* datapoint in the last {minutes} min",
                    kind.metric_prefix()
                ),
            )
        } else {
            (
                Level::Unknown,
                format!(
                    "no recent data: no {}.* datapoint in the last {minutes} min (idle, or not reporting)",
                    kind.metric_prefix()
                ),
            )
        };
        h.add(CheckId::Delivery, Symptom::NoDeliveryData, level, text);
        return;
    }
    // By AWS's definition per kind: Iceberg counts rows (its `.Success` counts commits).
    if let Some(ok) = m.delivery_ratio(sc, kind)
        && ok < 1.0
    {
        let text = if kind == DestinationKind::Iceberg {
            let failed = m.recent_sum(sc, MetricId::IcebergFailedRows).unwrap_or(0.0);
            let rows = failed
                + m.recent_sum(sc, MetricId::DeliveryRecords(kind))
                    .unwrap_or(0.0);
            format!(
                "{label}: {} of {} rows failed in 5 min ({:.0}%), written to the S3 backup",
                count(failed),
                count(rows),
                // Rounded, never to 0 % while a row failed.
                (failed / rows.max(1.0) * 100.0).round().max(1.0)
            )
        } else {
            format!("{label} delivery success {:.0}%", (ok * 100.0).floor())
        };
        h.add(
            CheckId::Delivery,
            Symptom::DeliverySuccessLow,
            Level::Fail,
            text,
        );
    }
    // Judged by the stream's own buffer interval, on published minutes only: records that
    // arrived more than one buffer interval ago must have been delivered since. A healthy
    // stream with a 900 s buffer delivers once in 15 minutes, so five minutes without a
    // delivery say nothing about it; a window too short to hold two intervals judges nothing.
    let interval = usize::try_from(
        s.buffering_seconds()
            .unwrap_or(300)
            .div_ceil(m.window.period_seconds.max(1)),
    )
    .unwrap_or(RECENT_POINTS)
    .max(RECENT_POINTS);
    let arrived_before = m
        .published_sum(sc, MetricId::incoming(&s.source), 2 * interval, interval)
        .unwrap_or(0.0);
    if arrived_before > 0.0
        && m.published_sum(sc, MetricId::DeliveryRecords(kind), 2 * interval, 0) == Some(0.0)
    {
        let minutes = 2 * interval * usize::try_from(m.window.period_seconds).unwrap_or(60) / 60;
        h.add(
            CheckId::Delivery,
            Symptom::ArrivingNotDelivered,
            Level::Fail,
            format!(
                "records arriving, none delivered to {label} in {minutes} min (buffer {})",
                fmt_duration(buffer_interval(s))
            ),
        );
    }
    // Iceberg's success is its failed rows: not read, not decided (never OK by their absence).
    if kind == DestinationKind::Iceberg && m.series(sc, MetricId::IcebergFailedRows).is_none() {
        h.add(
            CheckId::Delivery,
            Symptom::NoMetrics,
            Level::Unknown,
            "DeliveryToIceberg.FailedRowCount not read yet",
        );
    }
    if let Some(fresh) = m.recent_max(sc, MetricId::DataFreshness(kind)) {
        let interval = buffer_interval(s);
        match freshness_level(fresh, interval) {
            Level::Fail => h.add(
                CheckId::Delivery,
                Symptom::Freshness,
                Level::Fail,
                format!(
                    "data freshness {} (buffer {})",
                    fmt_duration(fresh),
                    fmt_duration(interval)
                ),
            ),
            Level::Warn => h.add(
                CheckId::Delivery,
                Symptom::Freshness,
                Level::Warn,
                format!(
                    "data freshness {} above buffer {}",
                    fmt_duration(fresh),
                    fmt_duration(interval)
                ),
            ),
            _ => {}
        }
    }
    // A service destination that backs up failed data only: records in DeliveryToS3 are the
    // records it gave up on (the backup's 100 % success is not delivery).
    if let Destination::Service(d) = &s.destination
        && d.backup_mode
            .as_deref()
            .is_some_and(|b| b.starts_with("Failed"))
        && let Some(n) = m.recent_sum(sc, MetricId::DeliveryRecords(DestinationKind::S3))
        && n > 0.0
    {
        h.add(
            CheckId::Delivery,
            Symptom::FailedToBackup,
            Level::Fail,
            format!(
                "{} records written to the S3 backup as failed in 5 min ({})",
                count(n),
                d.backup_mode.as_deref().unwrap_or("")
            ),
        );
    }
}

/// Error-log events of the lookback, grouped by errorCode: FAIL when the newest is under
/// [`ERRORS_RECENT_MIN`] old, WARN otherwise. `None` when there is none. The row's health and
/// `fhtop check`'s `delivery-errors` both read them through this.
pub struct ErrorSummary {
    pub level: Level,
    /// "S3.AccessDenied ×20, S3.SlowDown ×3 (newest 2m ago)".
    pub text: String,
    /// (errorCode, count, newest time, newest message), largest count first.
    pub groups: Vec<(String, usize, DateTime<Utc>, String)>,
}

/// Summarize the error events of the last [`ERROR_LOOKBACK_MIN`] minutes before `now`.
pub fn error_summary<'a>(
    events: impl IntoIterator<Item = &'a LogEvent>,
    now: DateTime<Utc>,
) -> Option<ErrorSummary> {
    let since = now - Duration::minutes(ERROR_LOOKBACK_MIN);
    let groups = group_errors(events.into_iter().filter(|e| e.timestamp >= since));
    let newest = groups.iter().map(|(_, _, at, _)| *at).max()?;
    let level = if now - newest <= Duration::minutes(ERRORS_RECENT_MIN) {
        Level::Fail
    } else {
        Level::Warn
    };
    let parts: Vec<String> = groups
        .iter()
        .map(|(code, n, _, _)| format!("{code} ×{n}"))
        .collect();
    Some(ErrorSummary {
        level,
        text: format!(
            "{} (newest {} ago)",
            parts.join(", "),
            fmt_duration((now - newest).num_seconds() as f64)
        ),
        groups,
    })
}

/// Recent events in the destination's error log group (what has been read of it).
fn error_log_findings(h: &mut Health, s: &Stream, inp: &Inputs) {
    let (Some(group), Some(logs)) = (s.log_group(), inp.logs) else {
        return;
    };
    let Some(events) = logs.events(group) else {
        return;
    };
    if let Some(e) = error_summary(events, inp.now) {
        h.add(
            CheckId::DeliveryErrors,
            Symptom::ErrorsLogged,
            e.level,
            format!("errors logged: {}", e.text),
        );
    }
}

pub fn stream_health(inp: &Inputs, s: &Stream) -> Health {
    use MetricId::*;
    let mut h = Health::default();
    match s.status.as_str() {
        "ACTIVE" => {}
        "CREATING" | "UPDATING" => h.add(
            CheckId::StreamStatus,
            Symptom::StreamStatus,
            Level::Warn,
            format!("stream is {}", s.status),
        ),
        other => h.add(
            CheckId::StreamStatus,
            Symptom::StreamStatus,
            Level::Fail,
            format!("stream is {other}"),
        ),
    }
    if let Some(f) = &s.failure {
        h.add(
            CheckId::StreamStatus,
            Symptom::StreamFailure,
            Level::Fail,
            format!("failure: {f}"),
        );
    }
    let linked: Vec<&Alarm> = inp
        .alarms
        .iter()
        .filter(|a| a.is_for_stream(&s.name))
        .collect();
    alarm_findings(&mut h, &linked);
    error_log_findings(&mut h, s, inp);
    let Some(m) = inp.metrics else {
        h.add(
            CheckId::Delivery,
            Symptom::NoMetrics,
            Level::Unknown,
            inp.no_metrics(),
        );
        return h.sorted();
    };
    let sc = Scope::Stream(s.name.clone());
    delivery_findings(&mut h, s, m, &sc);
    if !s.lambda_arns().is_empty() && m.recent_avg(&sc, ExecuteProcessingSuccess).is_none() {
        h.add(
            CheckId::Processing,
            Symptom::NoProcessingData,
            Level::Unknown,
            "Lambda processing: no ExecuteProcessing.Success datapoint recently (idle, or not invoked)",
        );
    }
    if !s.lambda_arns().is_empty()
        && let Some(ok) = m.recent_avg(&sc, ExecuteProcessingSuccess)
        && ok < 1.0
    {
        h.add(
            CheckId::Processing,
            Symptom::ProcessingFailing,
            Level::Fail,
            format!(
                "Lambda processing success {:.0}% (ExecuteProcessing.Success)",
                (ok * 100.0).floor()
            ),
        );
    }
    if s.format_conversion
        && let Some(n) = m.recent_sum(&sc, FailedConversionRecords)
        && n > 0.0
    {
        h.add(
            CheckId::Processing,
            Symptom::ConversionFailing,
            Level::Fail,
            format!("{} records failed format conversion in 5 min", count(n)),
        );
    }
    if let Source::KinesisStream { .. } = &s.source {
        let throttled = [
            ThrottledGetRecords,
            ThrottledGetShardIterator,
            ThrottledDescribeStream,
        ]
        .iter()
        .filter_map(|id| m.recent_sum(&sc, *id))
        .sum::<f64>();
        if throttled > 0.0 {
            h.add(
                CheckId::Throttling,
                Symptom::SourceThrottled,
                Level::Warn,
                format!(
                    "reading the Kinesis source throttled {} times in 5 min",
                    count(throttled)
                ),
            );
        }
        if let Some(ms) = m.recent_max(&sc, KinesisMillisBehindLatest)
            && ms > SOURCE_BEHIND_MS
        {
            h.add(
                CheckId::Delivery,
                Symptom::SourceBehind,
                Level::Warn,
                format!(
                    "{} behind the Kinesis source (KinesisMillisBehindLatest)",
                    fmt_duration(ms / 1000.0)
                ),
            );
        }
    }
    // Partition metrics exist only with dynamic partitioning (and are read only then).
    if s.dynamic_partitioning_enabled() {
        if m.recent_max(&sc, PartitionCountExceeded).unwrap_or(0.0) > 0.0 {
            h.add(
                CheckId::Partitions,
                Symptom::PartitionsExceeded,
                Level::Fail,
                "partition count exceeded the active partitions limit",
            );
        } else if let Some(used) = m.recent_max(&sc, PartitionCount) {
            let (limit, default) = match m.recent_max(&sc, ActivePartitionsLimit) {
                Some(l) if l > 0.0 => (l, ""),
                _ => (DEFAULT_ACTIVE_PARTITIONS_LIMIT, " default"),
            };
            if used >= 0.8 * limit {
                h.add(
                    CheckId::Partitions,
                    Symptom::PartitionsNearLimit,
                    Level::Warn,
                    format!(
                        "partitions {used:.0}/{limit:.0}{default} ({:.0}% of limit)",
                        100.0 * used / limit
                    ),
                );
            }
        }
    }
    // ThrottledRecords is Direct PUT's (a Kinesis source's throttling is above).
    let direct = matches!(s.source, Source::DirectPut | Source::Other(_));
    let throttled = m.recent_sum(&sc, ThrottledRecords).unwrap_or(0.0);
    if direct && throttled > 0.0 {
        h.add(
            CheckId::Throttling,
            Symptom::Throttled,
            Level::Warn,
            format!("{} records throttled in 5 min", count(throttled)),
        );
    }
    h.sorted()
}
