//! Honest under partial access and faults (issue 11), against moto through the harness proxy and
//! the real binary: a bus whose rules cannot be listed is an error row while every other bus,
//! rule and stream is shown and checked; a denied or undecodable GetMetricData is its own
//! UNKNOWN finding naming the operation and the permission; the screen says which feature is
//! off; a rule in ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS gets that state back after a
//! disable and enable; names that differ only at the end stay distinguishable.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use harness::Aws;
use serde_json::Value;

const REGION: &str = "ap-southeast-2";
const FAILING: &str = "streamalert-data-classifier-security-prd-eu-west-1-ingest-9f3a1c";
const HEALTHY: &str = "streamalert-data-classifier-security-prd-eu-west-1-ingest-b07e42";

fn run(aws: &Aws, args: &[&str]) -> (i32, String, String) {
    aws.run(REGION, args)
}

fn findings(stdout: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("JSON: {e}\n{stdout}"));
    v["checks"].as_array().cloned().unwrap_or_default()
}

fn started() -> Aws {
    let aws = Aws::start();
    aws.seed(REGION, "partial");
    aws
}

/// A `snapshot` frame of `pane` (keys) at width × height; its exit code.
fn frame(aws: &Aws, keys: &str, w: u16, h: u16) -> (i32, String) {
    let (code, out, err) = run(
        aws,
        &[
            "snapshot",
            "--width",
            &w.to_string(),
            "--height",
            &h.to_string(),
            "--keys",
            keys,
        ],
    );
    assert!(!err.contains("panicked"), "{err}");
    (code, out)
}

#[test]
fn a_bus_that_cannot_be_listed_is_an_error_row_and_everything_else_is_checked() {
    let aws = started();
    aws.fault_one("denied", "ListRules", "orders-bus");

    let (code, screen) = frame(&aws, "", 160, 48);
    assert_eq!(code, 0, "the inventory is not stale: {screen}");
    let bus_row = screen
        .lines()
        .find(|l| l.contains("bus orders-bus"))
        .unwrap_or_else(|| panic!("an error row for the bus:\n{screen}"));
    assert!(
        bus_row.contains("? ERR") && bus_row.contains("could not list rules"),
        "not read is unknown, not failing: {bus_row}"
    );
    assert!(
        screen.contains("events:ListRules"),
        "the permission to add is on screen:\n{screen}"
    );
    assert!(
        screen.contains("audit-bus/audit-capture") && screen.contains("default/mgmt-events"),
        "the other buses' pipelines are shown:\n{screen}"
    );
    assert!(
        screen.contains("OFF") && screen.contains("add events:ListRules"),
        "the header says which feature is off:\n{}",
        screen.lines().next().unwrap_or("")
    );

    let (code, out, _) = run(&aws, &["check", "--json"]);
    let fs = findings(&out);
    assert_eq!(
        code, 2,
        "the failing stream on audit-bus still fails: {fs:#?}"
    );
    let bus = fs
        .iter()
        .find(|f| f["target"] == "bus orders-bus (its rules)")
        .unwrap_or_else(|| panic!("a finding for the unread bus: {fs:#?}"));
    assert_eq!(bus["status"], "unknown");
    let summary = bus["summary"].as_str().unwrap_or("");
    assert!(
        summary.contains("could not list the rules of bus orders-bus")
            && summary.contains("events:ListRules"),
        "{summary}"
    );
    assert!(
        bus["details"]
            .as_str()
            .is_some_and(|d| d.contains("ListRules") && d.contains("AccessDenied")),
        "{bus}"
    );
    assert!(
        bus["confirm"]
            .as_str()
            .is_some_and(|c| c.contains("list-rules") && c.contains("--event-bus-name orders-bus")),
        "{bus}"
    );
    assert!(
        fs.iter()
            .any(|f| f["target"] == FAILING && f["check"] == "delivery" && f["status"] == "fail"),
        "the failing stream on another bus is checked: {fs:#?}"
    );

    // A rule on the unread bus, asked for by name: unread (UNKNOWN), never "does not exist".
    let (code, out, _) = run(
        &aws,
        &["check", "--json", "--rule", "orders-bus/order-events"],
    );
    let fs = findings(&out);
    assert_eq!(code, 3, "{fs:#?}");
    assert!(
        fs.iter().all(|f| !f["summary"]
            .as_str()
            .unwrap_or("")
            .contains("does not exist")),
        "{fs:#?}"
    );
}

