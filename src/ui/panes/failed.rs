//! The failed records of a stream (`e`): what was read from its S3 error output and what it
//! cost, the records by error code, the records newest first (pick with j/k), and one record
//! whole (Enter): its error, its S3 key, its data pretty-printed when it is JSON.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::judge::health::Level;
use crate::judge::records::FailedRecords;
use crate::model::failed::{FailedRecord, RecordData};
use crate::ui::chrome::Ctx;
use crate::ui::keymap::Action;
use crate::ui::view::Failed;
use crate::ui::{safe_fit, safe_owned};

/// Most error-code lines above the list.
const GROUP_LINES: usize = 4;

/// Draws the failed records over `area`.
pub fn render(f: &mut Frame, area: Rect, fv: &Failed, ctx: &Ctx) {
    let t = ctx.theme;
    let rect = super::overlay_rect(area);
    let head = format!("Failed records — stream {}", fv.stream);
    let hint = if fv.open {
        format!(
            "{}/{} scroll · {} back to the list",
            ctx.keymap.label(Action::Down),
            ctx.keymap.label(Action::Up),
            ctx.keymap.label(Action::Back)
        )
    } else {
        format!(
            "{}/{} pick · {} open · {} closes",
            ctx.keymap.label(Action::Down),
            ctx.keymap.label(Action::Up),
            ctx.keymap.label(Action::DrillIn),
            ctx.keymap.label(Action::Back)
        )
    };
    let block = ctx.block(
        crate::ui::chrome::title_within(ctx, &head, hint, rect.width),
        true,
    );
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    // A pasted record is shown (and tested) whatever the read of the error output is at.
    if let Some(text) = &fv.pasted {
        let mut lines = vec![Line::from(Span::styled(
            format!("pasted record ({} bytes)", text.len()),
            t.title(),
        ))];
        lines.extend(partition_lines(fv, None, ctx));
        lines.push(Line::default());
        lines.extend(text.lines().map(|l| Line::from(safe_owned(l, t.text()))));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let Some(r) = super::answered(
        f,
        inner,
        &fv.report,
        "listing and reading the S3 error output…",
        "not read",
        ctx,
    ) else {
        return;
    };
    let w = usize::from(inner.width);
    let summary = summary_lines(r, w, ctx);
    let sum_h = u16::try_from(summary.len())
        .unwrap_or(u16::MAX)
        .min(inner.height / 2)
        .max(1);
    let [top, body] =
        Layout::vertical([Constraint::Length(sum_h + 1), Constraint::Min(1)]).areas(inner);
    f.render_widget(Paragraph::new(summary), top);
    match (fv.open, r.records.get(fv.selected)) {
        (true, Some(rec)) => {
            let mut lines = record_lines(rec, &r.bucket, ctx);
            // The partition test (run when the record was opened) before the data.
            let tail = lines.split_off(
                lines
                    .iter()
                    .position(|l| l.width() == 0)
                    .unwrap_or(lines.len()),
            );
            lines.extend(partition_lines(fv, Some(fv.selected), ctx));
            lines.extend(tail);
            let max = lines.len().saturating_sub(usize::from(body.height));
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((u16::try_from(fv.scroll.min(max)).unwrap_or(u16::MAX), 0)),
                body,
            );
        }
        _ => {
            let rows = usize::from(body.height.max(1));
            let first = fv
                .selected
                .saturating_sub(rows / 2)
                .min(r.records.len().saturating_sub(rows));
            let code_w = r
                .records
                .iter()
                .map(|x| x.error_code.chars().count())
                .max()
                .unwrap_or(0)
                .min(w / 3);
            let list: Vec<Line> = r
                .records
                .iter()
                .enumerate()
                .skip(first)
                .take(rows)
                .map(|(i, rec)| {
                    let time = rec
                        .arrival
                        .map(|a| a.format("%m-%d %H:%M:%S").to_string())
                        .unwrap_or_else(|| "–".repeat(14));
                    let text = format!(
                        "{time}  {:<code_w$}  {}",
                        safe_fit(&rec.error_code, code_w),
                        safe_fit(
                            &data_summary(&rec.data),
                            w.saturating_sub(code_w + 18).max(1)
                        )
                    );
                    let style = if i == fv.selected {
                        t.selection()
                    } else {
                        t.text()
                    };
                    Line::from(Span::styled(text, style))
                })
                .collect();
            f.render_widget(Paragraph::new(list), body);
        }
    }
}

