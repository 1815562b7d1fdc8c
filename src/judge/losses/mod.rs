//! The loss ledger (issue 26): where the failed events and records of a pipeline went over a
//! window, how many, whether they can be got back (and from where), and by when they are
//! gone for good. A pure function of the inventory, the metrics and — when they were read —
//! the dead-letter queues' depth and the error output's objects ([`Inputs`]).
//!
//! What each place means, by AWS's definitions:
//! - EventBridge retries a failed target for `RetryPolicy.MaximumEventAgeInSeconds` (24 h by
//!   default) and `MaximumRetryAttempts` (185); then the event goes to the target's
//!   dead-letter queue, or is dropped without one (Amazon EventBridge User Guide, "How
//!   EventBridge retries delivering events"). `FailedInvocations`, `InvocationsSentToDlq`,
//!   `InvocationsFailedToBeSentToDlq` and `RetryInvocationAttempts` are per rule ("Monitoring
//!   Amazon EventBridge").
//! - SQS deletes a message `MessageRetentionPeriod` after it was sent (4 days by default).
//! - Firehose retries delivery to S3 for up to 24 h and keeps a Direct PUT stream's records 24 h;
//!   past that they are lost. A Kinesis source keeps them for the data stream's retention.
//!   Service destinations retry for their retry duration, then write the data to the S3
//!   backup; processing, conversion and partitioning failures go to the S3 error output
//!   (Amazon Data Firehose Developer Guide, "Handle data delivery failure", "Troubleshooting").

mod archive;
mod gather;
mod output;
mod rule;
mod stream;

pub use archive::{bus_arn, choose_archive};
pub use gather::{Gathered, gather};
pub use output::{ErrorObjects, ObjectTally, error_type, list_window, tally};

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::backend::BResult;
use crate::judge::health::Level;
use crate::model::{Inventory, Metrics, QueueState, RuleKey, Stream};

/// What became of the events or records of one ledger line; ordered from harmless to worst
/// (the ledger's verdict is its worst line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Nothing waits or was lost here (e.g. a dead-letter queue emptied since).
    Clear,
    /// Kept where it can be got back from: a dead-letter queue, the S3 error output or backup.
    Recoverable,
    /// Not delivered yet, and lost at the line's deadline unless delivery resumes.
    AtRisk,
    /// Could not be decided: what it rests on was not read.
    Unknown,
    /// Gone for good.
    Lost,
}

impl Fate {
    /// "clear", "recoverable", "at risk", "unknown", "lost".
    pub fn word(self) -> &'static str {
        match self {
            Fate::Clear => "clear",
            Fate::Recoverable => "recoverable",
            Fate::AtRisk => "at risk",
            Fate::Unknown => "unknown",
            Fate::Lost => "lost",
        }
    }
    /// The health level it is shown with: lost FAIL, at risk and recoverable WARN, unknown
    /// UNKNOWN, clear OK.
    pub fn level(self) -> Level {
        match self {
            Fate::Clear => Level::Ok,
            Fate::Recoverable | Fate::AtRisk => Level::Warn,
            Fate::Unknown => Level::Unknown,
            Fate::Lost => Level::Fail,
        }
    }
}

/// Where failed events or records went: one kind of ledger line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// `FailedInvocations` of targets without a dead-letter queue: dropped by EventBridge.
    Dropped,
    /// `InvocationsFailedToBeSentToDlq`: the dead-letter queue refused them.
    DlqRefused,
    /// `InvocationsSentToDlq`, and the messages in the queue now.
    DeadLetterQueue,
    /// `RetryInvocationAttempts`: EventBridge is retrying deliveries.
    Retrying,
    /// `ThrottledRecords`: the stream refused records; the producer must send them again.
    Throttled,
    /// `DeliveryTo….DataFreshness`: records in the stream not delivered yet.
    Undelivered,
    /// `KinesisMillisBehindLatest`: the Kinesis source's records not read yet.
    SourceBehind,
    /// Objects in the S3 error output (one line per error output type).
    ErrorOutput,
    /// `DeliveryToS3.Records` of a service destination that backs up failed data.
    S3Backup,
    /// `FailedConversion.Records`: records that failed format conversion (in the error output).
    ConversionFailed,
    /// `DeliveryToIceberg.FailedRowCount`: rows that failed delivery (in the S3 backup).
    IcebergFailedRows,
    /// Something the ledger needs could not be read.
    NotRead,
}

