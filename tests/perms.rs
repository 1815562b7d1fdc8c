//! Permission simulations over real HTTP with the real SDK clients:
//! - against moto (which answers iam:SimulatePrincipalPolicy with a 500), so the fallback runs
//!   for real: IAM read calls + S3 GetBucketPolicy + the local evaluator;
//! - against a loopback responder that returns SimulatePrincipalPolicy answers as AWS documents
//!   them (allowed / implicitDeny / explicitDeny, MatchedStatements, truncation with Marker).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;
mod harness;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use fhtop::backend::Backend;
use fhtop::backend::aws::{AwsBackend, AwsOptions};
use fhtop::judge::iam::{self, Decision, Report, Verdict};
use fhtop::model::RuleKey;
use harness::Aws;

fn by_title<'a>(reports: &'a [Report], part: &str) -> &'a Report {
    reports
        .iter()
        .find(|r| r.title.contains(part))
        .unwrap_or_else(|| panic!("no report titled …{part}…: {reports:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_account_fallback_finds_the_missing_actions_and_passes_the_healthy_roles() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    let backend = aws.backend("us-west-2").await;
    let inv = backend.inventory().await.expect("inventory");
    aws.reset_counts();

    // The stream whose delivery role lost s3:PutObject (its bucket refuses plain HTTP).
    let clicks = inv.stream("clickstream-raw").expect("seeded");
    let reports = iam::run_all(
        backend.as_ref(),
        &iam::for_stream(&inv, clicks, "firehose_writer"),
    )
    .await;
    let delivery = by_title(&reports, "delivery role");
    assert!(
        delivery.engine.starts_with("local evaluator"),
        "moto has no simulator, so the fallback ran: {}",
        delivery.engine
    );
    assert!(delivery.engine.contains("SimulatePrincipalPolicy"));
    assert_eq!(delivery.verdict(), Verdict::Denied, "{delivery:#?}");
    assert_eq!(delivery.denied_actions(), vec!["s3:PutObject"]);
    assert!(
        delivery
            .notes
            .iter()
            .any(|n| n.contains("bucket policy of acme-clicks included")),
        "{:?}",
        delivery.notes
    );
    for r in &delivery.rows {
        if r.action == "s3:PutObject" {
            assert_eq!(r.decision, "implicitDeny");
        } else if r.action == "sts:AssumeRole" {
            // Firehose may assume it: its trust policy names firehose.amazonaws.com.
            assert_eq!(r.decision, "allowed", "{r:?}");
            assert_eq!(r.matched, ["trust policy of firehose-clickstream-raw"]);
        } else {
            assert_eq!(r.decision, "allowed", "{r:?}");
            assert!(
                r.matched
                    .iter()
                    .any(|m| m.contains("Sid S3Delivery") || m.contains("Sid ErrorLogging")),
                "{r:?}"
            );
        }
    }
    let fix = delivery.fixes.join("\n");
    assert!(fix.contains("\"s3:PutObject\""), "{fix}");
    assert!(
        fix.contains("arn:aws:s3:::acme-clicks/clickstream-raw/*"),
        "{fix}"
    );
    assert!(fix.contains("firehose-clickstream-raw"), "{fix}");
    // The EventBridge role feeding it has firehose_writer: allowed.
    let feeding = by_title(&reports, "clickstream-capture");
    assert_eq!(feeding.verdict(), Verdict::Allowed, "{feeding:#?}");
    assert!(
        feeding.rows[0]
            .matched
            .iter()
            .any(|m| m.contains("policy/firehose_writer")),
        "{feeding:#?}"
    );

    // Healthy delivery roles, one with a permissions boundary.
    // Rows: 2 bucket-level + 3 object actions × (prefix, error prefix) + 1 log row if logging
    // + 1 sts:AssumeRole (may Firehose assume the role: its trust policy).
    for (name, rows) in [("orders-to-s3", 10), ("audit-trail", 9)] {
        let s = inv.stream(name).expect("seeded");
        let r = iam::run(backend.as_ref(), &iam::stream_request(s).expect("S3")).await;
        assert_eq!(r.verdict(), Verdict::Allowed, "{name}: {r:#?}");
        assert_eq!(r.rows.len(), rows, "{name}: {r:#?}");
    }

    // The target role that allows only PutRecord: EventBridge sends batches.
    let refunds = inv
        .rule(&RuleKey {
            bus: "orders-bus".into(),
            name: "payment-refunded".into(),
        })
        .expect("seeded");
    let reports = iam::run_all(backend.as_ref(), &iam::for_rule(refunds, "firehose_writer")).await;
    let target = by_title(&reports, "target");
    assert_eq!(target.verdict(), Verdict::Denied);
    assert_eq!(target.denied_actions(), vec!["firehose:PutRecordBatch"]);
    assert!(target.fixes[0].contains("firehose:PutRecordBatch"));
    assert!(target.fixes[0].contains("deliverystream/audit-trail"));
    let writer = by_title(&reports, "Policy firehose_writer");
    assert_eq!(writer.verdict(), Verdict::Allowed, "{writer:#?}");
    assert_eq!(writer.engine, "policy document (local evaluator)");

    // A healthy target role.
    let orders = inv
        .rule(&RuleKey {
            bus: "orders-bus".into(),
            name: "order-events".into(),
        })
        .expect("seeded");
    let r = iam::run(backend.as_ref(), &iam::rule_requests(orders)[0]).await;
    assert_eq!(r.verdict(), Verdict::Allowed, "{r:#?}");

    // The runbook's policy under another name does not exist.
    let r = iam::run(
        backend.as_ref(),
        &iam::writer_request("no_such_policy", vec![]),
    )
    .await;
    assert_eq!(r.verdict(), Verdict::Error);
    assert!(
        r.summary()
            .contains("no customer-managed policy named no_such_policy")
    );

    // Every read went to the server: the simulator first, then the IAM reads.
    let c = aws.counts();
    for op in [
        "SimulatePrincipalPolicy",
        "GetRole",
        "ListAttachedRolePolicies",
        "GetPolicy",
        "GetPolicyVersion",
        "ListRolePolicies",
        "GetRolePolicy",
        "ListPolicies",
    ] {
        assert!(
            c.get(op).and_then(|v| v.as_u64()).unwrap_or(0) > 0,
            "{op} reached the server: {c:?}"
        );
    }
    assert!(
        c.keys().any(|k| k.starts_with("GET /acme-clicks")),
        "GetBucketPolicy reached the server: {c:?}"
    );
    // Nothing mutating.
    assert!(
        !c.keys()
            .any(|k| k.starts_with("Put") || k.starts_with("Attach")),
        "{c:?}"
    );
}

#[test]
fn cli_perms_exit_codes_follow_the_verdict() {
    let aws = Aws::start();
    aws.seed("us-west-2", "incident");
    let run = |args: &[&str]| {
        let out = aws
            .fhtop("us-west-2")
            .arg("perms")
            .args(args)
            .output()
            .expect("fhtop runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, out) = run(&["stream", "clickstream-raw"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("DENIED: s3:PutObject"), "{out}");
    assert!(
        out.contains("\"Effect\": \"Allow\""),
        "a ready-to-paste fix: {out}"
    );
    let (code, out) = run(&["stream", "orders-to-s3"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["--json", "rule", "payment-refunded", "--bus", "orders-bus"]);
    assert_eq!(code, Some(2), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let rows = v["reports"][0]["rows"].as_array().expect("rows");
    let batch = rows
        .iter()
        .find(|r| r["action"] == "firehose:PutRecordBatch")
        .expect("row");
    assert_eq!(batch["decision"], "implicitDeny");
    let (code, out) = run(&[
        "custom",
        "--principal",
        "arn:aws:iam::123456789012:role/firehose-audit-trail",
        "--action",
        "s3:PutObject,s3:DeleteBucket",
        "--resource",
        "arn:aws:s3:::acme-lake/audit-trail/x",
    ]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("DENIED: s3:DeleteBucket"), "{out}");
}

/// A loopback HTTP server answering every request with the next of `pages` (then the last one
/// again), recording the request bodies.
fn responder(pages: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", l.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    std::thread::spawn(move || {
        for (i, conn) in l.incoming().enumerate() {
            let Ok(mut s) = conn else { return };
            let mut r = BufReader::new(s.try_clone().expect("clone"));
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            seen2
                .lock()
                .expect("lock")
                .push(String::from_utf8_lossy(&body).to_string());
            let page = &pages[i.min(pages.len() - 1)];
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    (url, seen)
}

/// The real AWS backend pointed at `url`, with the test credentials in `dir`.
async fn backend_at(url: &str, dir: &std::path::Path) -> AwsBackend {
    let mut o = AwsOptions::new(None, Some("us-west-2".into()), Some(url.to_string()));
    o.credentials_file = Some(dir.join("credentials"));
    AwsBackend::connect(o).await
}

fn member(action: &str, resource: &str, decision: &str, matched: &str, missing: &str) -> String {
    format!(
        "<member><EvalActionName>{action}</EvalActionName><EvalResourceName>{resource}</EvalResourceName>\
         <EvalDecision>{decision}</EvalDecision><MatchedStatements>{matched}</MatchedStatements>\
         <MissingContextValues>{missing}</MissingContextValues><EvalDecisionDetails/></member>"
    )
}

fn statement(id: &str, kind: &str, line: u32) -> String {
    format!(
        "<member><SourcePolicyId>{id}</SourcePolicyId><SourcePolicyType>{kind}</SourcePolicyType>\
         <StartPosition><Line>{line}</Line><Column>5</Column></StartPosition>\
         <EndPosition><Line>{}</Line><Column>6</Column></EndPosition></member>",
        line + 8
    )
}

fn page(members: &[String], marker: Option<&str>) -> String {
    format!(
        r#"<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>{}</IsTruncated>{}
    <EvaluationResults>{}</EvaluationResults>
  </SimulatePrincipalPolicyResult>
  <ResponseMetadata><RequestId>4f1ec6a1-0000-4000-8000-000000000000</RequestId></ResponseMetadata>
</SimulatePrincipalPolicyResponse>"#,
        marker.is_some(),
        marker
            .map(|m| format!("\n    <Marker>{m}</Marker>"))
            .unwrap_or_default(),
        members.join("")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_principal_policy_answers_are_decoded_across_pages() {
    let stream = "arn:aws:firehose:us-west-2:123456789012:deliverystream/orders-to-s3";
    let put_allowed = || {
        member(
            "firehose:PutRecord",
            stream,
            "allowed",
            &statement("firehose_writer", "user-managed", 3),
            "",
        )
    };
    let batch_denied = || {
        member(
            "firehose:PutRecordBatch",
            stream,
            "explicitDeny",
            &statement("deny-batches", "role", 1),
            "",
        )
    };
    let page1 = page(&[put_allowed()], Some("page-2-token"));
    let page2 = page(
        &[
            batch_denied(),
            member(
                "firehose:DeleteDeliveryStream",
                stream,
                "implicitDeny",
                "",
                "",
            ),
            member(
                "firehose:DescribeDeliveryStream",
                stream,
                "allowed",
                &statement("vpc-only", "role", 2),
                "<member>aws:SourceVpce</member>",
            ),
        ],
        None,
    );
    let (url, seen) = responder(vec![page1, page2]);
    let dir = std::env::temp_dir().join(format!("fhtop-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("credentials"),
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .expect("creds");
    let backend = backend_at(&url, &dir).await;
    let role = "arn:aws:iam::123456789012:role/eventbridge-firehose-writer";
    let actions: Vec<String> = [
        "firehose:PutRecord",
        "firehose:PutRecordBatch",
        "firehose:DeleteDeliveryStream",
        "firehose:DescribeDeliveryStream",
    ]
    .map(String::from)
    .to_vec();
    let results = backend
        .simulate_principal_policy(
            role,
            &actions,
            &[stream.to_string()],
            &iam::context(role),
            None,
        )
        .await
        .expect("decoded");
    assert_eq!(results.len(), 4, "both pages: {results:#?}");
    assert_eq!(results[0].action, "firehose:PutRecord");
    assert_eq!(results[0].resource, stream);
    assert_eq!(results[0].decision, Decision::Allowed);
    assert_eq!(
        results[0].matched[0].policy,
        "firehose_writer (user-managed, statement at line 3 col 5)"
    );
    assert_eq!(results[1].decision, Decision::ExplicitDeny);
    assert!(
        results[1].matched[0]
            .policy
            .starts_with("deny-batches (role")
    );
    assert_eq!(results[2].decision, Decision::ImplicitDeny);
    assert!(results[2].matched.is_empty());
    assert_eq!(
        results[3].decision,
        Decision::Undetermined("aws:SourceVpce".into()),
        "a result computed without a needed context value is not 'allowed'"
    );

    let bodies = seen.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 2, "one request per page");
    assert!(bodies[0].contains("Action=SimulatePrincipalPolicy"));
    assert!(bodies[0].contains(&format!(
        "PolicySourceArn={}",
        role.replace(':', "%3A").replace('/', "%2F")
    )));
    assert!(
        bodies[0].contains("ContextKeyName=aws%3Asecuretransport"),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[0].contains("ContextKeyType=boolean"),
        "{}",
        bodies[0]
    );
    assert!(!bodies[0].contains("Marker="), "first page has no marker");
    assert!(
        !bodies[0].contains("ResourcePolicy="),
        "a role cannot be simulated with a resource policy"
    );
    assert!(
        bodies[1].contains("Marker=page-2-token"),
        "the second request carries the marker: {}",
        bodies[1]
    );

    // Through the runner: the simulator is the engine, the explicit deny gets its fix text.
    let (url, _) = responder(vec![page(&[put_allowed(), batch_denied()], None)]);
    let backend = backend_at(&url, &dir).await;
    let req = iam::custom_request(
        role,
        vec![
            "firehose:PutRecord".into(),
            "firehose:PutRecordBatch".into(),
        ],
        vec![stream.into()],
        Default::default(),
    );
    let r = iam::run(&backend, &req).await;
    assert_eq!(r.engine, "iam:SimulatePrincipalPolicy");
    assert_eq!(r.verdict(), Verdict::Denied);
    assert_eq!(r.denied_actions(), vec!["firehose:PutRecordBatch"]);
    assert!(
        r.fixes[0].contains("explicitly denied by deny-batches"),
        "{:?}",
        r.fixes
    );

    // An IAM user principal: the bucket policy goes to the API as ResourcePolicy, with the
    // user as the caller and the account as the resource owner.
    let (url, seen) = responder(vec![page(
        &[member(
            "s3:PutObject",
            "arn:aws:s3:::acme-lake/x",
            "allowed",
            &statement("ResourcePolicy", "resource", 1),
            "",
        )],
        None,
    )]);
    let backend = backend_at(&url, &dir).await;
    let user = "arn:aws:iam::123456789012:user/deployer";
    let r = backend
        .simulate_principal_policy(
            user,
            &["s3:PutObject".to_string()],
            &["arn:aws:s3:::acme-lake/x".to_string()],
            &iam::context(user),
            Some(r#"{"Statement":[]}"#),
        )
        .await
        .expect("decoded");
    assert_eq!(r[0].decision, Decision::Allowed);
    let body = seen.lock().expect("lock")[0].clone();
    for want in [
        "ResourcePolicy=%7B%22Statement%22%3A%5B%5D%7D",
        "CallerArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fdeployer",
        "ResourceOwner=arn%3Aaws%3Aiam%3A%3A123456789012%3Aroot",
    ] {
        assert!(body.contains(want), "{want} in {body}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
