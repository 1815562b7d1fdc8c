//! Every subcommand's entry: settings resolved, the contexts and their backends made, then the
//! dashboard or the one-shot command run; the process exit code.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use crate::backend::{Backend, Clock, demo::DemoBackend};
use crate::cli::{Cli, Command, Format};
use crate::config::{self, Settings};
use crate::text::sanitize;
use crate::ui::keymap::{Keymap, parse_key_sequence};
use crate::ui::theme::Theme;
use crate::ui::{self, frame, snapshot};
use crate::{backend, cli, fresh, model};

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
    Ok(context_backend(&settings_context(settings)).await)
}

/// The context of a command that reads one: the only one there is.
fn settings_context(settings: &Settings) -> config::Context {
    settings
        .contexts
        .first()
        .cloned()
        .unwrap_or(config::Context {
            name: config::Context::name_of(settings.profile.as_deref(), settings.region.as_deref()),
            profile: settings.profile.clone(),
            region: settings.region.clone(),
            endpoint_url: settings.endpoint_url.clone(),
            read_only: settings.read_only,
            production: false,
            role_arn: None,
        })
}

/// The AWS options of one context: its profile, region and endpoint, the role it assumes; the
/// default paces.
fn context_options(c: &config::Context) -> backend::aws::AwsOptions {
    let mut opts =
        backend::aws::AwsOptions::new(c.profile.clone(), c.region.clone(), c.endpoint_url.clone());
    opts.role_arn = c.role_arn.clone();
    opts
}

/// The AWS backend of one context ([`context_options`]).
async fn context_backend(c: &config::Context) -> Arc<dyn Backend> {
    Arc::new(backend::aws::AwsBackend::connect(context_options(c)).await)
}

/// Every context with its AWS backend, in order.
async fn context_backends(
    contexts: &[config::Context],
) -> Vec<(config::Context, Arc<dyn Backend>)> {
    let mut out = Vec::new();
    for c in contexts {
        out.push((c.clone(), context_backend(c).await));
    }
    out
}

/// `--org-role ROLE`: every context becomes one per ACTIVE account of its AWS Organization
/// (organizations:ListAccounts with the context's credentials), named after the account (with
/// the region when several contexts are expanded), reading the account as ROLE (STS
/// AssumeRole) — the caller's own account with its own credentials.
///
/// Errors: an organization that cannot be listed (the message names the context and why).
async fn org_contexts(contexts: &[config::Context], role: &str) -> Result<Vec<config::Context>> {
    let mut out = Vec::new();
    for base in contexts {
        let org = backend::aws::org::accounts(&context_options(base))
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "--org-role: the organization of context {} cannot be listed: {}",
                    base.name,
                    e.explained()
                )
            })?;
        for a in org.accounts {
            let name = if contexts.len() > 1 {
                format!("{}/{}", a.name, base.region.as_deref().unwrap_or("default"))
            } else {
                a.name.clone()
            };
            out.push(config::Context {
                name,
                role_arn: (a.id != org.caller_account)
                    .then(|| format!("arn:{}:iam::{}:role/{role}", org.partition, a.id)),
                ..base.clone()
            });
        }
    }
    Ok(out)
}

/// The settings and backend a one-context command acts with.
type Acting = (Settings, Arc<dyn Backend>);

/// The contexts of a command that names a rule or stream, when several are given (never for
/// the demo).
fn several(settings: &Settings) -> Option<Vec<config::Context>> {
    (!settings.demo && settings.contexts.len() > 1).then(|| settings.contexts.clone())
}

/// The one of `contexts` that has `what` ([`cli::which::the_one_having`]; every context must
/// answer when `mutating`), with the settings narrowed to it (its production mark and
/// read-only) and its backend.
///
/// Errors: `what` is in several contexts, or in none, or (`mutating`) a context could not be
/// asked (the message names them).
async fn in_the_one_having(
    settings: &Settings,
    contexts: Vec<config::Context>,
    what: &cli::which::Named,
    mutating: bool,
) -> std::result::Result<Acting, String> {
    let backends = context_backends(&contexts).await;
    let (c, b) = cli::which::the_one_having(backends, what, mutating).await?;
    eprintln!("fhtop: {what} is in context {}", sanitize::clean(&c.name));
    Ok((settings.narrowed(&c), b))
}

