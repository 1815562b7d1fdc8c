//! A rule's ledger lines: events dropped (no dead-letter queue), refused by the queue, waiting
//! in it, and being retried — from the rule's metrics over the window and, when read, the
//! queues' depth.

use chrono::Duration;

use super::{Fate, Inputs, LossLine, Place, deadline_text, window_text};
use crate::model::{MetricId, Metrics, Rule, Scope};
use crate::text::count;

/// Rounds a metric sum to a whole count (sums of counts are whole; never negative).
fn whole(v: f64) -> u64 {
    v.max(0.0).round() as u64
}

/// The lines of rule `r` (none for a rule without failures), worst first is the caller's.
pub(super) fn lines(inp: &Inputs, r: &Rule) -> Vec<LossLine> {
    let target = format!("{}/{}", r.bus, r.name);
    let line = |place, fate, n: Option<u64>, unit, summary: String, evidence: String| {
        LossLine::new(&target, (place, fate), (n, unit), summary, evidence)
    };
    let m = match inp.metrics {
        Ok(m) => m,
        Err(why) => {
            return vec![line(
                Place::NotRead,
                Fate::Unknown,
                None,
                "events",
                format!("the rule's metrics could not be read: {why}"),
                "GetMetricData".into(),
            )];
        }
    };
    let sc = Scope::Rule(r.key());
    if m.series(&sc, MetricId::Invocations).is_none() {
        return vec![line(
            Place::NotRead,
            Fate::Unknown,
            None,
            "events",
            "the rule's metrics are not read yet".into(),
            "Invocations".into(),
        )];
    }
    let window = window_text(m.window.minutes());
    let sum = |id| m.window_sum(&sc, id).unwrap_or(0.0);
    let failed = sum(MetricId::FailedInvocations);
    let sent = sum(MetricId::InvocationsSentToDlq);
    let refused = sum(MetricId::InvocationsFailedToBeSentToDlq);
    let queues: Vec<&str> = {
        let mut q: Vec<&str> = r
            .targets
            .iter()
            .filter_map(|t| t.dead_letter_arn.as_deref())
            .collect();
        q.sort_unstable();
        q.dedup();
        q
    };
    let all_have_dlq =
        !r.targets.is_empty() && r.targets.iter().all(|t| t.dead_letter_arn.is_some());
    let dlq_read = MetricId::RULE_DLQ
        .iter()
        .all(|id| m.series(&sc, *id).is_some());
    let mut out = Vec::new();
    if failed > 0.0 && r.targets.is_empty() {
        out.push(line(
            Place::NotRead,
            Fate::Unknown,
            Some(whole(failed)),
            "events",
            format!(
                "{} invocations failed for good in {window}; the rule's targets are not read, so where they went is not known",
                count(failed)
            ),
            format!("FailedInvocations, Sum over {window}"),
        ));
        return out;
    }
    if !queues.is_empty() && !dlq_read {
        out.push(line(
            Place::NotRead,
            Fate::Unknown,
            (failed > 0.0).then(|| whole(failed)),
            "events",
            "the dead-letter queue's metrics are not read yet: what reached it is not known".into(),
            "InvocationsSentToDlq, InvocationsFailedToBeSentToDlq".into(),
        ));
    }
    // Without a queue on every target, what failed and did not reach a queue was dropped
    // (the metrics are per rule: a rule whose targets all have queues drops nothing).
    let dropped = if queues.is_empty() {
        failed
    } else if !all_have_dlq && dlq_read {
        (failed - sent - refused).max(0.0)
    } else {
        0.0
    };
    if all_have_dlq && dlq_read && failed > sent + refused {
        // Every target has a queue now, yet more failed than reached or was refused by one:
        // a queue added during the window, or events in between. Not known.
        out.push(line(
            Place::NotRead,
            Fate::Unknown,
            Some(whole(failed - sent - refused)),
            "events",
            format!(
                "{} of the {} events that failed for good in {window} neither reached a dead-letter queue nor were refused by one (a queue added during the window?): where they went is not known",
                count(failed - sent - refused),
                count(failed)
            ),
            format!(
                "FailedInvocations − InvocationsSentToDlq − InvocationsFailedToBeSentToDlq, Sum over {window}"
            ),
        ));
    }
    if dropped > 0.0 {
        out.push(archived(inp, m, r, line(
            Place::Dropped,
            Fate::Lost,
            Some(whole(dropped)),
            "events",
            format!(
                "{} events dropped in {window}: they failed for good and {} no dead-letter queue",
                count(dropped),
                if queues.is_empty() {
                    "the rule's targets have"
                } else {
                    "a failing target has"
                }
            ),
            format!("FailedInvocations, Sum over {window}; the targets' DeadLetterConfig"),
        )));
    }
    if refused > 0.0 {
        out.push(archived(inp, m, r, line(
            Place::DlqRefused,
            Fate::Lost,
            Some(whole(refused)),
            "events",
            format!(
                "{} events lost in {window}: the dead-letter queue refused them (its policy, a queue that is gone, or the size limit)",
                count(refused)
            ),
            format!("InvocationsFailedToBeSentToDlq, Sum over {window}"),
        )));
    }
    for q in &queues {
        out.extend(queue_line(
            inp,
            &target,
            q,
            sent,
            queues.len(),
            (&window, m.window.minutes()),
        ));
    }
    out.extend(retrying(inp, m, r, &sc, &target, &window));
    out
}