#[test]
fn delivery_streams_that_cannot_be_listed_leave_the_rules_shown_and_undecided() {
    let aws = started();
    aws.fault_one("denied", "ListDeliveryStreams", "");
    let (code, out, _) = run(&aws, &["check", "--json"]);
    let fs = findings(&out);
    assert_eq!(
        code, 3,
        "nothing failed that was read; much is unknown: {fs:#?}"
    );
    assert!(
        fs.iter().any(|f| f["summary"]
            .as_str()
            .unwrap_or("")
            .contains("could not list delivery streams")
            && f["summary"]
                .as_str()
                .unwrap_or("")
                .contains("firehose:ListDeliveryStreams")),
        "{fs:#?}"
    );
    // A rule's target stream is not "missing" when streams could not be listed.
    assert!(
        fs.iter().all(|f| !f["summary"]
            .as_str()
            .unwrap_or("")
            .contains("not found in this account")),
        "{fs:#?}"
    );
}

#[test]
fn denied_get_metric_data_is_its_own_finding_with_the_permission() {
    let aws = started();
    aws.fault_one("denied", "GetMetricData", "");
    let (code, out, _) = run(&aws, &["check", "--json"]);
    let fs = findings(&out);
    assert_ne!(code, 0, "{fs:#?}");
    let gmd: Vec<&Value> = fs
        .iter()
        .filter(|f| {
            f["summary"]
                .as_str()
                .unwrap_or("")
                .contains("GetMetricData denied (add cloudwatch:GetMetricData")
        })
        .collect();
    assert_eq!(gmd.len(), 1, "said once: {fs:#?}");
    assert_eq!(gmd[0]["status"], "unknown");
    assert!(
        fs.iter()
            .all(|f| !f["summary"].as_str().unwrap_or("").contains("no metrics")),
        "no check says 'no metrics (yet)' when GetMetricData was denied: {fs:#?}"
    );
    // Human output counts it in the summary line.
    let (_, human, _) = run(&aws, &["check"]);
    assert!(human.contains("GetMetricData denied"), "{human}");

    let (code, screen) = frame(&aws, "", 160, 48);
    assert_eq!(code, 0, "{screen}");
    let header = screen.lines().next().unwrap_or("");
    assert!(
        header.contains("OFF") && header.contains("add cloudwatch:GetMetricData"),
        "{header}"
    );
    let (_, cost) = frame(&aws, "7", 160, 48);
    assert!(
        cost.contains("DENIED TO FHTOP") && cost.contains("cloudwatch:GetMetricData"),
        "{cost}"
    );
}

#[test]
fn an_answer_that_cannot_be_decoded_is_reported_as_such() {
    let aws = started();
    aws.fault_one("garbled", "GetMetricData", "");
    let (_, out, _) = run(&aws, &["check", "--json"]);
    let fs = findings(&out);
    let f = fs
        .iter()
        .find(|f| {
            f["details"]
                .as_str()
                .unwrap_or("")
                .contains("could not decode the GetMetricData answer")
        })
        .unwrap_or_else(|| panic!("a decode finding: {fs:#?}"));
    assert_eq!(f["status"], "unknown");
    assert!(
        !f["details"]
            .as_str()
            .unwrap_or("")
            .contains("without an error code"),
        "{f}"
    );
}

