//! The real binary: `fhtop snapshot`, `fhtop config`, and the error paths.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

use std::process::Command;

fn fhtop(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fhtop"))
        .args(args)
        .env_remove("NO_COLOR")
        .env("XDG_CONFIG_HOME", "/nonexistent-fhtop-test")
        .output()
        .expect("fhtop runs")
}

#[test]
fn text_snapshot_is_48_plain_lines_with_alarm_and_rule_states() {
    let out = fhtop(&[
        "snapshot", "--demo", "--width", "160", "--height", "48", "--format", "text",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.contains(&0x1b), "no escape byte");
    assert!(
        out.stdout.iter().all(|&b| b == b'\n' || b >= 0x20),
        "no control byte at all"
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(text.lines().count(), 48);
    assert!(text.contains("ALARM"));
    assert!(text.contains("ENABLED"));
    assert!(text.contains("DISABLED"));
}

#[test]
fn global_options_work_after_the_subcommand_too() {
    let a = fhtop(&[
        "--demo",
        "--seed",
        "3",
        "snapshot",
        "--at",
        "2026-03-01T12:00:30Z",
    ]);
    let b = fhtop(&[
        "snapshot",
        "--at",
        "2026-03-01T12:00:30Z",
        "--seed",
        "3",
        "--demo",
    ]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout, "same frame either way");
    let c = fhtop(&[
        "snapshot",
        "--at",
        "2026-03-01T12:00:30Z",
        "--seed",
        "4",
        "--demo",
    ]);
    assert_ne!(a.stdout, c.stdout, "the seed changes the numbers");
}

#[test]
fn svg_snapshot_keeps_theme_colours() {
    let out = fhtop(&["snapshot", "--demo", "--format", "svg", "--theme", "light"]);
    assert!(out.status.success());
    let svg = String::from_utf8(out.stdout).expect("utf-8");
    assert!(svg.starts_with("<svg"));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("#eff1f5"), "light canvas background");
    assert!(svg.contains("#d20f39"), "light theme's fail colour");
    assert!(!svg.contains('\u{1b}'));
}

#[test]
fn no_color_snapshot_svg_has_no_theme_colours() {
    let out = Command::new(env!("CARGO_BIN_EXE_fhtop"))
        .args(["snapshot", "--demo", "--format", "svg"])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let svg = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        !svg.contains("#f7768e"),
        "default theme's fail colour is gone"
    );
}