impl Place {
    /// The line's id in JSON and tests: "dropped", "dlq_refused", "dead_letter_queue", ….
    pub fn id(self) -> &'static str {
        match self {
            Place::Dropped => "dropped",
            Place::DlqRefused => "dlq_refused",
            Place::DeadLetterQueue => "dead_letter_queue",
            Place::Retrying => "retrying",
            Place::Throttled => "throttled",
            Place::Undelivered => "undelivered",
            Place::SourceBehind => "source_behind",
            Place::ErrorOutput => "error_output",
            Place::S3Backup => "s3_backup",
            Place::ConversionFailed => "conversion_failed",
            Place::IcebergFailedRows => "iceberg_failed_rows",
            Place::NotRead => "not_read",
        }
    }
}

/// One line of the ledger: what failed where, how many, and what becomes of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossLine {
    /// What it is about: a stream name, or `bus/rule`.
    pub target: String,
    /// Where the events or records went.
    pub place: Place,
    /// What becomes of them.
    pub fate: Fate,
    /// How many, in `unit`; `None` when no metric counts them.
    pub count: Option<u64>,
    /// `count` is an upper bound ("up to"), not a count: records undelivered are counted as
    /// those that arrived since the oldest undelivered one.
    pub at_most: bool,
    /// "events", "records", "rows", "objects" or "retry attempts".
    pub unit: &'static str,
    /// When they are gone for good: an at-risk line's delivery deadline, a dead-letter
    /// queue's oldest message's deletion; `None` when not known or not bounded.
    pub deadline: Option<DateTime<Utc>>,
    /// One line saying what was found (names from AWS: sanitize before display).
    pub summary: String,
    /// Where they can be got back from: a queue ARN, `s3://bucket/prefix`.
    pub location: Option<String>,
    /// What it rests on: the metrics and reads, e.g. "InvocationsSentToDlq, Sum over 24 h".
    pub evidence: String,
    /// The command that gets them back when it depends on more than the line's place (a
    /// replay's window); see [`LossLine::recover_command`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The window an archive replay of a rule's failed events covers (from, to), when one
    /// can: what `fhtop recover replay` and the TUI's `A` replay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl LossLine {
    /// A line about `target`: no deadline, location or upper bound yet (the caller sets them).
    pub fn new(
        target: &str,
        (place, fate): (Place, Fate),
        (count, unit): (Option<u64>, &'static str),
        summary: String,
        evidence: String,
    ) -> Self {
        Self {
            target: target.to_string(),
            place,
            fate,
            count,
            at_most: false,
            unit,
            deadline: None,
            summary,
            location: None,
            evidence,
            command: None,
            replay_window: None,
        }
    }
    /// The command that gets this line's records back, where fhtop has one: `fhtop recover
    /// errors --stream S` for what is kept in the S3 error output or backup, `fhtop recover
    /// dlq --rule BUS/NAME` for what waits in a dead-letter queue.
    pub fn recover_command(&self) -> Option<String> {
        if let Some(c) = &self.command {
            return Some(c.clone());
        }
        let q = crate::text::shell_quote(&self.target);
        match self.place {
            Place::ErrorOutput
            | Place::S3Backup
            | Place::ConversionFailed
            | Place::IcebergFailedRows => Some(format!("fhtop recover errors --stream {q}")),
            Place::DeadLetterQueue if self.fate == Fate::Recoverable => {
                Some(format!("fhtop recover dlq --rule {q}"))
            }
            _ => None,
        }
    }
}

/// What the ledger of one window found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ledger {
    /// When it was made: the end of the window.
    pub now: DateTime<Utc>,
    /// How far back it counts, minutes.
    pub window_minutes: u32,
    /// The lines, worst first.
    pub lines: Vec<LossLine>,
    /// What the ledger cannot know, in words (said on screen too).
    pub cannot_know: Vec<String>,
}

/// What no ledger can know from what AWS publishes; said under every ledger.
pub const CANNOT_KNOW: [&str; 4] = [
    "EventBridge counts failures per rule, not per target: a rule with several targets cannot say which one lost them",
    "how many events EventBridge is still retrying: it publishes retry attempts, not events",
    "whether a producer sent throttled records again",
    "S3 lifecycle rules that expire the error output, and a Kinesis source's own retention (24 h is assumed, its minimum)",
];

