//! The inventory a selection needs, read without walking the account (issue 27): at 5,000
//! streams and 10,000 rules the whole inventory is 5,000 DescribeDeliveryStream calls at
//! Firehose's 5 a second (about 17 minutes) and 10,000 ListTargetsByRule calls, so
//! `fhtop check --stream NAME` gave up after its 2 minutes before it read a single metric.
//!
//! For a selection that names streams or rules: ListEventBuses and ListRules (every rule's name,
//! 100 a page), DescribeDeliveryStream of each stream named, ListRuleNamesByTarget on every bus
//! for each stream's ARN and its Kinesis source's (the rules feeding it), ListTargetsByRule of
//! those rules and the rules named, and DescribeDeliveryStream of every stream those rules
//! target. What is read is what the whole inventory holds for those rows, so every verdict is
//! the one the whole inventory gives. The other rules of a bus in scope are read too when the
//! bus has at most [`BUS_MATES`] rules: the rules that log a bus's events to a log group are
//! where `pattern-samples` finds what the bus carried. On a larger bus the samples come from
//! the log groups of the rules in scope only (the finding names the groups it read).
//!
//! A rule in scope that targets a Kinesis data stream (other than a named stream's source) is
//! checked with the delivery streams reading it: ListDeliveryStreams of type
//! `KinesisStreamAsSource` names the streams with such a source, and each is described (which
//! data stream it reads is only in its description).
//!
//! The whole inventory is read instead when the selection is empty, or when the role may not
//! call ListRuleNamesByTarget (a policy from before this operation was used: nothing changes
//! for it).

use std::collections::BTreeSet;
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};

use super::Selection;
use super::select::rule_matches;
use crate::backend::{BResult, Backend, ErrorKind};
use crate::model::{Inventory, InventoryError, Rule, Stream};

/// DescribeDeliveryStream and ListTargetsByRule calls in flight at once (the backend paces
/// them).
const CONCURRENCY: usize = 4;

/// The most rules a bus in scope may have for all of them to be read (their targets: 10 s at
/// the backend's EventBridge pace of 20 a second); on a larger bus only the rules in scope are.
const BUS_MATES: usize = 200;

/// The inventory `sel` is checked on: the whole of it when `sel` is empty (or in the cases the
/// module documentation lists), else the rows it names and the rows they feed or are fed by.
/// Fails as [`Backend::inventory`] does: only on an account-wide error; a row that cannot be
/// read is an error row of the inventory.
pub async fn inventory_for(backend: &dyn Backend, sel: &Selection) -> BResult<Inventory> {
    if sel.is_empty() {
        return backend.inventory().await;
    }
    match scoped(backend, sel).await? {
        Some(inv) => Ok(inv),
        None => backend.inventory().await,
    }
}

/// The scoped read; `None` when only the whole inventory can answer.
async fn scoped(backend: &dyn Backend, sel: &Selection) -> BResult<Option<Inventory>> {
    let (buses, listed, mut errors) = backend.buses_and_rules().await?;
    let mut streams: Vec<Stream> = Vec::new();
    describe(
        backend,
        sel.streams.iter().cloned(),
        &mut streams,
        &mut errors,
    )
    .await?;
    // The rules feeding each named stream, on every bus.
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    let arns: Vec<String> = streams
        .iter()
        .flat_map(|s| {
            std::iter::once(s.arn.clone()).chain(s.source.kinesis_stream_arn().map(str::to_string))
        })
        .collect();
    for bus in &buses {
        for arn in &arns {
            match backend.rule_names_by_target(&bus.name, arn).await {
                Ok(names) => wanted.extend(names.into_iter().map(|n| (bus.name.clone(), n))),
                Err(e) if e.kind == ErrorKind::Denied => return Ok(None),
                Err(e) if e.is_account_wide() => return Err(e),
                // The rules on this bus feeding the stream are not known: the bus is unread.
                Err(e) => {
                    if !errors.iter().any(|x| x.kind == "bus" && x.name == bus.name) {
                        errors.push(InventoryError::new("bus", &bus.name, &e));
                    }
                }
            }
        }
    }
    for name in &sel.rules {
        wanted.extend(
            listed
                .iter()
                .filter(|r| rule_matches(r, name))
                .map(|r| (r.bus.clone(), r.name.clone())),
        );
    }
    // The other rules of their buses, on a bus of at most BUS_MATES rules: the rules logging a
    // bus's events to a log group are where a quiet rule's pattern is tested against what its
    // bus carried (`pattern-samples`).
    let buses_in_scope: BTreeSet<&str> = wanted.iter().map(|(b, _)| b.as_str()).collect();
    let mates: BTreeSet<(String, String)> = buses_in_scope
        .into_iter()
        .filter(|b| listed.iter().filter(|r| r.bus == *b).count() <= BUS_MATES)
        .flat_map(|b| listed.iter().filter(move |r| r.bus == b))
        .map(|r| (r.bus.clone(), r.name.clone()))
        .filter(|k| !wanted.contains(k))
        .collect();
    let (mut read, mut mates_read) = (Vec::new(), Vec::new());
    let rules: Vec<Rule> = listed
        .into_iter()
        .filter(|r| {
            let k = (r.bus.clone(), r.name.clone());
            wanted.contains(&k) || mates.contains(&k)
        })
        .collect();
    for (mut r, answer) in with_targets(backend, rules).await {
        let mate = mates.contains(&(r.bus.clone(), r.name.clone()));
        match answer {
            Ok(t) => {
                r.targets = t;
                if mate { &mut mates_read } else { &mut read }.push(r);
            }
            Err(e) if e.is_account_wide() => return Err(e),
            // A bus-mate not read only leaves its log groups out of the samples.
            Err(_) if mate => {}
            Err(e) => errors.push(InventoryError::new(
                "rule",
                &format!("{}/{}", r.bus, r.name),
                &e,
            )),
        }
    }
    // Every stream those rules target, so that each rule's verdict sees its whole pipeline.
    let sources: BTreeSet<&str> = streams
        .iter()
        .filter_map(|s| s.source.kinesis_stream_arn())
        .collect();
    let mut more: BTreeSet<String> = BTreeSet::new();
    let mut kinesis: BTreeSet<String> = BTreeSet::new();
    for r in &read {
        for t in &r.targets {
            match r.local_stream(t) {
                Some(n) if !streams.iter().any(|s| s.name == n) => {
                    more.insert(n.to_string());
                }
                Some(_) => {}
                None if is_kinesis_stream(&t.arn) && !sources.contains(t.arn.as_str()) => {
                    kinesis.insert(t.arn.clone());
                }
                None => {}
            }
        }
    }
    // A target that does not exist is left out, as the whole inventory would (it is not listed).
    describe(backend, more.into_iter(), &mut streams, &mut errors).await?;
    if !kinesis.is_empty() && !read_kinesis(backend, &kinesis, &mut streams, &mut errors).await? {
        return Ok(None);
    }
    Ok(Some(Inventory {
        buses,
        rules: read.into_iter().chain(mates_read).map(Arc::new).collect(),
        streams: streams.into_iter().map(Arc::new).collect(),
        errors,
    }))
}

