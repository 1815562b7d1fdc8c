//! `fhtop partition test --stream NAME --record FILE|-` (or `--failed`): the stream's
//! `MetadataExtractionQuery` run locally on a record ([`crate::judge::partition`]): the keys, the
//! prefix it lands under, or why Firehose sends it to the error output.

use std::sync::Arc;

use serde::Serialize;

use crate::backend::Backend;
use crate::judge::partition::PartitionTest;
use crate::judge::records::Limits;
use crate::model::failed::RecordData;
use crate::text::sanitize;

/// Exit codes: 0 every record tested yields its keys, 1 some record fails extraction, 2 the
/// input cannot be used (no such file, the stream is not dynamically partitioned or has no
/// query), 3 AWS unusable.
pub const DELIVERED: u8 = 0;
/// Some record fails extraction.
pub const FAILS: u8 = 1;
/// The record or the stream cannot be used for a test.
pub const BAD_INPUT: u8 = 2;
/// AWS could not be asked.
pub const AWS_UNUSABLE: u8 = 3;

/// One record's test, with where the record came from.
#[derive(Debug, Serialize)]
pub struct Tested {
    /// The file, "-", or the S3 key of a failed record.
    pub record: String,
    /// The error code Firehose wrote for a failed record, when it was one.
    pub was: Option<String>,
    /// The test.
    #[serde(flatten)]
    pub test: PartitionTest,
}

/// Runs the test; prints it; the exit code.
pub async fn partition_command(backend: Arc<dyn Backend>, args: super::PartitionTestArgs) -> u8 {
    let stream = match backend.describe_stream(&args.stream).await {
        Ok(s) => s,
        Err(e) => {
            crate::outln!("fhtop partition test: {}", sanitize::clean(&e.explained()));
            return AWS_UNUSABLE;
        }
    };
    let Some(s3) = stream.s3() else {
        crate::outln!(
            "fhtop partition test: {} does not deliver to S3: dynamic partitioning is an S3 destination's",
            sanitize::clean(&stream.name)
        );
        return BAD_INPUT;
    };
    let dp = s3.dynamic_partitioning.as_ref().filter(|d| d.enabled);
    let Some(query) = dp.and_then(|d| d.jq_query.clone()) else {
        crate::outln!(
            "fhtop partition test: {} has {} (no MetadataExtractionQuery to run)",
            sanitize::clean(&stream.name),
            if dp.is_some() {
                "dynamic partitioning without inline parsing: its keys come from a Lambda function"
            } else {
                "no dynamic partitioning"
            }
        );
        return BAD_INPUT;
    };
    let template = s3.prefix.clone().unwrap_or_default();
    let now = chrono::Utc::now();
    let mut tested = Vec::new();
    // Failed records not tested: not a partitioning failure, longer than fhtop reads, or
    // without decodable data.
    let mut skipped = 0usize;
    // What could not be read of the error output (`--failed`).
    let mut problems: Vec<String> = Vec::new();
    if args.failed {
        let limits = Limits {
            records: args.limit,
            ..Limits::default()
        };
        let r = match crate::judge::records::read(backend.as_ref(), &stream, limits, now).await {
            Ok(r) => r,
            Err(e) => {
                crate::outln!("fhtop partition test: {}", sanitize::clean(&e.explained()));
                return AWS_UNUSABLE;
            }
        };
        problems = r.problems.clone();
        for rec in &r.records {
            // Only what failed extraction: a processing-failed record holds the Lambda
            // function's input, which the query never saw.
            if !rec.error_code.starts_with("DynamicPartitioning.") {
                skipped += 1;
                continue;
            }
            let bytes: Vec<u8> = match &rec.data {
                // Cut at the 64 KiB fhtop keeps: no longer the record Firehose parsed.
                RecordData::Text { truncated, .. } if *truncated > 0 => {
                    skipped += 1;
                    continue;
                }
                RecordData::Text { text, .. } => text.as_bytes().to_vec(),
                // Not UTF-8: the test says so from any bytes that are not.
                RecordData::Binary { .. } => vec![0xff],
                RecordData::Undecodable { .. } => {
                    skipped += 1;
                    continue;
                }
            };
            tested.push(Tested {
                record: rec.key.clone(),
                was: Some(rec.error_code.clone()),
                test: crate::judge::partition::test(
                    &query,
                    &template,
                    &bytes,
                    rec.arrival.unwrap_or(now),
                ),
            });
        }
    } else {
        let path = args.record.as_deref().unwrap_or("-");
        let bytes = if path == "-" {
            let mut b = Vec::new();
            if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut b) {
                crate::outln!("fhtop partition test: standard input: {e}");
                return BAD_INPUT;
            }
            b
        } else {
            match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    crate::outln!("fhtop partition test: {path}: {e}");
                    return BAD_INPUT;
                }
            }
        };
        // A record ends at its last byte; a file's final newline is the editor's.
        let trimmed = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
        tested.push(Tested {
            record: path.to_string(),
            was: None,
            test: crate::judge::partition::test(&query, &template, trimmed, now),
        });
    }
    let code = if tested.iter().any(|t| !t.test.ok()) {
        FAILS
    } else if tested.is_empty() && !problems.is_empty() {
        // Nothing tested because nothing could be read.
        AWS_UNUSABLE
    } else {
        DELIVERED
    };
    if args.json {
        let doc = serde_json::json!({
            "stream": stream.name,
            "query": query,
            "prefix": template,
            "engine": "jaq (jq 1.6 semantics but for the differences in fhtop's documentation)",
            "results": tested,
            "not_tested": skipped,
            "problems": problems,
        });
        crate::outln!(
            "{}",
            sanitize::json_inert(&serde_json::to_string_pretty(&doc).unwrap_or_default())
        );
    } else {
        crate::out!("{}", render(&stream.name, &query, &template, &tested));
        if skipped > 0 {
            crate::outln!(
                "\n{skipped} failed record{} not tested: not a partitioning failure (a Lambda function's input), longer than the 64 KiB fhtop reads, or without data",
                if skipped == 1 { "" } else { "s" }
            );
        }
        for p in &problems {
            crate::outln!("  ! {}", sanitize::clean(p));
        }
    }
    code
}

