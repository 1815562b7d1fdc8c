//! `fhtop rule enable|disable NAME`: plan, confirm on a terminal (or `--yes`), apply, through
//! the one mutation path (`act::Executor`).

use std::sync::Arc;

use crate::act;
use crate::backend::Backend;
use crate::config::Settings;
use crate::text::sanitize;
use crate::{cli, model};

/// Exit codes: 0 done (or already so), 1 failed, 3 AWS unusable, 4 refused, 5 unverified.
pub async fn rule_command(
    settings: &Settings,
    backend: Arc<dyn Backend>,
    args: cli::RuleArgs,
) -> u8 {
    use std::io::{BufRead, IsTerminal, Write};
    let identity = match backend.identity().await {
        Ok(i) => i,
        Err(e) => {
            eprintln!("fhtop: {}", sanitize::clean(&e.message));
            return 3;
        }
    };
    // Where the change lands, said first when it is production.
    let production = crate::config::is_production(
        settings.production,
        &settings.production_match,
        identity.profile.as_deref(),
        Some(&identity.account),
    )
    .then(|| {
        format!(
            "PRODUCTION · profile {} · account {} · {}",
            identity.profile.as_deref().unwrap_or("default"),
            identity.account,
            identity.region
        )
    });
    let exec = act::Executor {
        backend,
        read_only: settings.read_only,
        identity,
        audit_path: act::default_audit_path(),
        verify_timeout: std::time::Duration::from_secs(30),
    };
    let key = model::RuleKey {
        bus: args.bus,
        name: args.name,
    };
    let plan = match exec.plan(&key, args.verb == cli::RuleVerb::Enable).await {
        Ok(p) => p,
        Err(o) => {
            eprintln!(
                "fhtop: refused: {}",
                sanitize::clean(o.detail().unwrap_or(""))
            );
            return o.exit_code();
        }
    };
    let feeds = if plan.streams.is_empty() {
        "no delivery stream".to_string()
    } else {
        plan.streams.join(", ")
    };
    let summary = format!("{} (feeds {feeds})", plan.summary());
    if let Some(p) = &production {
        eprintln!("fhtop: {}", sanitize::clean(p));
    }
    if let Some(note) = &plan.note {
        eprintln!("fhtop: {}", sanitize::clean(note));
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            eprintln!(
                "fhtop: refused: {}; stdin is not a terminal, pass --yes",
                sanitize::clean(&summary)
            );
            return 4;
        }
        eprint!("{}? [y/N] ", sanitize::clean(&summary));
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("fhtop: not confirmed; nothing changed");
            return 4;
        }
    }
    let outcome = exec.apply(&plan).await;
    match &outcome {
        act::Outcome::Confirmed => crate::outln!("{}: {} (verified)", key, plan.to_state()),
        act::Outcome::Unchanged => crate::outln!("{key}: already {}", plan.to_state()),
        o => eprintln!(
            "fhtop: {}: {}",
            o.word(),
            sanitize::clean(o.detail().unwrap_or(""))
        ),
    }
    outcome.exit_code()
}
