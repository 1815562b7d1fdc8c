//! `fhtop recover errors` (issue 26) against moto through the harness proxy and the real
//! binary: every failed record re-sent arrives in the stream's destination exactly once —
//! across a crash between batches, a crash between Firehose's answer and the journal, a
//! throttled stream, and a second run — counted record by record in the bucket; read-only
//! and an unconfirmed run send nothing; records that would fail again are held back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use harness::Aws;
use serde_json::Value;

const REGION: &str = "ap-northeast-1";

fn start() -> (Aws, tempdir::Dir) {
    let aws = Aws::start();
    aws.seed(REGION, "recover");
    let state = tempdir::Dir::new(&aws);
    (aws, state)
}

/// A state directory of one test (the journal's), under the harness's own.
mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new(aws: &super::Aws) -> Self {
            let d = aws.dir.join("state");
            std::fs::create_dir_all(&d).unwrap();
            Self(d)
        }
    }
}

/// Runs `fhtop recover WHAT` with the state directory and `env` (e.g. a failpoint).
fn run(
    aws: &Aws,
    state: &tempdir::Dir,
    what: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut cmd = aws.fhtop(REGION);
    cmd.env("FHTOP_STATE_DIR", &state.0)
        .env("FHTOP_AUDIT_LOG", state.0.join("audit.jsonl"))
        .args(["recover", what])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("fhtop runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `fhtop recover errors ARGS`.
fn recover(
    aws: &Aws,
    state: &tempdir::Dir,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    run(aws, state, "errors", args, env)
}

/// Every line of every object under `prefix` of `bucket` (moto writes one object a
/// PutRecordBatch call, the records as sent), sorted.
fn delivered(aws: &Aws, bucket: &str, prefix: &str) -> Vec<String> {
    let mut lines: Vec<String> = aws
        .objects(REGION, bucket, prefix)
        .iter()
        .flat_map(|b| {
            String::from_utf8_lossy(b)
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    lines.sort();
    lines
}

/// The 120 records of `r-orders`' error output, sorted.
fn expected() -> Vec<String> {
    let mut v: Vec<String> = (0..3)
        .flat_map(|o| (0..40).map(move |i| format!("rec-{o}-{i}")))
        .collect();
    v.sort();
    v
}

/// The environment of the TUI under test: the harness's credentials only, the test's state
/// directory and audit log (`state/audit.jsonl`).
fn tui_env(aws: &Aws, state: &tempdir::Dir) -> String {
    format!(
        "AWS_SHARED_CREDENTIALS_FILE={} AWS_CONFIG_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true FHTOP_STATE_DIR={} FHTOP_AUDIT_LOG={}",
        aws.credentials_file().display(),
        state.0.display(),
        state.0.join("audit.jsonl").display()
    )
}

fn json(out: &str, err: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("JSON: {e}\n{out}\n{err}"))
}

#[test]
fn every_record_arrives_once_across_a_crash_and_a_second_run() {
    let (aws, state) = start();
    // The dry run: counts, sends nothing.
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--dry-run", "--json"],
        &[],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let plan = &json(&out, &err)["plan"];
    assert_eq!(plan["records"], 120);
    assert_eq!(plan["to_send"], 120);
    assert_eq!(plan["calls"], 1);
    assert!(delivered(&aws, "recover-lake", "r-orders/").is_empty());

    // A crash right after the second batch (25 records a call) is journaled.
    let (code, _, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--batch-records", "25"],
        &[("FHTOP_FAILPOINT", "recover-after-batch=1")],
    );
    assert_ne!(code, 0, "the process died: {err}");
    assert!(err.contains("FHTOP_FAILPOINT"), "{err}");
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/").len(), 50);

    // The re-run sends the other 70, none of the 50 again.
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--json"],
        &[],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["plan"]["already_sent"], 50);
    assert_eq!(doc["sent"]["accepted"], 70);
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), expected());

    // A third run has nothing to send.
    let (code, _, err) = recover(&aws, &state, &["--stream", "r-orders", "--yes"], &[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), expected());

    // Audited: one line a run that sent.
    let audit = std::fs::read_to_string(state.0.join("audit.jsonl")).unwrap();
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"recover errors\"") && l.contains("\"recovered\""))
    );
}

