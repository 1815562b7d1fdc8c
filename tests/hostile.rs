//! Untrusted text from AWS in every field the panes show, rendered through the real crossterm
//! backend: the bytes that would reach the tty carry no escape sequence from the data.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use chrono::Utc;
use fhtop::fresh::store::Store;
use fhtop::model::*;
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::render::{Ctx, render};
use fhtop::ui::theme::Theme;
use fhtop::ui::view::View;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

const EVIL: &[&str] = &[
    "\x1b]0;pwned\x07",           // OSC 0: retitle
    "\x1b]52;c;cm0gLXJmIH4=\x07", // OSC 52: write the clipboard
    "\x1b[2J\x1b[H",              // CSI: clear screen, home
    "\x07\x07",                   // BEL
    "\u{9b}31m\u{9d}0;x\u{9c}",   // C1 CSI / OSC / ST
    "\u{202e}gnp.exe",            // bidi override
    "\x1bP+q544e\x1b\\",          // DCS
];

fn evil(i: usize) -> String {
    format!("n{i}{}end", EVIL[i % EVIL.len()])
}

fn hostile_store() -> Store {
    let now = Utc::now();
    let st = Store::new();
    st.set_identity(
        Identity {
            account: evil(0),
            region: evil(1),
            profile: Some(evil(2)),
            caller_arn: Some(evil(3)),
            demo: false,
        },
        now,
    );
    let stream_name = evil(4);
    let rule = Rule {
        bus: evil(5),
        name: evil(6),
        arn: evil(7),
        state: RuleState::Other(evil(8)),
        description: Some(evil(9)),
        event_pattern: Some(format!("{{\"source\":[\"{}\"]}}", "\\u001b]0;x\\u0007")),
        schedule: None,
        managed_by: Some(evil(10)),
        role_arn: Some(evil(11)),
        targets: vec![Target {
            id: evil(12),
            arn: format!("arn:aws:firehose:r:1:deliverystream/{stream_name}"),
            role_arn: Some(evil(13)),
            dead_letter_arn: Some(evil(14)),
            has_input_transformer: false,
            input_path: Some(evil(15)),
            input: None,
            max_event_age_seconds: None,
            max_retry_attempts: None,
        }],
    };
    let stream = Stream {
        name: stream_name.clone(),
        arn: evil(15),
        status: evil(16),
        source: Source::Other(evil(17)),
        created: None,
        failure: Some(evil(18)),
        encryption: Some(evil(19)),
        destination: Destination::S3(Box::new(S3Destination {
            bucket_arn: evil(20),
            prefix: Some(evil(21)),
            error_output_prefix: Some(evil(22)),
            role_arn: evil(23),
            buffering_mb: 1,
            buffering_seconds: 60,
            compression: evil(24),
            kms_key_arn: Some(evil(25)),
            dynamic_partitioning: Some(DynamicPartitioning {
                enabled: true,
                jq_query: Some(evil(26)),
                retry_seconds: None,
            }),
            log_group: Some("/g".into()),
            log_stream: Some(evil(27)),
            custom_time_zone: Some(evil(28)),
        })),
        processors: vec![Processor {
            kind: evil(60),
            lambda_arn: Some(evil(61)),
        }],
        format_conversion: true,
        last_update: None,
        version_id: None,
    };
    st.set_inventory(
        Inventory {
            buses: vec![],
            rules: vec![rule.into()],
            streams: vec![stream.into()],
            errors: vec![],
        },
        now,
    );
    st.set_alarms(
        vec![Alarm {
            name: evil(28),
            state: AlarmState::Alarm,
            reason: evil(29),
            namespace: None,
            metric: Some(evil(30)),
            dimensions: vec![("DeliveryStreamName".into(), stream_name.clone())],
            state_updated: now,
            threshold: Some(1.0),
            comparison: Some(evil(31)),
        }],
        now,
    );
    let mut logs = fhtop::fresh::store::LogStore::default();
    let mut buf = fhtop::fresh::store::LogBuffer::default();
    buf.push(vec![
        LogEvent {
            group: "/g".into(),
            stream: evil(32),
            timestamp: now,
            event_id: "1".into(),
            message: format!(
                "{{\"errorCode\":\"{}\",\"message\":\"{}\"}}",
                "S3.\\u001b]0;t\\u0007", "\\u001b[2J"
            ),
        },
        LogEvent {
            group: "/g".into(),
            stream: "s".into(),
            timestamp: now,
            event_id: "2".into(),
            message: format!("{}{}", evil(33), "x".repeat(1 << 20)),
        },
    ]);
    buf.error = Some(evil(34));
    logs.groups.insert("/g".into(), std::sync::Arc::new(buf));
    st.set_logs(logs, now);
    st
}