/// Where the records came from and what reading them cost, then the records by error code.
fn summary_lines(r: &FailedRecords, w: usize, ctx: &Ctx) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let mut out = Vec::new();
    let level = match (r.records.is_empty(), r.surely_none()) {
        (false, _) => Level::Fail,
        (true, true) => Level::Ok,
        (true, false) => Level::Unknown,
    };
    out.push(Line::from(Span::styled(
        safe_fit(
            &format!(
                "{} failed record{} since {} · s3://{} · {} object{} found, {} read · {} ListObjectsV2, {} GetObject, {} read{}",
                r.records.len(),
                if r.records.len() == 1 { "" } else { "s" },
                r.since.format("%m-%d %H:%M UTC"),
                r.bucket,
                r.objects_found,
                if r.objects_found == 1 { "" } else { "s" },
                r.objects_read.len(),
                r.list_calls,
                r.get_calls,
                crate::text::bytes(r.bytes_read as f64),
                if r.truncated { " · stopped at a bound (20 objects, 100 records): older records not read (fhtop errors --since/--limit)" } else { "" }
            ),
            w,
        ),
        t.level(level),
    )));
    out.push(Line::from(Span::styled(
        safe_fit(
            &format!(
                "error output {} · listed {}",
                r.error_output_prefix
                    .as_deref()
                    .unwrap_or("(ErrorOutputPrefix not set: Firehose's default)"),
                r.prefixes.join(", ")
            ),
            w,
        ),
        t.dim(),
    )));
    for g in r.groups.iter().take(GROUP_LINES) {
        let when = match (g.first, g.last) {
            (Some(a), Some(b)) => format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")),
            _ => String::new(),
        };
        let reasons = if g.messages.len() > 1 {
            g.messages
                .iter()
                .map(|(m, n)| format!("{n}× {m}"))
                .collect::<Vec<_>>()
                .join(" · ")
        } else {
            g.message.clone()
        };
        out.push(Line::from(vec![
            Span::styled(format!("{:>5} ", g.count), t.fail()),
            safe_owned(&g.code, t.text()),
            Span::styled(format!("  {when}  "), t.dim()),
            Span::styled(
                safe_fit(&reasons, w.saturating_sub(g.code.len() + 20)),
                t.dim(),
            ),
        ]));
    }
    if r.groups.len() > GROUP_LINES {
        out.push(Line::from(Span::styled(
            format!("  … {} more error codes", r.groups.len() - GROUP_LINES),
            t.dim(),
        )));
    }
    for p in &r.problems {
        out.push(Line::from(safe_owned(&format!("not read: {p}"), t.stale())));
    }
    if r.records.is_empty() {
        out.push(if r.surely_none() {
            Line::from(Span::styled(
                "no failed records in the window: nothing was written under these prefixes",
                t.ok(),
            ))
        } else {
            Line::from(Span::styled(
                "no failed record read, but the reading was incomplete: unknown (see above)",
                t.level(Level::Unknown),
            ))
        });
    }
    out
}

