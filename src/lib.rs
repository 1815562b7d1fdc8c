//! fhtop: a terminal dashboard for the EventBridge rule → Kinesis Data Firehose → S3 path.
//!
//! Data flow: [`backend::Backend`] (demo or AWS) ← [`poll`] tasks → [`store::Store`] →
//! [`ui::render::render`] (pure) ← [`ui::view::View`] ← keys. See ARCHITECTURE in the README.

pub mod backend;
pub mod cli;
pub mod config;
pub mod health;
pub mod model;
pub mod poll;
pub mod sanitize;
pub mod snapshot;
pub mod store;
pub mod ui;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};

use backend::{Backend, Clock, demo::DemoBackend};
use cli::{Cli, Command, Format};
use config::Settings;
use ui::keymap::{Keymap, parse_key_sequence};
use ui::theme::Theme;

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn backend_for(settings: &Settings, clock: Clock) -> Result<Arc<dyn Backend>> {
    if settings.demo {
        return Ok(Arc::new(DemoBackend::new(
            settings.seed,
            clock,
            settings.region.clone(),
        )));
    }
    bail!(
        "this build of fhtop only has the built-in demo account: run `fhtop --demo`.\n\
         The AWS backend (profiles, SSO, --endpoint-url) is the next milestone."
    )
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
    match cli.command {
        Some(Command::Snapshot(args)) => {
            let clock = match &args.at {
                Some(at) => Clock::Fixed(snapshot::parse_at(at)?),
                None => Clock::Fixed(chrono::Utc::now()),
            };
            let backend = backend_for(&settings, clock)?;
            let keys = parse_key_sequence(args.keys.as_deref().unwrap_or(""))?;
            let (snap, view) = rt.block_on(snapshot::settle(
                backend,
                clock,
                settings.window_minutes,
                &keymap,
                &keys,
                settings.read_only,
            ))?;
            let ctx = ui::render::Ctx {
                theme: &theme,
                keymap: &keymap,
                now: clock.now(),
                intervals: settings.intervals,
            };
            let buf = snapshot::draw(&snap, &view, &ctx, args.width.max(1), args.height.max(1))?;
            match args.format {
                Format::Text => print!("{}", snapshot::to_text(&buf)),
                Format::Svg => print!("{}", snapshot::to_svg(&buf, &theme)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config) => Ok(ExitCode::SUCCESS),
        None => {
            let clock = Clock::System;
            let backend = backend_for(&settings, clock)?;
            rt.block_on(ui::app::run(&settings, &theme, &keymap, backend, clock))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