/// The line of one dead-letter queue: what the rule sent there over the window and, when
/// read, what waits there now and when SQS deletes the oldest of it.
fn queue_line(
    inp: &Inputs,
    target: &str,
    queue: &str,
    sent: f64,
    queues: usize,
    (window, window_minutes): (&str, u32),
) -> Option<LossLine> {
    let name = crate::model::arn::resource_name(queue).unwrap_or(queue);
    let shared = if queues > 1 {
        format!(" (the rule's {queues} queues together)")
    } else {
        String::new()
    };
    let mut l = LossLine {
        target: target.to_string(),
        place: Place::DeadLetterQueue,
        fate: Fate::Recoverable,
        count: Some(whole(sent)),
        at_most: false,
        unit: "events",
        deadline: None,
        summary: String::new(),
        location: Some(queue.to_string()),
        evidence: format!("InvocationsSentToDlq, Sum over {window}"),
        command: None,
        replay_window: None,
    };
    match inp.queues.map(|qs| qs.get(queue)) {
        // Not read (the TUI): the metric alone.
        None | Some(None) => {
            if sent <= 0.0 {
                return None;
            }
            l.summary = format!(
                "{} events sent to the dead-letter queue {name} in {window}{shared}; recoverable from the queue until SQS deletes them (its retention; the queue is not read here)",
                count(sent)
            );
        }
        Some(Some(Err(e))) => {
            if sent <= 0.0 {
                // Nothing sent in the window; an unreadable queue may still hold older events.
                l.fate = Fate::Unknown;
                l.count = None;
                l.summary = format!(
                    "the dead-letter queue {name} could not be read: {}",
                    e.explained()
                );
                l.place = Place::NotRead;
                return Some(l);
            }
            l.fate = Fate::Unknown;
            l.summary = format!(
                "{} events sent to the dead-letter queue {name} in {window}{shared}; the queue could not be read ({}): whether they wait there, and until when, is not known",
                count(sent),
                e.explained()
            );
        }
        Some(Some(Ok(state))) => {
            l.evidence
                .push_str("; GetQueueAttributes; ApproximateAgeOfOldestMessage");
            let depth = state.depth();
            if depth == 0 {
                if sent <= 0.0 {
                    return None;
                }
                // Messages kept longer than the window cannot have expired: redriven or
                // consumed. With a shorter retention some may have expired unread: not known.
                let window_seconds = u64::from(window_minutes) * 60;
                if state.retention_seconds >= window_seconds {
                    l.fate = Fate::Clear;
                    l.summary = format!(
                        "{} events sent to the dead-letter queue {name} in {window}{shared}; the queue is empty now (redriven or consumed: it keeps messages longer than the window)",
                        count(sent)
                    );
                } else {
                    l.fate = Fate::Unknown;
                    l.summary = format!(
                        "{} events sent to the dead-letter queue {name} in {window}{shared}; the queue is empty now and keeps messages {}: redriven, consumed, or expired unread — not known",
                        count(sent),
                        crate::text::fmt_duration(state.retention_seconds as f64)
                    );
                }
                return Some(l);
            }
            l.count = Some(depth);
            l.deadline = state.first_expiry(inp.now);
            let when = match l.deadline {
                Some(d) => format!("the oldest is deleted by SQS {}", deadline_text(d, inp.now)),
                None => format!(
                    "SQS deletes each {} after it arrived (the oldest's age is not published yet)",
                    crate::text::fmt_duration(state.retention_seconds as f64)
                ),
            };
            let in_flight = if state.in_flight > 0 {
                format!(
                    " ({} received by a consumer and not deleted)",
                    count(state.in_flight as f64)
                )
            } else {
                String::new()
            };
            l.summary = format!(
                "{} events wait in the dead-letter queue {name}{in_flight}; {} sent there in {window}{shared}; {when}",
                count(depth as f64),
                count(sent)
            );
        }
    }
    Some(l)
}

