//! The differential test of the local evaluator ([`super::eval`]) against an independent IAM
//! simulator, `@cloud-copilot/iam-simulate` (npm, pinned in `tests/iamsim/package.json` and
//! its lock file; `tests/run.sh` installs it). A deterministic generator makes cases over the
//! policy kinds fhtop reads — identity, permissions boundary, bucket / KMS key / Kinesis stream
//! policies, conditions with set operators, cross-account, NotPrincipal, NotAction,
//! NotResource, wildcards — plus the examples of issue 25; `tests/iamsim/run.mjs` decides each
//! with the simulator, and every answer of fhtop must agree: no "allowed" where it denies, no
//! "denied" where it allows, and each "undetermined" names what it needs.
//!
//! Where fhtop is deliberately not the simulator's answer it is undetermined, never the
//! opposite decision, and the reason is at the rule in `eval.rs`:
//! - a Principal naming a role *session* while fhtop simulates the role: the real caller is a
//!   session whose name fhtop does not know;
//! - a Deny with NotPrincipal that names the role but not its account: the IAM User Guide
//!   (NotPrincipal) says AWS may check the account first, which is then not excluded.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::eval::{self, Decision, Missing, PolicyKind};

mod examples;
mod generate;
use examples::examples;
use generate::generated;

pub(super) const ACCT: &str = "111122223333";
pub(super) const OTHER: &str = "444455556666";
pub(super) const ROLE: &str = "arn:aws:iam::111122223333:role/fh-delivery";
pub(super) const OTHER_ROLE: &str = "arn:aws:iam::111122223333:role/admin";
pub(super) const KEY: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub(super) const FOREIGN_KEY: &str =
    "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub(super) const OBJECT: &str = "arn:aws:s3:::acme-lake/data/2024/x.gz";
pub(super) const BUCKET: &str = "arn:aws:s3:::acme-lake";
pub(super) const STREAM: &str = "arn:aws:kinesis:us-east-1:111122223333:stream/source";
pub(super) const FOREIGN_STREAM: &str = "arn:aws:kinesis:us-east-1:444455556666:stream/source";
pub(super) const DELIVERY: &str = "arn:aws:firehose:us-east-1:111122223333:deliverystream/orders";

/// One generated case.
#[derive(Debug, Clone)]
pub(super) struct Case {
    pub(super) id: String,
    /// The policy kind it exercises, for the agreement figures.
    pub(super) kind: &'static str,
    pub(super) identity: Vec<Value>,
    pub(super) boundary: Option<Value>,
    pub(super) resource_policy: Option<Value>,
    pub(super) principal: String,
    pub(super) action: String,
    pub(super) resource: String,
    pub(super) resource_account: String,
    /// Original-case key → values (one value is sent as a string, except aws:TagKeys).
    pub(super) context: BTreeMap<String, Vec<String>>,
    /// How fhtop takes keys not in the context: Absent (as SimulatePrincipalPolicy and the
    /// simulator do), or Unknown (a service's request whose value fhtop cannot know).
    pub(super) missing: Missing,
}

