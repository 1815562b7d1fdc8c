//! `fhtop check` — the release binary against moto (through the harness proxy), seeded with one
//! fault of each kind next to a healthy pipeline; a fully healthy account; an unreachable
//! endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use harness::Aws;
use serde_json::Value;

fn fhtop(url: &str, region: &str, creds: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = harness::fhtop_at(url, region, creds)
        .arg("check")
        .args(args)
        .output()
        .expect("fhtop runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

fn findings(json: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("JSON: {e}\n{json}"));
    v["checks"].as_array().cloned().expect("checks array")
}

fn find<'a>(fs: &'a [Value], check: &str, target: &str) -> Vec<&'a Value> {
    fs.iter()
        .filter(|f| f["check"] == check && f["target"] == target)
        .collect()
}

fn status_of(fs: &[Value], check: &str, target: &str) -> Vec<String> {
    find(fs, check, target)
        .iter()
        .map(|f| f["status"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn every_seeded_fault_is_found_and_the_healthy_pipeline_passes() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    // moto cannot create a stream whose creation failed: the proxy presents one.
    aws.present(serde_json::json!({"streams": {"legacy-gap": {
        "DeliveryStreamStatus": "CREATING_FAILED",
        "FailureDescription": {"Type": "RETIRE_KMS_GRANT_FAILED", "Details": "the KMS grant could not be retired"}
    }}}));
    let creds = aws.credentials_file();
    aws.reset_counts();
    let (code, out) = fhtop(&aws.url, "us-west-2", &creds, &["--json"]);
    assert_eq!(code, 2, "CRITICAL\n{out}");
    let fs = findings(&out);
    // One read of each kind, shared by every check: one GetMetricData for all metrics, one
    // DescribeAlarms, the simulator asked once (moto answers 500; then the local evaluator),
    // each role read once (7 distinct roles: 5 delivery roles, 2 EventBridge roles).
    assert_eq!(aws.count("GetMetricData"), 1);
    assert_eq!(aws.count("DescribeAlarms"), 1);
    assert_eq!(aws.count("SimulatePrincipalPolicy"), 1);
    assert_eq!(aws.count("GetRole"), 7);

    // 1. writer permission: the target role allowing only PutRecord.
    let w = find(&fs, "writer-permission", "orders-bus/payment-refunded");
    assert_eq!(w.len(), 1, "{fs:#?}");
    assert_eq!(w[0]["status"], "fail");
    assert!(
        w[0]["summary"]
            .as_str()
            .unwrap_or("")
            .contains("firehose:PutRecordBatch")
    );
    assert!(w[0]["confirm"].as_str().unwrap_or("").starts_with(
        "aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/eventbridge-putrecord-only"
    ));
    assert_eq!(
        status_of(&fs, "writer-permission", "policy firehose_writer"),
        ["ok"]
    );
    // 2. stream status.
    let st = find(&fs, "stream-status", "legacy-gap");
    assert!(
        st.iter().any(|f| f["status"] == "fail"
            && f["summary"]
                .as_str()
                .unwrap_or("")
                .contains("CREATING_FAILED")),
        "{st:#?}"
    );
    assert!(
        st.iter().any(|f| f["summary"]
            .as_str()
            .unwrap_or("")
            .contains("RETIRE_KMS_GRANT_FAILED")),
        "{st:#?}"
    );
    // 3. delivery to S3.
    let d = status_of(&fs, "delivery", "clickstream-raw");
    assert!(d.len() >= 2 && d.iter().all(|s| s == "fail"), "{d:?}");
    // 4. delivery errors grouped by code.
    let e = find(&fs, "delivery-errors", "clickstream-raw");
    assert_eq!(e[0]["status"], "fail");
    assert!(
        e[0]["summary"]
            .as_str()
            .unwrap_or("")
            .contains("S3.AccessDenied ×20"),
        "{e:#?}"
    );
    assert!(e[0]["confirm"].as_str().unwrap_or("").starts_with(
        "aws logs filter-log-events --region us-west-2 --log-group-name /aws/kinesisfirehose/clickstream-raw"
    ));
    // 5. bucket access (bucket policy included).
    let b = find(&fs, "bucket-access", "clickstream-raw");
    assert_eq!(b[0]["status"], "fail");
    assert!(
        b[0]["summary"]
            .as_str()
            .unwrap_or("")
            .contains("s3:PutObject")
    );
    assert!(
        b[0]["details"]
            .as_str()
            .unwrap_or("")
            .contains("\"Effect\": \"Allow\"")
    );
    // 6. rule state.
    assert_eq!(
        status_of(&fs, "rule-state", "orders-bus/payment-refunded"),
        ["warn"]
    );
    // 7. alarms: ALARM fails, INSUFFICIENT_DATA warns.
    assert_eq!(status_of(&fs, "alarms", "clickstream-raw"), ["fail"]);
    assert_eq!(status_of(&fs, "alarms", "audit-trail"), ["warn"]);
    // 8. partitions at 90 % of the limit; 9. throttling.
    assert_eq!(status_of(&fs, "partitions", "orders-to-s3"), ["warn"]);
    assert_eq!(status_of(&fs, "throttling", "orders-to-s3"), ["warn"]);
    // 10. alarm coverage (issue 14): a missing alarm is named with the command that creates
    // it; an alarm on the metric (clickstream-raw's freshness, in ALARM) covers it.
    let cov = find(&fs, "alarm-coverage", "clickstream-raw");
    assert_eq!(cov.len(), 1, "{fs:#?}");
    assert_eq!(cov[0]["status"], "warn");
    let summary = cov[0]["summary"].as_str().unwrap_or("");
    assert!(summary.contains("DeliveryToS3.Success"), "{summary}");
    assert!(!summary.contains("DataFreshness"), "watched: {summary}");
    assert!(
        cov[0]["details"].as_str().unwrap_or("").contains(
            "aws cloudwatch put-metric-alarm --region us-west-2 --alarm-name clickstream-raw-DeliveryToS3.Success --namespace AWS/Firehose --metric-name DeliveryToS3.Success --dimensions Name=DeliveryStreamName,Value=clickstream-raw --statistic Minimum"
        ),
        "{cov:#?}"
    );
    let cov = find(&fs, "alarm-coverage", "orders-to-s3");
    let summary = cov[0]["summary"].as_str().unwrap_or("");
    assert!(summary.contains("PartitionCountExceeded"), "{summary}");
    assert!(
        !summary.contains("DeliveryToS3.Success"),
        "watched: {summary}"
    );

    // The healthy pipeline next to them: every check ran, none found anything.
    let healthy: Vec<&Value> = fs
        .iter()
        .filter(|f| f["target"] == "signups-raw" || f["target"] == "default/signup-events")
        .collect();
    let kinds: std::collections::BTreeSet<&str> =
        healthy.iter().filter_map(|f| f["check"].as_str()).collect();
    for k in [
        "writer-permission",
        "stream-status",
        "delivery",
        "delivery-errors",
        "bucket-access",
        "rule-state",
        "alarms",
        "throttling",
        "alarm-coverage",
    ] {
        assert!(
            kinds.contains(k),
            "{k} ran on the healthy pipeline: {healthy:#?}"
        );
    }
    assert!(healthy.iter().all(|f| f["status"] == "ok"), "{healthy:#?}");
    // Every finding can be confirmed by hand.
    for f in &fs {
        assert!(
            f["confirm"].as_str().unwrap_or("").starts_with("aws "),
            "{f:#?}"
        );
        for k in ["check", "target", "status", "summary", "details", "confirm"] {
            assert!(f.get(k).is_some(), "{k} in {f}");
        }
    }

    // The human table: failures first, grouped by pipeline, with the confirming command.
    let (code, out) = fhtop(&aws.url, "us-west-2", &creds, &[]);
    assert_eq!(code, 2);
    // The table ends at the first blank line; the failing pipelines' timelines follow.
    let pipelines: Vec<&str> = out
        .lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| !l.starts_with(' '))
        .skip(1)
        .collect();
    assert!(out.contains("since when — clickstream-raw"), "{out}");
    assert!(pipelines[0].contains("FAIL"), "{out}");
    assert!(pipelines.last().is_some_and(|l| l.contains("OK")), "{out}");
    assert!(out.contains("confirm: aws"), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );

    // Only the healthy pipeline: OK.
    let (code, out) = fhtop(&aws.url, "us-west-2", &creds, &["--stream", "signups-raw"]);
    assert_eq!(code, 0, "{out}");
    // A name that does not exist is a failure, not silence.
    let (code, out) = fhtop(&aws.url, "us-west-2", &creds, &["--rule", "no-such-rule"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("rule no-such-rule does not exist"), "{out}");
}

#[test]
fn a_healthy_account_exits_0_and_an_unreachable_endpoint_3() {
    let aws = Aws::start();
    aws.seed("eu-central-1", "healthy");
    let creds = aws.credentials_file();
    let (code, out) = fhtop(&aws.url, "eu-central-1", &creds, &["--all"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("alarm-coverage"),
        "its alarms are checked: {out}"
    );
    let (code, out) = fhtop(
        &aws.url,
        "eu-central-1",
        &creds,
        &["--all", "--skip", "alarm-coverage"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("alarm-coverage"), "skipped: {out}");
    let (code, _) = fhtop(&aws.url, "eu-central-1", &creds, &["--skip", "no-such"]);
    assert_eq!(code, 2, "clap refuses an unknown check id");
    assert!(out.contains("OK signups-raw"), "{out}");
    assert!(!out.contains("FAIL") && !out.contains("WARN"), "{out}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let (code, out) = fhtop(
        &format!("http://127.0.0.1:{closed}"),
        "eu-central-1",
        &creds,
        &[],
    );
    assert_eq!(code, 3, "{out}");
    assert_eq!(out.lines().count(), 1, "one line: {out}");
    assert!(out.starts_with("UNKNOWN - fhtop check: "), "{out}");
    assert!(out.contains("cannot reach AWS"), "{out}");
}

/// The (check, target, status) of each finding: the verdicts, without their wording.
fn verdicts(fs: &[Value]) -> std::collections::BTreeSet<(String, String, String)> {
    fs.iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("check"), s("target"), s("status"))
        })
        .collect()
}

/// The verdicts of `fs` on the rows `scoped` has findings for (not the account's writer
/// policy, which names no row).
fn verdicts_of_rows(
    scoped: &[Value],
    fs: &[Value],
) -> std::collections::BTreeSet<(String, String, String)> {
    let rows: std::collections::BTreeSet<&str> = scoped
        .iter()
        .filter_map(|f| f["target"].as_str())
        .filter(|t| !t.starts_with("policy "))
        .collect();
    let of_rows: Vec<Value> = fs
        .iter()
        .filter(|f| f["target"].as_str().is_some_and(|t| rows.contains(t)))
        .cloned()
        .collect();
    verdicts(&of_rows)
}

/// Issue 27: `check --stream NAME` and `check --rule BUS/NAME` read their own rows (the rules
/// feeding a stream by ListRuleNamesByTarget on each bus, and the streams those rules target),
/// not the whole account: at 5,000 streams the whole inventory is 17 minutes of
/// DescribeDeliveryStream. Every verdict is the one the whole inventory gives — the same
/// check with ListRuleNamesByTarget denied, which reads the whole inventory (a role whose
/// policy predates the operation keeps working).
#[test]
fn a_named_stream_or_rule_is_checked_on_its_rows_with_the_whole_inventorys_verdicts() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    let creds = aws.credentials_file();
    let (_, all) = fhtop(&aws.url, "us-west-2", &creds, &["--json"]);
    let all = findings(&all);
    let targets = |check: &str| -> Vec<String> {
        let mut v: Vec<String> = all
            .iter()
            .filter(|f| f["check"] == check)
            .filter_map(|f| f["target"].as_str().map(str::to_string))
            .collect();
        v.dedup();
        v
    };
    let streams = targets("stream-status");
    let rules = targets("rule-state");
    assert!(
        streams.len() >= 5 && rules.len() >= 3,
        "{streams:?} {rules:?}"
    );
    let named = streams
        .iter()
        .map(|s| ("--stream", s))
        .chain(rules.iter().map(|r| ("--rule", r)));
    for (flag, name) in named {
        aws.fault("none", 0.0);
        aws.reset_counts();
        let (code, scoped) = fhtop(&aws.url, "us-west-2", &creds, &[flag, name, "--json"]);
        let (described, targets_read) = (
            aws.count("DescribeDeliveryStream"),
            aws.count("ListTargetsByRule"),
        );
        if flag == "--stream" {
            assert!(aws.count("ListRuleNamesByTarget") > 0, "{name}");
        }
        let scoped = findings(&scoped);
        assert!(
            scoped.iter().any(|f| f["target"] == name.as_str()),
            "{flag} {name}"
        );
        // Each row's verdicts are those of the check of the whole account (the writer policy's
        // target covers the streams in scope, so it is compared below, by the whole read).
        assert_eq!(
            verdicts_of_rows(&scoped, &scoped),
            verdicts_of_rows(&scoped, &all),
            "{flag} {name}"
        );
        if flag == "--rule" {
            assert!(described < streams.len() as u64, "{name}: {described}");
            continue;
        }
        // The same selection read whole (ListRuleNamesByTarget denied): the same findings.
        aws.fault_one("denied", "ListRuleNamesByTarget", "");
        aws.reset_counts();
        let (whole_code, whole) = fhtop(&aws.url, "us-west-2", &creds, &[flag, name, "--json"]);
        assert!(
            aws.count("DescribeDeliveryStream") >= streams.len() as u64,
            "denied, {flag} {name} reads the whole inventory"
        );
        // The rules of a bus in scope are all read on a bus this small (for the samples).
        assert!(
            described < streams.len() as u64 && targets_read <= aws.count("ListTargetsByRule"),
            "{flag} {name}: {described} streams described, {targets_read} rules' targets read"
        );
        assert_eq!(code, whole_code, "{flag} {name}");
        let whole = findings(&whole);
        assert_eq!(verdicts(&scoped), verdicts(&whole), "{flag} {name}");
    }
}

