//! "The rule is not triggering" (issue 13), against moto through the harness proxy and the real
//! binary: a rule whose pattern compares `detail.amount` as a number while the shop sends it as
//! a string, next to a catch-all rule on the same bus that logged real events. The tester
//! (`m`), `fhtop pattern test`, `fhtop pattern match` and `fhtop check` all name the failing
//! field; TestEventPattern (answered by the proxy with moto's own engine) is asked beside the
//! local engine.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use harness::Aws;
use serde_json::Value;

const REGION: &str = "sa-east-1";

fn run(aws: &Aws, args: &[&str]) -> (i32, String, String) {
    aws.run(REGION, args)
}

fn paid_event(dir: &std::path::Path) -> String {
    let p = dir.join("paid.json");
    std::fs::write(
        &p,
        r#"{"version":"0","id":"e-1","detail-type":"Order Paid","source":"shop.orders","account":"123456789012","time":"2026-11-29T12:00:00Z","region":"sa-east-1","resources":[],"detail":{"orderId":"o-1","amount":"12.50","currency":"EUR"}}"#,
    )
    .expect("write");
    p.display().to_string()
}

#[test]
fn every_way_in_names_the_failing_field() {
    let aws = Aws::start();
    aws.seed(REGION, "patterns");
    let event = paid_event(&aws.dir);

    // fhtop pattern test: no match, the field and the trap, EventBridge's engine asked too.
    let (code, out, err) = run(
        &aws,
        &[
            "pattern",
            "test",
            "--rule",
            "shop-bus/order-paid",
            "--event",
            &event,
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("NO MATCH") && out.contains("decided by TestEventPattern"),
        "{out}"
    );
    assert!(
        out.contains("detail.amount: wanted a number > 0, had \"12.50\"")
            && out.contains("as a string"),
        "{out}"
    );
    assert_eq!(aws.count("TestEventPattern"), 1);

    // fhtop pattern match: the catch-all matches, order-paid misses at detail.amount.
    let (code, out, _) = run(
        &aws,
        &[
            "pattern", "match", "--bus", "shop-bus", "--event", &event, "--json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let results = v["results"].as_array().expect("results");
    let by = |name: &str| {
        results
            .iter()
            .find(|r| r["rule"] == name)
            .unwrap_or_else(|| panic!("{name} in {v}"))
    };
    assert_eq!(by("shop-bus/shop-log")["match"], true);
    assert_eq!(by("shop-bus/order-paid")["match"], false);
    assert_eq!(by("shop-bus/order-paid")["miss"]["path"], "detail.amount");
    assert_eq!(
        by("shop-bus/order-paid")["disagree"],
        false,
        "moto's engine agrees"
    );

    // fhtop check: the rule matched nothing; the logged events of its bus say why.
    let (_, out, _) = run(&aws, &["check", "--json", "--rule", "shop-bus/order-paid"]);
    let v: Value = serde_json::from_str(&out).expect("json");
    let f = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|f| f["check"] == "pattern-samples")
        .unwrap_or_else(|| panic!("a pattern-samples finding: {v}"));
    assert_eq!(f["status"], "warn");
    let summary = f["summary"].as_str().unwrap_or("");
    assert!(
        summary.starts_with("0 of 6 recent events on bus shop-bus match")
            && summary.contains("detail.amount")
            && summary.contains("as a string"),
        "{summary}"
    );

    // The TUI tester (`m` on the rule), drawn by the real binary.
    let (code, screen, err) = run(
        &aws,
        &[
            "snapshot",
            "--width",
            "160",
            "--height",
            "48",
            "--keys",
            "3 / o r d e r - p a i d enter m",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        screen.contains("Pattern test — rule shop-bus/order-paid"),
        "{screen}"
    );
    assert!(
        screen.contains("0 of 6 recent events on bus shop-bus match"),
        "{screen}"
    );
    assert!(screen.contains("detail.amount"), "{screen}");
    // The nearest miss is picked first; the opposite question is answered: which rules take
    // that event (the catch-all).
    assert!(screen.contains("NO MATCH — sample"), "{screen}");
    assert!(
        screen.contains("rules on bus shop-bus that match this event")
            && screen.contains("shop-log"),
        "the opposite question is answered: {screen}"
    );
}