#[test]
fn a_batch_whose_answer_was_not_journaled_is_in_doubt_and_never_sent_again() {
    let (aws, state) = start();
    // Firehose answers the first call; the process dies before journaling the answer.
    let (code, _, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--batch-records", "30"],
        &[("FHTOP_FAILPOINT", "recover-before-done=0")],
    );
    assert_ne!(code, 0, "{err}");
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/").len(), 30);
    // The re-run sends the 90 others; the 30 in doubt are named, not sent again: 5, not
    // verified.
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--json"],
        &[],
    );
    assert_eq!(code, 5, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["plan"]["in_doubt"], 30);
    assert_eq!(doc["sent"]["accepted"], 90);
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), expected());
}

#[test]
fn a_throttled_stream_is_retried_and_then_resumed_without_duplicates() {
    let (aws, state) = start();
    // Every PutRecordBatch throttled: each try is refused (nothing processed); the run stops.
    aws.fault_one("throttle", "PutRecordBatch", "r-orders");
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--batch-records", "40"],
        &[],
    );
    assert_eq!(code, 1, "partial: {out}\n{err}");
    assert!(out.contains("run it again"), "{out}");
    assert!(delivered(&aws, "recover-lake", "r-orders/").is_empty());
    aws.fault("none", 0.0);
    let (code, out, err) = recover(&aws, &state, &["--stream", "r-orders", "--yes"], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), expected());
}

