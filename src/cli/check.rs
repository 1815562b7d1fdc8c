//! `fhtop check`: gather, evaluate, print (a table or JSON); the Nagios exit code. Every
//! context is checked concurrently, each with its own backend; every finding carries its
//! context and the exit code is the worst of all.

use std::sync::Arc;

use crate::backend::Backend;
use crate::cli;
use crate::config::{Context, Settings};
use crate::fresh::plan::{PlanCost, Want};
use crate::judge::check::CheckResult;
use crate::judge::health::Level;
use crate::judge::health::timeline::Event;
use crate::judge::{check, iam};
use crate::text::sanitize;

/// How long one context's reads may take before it is UNKNOWN.
const CONTEXT_TIMEOUT_SECS: u64 = 120;

/// What one context's checks found: the findings, and each failing target's timeline.
type Found = (Vec<CheckResult>, Vec<(String, Vec<Event>)>);

/// One context's checks: where, and what was found or why nothing could be.
struct Checked {
    context: Context,
    /// The account checked ("?" when the context could not be read).
    account: String,
    /// The region checked (the context's, or "?" when it could not be read).
    region: String,
    /// The findings and the failing targets' timelines, or why the context could not be read.
    result: Result<Found, String>,
    /// What the dashboard's metric plan costs on this context's inventory (a screen of
    /// [`SCREEN_ROWS`] rows, nothing failing, the configured metrics interval), and a full
    /// plan; none when the inventory could not be read.
    plan: Option<PlanCost>,
}

/// The list rows a 160×48 terminal shows: the screen the plan estimate assumes.
const SCREEN_ROWS: usize = 40;

/// `fhtop check` over `backends` (one per context, at least one): gather and evaluate each
/// concurrently, print, and return the Nagios exit code of all findings (a context that
/// cannot be read counts as UNKNOWN).
pub async fn check_command(
    settings: &Settings,
    backends: Vec<(Context, Arc<dyn Backend>)>,
    args: cli::CheckArgs,
) -> u8 {
    let started = std::time::Instant::now();
    let sel = args.pipelines.selection();
    let checked: Vec<Checked> =
        futures_util::future::join_all(backends.into_iter().map(|(context, backend)| {
            let sel = sel.clone();
            let skip = args.skip.clone();
            async move { check_one(settings, context, backend, &sel, &skip).await }
        }))
        .await;
    let code = worst(&checked);
    // One context that cannot be read: the one line monitoring expects.
    if let [one] = checked.as_slice()
        && let Err(line) = &one.result
    {
        crate::outln!("UNKNOWN - fhtop check: {line}");
        return code;
    }
    if args.json {
        crate::outln!(
            "{}",
            sanitize::json_inert(
                &serde_json::to_string_pretty(&json(&checked)).unwrap_or_default()
            )
        );
    } else {
        print_human(settings, &checked, args.all, started);
    }
    code
}

/// Gathers and evaluates one context (within [`CONTEXT_TIMEOUT_SECS`]).
async fn check_one(
    settings: &Settings,
    context: Context,
    backend: Arc<dyn Backend>,
    sel: &check::Selection,
    skip: &[String],
) -> Checked {
    let gathered = tokio::time::timeout(
        std::time::Duration::from_secs(CONTEXT_TIMEOUT_SECS),
        check::gather(
            backend.as_ref(),
            sel,
            settings.window_minutes,
            &settings.writer_policy,
            chrono::Utc::now(),
        ),
    )
    .await;
    let failed = |why: String| Checked {
        region: context.region.clone().unwrap_or_else(|| "?".into()),
        account: "?".into(),
        result: Err(why),
        context: context.clone(),
        plan: None,
    };
    let g = match gathered {
        Ok(Ok(g)) => g,
        Ok(Err(e)) => return failed(sanitize::clean(&e.message).replace('\n', " ")),
        Err(_) => {
            return failed(format!(
                "no answer from AWS within {CONTEXT_TIMEOUT_SECS} s"
            ));
        }
    };
    let mut findings = check::evaluate(&g);
    findings.retain(|f| !skip.iter().any(|s| s == f.check));
    let timelines = check::timelines(&g, &findings);
    let want = Want {
        screen: g.inv.scopes().into_iter().take(SCREEN_ROWS).collect(),
        full: Vec::new(),
    };
    let plan = PlanCost::of(
        &g.inv,
        &want,
        &Default::default(),
        std::time::Duration::from_secs(settings.intervals.metrics.max(1)),
        None,
    );
    Checked {
        account: g.account.clone(),
        region: g.region.clone(),
        result: Ok((findings, timelines)),
        context,
        plan: Some(plan),
    }
}

