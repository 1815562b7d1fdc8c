//! The failed-records view (`e`: the S3 error output, one record whole, its partition keys)
//! and the pattern tester (`T`: the rule's pattern against sample events or a pasted one).

use super::dialogs::no_rule_here;
use super::*;

/// The pattern tester (`m` on a rule): the rule's pattern against the events its bus logged
/// (pick one with j/k) or an event pasted into the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct Tester {
    /// The request id the samples must carry; older answers are dropped.
    pub id: u64,
    /// The rule tested.
    pub rule: RuleKey,
    /// The samples, once read (or why they could not be tested).
    pub report: Option<Result<crate::judge::pattern::SampleReport, String>>,
    /// The sample picked (index into the report's events, newest first).
    pub selected: usize,
    /// An event pasted into the terminal (bracketed paste), tested instead of the pick.
    pub pasted: Option<serde_json::Value>,
    /// Lines the right-hand side is scrolled down.
    pub scroll: usize,
}

/// The failed records of a stream (`e`): the list (pick one with j/k), and one record whole
/// (Enter; Esc goes back to the list).
#[derive(Debug, Clone, PartialEq)]
pub struct Failed {
    /// The request id the records must carry; older answers are dropped.
    pub id: u64,
    /// The stream.
    pub stream: String,
    /// The records once read, or why they could not be.
    pub report: Option<Result<crate::judge::records::FailedRecords, String>>,
    /// The record picked (index into the report's records, newest first).
    pub selected: usize,
    /// The picked record is shown whole.
    pub open: bool,
    /// Lines the record view is scrolled down.
    pub scroll: usize,
    /// A record pasted into the terminal (bracketed paste), partition-tested instead of the
    /// pick until the next key.
    pub pasted: Option<String>,
    /// The partition test of the record shown, run once when it is shown (the pick's index,
    /// `None` for the pasted one); `None` when the stream has no partitioning query.
    pub tested: Option<(Option<usize>, crate::judge::partition::PartitionTest)>,
}

impl Failed {
    /// Runs the stream's `MetadataExtractionQuery` on the record shown — the pasted one, else
    /// the open pick — once, and keeps the result for the frames that show it.
    pub(super) fn test_partition(&mut self, snap: &Snapshot) {
        self.tested = None;
        let Some((query, prefix)) = snap
            .inventory
            .get()
            .and_then(|i| i.inv.stream(&self.stream))
            .and_then(|s| s.s3())
            .and_then(|d| {
                let q = d.dynamic_partitioning.as_ref().filter(|p| p.enabled)?;
                Some((q.jq_query.clone()?, d.prefix.clone().unwrap_or_default()))
            })
        else {
            return;
        };
        let (key, bytes, at) = match (&self.pasted, &self.report) {
            (Some(p), _) => (None, p.as_bytes().to_vec(), snap.as_of()),
            (None, Some(Ok(r))) if self.open => match r.records.get(self.selected) {
                Some(rec) => match &rec.data {
                    crate::model::failed::RecordData::Text { text, truncated: 0 } => (
                        Some(self.selected),
                        text.as_bytes().to_vec(),
                        rec.arrival.unwrap_or(snap.as_of()),
                    ),
                    // Cut, binary or undecodable: not the record Firehose parsed.
                    _ => return,
                },
                None => return,
            },
            _ => return,
        };
        self.tested = Some((
            key,
            crate::judge::partition::test(&query, &prefix, &bytes, at),
        ));
    }
}

impl View {
    /// `m`: the pattern tester for the selected rule (a pipeline row's rule, a rule drill-in):
    /// its pattern against what its bus logged.
    pub(super) fn test_pattern(&mut self, w: &Merged) -> Effect {
        let (target, snap) = self.act_on(w);
        let Some(key) = target.rule.clone() else {
            self.status = Some(Status {
                level: Level::Warn,
                text: no_rule_here(&target),
            });
            return Effect::None;
        };
        let has_pattern = snap
            .inventory
            .get()
            .and_then(|i| i.inv.rule(&key))
            .is_some_and(|r| r.event_pattern.is_some());
        if !has_pattern {
            self.status = Some(Status {
                level: Level::Warn,
                text: format!("{key} has no event pattern (a schedule rule)"),
            });
            return Effect::None;
        }
        self.overlay_seq += 1;
        self.tester = Some(Tester {
            id: self.overlay_seq,
            rule: key.clone(),
            report: None,
            selected: 0,
            pasted: None,
            scroll: 0,
        });
        Effect::PatternTest(self.ctx, self.overlay_seq, key)
    }

    /// `e`: the failed records of the selected stream (a pipeline row's stream, a stream
    /// drill-in), read from its S3 error output.
    pub(super) fn open_failed(&mut self, w: &Merged) -> Effect {
        let Some(stream) = self.act_on(w).0.stream else {
            self.status = Some(Status {
                level: Level::Warn,
                text: "select a stream first (Streams pane, or a pipeline row)".into(),
            });
            return Effect::None;
        };
        self.overlay_seq += 1;
        self.failed = Some(Failed {
            id: self.overlay_seq,
            stream: stream.clone(),
            report: None,
            selected: 0,
            open: false,
            scroll: 0,
            pasted: None,
            tested: None,
        });
        Effect::ReadFailed(self.ctx, self.overlay_seq, stream)
    }

    /// The failed records arrived (an older answer is dropped).
    pub fn failed_read(
        &mut self,
        id: u64,
        report: Result<crate::judge::records::FailedRecords, String>,
    ) {
        if let Some(f) = &mut self.failed
            && f.id == id
        {
            f.report = Some(report);
            f.selected = 0;
        }
    }

    /// The tester's samples arrived (an older answer is dropped).
    pub fn samples_read(
        &mut self,
        id: u64,
        report: Result<crate::judge::pattern::SampleReport, String>,
    ) {
        if let Some(t) = &mut self.tester
            && t.id == id
        {
            // Start on the nearest miss: the event that shows the trap.
            t.selected = report
                .as_ref()
                .ok()
                .and_then(|r| {
                    r.nearest_id
                        .as_ref()
                        .and_then(|n| r.events.iter().position(|e| &e.id == n))
                })
                .unwrap_or(0);
            t.report = Some(report);
        }
    }

    /// Text pasted into the terminal: in the failed records, a record to partition-test; in
    /// the tester, the event to test (JSON).
    pub fn pasted(&mut self, text: &str, snap: &Snapshot) {
        if let Some(fv) = &mut self.failed {
            fv.pasted = Some(text.to_string());
            fv.test_partition(snap);
            self.status = Some(Status {
                level: Level::Ok,
                text: "the pasted record, tested with the stream's partitioning query (any key goes back)".into(),
            });
            return;
        }
        let Some(t) = &mut self.tester else {
            return;
        };
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() => {
                t.pasted = Some(v);
                t.scroll = 0;
                self.status = Some(Status {
                    level: Level::Ok,
                    text: "testing the pasted event (j/k goes back to the samples)".into(),
                });
            }
            // Not an event: back to the picked sample, never the previous paste's verdict.
            Ok(_) => {
                t.pasted = None;
                self.status = Some(Status {
                    level: Level::Warn,
                    text: "the pasted JSON is not an event (an object)".into(),
                })
            }
            Err(e) => {
                t.pasted = None;
                self.status = Some(Status {
                    level: Level::Warn,
                    text: format!("the pasted text is not JSON: {e}"),
                })
            }
        }
    }
}