/// Commands other than `fhtop check` read one context: several is an error naming them.
///
/// Errors: more than one context (the message lists them and how to pick one).
fn one_context(settings: &Settings, what: &str) -> Result<()> {
    if settings.demo || settings.contexts.len() <= 1 {
        return Ok(());
    }
    let names: Vec<&str> = settings.contexts.iter().map(|c| c.name.as_str()).collect();
    anyhow::bail!(
        "{what} reads one context, and {} are given ({}): pick one with --context NAME, or one \
         --profile and one --region (fhtop check reads them all)",
        names.len(),
        names.join(", ")
    )
}

/// The nice value the dashboard's runtime threads run at: 10 (the UI thread keeps 0). Linux
/// weighs a thread's CPU share by its nice value (weight 1024 at 0, 110 at 10: the kernel's
/// `sched_prio_to_weight`), so on a loaded machine the UI thread is run before the background
/// threads instead of waiting its turn among them.
pub const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's CPU priority to [`BACKGROUND_NICE`]: run on each of the
/// dashboard's runtime threads (its pollers' workers and its blocking pool, where the history
/// merge and the frame preparation run), never on the UI thread. At 5,000 streams on a
/// 2-core machine the UI thread was measured waiting up to 85 ms for a CPU in one frame that
/// needed 2 ms of it, with these threads busy beside it.
///
/// Linux only: there the nice value is a thread's own (setpriority(2), "the nice value is a
/// per-thread attribute" under NPTL); elsewhere it is the process's, and nothing is changed.
/// Raising a nice value needs no privilege; a failure is logged and changes nothing else.
pub fn yield_to_ui() {
    #[cfg(target_os = "linux")]
    if let Err(e) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), BACKGROUND_NICE)
    {
        tracing::debug!("background thread priority unchanged: {e}");
    }
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

