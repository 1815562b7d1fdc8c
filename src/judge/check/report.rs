//! The findings for people: grouped by pipeline, worst first, as lines for the terminal or the
//! TUI overlay, and the one-line tally.

use super::*;

/// Findings grouped by pipeline, the worst pipeline first, worst finding first within it.
pub fn grouped(findings: &[CheckResult]) -> Vec<(String, Level, Vec<&CheckResult>)> {
    let mut by: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
    for f in findings {
        by.entry(f.pipeline.as_str()).or_default().push(f);
    }
    let mut out: Vec<(String, Level, Vec<&CheckResult>)> = by
        .into_iter()
        .map(|(p, mut fs)| {
            fs.sort_by_key(|f| std::cmp::Reverse(f.status));
            let worst = fs.iter().map(|f| f.status).max().unwrap_or(Level::Ok);
            (p.to_string(), worst, fs)
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The human report (untrusted text: the caller sanitizes each line). `all` also lists the
/// checks that passed; otherwise a healthy pipeline is one line. `fit` cuts a target's name to
/// its 28-column column (a terminal, the TUI overlay); without it every name is whole and the
/// summary follows after it (piped to a file or another program).
pub fn human_lines(findings: &[CheckResult], all: bool, fit: bool) -> Vec<(Tone, String)> {
    let mut out = Vec::new();
    // Whole names: the target column is as wide as the widest name, so the summaries align.
    let width = if fit {
        28
    } else {
        findings
            .iter()
            .map(|f| unicode_width::UnicodeWidthStr::width(f.target.as_str()))
            .max()
            .unwrap_or(0)
            .max(28)
    };
    for (pipeline, worst, fs) in grouped(findings) {
        let ok = fs.iter().filter(|f| f.status == Level::Ok).count();
        out.push((
            Tone::Heading(worst),
            format!(
                "{} {} {pipeline}  ({} check{}, {ok} OK)",
                worst.mark(),
                worst.name(),
                fs.len(),
                if fs.len() == 1 { "" } else { "s" }
            ),
        ));
        for f in fs {
            if f.status == Level::Ok && !all {
                continue;
            }
            out.push((
                Tone::Row(f.status),
                format!(
                    "  {:<7} {:<17} {} {}",
                    f.status.name(),
                    f.check,
                    crate::text::pad(&crate::text::fit(&f.target, width), width),
                    f.summary
                ),
            ));
            if f.status != Level::Ok {
                for d in f.details.lines().filter(|l| !l.is_empty()) {
                    out.push((Tone::Note, format!("          {d}")));
                }
                out.push((Tone::Code, format!("          confirm: {}", f.confirm)));
            }
        }
    }
    out
}

/// The TUI overlay's lines: the tally, then every finding.
pub fn overlay_lines(findings: &[CheckResult]) -> Vec<(Tone, String)> {
    let mut lines = vec![(Tone::Field, tally(findings)), (Tone::Note, String::new())];
    lines.extend(human_lines(findings, true, true));
    lines
}

/// "12 pipelines · 80 checks: 3 FAIL, 2 WARN, 75 OK".
pub fn tally(findings: &[CheckResult]) -> String {
    let pipelines = findings
        .iter()
        .map(|f| f.pipeline.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let parts: Vec<String> = [Level::Fail, Level::Warn, Level::Unknown, Level::Ok]
        .iter()
        .map(|s| (s, findings.iter().filter(|f| f.status == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.name()))
        .collect();
    format!(
        "{pipelines} pipeline{} · {} checks: {}",
        if pipelines == 1 { "" } else { "s" },
        findings.len(),
        parts.join(", ")
    )
}
