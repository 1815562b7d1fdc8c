//! `fhtop errors --stream NAME`: the stream's failed records from its S3 error output, grouped
//! by error code, newest first ([`crate::judge::records`]). Read only.

use std::sync::Arc;

use crate::backend::Backend;
use crate::judge::records::{FailedRecords, Limits};
use crate::model::failed::RecordData;
use crate::text::{self, sanitize};

/// Exit codes: 0 no failed record in the window, 1 failed records found, 2 the stream has no
/// S3 error output, 3 AWS unusable (the stream or the error output could not be read, or no
/// record was read but objects were there or a bound stopped the reading).
pub const NONE_FOUND: u8 = 0;
/// Failed records were found.
pub const FOUND: u8 = 1;
/// The stream has no S3 error output fhtop knows.
pub const NO_OUTPUT: u8 = 2;
/// The stream or its error output could not be read.
pub const AWS_UNUSABLE: u8 = 3;

/// Reads and prints the failed records of `args.stream`; the exit code.
pub async fn errors_command(backend: Arc<dyn Backend>, args: super::ErrorsArgs) -> u8 {
    let stream = match backend.describe_stream(&args.stream).await {
        Ok(s) => s,
        Err(e) => {
            crate::outln!("fhtop errors: {}", sanitize::clean(&e.explained()));
            return AWS_UNUSABLE;
        }
    };
    let limits = Limits {
        since_seconds: args.since.as_secs(),
        records: args.limit,
        ..Limits::default()
    };
    let r = match crate::judge::records::read(backend.as_ref(), &stream, limits, chrono::Utc::now())
        .await
    {
        Ok(r) => r,
        Err(e) if e.op.is_none() => {
            crate::outln!("fhtop errors: {}", sanitize::clean(&e.message));
            return NO_OUTPUT;
        }
        Err(e) => {
            crate::outln!("fhtop errors: {}", sanitize::clean(&e.explained()));
            return AWS_UNUSABLE;
        }
    };
    if args.json {
        let doc = serde_json::to_string_pretty(&r).unwrap_or_default();
        crate::outln!("{}", sanitize::json_inert(&doc));
    } else {
        crate::out!("{}", render(&r));
    }
    match (r.records.is_empty(), r.surely_none()) {
        (false, _) => FOUND,
        (true, true) => NONE_FOUND,
        // Nothing read, but not because nothing is there: unknown.
        (true, false) => AWS_UNUSABLE,
    }
}

/// The report as text: what was read and what it cost, the groups, then every record (its
/// data cleaned for the terminal).
pub fn render(r: &FailedRecords) -> String {
    let c = |s: &str| sanitize::clean(s).into_owned();
    let mut out = format!(
        "{} · failed records in s3://{} since {}\n",
        c(&r.stream),
        c(&r.bucket),
        r.since.format("%Y-%m-%d %H:%M UTC")
    );
    out.push_str(&format!(
        "error output prefix: {}\n",
        r.error_output_prefix
            .as_deref()
            .map(c)
            .unwrap_or_else(|| "(not set: Firehose's default)".into())
    ));
    out.push_str(&format!(
        "listed {} prefix{}: {}\n",
        r.prefixes.len(),
        if r.prefixes.len() == 1 { "" } else { "es" },
        c(&r.prefixes.join(", "))
    ));
    out.push_str(&format!(
        "{} object{} found, {} read · {} ListObjectsV2, {} GetObject, {} read{}\n",
        r.objects_found,
        if r.objects_found == 1 { "" } else { "s" },
        r.objects_read.len(),
        r.list_calls,
        r.get_calls,
        text::bytes(r.bytes_read as f64),
        if r.truncated {
            " · stopped at a bound: older records not read"
        } else {
            ""
        }
    ));
    for p in &r.problems {
        out.push_str(&format!("  ! {}\n", c(p)));
    }
    if r.records.is_empty() {
        out.push_str(if r.surely_none() {
            "\nno failed records in the window\n"
        } else {
            "\nUNKNOWN: no failed record was read, but the reading was incomplete (see above)\n"
        });
        return out;
    }
    out.push_str(&format!(
        "\n{:<46} {:>5}  {:<16} {:<16} LATEST MESSAGE\n",
        "ERROR CODE", "COUNT", "FIRST", "LAST"
    ));
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "–".into())
    };
    for g in &r.groups {
        out.push_str(&format!(
            "{:<46} {:>5}  {:<16} {:<16} {}\n",
            c(&g.code),
            g.count,
            at(g.first),
            at(g.last),
            c(&g.message)
        ));
        // More than one reason under one code: each with its count.
        if g.messages.len() > 1 {
            for (m, n) in &g.messages {
                out.push_str(&format!("{:<46} {:>5}  {}\n", "", n, c(m)));
            }
        }
    }
    out.push_str("\nRECORDS (newest object first)\n");
    for rec in &r.records {
        out.push_str(&format!(
            "{}  {}  attempts {}  s3://{}/{}\n  {}\n",
            at(rec.arrival),
            c(&rec.error_code),
            rec.attempts.map_or_else(|| "–".into(), |a| a.to_string()),
            c(&r.bucket),
            c(&rec.key),
            c(&rec.error_message)
        ));
        out.push_str(&format!("  {}\n", data_line(&rec.data)));
    }
    out
}

/// Most characters of a record's data in the text report (`--json` has all that was kept).
pub const DATA_LINE_CHARS: usize = 512;

/// A record's data on one line: the text cleaned and cut at [`DATA_LINE_CHARS`], binary as its
/// length and first bytes.
pub fn data_line(d: &RecordData) -> String {
    match d {
        RecordData::Text { text, truncated } => {
            let clean = sanitize::clean(text);
            let shown: String = clean.chars().take(DATA_LINE_CHARS).collect();
            if shown.len() < clean.len() || *truncated > 0 {
                format!(
                    "{shown} … (cut: the record has {} bytes; --json has the first {})",
                    text.len() + truncated,
                    text::bytes(text.len() as f64)
                )
            } else {
                shown
            }
        }
        RecordData::Binary { len, head_hex } => {
            format!("(binary, {} bytes: {head_hex}…)", len)
        }
        RecordData::Undecodable { why } => format!("(undecodable: {})", sanitize::clean(why)),
    }
}