pub(super) fn parse(name: &str, kind: PolicyKind, v: &Value) -> eval::Policy {
    eval::parse(name, kind, &v.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// fhtop's decision for a case (keys the simulator drops for the action are dropped here too).
pub(super) fn fhtop(c: &Case, dropped: &[String]) -> eval::Evaluation {
    let mut policies: Vec<eval::Policy> = c
        .identity
        .iter()
        .enumerate()
        .map(|(i, p)| parse(&format!("identity{i}"), PolicyKind::Identity, p))
        .collect();
    if let Some(b) = &c.boundary {
        policies.push(parse("boundary", PolicyKind::Boundary, b));
    }
    if let Some(r) = &c.resource_policy {
        policies.push(parse("resource", PolicyKind::Resource, r));
    }
    let ctx: BTreeMap<String, Vec<String>> = c
        .context
        .iter()
        .filter(|(k, _)| !dropped.iter().any(|d| d.eq_ignore_ascii_case(k)))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    eval::evaluate(
        &policies,
        &eval::Request {
            principal: &c.principal,
            account: &c.resource_account,
            action: &c.action,
            resource: &c.resource,
            context: &ctx,
            missing: c.missing,
        },
    )
}

pub(super) fn case_json(c: &Case) -> Value {
    let ctx: serde_json::Map<String, Value> = c
        .context
        .iter()
        .map(|(k, v)| {
            let value = if v.len() == 1 && k != "aws:TagKeys" {
                json!(v[0])
            } else {
                json!(v)
            };
            (k.clone(), value)
        })
        .collect();
    json!({
        "id": c.id, "identity": c.identity, "boundary": c.boundary,
        "resource_policy": c.resource_policy, "principal": c.principal, "action": c.action,
        "resource": c.resource, "resource_account": c.resource_account, "context": ctx,
    })
}

/// The simulator's answers, by case id. Fails (never skips) when node or the pinned package
/// is missing.
pub(super) fn simulate(cases: &[Case]) -> BTreeMap<String, Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/iamsim");
    assert!(
        dir.join("node_modules/@cloud-copilot/iam-simulate")
            .is_dir(),
        "the IAM reference simulator is not installed: run `npm ci --prefix tests/iamsim` \
         (tests/run.sh does it)"
    );
    let mut child = Command::new("node")
        .arg("run.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `node` ({e}): install Node.js and npm (tests/run.sh does it)")
        });
    let input = Value::Array(cases.iter().map(case_json).collect()).to_string();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("node's output");
    writer.join().expect("writer").expect("write cases");
    assert!(
        out.status.success(),
        "tests/iamsim/run.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON answers");
    answers
        .into_iter()
        .map(|a| (a["id"].as_str().unwrap_or_default().to_string(), a))
        .collect()
}

#[derive(Default, Debug)]
pub(super) struct Tally {
    pub(super) cases: usize,
    pub(super) agree: usize,
    pub(super) undetermined: usize,
    pub(super) wrong_allowed: usize,
    pub(super) wrong_denied: usize,
    pub(super) invalid: usize,
    /// Cases the simulator allows (a kind with none, or all, would test nothing).
    pub(super) sim_allowed: usize,
    pub(super) keys: Vec<String>,
}

#[test]
pub(super) fn the_local_evaluator_agrees_with_an_independent_simulator() {
    let mut cases = examples();
    cases.extend(generated(700));
    let answers = simulate(&cases);
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for c in &cases {
        let a = &answers[&c.id];
        let t = tallies.entry(c.kind).or_default();
        let sim = a["decision"].as_str().unwrap_or("");
        if sim == "Error" {
            t.invalid += 1;
            continue;
        }
        t.cases += 1;
        let dropped: Vec<String> = a["ignored"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let e = fhtop(c, &dropped);
        let sim_allowed = sim == "Allowed";
        t.sim_allowed += usize::from(sim_allowed);
        match &e.decision {
            Decision::Undetermined(k) => {
                t.undetermined += 1;
                if k.trim().is_empty() {
                    failures.push(format!("{}: undetermined without a key", c.id));
                }
                if !t.keys.contains(k) {
                    t.keys.push(k.clone());
                }
            }
            Decision::Allowed if !sim_allowed => {
                t.wrong_allowed += 1;
                failures.push(format!(
                    "{}: fhtop allowed, simulator {sim}: {}",
                    c.id,
                    case_json(c)
                ));
            }
            Decision::ImplicitDeny | Decision::ExplicitDeny if sim_allowed => {
                t.wrong_denied += 1;
                failures.push(format!(
                    "{}: fhtop {:?}, simulator allowed: {}",
                    c.id,
                    e.decision,
                    case_json(c)
                ));
            }
            _ => t.agree += 1,
        }
    }
    let mut total = Tally::default();
    for (kind, t) in &tallies {
        eprintln!(
            "{kind:28} cases {:4} (allowed {:3}) agree {:4} undetermined {:3} wrong-allowed {} wrong-denied {} invalid {} keys {:?}",
            t.cases,
            t.sim_allowed,
            t.agree,
            t.undetermined,
            t.wrong_allowed,
            t.wrong_denied,
            t.invalid,
            t.keys
        );
        assert!(
            t.sim_allowed > 0 && t.sim_allowed < t.cases,
            "{kind}: the simulator allows {} of {} cases: the generator tests nothing there",
            t.sim_allowed,
            t.cases
        );
        total.cases += t.cases;
        total.agree += t.agree;
        total.undetermined += t.undetermined;
        total.invalid += t.invalid;
    }
    eprintln!(
        "total: cases {} agree {} undetermined {} invalid {}",
        total.cases, total.agree, total.undetermined, total.invalid
    );
    assert!(total.cases >= 500, "only {} valid cases", total.cases);
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
