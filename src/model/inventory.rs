//! What exists and how it links: the account read ([`Identity`]), every bus, rule and stream
//! ([`Inventory`]; the EventBridge side in [`super::rule`], the Firehose side in
//! [`super::stream`]), what could not be read ([`InventoryError`]), and the pipelines
//! ([`PipelineLink`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::arn::kinesis_name_from_arn;
use super::metric::Scope;
use super::reported::Reported;
use super::rule::{Bus, Rule, RuleKey};
use super::stream::Stream;

/// Who and where fhtop is looking at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The 12-digit AWS account ID (STS GetCallerIdentity `Account`; "?" when not returned).
    pub account: String,
    /// The region fhtop queries (e.g. "eu-west-1").
    pub region: String,
    /// The AWS profile in use (`--profile` or `AWS_PROFILE`), `None` for the default chain.
    pub profile: Option<String>,
    /// The caller's ARN (STS GetCallerIdentity `Arn`): the user or assumed role fhtop acts as.
    pub caller_arn: Option<String>,
    /// True for the built-in demo account (`--demo`), false for real AWS.
    pub demo: bool,
}

/// A part of the inventory the backend could not read or decode: shown as an error row, while
/// every other part is shown and checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryError {
    /// What failed to load: "stream" (DescribeDeliveryStream), "rule" (ListTargetsByRule),
    /// "bus" (ListRules on that bus), "streams" (ListDeliveryStreams), "buses"
    /// (ListEventBuses; the default bus is still read) or "metrics" (the walk's ListMetrics:
    /// not a row, it hides nothing; a denial turns a feature off in the header).
    pub kind: &'static str,
    /// The stream name, `bus/rule` for a rule, the bus name for a bus, a description of the
    /// listing for "streams" / "buses".
    pub name: String,
    /// The error message from the backend (untrusted: sanitize before display); borrowed for
    /// the rows fhtop words itself (a row still loading: 10,000 at a time on a large account).
    pub message: Cow<'static, str>,
    /// The IAM action fhtop's role lacks, when the call was denied (e.g. "events:ListRules").
    pub missing_permission: Option<&'static str>,
    /// Not a failure: listed, and not described yet ("stream": DescribeDeliveryStream pending;
    /// "rule": ListTargetsByRule pending) while the progressive walk (`crate::fresh::walk`) fills the
    /// rows in. Undecided, never OK and never a failure.
    #[serde(skip)]
    pub loading: bool,
    /// For a stream not described (not yet, or its describe failed): what its recently active
    /// metrics report (ListMetrics), so its triage metrics are fetched without its
    /// configuration; `None` until ListMetrics answered (or when it could not be read).
    #[serde(skip)]
    pub reported: Option<Reported>,
    /// A rule row left loading on purpose: no `MatchedEvents` in the last 3 hours
    /// (ListMetrics), so its targets are read with the walk's rotation or when it comes on
    /// screen (`crate::fresh::walk::DEFER_IDLE_RULES_OVER`). It delivered nothing: what it
    /// targets decides no stream's verdict now.
    #[serde(skip)]
    pub idle: bool,
}

impl InventoryError {
    /// An error row of `kind` for `name` from the backend's error.
    pub fn new(kind: &'static str, name: &str, e: &crate::backend::BackendError) -> Self {
        Self {
            kind,
            name: name.to_string(),
            message: Cow::Owned(e.message.clone()),
            missing_permission: e.missing_permission(),
            loading: false,
            reported: None,
            idle: false,
        }
    }

    /// A row listed and not described yet: a stream (`kind` "stream") waiting for
    /// DescribeDeliveryStream, or a rule (`kind` "rule", `name` "bus/rule") waiting for
    /// ListTargetsByRule.
    pub fn loading(kind: &'static str, name: &str) -> Self {
        Self {
            kind,
            name: name.to_string(),
            message: match kind {
                "rule" => "listed; its targets are being read (ListTargetsByRule)".into(),
                _ => "listed; its configuration is being read (DescribeDeliveryStream)".into(),
            },
            missing_permission: None,
            loading: true,
            reported: None,
            idle: false,
        }
    }

    /// A rule (`name` "bus/rule") listed whose targets are read later, by share: it had no
    /// `MatchedEvents` in the last 3 hours ([`InventoryError::idle`]).
    pub fn idle_rule(name: &str) -> Self {
        Self {
            message: "no MatchedEvents in 3 h: its targets are read within 30 min, or as soon as it is on screen".into(),
            idle: true,
            ..Self::loading("rule", name)
        }
    }

    /// The stream's row while it is not described, with what its metrics report.
    pub fn with_reported(mut self, reported: Option<Reported>) -> Self {
        self.reported = reported;
        self
    }

    /// Whether the rules of this error are unknown: a bus or the bus list could not be read, or
    /// this rule's targets.
    pub fn hides_rules(&self) -> bool {
        matches!(self.kind, "rule" | "bus" | "buses")
    }

    /// Whether delivery streams are unknown: this one could not be described, or none could
    /// be listed.
    pub fn hides_streams(&self) -> bool {
        matches!(self.kind, "stream" | "streams")
    }