#[test]
fn a_rule_enabled_with_cloudtrail_management_events_gets_that_state_back() {
    let aws = started();
    let audit = aws.dir.join("audit.jsonl");
    let rule = |verb: &str| {
        let out = aws
            .fhtop(REGION)
            .env("FHTOP_AUDIT_LOG", &audit)
            .args(["rule", verb, "mgmt-events", "--yes"])
            .output()
            .expect("fhtop runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (_, rules) = frame(&aws, "3", 160, 48);
    let row = rules
        .lines()
        .find(|l| l.contains("mgmt-events"))
        .unwrap_or_default();
    assert!(row.contains("ENABLED+CT"), "distinct from ENABLED: {row}");
    let (_, detail) = frame(&aws, "3 / m g m t enter enter", 160, 48);
    assert!(
        detail.contains("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
        "whole in the rule's detail:\n{detail}"
    );

    let (code, out, err) = rule("disable");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("DISABLED (verified)"), "{out}");
    assert!(
        err.contains("restores ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
        "the plan says how it comes back: {err}"
    );
    let (code, out, err) = rule("enable");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("mgmt-events: ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (verified)"),
        "{out}{err}"
    );
    let rt = common::runtime();
    let state = rt.block_on(async {
        let b = aws.backend(REGION).await;
        fhtop::backend::Backend::describe_rule(
            b.as_ref(),
            &fhtop::model::RuleKey {
                bus: "default".into(),
                name: "mgmt-events".into(),
            },
        )
        .await
        .expect("DescribeRule")
    });
    assert_eq!(
        state.state.as_str(),
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    );
    assert!(
        state
            .event_pattern
            .as_deref()
            .is_some_and(|p| p.contains("aws.s3")),
        "PutRule kept the pattern: {state:?}"
    );
    let log = std::fs::read_to_string(&audit).expect("audit log");
    assert!(
        log.contains(r#""to":"ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS""#),
        "{log}"
    );
}

#[test]
fn long_names_that_differ_at_the_end_stay_distinguishable() {
    let aws = started();
    for (w, h) in [(160, 48), (80, 24)] {
        let (_, screen) = frame(&aws, "2", w, h);
        let rows: Vec<&str> = screen
            .lines()
            .filter(|l| l.contains("streamalert-") && (l.contains(" OK ") || l.contains("FAIL")))
            .collect();
        assert_eq!(rows.len(), 2, "{w}×{h}:\n{screen}");
        assert_ne!(
            rows[0].split_whitespace().nth(1),
            rows[1].split_whitespace().nth(1),
            "{w}×{h}: the names differ on screen:\n{screen}"
        );
        let tail = |name: &str| name[name.len() - 6..].to_string();
        let failing = rows
            .iter()
            .find(|r| r.contains(&tail(FAILING)))
            .expect("tail shown");
        let healthy = rows
            .iter()
            .find(|r| r.contains(&tail(HEALTHY)))
            .expect("tail shown");
        assert!(failing.contains("✖"), "{failing}");
        assert!(!healthy.contains("✖"), "{healthy}");
    }
}

#[test]
fn a_longer_chart_window_is_one_more_get_metric_data_for_the_trends_only() {
    let aws = started();
    aws.reset_counts();
    let (code, screen) = frame(&aws, "", 160, 48);
    assert_eq!(code, 0, "{screen}");
    let base = aws.count("GetMetricData");
    aws.reset_counts();
    let (code, screen) = frame(&aws, "]", 160, 48);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(
        aws.count("GetMetricData"),
        base + 1,
        "one more call for 12 h"
    );
    assert!(screen.contains("trend 12h"), "{screen}");
    assert!(
        screen.contains("last 12h at 3-min periods"),
        "the footer says what it costs:\n{screen}"
    );
}

#[test]
fn a_rule_whose_target_stream_cannot_be_described_is_undecided_not_ok() {
    let aws = started();
    aws.fault_one("denied", "DescribeDeliveryStream", HEALTHY);
    let (code, out, _) = run(&aws, &["check", "--json", "--rule", "mgmt-events"]);
    let fs = findings(&out);
    assert_eq!(code, 3, "not OK: {fs:#?}");
    assert!(
        fs.iter().any(|f| f["status"] == "unknown"
            && f["summary"].as_str().unwrap_or("").contains("not read")),
        "{fs:#?}"
    );
}
