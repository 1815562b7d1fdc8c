//! Truthful verdicts for every pipeline shape (issue 10): each failing example from real
//! infrastructure — a rule target's role only Firehose may assume, a delivery role only
//! EventBridge may assume, an HTTP endpoint destination failing with 403 while its S3 backup
//! succeeds, a Kinesis data stream source the source role may not read, a Lambda processor the
//! delivery role may not invoke, a destination fhtop does not know — next to a healthy twin of
//! the same shape, against moto through the harness proxy, through the real binary: the TUI
//! row (`fhtop snapshot`), `fhtop check --json` and `fhtop perms --json`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use harness::Aws;
use serde_json::Value;

const REGION: &str = "eu-west-1";

fn run(aws: &Aws, args: &[&str]) -> (i32, String) {
    let out = aws.fhtop(REGION).args(args).output().expect("fhtop runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("JSON: {e}\n{s}"))
}

use common::{findings_of, has_finding};

/// Every finding on `target` (a stream and the rules feeding it share its pipeline) is ok —
/// but alarm coverage: the twins have no alarms (coverage is tested in tests/check.rs).
fn all_ok(fs: &[Value], pipeline_targets: &[&str]) {
    let mine: Vec<&Value> = fs
        .iter()
        .filter(|f| pipeline_targets.iter().any(|t| f["target"] == *t))
        .filter(|f| f["check"] != "alarm-coverage")
        .collect();
    assert!(!mine.is_empty(), "{pipeline_targets:?} checked");
    assert!(
        mine.iter().all(|f| f["status"] == "ok"),
        "healthy twin {pipeline_targets:?} has no finding: {mine:#?}"
    );
}

fn start() -> Aws {
    let aws = Aws::start();
    aws.seed(REGION, "shapes");
    // moto cannot create a destination fhtop does not know: the proxy presents one.
    // Nor an MSK source description (it drops it): presented too.
    aws.present(serde_json::json!({"streams": {
        "mystery": {"Destinations": [{"DestinationId": "destinationId-000000000001"}]},
        "msk-archive": {"Source": {"MSKSourceDescription": {
            "MSKClusterARN": format!("arn:aws:kafka:{REGION}:123456789012:cluster/orders/5f0c1c1e-2b9a-4c57-9d1e-0a6b3c2d4e5f-1"),
            "TopicName": "orders",
            "AuthenticationConfiguration": {
                "RoleARN": "arn:aws:iam::123456789012:role/firehose-msk-archive",
                "Connectivity": "PRIVATE"
            }
        }}}
    }}));
    aws
}

#[test]
fn check_gives_every_shape_its_true_verdict() {
    let aws = start();
    let (code, out) = run(&aws, &["check", "--json"]);
    assert_eq!(code, 2, "CRITICAL\n{out}");
    let v = json(&out);
    let fs = v["checks"].as_array().cloned().expect("checks");

    // 1. Trust: the target role may put records but EventBridge may not assume it.
    assert!(
        has_finding(
            &fs,
            "writer-permission",
            "default/trust-mixup",
            "fail",
            "sts:AssumeRole"
        ),
        "{:#?}",
        findings_of(&fs, "writer-permission", "default/trust-mixup")
    );
    assert!(has_finding(
        &fs,
        "rule-state",
        "default/trust-mixup",
        "fail",
        "invocations failed"
    ));
    // ... and the mirror: a delivery role only EventBridge may assume.
    assert!(
        has_finding(
            &fs,
            "bucket-access",
            "trust-mirror",
            "fail",
            "sts:AssumeRole"
        ),
        "{:#?}",
        findings_of(&fs, "bucket-access", "trust-mirror")
    );
    all_ok(&fs, &["trust-ok", "default/trust-ok-events"]);

    // 2. HTTP endpoint: its own metrics, its own log group; the backup is not delivery.
    assert!(
        has_finding(
            &fs,
            "delivery",
            "dd-http",
            "fail",
            "HTTP endpoint delivery success 0%"
        ),
        "{:#?}",
        findings_of(&fs, "delivery", "dd-http")
    );
    assert!(has_finding(
        &fs,
        "delivery",
        "dd-http",
        "fail",
        "written to the S3 backup as failed"
    ));
    assert!(has_finding(
        &fs,
        "delivery-errors",
        "dd-http",
        "fail",
        "HttpEndpoint.DestinationException ×12"
    ));
    all_ok(&fs, &["dd-http-ok", "default/dd-ok-events"]);
    assert!(has_finding(
        &fs,
        "delivery",
        "dd-http-ok",
        "ok",
        "delivering to HTTP endpoint"
    ));

    // 3. Kinesis source: the rule feeding it through the Kinesis stream is in its pipeline,
    // the source role may not read, nothing is delivered (no data is not OK).
    assert!(
        has_finding(
            &fs,
            "source-access",
            "ks-archive",
            "fail",
            "kinesis:GetRecords"
        ),
        "{:#?}",
        findings_of(&fs, "source-access", "ks-archive")
    );
    assert!(has_finding(
        &fs,
        "delivery",
        "ks-archive",
        "unknown",
        "no data"
    ));
    assert!(has_finding(
        &fs,
        "delivery-errors",
        "ks-archive",
        "fail",
        "Kinesis.AccessDenied ×8"
    ));
    assert!(has_finding(
        &fs,
        "writer-permission",
        "default/clicks-to-kinesis",
        "ok",
        "kinesis:PutRecord"
    ));
    all_ok(&fs, &["ks-ok", "default/orders-to-kinesis"]);
    assert!(has_finding(
        &fs,
        "source-access",
        "ks-ok",
        "ok",
        "source role may read"
    ));

    // 4. Lambda processor: processing fails although S3 is green; the role may not invoke.
    assert!(has_finding(
        &fs,
        "processing",
        "lambda-xform",
        "fail",
        "Lambda processing success 0%"
    ));
    assert!(
        has_finding(
            &fs,
            "bucket-access",
            "lambda-xform",
            "fail",
            "lambda:InvokeFunction"
        ),
        "{:#?}",
        findings_of(&fs, "bucket-access", "lambda-xform")
    );
    assert!(has_finding(
        &fs,
        "delivery-errors",
        "lambda-xform",
        "fail",
        "Lambda.InvokeAccessDenied ×6"
    ));
    all_ok(&fs, &["lambda-ok"]);

    // 5. Resource-side policies: a key policy that neither trusts the account nor names the
    // role makes the role's KMS grant count for nothing; a bucket policy that takes writes
    // only through a VPC endpoint denies Firehose; a Kinesis stream policy denies the source.
    assert!(
        has_finding(
            &fs,
            "bucket-access",
            "kms-closed",
            "fail",
            "kms:GenerateDataKey"
        ),
        "{:#?}",
        findings_of(&fs, "bucket-access", "kms-closed")
    );
    all_ok(&fs, &["kms-ok"]);
    assert!(
        has_finding(&fs, "bucket-access", "vpce-only", "fail", "s3:PutObject"),
        "{:#?}",
        findings_of(&fs, "bucket-access", "vpce-only")
    );
    assert!(
        has_finding(
            &fs,
            "source-access",
            "ks-denied",
            "fail",
            "kinesis:GetRecords"
        ),
        "{:#?}",
        findings_of(&fs, "source-access", "ks-denied")
    );

    // Splunk and Redshift: their own metrics decide, the S3 backup / staging does not.
    assert!(
        has_finding(
            &fs,
            "delivery",
            "splunk-hec",
            "fail",
            "Splunk delivery success 0%"
        ),
        "{:#?}",
        findings_of(&fs, "delivery", "splunk-hec")
    );
    all_ok(&fs, &["redshift-ok"]);
    assert!(has_finding(
        &fs,
        "delivery",
        "redshift-ok",
        "ok",
        "delivering to Redshift"
    ));
    // An MSK source the source role may not read.
    assert!(
        has_finding(
            &fs,
            "source-access",
            "msk-archive",
            "fail",
            "kafka-cluster:ReadData"
        ),
        "{:#?}",
        findings_of(&fs, "source-access", "msk-archive")
    );
    assert!(has_finding(
        &fs,
        "delivery",
        "msk-archive",
        "unknown",
        "no data"
    ));

    // 6. A destination fhtop does not know is never OK.
    assert!(has_finding(
        &fs,
        "delivery",
        "mystery",
        "unknown",
        "destination not evaluated"
    ));
    assert!(
        findings_of(&fs, "bucket-access", "mystery")
            .iter()
            .all(|(s, _)| *s == "unknown"),
        "{:#?}",
        findings_of(&fs, "bucket-access", "mystery")
    );
    // Its delivery alarms cannot be named: its alarm coverage is never OK.
    let cov = findings_of(&fs, "alarm-coverage", "mystery");
    assert!(
        cov.len() == 1 && cov.iter().all(|(s, _)| *s != "ok"),
        "{cov:#?}"
    );
}

#[test]
fn perms_name_the_trust_policy_the_source_and_the_function() {
    let aws = start();
    let reports = |args: &[&str]| -> (i32, Vec<Value>) {
        let (code, out) = run(&aws, args);
        let v = json(&out);
        (code, v["reports"].as_array().cloned().expect("reports"))
    };
    let denied = |r: &Value, action: &str| {
        r["rows"].as_array().is_some_and(|rows| {
            rows.iter().any(|row| {
                row["action"] == action && row["decision"].as_str().unwrap_or("").ends_with("Deny")
            })
        })
    };

    // The rule's target role: allowed to put, but EventBridge may not assume it.
    let (code, rs) = reports(&["perms", "rule", "trust-mixup", "--json"]);
    assert_eq!(code, 2);
    assert!(denied(&rs[0], "sts:AssumeRole"), "{rs:#?}");
    assert!(!denied(&rs[0], "firehose:PutRecordBatch"), "{rs:#?}");
    let fixes = rs[0]["fixes"].to_string();
    assert!(fixes.contains("events.amazonaws.com"), "{fixes}");

    // The mirror: Firehose may not assume the delivery role.
    let (code, rs) = reports(&["perms", "stream", "trust-mirror", "--json"]);
    assert_eq!(code, 2);
    assert!(denied(&rs[0], "sts:AssumeRole"), "{rs:#?}");
    assert!(
        rs[0]["fixes"].to_string().contains("sts:ExternalId"),
        "{rs:#?}"
    );

    // The healthy twin: every report allowed.
    let (code, rs) = reports(&["perms", "stream", "trust-ok", "--json"]);
    assert_eq!(code, 0, "{rs:#?}");

    // Kinesis source: the source role may not read the stream.
    let (code, rs) = reports(&["perms", "stream", "ks-archive", "--json"]);
    assert_eq!(code, 2);
    let source = rs
        .iter()
        .find(|r| r["title"].as_str().unwrap_or("").contains("source role"))
        .expect("a source-role report");
    for a in [
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
    ] {
        assert!(denied(source, a), "{a}: {source:#?}");
    }
    assert!(
        rs.iter().any(|r| r["title"]
            .as_str()
            .unwrap_or("")
            .contains("clicks-to-kinesis")),
        "the rule feeding it through Kinesis is simulated: {rs:#?}"
    );
    let (code, rs) = reports(&["perms", "stream", "ks-ok", "--json"]);
    assert_eq!(code, 0, "{rs:#?}");

    // Lambda processor.
    let (code, rs) = reports(&["perms", "stream", "lambda-xform", "--json"]);
    assert_eq!(code, 2);
    assert!(denied(&rs[0], "lambda:InvokeFunction"), "{rs:#?}");
    let (code, rs) = reports(&["perms", "stream", "lambda-ok", "--json"]);
    assert_eq!(code, 0, "{rs:#?}");

    // HTTP endpoint: the delivery role writes its backup bucket.
    let (code, rs) = reports(&["perms", "stream", "dd-http-ok", "--json"]);
    assert_eq!(code, 0, "{rs:#?}");
    assert!(
        rs[0]["title"]
            .as_str()
            .unwrap_or("")
            .contains("HTTP endpoint (backup s3://shapes-lake)"),
        "{rs:#?}"
    );

    // The key policy decides KMS: the role's own grant does not count where the key policy
    // neither names it nor trusts the account; the fix goes to the key policy.
    let (code, rs) = reports(&["perms", "stream", "kms-closed", "--json"]);
    assert_eq!(code, 2);
    let row = |r: &Value, action: &str| -> Value {
        r["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|x| x["action"] == action).cloned())
            .unwrap_or(Value::Null)
    };
    let kms = row(&rs[0], "kms:GenerateDataKey");
    assert_eq!(kms["decision"], "implicitDeny", "{rs:#?}");
    assert!(
        kms["matched"].to_string().contains("key policy of"),
        "{kms}"
    );
    assert!(
        rs[0]["fixes"].to_string().contains("put-key-policy"),
        "{rs:#?}"
    );
    // The documented statement (kms:ViaService, the S3 encryption context) is decided, not
    // "undetermined", and the default key policy delegates to IAM: allowed.
    let (code, rs) = reports(&["perms", "stream", "kms-ok", "--json"]);
    assert_eq!(code, 0, "{rs:#?}");
    assert_eq!(row(&rs[0], "kms:GenerateDataKey")["decision"], "allowed");
    // aws:SourceVpce is known absent for Firehose's writes: the Deny applies.
    let (code, rs) = reports(&["perms", "stream", "vpce-only", "--json"]);
    assert_eq!(code, 2);
    let put = row(&rs[0], "s3:PutObject");
    assert_eq!(put["decision"], "explicitDeny", "{rs:#?}");
    assert!(
        put["matched"].to_string().contains("OnlyThroughVpce"),
        "{put}"
    );
    assert!(
        !rs[0].to_string().contains("needs aws:SourceVpce"),
        "decided, not undetermined: {rs:#?}"
    );

    // A bucket that no longer exists: denied, and the fix says so.
    let (code, rs) = reports(&["perms", "stream", "ghost-bucket", "--json"]);
    assert_eq!(code, 2, "{rs:#?}");
    assert_eq!(row(&rs[0], "s3:PutObject")["decision"], "implicitDeny");
    assert!(
        rs[0]["fixes"].to_string().contains("does not exist"),
        "{rs:#?}"
    );
    // A bucket policy that cannot be read (the server fails) might deny: undetermined, never
    // allowed.
    aws.fault_one("error500", "GET /shapes-lake/", "");
    let (code, rs) = reports(&["perms", "stream", "trust-ok", "--json"]);
    aws.fault("none", 0.0);
    assert_eq!(code, 1, "{rs:#?}");
    assert_eq!(
        row(&rs[0], "s3:PutObject")["decision"],
        "undetermined",
        "{rs:#?}"
    );

    // Unknown destination: not simulated, so not allowed.
    let (code, rs) = reports(&["perms", "stream", "mystery", "--json"]);
    assert_eq!(code, 2, "{rs:#?}");
}

#[test]
fn the_tui_rows_say_what_check_says() {
    let aws = start();
    let out = aws
        .fhtop(REGION)
        .args(["snapshot", "--width", "220", "--height", "60"])
        .output()
        .expect("fhtop runs");
    let screen = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{screen}");
    let row = |needle: &str| -> &str {
        screen
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("a row with {needle}:\n{screen}"))
    };
    for failing in [
        "default/trust-mixup",
        "trust-mirror",
        "default/dd-events",
        "lambda-xform",
        "default/clicks-to-kinesis",
        "kms-closed",
        "vpce-only",
        "ks-denied",
        "splunk-hec",
    ] {
        assert!(row(failing).contains("FAIL"), "{failing}: {}", row(failing));
    }
    // Rule → Kinesis stream → delivery stream is one pipeline row.
    assert!(row("default/clicks-to-kinesis").contains("ks-archive (via"));
    // Not evaluated is not OK.
    assert!(row("mystery").contains("?"), "{}", row("mystery"));
    for healthy in [
        "default/trust-ok-events",
        "default/dd-ok-events",
        "default/orders-to-kinesis",
        "lambda-ok",
        "kms-ok",
        "redshift-ok",
    ] {
        assert!(row(healthy).contains("OK"), "{healthy}: {}", row(healthy));
    }
}
