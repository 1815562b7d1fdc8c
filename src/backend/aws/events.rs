//! EventBridge: every bus, every rule on it, every rule's targets (all paginated), targets
//! listed a few rules at a time under a pace.

use aws_sdk_eventbridge::Client;
use futures_util::stream::{self, StreamExt};

use super::stats::ApiStats;
use super::{Pace, classify};
use crate::backend::BResult;
use crate::backend::Op;
use crate::model::{Bus, InventoryError, Rule, RuleKey, RuleState, Target};

const CONCURRENCY: usize = 8;

/// A `Rule` (without targets) from ListRules' `types::Rule` or DescribeRule's output: the same
/// accessors on different types.
macro_rules! rule_from {
    ($r:expr, $bus:expr, $name:expr) => {{
        let r = $r;
        Rule {
            bus: r.event_bus_name().unwrap_or($bus).to_string(),
            name: $name.to_string(),
            arn: r.arn().unwrap_or("").to_string(),
            state: RuleState::parse(r.state().map(|s| s.as_str()).unwrap_or("")),
            description: r.description().map(str::to_string),
            event_pattern: r.event_pattern().map(str::to_string),
            schedule: r.schedule_expression().map(str::to_string),
            managed_by: r.managed_by().map(str::to_string),
            role_arn: r.role_arn().map(str::to_string),
            targets: Vec::new(),
        }
    }};
}

pub(super) async fn rules(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
) -> BResult<(Vec<Bus>, Vec<Rule>, Vec<InventoryError>)> {
    let (buses, mut rules, mut errors) = buses_and_rules(c, stats, pace).await?;
    let keys: Vec<(usize, String, String)> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.bus.clone(), r.name.clone()))
        .collect();
    let targets: Vec<(usize, BResult<Vec<Target>>)> = stream::iter(keys)
        .map(|(i, bus, name)| async move { (i, targets(c, stats, pace, &bus, &name).await) })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for (i, t) in targets {
        match t {
            Ok(t) => {
                if let Some(r) = rules.get_mut(i) {
                    r.targets = t;
                }
            }
            Err(e) if e.is_account_wide() => return Err(e),
            Err(e) => {
                if let Some(r) = rules.get(i) {
                    errors.push(InventoryError::new(
                        "rule",
                        &format!("{}/{}", r.bus, r.name),
                        &e,
                    ));
                }
            }
        }
    }
    Ok((buses, rules, errors))
}

/// Every bus and its rules without targets; a bus (or the bus list) that cannot be read is an
/// error row, an account-wide failure fails the call.
pub(super) async fn buses_and_rules(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
) -> BResult<(Vec<Bus>, Vec<Rule>, Vec<InventoryError>)> {
    let mut errors = Vec::new();
    let buses = match list_buses(c, stats, pace).await {
        Ok(b) => b,
        Err(e) if e.is_account_wide() => return Err(e),
        // Buses cannot be listed (e.g. the role lacks events:ListEventBuses): the default bus
        // is still read, and the gap is an error row.
        Err(e) => {
            errors.push(InventoryError::new("buses", "event buses", &e));
            vec![Bus {
                name: "default".into(),
                arn: String::new(),
            }]
        }
    };
    let mut rules = Vec::new();
    for bus in &buses {
        match list_rules(c, stats, pace, &bus.name).await {
            Ok(r) => rules.extend(r),
            Err(e) if e.is_account_wide() => return Err(e),
            // One bus out of reach (deleted since ListEventBuses, or not allowed): an error
            // row for it; every other bus is still read.
            Err(e) => errors.push(InventoryError::new("bus", &bus.name, &e)),
        }
    }
    Ok((buses, rules, errors))
}