impl Ledger {
    /// The worst fate of its lines; [`Fate::Clear`] with none.
    pub fn worst(&self) -> Fate {
        worst(&self.lines)
    }
    /// `fhtop losses`'s exit code: 0 nothing lost or at risk, 1 at risk or recoverable, 2
    /// something lost for good, 3 could not decide (and nothing lost).
    pub fn exit_code(&self) -> u8 {
        match self.worst() {
            Fate::Clear => 0,
            Fate::Recoverable | Fate::AtRisk => 1,
            Fate::Lost => 2,
            Fate::Unknown => 3,
        }
    }
}

/// The worst fate of `lines`; [`Fate::Clear`] with none.
pub fn worst(lines: &[LossLine]) -> Fate {
    lines.iter().map(|l| l.fate).max().unwrap_or(Fate::Clear)
}

/// What the ledger is made of. `queues` and `outputs` are `None` where they were not read
/// (the TUI reads neither: its lines rest on metrics alone and say so).
pub struct Inputs<'a> {
    /// The metrics over the window (the counts), or why they could not be read.
    pub metrics: Result<&'a Metrics, &'a str>,
    /// The last minutes at one-minute periods (what is true now: freshness, a source's lag,
    /// arrivals), when the window's periods are coarser; `None` reads them from `metrics`.
    pub recent: Option<&'a Metrics>,
    /// Dead-letter queues by ARN: their state, or why it could not be read.
    pub queues: Option<&'a BTreeMap<String, BResult<QueueState>>>,
    /// Error output listings by stream name, or why the listing failed.
    pub outputs: Option<&'a BTreeMap<String, BResult<ErrorObjects>>>,
    /// The archives of each bus (by name), or why they could not be read: events a rule
    /// dropped are recoverable by a replay when one keeps them.
    pub archives: Option<&'a BTreeMap<String, BResult<Vec<crate::model::archive::Archive>>>>,
    /// The end of the window.
    pub now: DateTime<Utc>,
}

/// The ledger of `rules` and `streams` of `inv` (each once, in the order given), its lines
/// worst first.
pub fn ledger(inp: &Inputs, inv: &Inventory, rules: &[RuleKey], streams: &[String]) -> Ledger {
    let mut lines = Vec::new();
    for key in rules {
        if let Some(r) = inv.rule(key) {
            lines.extend(rule::lines(inp, r));
        }
    }
    for name in streams {
        if let Some(s) = inv.stream(name) {
            lines.extend(stream::lines(inp, s, inv));
        }
    }
    lines.sort_by(|a, b| b.fate.cmp(&a.fate).then_with(|| a.target.cmp(&b.target)));
    let mut cannot_know: Vec<String> = CANNOT_KNOW.iter().map(|s| s.to_string()).collect();
    if inp.queues.is_none() {
        cannot_know.push(
            "what waits in the dead-letter queues now (not read here: `fhtop losses` reads them)"
                .into(),
        );
    }
    if inp.queues.is_none() {
        cannot_know.push(
            "retries in flight: RetryInvocationAttempts is read for the selection, the drill-in and `fhtop losses`, not for every row"
                .into(),
        );
    }
    if inp.archives.is_none() {
        cannot_know.push(
            "whether a bus's archive still holds the events a rule dropped (not read here: `fhtop losses` reads them)"
                .into(),
        );
    }
    if inp.outputs.is_none() {
        cannot_know.push(
            "what the S3 error output holds (not listed here: `fhtop losses` lists it)".into(),
        );
    }
    Ledger {
        now: inp.now,
        window_minutes: inp.metrics.map(|m| m.window.minutes()).unwrap_or_default(),
        lines,
        cannot_know,
    }
}

/// The lines of one pipeline row: its rule's (when it has one) and its stream's (when read),
/// worst first — the Pipelines pane's LOSS column and the drill-ins' block.
pub fn pipeline_lines(
    inp: &Inputs,
    inv: &Inventory,
    rule: Option<&crate::model::Rule>,
    stream: Option<&Stream>,
) -> Vec<LossLine> {
    let mut lines: Vec<LossLine> = rule.map(|r| rule::lines(inp, r)).unwrap_or_default();
    if let Some(s) = stream {
        lines.extend(stream::lines(inp, s, inv));
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.fate));
    lines
}

