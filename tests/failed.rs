//! Where the failed records went (issue 14), against moto through the harness proxy and the
//! real binary: error objects under a dynamically partitioned stream's `ErrorOutputPrefix`
//! (gzip and plain, several error codes, hostile record data) and under Firehose's default
//! prefix of a stream that sets none. `fhtop errors` lists and reads them, read only.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use std::collections::BTreeMap;

use harness::Aws;
use serde_json::Value;

const REGION: &str = "ap-south-1";

fn seeded() -> Aws {
    let aws = Aws::start();
    aws.seed(REGION, "failed");
    aws.reset_counts();
    aws
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// `fhtop partition test --stream STREAM ARGS…`: (exit code, stdout, stderr).
fn partition(aws: &Aws, stream: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["partition", "test", "--stream", stream];
    all.extend_from_slice(args);
    aws.run(REGION, &all)
}

fn record<'a>(v: &'a Value, code: &str, n: usize) -> &'a Value {
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["error_code"] == code)
        .nth(n)
        .unwrap_or_else(|| panic!("no record {n} of {code}: {v}"))
}

#[test]
fn errors_reads_every_failed_record_of_the_window_and_nothing_else() {
    let aws = seeded();
    let started = chrono::Utc::now();
    let (code, out, err) = aws.run(
        REGION,
        &["errors", "--stream", "orders-partitioned", "--json"],
    );
    assert_eq!(code, 1, "failed records found: {err}{out}");
    // Inert even as JSON: no escape, C1 or bidi character reaches the terminal raw.
    assert!(
        !out.chars()
            .any(|c| c == '\u{1b}' || c == '\u{7}' || ('\u{80}'..='\u{9f}').contains(&c)),
        "{out:.2000}"
    );
    let v = json(&out);

    // Grouped by code, most frequent first; the two reasons under one code both counted.
    let groups: BTreeMap<String, u64> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["code"].as_str().unwrap().to_string(),
                g["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        BTreeMap::from([
            (
                "DynamicPartitioning.MetadataExtractionFailed".to_string(),
                2
            ),
            ("Lambda.FunctionError".to_string(), 2),
            ("Lambda.ProcessingFailedStatus".to_string(), 1),
        ])
    );
    let dp = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "DynamicPartitioning.MetadataExtractionFailed")
        .unwrap();
    assert_eq!(dp["messages"].as_array().unwrap().len(), 2, "{dp}");

    // The gzip object read as such; the non-JSON record shown as the text it was.
    let non_json = record(&v, "DynamicPartitioning.MetadataExtractionFailed", 0);
    assert!(non_json["key"].as_str().unwrap().ends_with("-a.gz"));
    assert_eq!(non_json["data"]["text"], "order_id=o-1,region=eu-west-1");
    assert_eq!(non_json["error_message"], "Non JSON record provided");

    // Terminal escapes kept as data (exact in JSON), bytes that are not UTF-8 shown as binary.
    let escapes = record(&v, "Lambda.FunctionError", 0);
    assert_eq!(
        escapes["data"]["text"],
        "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}31m"
    );
    let binary = record(&v, "Lambda.FunctionError", 1);
    assert_eq!(binary["data"]["kind"], "binary");
    assert_eq!(binary["data"]["len"], 10);
    assert!(
        binary["data"]["head_hex"]
            .as_str()
            .unwrap()
            .starts_with("fffe0001")
    );

    // The 1 MB record: bounded to 64 KiB, the rest counted.
    let big = &record(&v, "Lambda.ProcessingFailedStatus", 0)["data"];
    assert_eq!(big["text"].as_str().unwrap().len(), 64 << 10);
    assert_eq!(
        big["truncated"].as_u64().unwrap() as usize,
        r#"{"blob": ""}"#.len() + (1 << 20) - (64 << 10)
    );

    // Only the window's prefixes: neither the 2020 object nor the delivered one was read.
    let keys: Vec<&str> = v["objects_read"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.iter()
            .all(|k| k.starts_with("errors/") && !k.contains("/2020/"))
    );
    // The day may have turned while fhtop ran: the prefixes hold one of the two.
    let days = [started, chrono::Utc::now()].map(|t| t.format("%Y/%m/%d").to_string());
    let prefixes: Vec<&str> = v["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        days.iter().any(|d| {
            prefixes.contains(&format!("errors/partitioning-failed/{d}/").as_str())
                && prefixes.contains(&format!("errors/processing-failed/{d}/").as_str())
        }),
        "{prefixes:?}"
    );

    // What it cost, and that it only read: ListObjectsV2 and GetObject, nothing written.
    assert_eq!(v["get_calls"], 3);
    assert_eq!(v["list_calls"].as_u64().unwrap() as usize, prefixes.len());
    assert!(v["bytes_read"].as_u64().unwrap() > 1 << 20);
    let counts = aws.counts();
    assert!(
        counts.keys().all(|op| !op.starts_with("PUT ")
            && !op.starts_with("POST ")
            && !op.starts_with("DELETE ")),
        "fhtop errors wrote: {counts:?}"
    );
}