/// Every event bus (ListEventBuses, every page).
async fn list_buses(c: &Client, stats: &ApiStats, pace: &Pace) -> BResult<Vec<Bus>> {
    let mut buses = Vec::new();
    let mut token: Option<String> = None;
    loop {
        pace.wait().await;
        stats.call(Op::ListEventBuses);
        let out = c
            .list_event_buses()
            .set_next_token(token.take())
            .limit(100)
            .send()
            .await
            .map_err(|e| classify(Op::ListEventBuses, e))?;
        for b in out.event_buses() {
            if let (Some(name), Some(arn)) = (b.name(), b.arn()) {
                buses.push(Bus {
                    name: name.to_string(),
                    arn: arn.to_string(),
                });
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(buses);
        }
    }
}

/// The rules of one bus (ListRules, every page), without targets.
pub(super) async fn list_rules(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    bus: &str,
) -> BResult<Vec<Rule>> {
    let mut rules = Vec::new();
    let mut token: Option<String> = None;
    loop {
        pace.wait().await;
        stats.call(Op::ListRules);
        let out = c
            .list_rules()
            .event_bus_name(bus)
            .set_next_token(token.take())
            .limit(100)
            .send()
            .await
            .map_err(|e| classify(Op::ListRules, e))?;
        for r in out.rules() {
            let Some(name) = r.name() else { continue };
            rules.push(rule_from!(r, bus, name));
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(rules);
        }
    }
}

pub(super) async fn targets(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    bus: &str,
    rule: &str,
) -> BResult<Vec<Target>> {
    let mut out_targets = Vec::new();
    let mut token: Option<String> = None;
    loop {
        pace.wait().await;
        stats.call(Op::ListTargetsByRule);
        let out = c
            .list_targets_by_rule()
            .rule(rule)
            .event_bus_name(bus)
            .set_next_token(token.take())
            .limit(100)
            .send()
            .await
            .map_err(|e| classify(Op::ListTargetsByRule, e))?;
        for t in out.targets() {
            out_targets.push(Target {
                id: t.id().to_string(),
                arn: t.arn().to_string(),
                role_arn: t.role_arn().map(str::to_string),
                dead_letter_arn: t
                    .dead_letter_config()
                    .and_then(|d| d.arn())
                    .map(str::to_string),
                has_input_transformer: t.input_transformer().is_some(),
                input_path: t.input_path().map(str::to_string),
                input: t.input().map(str::to_string),
                max_event_age_seconds: t
                    .retry_policy()
                    .and_then(|r| r.maximum_event_age_in_seconds())
                    .map(i64::from),
                max_retry_attempts: t
                    .retry_policy()
                    .and_then(|r| r.maximum_retry_attempts())
                    .map(i64::from),
            });
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out_targets)
}

/// The names of the rules on `bus` with a target whose ARN is `target_arn`
/// (ListRuleNamesByTarget, every page).
pub(super) async fn rule_names_by_target(
    c: &Client,
    stats: &ApiStats,
    pace: &Pace,
    bus: &str,
    target_arn: &str,
) -> BResult<Vec<String>> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        pace.wait().await;
        stats.call(Op::ListRuleNamesByTarget);
        let out = c
            .list_rule_names_by_target()
            .target_arn(target_arn)
            .event_bus_name(bus)
            .set_next_token(token.take())
            .limit(100)
            .send()
            .await
            .map_err(|e| classify(Op::ListRuleNamesByTarget, e))?;
        names.extend(out.rule_names().iter().cloned());
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(names);
        }
    }
}

pub(super) async fn describe_rule(c: &Client, stats: &ApiStats, key: &RuleKey) -> BResult<Rule> {
    stats.call(Op::DescribeRule);
    let r = c
        .describe_rule()
        .name(&key.name)
        .event_bus_name(&key.bus)
        .send()
        .await
        .map_err(|e| classify(Op::DescribeRule, e))?;
    Ok(rule_from!(&r, &key.bus, r.name().unwrap_or(&key.name)))
}

/// The resource policy of event bus `bus` (DescribeEventBus `Policy`), `None` when it has none.
/// Errors: NotFound when the bus does not exist; the call's.
pub(super) async fn bus_policy(c: &Client, stats: &ApiStats, bus: &str) -> BResult<Option<String>> {
    stats.call(Op::DescribeEventBus);
    let r = c
        .describe_event_bus()
        .name(bus)
        .send()
        .await
        .map_err(|e| classify(Op::DescribeEventBus, e))?;
    Ok(r.policy()
        .filter(|p| !p.trim().is_empty())
        .map(str::to_string))
}

pub(super) async fn set_rule_state(
    c: &Client,
    stats: &ApiStats,
    key: &RuleKey,
    state: &RuleState,
) -> BResult<()> {
    match state {
        RuleState::Enabled => {
            stats.call(Op::EnableRule);
            c.enable_rule()
                .name(&key.name)
                .event_bus_name(&key.bus)
                .send()
                .await
                .map_err(|e| classify(Op::EnableRule, e))?;
        }
        RuleState::Disabled => {
            stats.call(Op::DisableRule);
            c.disable_rule()
                .name(&key.name)
                .event_bus_name(&key.bus)
                .send()
                .await
                .map_err(|e| classify(Op::DisableRule, e))?;
        }
        RuleState::Other(s) => {
            // PutRule replaces pattern, schedule, description and role: send them as they are.
            let r = describe_rule(c, stats, key).await?;
            stats.call(Op::PutRule);
            c.put_rule()
                .name(&key.name)
                .event_bus_name(&key.bus)
                .set_event_pattern(r.event_pattern)
                .set_schedule_expression(r.schedule)
                .set_description(r.description)
                .set_role_arn(r.role_arn)
                .state(aws_sdk_eventbridge::types::RuleState::from(s.as_str()))
                .send()
                .await
                .map_err(|e| classify(Op::PutRule, e))?;
        }
    }
    Ok(())
}

pub(super) async fn test_event_pattern(
    c: &Client,
    stats: &ApiStats,
    pattern: &str,
    event: &str,
) -> BResult<bool> {
    stats.call(Op::TestEventPattern);
    let r = c
        .test_event_pattern()
        .event_pattern(pattern)
        .event(event)
        .send()
        .await
        .map_err(|e| classify(Op::TestEventPattern, e))?;
    Ok(r.result())
}