/// A row's ledger in at most 8 columns, by its worst line: "lost 20k" (events or records
/// lost for good; "lost130k" when the space does not fit), "risk 23h" (the nearest deadline)
/// or "risk 77k", "kept 7.5k" (waiting to be recovered), "?" (undecided), "" (nothing).
pub fn brief(lines: &[LossLine], now: DateTime<Utc>) -> String {
    let b = brief_spaced(lines, now);
    if b.chars().count() > 8 {
        b.replacen(' ', "", 1)
    } else {
        b
    }
}

fn brief_spaced(lines: &[LossLine], now: DateTime<Utc>) -> String {
    let worst = worst(lines);
    let total = |f: Fate| -> Option<u64> {
        lines
            .iter()
            .filter(|l| l.fate == f)
            .map(|l| l.count)
            .sum::<Option<u64>>()
    };
    let n = |f: Fate| {
        total(f).map_or_else(String::new, |c| {
            format!(" {}", crate::text::count(c as f64))
        })
    };
    match worst {
        Fate::Clear => String::new(),
        Fate::Unknown => "?".into(),
        Fate::Lost => format!("lost{}", n(Fate::Lost)),
        Fate::Recoverable => format!("kept{}", n(Fate::Recoverable)),
        Fate::AtRisk => match lines
            .iter()
            .filter(|l| l.fate == Fate::AtRisk)
            .filter_map(|l| l.deadline)
            .min()
        {
            Some(d) => {
                let left = (d - now).num_seconds().max(0);
                if left >= 3600 {
                    format!("risk {}h", left / 3600)
                } else {
                    format!("risk {}m", left / 60)
                }
            }
            None => format!("risk{}", n(Fate::AtRisk)),
        },
    }
}

/// The window `fhtop losses` and the TUI's `R` count over by default: 24 h, what Firehose
/// keeps undelivered records and EventBridge retries by default.
pub const DEFAULT_WINDOW_MINUTES: u32 = 1_440;

/// The ledger as an overlay's lines: the verdict, each line worst first (what was found, from
/// where, the command that recovers it as code `y` copies), then what it cannot know.
pub fn overlay_lines(l: &Ledger) -> Vec<(crate::judge::iam::Tone, String)> {
    use crate::judge::iam::Tone;
    let mut out = vec![(
        Tone::Heading(l.worst().level()),
        format!(
            "{} · last {}",
            l.worst().word().to_uppercase(),
            window_text(l.window_minutes)
        ),
    )];
    if l.lines.is_empty() {
        out.push((
            Tone::Row(Level::Ok),
            "nothing lost, at risk or waiting to be recovered".into(),
        ));
    }
    for x in &l.lines {
        out.push((
            Tone::Row(x.fate.level()),
            format!("{} {}  {}", x.fate.word(), x.target, x.summary),
        ));
        if let Some(loc) = &x.location {
            out.push((Tone::Note, format!("  from {loc}")));
        }
        if let Some(cmd) = x.recover_command() {
            out.push((Tone::Code, cmd));
        }
    }
    out.push((Tone::Note, "What this ledger cannot know:".into()));
    out.extend(
        l.cannot_know
            .iter()
            .map(|c| (Tone::Note, format!("  - {c}"))),
    );
    out
}

/// A window of `minutes` as text: "60 min", "24 h".
pub fn window_text(minutes: u32) -> String {
    if minutes >= 120 && minutes.is_multiple_of(60) {
        format!("{} h", minutes / 60)
    } else {
        format!("{minutes} min")
    }
}

/// "in 23h22m (07:14 UTC)": how long until `deadline` and when.
pub fn deadline_text(deadline: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = (deadline - now).num_seconds();
    if left <= 0 {
        return format!("passed ({} UTC)", deadline.format("%H:%M"));
    }
    format!(
        "in {} ({} UTC)",
        crate::text::fmt_duration(left as f64),
        deadline.format(if left > 86_400 {
            "%b %d %H:%M"
        } else {
            "%H:%M"
        })
    )
}

#[cfg(test)]
pub(crate) mod tests;

/// A rule on bus `orders` for tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn tests_rule() -> crate::model::Rule {
    crate::model::Rule {
        bus: "orders".into(),
        name: "r".into(),
        arn: "arn:aws:events:us-east-1:123456789012:rule/orders/r".into(),
        state: crate::model::RuleState::Enabled,
        description: None,
        event_pattern: Some(r#"{"source":["acme"]}"#.into()),
        schedule: None,
        managed_by: None,
        role_arn: None,
        targets: Vec::new(),
    }
}
