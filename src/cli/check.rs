//! `fhtop check`: gather, evaluate, print (a table or JSON); the Nagios exit code.

use std::sync::Arc;

use crate::backend::Backend;
use crate::config::Settings;
use crate::{check, cli, health, iam, sanitize};

/// `fhtop check`: gather, evaluate, print; Nagios exit code.
pub async fn check_command(
    settings: &Settings,
    backend: Arc<dyn Backend>,
    args: cli::CheckArgs,
) -> u8 {
    use std::io::IsTerminal;
    let started = std::time::Instant::now();
    let sel = check::Selection {
        streams: args.streams,
        rules: args.rules,
    };
    let gathered = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        check::gather(
            backend.as_ref(),
            &sel,
            settings.window_minutes,
            &settings.writer_policy,
            chrono::Utc::now(),
        ),
    )
    .await;
    let g = match gathered {
        Ok(Ok(g)) => g,
        Ok(Err(e)) => {
            let line = sanitize::clean(&e.message).replace('\n', " ");
            crate::outln!("UNKNOWN - fhtop check: {line}");
            return 3;
        }
        Err(_) => {
            crate::outln!("UNKNOWN - fhtop check: no answer from AWS within 120 s");
            return 3;
        }
    };
    let mut findings = check::evaluate(&g);
    findings.retain(|f| !args.skip.iter().any(|s| s == f.check));
    let code = check::exit_code(&findings);
    let timelines = check::timelines(&g, &findings);
    if args.json {
        let tl: serde_json::Map<String, serde_json::Value> = timelines
            .iter()
            .map(|(t, ev)| (t.clone(), serde_json::to_value(ev).unwrap_or_default()))
            .collect();
        let v = serde_json::json!({ "checks": findings, "timelines": tl });
        crate::outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return code;
    }
    let colour = std::io::stdout().is_terminal() && !settings.no_color;
    let paint = |t: iam::Tone, s: &str| -> String {
        use health::Level;
        if !colour {
            return s.to_string();
        }
        let c = match t {
            iam::Tone::Heading(Level::Fail) | iam::Tone::Row(Level::Fail) => "31",
            iam::Tone::Heading(Level::Warn) | iam::Tone::Row(Level::Warn) => "33",
            iam::Tone::Heading(Level::Ok) | iam::Tone::Row(Level::Ok) => "32",
            iam::Tone::Heading(Level::Unknown) | iam::Tone::Row(Level::Unknown) => "35",
            iam::Tone::Note => "2",
            _ => "0",
        };
        format!("\x1b[{c}m{s}\x1b[0m")
    };
    crate::outln!(
        "fhtop check — account {} · {} · {} · {:.1} s",
        sanitize::clean(&g.account),
        sanitize::clean(&g.region),
        check::tally(&findings),
        started.elapsed().as_secs_f64()
    );
    for (level, line) in check::human_lines(&findings, args.all) {
        crate::outln!("{}", paint(level, &sanitize::clean(&line)));
    }
    for (target, events) in &timelines {
        crate::outln!("");
        crate::outln!(
            "{}",
            paint(
                iam::Tone::Note,
                &format!("since when — {} (newest first)", sanitize::clean(target))
            )
        );
        if events.is_empty() {
            crate::outln!(
                "  nothing changed in the window (no alarm change, configuration change, error log or metric turn)"
            );
        }
        for e in events {
            crate::outln!(
                "  {}  {:<9}  {}",
                e.at.format("%Y-%m-%d %H:%M UTC"),
                e.kind.label(),
                sanitize::clean(&e.text)
            );
        }
    }
    code
}