fn hostile_report() -> fhtop::judge::iam::Report {
    fhtop::judge::iam::Report {
        title: evil(40),
        principal: evil(41),
        engine: evil(42),
        rows: vec![fhtop::judge::iam::Row {
            action: evil(43),
            resource: evil(44),
            decision: "implicitDeny".into(),
            needs: Some(evil(45)),
            matched: vec![evil(46)],
        }],
        fixes: vec![format!("{}\n{}", evil(47), evil(48))],
        notes: vec![evil(49)],
        error: Some(evil(50)),
    }
}

fn hostile_finding() -> fhtop::judge::check::CheckResult {
    fhtop::judge::check::CheckResult {
        check: "delivery-errors",
        target: evil(51),
        status: fhtop::judge::health::Level::Fail,
        summary: evil(52),
        details: format!("{}\n{}", evil(53), evil(54)),
        confirm: evil(55),
        pipeline: evil(56),
    }
}

/// Every escape sequence in `out` must be one ratatui/crossterm itself writes: CSI with digits
/// and semicolons, ending in a cursor-move, SGR, or cursor show/hide.
fn assert_only_own_sequences(out: &[u8], what: &str) {
    let s = String::from_utf8_lossy(out);
    assert!(!out.contains(&0x07), "{what}: BEL reached the tty");
    assert!(
        !s.contains('\u{9b}') && !s.contains('\u{9d}'),
        "{what}: C1 control reached the tty"
    );
    assert!(
        !s.contains('\u{202e}'),
        "{what}: bidi override reached the tty"
    );
    for (i, c) in s.char_indices() {
        if c != '\x1b' {
            continue;
        }
        let rest = &s[i + 1..];
        assert!(
            rest.starts_with('['),
            "{what}: non-CSI escape at byte {i}: {:?}",
            &s[i..(i + 12).min(s.len())]
        );
        let body: String = rest[1..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ';' || *c == '?')
            .collect();
        let fin = rest[1 + body.len()..].chars().next();
        assert!(
            matches!(fin, Some('H' | 'm' | 'l' | 'h')),
            "{what}: unexpected CSI {:?}",
            &s[i..(i + 16).min(s.len())]
        );
    }
}

#[test]
fn no_escape_from_data_reaches_the_tty_in_any_pane() {
    let st = hostile_store();
    let one = fhtop::fresh::store::Merged::one(st.snapshot());
    // Two contexts of the same hostile data: the merged rows, the context column and the
    // per-context header (a context name from a config file is cleaned too).
    let part = |name: &str| fhtop::fresh::store::Part {
        name: name.into(),
        production: true,
        read_only: true,
        snap: st.snapshot(),
    };
    let two =
        fhtop::fresh::store::Merged::new(vec![part("lake\u{1b}]0;x\u{7}"), part("dr\u{9b}2J")]);
    let keymap = Keymap::default();
    let theme = Theme::default_theme();
    for (keys, snap) in [
        "", "2", "3", "4", "5", "7", "enter", "3 enter", "?", "2 p", "2 c", "2 P",
    ]
    .into_iter()
    .flat_map(|k| [(k, &one), (k, &two)])
    {
        let mut view = View::new(true);
        view.sync_target(snap);
        for k in parse_key_sequence(keys).unwrap_or_default() {
            view.on_key(&k, &keymap, snap);
        }
        // The answers of `p` and `c` carry AWS text too (policy names, Sids, error messages).
        let id = view.overlay.as_ref().map(|o| o.id);
        if keys.ends_with(" p") {
            view.finished(
                id.expect("p opened the overlay"),
                fhtop::judge::iam::reports_lines(&[hostile_report()]),
            );
        } else if keys.ends_with(" c") {
            view.finished(
                id.expect("c opened the overlay"),
                fhtop::judge::check::overlay_lines(&[hostile_finding()]),
            );
        }
        let mut out: Vec<u8> = Vec::new();
        {
            let backend = CrosstermBackend::new(&mut out);
            let mut term = Terminal::with_options(
                backend,
                TerminalOptions {
                    viewport: Viewport::Fixed(Rect::new(0, 0, 160, 48)),
                },
            )
            .expect("terminal");
            let ctx = Ctx {
                theme: &theme,
                keymap: &keymap,
                now: Utc::now(),
            };
            term.draw(|f| render(f, snap, &view, &ctx)).expect("draw");
        }
        assert!(out.len() > 1000, "{keys:?}: something was drawn");
        assert_only_own_sequences(&out, keys);
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains('␛'),
            "{keys:?}: the escapes are shown, made visible"
        );
        // In the overlays, the answer's own text is drawn, escapes made visible.
        let shown = match keys {
            "2 p" => Some("n42␛]0;pwned␇end"),
            "2 c" => Some("n51␛[2J␛[Hend"),
            _ => None,
        };
        if let Some(want) = shown {
            assert!(
                text.contains(want),
                "{keys:?}: {want:?} on screen:\n{}",
                text.replace('\x1b', "")
            );
        }
    }
}
