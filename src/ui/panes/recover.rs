//! Recovery on screen: the confirmation of a dry run (production first, where it lands, the
//! dry run as `fhtop recover errors` prints it, `y` / `n`), and the progress line of the
//! recoveries sending in the background — shown on every pane while they run, and for a
//! minute after each ends.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::act::recover;
use crate::ui::chrome::{Ctx, title};
use crate::ui::keymap::Action;
use crate::ui::view::{Overlay, PendingRecovery, RecoverJob, RecoverWhat, View};

/// The recoveries a Recover overlay offers, once its ledger is shown: `E` on a stream, `D`
/// on a rule whose target has a dead-letter queue, `A` where an archive covers a failing
/// rule's window.
pub fn hints(o: &Overlay) -> Vec<(Action, &'static str)> {
    let mut v = Vec::new();
    if o.lines.is_some() && o.recover.is_some() {
        v.push((Action::RecoverErrors, "re-send failed records"));
    }
    if o.lines.is_some() && o.recover_rule.is_some() {
        v.push((Action::RecoverDlq, "redrive the DLQ"));
    }
    if o.lines.is_some() && o.recover_replay.is_some() {
        v.push((Action::RecoverReplay, "replay from the archive"));
    }
    v
}

/// What a recovery's line starts with: "recover errors → STREAM", "recover dlq BUS/NAME →
/// STREAM".
fn head(j: &RecoverJob) -> String {
    let stream = crate::ui::safe_fit_name(&j.stream, 32);
    match &j.what {
        RecoverWhat::Errors(_) => format!(" recover errors → {stream} "),
        RecoverWhat::Dlq(k) => format!(
            " recover dlq {} → {stream} ",
            crate::ui::safe_fit_name(&k.to_string(), 32)
        ),
        RecoverWhat::Replay(k, ..) => format!(
            " recover replay → {} ",
            crate::ui::safe_fit_name(&k.to_string(), 32)
        ),
    }
}

/// Seconds an ended recovery's line stays on screen.
const ENDED_SHOWN_SECONDS: i64 = 60;

/// The recoveries with a line on screen at `now`: those sending, and those ended less than
/// a minute ago; the newest last.
pub fn shown(view: &View, now: DateTime<Utc>) -> Vec<&RecoverJob> {
    view.recoveries
        .iter()
        .filter(|j| {
            j.ended
                .as_ref()
                .is_none_or(|(at, ..)| (now - *at).num_seconds() < ENDED_SHOWN_SECONDS)
        })
        .collect()
}

/// `[████░░░░]` of `width` cells for a share 0–1.
fn bar(share: f64, width: usize) -> String {
    let full = ((share.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("[{}{}]", "█".repeat(full), "░".repeat(width - full))
}

/// One recovery's line: sending (bar, count, rate, ETA) or how it ended.
fn line<'a>(j: &RecoverJob, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    if let Some((_, code, summary)) = &j.ended {
        let style = match *code {
            recover::RECOVERED | recover::NOTHING => t.ok(),
            recover::PARTIAL | recover::IN_DOUBT => t.warn(),
            _ => t.fail(),
        };
        let label = match &j.what {
            RecoverWhat::Errors(_) => " recover errors ",
            RecoverWhat::Dlq(_) => " recover dlq ",
            RecoverWhat::Replay(..) => " recover replay ",
        };
        return Line::from(vec![
            Span::styled(label, t.title()),
            Span::styled(crate::text::sanitize::clean(summary).into_owned(), style),
        ]);
    }
    let p = j.progress;
    let share = if p.of == 0 {
        0.0
    } else {
        p.done as f64 / p.of as f64
    };
    let rate = if p.seconds > 0.0 {
        p.done as f64 / p.seconds
    } else {
        0.0
    };
    let eta = if rate > 0.0 {
        format!(
            "ETA {}",
            crate::text::fmt_duration((p.of.saturating_sub(p.done)) as f64 / rate)
        )
    } else {
        "ETA —".into()
    };
    Line::from(vec![
        Span::styled(head(j), t.title()),
        Span::styled(bar(share, 20), t.ok()),
        Span::styled(
            format!(
                " {} / {} {} · {:.0}/s · {eta}",
                p.done,
                p.of,
                j.what.unit(),
                rate
            ),
            t.text(),
        ),
    ])
}