#[test]
fn errors_finds_the_default_prefix_and_prints_inert_text() {
    let aws = seeded();
    let (code, out, err) = aws.run(REGION, &["errors", "--stream", "plain-defaults", "--json"]);
    assert_eq!(code, 1, "{err}{out}");
    let v = json(&out);
    assert_eq!(v["error_output_prefix"], Value::Null);
    // The hour the object was written in (the seed's), whatever the hour is now.
    let key = v["records"][0]["key"].as_str().unwrap().to_string();
    let hour_prefix = |p: &str| {
        key.starts_with(p)
            && p.starts_with("plain/processing-failed/")
            && p.len() == "plain/processing-failed/yyyy/MM/dd/HH/".len()
    };
    assert!(
        v["prefixes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| hour_prefix(p.as_str().unwrap())),
        "{key} {}",
        v["prefixes"]
    );
    assert_eq!(v["records"][0]["error_code"], "Lambda.InvokeAccessDenied");

    // The text report: grouped, each record with its key, escapes shown as control pictures.
    let (code, out, err) = aws.run(REGION, &["errors", "--stream", "orders-partitioned"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{9b}'),
        "{out:.2000}"
    );
    assert!(out.contains("␛]0;pwned␇␛[2J"), "{out:.3000}");
    assert!(out.contains("(binary, 10 bytes: fffe0001"), "{out:.3000}");
    assert!(out.contains("DynamicPartitioning.MetadataExtractionFailed"));
    assert!(
        out.contains("cut: the record has 1048588 bytes; --json has the first 64.0 KiB"),
        "the 1 MB record says it was cut: {out:.3000}"
    );
}

#[test]
fn errors_says_which_permission_a_denied_listing_needs() {
    let aws = seeded();
    // ListObjectsV2 (path style: the bucket, then the query).
    aws.fault_one("denied", "GET /failed-lake/", "");
    let (code, out, err) = aws.run(REGION, &["errors", "--stream", "orders-partitioned"]);
    assert_eq!(code, 3, "{err}{out}{:?}", aws.counts());
    assert!(out.contains("s3:ListBucket"), "{out}");
    // An unknown stream is not a crash either.
    aws.fault("none", 0.0);
    let (code, out, _) = aws.run(REGION, &["errors", "--stream", "no-such-stream"]);
    assert_eq!(code, 3, "{out}");
}

/// The TUI against moto: `e` on the stream lists its failed records; Enter shows the one with
/// terminal escapes inert (control pictures, the screen not cleared, the title not set); the
/// API cost pane counts ListObjectsV2 (as its IAM action s3:ListBucket) and GetObject with the
/// bytes read.
#[test]
fn tui_lists_failed_records_and_shows_hostile_data_inert() {
    let aws = seeded();
    let t = common::tmux::Tmux::start("failed");
    t.launch_with(
        &format!(
            "AWS_SHARED_CREDENTIALS_FILE={} AWS_CONFIG_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true",
            aws.credentials_file().display()
        ),
        &format!("--region {REGION} --endpoint-url {}", aws.url),
    );
    t.wait_text("orders-partitioned");
    t.literal("2");
    t.literal("/orders-partitioned");
    t.keys(&["Enter"]);
    t.literal("e");
    let s = t.wait_text("5 failed records since");
    assert!(
        s.contains("Failed records — stream orders-partitioned"),
        "{s}"
    );
    assert!(s.contains("Lambda.FunctionError"), "{s}");
    // The newest is the 1 MB record, then the two Lambda.FunctionError ones.
    t.literal("j");
    t.keys(&["Enter"]);
    let s = t.wait_text("record data");
    assert!(s.contains("␛]0;pwned␇␛[2J"), "{s}");
    assert_ne!(
        t.display("#{pane_title}"),
        "pwned",
        "the record set the title"
    );
    // Esc twice (apart: an Esc and a key at once read as Alt+key): the list, then closed.
    for _ in 0..2 {
        t.keys(&["Escape"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    // The drill-in's timeline: since when, and what changed just before.
    t.keys(&["Enter"]);
    let s = t.wait_text("Since when");
    let s = if s.contains("OK → ALARM") {
        s
    } else {
        t.wait_text("OK → ALARM")
    };
    assert!(s.contains("configuration changed to version 2"), "{s}");
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.literal("7");
    let s = t.wait_text("s3:GetObject");
    assert!(s.contains("s3:ListBucket"), "{s}");
    assert!(s.contains("MiB read"), "the bytes GetObject read:\n{s}");
    t.literal("q");
    t.assert_terminal_restored("q");
}

/// `fhtop partition test` runs the stream's query (as Firehose's DescribeDeliveryStream gives
/// it) on a record file, standard input, or its failed records: keys and prefix, or why.
#[test]
fn partition_test_names_the_keys_the_prefix_or_why_extraction_fails() {
    let aws = seeded();
    let file = |name: &str, body: &str| {
        let p = aws.dir.join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let good = file(
        "good.json",
        r#"{"detail":{"region":"eu-west-1","customer":{"tier":"gold"}}}"#,
    );
    let (code, out, err) = partition(&aws, "orders-partitioned", &["--record", &good, "--json"]);
    assert_eq!(code, 0, "{err}{out}");
    let v = json(&out);
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(
        v["results"][0]["prefix"],
        format!("orders/eu-west-1/gold/{year}/")
    );
    assert_eq!(v["results"][0]["keys"]["tier"], "gold");

    let missing = file(
        "missing.json",
        r#"{"detail":{"region":"eu-west-1","customer":{}}}"#,
    );
    let (code, out, _) = partition(&aws, "orders-partitioned", &["--record", &missing]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILS: DynamicPartitioning.MetadataExtractionFailed"),
        "{out}"
    );
    assert!(out.contains("key tier is null in this record"), "{out}");
    assert!(out.contains("keys: region=eu-west-1"), "{out}");

    let csv = file("csv.txt", "order_id=o-1,region=eu-west-1\n");
    let (code, out, _) = partition(&aws, "orders-partitioned", &["--record", &csv]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Non JSON record provided"), "{out}");

    // The failed records: would the query still fail them?
    let (code, out, err) = partition(&aws, "orders-partitioned", &["--failed", "--json"]);
    assert_eq!(code, 1, "{err}{out}");
    let v = json(&out);
    let results = v["results"].as_array().unwrap();
    // The two partitioning failures are tested; the three Lambda records (the function's
    // input, which the query never saw) are not.
    assert_eq!(results.len(), 2, "{v}");
    assert_eq!(v["not_tested"], 3);
    assert!(
        results
            .iter()
            .all(|r| !r["failures"].as_array().unwrap().is_empty())
    );
    let why: Vec<&str> = results
        .iter()
        .map(|r| r["failures"][0].as_str().unwrap())
        .collect();
    assert!(
        why.iter().any(|w| w.contains("key tier is null")),
        "{why:?}"
    );
    assert!(
        why.iter().any(|w| w.contains("Non JSON record provided")),
        "{why:?}"
    );

    // A stream without a query is not a test.
    let (code, out, _) = partition(&aws, "plain-defaults", &["--record", &good]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no dynamic partitioning"), "{out}");
}

/// Since when (issue 14): `fhtop check --json` gives the failing stream's timeline — the
/// success alarm's OK → ALARM (DescribeAlarmHistory, which the harness answers from moto's
/// alarm history), the configuration change to version 2 (UpdateDestination) and the minute
/// DeliveryToS3.Success turned to 0 — and its alarm coverage (one alarm of the design set).
#[test]
fn check_json_has_the_failing_streams_timeline_and_coverage() {
    let aws = seeded();
    let (code, out, err) = aws.run(
        REGION,
        &["check", "--stream", "orders-partitioned", "--json"],
    );
    assert_eq!(code, 2, "the stream delivers nothing: {err}{out}");
    let v = json(&out);
    let tl = v["timelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == "orders-partitioned")
        .and_then(|t| t["events"].as_array())
        .unwrap_or_else(|| panic!("no timeline: {v}"));
    let has = |kind: &str, text: &str| {
        tl.iter()
            .any(|e| e["kind"] == kind && e["text"].as_str().unwrap().contains(text))
    };
    assert!(
        has("alarm", "orders-partitioned-success OK → ALARM"),
        "{tl:?}"
    );
    assert!(has("configuration", "to version 2"), "{tl:?}");
    assert!(
        has(
            "metric",
            "DeliveryToS3.Success: failing from this minute (was delivering)"
        ),
        "{tl:?}"
    );
    // Newest first, as instants: "…:11Z" is older than "…:11.160Z" though it sorts after it as
    // text.
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = tl
        .iter()
        .map(|e| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "{tl:?}");
    // Coverage: the success alarm exists, the others are missing with a command each.
    let cov = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "alarm-coverage" && c["target"] == "orders-partitioned")
        .unwrap_or_else(|| panic!("no coverage finding: {v}"));
    assert_eq!(cov["status"], "warn", "{cov}");
    assert!(
        cov["summary"].as_str().unwrap().contains("3 of 4 expected"),
        "{cov}"
    );
    let details = cov["details"].as_str().unwrap();
    assert!(details.contains("put-metric-alarm"), "{details}");
    assert!(details.contains("PartitionCountExceeded"), "{details}");

    // The text report prints it under the table.
    let (_, out, _) = aws.run(REGION, &["check", "--stream", "orders-partitioned"]);
    assert!(out.contains("since when — orders-partitioned"), "{out}");
}
