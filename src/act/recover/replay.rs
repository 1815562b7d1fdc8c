//! `recover replay`: an archive's events of a time window sent again to one rule
//! (StartReplay with `Destination.FilterArns`), followed with DescribeReplay to its end.
//!
//! Exactly once: the replay's name is a function of the rule and the window, and StartReplay
//! refuses a name in use, so a second run with the same window finds the first replay and
//! follows it instead of starting another. A replay sends *every* archived event of the window
//! that the rule matches — those delivered the first time too — so the window must be the
//! failure's (the since-when timeline says when it began and ended). Amazon EventBridge User
//! Guide, "Archiving and replaying events".

use chrono::{DateTime, Utc};

use crate::backend::{BResult, Backend};
use crate::model::archive::Replay;
use crate::model::{MetricId, MetricKind, MetricQuery, MetricWindow, Rule, Scope};
use crate::text::sanitize;

/// Minutes of `FailedInvocations` that decide whether the rule still fails.
pub const STILL_FAILING_MINUTES: u32 = 15;

/// A replay ready to start, or one of the same rule and window started before (to follow,
/// never to start again): what the confirmation shows.
#[derive(Debug, Clone)]
pub struct ReplayPlan {
    /// The replay's name ([`replay_name`] of the window as asked).
    pub name: String,
    /// The rule's bus ARN (StartReplay's `Destination.Arn`).
    pub bus: String,
    /// The rule's ARN (`Destination.FilterArns`).
    pub rule_arn: String,
    /// The archive replayed from.
    pub archive_arn: String,
    /// The window replayed (its start moved to where the archive begins, when later).
    pub from: DateTime<Utc>,
    /// Its end.
    pub to: DateTime<Utc>,
    /// The replay of this rule and window started before, when there is one.
    pub existing: Option<Replay>,
    /// The dry run, line by line (names from AWS sanitized).
    pub lines: Vec<String>,
}

/// The dry run of replaying `rule`'s events of `from`–`to` (`to` capped at `now`): the
/// archive of its bus that covers the window and keeps the rule's events, or the replay of
/// the same rule and window started before. Refused (unless `force`) while the rule still
/// fails: the replayed events would fail again.
///
/// Errors: (exit code, why): [`super::REFUSED`] for no bus ARN, no archive covering the
/// window, a rule still failing or not known not to; [`super::AWS_UNUSABLE`] when
/// DescribeReplay or ListArchives fails.
pub async fn prepare(
    backend: &dyn Backend,
    rule: &Rule,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    force: bool,
) -> Result<ReplayPlan, (u8, String)> {
    let key = rule.key();
    let to_asked = to;
    let (mut from, to) = (from, to.min(now));
    let Some(bus) = crate::judge::losses::bus_arn(rule) else {
        return Err((
            super::REFUSED,
            format!("refused: {key} has no ARN fhtop can read its bus from"),
        ));
    };
    // Named from the window as asked (the same arguments, the same replay).
    let name = replay_name(rule, from, to_asked);
    let existing = backend
        .describe_replay(&name)
        .await
        .map_err(|e| (super::AWS_UNUSABLE, e.explained()))?;
    let mut lines = Vec::new();
    if let Some(r) = existing {
        lines.push(format!(
            "replay {name} of this rule and window was started before ({}): following it, not starting another",
            sanitize::clean(&r.state)
        ));
        return Ok(ReplayPlan {
            archive_arn: r.archive_arn.clone(),
            name,
            bus,
            rule_arn: rule.arn.clone(),
            from,
            to,
            existing: Some(r),
            lines,
        });
    }
    let archives = backend
        .archives(&bus)
        .await
        .map_err(|e| (super::AWS_UNUSABLE, e.explained()))?;
    let archive = match crate::judge::losses::choose_archive(&archives, rule, (from, to), now) {
        Ok((a, start)) => {
            if start > from {
                lines.push(format!(
                    "the archive {} holds events from {} UTC on: the window starts there",
                    sanitize::clean(&a.name),
                    start.format("%Y-%m-%d %H:%M:%S")
                ));
                from = start;
            }
            a
        }
        Err(why) => {
            return Err((
                super::REFUSED,
                format!(
                    "refused: no archive covers {} – {} for {key}: {why}",
                    from.format("%Y-%m-%d %H:%M"),
                    to.format("%H:%M UTC")
                ),
            ));
        }
    };
    lines.insert(
        0,
        format!(
            "Recover replay · rule {} · archive {} ({})",
            sanitize::clean(&key.to_string()),
            sanitize::clean(&archive.name),
            archive
                .pattern
                .as_deref()
                .map_or("every event of the bus".to_string(), |p| format!(
                    "pattern {}",
                    sanitize::clean(p)
                )),
        ),
    );
    lines.push(format!(
        "  window {} – {} UTC, to this rule only (FilterArns)",
        from.format("%Y-%m-%d %H:%M"),
        to.format("%Y-%m-%d %H:%M")
    ));
    lines.push(
        "  every archived event of the window the rule matches is sent again, those delivered the first time too"
            .into(),
    );
    if !force {
        let window = MetricWindow::ending_at(now, STILL_FAILING_MINUTES, 60);
        let q = vec![MetricQuery {
            scope: Scope::Rule(key.clone()),
            metric: MetricId::FailedInvocations,
            kind: MetricKind::Full,
        }];
        let failed = crate::backend::read::fetch(backend, q, window)
            .await
            .map(|m| {
                m.window_sum(&Scope::Rule(key.clone()), MetricId::FailedInvocations)
                    .unwrap_or(0.0)
            });
        match failed {
            Ok(n) if n > 0.0 => {
                return Err((
                    super::REFUSED,
                    format!(
                        "refused: {key} still fails ({n:.0} FailedInvocations in {STILL_FAILING_MINUTES} min): replayed events would fail again (--force replays anyway)"
                    ),
                ));
            }
            Ok(_) => {}
            Err(e) => {
                return Err((
                    super::REFUSED,
                    format!(
                        "refused: whether {key} still fails is not known ({}); --force replays anyway",
                        e.explained()
                    ),
                ));
            }
        }
    }
    Ok(ReplayPlan {
        name,
        bus,
        rule_arn: rule.arn.clone(),
        archive_arn: archive.arn.clone(),
        from,
        to,
        existing: None,
        lines,
    })
}

