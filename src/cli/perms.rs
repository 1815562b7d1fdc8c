//! `fhtop perms stream|rule|policy|custom`: build the simulations from the inventory, run them,
//! print; the exit code follows the worst verdict.

use std::sync::Arc;

use crate::backend::Backend;
use crate::config::Settings;
use crate::judge::iam;
use crate::text::sanitize;
use crate::{cli, model};

/// The rule `fhtop perms rule NAME [--bus BUS]` names: NAME with --bus, or BUS/NAME.
fn perms_rule_key(name: &str, bus: &str) -> model::RuleKey {
    if bus == "default" {
        super::dlq::rule_key(name)
    } else {
        model::RuleKey {
            bus: bus.to_string(),
            name: name.to_string(),
        }
    }
}

/// `fhtop perms ...`: build the simulations from the inventory, run them, print.
pub async fn perms_command(
    settings: &Settings,
    backend: Arc<dyn Backend>,
    args: cli::PermsArgs,
) -> u8 {
    use cli::PermsWhat;
    let needs_inventory = !matches!(args.what, PermsWhat::Custom { .. });
    // A stream or a rule: its rows only (a large account's whole inventory takes minutes).
    let sel = match &args.what {
        PermsWhat::Stream { name } => crate::judge::check::Selection {
            streams: vec![name.clone()],
            rules: Vec::new(),
        },
        PermsWhat::Rule { name, bus } => crate::judge::check::Selection {
            streams: Vec::new(),
            rules: vec![perms_rule_key(name, bus).to_string()],
        },
        _ => crate::judge::check::Selection::default(),
    };
    let inv = if needs_inventory {
        match crate::judge::check::inventory_for(backend.as_ref(), &sel).await {
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
            let key = perms_rule_key(&name, &bus);
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
            context_entries,
        } => {
            let resources = if resources.is_empty() {
                vec!["*".to_string()]
            } else {
                resources
            };
            let mut context = std::collections::BTreeMap::new();
            for e in &context_entries {
                let Some((k, v)) = e.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
                    eprintln!(
                        "fhtop: --context-entry {}: expected KEY=VALUE[,VALUE…]",
                        sanitize::clean(e)
                    );
                    return 2;
                };
                context
                    .entry(k.trim().to_string())
                    .or_insert_with(Vec::new)
                    .extend(v.split(',').map(|x| x.trim().to_string()));
            }
            vec![iam::custom_request(&principal, actions, resources, context)]
        }
    };
    let reports = iam::run_all(backend.as_ref(), &reqs).await;
    if args.json {
        let v = serde_json::json!({ "reports": reports });
        crate::outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                crate::outln!();
            }
            for (_, line) in iam::report_lines(r) {
                crate::outln!("{}", sanitize::clean(&line));
            }
        }
    }
    match reports.iter().map(|r| r.verdict()).max() {
        Some(iam::Verdict::Denied | iam::Verdict::Error) => 2,
        Some(iam::Verdict::Undetermined) => 1,
        _ => 0,
    }
}