/// The "retrying" line: EventBridge is retrying deliveries now (retry attempts in the newest
/// published periods). Each event is retried until its target's `MaximumEventAgeInSeconds`, so
/// those of the current run of retries — since the first period of it — are at risk until
/// then (or earlier, when the run began before the window).
fn retrying(
    inp: &Inputs,
    m: &Metrics,
    r: &Rule,
    sc: &Scope,
    target: &str,
    window: &str,
) -> Option<LossLine> {
    let series = m.series(sc, MetricId::RetryInvocationAttempts)?;
    let retried = |i: usize| series.get(i).is_some_and(|x| x > 0.0);
    // Now: a retry in the last published periods (the newest may not be published yet).
    let end = m.published_end().max(1);
    let last = (end.saturating_sub(2)..series.len())
        .rev()
        .find(|&i| retried(i))?;
    let mut first = last;
    while first > 0 && retried(first - 1) {
        first -= 1;
    }
    let attempts: f64 = (first..=last).filter_map(|i| series.get(i)).sum();
    let age = r
        .targets
        .iter()
        .map(|t| t.retry().0)
        .min()
        .unwrap_or(crate::model::DEFAULT_MAX_EVENT_AGE_SECONDS);
    let since = m.window.time_of(first);
    let deadline = since + Duration::seconds(age);
    let earlier = if first == 0 { " or earlier" } else { "" };
    let then = if r.has_dead_letter_queue() {
        "then to the dead-letter queue"
    } else {
        "then dropped (no dead-letter queue)"
    };
    Some(LossLine {
        target: target.to_string(),
        place: Place::Retrying,
        fate: Fate::AtRisk,
        count: Some(whole(attempts)),
        at_most: false,
        unit: "retry attempts",
        deadline: Some(deadline),
        summary: format!(
            "EventBridge is retrying deliveries ({} attempts since {} UTC{earlier}): those events are not delivered yet and are retried until MaximumEventAgeInSeconds ({}), {then} — the first {}",
            count(attempts),
            // Yesterday's 09:35 is not today's: the date when it is another day's.
            if since.date_naive() == inp.now.date_naive() {
                since.format("%H:%M").to_string()
            } else {
                since.format("%b %d %H:%M").to_string()
            },
            crate::text::fmt_duration(age as f64),
            deadline_text(deadline, inp.now)
        ),
        location: None,
        evidence: format!(
            "RetryInvocationAttempts, Sum of the current run in {window}; the targets' RetryPolicy"
        ),
        command: None,
        replay_window: None,
    })
}

/// Lost events a bus's archive still holds are recoverable by a replay: `line` (dropped or
/// refused by the queue) becomes so when an archive of the rule's bus covers the window and
/// keeps the rule's events ([`super::choose_archive`]); the command replays the
/// window to the rule only. An archive that could not be read changes nothing (the events are
/// lost as far as fhtop knows) and is said.
fn archived(inp: &Inputs, m: &Metrics, r: &Rule, mut line: LossLine) -> LossLine {
    let Some(read) = inp.archives.and_then(|a| a.get(&r.bus)) else {
        return line;
    };
    let archives = match read {
        Ok(a) => a,
        Err(e) => {
            line.summary.push_str(&format!(
                " (the bus's archives could not be read: {})",
                e.explained()
            ));
            return line;
        }
    };
    // The failure's window: from the first period with FailedInvocations to the end of the
    // last — the same on every read while the metrics are (so a second replay of it is found by
    // its name, never started again), and no wider than the failure (a replay re-sends every
    // archived event of its window, those delivered the first time too). Without a failing
    // period in the window: the whole window, to now.
    let failing: Vec<usize> = m
        .series(&Scope::Rule(r.key()), MetricId::FailedInvocations)
        .map(|s| {
            s.iter()
                .enumerate()
                .filter(|(_, v)| v.is_some_and(|x| x > 0.0))
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default();
    if failing.first() == Some(&0) {
        // Failing in the window's first period: it may have begun before, so the failure's
        // window is not known, and a window that starts with the metrics window's moves with
        // it (every read would name another replay of overlapping events).
        line.summary.push_str(&format!(
            " (failing since {} UTC or earlier, the first minute of the {} read: where the failure begins is not known, so no replay is offered until a longer --window shows it)",
            m.window.start.format("%b %d %H:%M"),
            window_text(m.window.minutes())
        ));
        return line;
    }
    let began = failing.first().map(|i| m.window.time_of(*i));
    let (from, to) = match (failing.first(), failing.last()) {
        (Some(first), Some(last)) => (
            m.window.time_of(*first),
            m.window.time_of(last + 1).min(inp.now),
        ),
        _ => (m.window.start, inp.now),
    };
    if let Ok((a, start)) = super::choose_archive(archives, r, (from, to), inp.now) {
        if began.is_none_or(|b| b < start) {
            // Some failed before the archive holds events: those are lost; say it.
            line.summary.push_str(&format!(
                " (the bus's archive {} holds events only from {} UTC, after they began: not all can be replayed)",
                a.name,
                start.format("%b %d %H:%M")
            ));
            return line;
        }
        line.fate = Fate::Recoverable;
        line.location = Some(a.arn.clone());
        line.summary.push_str(&format!(
            " — the bus's archive {} holds them from {} UTC: replay the failure's window to this rule",
            a.name,
            start.format("%b %d %H:%M")
        ));
        line.evidence.push_str("; ListArchives, DescribeArchive");
        line.command = Some(format!(
            "fhtop recover replay --rule {} --from {} --to {}",
            crate::text::shell_quote(&format!("{}/{}", r.bus, r.name)),
            start.format("%Y-%m-%dT%H:%M:%SZ"),
            to.format("%Y-%m-%dT%H:%M:%SZ")
        ));
        line.replay_window = Some((start, to));
    }
    line
}