/// The delivery streams reading the Kinesis data streams `arns` (rules in scope target them),
/// into `streams`: ListDeliveryStreams of type `KinesisStreamAsSource`, then
/// DescribeDeliveryStream of each not yet described (a failure into `errors`, as the whole
/// inventory would hold it). `false` when they cannot be listed (only the whole inventory can
/// answer); fails only on an account-wide error.
async fn read_kinesis(
    backend: &dyn Backend,
    arns: &BTreeSet<String>,
    streams: &mut Vec<Stream>,
    errors: &mut Vec<InventoryError>,
) -> BResult<bool> {
    let names = match backend.kinesis_sourced_stream_names().await {
        Ok(n) => n,
        Err(e) if e.is_account_wide() => return Err(e),
        Err(_) => return Ok(false),
    };
    let fresh: Vec<String> = names
        .into_iter()
        .filter(|n| !streams.iter().any(|s| &s.name == n))
        .collect();
    let mut found = Vec::new();
    describe(backend, fresh.into_iter(), &mut found, errors).await?;
    streams.extend(found.into_iter().filter(|s| {
        s.source
            .kinesis_stream_arn()
            .is_some_and(|a| arns.contains(a))
    }));
    Ok(true)
}

/// Each of `rules` with its targets (ListTargetsByRule), in order.
async fn with_targets(
    backend: &dyn Backend,
    rules: Vec<Rule>,
) -> Vec<(Rule, BResult<Vec<crate::model::Target>>)> {
    let keys: Vec<crate::model::RuleKey> = rules.iter().map(Rule::key).collect();
    let answers: Vec<BResult<Vec<crate::model::Target>>> = stream::iter(keys)
        .map(|k| async move { backend.rule_targets(&k).await })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    rules.into_iter().zip(answers).collect()
}

/// DescribeDeliveryStream of each of `names`: into `streams`, a failure into `errors` (a stream
/// that does not exist into neither, as the whole inventory would not list it). Fails only on
/// an account-wide error.
async fn describe(
    backend: &dyn Backend,
    names: impl Iterator<Item = String>,
    streams: &mut Vec<Stream>,
    errors: &mut Vec<InventoryError>,
) -> BResult<()> {
    let names: Vec<String> = names.collect();
    let answers: Vec<BResult<Stream>> = stream::iter(names.clone())
        .map(|n| async move { backend.describe_stream(&n).await })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    for (name, answer) in names.iter().zip(answers) {
        match answer {
            Ok(s) => streams.push(s),
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) if e.is_account_wide() => return Err(e),
            Err(e) => errors.push(InventoryError::new("stream", name, &e)),
        }
    }
    Ok(())
}

/// Whether `arn` names a Kinesis data stream (`arn:PARTITION:kinesis:…:stream/NAME`).
fn is_kinesis_stream(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    parts.nth(2) == Some("kinesis") && parts.nth(2).is_some_and(|r| r.starts_with("stream/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kinesis_data_stream_arn_is_told_from_others() {
        assert!(is_kinesis_stream(
            "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
        ));
        assert!(!is_kinesis_stream(
            "arn:aws:firehose:eu-west-1:123456789012:deliverystream/orders"
        ));
        assert!(!is_kinesis_stream("arn:aws:sqs:eu-west-1:123456789012:q"));
        assert!(!is_kinesis_stream("not an arn"));
    }
}
