//! The loss ledger (issue 26) against moto through the harness proxy and the real binary:
//! each ledger line matches what was seeded — events dropped with no dead-letter queue, refused
//! by one, waiting in one (real SQS messages), records held undelivered, objects in the S3
//! error output — beside a healthy twin that stays clear; the exit codes; a queue that cannot
//! be read is undecided; `fhtop check` carries the `losses` finding. Read only throughout.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use harness::Aws;
use serde_json::Value;

const REGION: &str = "eu-north-1";
/// Minutes of metrics the seed writes (seed.py's N).
const N: u64 = 10;

fn ledger(aws: &Aws, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["losses", "--json", "--since", "30m"];
    args.extend_from_slice(extra);
    let (code, out, err) = aws.run(REGION, &args);
    let doc: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("JSON: {e}\n{out}\n{err}"));
    (code, doc)
}

/// The lines of `target` with `place`.
fn lines<'a>(doc: &'a Value, target: &str, place: &str) -> Vec<&'a Value> {
    doc["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["target"] == target && l["place"] == place)
        .collect()
}

fn one<'a>(doc: &'a Value, target: &str, place: &str) -> &'a Value {
    let found = lines(doc, target, place);
    assert_eq!(found.len(), 1, "one {place} line for {target}: {doc:#}");
    found[0]
}

fn start() -> Aws {
    let aws = Aws::start();
    aws.seed(REGION, "losses");
    aws
}

#[test]
fn every_line_matches_what_was_seeded() {
    let aws = start();
    aws.reset_counts();
    let (code, doc) = ledger(&aws, &[]);
    assert_eq!(code, 2, "something was lost: {doc:#}");
    assert_eq!(doc["verdict"], "lost");

    // No dead-letter queue: every failed event dropped.
    let dropped = one(&doc, "default/l-no-dlq", "dropped");
    assert_eq!(dropped["fate"], "lost");
    assert_eq!(dropped["count"], 4 * N);

    // The queue refused them: lost; every target has a queue, so nothing counted as dropped.
    let refused = one(&doc, "default/l-refused", "dlq_refused");
    assert_eq!(refused["fate"], "lost");
    assert_eq!(refused["count"], 3 * N);
    assert!(lines(&doc, "default/l-refused", "dropped").is_empty());

    // Waiting in the queue: its depth from SQS, its deadline from the retention (1 day) and
    // the oldest message's age (1 hour).
    let q = one(&doc, "default/l-dlq", "dead_letter_queue");
    assert_eq!(q["fate"], "recoverable");
    assert_eq!(q["count"], 7, "the 7 messages in the queue: {q:#}");
    assert!(q["location"].as_str().unwrap().ends_with(":l-dlq-dlq"));
    let now = chrono::DateTime::parse_from_rfc3339(doc["now"].as_str().unwrap()).unwrap();
    let deadline = chrono::DateTime::parse_from_rfc3339(q["deadline"].as_str().unwrap()).unwrap();
    let hours = (deadline - now).num_minutes() as f64 / 60.0;
    assert!((22.9..=23.1).contains(&hours), "deleted in ~23 h: {hours}");

    // Records held an hour: at risk, lost in ~23 h.
    let held = one(&doc, "l-stuck", "undelivered");
    assert_eq!(held["fate"], "at_risk");
    assert_eq!(held["at_most"], true);
    let deadline =
        chrono::DateTime::parse_from_rfc3339(held["deadline"].as_str().unwrap()).unwrap();
    let hours = (deadline - now).num_minutes() as f64 / 60.0;
    assert!((22.8..=23.1).contains(&hours), "lost in ~23 h: {hours}");
    assert!(
        held["summary"]
            .as_str()
            .unwrap()
            .contains("unless delivery resumes")
    );

    // The error output: the three objects written this hour.
    let out = one(&doc, "l-errors", "error_output");
    assert_eq!(out["fate"], "recoverable");
    assert_eq!(out["count"], 3);
    assert!(
        out["location"]
            .as_str()
            .unwrap()
            .starts_with("s3://losses-lake/errors/l-errors/")
    );

    // The healthy twin has no line.
    for l in doc["lines"].as_array().unwrap() {
        assert!(
            !l["target"].as_str().unwrap().contains("l-healthy"),
            "the twin stays clear: {l:#}"
        );
    }
    // What it cannot know is said.
    assert!(!doc["cannot_know"].as_array().unwrap().is_empty());

    // Read only: nothing but reads reached the server.
    let counts = aws.counts();
    let mutating: Vec<&String> = counts
        .keys()
        .filter(|op| {
            [
                "Put", "Send", "Delete", "Enable", "Disable", "Create", "Update", "Start",
            ]
            .iter()
            .any(|p| op.starts_with(p))
        })
        .collect();
    assert!(mutating.is_empty(), "only reads: {counts:?}");
    assert!(aws.count("GetQueueAttributes") >= 1, "{counts:?}");
}

#[test]
fn exit_codes_follow_the_worst_line_and_the_human_report_names_each() {
    let aws = start();
    // The healthy twin alone: nothing lost or at risk.
    let (code, doc) = ledger(&aws, &["--stream", "l-healthy"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["verdict"], "clear");
    // At risk only.
    let (code, _) = ledger(&aws, &["--stream", "l-stuck"]);
    assert_eq!(code, 1);
    // Recoverable only.
    let (code, _) = ledger(&aws, &["--stream", "l-errors"]);
    assert_eq!(code, 1);
    // A name that does not exist: undecided.
    let (code, _) = ledger(&aws, &["--stream", "no-such-stream"]);
    assert_eq!(code, 3);

    let (code, out, _) = aws.run(REGION, &["losses", "--since", "30m", "--rule", "l-no-dlq"]);
    assert_eq!(code, 2);
    assert!(out.contains("LOST"), "{out}");
    assert!(out.contains("default/l-no-dlq"), "{out}");
    assert!(out.contains("no dead-letter queue"), "{out}");
    assert!(out.contains("What this ledger cannot know"), "{out}");
}

#[test]
fn a_queue_that_cannot_be_read_is_undecided_and_check_has_the_finding() {
    let aws = start();
    // Nothing sent to the healthy twin's queue, and the queue cannot be read: it may hold
    // older events — undecided, never clear.
    aws.fault_one("error500", "GetQueueAttributes", "l-healthy-dlq");
    let (code, doc) = ledger(&aws, &["--rule", "l-healthy"]);
    assert_eq!(code, 3, "{doc:#}");
    let unread = one(&doc, "default/l-healthy", "not_read");
    assert_eq!(unread["fate"], "unknown");
    aws.fault("none", 0.0);

    // `fhtop check`: the same ledger by the metrics, one `losses` finding per stream and rule.
    let (_, out, err) = aws.run(REGION, &["check", "--json"]);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}\n{err}"));
    let fs = doc["checks"].as_array().cloned().unwrap_or_default();
    let status = |target: &str| -> Vec<(String, String)> {
        common::findings_of(&fs, "losses", target)
            .into_iter()
            .map(|(s, m)| (s.to_string(), m.to_string()))
            .collect()
    };
    assert_eq!(status("default/l-no-dlq")[0].0, "fail");
    assert_eq!(status("l-stuck")[0].0, "warn");
    assert_eq!(status("l-healthy")[0].0, "ok");
    assert_eq!(status("default/l-healthy")[0].0, "ok");
}