/// At 150 streams and 300 rules on 3 buses, `check --stream` describes the stream and the
/// streams its rules target, asks each bus once for the rules feeding it, and reads the rules
/// of the buses they are on; read whole (ListRuleNamesByTarget denied) every stream is described
/// and every rule's targets read, to the same exit code and findings.
#[test]
fn a_named_stream_of_a_large_account_reads_its_rows_not_the_account() {
    let aws = Aws::start();
    aws.seed("eu-west-1", "scale");
    let creds = aws.credentials_file();
    aws.reset_counts();
    let (code, scoped) = fhtop(
        &aws.url,
        "eu-west-1",
        &creds,
        &["--stream", "s-007", "--json"],
    );
    let scoped = findings(&scoped);
    assert!(scoped.iter().any(|f| f["target"] == "s-007"), "{scoped:#?}");
    assert_eq!(
        aws.count("ListDeliveryStreams"),
        0,
        "the streams are not listed"
    );
    assert!(aws.count("DescribeDeliveryStream") < 10);
    assert_eq!(aws.count("ListRuleNamesByTarget"), 3, "once a bus");
    assert!(aws.count("ListTargetsByRule") < 300);
    // The quiet rules feeding s-007 (on bus-a, 100 rules) are tested against what the bus
    // logged: which of its 100 /aws/events/<rule> groups exist is listed, and that one read,
    // not 100 FilterLogEvents a rule.
    let samples: Vec<&Value> = scoped
        .iter()
        .filter(|f| f["check"] == "pattern-samples")
        .collect();
    assert!(!samples.is_empty(), "{scoped:#?}");
    for f in &samples {
        assert_eq!(f["status"], "warn", "{f}");
        assert_eq!(f["details"], "samples from /aws/events/r-010", "{f}");
    }
    assert!(aws.count("DescribeLogGroups") >= 1);
    assert!(
        aws.count("FilterLogEvents") <= 2 * samples.len() as u64 + 2,
        "{} FilterLogEvents",
        aws.count("FilterLogEvents")
    );
    aws.fault_one("denied", "ListRuleNamesByTarget", "");
    aws.reset_counts();
    let (whole_code, whole) = fhtop(
        &aws.url,
        "eu-west-1",
        &creds,
        &["--stream", "s-007", "--json"],
    );
    assert_eq!(
        aws.count("DescribeDeliveryStream"),
        151,
        "every stream, after s-007"
    );
    assert_eq!(aws.count("ListTargetsByRule"), 300);
    assert_eq!(code, whole_code);
    assert_eq!(verdicts(&scoped), verdicts(&findings(&whole)));
}