/// The progress lines of `jobs`, one a row, in `area`.
pub fn progress(f: &mut Frame, area: Rect, jobs: &[&RecoverJob], ctx: &Ctx) {
    let lines: Vec<Line> = jobs.iter().map(|j| line(j, ctx)).collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// The confirmation of a dry run: where it lands (production first), the dry run, `y` / `n`.
pub fn confirm(f: &mut Frame, area: Rect, p: &PendingRecovery, ctx: &Ctx) {
    let t = ctx.theme;
    let stream = crate::ui::safe_fit_name(&p.plan.stream, 50);
    let n = p.plan.to_send;
    // A queue's depth counts every message in it, another rule's too: "up to".
    let (heading, verb) = match &p.plan.what {
        RecoverWhat::Errors(_) => (
            format!("Send {n} records back to {stream}?"),
            format!("send {n} records"),
        ),
        RecoverWhat::Dlq(_) => (
            format!("Redrive the dead-letter queue (up to {n} messages) to {stream}?"),
            "redrive it".to_string(),
        ),
        RecoverWhat::Replay(k, ..) => (
            format!(
                "Replay {}'s archived events of the window?",
                crate::ui::safe_fit_name(&k.to_string(), 50)
            ),
            "start the replay".to_string(),
        ),
    };
    // The dry run wraps to the dialog's width as drawn (80 columns at least, 100 at most).
    let width: u16 = area.width.min(100);
    let clean = |s: &str| crate::text::sanitize::clean(s).into_owned();
    let mut lines = vec![Line::default()];
    let context = if p.context.is_empty() {
        String::new()
    } else {
        format!("context {} · ", clean(&p.context))
    };
    let whereto = format!(
        "  {}{context}account {} · {}",
        if p.production { "PRODUCTION · " } else { "" },
        clean(&p.plan.account),
        clean(&p.plan.region)
    );
    lines.push(Line::from(Span::styled(
        whereto,
        if p.production {
            t.production()
        } else {
            t.title()
        },
    )));
    lines.push(Line::default());
    for l in &p.plan.lines {
        for w in textwrap::wrap(&clean(l), usize::from(width.saturating_sub(6)).max(10)) {
            lines.push(Line::styled(format!("  {w}"), t.text()));
        }
    }
    lines.extend([
        Line::default(),
        Line::styled(
            match &p.plan.what {
                RecoverWhat::Replay(..) => {
                    "  Started once (named from the rule and window) and followed in the background."
                }
                _ => "  Sent in the background, journaled: nothing accepted is sent twice.",
            },
            t.dim(),
        ),
        Line::default(),
        super::help::confirm_keys(ctx, &verb, "cancel (nothing is sent)"),
    ]);
    let block = ctx.block(title(ctx, heading, String::new()), true);
    super::help::popup(f, area, width, lines, block);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::RecoverProgress;

    fn drawn(jobs: &[&RecoverJob]) -> String {
        let theme = crate::ui::theme::Theme::default_theme();
        let keymap = crate::ui::keymap::Keymap::default();
        let ctx = Ctx {
            theme: &theme,
            keymap: &keymap,
            now: Utc::now(),
        };
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 2))
            .unwrap_or_else(|e| panic!("{e}"));
        term.draw(|f| progress(f, f.area(), jobs, &ctx))
            .unwrap_or_else(|e| panic!("{e}"));
        crate::ui::frame::to_text(term.backend().buffer())
    }

    #[test]
    fn a_sending_recovery_shows_its_bar_count_rate_and_eta_and_an_ended_one_its_outcome() {
        let sending = RecoverJob {
            id: 1,
            what: RecoverWhat::Errors("orders-to-s3".into()),
            stream: "orders-to-s3".into(),
            progress: RecoverProgress {
                done: 300,
                of: 1200,
                seconds: 3.0,
            },
            ended: None,
        };
        let ended = RecoverJob {
            id: 2,
            what: RecoverWhat::Errors("clicks".into()),
            stream: "clicks".into(),
            progress: sending.progress,
            ended: Some((
                Utc::now(),
                recover::PARTIAL,
                "clicks: partial: 7 of 9".into(),
            )),
        };
        let text = drawn(&[&sending, &ended]);
        let first = text.lines().next().unwrap_or_default();
        assert!(first.contains("recover errors → orders-to-s3"), "{text}");
        assert!(
            first.contains("[█████░░░░░░░░░░░░░░░]"),
            "a quarter: {text}"
        );
        assert!(
            first.contains("300 / 1200 records · 100/s · ETA 9s"),
            "{text}"
        );
        assert!(
            text.lines()
                .nth(1)
                .unwrap_or_default()
                .contains("clicks: partial: 7 of 9")
        );
    }

    #[test]
    fn an_ended_recovery_leaves_the_screen_after_a_minute() {
        let mut view = View::new(false);
        let at = Utc::now();
        view.recoveries.push(RecoverJob {
            id: 1,
            what: RecoverWhat::Errors("s".into()),
            stream: "s".into(),
            progress: RecoverProgress {
                done: 1,
                of: 1,
                seconds: 1.0,
            },
            ended: Some((at, recover::RECOVERED, "s: recovered".into())),
        });
        assert_eq!(shown(&view, at + chrono::Duration::seconds(59)).len(), 1);
        assert!(shown(&view, at + chrono::Duration::seconds(60)).is_empty());
    }
}