    /// What could not be read, for a row: the stream or `bus/rule`, `"bus <name> (its rules)"`,
    /// "delivery streams", "event buses".
    pub fn label(&self) -> String {
        match self.kind {
            "bus" => format!("bus {} (its rules)", self.name),
            _ => self.name.clone(),
        }
    }

    /// What failed, in a few words: "could not describe", "could not list targets", "could not
    /// list rules", "could not list streams", "could not list buses"; "not read yet" (or "idle,
    /// not read yet") for a row still to be read.
    pub fn what_failed(&self) -> &'static str {
        if self.idle {
            return "idle, not read yet";
        }
        if self.loading {
            return "not read yet";
        }
        match self.kind {
            "stream" => "could not describe",
            "rule" => "could not list targets",
            "bus" => "could not list rules",
            "streams" => "could not list streams",
            "metrics" => "could not list metrics",
            _ => "could not list buses",
        }
    }

    /// Whether the error is about one resource that could not be described (a failure fhtop
    /// saw), rather than a listing that hides an unknown number of them (nothing known).
    pub fn is_one_resource(&self) -> bool {
        !self.loading && matches!(self.kind, "stream" | "rule")
    }

    /// The message, with the permission to add when the call was denied.
    pub fn explained(&self) -> String {
        crate::backend::explain_denied(&self.message, self.missing_permission)
    }
}

/// Everything fhtop found in the account and region: buses, rules, delivery streams, and what
/// failed to load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Every event bus (ListEventBuses).
    pub buses: Vec<Bus>,
    /// Every rule on every bus, with its targets. Shared (`Arc`): a rule read once is the same
    /// allocation in every inventory published since, until it is read again.
    pub rules: Vec<Arc<Rule>>,
    /// Every delivery stream described, sorted by name; shared as the rules are.
    pub streams: Vec<Arc<Stream>>,
    /// Streams and rules that could not be described: shown as error rows. Not kept in the
    /// cache (`crate::fresh::cache`): a gap is re-read, never remembered.
    #[serde(skip_deserializing)]
    pub errors: Vec<InventoryError>,
}

/// One row of the Pipelines view: a rule→stream link, or a stream nothing feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineLink {
    /// Index into `Inventory::rules`.
    pub rule: Option<usize>,
    /// Index into `Inventory::streams`; `None` when the target stream is not in this account.
    pub stream: Option<usize>,
    /// The target's stream name (set even when the stream is missing).
    pub stream_name: String,
    /// The Kinesis data stream between the rule and the delivery stream (its name), when the
    /// rule targets the stream the delivery stream reads.
    pub via: Option<String>,
    /// A target stream in another account or region: (account, region). Matched by its full
    /// ARN, it is never the stream of the same name here (`stream` is `None`).
    pub foreign: Option<(String, String)>,
}

impl Inventory {
    /// Every stream and rule as a metrics scope, streams first: the described streams, the
    /// streams not described whose metrics report something ([`Inventory::reported`]), the
    /// rules.
    pub fn scopes(&self) -> Vec<Scope> {
        self.streams
            .iter()
            .map(|s| Scope::Stream(s.name.clone()))
            .chain(
                self.reported()
                    .filter(|(_, r)| !r.is_empty())
                    .map(|(n, _)| Scope::Stream(n.to_string())),
            )
            .chain(self.rules.iter().map(|r| Scope::Rule(r.key())))
            .collect()
    }

    /// The streams listed and not described (not yet, or their describe failed) whose metrics
    /// report what they are ([`Reported`]): their names and reports.
    pub fn reported(&self) -> impl Iterator<Item = (&str, &Reported)> {
        self.errors.iter().filter_map(|e| {
            let r = e.reported.as_ref().filter(|_| e.kind == "stream")?;
            Some((e.name.as_str(), r))
        })
    }