/// A rule targeting a Kinesis data stream is checked with the delivery streams reading it
/// (ListDeliveryStreams of type `KinesisStreamAsSource`, then only those described), not the
/// whole inventory, to the verdicts the whole account's check gives its rows. Listing them
/// denied, the check reads the whole inventory, to the same findings.
#[test]
fn a_named_rule_targeting_a_kinesis_data_stream_reads_the_streams_with_such_a_source() {
    let aws = Aws::start();
    aws.seed("eu-south-1", "shapes");
    let creds = aws.credentials_file();
    let (_, all) = fhtop(&aws.url, "eu-south-1", &creds, &["--json"]);
    let all = findings(&all);
    let streams = all
        .iter()
        .filter(|f| f["check"] == "stream-status")
        .filter_map(|f| f["target"].as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len() as u64;
    assert!(streams > 10, "{streams}");
    for (rule, reader) in [
        ("default/clicks-to-kinesis", "ks-archive"),
        ("default/orders-to-kinesis", "ks-ok"),
    ] {
        aws.fault("none", 0.0);
        aws.reset_counts();
        let (code, scoped) = fhtop(&aws.url, "eu-south-1", &creds, &["--rule", rule, "--json"]);
        assert_eq!(
            aws.count("DescribeDeliveryStream"),
            3,
            "{rule}: the three streams reading a Kinesis data stream (ks-archive, ks-ok, ks-denied)"
        );
        let scoped = findings(&scoped);
        assert!(
            scoped.iter().any(|f| f["target"] == reader),
            "{rule}: {scoped:#?}"
        );
        assert_eq!(
            verdicts_of_rows(&scoped, &scoped),
            verdicts_of_rows(&scoped, &all),
            "{rule}"
        );
        aws.fault_one("denied", "ListDeliveryStreams", "KinesisStreamAsSource");
        aws.reset_counts();
        let (whole_code, whole) =
            fhtop(&aws.url, "eu-south-1", &creds, &["--rule", rule, "--json"]);
        assert_eq!(
            aws.count("DescribeDeliveryStream"),
            streams,
            "{rule}: listing by type denied, every stream is described"
        );
        assert_eq!(code, whole_code, "{rule}");
        assert_eq!(verdicts(&scoped), verdicts(&findings(&whole)), "{rule}");
    }
}
