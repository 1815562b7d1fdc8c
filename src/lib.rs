//! fhtop: a terminal dashboard for the EventBridge rule → Kinesis Data Firehose → S3 path.
//!
//! Data flow: [`backend::Backend`] (demo or AWS) ← [`poll`] tasks → [`store::Store`] →
//! [`ui::render::render`] (pure) ← [`ui::view::View`] ← keys. See ARCHITECTURE in the README.

pub mod action;
pub mod backend;
pub mod check;
pub mod cli;
pub mod config;
pub mod health;
pub mod iam;
pub mod model;
pub mod poll;
pub mod sanitize;
pub mod snapshot;
pub mod store;
pub mod text;
pub mod ui;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use backend::{Backend, Clock, demo::DemoBackend};
use cli::{Cli, Command, Format};
use config::Settings;
use ui::keymap::{Keymap, parse_key_sequence};
use ui::theme::Theme;

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

async fn backend_for(settings: &Settings, clock: Clock) -> Result<Arc<dyn Backend>> {
    if settings.demo {
        return Ok(Arc::new(DemoBackend::new(
            settings.seed,
            clock,
            settings.region.clone(),
        )));
    }
    let opts = backend::aws::AwsOptions::new(
        settings.profile.clone(),
        settings.region.clone(),
        settings.endpoint_url.clone(),
    );
    let aws = backend::aws::AwsBackend::connect(opts).await;
    Ok(Arc::new(aws))
}

/// Before the screen opens: can we talk to AWS at all? Otherwise one screen of explanation.
async fn preflight(backend: &Arc<dyn Backend>, settings: &Settings) -> Option<String> {
    if settings.demo {
        return None;
    }
    let r = tokio::time::timeout(std::time::Duration::from_secs(20), backend.identity()).await;
    let e = match r {
        Ok(Ok(_)) => return None,
        Ok(Err(e)) => e,
        Err(_) => backend::BackendError::new(
            backend::ErrorKind::Network,
            "no answer from AWS (STS GetCallerIdentity) within 20 s",
        ),
    };
    Some(explain(&e, settings))
}

/// The one-screen explanation for "fhtop cannot use AWS".
pub fn explain(e: &backend::BackendError, settings: &Settings) -> String {
    use backend::ErrorKind::*;
    let what = match e.kind {
        ExpiredCredentials => "Your AWS credentials have expired.",
        Auth => "fhtop found no usable AWS credentials.",
        Network => "fhtop cannot reach AWS.",
        _ => "fhtop cannot read this AWS account.",
    };
    let profile = settings.profile.as_deref().unwrap_or("(default)");
    let region = settings
        .region
        .as_deref()
        .unwrap_or("(from profile / AWS_REGION)");
    let endpoint = settings.endpoint_url.as_deref().unwrap_or("(AWS)");
    format!(
        "fhtop: {what}\n\n  {}\n\n  profile   {profile}\n  region    {region}\n  endpoint  {endpoint}\n\n\
         Try one of:\n\
         \x20 fhtop --demo                   the built-in demo account, no credentials needed\n\
         \x20 fhtop --profile NAME           a profile from ~/.aws/config (or set AWS_PROFILE)\n\
         \x20 aws sso login --profile NAME   then run fhtop again (an SSO session expired)\n\
         \x20 fhtop --endpoint-url URL       LocalStack or moto\n\
         On EC2 (a bastion), fhtop uses the instance role when nothing else is configured.\n",
        sanitize::clean(&e.message)
    )
}

/// `fhtop rule enable|disable NAME`: plan, confirm on a terminal (or `--yes`), apply.
async fn rule_command(settings: &Settings, backend: Arc<dyn Backend>, args: cli::RuleArgs) -> u8 {
    use std::io::{BufRead, IsTerminal, Write};
    let identity = match backend.identity().await {
        Ok(i) => i,
        Err(e) => {
            eprintln!("fhtop: {}", sanitize::clean(&e.message));
            return 3;
        }
    };
    let exec = action::Executor {
        backend,
        read_only: settings.read_only,
        identity,
        audit_path: action::default_audit_path(),
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
        action::Outcome::Confirmed => println!("{}: {} (verified)", key, plan.to_state()),
        action::Outcome::Unchanged => println!("{key}: already {}", plan.to_state()),
        o => eprintln!(
            "fhtop: {}: {}",
            o.word(),
            sanitize::clean(o.detail().unwrap_or(""))
        ),
    }
    outcome.exit_code()
}

/// `fhtop check`: gather, evaluate, print; Nagios exit code.
async fn check_command(settings: &Settings, backend: Arc<dyn Backend>, args: cli::CheckArgs) -> u8 {
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
            println!("UNKNOWN - fhtop check: {line}");
            return 3;
        }
        Err(_) => {
            println!("UNKNOWN - fhtop check: no answer from AWS within 120 s");
            return 3;
        }
    };
    let findings = check::evaluate(&g);
    let code = check::exit_code(&findings);
    if args.json {
        let v = serde_json::json!({ "checks": findings });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
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
    println!(
        "fhtop check — account {} · {} · {} · {:.1} s",
        sanitize::clean(&g.account),
        sanitize::clean(&g.region),
        check::tally(&findings),
        started.elapsed().as_secs_f64()
    );
    for (level, line) in check::human_lines(&findings, args.all) {
        println!("{}", paint(level, &sanitize::clean(&line)));
    }
    code
}

