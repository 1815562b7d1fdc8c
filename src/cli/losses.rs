//! `fhtop losses`: the loss ledger ([`crate::judge::losses`]) of every pipeline, or the ones
//! named, over a window; printed as lines worst first, or JSON. Read only.

use std::sync::Arc;

use crate::backend::Backend;
use crate::judge::losses::{self, Fate, Ledger};
use crate::text::sanitize;

/// Exit code when AWS cannot be used (the inventory could not be read).
pub const AWS_UNUSABLE: u8 = 3;

/// Reads, judges and prints the ledger of `args`; the exit code ([`Ledger::exit_code`], or
/// [`AWS_UNUSABLE`]; a name asked for that does not exist is undecided, 3).
pub async fn losses_command(backend: Arc<dyn Backend>, args: super::LossesArgs) -> u8 {
    let sel = args.pipelines.selection();
    let minutes = u32::try_from(args.since.as_secs().div_ceil(60))
        .unwrap_or(u32::MAX)
        .max(1);
    let now = chrono::Utc::now();
    let g = match losses::gather(backend.as_ref(), &sel, minutes, now).await {
        Ok(g) => g,
        Err(e) => {
            crate::outln!(
                "fhtop losses: the inventory could not be read: {}",
                sanitize::clean(&e.explained())
            );
            return AWS_UNUSABLE;
        }
    };
    let ledger = g.ledger();
    if args.json {
        let doc = serde_json::json!({
            "account": g.account,
            "region": g.region,
            "now": ledger.now,
            "window_minutes": ledger.window_minutes,
            "verdict": ledger.worst(),
            "lines": ledger.lines,
            "cannot_know": ledger.cannot_know,
            "missing": g.missing.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        crate::outln!("{}", sanitize::json_inert(&text));
    } else {
        crate::out!("{}", render(&ledger, &g.account, &g.region, &g.missing));
    }
    if g.missing.is_empty() {
        ledger.exit_code()
    } else {
        ledger.exit_code().max(AWS_UNUSABLE)
    }
}

/// The ledger as text: a header, one block per line (worst first: the fate, the target, what
/// was found, where it can be got back from, what it rests on), the verdict, and what the
/// ledger cannot know. AWS text is cleaned for the terminal.
pub fn render(l: &Ledger, account: &str, region: &str, missing: &[(&str, String)]) -> String {
    let clean = |s: &str| sanitize::clean(s).into_owned();
    let mut out = format!(
        "Losses · account {} · {} · last {} · {} UTC\n\n",
        clean(account),
        clean(region),
        losses::window_text(l.window_minutes),
        l.now.format("%Y-%m-%d %H:%M")
    );
    for (kind, name) in missing {
        out.push_str(&format!(
            "UNKNOWN      {kind} {}: not in the inventory\n",
            clean(name)
        ));
    }
    let shown: Vec<_> = l.lines.iter().filter(|x| x.fate != Fate::Clear).collect();
    if shown.is_empty() && missing.is_empty() {
        out.push_str("Nothing lost, at risk or waiting to be recovered.\n");
    }
    for x in &shown {
        out.push_str(&format!(
            "{:<12} {}  {}\n",
            x.fate.word().to_uppercase(),
            clean(&x.target),
            clean(&x.summary)
        ));
        if let Some(loc) = &x.location {
            out.push_str(&format!("{:<12} from {}\n", "", clean(loc)));
        }
        if let Some(cmd) = x.recover_command() {
            out.push_str(&format!("{:<12} recover: {}\n", "", clean(&cmd)));
        }
        out.push_str(&format!("{:<12} rests on {}\n", "", clean(&x.evidence)));
    }
    for x in l.lines.iter().filter(|x| x.fate == Fate::Clear) {
        out.push_str(&format!(
            "{:<12} {}  {}\n",
            "CLEAR",
            clean(&x.target),
            clean(&x.summary)
        ));
    }
    let n = |f: Fate| l.lines.iter().filter(|x| x.fate == f).count();
    out.push_str(&format!(
        "\nVerdict: {} — {} lost, {} undecided, {} at risk, {} recoverable\n",
        l.worst().word().to_uppercase(),
        n(Fate::Lost),
        n(Fate::Unknown),
        n(Fate::AtRisk),
        n(Fate::Recoverable)
    ));
    out.push_str("\nWhat this ledger cannot know:\n");
    for c in &l.cannot_know {
        out.push_str(&format!("  - {c}\n"));
    }
    out
}