#[test]
fn config_prints_effective_settings_and_keys() {
    let out = fhtop(&["--demo", "--read-only", "--theme", "ansi16", "config"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("theme = \"ansi16\""));
    assert!(text.contains("read_only = true"));
    assert!(text.contains("quit = [\"q\"]"));
    let again = fhtop(&[
        "--demo",
        "--read-only",
        "--theme",
        "ansi16",
        "--print-config",
    ]);
    assert_eq!(again.stdout, text.as_bytes());
}

#[test]
fn config_file_rebinds_keys_and_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("fhtop-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let good = dir.join("good.toml");
    std::fs::write(&good, "theme = \"light\"\n[keys]\nquit = [\"x\"]\n").expect("write");
    let out = fhtop(&["--config", good.to_str().unwrap_or_default(), "config"]);
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("quit = [\"x\"]"), "{text}");
    assert!(text.contains("theme = \"light\""));
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[keys]\nquit = [\"j\"]\n").expect("write");
    let out = fhtop(&["--config", bad.to_str().unwrap_or_default(), "--demo"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bound to both"), "{err}");
}

/// The binary with no AWS configuration at all: no credentials, no profile files, no IMDS, and
/// an endpoint on loopback so that nothing could ever reach a real AWS endpoint.
fn fhtop_without_aws(args: &[&str], creds: bool) -> std::process::Output {
    command_without_aws(args, creds)
        .output()
        .expect("fhtop runs")
}

/// The command [`fhtop_without_aws`] runs, to spawn with other stdio.
fn command_without_aws(args: &[&str], creds: bool) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fhtop"));
    c.args(args)
        .args([
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "us-east-1",
        ])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", "/nonexistent-fhtop-home")
        .env("AWS_CONFIG_FILE", "/nonexistent-fhtop/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent-fhtop/credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if creds {
        c.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
    }
    c
}

#[test]
fn no_credentials_gets_one_screen_of_explanation() {
    let out = fhtop_without_aws(&["snapshot"], false);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no usable AWS credentials"), "{err}");
    for hint in ["fhtop --demo", "--profile", "aws sso login"] {
        assert!(err.contains(hint), "names {hint}: {err}");
    }
    assert!(!err.contains("panicked") && !err.contains("stack backtrace"));
    assert!(err.lines().count() < 24, "fits one screen");
    assert!(
        !out.stderr.contains(&0x1b),
        "no terminal escapes on a plain error"
    );
}

#[test]
fn unreachable_endpoint_is_explained() {
    let out = fhtop_without_aws(&["snapshot"], true);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach AWS"), "{err}");
}

#[test]
fn unknown_theme_is_a_clear_error() {
    let out = fhtop(&["--demo", "--theme", "neon", "snapshot"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown theme \"neon\""));
}

/// The binary passes `--writer-policy` to the simulations a snapshot's keys run.
#[test]
fn snapshot_simulates_the_writer_policy_it_is_given() {
    let out = fhtop(&[
        "snapshot",
        "--demo",
        "--seed",
        "7",
        "--height",
        "60",
        "--writer-policy",
        "acme_firehose_producer",
        "--keys",
        "3 / p a y m e n t - s enter p",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("acme_firehose_producer"), "{text}");
}

/// A busy error log (the demo's clickstream stream logs an error every 2 s): `fhtop check`
/// reads past the hour's first page, so "newest" is the real newest and the check FAILs.
#[test]
fn check_reads_the_newest_errors_of_a_busy_log() {
    let out = fhtop(&["check", "--demo", "--stream", "clickstream-raw", "--json"]);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("check --json prints JSON");
    let errors: Vec<&serde_json::Value> = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["check"] == "delivery-errors")
        .collect();
    assert_eq!(errors.len(), 1, "{v:#}");
    assert_eq!(errors[0]["status"], "fail");
    let summary = errors[0]["summary"].as_str().unwrap_or("");
    // "(newest 2s ago)": seconds, not the first page's 14 minutes.
    assert!(
        summary.contains("(newest ") && summary.trim_end().ends_with("s ago)"),
        "{summary}"
    );
}

/// `fhtop ARGS | head -0`: standard output closed before fhtop writes anything. The output
/// ends quietly and the documented exit code stays (was: "failed printing to stdout: Broken
/// pipe", exit 101).
fn with_closed_stdout(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fhtop"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-fhtop-test")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("fhtop starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("fhtop ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_closed_stdout_ends_output_quietly_with_the_documented_exit_code() {
    let (code, err) = with_closed_stdout(&["--demo", "check", "--all"]);
    let (expected, _) = {
        let o = fhtop(&["--demo", "check", "--all"]);
        (o.status.code().unwrap_or(-1), o)
    };
    assert_eq!(code, expected, "the Nagios code stays: {err}");
    assert!((0..=3).contains(&code));
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    for args in [
        &["--demo", "perms", "stream", "orders-to-s3"][..],
        &["--demo", "check", "--json"],
        &["--demo", "snapshot"],
        &["policy"],
        &["man"],
    ] {
        let (code, err) = with_closed_stdout(args);
        assert_ne!(code, 101, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn policy_lists_every_operation_and_groups_change_apart() {
    let read = fhtop(&["policy"]);
    assert!(read.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&read.stdout).expect("a JSON policy");
    assert_eq!(doc["Version"], "2012-10-17");
    let text = doc.to_string();
    for action in [
        "events:ListRules",
        "events:ListTargetsByRule",
        "firehose:DescribeDeliveryStream",
        "cloudwatch:GetMetricData",
        "cloudwatch:DescribeAlarms",
        "logs:FilterLogEvents",
    ] {
        assert!(text.contains(action), "{action} in {text}");
    }
    assert!(
        !text.contains("EnableRule") && !text.contains("iam:"),
        "{text}"
    );
    let all = fhtop(&["policy", "--permissions", "--change"]);
    let all = String::from_utf8_lossy(&all.stdout).to_string();
    for action in [
        "iam:SimulatePrincipalPolicy",
        "s3:GetBucketPolicy",
        "kms:GetKeyPolicy",
        "events:EnableRule",
        "events:PutRule",
    ] {
        assert!(all.contains(action), "{action} in {all}");
    }
    // The README shows the same policy (it cannot drift from the code either).
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let shown = readme
        .split_once("The read-only policy today:\n\n```json\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .map(|(json, _)| json.trim().to_string())
        .expect("the README shows the read-only policy");
    assert_eq!(
        shown,
        String::from_utf8_lossy(&read.stdout).trim(),
        "README policy = `fhtop policy`"
    );
    let list = String::from_utf8_lossy(&fhtop(&["policy", "--list"]).stdout).to_string();
    assert!(
        list.lines()
            .any(|l| l.starts_with("cloudwatch:GetMetricData") && l.contains("read")),
        "{list}"
    );
}

#[test]
fn completions_man_and_version() {
    let bash = fhtop(&["completions", "bash"]);
    assert!(bash.status.success());
    let bash = String::from_utf8_lossy(&bash.stdout).to_string();
    assert!(
        bash.contains("_fhtop") && bash.contains("snapshot"),
        "{bash}"
    );
    let man = String::from_utf8_lossy(&fhtop(&["man"]).stdout).to_string();
    assert!(man.contains(".TH fhtop") && man.contains("check"), "{man}");
    let v = String::from_utf8_lossy(&fhtop(&["--version"]).stdout).to_string();
    let rev = v
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(r, _)| r.to_string())
        .unwrap_or_default();
    assert!(v.starts_with("fhtop 0."), "{v}");
    assert!(!rev.is_empty(), "a revision in parentheses: {v}");
    // ...followed by the target triple it was built for (e.g. x86_64-unknown-linux-gnu).
    let arch = std::env::consts::ARCH;
    let os = std::env::consts::OS;
    assert!(
        rev.split(", ")
            .nth(1)
            .is_some_and(|t| t.starts_with(&format!("{arch}-")) && t.contains(os)),
        "the target triple after the revision: {v}"
    );
    // Built from a git clone (as CI and the README build): the commit, not "unknown".
    if std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.git")).exists() {
        let head = Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        if !head.is_empty() {
            assert!(rev.starts_with(&head), "{v} names HEAD {head}");
        }
    }
}

fn write_tmp(name: &str, body: &str) -> String {
    let p = std::env::temp_dir().join(format!("fhtop-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, body).expect("write");
    p.display().to_string()
}

/// `fhtop pattern test --pattern`: no AWS account needed; the first failed field and the trap.
#[test]
fn pattern_test_names_the_field_and_needs_no_account() {
    let pattern = write_tmp(
        "p.json",
        r#"{"source":["acme.orders"],"detail-type":["order placed"]}"#,
    );
    let event = write_tmp(
        "e.json",
        r#"{"source":"acme.orders","detail-type":"Order Placed","detail":{"id":1}}"#,
    );
    let out = fhtop_without_aws(
        &["pattern", "test", "--pattern", &pattern, "--event", &event],
        false,
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "no match: {text}");
    assert!(
        text.contains("NO MATCH") && text.contains("decided by local"),
        "{text}"
    );
    assert!(
        text.contains("detail-type: wanted \"order placed\", had \"Order Placed\"")
            && text.contains("differs only in case"),
        "{text}"
    );
    assert!(text.contains("TestEventPattern: not asked"), "{text}");
    // JSON, and a match.
    let good = write_tmp("p2.json", r#"{"source":["acme.orders"]}"#);
    let out = fhtop_without_aws(
        &[
            "pattern",
            "test",
            "--pattern",
            &good,
            "--event",
            &event,
            "--json",
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["results"][0]["match"], true);
    assert_eq!(v["results"][0]["decided_by"], "local");
    // An invalid pattern is exit 2, naming the field.
    let bad = write_tmp("p3.json", r#"{"source":"acme.orders"}"#);
    let out = fhtop_without_aws(
        &["pattern", "test", "--pattern", &bad, "--event", &event],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("source: a field's values must be a list")
    );
}

/// `fhtop pattern test --rule` and `match --bus` on the demo account: the rule's own pattern.
#[test]
fn pattern_test_and_match_read_the_rules() {
    let event = write_tmp(
        "cancel.json",
        r#"{"version":"0","id":"1","detail-type":"OrderCancelled","source":"acme.orders","account":"123456789012","time":"2026-11-29T12:00:00Z","region":"us-east-1","resources":[],"detail":{"orderId":"o-1"}}"#,
    );
    let out = fhtop(&[
        "--demo",
        "pattern",
        "test",
        "--rule",
        "orders-bus/order-cancelled",
        "--event",
        &event,
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("MATCH") && text.contains("orders-bus/order-cancelled"),
        "{text}"
    );
    let out = fhtop(&[
        "--demo",
        "pattern",
        "match",
        "--bus",
        "orders-bus",
        "--event",
        &event,
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let results = v["results"].as_array().expect("results");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(results[0]["rule"], "orders-bus/order-cancelled", "{v}");
    assert!(results.iter().skip(1).all(|r| r["match"] == false), "{v}");
    assert!(
        results
            .iter()
            .skip(1)
            .all(|r| r["miss"]["path"].is_string()),
        "every miss names a field: {v}"
    );
}

/// `--event -` reads the event from standard input.
#[test]
fn pattern_test_reads_the_event_from_stdin() {
    use std::io::Write as _;
    let pattern = write_tmp("stdin-p.json", r#"{"detail":{"code":[500]}}"#);
    let mut child = command_without_aws(
        &["pattern", "test", "--pattern", &pattern, "--event", "-"],
        false,
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .spawn()
    .expect("fhtop starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(br#"{"detail":{"code":"500"}}"#)
        .expect("write");
    let out = child.wait_with_output().expect("fhtop ends");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("detail.code")
            && text.contains("as a string; the pattern wants the number 500"),
        "{text}"
    );
}

#[test]
fn man_has_a_page_for_every_subcommand_it_names() {
    // One page to standard output: fhtop(1), or a subcommand's.
    let top = fhtop(&["man"]);
    assert!(top.status.success());
    let top = String::from_utf8(top.stdout).unwrap();
    assert!(top.starts_with(".ie") || top.contains(".TH fhtop"), "{top}");
    let check = fhtop(&["man", "check"]);
    assert!(check.status.success());
    let check = String::from_utf8(check.stdout).unwrap();
    assert!(check.contains(".TH fhtop-check 1"), "{check}");
    assert!(
        check.contains("Nagios") || check.contains("\\-\\-json"),
        "{check}"
    );
    let nested = String::from_utf8(fhtop(&["man", "perms", "stream"]).stdout).unwrap();
    assert!(nested.contains(".TH fhtop-perms-stream 1"), "{nested}");

    // Every page into a directory: each subcommand fhtop(1) names has its own file.
    let dir = std::env::temp_dir().join(format!("fhtop-man-{}", std::process::id()));
    let out = fhtop(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(pages.contains(&"fhtop.1".to_string()), "{pages:?}");
    let named: Vec<&str> = top
        .lines()
        .filter_map(|l| l.strip_prefix("fhtop\\-"))
        .filter_map(|l| l.split(['(', ' ']).next())
        .collect();
    assert!(
        named.len() >= 5,
        "fhtop(1) names its subcommands' pages: {top}"
    );
    for n in named {
        let file = format!("fhtop-{}.1", n.replace("\\-", "-"));
        assert!(pages.contains(&file), "{file} in {pages:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    // A subcommand fhtop does not have: an error naming those it has.
    let bad = fhtop(&["man", "nosuch"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("no subcommand") && err.contains("check"),
        "{err}"
    );
}

#[test]
fn check_piped_prints_every_name_whole() {
    // stdout is a pipe here: the table's names are not cut to their 28-column column.
    let out = fhtop(&["--demo", "check", "--all"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let long = "default/hourly-metrics-snapshot";
    assert!(long.chars().count() > 28);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().nth(2) == Some(long)),
        "{text}"
    );
    assert!(!text.contains("default/hourly-metrics-sn…"), "{text}");
}