/// `fhtop perms ...`: build the simulations from the inventory, run them, print.
async fn perms_command(settings: &Settings, backend: Arc<dyn Backend>, args: cli::PermsArgs) -> u8 {
    use cli::PermsWhat;
    let needs_inventory = !matches!(args.what, PermsWhat::Custom { .. });
    let inv = if needs_inventory {
        match backend.inventory().await {
            Ok(i) => i,
            Err(e) => {
                eprintln!("fhtop: {}", sanitize::clean(&e.message));
                return 3;
            }
        }
    } else {
        model::Inventory::default()
    };
    let reqs = match args.what {
        PermsWhat::Stream { name } => match inv.stream(&name) {
            Some(s) => iam::for_stream(&inv, s, &settings.writer_policy),
            None => {
                eprintln!("fhtop: no delivery stream {}", sanitize::clean(&name));
                return 2;
            }
        },
        PermsWhat::Rule { name, bus } => {
            let key = model::RuleKey { bus, name };
            match inv.rule(&key) {
                Some(r) => iam::for_rule(r, &settings.writer_policy),
                None => {
                    eprintln!("fhtop: no rule {}", sanitize::clean(&key.to_string()));
                    return 2;
                }
            }
        }
        PermsWhat::Policy { name } => vec![iam::writer_request(
            name.as_deref().unwrap_or(&settings.writer_policy),
            inv.streams.iter().map(|s| s.arn.clone()).collect(),
        )],
        PermsWhat::Custom {
            principal,
            actions,
            resources,
        } => {
            let resources = if resources.is_empty() {
                vec!["*".to_string()]
            } else {
                resources
            };
            vec![iam::custom_request(&principal, actions, resources)]
        }
    };
    let reports = iam::run_all(backend.as_ref(), &reqs).await;
    if args.json {
        let v = serde_json::json!({ "reports": reports });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                println!();
            }
            for (_, line) in iam::report_lines(r) {
                println!("{}", sanitize::clean(&line));
            }
        }
    }
    match reports.iter().map(|r| r.verdict()).max() {
        Some(iam::Verdict::Denied | iam::Verdict::Error) => 2,
        Some(iam::Verdict::Undetermined) => 1,
        _ => 0,
    }
}

/// Everything `main` does, minus printing the error.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let settings = Settings::resolve(&cli.global, no_color_env())?;
    let keymap = Keymap::with_overrides(&settings.keys)?;
    let theme = Theme::load(&settings.theme, settings.no_color)?;
    if cli.global.print_config || matches!(cli.command, Some(Command::Config)) {
        print!("{}", settings.to_toml(&keymap));
        return Ok(ExitCode::SUCCESS);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // A backend that answers, or the one-screen explanation printed and `None` (exit 3).
    let connect = |clock: Clock| -> Result<Option<Arc<dyn Backend>>> {
        let backend = rt.block_on(backend_for(&settings, clock))?;
        if let Some(msg) = rt.block_on(preflight(&backend, &settings)) {
            eprint!("{msg}");
            return Ok(None);
        }
        Ok(Some(backend))
    };
    match cli.command {
        Some(Command::Snapshot(args)) => {
            let clock = match &args.at {
                Some(at) => Clock::Fixed(snapshot::parse_at(at)?),
                None => Clock::Fixed(chrono::Utc::now()),
            };
            let Some(backend) = connect(clock)? else {
                return Ok(ExitCode::from(3));
            };
            let keys = parse_key_sequence(args.keys.as_deref().unwrap_or(""))?;
            let (snap, view) = rt.block_on(snapshot::settle(
                backend,
                clock,
                &ui::effects::AppSettings::from(&settings),
                &keymap,
                &keys,
            ))?;
            let ctx = ui::render::Ctx {
                theme: &theme,
                keymap: &keymap,
                now: clock.now(),
            };
            let buf = snapshot::draw(&snap, &view, &ctx, args.width.max(1), args.height.max(1))?;
            match args.format {
                Format::Text => print!("{}", snapshot::to_text(&buf)),
                Format::Svg => print!("{}", snapshot::to_svg(&buf, &theme)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config) => Ok(ExitCode::SUCCESS),
        Some(Command::Rule(args)) => {
            let clock = Clock::System;
            let Some(backend) = connect(clock)? else {
                return Ok(ExitCode::from(3));
            };
            Ok(ExitCode::from(
                rt.block_on(rule_command(&settings, backend, args)),
            ))
        }
        Some(Command::Check(args)) => {
            let backend = rt.block_on(backend_for(&settings, Clock::System))?;
            Ok(ExitCode::from(
                rt.block_on(check_command(&settings, backend, args)),
            ))
        }
        Some(Command::Perms(args)) => {
            let Some(backend) = connect(Clock::System)? else {
                return Ok(ExitCode::from(3));
            };
            Ok(ExitCode::from(
                rt.block_on(perms_command(&settings, backend, args)),
            ))
        }
        None => {
            let clock = Clock::System;
            let Some(backend) = connect(clock)? else {
                return Ok(ExitCode::from(3));
            };
            rt.block_on(ui::app::run(&settings, &theme, &keymap, backend, clock))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