/// Everything `main` does, minus printing the error.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // What needs neither configuration nor AWS.
    match &cli.command {
        Some(Command::Policy(args)) => {
            crate::out!("{}", cli::policy::render(args));
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "fhtop", &mut buf);
            crate::out!("{}", String::from_utf8_lossy(&buf));
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man { command, out_dir }) => return man(command, out_dir.as_deref()),
        _ => {}
    }
    let settings = Settings::resolve(&cli.global, no_color_env())?;
    let keymap = Keymap::with_overrides(&settings.keys)?;
    let theme = Theme::load(&settings.theme, settings.no_color)?;
    if cli.global.print_config || matches!(cli.command, Some(Command::Config)) {
        crate::out!("{}", settings.to_toml(keymap.to_config()));
        return Ok(ExitCode::SUCCESS);
    }
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.worker_threads(2).enable_all();
    if cli.command.is_none() {
        // The dashboard: its pollers, merges and preparations yield the CPU to the UI thread.
        rt.on_thread_start(yield_to_ui);
    }
    let rt = rt.build()?;
    let mut settings = settings;
    if let Some(role) = &cli.global.org_role {
        if settings.demo {
            anyhow::bail!("--org-role lists an AWS Organization: not with --demo");
        }
        settings.contexts = rt.block_on(org_contexts(&settings.contexts, role))?;
        if let [one] = settings.contexts.as_slice() {
            settings = settings.narrowed(&one.clone());
        }
    }
    let settings = settings;
    match &cli.command {
        Some(Command::Check(_)) => {}
        Some(Command::Snapshot(_)) => one_context(&settings, "fhtop snapshot")?,
        // A rule or stream named: the one context that has it (cli::which).
        Some(Command::Rule(_) | Command::Recover(_)) => {}
        Some(Command::Perms(a))
            if matches!(
                a.what,
                cli::PermsWhat::Stream { .. } | cli::PermsWhat::Rule { .. }
            ) => {}
        Some(Command::Perms(_)) => one_context(&settings, "fhtop perms")?,
        Some(Command::Pattern(_)) => one_context(&settings, "fhtop pattern")?,
        Some(Command::Errors(_)) => one_context(&settings, "fhtop errors")?,
        Some(Command::Losses(_)) => one_context(&settings, "fhtop losses")?,
        Some(Command::Partition(_)) => one_context(&settings, "fhtop partition")?,
        Some(_) | None => {}
    }
    // A backend that answers, or the one-screen explanation printed and `None` (exit 3).
    let connect = |clock: Clock| -> Result<Option<Arc<dyn Backend>>> {
        let backend = rt.block_on(backend_for(&settings, clock))?;
        if let Some(msg) = rt.block_on(preflight(&backend, &settings)) {
            eprint!("{msg}");
            return Ok(None);
        }
        Ok(Some(backend))
    };
    // The settings and backend of a command that names `what`: with several contexts, the one
    // that has it (else why not on stderr, exit `refused`); else the one context (exit 3 when
    // AWS cannot be used).
    let acting_in = |what: Option<cli::which::Named>,
                     mutating: bool,
                     refused: u8|
     -> Result<std::result::Result<Acting, ExitCode>> {
        Ok(match (several(&settings), what) {
            (Some(contexts), Some(what)) => rt
                .block_on(in_the_one_having(&settings, contexts, &what, mutating))
                .map_err(|e| {
                    let verb = if mutating { "refused: " } else { "" };
                    eprintln!("fhtop: {verb}{}", sanitize::clean(&e));
                    ExitCode::from(refused)
                }),
            _ => connect(Clock::System)?
                .map(|b| (settings.clone(), b))
                .ok_or(ExitCode::from(3)),
        })
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
                &ui::settings::AppSettings::from(&settings),
                &keymap,
                &keys,
            ))?;
            let ctx = ui::render::Ctx {
                theme: &theme,
                keymap: &keymap,
                now: clock.now(),
            };
            let w = fresh::store::Merged::one(snap.clone());
            let buf = frame::draw(&w, &view, &ctx, args.width.max(1), args.height.max(1))?;
            match args.format {
                Format::Text => crate::out!("{}", frame::to_text(&buf)),
                Format::Svg => crate::out!("{}", frame::to_svg(&buf, &theme)),
            }
            // The frame says what could not be read; fail only when there was nothing to show.
            Ok(if snap.inventory.data.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(
            Command::Config
            | Command::Policy(_)
            | Command::Completions { .. }
            | Command::Man { .. },
        ) => Ok(ExitCode::SUCCESS),
        Some(Command::Rule(args)) => {
            let what = cli::which::Named::Rule(model::RuleKey {
                bus: args.bus.clone(),
                name: args.name.clone(),
            });
            let (settings, backend) = match acting_in(Some(what), true, 4)? {
                Ok(x) => x,
                Err(code) => return Ok(code),
            };
            Ok(ExitCode::from(rt.block_on(cli::rule::rule_command(
                &settings, backend, args,
            ))))
        }
        Some(Command::Recover(args)) => {
            let what = match &args.what {
                cli::RecoverWhat::Errors(a) => cli::which::Named::Stream(a.stream.clone()),
                cli::RecoverWhat::Dlq(a) => cli::which::Named::Rule(cli::dlq::rule_key(&a.rule)),
                cli::RecoverWhat::Replay(a) => cli::which::Named::Rule(cli::dlq::rule_key(&a.rule)),
            };
            let (settings, backend) = match acting_in(Some(what), true, 4)? {
                Ok(x) => x,
                Err(code) => return Ok(code),
            };
            Ok(ExitCode::from(rt.block_on(async {
                match args.what {
                    cli::RecoverWhat::Errors(a) => {
                        cli::recover::errors_command(&settings, backend, a).await
                    }
                    cli::RecoverWhat::Dlq(a) => cli::dlq::dlq_command(&settings, backend, a).await,
                    cli::RecoverWhat::Replay(a) => {
                        cli::replay::replay_command(&settings, backend, a).await
                    }
                }
            })))
        }
        Some(Command::Check(args)) => {
            // Every context, each with its own backend (the demo is one).
            let backends: Vec<(config::Context, Arc<dyn Backend>)> = if settings.demo {
                vec![(
                    settings_context(&settings),
                    rt.block_on(backend_for(&settings, Clock::System))?,
                )]
            } else {
                rt.block_on(context_backends(&settings.contexts))
            };
            Ok(ExitCode::from(rt.block_on(cli::check::check_command(
                &settings, backends, args,
            ))))
        }
        Some(Command::Pattern(args)) => {
            use cli::PatternWhat;
            Ok(ExitCode::from(match args.what {
                PatternWhat::Test {
                    rule,
                    pattern,
                    event,
                } => {
                    // A pattern file needs no account: TestEventPattern is asked only when one
                    // answers.
                    let backend = if pattern.is_some() {
                        let b = rt.block_on(backend_for(&settings, Clock::System))?;
                        match rt.block_on(preflight(&b, &settings)) {
                            None => Some(b),
                            Some(_) => None,
                        }
                    } else {
                        match connect(Clock::System)? {
                            Some(b) => Some(b),
                            None => return Ok(ExitCode::from(cli::pattern::AWS_UNUSABLE)),
                        }
                    };
                    rt.block_on(cli::pattern::test_command(
                        backend,
                        rule.as_deref(),
                        pattern.as_deref(),
                        &event,
                        args.json,
                    ))
                }
                PatternWhat::Match { bus, event } => {
                    let Some(backend) = connect(Clock::System)? else {
                        return Ok(ExitCode::from(cli::pattern::AWS_UNUSABLE));
                    };
                    rt.block_on(cli::pattern::match_command(
                        backend, &bus, &event, args.json,
                    ))
                }
            }))
        }
        Some(Command::Errors(args)) => {
            let Some(backend) = connect(Clock::System)? else {
                return Ok(ExitCode::from(cli::errors::AWS_UNUSABLE));
            };
            Ok(ExitCode::from(
                rt.block_on(cli::errors::errors_command(backend, args)),
            ))
        }
        Some(Command::Losses(args)) => {
            let Some(backend) = connect(Clock::System)? else {
                return Ok(ExitCode::from(cli::losses::AWS_UNUSABLE));
            };
            Ok(ExitCode::from(
                rt.block_on(cli::losses::losses_command(backend, args)),
            ))
        }
        Some(Command::Partition(args)) => {
            let cli::PartitionWhat::Test(args) = args.what;
            let Some(backend) = connect(Clock::System)? else {
                return Ok(ExitCode::from(cli::partition::AWS_UNUSABLE));
            };
            Ok(ExitCode::from(rt.block_on(
                cli::partition::partition_command(backend, args),
            )))
        }
        Some(Command::Perms(args)) => {
            let what = match &args.what {
                cli::PermsWhat::Stream { name } => Some(cli::which::Named::Stream(name.clone())),
                cli::PermsWhat::Rule { name, bus } => {
                    Some(cli::which::Named::Rule(model::RuleKey {
                        bus: bus.clone(),
                        name: name.clone(),
                    }))
                }
                _ => None,
            };
            let (settings, backend) = match acting_in(what, false, 2)? {
                Ok(x) => x,
                Err(code) => return Ok(code),
            };
            Ok(ExitCode::from(rt.block_on(cli::perms::perms_command(
                &settings, backend, args,
            ))))
        }
        None => {
            let clock = Clock::System;
            // A context's backend, at start and for `:region`: the demo account in its
            // region, else the context's AWS backend.
            let (demo, seed) = (settings.demo, settings.seed);
            let make: ui::app::Connect = Arc::new(move |c: config::Context| {
                Box::pin(async move {
                    if demo {
                        Arc::new(DemoBackend::new(seed, clock, c.region.clone()))
                            as Arc<dyn Backend>
                    } else {
                        context_backend(&c).await
                    }
                })
            });
            let watched = if settings.contexts.len() <= 1 {
                // One context: one screen of explanation instead of a dashboard that cannot
                // read anything.
                let Some(backend) = connect(clock)? else {
                    return Ok(ExitCode::from(3));
                };
                vec![ui::app::Watched {
                    context: settings_context(&settings),
                    backend,
                }]
            } else {
                // Several (the demo account in each region given, or AWS): each connects on
                // its own; one that cannot read is stale in its own header slot and rows,
                // never the others'.
                settings
                    .contexts
                    .iter()
                    .map(|c| ui::app::Watched {
                        context: c.clone(),
                        backend: rt.block_on(make(c.clone())),
                    })
                    .collect()
            };
            rt.block_on(ui::app::run(
                &settings, &theme, &keymap, watched, make, clock,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `fhtop man [SUBCOMMAND…] [--out-dir DIR]`: one page to standard output — fhtop(1), or the
/// named subcommand's (fhtop-check(1), fhtop-perms-stream(1)) — or every page into `DIR`.
///
/// Errors: a subcommand fhtop does not have (the message lists those it has), a directory that
/// cannot be written.
fn man(path: &[String], out_dir: Option<&std::path::Path>) -> Result<ExitCode> {
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    // Built, every subcommand knows its full name (`fhtop-perms-stream`): its page's title.
    cmd.build();
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir)?;
        clap_mangen::generate_to(cmd, dir)?;
        crate::outln!("manual pages written to {}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut page = cmd;
    for name in path {
        let Some(sub) = page.find_subcommand(name).cloned() else {
            let have: Vec<String> = page
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            anyhow::bail!(
                "fhtop man: no subcommand {:?} (there are: {})",
                sanitize::clean(name),
                have.join(", ")
            );
        };
        page = sub;
    }
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    crate::out!("{}", String::from_utf8_lossy(&buf));
    Ok(ExitCode::SUCCESS)
}