#[test]
fn read_only_and_unconfirmed_runs_send_nothing() {
    let (aws, state) = start();
    aws.reset_counts();
    let mut cmd = aws.fhtop(REGION);
    let out = cmd
        .env("FHTOP_STATE_DIR", &state.0)
        .args([
            "--read-only",
            "recover",
            "errors",
            "--stream",
            "r-orders",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    // No --yes and stdin not a terminal: refused.
    let (code, _, err) = recover(&aws, &state, &["--stream", "r-orders"], &[]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("pass --yes"), "{err}");
    assert_eq!(aws.count("PutRecordBatch"), 0, "{:?}", aws.counts());
    assert!(delivered(&aws, "recover-lake", "r-orders/").is_empty());
}

#[test]
fn records_that_would_fail_partitioning_again_are_held_back_unless_forced() {
    let (aws, state) = start();
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-parts", "--yes", "--json"],
        &[],
    );
    assert_eq!(code, 1, "partial: 10 held back\n{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["plan"]["records"], 20);
    assert_eq!(doc["plan"]["to_send"], 10, "the 10 the query now keys");
    let held: u64 = doc["plan"]["held"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(held, 10);
    assert_eq!(doc["sent"]["accepted"], 10);
    // --force sends the rest, and only the rest.
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-parts", "--yes", "--force", "--json"],
        &[],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["plan"]["already_sent"], 10);
    assert_eq!(doc["sent"]["accepted"], 10);
}

/// `fhtop recover dlq ARGS`.
fn dlq(
    aws: &Aws,
    state: &tempdir::Dir,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    run(aws, state, "dlq", args, env)
}

/// The `id` of every event delivered under `prefix` (EventBridge's records are the events,
/// back to back), sorted.
fn delivered_events(aws: &Aws, prefix: &str) -> Vec<String> {
    let mut ids: Vec<String> = aws
        .objects(REGION, "recover-lake", prefix)
        .iter()
        .flat_map(|b| {
            serde_json::Deserializer::from_slice(b)
                .into_iter::<Value>()
                .map(|v| v.unwrap()["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_dead_letter_queue_is_redriven_once_across_partial_batches_and_a_crash_before_the_delete() {
    let (aws, state) = start();
    aws.reset_counts();
    let (code, out, err) = dlq(&aws, &state, &["--rule", "r-dlq-rule", "--dry-run"], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("32 messages"), "{out}");
    assert!(out.contains("the whole event"), "{out}");
    assert_eq!(aws.count("ReceiveMessage"), 0, "a dry run receives nothing");

    // Firehose takes every other record of a batch the first time (FailedPutCount); the
    // process dies after the first batch was accepted, before its messages are deleted.
    aws.fault_one("partial", "PutRecordBatch", "");
    let (code, _, err) = dlq(
        &aws,
        &state,
        &["--rule", "r-dlq-rule", "--yes", "--visibility-timeout", "2"],
        &[("FHTOP_FAILPOINT", "recover-before-delete=0")],
    );
    assert_ne!(code, 0, "{err}");
    assert_eq!(delivered_events(&aws, "r-dlq/").len(), 10);
    // Those ten come back after the visibility timeout: deleted, not sent again.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let (code, out, err) = dlq(
        &aws,
        &state,
        &[
            "--rule",
            "r-dlq-rule",
            "--yes",
            "--visibility-timeout",
            "2",
            "--json",
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["redrive"]["deleted_already_sent"], 10, "{doc:#}");
    assert_eq!(doc["redrive"]["sent"]["accepted"], 20);
    assert_eq!(doc["redrive"]["left"]["another rule's or target's"], 2);
    assert_eq!(doc["redrive"]["error_codes"]["ThrottlingException"], 30);
    let mut want: Vec<String> = (0..30).map(|i| format!("evt-{i}")).collect();
    want.sort();
    assert_eq!(delivered_events(&aws, "r-dlq/"), want, "every event once");
    // Only the other rule's two are left in the queue.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let (_, out, _) = dlq(&aws, &state, &["--rule", "r-dlq-rule", "--dry-run"], &[]);
    assert!(out.contains("2 messages"), "{out}");
}

#[test]
fn a_target_with_an_input_transformer_is_refused() {
    let (aws, state) = start();
    aws.reset_counts();
    let (code, _, err) = dlq(&aws, &state, &["--rule", "r-xform", "--yes"], &[]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("input transformer"), "{err}");
    assert_eq!(aws.count("ReceiveMessage") + aws.count("PutRecordBatch"), 0);
}

#[test]
fn records_firehose_refuses_in_a_batch_are_sent_again_once() {
    let (aws, state) = start();
    aws.fault_one("partial", "PutRecordBatch", "");
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--json"],
        &[],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["sent"]["accepted"], 120);
    assert_eq!(
        doc["sent"]["calls"], 2,
        "the refused half sent again in a second call"
    );
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), expected());
}

#[test]
fn a_replay_is_asked_with_the_rules_filter_and_window_and_started_once() {
    let (aws, state) = start();
    assert_eq!(aws.drain(REGION, "r-replay-q"), 0);
    let from = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let to = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let args = [
        "--rule", "r-replay", "--from", &from, "--to", &to, "--yes", "--json",
    ];
    let (code, out, err) = run(&aws, &state, "replay", &args, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    let doc = json(&out, &err);
    assert_eq!(doc["replay"]["state"], "COMPLETED");
    assert_eq!(
        doc["replay"]["filter_arns"],
        serde_json::json!([format!(
            "arn:aws:events:{REGION}:123456789012:rule/r-replay"
        )]),
        "to this rule only"
    );
    assert!(
        doc["archive"]
            .as_str()
            .unwrap()
            .ends_with("archive/default-all")
    );
    // The rule's second target saw the five events again.
    assert_eq!(aws.drain(REGION, "r-replay-q"), 5);
    // The same window again: the replay is found and followed, none started.
    aws.reset_counts();
    let (code, _, err) = run(&aws, &state, "replay", &args, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("started before"), "{err}");
    assert_eq!(aws.count("StartReplay"), 0);
    assert_eq!(aws.drain(REGION, "r-replay-q"), 0);

    // Refused: a rule that still fails, a bus without an archive; nothing started.
    for (rule, why) in [
        ("r-replay-failing", "still fails"),
        ("no-archive/r-unarchived", "has no archive"),
    ] {
        let args = ["--rule", rule, "--from", "1h", "--to", "0s", "--yes"];
        let (code, _, err) = run(&aws, &state, "replay", &args, &[]);
        assert_eq!(code, 4, "{rule}: {err}");
        assert!(err.contains(why), "{rule}: {err}");
    }
    assert_eq!(aws.count("StartReplay"), 0);
}

#[test]
fn read_only_refuses_every_recovery_with_no_mutating_call() {
    let (aws, state) = start();
    aws.reset_counts();
    let from = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    for args in [
        vec!["recover", "errors", "--stream", "r-orders", "--yes"],
        vec!["recover", "dlq", "--rule", "r-dlq-rule", "--yes"],
        vec![
            "recover", "replay", "--rule", "r-replay", "--from", &from, "--to", "0s", "--yes",
        ],
    ] {
        let out = aws
            .fhtop(REGION)
            .env("FHTOP_STATE_DIR", &state.0)
            .arg("--read-only")
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {err}");
        assert!(err.contains("read-only"), "{args:?}: {err}");
    }
    for op in [
        "PutRecordBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "StartReplay",
    ] {
        assert_eq!(aws.count(op), 0, "{op}: {:?}", aws.counts());
    }
}

/// Issue 26, outcome 3: the TUI sends through the same journal. `R` on the stream, `E` for
/// the dry run, `y`: every record arrives once while the progress line counts; a second `E`
/// has nothing to send; the run is audited. `D` on the rule redrives its dead-letter queue,
/// every event once. Read-only, `E` sends nothing.
#[test]
fn the_tui_recovers_the_error_output_once_in_the_background() {
    let (aws, state) = start();
    let audit = state.0.join("audit.jsonl");
    let env = tui_env(&aws, &state);
    let open_recover = |t: &common::tmux::Tmux| {
        t.literal("2");
        t.wait_text("Streams (");
        t.literal("/r-orders");
        t.keys(&["Enter"]);
        // The row, read: R acts on it.
        t.wait_text("s3://recover-lake");
        t.literal("R");
        t.wait_text("re-send failed records");
    };
    // Read-only: refused before the dry run; nothing sent.
    let ro = common::tmux::Tmux::start("recover-ro");
    ro.launch_with(
        &env,
        &format!("--read-only --region {REGION} --endpoint-url {}", aws.url),
    );
    open_recover(&ro);
    ro.literal("E");
    ro.wait_text("READ-ONLY: nothing is sent (recover errors r-orders)");
    ro.literal("q");
    assert_eq!(aws.count("PutRecordBatch"), 0);

    let t = common::tmux::Tmux::start("recover");
    t.launch_with(
        &env,
        &format!("--region {REGION} --endpoint-url {}", aws.url),
    );
    open_recover(&t);
    t.literal("E");
    let s = t.wait_text("Send 120 records back to r-orders?");
    assert!(
        s.contains("120 failed records") && s.contains("1 PutRecordBatch calls"),
        "the dry run, as the CLI prints it:\n{s}"
    );
    assert!(
        delivered(&aws, "recover-lake", "r-orders/").is_empty(),
        "a dry run sends nothing"
    );
    t.literal("y");
    t.wait_text("r-orders: recovered: 120 of 120 records accepted");
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), expected());
    // An audit line with every one of `parts`.
    let audited = |parts: &[&str]| {
        let log = std::fs::read_to_string(&audit).unwrap();
        assert!(
            log.lines().any(|l| parts.iter().all(|p| l.contains(p))),
            "{parts:?}: {log}"
        );
    };
    audited(&["\"recover errors\"", "\"recovered\"", "\"tui\""]);
    // Again: the journal says everything was sent.
    t.literal("R");
    t.wait_text("re-send failed records");
    t.literal("E");
    t.wait_text("already sent by an earlier run: 120 records");
    t.wait_text("nothing to send");
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), expected());

    // D on the rule whose target has a dead-letter queue: its 30 events once, the other
    // rule's two left where they are.
    t.keys(&["Escape"]);
    t.keys(&["Escape"]);
    t.literal("1");
    t.wait_text("Pipelines (");
    t.literal("/r-dlq-rule");
    t.keys(&["Enter"]);
    t.wait_text("r-dlq-rule");
    // R on the pipeline, D: the redrive's dry run in its confirmation.
    let redrive = || {
        t.literal("R");
        t.wait_text("redrive the DLQ");
        t.literal("D");
        t.wait_text("Redrive the dead-letter queue (up to 32 messages) to r-dlq?")
    };
    let s = redrive();
    assert!(
        s.contains("the whole event"),
        "the dry run, as the CLI prints it:\n{s}"
    );
    assert_eq!(aws.count("ReceiveMessage"), 0, "a dry run receives nothing");
    // Not confirmed: nothing received, audited as refused; then again, confirmed.
    t.literal("n");
    t.wait_text("cancelled; nothing sent");
    assert_eq!(aws.count("ReceiveMessage"), 0);
    audited(&["\"recover dlq\"", "not confirmed"]);
    redrive();
    t.literal("y");
    t.wait_text("default/r-dlq-rule: recovered: 30 records accepted");
    let mut want: Vec<String> = (0..30).map(|i| format!("evt-{i}")).collect();
    want.sort();
    assert_eq!(delivered_events(&aws, "r-dlq/"), want, "every event once");
    audited(&["\"recover dlq\"", "\"tui\""]);
    t.literal("q");
    t.assert_terminal_restored("q after two recoveries");
}

