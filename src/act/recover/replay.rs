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
use crate::model::Rule;
use crate::model::archive::Replay;

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