/// The partition test of the record shown (`key`: the pick's index, `None` for the pasted
/// one), as run when it was shown ([`Failed::tested`]): its keys and the prefix the record
/// lands under, or why extraction fails. Nothing when the stream has no partitioning query.
fn partition_lines(fv: &Failed, key: Option<usize>, ctx: &Ctx) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let Some((_, test)) = fv.tested.as_ref().filter(|(k, _)| *k == key) else {
        return Vec::new();
    };
    let mut out = vec![
        Line::default(),
        Line::from(Span::styled(
            "partition keys: the stream's MetadataExtractionQuery run here (jaq)",
            t.title(),
        )),
    ];
    match &test.prefix {
        Some(p) => out.push(Line::from(safe_owned(
            &format!("DELIVERED under {p}"),
            t.ok(),
        ))),
        None => out.push(Line::from(Span::styled(
            format!(
                "FAILS: {}",
                test.error_code
                    .unwrap_or(crate::judge::partition::EXTRACTION_FAILED)
            ),
            t.fail(),
        ))),
    }
    for why in &test.failures {
        out.push(Line::from(safe_owned(&format!("  {why}"), t.fail())));
    }
    for w in &test.warnings {
        out.push(Line::from(safe_owned(&format!("  {w}"), t.warn())));
    }
    if !test.keys.is_empty() {
        let keys: Vec<String> = test.keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push(Line::from(safe_owned(
            &format!("  keys: {}", keys.join(" ")),
            t.text(),
        )));
    }
    out.push(Line::from(safe_owned(
        &format!("  query {}", test.query),
        t.dim(),
    )));
    out
}

/// How many lines the record view of `rec` has before wrapping (its header and data), for
/// scrolling: the partition test's few lines are not counted.
pub fn record_line_count(rec: &FailedRecord) -> usize {
    let data = match &rec.data {
        RecordData::Text { text, .. } => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .map_or_else(|| text.lines().count(), |p| p.lines().count()),
        _ => 1,
    };
    10 + data
}

/// A record's data on one list row.
fn data_summary(d: &RecordData) -> String {
    match d {
        RecordData::Text { text, .. } => text.clone(),
        RecordData::Binary { len, .. } => format!("(binary, {len} bytes)"),
        RecordData::Undecodable { why } => format!("(undecodable: {why})"),
    }
}

/// One record whole: its error and where it is, then its data (JSON pretty-printed, text line
/// by line, binary as hex), every line cleaned.
fn record_lines(rec: &FailedRecord, bucket: &str, ctx: &Ctx) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let kv = |k: &str, v: &str, style: Style| {
        Line::from(vec![
            Span::styled(format!("{k:<10} "), t.dim()),
            safe_owned(v, style),
        ])
    };
    let at = |x: Option<chrono::DateTime<chrono::Utc>>| {
        x.map(|a| a.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string())
            .unwrap_or_else(|| "–".into())
    };
    let mut out = vec![
        kv("error", &rec.error_code, t.fail()),
        kv("message", &rec.error_message, t.text()),
        kv(
            "attempts",
            &rec.attempts.map_or_else(|| "–".into(), |a| a.to_string()),
            t.text(),
        ),
        kv("arrived", &at(rec.arrival), t.text()),
        kv("gave up", &at(rec.attempt_ending), t.text()),
        kv("object", &format!("s3://{bucket}/{}", rec.key), t.text()),
    ];
    if let Some(l) = &rec.lambda_arn {
        out.push(kv("lambda", l, t.text()));
    }
    out.push(Line::default());
    match &rec.data {
        RecordData::Text { text, truncated } => {
            let pretty = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok());
            out.push(Line::from(Span::styled(
                if pretty.is_some() {
                    "record data (JSON)"
                } else {
                    "record data (text: not JSON)"
                },
                t.title(),
            )));
            for l in pretty.as_deref().unwrap_or(text).lines() {
                out.push(Line::from(safe_owned(l, t.text())));
            }
            if *truncated > 0 {
                out.push(Line::from(Span::styled(
                    format!("… {truncated} more bytes not read (the record is longer than 64 KiB)"),
                    t.dim(),
                )));
            }
        }
        RecordData::Binary { len, head_hex } => {
            out.push(Line::from(Span::styled(
                format!("record data: binary (not UTF-8), {len} bytes; first bytes:"),
                t.title(),
            )));
            out.push(Line::from(Span::styled(head_hex.clone(), t.text())));
        }
        RecordData::Undecodable { why } => out.push(Line::from(safe_owned(
            &format!("record data could not be decoded: {why}"),
            t.warn(),
        ))),
    }
    out
}