/// The tests as text: the query and prefix, then per record its verdict, keys and prefix or
/// failures.
pub fn render(stream: &str, query: &str, template: &str, tested: &[Tested]) -> String {
    let c = |s: &str| sanitize::clean(s).into_owned();
    let mut out = format!(
        "{} · MetadataExtractionQuery {} (run locally with jaq)\nPrefix {}\n",
        c(stream),
        c(query),
        c(template)
    );
    let failing = tested.iter().filter(|t| !t.test.ok()).count();
    if tested.len() > 1 {
        out.push_str(&format!(
            "{failing} of {} records fail extraction with this query\n",
            tested.len()
        ));
    }
    if tested.is_empty() {
        out.push_str("no record to test (no failed records in the last 24 hours)\n");
    }
    for t in tested {
        out.push('\n');
        out.push_str(&format!(
            "{}{}\n",
            c(&t.record),
            t.was
                .as_deref()
                .map(|w| format!(" (Firehose wrote {})", c(w)))
                .unwrap_or_default()
        ));
        match &t.test.prefix {
            Some(p) if t.test.ok() => {
                out.push_str(&format!("  DELIVERED under {}\n", c(p)));
            }
            _ => out.push_str(&format!(
                "  FAILS: {}\n",
                t.test
                    .error_code
                    .unwrap_or(crate::judge::partition::EXTRACTION_FAILED)
            )),
        }
        for f in &t.test.failures {
            out.push_str(&format!("  - {}\n", c(f)));
        }
        for w in &t.test.warnings {
            out.push_str(&format!("  ! {}\n", c(w)));
        }
        if !t.test.keys.is_empty() {
            let keys: Vec<String> = t
                .test
                .keys
                .iter()
                .map(|(k, v)| format!("{}={}", c(k), c(v)))
                .collect();
            out.push_str(&format!("  keys: {}\n", keys.join(" ")));
        }
    }
    out
}
