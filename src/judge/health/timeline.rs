//! "Since when, and what changed just before?" (issue 14): a short timeline of a stream or a
//! rule, newest first, from what fhtop has read — the linked alarms' state changes
//! (DescribeAlarmHistory), the stream's last configuration change (`LastUpdateTimestamp`,
//! `VersionId`), the earliest error-log event read in the window, and the minute a delivery or
//! invocation metric changed between working and failing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Inputs;
use crate::model::{
    AlarmChange, AlarmState, DestinationKind, MetricId, Rule, Scope, Stream, parse_firehose_error,
};

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A linked alarm changed state.
    Alarm,
    /// The stream's configuration changed (or it was created).
    Configuration,
    /// The earliest error-log event fhtop has read in the window (the log reader keeps the
    /// newest events, so earlier ones may exist).
    ErrorLog,
    /// A metric went from working to failing, or back.
    Metric,
}

impl EventKind {
    /// A short label: "alarm", "config", "error log", "metric".
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Alarm => "alarm",
            EventKind::Configuration => "config",
            EventKind::ErrorLog => "error log",
            EventKind::Metric => "metric",
        }
    }
}

/// One entry of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// When (for a metric, the start of the minute it changed).
    pub at: DateTime<Utc>,
    /// What kind.
    pub kind: EventKind,
    /// What happened (may hold AWS text: sanitize before display).
    pub text: String,
}

/// Most entries a timeline keeps (the newest).
pub const MAX_EVENTS: usize = 8;

/// The timeline of `s` since `since`, newest first, at most [`MAX_EVENTS`].
pub fn stream(
    inputs: &Inputs,
    s: &Stream,
    history: &[AlarmChange],
    since: DateTime<Utc>,
) -> Vec<Event> {
    let mut ev = alarm_events(inputs, history, since, |a| a.is_for_stream(&s.name));
    if let Some(c) = s.created.filter(|c| *c >= since) {
        ev.push(Event {
            at: c,
            kind: EventKind::Configuration,
            text: "stream created".into(),
        });
    }
    // Changed after its creation: a version past 1, or (version unknown) an update more than
    // 2 s after the creation.
    let changed = match s.version_id.as_deref() {
        Some(v) => v != "1",
        None => s
            .last_update
            .zip(s.created)
            .is_some_and(|(u, c)| (u - c).num_seconds() >= 2),
    };
    if let Some(u) = s.last_update.filter(|u| *u >= since && changed) {
        ev.push(Event {
            at: u,
            kind: EventKind::Configuration,
            text: format!(
                "configuration changed{}",
                s.version_id
                    .as_deref()
                    .map(|v| format!(" to version {v}"))
                    .unwrap_or_default()
            ),
        });
    }
    if let (Some(group), Some(logs)) = (s.log_group(), inputs.logs)
        && let Some(first) = logs
            .events(group)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.timestamp >= since)
            .min_by_key(|e| e.timestamp)
    {
        let what = parse_firehose_error(&first.message)
            .map(|e| format!("{}: {}", e.code, e.message))
            .unwrap_or_else(|| first.message.clone());
        ev.push(Event {
            at: first.timestamp,
            kind: EventKind::ErrorLog,
            text: format!(
                "earliest delivery error read: {}",
                crate::text::fit_words(&what, 160)
            ),
        });
    }
    if let Some(kind) = s.destination_kind() {
        let scope = Scope::Stream(s.name.clone());
        // Iceberg's `.Success` counts commits: its failures are in the failed rows.
        ev.extend(if kind == DestinationKind::Iceberg {
            metric_change(
                inputs,
                &scope,
                MetricId::IcebergFailedRows,
                since,
                |v| v <= 0.0,
                "no failed rows",
                "rows failing",
            )
        } else {
            metric_change(
                inputs,
                &scope,
                MetricId::DeliverySuccess(kind),
                since,
                |v| v >= 1.0,
                "delivering",
                "failing",
            )
        });
        let incoming = MetricId::incoming(&s.source);
        ev.extend(metric_change(
            inputs,
            &scope,
            incoming,
            since,
            |v| v > 0.0,
            "arriving",
            "none arriving",
        ));
    }
    finish(ev)
}