/// The demo's dead-letter queue can be redriven (issue 26's demo): every event once, and a
/// second run (a new process: the demo's queue is full again) sends none of them again — the
/// journal deletes each without sending it.
#[test]
fn the_demo_dead_letter_queue_is_redriven_once() {
    let dir = std::env::temp_dir().join(format!("fhtop-demo-dlq-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = || {
        let out = std::process::Command::new(common::tmux::binary())
            .env("FHTOP_STATE_DIR", &dir)
            .env("FHTOP_AUDIT_LOG", dir.join("audit.jsonl"))
            .args([
                "--demo",
                "recover",
                "dlq",
                "--rule",
                "orders-bus/order-cancelled",
                "--yes",
                "--json",
            ])
            .output()
            .unwrap();
        let (o, e) = (
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        );
        (out.status.code(), json(&o, &e))
    };
    let (code, first) = run();
    assert_eq!(code, Some(0), "{first:#}");
    let depth = first["depth"].as_u64().unwrap();
    assert!(depth > 1000, "the demo's queue is filling: {first:#}");
    assert_eq!(first["redrive"]["sent"]["accepted"].as_u64(), Some(depth));
    assert_eq!(first["redrive"]["deleted"].as_u64(), Some(depth));
    let (code, again) = run();
    assert_eq!(code, Some(0), "{again:#}");
    // The demo's clock moves: a minute may have added (or aged out) a few messages between
    // the runs; only those are new.
    let depth2 = again["depth"].as_u64().unwrap();
    assert_eq!(
        again["redrive"]["sent"]["accepted"].as_u64(),
        Some(depth2.saturating_sub(depth)),
        "{again:#}"
    );
    assert_eq!(
        again["redrive"]["deleted_already_sent"].as_u64(),
        Some(depth.min(depth2))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An error object overwritten under the same key (a new ETag) after a run sent part of it:
/// the journal's record numbers would now name other records, so the re-run sends nothing of
/// it and says why; every other record arrives once.
#[test]
fn an_error_object_replaced_after_a_partial_run_is_not_mixed_into_it() {
    let (aws, state) = start();
    // A crash after the second batch of 25: the first object's 40 records and 10 of the second.
    let (code, _, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--batch-records", "25"],
        &[("FHTOP_FAILPOINT", "recover-after-batch=1")],
    );
    assert_ne!(code, 0, "the process died: {err}");
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/").len(), 50);

    aws.seed(REGION, "recover-replace");
    let (code, out, err) = recover(
        &aws,
        &state,
        &["--stream", "r-orders", "--yes", "--json"],
        &[],
    );
    let doc = json(&out, &err);
    assert_eq!(code, 1, "partial: one object not recovered\n{out}\n{err}");
    assert!(
        doc["plan"]["unreadable"]
            .to_string()
            .contains("replaced since an earlier run sent records of it"),
        "{doc:#}"
    );
    let mut want: Vec<String> = (0..40)
        .map(|i| format!("rec-0-{i}"))
        .chain((0..10).map(|i| format!("rec-1-{i}")))
        .chain((0..40).map(|i| format!("rec-2-{i}")))
        .collect();
    want.sort();
    assert_eq!(delivered(&aws, "recover-lake", "r-orders/"), want);
}

/// Issue 26, outcome 3: `A` in the Recover overlay replays a rule's failure window from its
/// bus's archive, to that rule only, once. The ledger offers it for a rule that failed and no
/// longer does; the dry run names the archive and the window; `y` starts the replay and
/// follows it to COMPLETED; `A` again finds the same window's replay and starts none.
#[test]
fn the_tui_replays_a_failure_window_from_the_archive_once() {
    let (aws, state) = start();
    // moto dates the archive when the seed made it, after the failures: present it older.
    let created = (chrono::Utc::now() - chrono::Duration::hours(2)).timestamp();
    aws.present(serde_json::json!({"archives": {"default-all": {"CreationTime": created}}}));
    let audit = state.0.join("audit.jsonl");
    let env = tui_env(&aws, &state);
    let t = common::tmux::Tmux::start("replay");
    t.launch_with(
        &env,
        &format!("--region {REGION} --endpoint-url {}", aws.url),
    );
    t.literal("2");
    t.wait_text("Streams (");
    t.literal("/r-replayed");
    t.keys(&["Enter"]);
    t.wait_text("s3://recover-lake");
    let offer = || {
        t.literal("R");
        t.wait_text("replay from the archive");
        t.literal("A");
        t.wait_text("Replay default/r-replay-fh's archived events of the window?")
    };
    let s = offer();
    assert!(
        s.contains("archive default-all") && s.contains("to this rule only"),
        "the dry run, as the CLI prints it:\n{s}"
    );
    assert_eq!(aws.count("StartReplay"), 0, "a dry run starts nothing");
    t.literal("y");
    let s = t.wait_text("default/r-replay-fh: recovered: replay fhtop-r-replay-fh-");
    assert!(s.contains("COMPLETED"), "{s}");
    assert_eq!(aws.count("StartReplay"), 1);
    let log = std::fs::read_to_string(&audit).unwrap();
    assert!(
        log.lines()
            .any(|l| ["\"recover replay\"", "\"recovered\"", "\"tui\""]
                .iter()
                .all(|p| l.contains(p))),
        "{log}"
    );
    // Again: the failure's window is the same, so is the replay's name — followed, not
    // started twice.
    let s = offer();
    assert!(s.contains("started before"), "{s}");
    t.literal("y");
    t.wait_text("COMPLETED");
    assert_eq!(aws.count("StartReplay"), 1, "{:?}", aws.counts());
    t.literal("q");
    t.assert_terminal_restored("q after a replay");
}