/// Nagios over every context: a context that could not be read is UNKNOWN.
fn worst(checked: &[Checked]) -> u8 {
    check::exit_code_of(checked.iter().flat_map(|c| match &c.result {
        Ok((f, _)) => f.iter().map(|f| f.status).collect::<Vec<_>>(),
        Err(_) => vec![Level::Unknown],
    }))
}

/// `{"checks":[{…,"context":{"name","profile","account","region"}}],"timelines":[{"context",
/// "target","events"}],"contexts":[{"name","profile","account","region","error",
/// "metric_plan":{"rows","plan_metrics_per_minute","plan_usd_per_hour",
/// "full_metrics_per_minute","full_usd_per_hour"}}]}` (USD at CloudWatch's list price).
fn json(checked: &[Checked]) -> serde_json::Value {
    let mut checks = Vec::new();
    let mut timelines = Vec::new();
    let mut contexts = Vec::new();
    for c in checked {
        let ctx = serde_json::json!({
            "name": c.context.name,
            "profile": c.context.profile,
            "account": c.account,
            "region": c.region,
        });
        let mut about = ctx.clone();
        if let (Some(o), Err(e)) = (about.as_object_mut(), &c.result) {
            o.insert("error".into(), e.clone().into());
        }
        if let (Some(o), Some(p)) = (about.as_object_mut(), &c.plan) {
            o.insert(
                "metric_plan".into(),
                serde_json::json!({
                    "rows": p.rows,
                    "plan_metrics_per_minute": p.plan_per_minute.round(),
                    "plan_usd_per_hour": PlanCost::usd_per_hour(p.plan_per_minute),
                    "full_metrics_per_minute": p.full_per_minute.round(),
                    "full_usd_per_hour": PlanCost::usd_per_hour(p.full_per_minute),
                    "rotation_seconds": p.rotation.as_secs(),
                }),
            );
        }
        contexts.push(about);
        let Ok((findings, tls)) = &c.result else {
            continue;
        };
        for f in findings {
            let mut v = serde_json::to_value(f).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("context".into(), ctx.clone());
            }
            checks.push(v);
        }
        for (target, events) in tls {
            timelines.push(serde_json::json!({
                "context": c.context.name,
                "target": target,
                "events": events,
            }));
        }
    }
    serde_json::json!({ "checks": checks, "timelines": timelines, "contexts": contexts })
}

/// The table of each context (a heading line with its tally when there are several), then the
/// failing targets' timelines.
fn print_human(settings: &Settings, checked: &[Checked], all: bool, started: std::time::Instant) {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    let colour = terminal && !settings.no_color;
    let paint = |t: iam::Tone, s: &str| -> String {
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
    let several = checked.len() > 1;
    for (i, c) in checked.iter().enumerate() {
        if i > 0 {
            crate::outln!("");
        }
        let (findings, timelines) = match &c.result {
            Ok(r) => r,
            Err(e) => {
                crate::outln!(
                    "{}",
                    paint(
                        iam::Tone::Heading(Level::Unknown),
                        &format!(
                            "UNKNOWN - fhtop check: context {}: {e}",
                            sanitize::clean(&c.context.name)
                        )
                    )
                );
                continue;
            }
        };
        crate::outln!(
            "fhtop check — {}account {} · {} · {} · {:.1} s",
            if several {
                format!("context {} · ", sanitize::clean(&c.context.name))
            } else {
                String::new()
            },
            sanitize::clean(&c.account),
            sanitize::clean(&c.region),
            check::tally(findings),
            started.elapsed().as_secs_f64()
        );
        // Names are cut to the table's column on a terminal only: piped, every name is whole.
        for (level, line) in check::human_lines(findings, all, terminal) {
            crate::outln!("{}", paint(level, &sanitize::clean(&line)));
        }
        for (target, events) in timelines {
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
        // What the dashboard would cost on this account: after the table and the timelines.
        if let Some(p) = &c.plan {
            crate::outln!("");
            crate::outln!(
                "{}",
                paint(
                    iam::Tone::Note,
                    &format!("dashboard metric plan ({} rows): {}", p.rows, p.describe())
                )
            );
        }
    }
}