/// Starts `plan`'s replay (unless it was started before) and follows it with DescribeReplay
/// every `every` until it ends or `timeout` passes; `progress` gets each state. The exit code
/// and the word the audit record and the summary use: COMPLETED → [`super::RECOVERED`]
/// "recovered"; FAILED or CANCELLED → [`super::PARTIAL`] "failed"; not ended in time, or not
/// followed → [`super::IN_DOUBT`]; StartReplay failing → [`super::AWS_UNUSABLE`].
pub async fn run(
    backend: &dyn Backend,
    plan: &ReplayPlan,
    every: std::time::Duration,
    timeout: std::time::Duration,
    progress: impl FnMut(&Replay),
) -> (u8, &'static str, BResult<Replay>) {
    if plan.existing.is_none()
        && let Err(e) = backend
            .start_replay(
                &plan.name,
                &plan.archive_arn,
                (plan.from, plan.to),
                (&plan.bus, &plan.rule_arn),
            )
            .await
    {
        return (super::AWS_UNUSABLE, "not started", Err(e));
    }
    let followed = follow(backend, &plan.name, every, timeout, progress).await;
    let (code, word) = match &followed {
        Ok(r) if r.state == "COMPLETED" => (super::RECOVERED, "recovered"),
        Ok(r) if r.ended() => (super::PARTIAL, "failed"),
        Ok(_) => (super::IN_DOUBT, "started, not ended"),
        Err(_) => (super::IN_DOUBT, "started, not followed"),
    };
    (code, word, followed)
}

/// The replay's name for `rule` and the window: `fhtop-RULE-HASH` (StartReplay allows 64
/// characters of `[.-_A-Za-z0-9]`), the same for the same rule and window (FNV-1a of the rule
/// ARN and the window's seconds).
pub fn replay_name(rule: &Rule, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}|{}|{}", rule.arn, from.timestamp(), to.timestamp()).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let name: String = rule
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("fhtop-{name}-{h:016x}")
}

/// Follows replay `name` with DescribeReplay every `every` until it ends or `timeout` passes;
/// the last state seen. `progress` gets each state.
///
/// Errors: DescribeReplay's; NotFound-like `None` is an error (it was started).
pub async fn follow(
    backend: &dyn Backend,
    name: &str,
    every: std::time::Duration,
    timeout: std::time::Duration,
    mut progress: impl FnMut(&Replay),
) -> BResult<Replay> {
    let started = std::time::Instant::now();
    loop {
        let r = backend.describe_replay(name).await?.ok_or_else(|| {
            crate::backend::BackendError::new(
                crate::backend::ErrorKind::NotFound,
                format!("DescribeReplay: replay {name} not found"),
            )
        })?;
        progress(&r);
        if r.ended() || started.elapsed() >= timeout {
            return Ok(r);
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_same_rule_and_window_give_the_same_name() {
        let r = crate::judge::losses::tests_rule();
        let from = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap();
        let n = replay_name(&r, from, to);
        assert_eq!(n, replay_name(&r, from, to));
        assert_ne!(n, replay_name(&r, from, from + chrono::Duration::hours(1)));
        assert!(n.len() <= 64 && n.starts_with("fhtop-r-"));
    }
}