/// The timeline of `r` since `since`, newest first, at most [`MAX_EVENTS`].
pub fn rule(
    inputs: &Inputs,
    r: &Rule,
    history: &[AlarmChange],
    since: DateTime<Utc>,
) -> Vec<Event> {
    let key = r.key();
    let mut ev = alarm_events(inputs, history, since, |a| a.is_for_rule(&key));
    let scope = Scope::Rule(key);
    ev.extend(metric_change(
        inputs,
        &scope,
        MetricId::FailedInvocations,
        since,
        |v| v <= 0.0,
        "no failed invocations",
        "invocations failing",
    ));
    finish(ev)
}

fn finish(mut ev: Vec<Event>) -> Vec<Event> {
    ev.sort_by(|a, b| b.at.cmp(&a.at).then(a.kind.cmp(&b.kind)));
    ev.dedup();
    ev.truncate(MAX_EVENTS);
    ev
}

/// The linked alarms' changes in the window: DescribeAlarmHistory's, and each alarm's current
/// state's start (`StateUpdatedTimestamp`) where the history lacks it.
fn alarm_events(
    inputs: &Inputs,
    history: &[AlarmChange],
    since: DateTime<Utc>,
    linked: impl Fn(&crate::model::Alarm) -> bool,
) -> Vec<Event> {
    let mut out = Vec::new();
    for a in inputs.alarms.iter().filter(|a| linked(a)) {
        let mut told = false;
        for h in history
            .iter()
            .filter(|h| h.alarm == a.name && h.at >= since)
        {
            // The history's timestamp and StateUpdatedTimestamp of one change may differ by
            // a little: the same change when within a second and to the same state.
            told |= (h.at - a.state_updated).num_milliseconds().abs() < 1000
                && h.to.is_none_or(|to| to == a.state);
            out.push(Event {
                at: h.at,
                kind: EventKind::Alarm,
                text: match h.from {
                    Some(from) => format!(
                        "{} {} → {}",
                        a.name,
                        from.as_str(),
                        h.to.map_or("?", AlarmState::as_str)
                    ),
                    None => format!("{} → {}", a.name, h.to.map_or("?", AlarmState::as_str)),
                },
            });
        }
        if !told && a.state_updated >= since {
            out.push(Event {
                at: a.state_updated,
                kind: EventKind::Alarm,
                text: format!("{} → {}", a.name, a.state.as_str()),
            });
        }
    }
    out
}

/// The minute `metric` last changed between working (`good`) and not, in the window: "M:
/// failing since HH:MM (was delivering)" or "M: delivering again since HH:MM". Periods
/// without a datapoint are skipped (a missing `Success` is no verdict).
fn metric_change(
    inputs: &Inputs,
    scope: &Scope,
    metric: MetricId,
    since: DateTime<Utc>,
    good: impl Fn(f64) -> bool,
    good_word: &str,
    bad_word: &str,
) -> Option<Event> {
    let m = inputs.metrics?;
    let points = m.series(scope, metric)?;
    let mut last: Option<bool> = None;
    let mut change: Option<(usize, bool)> = None;
    // The newest minutes may not be published yet: neither a recovery nor a failure (an
    // EventBridge gap there is not yet a zero).
    let published = m.published_end();
    for (i, v) in points.iter().enumerate().take(published) {
        let Some(v) = v.or(metric.missing_is_zero().then_some(0.0)) else {
            continue;
        };
        let now_good = good(v);
        if last.is_some_and(|l| l != now_good) {
            change = Some((i, now_good));
        }
        last = Some(now_good);
    }
    let (i, now_good) = change?;
    let at = m.window.time_of(i);
    if at < since {
        return None;
    }
    let text = if now_good {
        format!(
            "{}: {good_word} again from this minute (was {bad_word})",
            metric.name()
        )
    } else {
        format!(
            "{}: {bad_word} from this minute (was {good_word})",
            metric.name()
        )
    };
    Some(Event {
        at,
        kind: EventKind::Metric,
        text,
    })
}
