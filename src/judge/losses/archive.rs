//! Which archive of a rule's bus holds the rule's events over a window: what makes events
//! a rule dropped recoverable by a replay (Amazon EventBridge User Guide, "Archiving and
//! replaying events").

use chrono::{DateTime, Utc};

use crate::model::Rule;
use crate::model::archive::Archive;

/// The bus ARN of `rule`, from its ARN (`…:rule/NAME` on the default bus, `…:rule/BUS/NAME`
/// on another): `arn:PARTITION:events:REGION:ACCOUNT:event-bus/BUS`; `None` when the rule's
/// ARN is not one.
pub fn bus_arn(rule: &Rule) -> Option<String> {
    let (partition, _, region, account, _) = crate::model::arn_parts(&rule.arn)?;
    Some(format!(
        "arn:{partition}:events:{region}:{account}:event-bus/{}",
        rule.bus
    ))
}

/// Whether `a` and `b` are the same event pattern (as JSON values; `None` both).
fn same_pattern(a: Option<&str>, b: Option<&str>) -> bool {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
    match (a, b) {
        (None, None) => true,
        (Some(_), Some(_)) => parse(a).is_some() && parse(a) == parse(b),
        _ => false,
    }
}

/// The archive that covers `from`..`to` for `rule`, and the window's start in it: enabled,
/// keeping the rule's events — every event (no pattern) or exactly the rule's pattern (another
/// pattern may keep only some: fhtop does not decide that, and says so) — and holding some of
/// the window. An archive holds nothing from before its creation or older than its
/// `RetentionDays` (0 = indefinitely): the start moves up to what it holds, and the caller says
/// so when it did.
///
/// Errors: why no archive fits, one reason an archive.
pub fn choose_archive<'a>(
    archives: &'a [Archive],
    rule: &Rule,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Result<(&'a Archive, DateTime<Utc>), String> {
    let mut why = Vec::new();
    for a in archives {
        let mut start = from;
        if let Some(c) = a.created {
            start = start.max(c);
        }
        if a.retention_days > 0 {
            start = start.max(now - chrono::Duration::days(i64::from(a.retention_days)));
        }
        let reason = if a.state != "ENABLED" {
            Some(format!("it is {}", a.state))
        } else if a.pattern.is_some()
            && !same_pattern(a.pattern.as_deref(), rule.event_pattern.as_deref())
        {
            Some("its pattern is not the rule's: it may not keep all the rule's events".into())
        } else if start >= to {
            Some(if a.created.is_some_and(|c| c >= to) {
                "it was created after the window".to_string()
            } else {
                format!("it keeps events {} days", a.retention_days)
            })
        } else {
            None
        };
        match reason {
            None => return Ok((a, start)),
            Some(r) => why.push(format!("{}: {r}", a.name)),
        }
    }
    if archives.is_empty() {
        why.push(format!("the bus {} has no archive", rule.bus));
    }
    Err(why.join("; "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn rule(pattern: &str) -> Rule {
        Rule {
            bus: "orders".into(),
            name: "r".into(),
            arn: "arn:aws:events:us-east-1:123456789012:rule/orders/r".into(),
            state: crate::model::RuleState::Enabled,
            description: None,
            event_pattern: Some(pattern.into()),
            schedule: None,
            managed_by: None,
            role_arn: None,
            targets: Vec::new(),
        }
    }

    fn archive(name: &str, pattern: Option<&str>, created_h: u32, days: u32) -> Archive {
        Archive {
            name: name.into(),
            arn: format!("arn:aws:events:us-east-1:123456789012:archive/{name}"),
            pattern: pattern.map(str::to_string),
            state: "ENABLED".into(),
            retention_days: days,
            created: Some(Utc.with_ymd_and_hms(2026, 12, 1, created_h, 0, 0).unwrap()),
        }
    }

    #[test]
    fn the_archive_must_cover_the_window_and_keep_the_rules_events() {
        let r = rule(r#"{"source":["acme"]}"#);
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap();
        let from = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
        let w = (from, now);
        let other = archive("other", Some(r#"{"source":["else"]}"#), 0, 0);
        let late = Archive {
            created: Some(Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap()),
            ..archive("late", None, 0, 0)
        };
        let short = archive("short", None, 0, 0);
        let short = Archive {
            retention_days: 0,
            ..short
        };
        let why = choose_archive(std::slice::from_ref(&other), &r, w, now).unwrap_err();
        assert!(
            why.contains("other: its pattern is not the rule's"),
            "{why}"
        );
        // An archive created inside the window holds it from its creation on.
        let both = [other.clone(), late.clone()];
        let (a, start) = choose_archive(&both, &r, w, now).unwrap();
        assert_eq!((a.name.as_str(), start), ("late", late.created.unwrap()));
        let pair = [other, short];
        let (a, start) = choose_archive(&pair, &r, w, now).unwrap();
        assert_eq!((a.name.as_str(), start), ("short", from));
        // The same pattern, written otherwise, keeps the rule's events.
        let same = archive("same", Some(r#"{ "source" : [ "acme" ] }"#), 0, 30);
        assert_eq!(choose_archive(&[same], &r, w, now).unwrap().0.name, "same");
        // An archive keeping events a day does not reach a window of last week.
        let day = archive("day", None, 0, 1);
        let old = Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap();
        let old_end = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
        let why = choose_archive(&[day], &r, (old, old_end), now).unwrap_err();
        assert!(why.contains("keeps events 1 days"), "{why}");
        assert_eq!(
            bus_arn(&r).unwrap(),
            "arn:aws:events:us-east-1:123456789012:event-bus/orders"
        );
    }
}
