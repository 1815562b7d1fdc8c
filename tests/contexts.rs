//! Several contexts (issue 15): two AWS-compatible servers as two accounts' worth of
//! pipelines, reached through two profiles of a temporary AWS config file with per-profile
//! endpoints — one healthy, one with a fault of each kind. `fhtop check` reads both at once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use harness::Aws;
use serde_json::Value;

const REGION: &str = "us-west-2";

/// Two servers (`lake` healthy, `team` with the incident) and an AWS config + credentials file
/// naming them as two profiles.
fn two_accounts() -> (Aws, Aws, PathBuf, PathBuf) {
    let lake = Aws::start();
    lake.seed(REGION, "healthy");
    let team = Aws::start();
    team.seed(REGION, "incident");
    let (config, creds) = aws_files(&lake.dir, &[("lake", &lake.url), ("team", &team.url)]);
    (lake, team, config, creds)
}

/// An AWS config file with one profile per (name, endpoint) in [`REGION`], and a credentials
/// file with the test keys for each, in `dir`.
fn aws_files(dir: &Path, profiles: &[(&str, &str)]) -> (PathBuf, PathBuf) {
    let (mut config, mut creds) = (String::new(), String::new());
    for (name, url) in profiles {
        config.push_str(&format!(
            "[profile {name}]\nregion = {REGION}\nendpoint_url = {url}\n\n"
        ));
        creds.push_str(&format!(
            "[{name}]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n"
        ));
    }
    let (c, k) = (dir.join("aws-config"), dir.join("aws-credentials"));
    std::fs::write(&c, config).unwrap();
    std::fs::write(&k, creds).unwrap();
    (c, k)
}

/// The findings of `checks` (a `--json` report's) whose context is named `ctx`.
fn findings_of<'a>(checks: &'a [Value], ctx: &str) -> Vec<&'a Value> {
    checks
        .iter()
        .filter(|c| c["context"]["name"] == ctx)
        .collect()
}