    /// The delivery stream with this name, if it is in the inventory: a binary search over
    /// the streams (kept sorted by name; `store::InventoryView::new` sorts them), with a
    /// linear search behind it so that an unsorted list still answers right.
    pub fn stream(&self, name: &str) -> Option<&Stream> {
        match self.streams.binary_search_by(|s| s.name.as_str().cmp(name)) {
            Ok(i) => self.streams.get(i).map(|s| &**s),
            Err(_) => self.streams.iter().find(|s| s.name == name).map(|s| &**s),
        }
    }
    /// The rule with this bus and name, if it is in the inventory.
    pub fn rule(&self, key: &RuleKey) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.bus == key.bus && r.name == key.name)
            .map(|r| &**r)
    }
    /// Why the stream `name` is not in the inventory although it may exist: it could not be
    /// described, or delivery streams could not be listed at all. `None` when the streams were
    /// listed and it is not among them (it does not exist).
    pub fn unread_stream(&self, name: &str) -> Option<&InventoryError> {
        self.errors
            .iter()
            .find(|e| e.kind == "stream" && e.name == name)
            .or_else(|| self.errors.iter().find(|e| e.kind == "streams"))
    }
    /// Why the rule's targets are not known although it is listed: they are being read, or
    /// ListTargetsByRule failed (its "rule" row). `None` when they were read.
    pub fn unread_rule(&self, key: &RuleKey) -> Option<&InventoryError> {
        let name = key.to_string();
        self.errors
            .iter()
            .find(|e| e.kind == "rule" && e.name == name)
    }
    /// What the progressive walk is still reading: (streams not described yet, streams
    /// listed; rules whose targets are not read yet, rules listed). While the buses and rules
    /// are still being listed ([`Inventory::rules_listing`]), that counts as one rule not
    /// read: what feeds a stream is not known yet.
    pub fn reading(&self) -> ((usize, usize), (usize, usize)) {
        let loading = |kind: &str| {
            self.errors
                .iter()
                .filter(|e| e.loading && e.kind == kind)
                .count()
        };
        let (s, r) = (loading("stream"), loading("rule") + loading("buses"));
        (
            (s, self.streams.len() + s),
            (r, self.rules.len() + loading("buses")),
        )
    }
    /// Rules whose targets are not read yet and may feed a stream with events now: those being
    /// read, not the idle ones ([`InventoryError::idle`]), plus one while the rules are still
    /// being listed. While it is above 0, "no rule feeds this stream" is not known.
    pub fn active_rules_unread(&self) -> usize {
        self.errors
            .iter()
            .filter(|e| e.loading && ((e.kind == "rule" && !e.idle) || e.kind == "buses"))
            .count()
    }
    /// Whether the buses and their rules are still being listed (a cold start shows the
    /// stream names first).
    pub fn rules_listing(&self) -> bool {
        self.errors.iter().any(|e| e.loading && e.kind == "buses")
    }
    /// The buses whose rules could not be listed (ListRules failed): what their rules feed is
    /// not known.
    pub fn unread_buses(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| !e.loading && (e.kind == "bus" || e.kind == "buses"))
            .map(|e| e.name.as_str())
            .collect()
    }
    /// Rules with a target on this stream, or on the Kinesis data stream it reads.
    pub fn rules_feeding(&self, stream: &str) -> Vec<&Rule> {
        let source = self
            .stream(stream)
            .and_then(|s| s.source.kinesis_stream_arn());
        self.rules
            .iter()
            .filter(|r| {
                r.targets
                    .iter()
                    .any(|t| r.local_stream(t) == Some(stream) || Some(t.arn.as_str()) == source)
            })
            .map(|r| &**r)
            .collect()
    }
    /// The delivery streams reading this Kinesis data stream (by ARN).
    pub fn streams_reading(&self, kinesis_arn: &str) -> Vec<&Stream> {
        self.streams
            .iter()
            .filter(|s| s.source.kinesis_stream_arn() == Some(kinesis_arn))
            .map(|s| &**s)
            .collect()
    }

    /// Rule→stream links, then streams with no rule. Stable order: bus, rule, stream.
    pub fn pipelines(&self) -> Vec<PipelineLink> {
        let by_name: HashMap<&str, usize> = self
            .streams
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i))
            .collect();
        let mut fed = vec![false; self.streams.len()];
        let mut links = Vec::new();
        let mut rule_order: Vec<usize> = (0..self.rules.len()).collect();
        rule_order.sort_by(|&a, &b| {
            let (ra, rb) = (&self.rules[a], &self.rules[b]);
            (&ra.bus, &ra.name).cmp(&(&rb.bus, &rb.name))
        });
        for ri in rule_order {
            let rule = &self.rules[ri];
            for t in &rule.targets {
                if let Some((account, region, name)) = rule.foreign_stream(t) {
                    links.push(PipelineLink {
                        rule: Some(ri),
                        stream: None,
                        stream_name: name.to_string(),
                        via: None,
                        foreign: Some((account.to_string(), region.to_string())),
                    });
                } else if let Some(name) = rule.local_stream(t) {
                    let si = by_name.get(name).copied();
                    if let Some(si) = si {
                        fed[si] = true;
                    }
                    links.push(PipelineLink {
                        rule: Some(ri),
                        stream: si,
                        stream_name: name.to_string(),
                        via: None,
                        foreign: None,
                    });
                } else if let Some(kinesis) = kinesis_name_from_arn(&t.arn) {
                    // rule → Kinesis data stream → every delivery stream reading it.
                    for (si, s) in self.streams.iter().enumerate() {
                        if s.source.kinesis_stream_arn() == Some(t.arn.as_str()) {
                            fed[si] = true;
                            links.push(PipelineLink {
                                rule: Some(ri),
                                stream: Some(si),
                                stream_name: s.name.clone(),
                                via: Some(kinesis.to_string()),
                                foreign: None,
                            });
                        }
                    }
                }
            }
        }
        let mut orphans: Vec<usize> = (0..self.streams.len()).filter(|&i| !fed[i]).collect();
        orphans.sort_by(|&a, &b| self.streams[a].name.cmp(&self.streams[b].name));
        links.extend(orphans.into_iter().map(|si| PipelineLink {
            rule: None,
            stream: Some(si),
            stream_name: self.streams[si].name.clone(),
            via: None,
            foreign: None,
        }));
        links
    }
}