/// The binary with only these AWS files (no endpoint flag: each profile names its own).
fn fhtop(config: &Path, creds: &Path, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(common::tmux::binary())
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", creds)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .stdin(Stdio::null())
        .output()
        .expect("fhtop runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn check_reads_every_context_and_one_down_leaves_the_other() {
    let (lake, team, config, creds) = two_accounts();
    let args = ["check", "--profile", "lake", "--profile", "team", "--json"];
    let (code, out, err) = fhtop(&config, &creds, &lake.dir, &args);
    assert_eq!(code, 2, "the team account has failures: {err}{out:.3000}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let checks = v["checks"].as_array().unwrap();
    let of = |ctx: &str| findings_of(checks, ctx);
    let (lake_f, team_f) = (of("lake"), of("team"));
    assert!(!lake_f.is_empty() && !team_f.is_empty(), "{v}");
    assert_eq!(
        lake_f.len() + team_f.len(),
        checks.len(),
        "every finding has its context"
    );
    // Each account's own pipelines, with their own verdicts.
    assert!(lake_f.iter().all(|c| c["status"] == "ok"), "{lake_f:?}");
    assert!(team_f.iter().any(|c| c["status"] == "fail"), "{team_f:?}");
    assert!(lake_f.iter().any(|c| c["target"] == "signups-raw"));
    assert!(team_f.iter().any(|c| c["target"] == "clickstream-raw"));
    assert!(!lake_f.iter().any(|c| c["target"] == "clickstream-raw"));
    for c in checks {
        assert_eq!(c["context"]["account"], "123456789012");
        assert_eq!(c["context"]["region"], REGION);
    }

    // One server gone: the other context is read whole, the gone one is UNKNOWN.
    team.fault("down", 0.0);
    let (code, out, err) = fhtop(&config, &creds, &lake.dir, &args);
    assert_eq!(code, 3, "{err}{out:.3000}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let contexts = v["contexts"].as_array().unwrap();
    let team_ctx = contexts.iter().find(|c| c["name"] == "team").unwrap();
    assert!(
        team_ctx["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{team_ctx}"
    );
    let lake_now = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["context"]["name"] == "lake")
        .count();
    assert_eq!(lake_now, lake_f.len(), "the lake context is read whole");

    // The text report: one section per context.
    team.fault("none", 0.0);
    let (_, out, _) = fhtop(&config, &creds, &lake.dir, &args[..5]);
    assert!(out.contains("context lake"), "{out:.2000}");
    assert!(out.contains("context team"), "{out:.2000}");

    // A command naming a rule acts in the one context that has it, and refuses a name in
    // both, listing them; nothing mutating reaches either server for the refusal.
    lake.reset_counts();
    team.reset_counts();
    let with_both = |args: &[&str]| {
        let mut v: Vec<&str> = args.to_vec();
        v.extend(["--profile", "lake", "--profile", "team"]);
        fhtop(&config, &creds, &lake.dir, &v)
    };
    let (code, out, err) = with_both(&["rule", "disable", "signup-events", "--yes"]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        err.contains("is in 2 contexts (lake, team)") && err.contains("--context"),
        "{err}"
    );
    assert_eq!(lake.count("DisableRule") + team.count("DisableRule"), 0);
    let (code, out, err) = with_both(&[
        "rule",
        "disable",
        "order-events",
        "--bus",
        "orders-bus",
        "--yes",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("is in context team"), "{err}");
    assert_eq!(team.count("DisableRule"), 1, "done in team");
    assert_eq!(lake.count("DisableRule"), 0, "never in lake");
    // A context that cannot answer might have the rule too: no change is made anywhere.
    team.fault("down", 0.0);
    let (code, out, err) = with_both(&[
        "rule",
        "enable",
        "order-events",
        "--bus",
        "orders-bus",
        "--yes",
    ]);
    team.fault("none", 0.0);
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        err.contains("cannot tell which context") && err.contains("team"),
        "{err}"
    );
    assert_eq!(lake.count("EnableRule") + team.count("EnableRule"), 0);
    let (code, _, err) = with_both(&["perms", "stream", "signups-raw"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is in 2 contexts (lake, team)"), "{err}");
    let (code, _, err) = with_both(&["rule", "enable", "no-such-rule", "--yes"]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("no context has rule default/no-such-rule"),
        "{err}"
    );
    // A command that names nothing (the writer policy on every stream) takes one context.
    let (code, out, err) = with_both(&["perms", "policy"]);
    assert_ne!(code, 0);
    let said = format!("{out}{err}");
    assert!(
        said.contains("reads one context") && said.contains("lake") && said.contains("team"),
        "{said}"
    );
}

/// A list row (a line inside a pane's border) naming `context` and `name`.
fn row_with(screen: &str, context: &str, name: &str) -> bool {
    screen
        .lines()
        .any(|l| l.starts_with('│') && l.contains(&format!(" {context} ")) && l.contains(name))
}

/// The header's slot of `context`: from its name to the next context's (or the end).
fn header_slot<'a>(screen: &'a str, context: &str) -> &'a str {
    let header = screen.lines().next().unwrap_or("");
    let from = header
        .find(&format!(" {context} "))
        .unwrap_or_else(|| panic!("{context} is in the header: {header}"));
    let rest = &header[from + context.len() + 2..];
    &rest[..rest.find(" · ").unwrap_or(rest.len())]
}

/// The done-when of issue 15: the real binary in tmux over two servers reached through two
/// profiles shows both contexts' rows with their context, `:ctx` focuses one, a rule toggle
/// names its context and changes only that server's rule, and a server stopped leaves the
/// other context live.
#[test]
fn the_dashboard_shows_both_contexts_and_one_stopped_leaves_the_other_live() {
    let (lake, team, config, creds) = two_accounts();
    let t = common::tmux::Tmux::start("contexts");
    let env = format!(
        "AWS_CONFIG_FILE={} AWS_SHARED_CREDENTIALS_FILE={} AWS_EC2_METADATA_DISABLED=true",
        config.display(),
        creds.display()
    );
    t.launch_with(&env, "--profile lake --profile team --refresh 2");
    // Both contexts' rows, each with its context: the same stream in both is two rows.
    let s = t.wait_for("both contexts' rows", |s| {
        row_with(s, "lake", "signups-raw")
            && row_with(s, "team", "signups-raw")
            && row_with(s, "team", "clickstream-raw")
    });
    assert!(s.contains("CONTEXT"), "{s}");
    // Every stream and rule described in both (the header says while a context reads).
    let s = t.wait_for("both inventories read", |s| {
        !s.lines().next().unwrap_or("").contains("described")
            && row_with(s, "team", "payment-refunded")
    });
    assert!(!row_with(&s, "lake", "clickstream-raw"), "{s}");
    assert!(!header_slot(&s, "lake").contains("STALE"), "{s}");

    // `:ctx team` shows only team's rows; `:ctx all` every context's again.
    t.literal(":ctx team");
    t.keys(&["Enter"]);
    let s = t.wait_text("[:ctx team]");
    assert!(!row_with(&s, "lake", "signups-raw"), "{s}");
    assert!(row_with(&s, "team", "signups-raw"), "{s}");
    t.literal(":ctx all");
    t.keys(&["Enter"]);
    t.wait_for("lake's rows again", |s| row_with(s, "lake", "signups-raw"));

    // A name in both contexts is ambiguous for a jump; one in team only opens there.
    t.literal(":stream signups-raw");
    t.keys(&["Enter"]);
    let s = t.wait_text("is in 2 contexts");
    assert!(s.contains("lake, team"), "{s}");
    lake.reset_counts();
    team.reset_counts();
    t.literal(":rule payment-refunded");
    t.keys(&["Enter"]);
    t.wait_text("› team › rule orders-bus/payment-refunded");
    t.keys(&["t"]);
    let s = t.wait_text("Enable rule orders-bus/payment-refunded?");
    assert!(
        s.lines()
            .any(|l| l.contains("context") && l.contains("team")),
        "the dialog names the context: {s}"
    );
    t.keys(&["y"]);
    t.wait_text("team: orders-bus/payment-refunded: confirmed");
    assert_eq!(team.count("EnableRule"), 1, "the change went to team");
    assert_eq!(lake.count("EnableRule"), 0, "and nothing to lake");
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys(&["1"]);

    // The team server stopped: its slot goes stale, lake keeps being read and shown.
    drop(team);
    let s = t.wait_for("team stale", |s| header_slot(s, "team").contains("STALE"));
    assert!(row_with(&s, "lake", "signups-raw"), "{s}");
    lake.reset_counts();
    t.wait_for("lake read again", |_| lake.count("GetMetricData") >= 2);
    let s = t.screen();
    assert!(!header_slot(&s, "lake").contains("STALE"), "{s}");
    assert!(row_with(&s, "lake", "signups-raw"), "{s}");
    // team's rows stay (old data, marked stale), never blank the screen.
    assert!(row_with(&s, "team", "clickstream-raw"), "{s}");
    t.keys(&["q"]);
    t.assert_terminal_restored("q");
}

/// `--org-role`: one server as an AWS Organization (moto keeps each account's resources apart
/// by the credentials' account) — the management account with the healthy pipeline, member
/// account `team` with the incident, read by assuming OrganizationAccountAccessRole. Each
/// account is a context of its own, with its own findings.
#[test]
fn org_role_reads_every_account_of_the_organization() {
    let aws = Aws::start();
    aws.seed(REGION, "org");
    let (config, creds) = aws_files(&aws.dir, &[("mgmt", &aws.url)]);
    let args = [
        "check",
        "--profile",
        "mgmt",
        "--org-role",
        "OrganizationAccountAccessRole",
        "--json",
    ];
    let (code, out, err) = fhtop(&config, &creds, &aws.dir, &args);
    assert_eq!(code, 2, "team's incident: {err}{out:.3000}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let contexts = v["contexts"].as_array().unwrap();
    let names: Vec<&str> = contexts.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"team"), "{names:?}");
    let checks = v["checks"].as_array().unwrap();
    let of = |ctx: &str| findings_of(checks, ctx);
    let team = of("team");
    let management: Vec<&Value> = checks
        .iter()
        .filter(|c| c["context"]["name"] != "team")
        .collect();
    // Each account read as itself: the incident only in team, its account its own.
    assert!(
        team.iter()
            .any(|c| c["target"] == "clickstream-raw" && c["status"] == "fail")
    );
    assert!(
        team.iter()
            .all(|c| c["context"]["account"] != "123456789012")
    );
    assert!(management.iter().any(|c| c["target"] == "signups-raw"));
    assert!(!management.iter().any(|c| c["target"] == "clickstream-raw"));
    assert!(
        management.iter().all(|c| c["status"] == "ok"),
        "{management:?}"
    );
    assert!(aws.count("ListAccounts") >= 1);
    assert!(aws.count("AssumeRole") >= 1, "{:?}", aws.counts());

    // The demo account is no organization: refused, naming the flag.
    let (code, _, err) = fhtop(
        &config,
        &creds,
        &aws.dir,
        &["check", "--profile", "mgmt", "--org-role", "R", "--demo"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("--org-role"), "{err}");
}
