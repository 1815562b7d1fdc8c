//! Key handling against a real demo snapshot: each binding does what the help says.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::view::{Detail, Effect, Pane, View, entries};

/// The effects of pressing `keys` on `view`, drawn from one context's `snap`.
fn press(view: &mut View, snap: &fhtop::fresh::store::Snapshot, keys: &str) -> Vec<Effect> {
    press_in(view, &common::one(snap), keys)
}

/// The effects of pressing `keys` on `view`, drawn from every context's data `w`.
fn press_in(view: &mut View, w: &fhtop::fresh::store::Merged, keys: &str) -> Vec<Effect> {
    let km = Keymap::default();
    parse_key_sequence(keys)
        .unwrap()
        .iter()
        .map(|k| view.on_key(k, &km, w))
        .collect()
}

#[test]
fn move_drill_in_and_back() {
    let (snap, mut view) = common::settle("");
    let rows = entries(Pane::Pipelines, &snap, "");
    assert!(rows.len() >= 10);
    press(&mut view, &snap, "j j");
    assert_eq!(
        view.target, rows[2].target,
        "the selection drives the target"
    );
    press(&mut view, &snap, "k");
    assert_eq!(view.target, rows[1].target);
    press(&mut view, &snap, "G");
    assert_eq!(view.target, rows[rows.len() - 1].target);
    press(&mut view, &snap, "g enter");
    assert_eq!(view.detail, Some(Detail::Stream("clickstream-raw".into())));
    press(&mut view, &snap, "esc");
    assert_eq!(view.detail, None);
}

#[test]
fn missing_stream_drills_into_the_rule() {
    let (snap, mut view) = common::settle("");
    press(&mut view, &snap, "j enter");
    match &view.detail {
        Some(Detail::Rule(k)) => assert_eq!(k.name, "legacy-export"),
        other => panic!("expected the rule, got {other:?}"),
    }
}

#[test]
fn tab_cycles_all_panes_and_numbers_jump() {
    let (snap, mut view) = common::settle("");
    let mut seen = vec![view.pane];
    for _ in 0..Pane::ALL.len() {
        press(&mut view, &snap, "tab");
        seen.push(view.pane);
    }
    assert_eq!(seen.first(), seen.last());
    assert_eq!(seen[..Pane::ALL.len()], Pane::ALL);
    press(&mut view, &snap, "shift-tab");
    assert_eq!(view.pane, Pane::Cost);
    for (k, p) in ["1", "2", "3", "4", "5", "6", "7"].iter().zip(Pane::ALL) {
        press(&mut view, &snap, k);
        assert_eq!(view.pane, p);
    }
}

#[test]
fn filter_typing_enter_keeps_esc_clears() {
    let (snap, mut view) = common::settle("");
    press(&mut view, &snap, "/ o r d e r");
    assert!(view.editing_filter);
    // While typing, 'q' is text, not quit.
    assert_eq!(press(&mut view, &snap, "q"), vec![Effect::None]);
    press(&mut view, &snap, "backspace enter");
    assert!(!view.editing_filter);
    let filtered = entries(Pane::Pipelines, &snap, "order");
    let all = entries(Pane::Pipelines, &snap, "");
    assert!(!filtered.is_empty() && filtered.len() < all.len());
    assert!(filtered.iter().all(|e| e.target.label().contains("order")));
    assert_eq!(
        filtered.len(),
        all.iter()
            .filter(|e| e.target.label().contains("order"))
            .count()
    );
    assert_eq!(view.list(Pane::Pipelines).unwrap().filter, "order");
    press(&mut view, &snap, "esc");
    assert_eq!(view.list(Pane::Pipelines).unwrap().filter, "");
    // Ctrl-C quits even while typing.
    press(&mut view, &snap, "/");
    let e = view.on_key(
        &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        &Keymap::default(),
        &common::one(&snap),
    );
    assert_eq!(e, Effect::Quit);
}

#[test]
fn help_swallows_keys_until_closed() {
    let (snap, mut view) = common::settle("");
    press(&mut view, &snap, "? j j 2");
    assert!(view.help);
    assert_eq!(
        view.pane,
        Pane::Pipelines,
        "keys under the overlay do nothing"
    );
    press(&mut view, &snap, "esc");
    assert!(!view.help);
    press(&mut view, &snap, "? ?");
    assert!(!view.help);
}

#[test]
fn quit_refresh_and_follow() {
    let (snap, mut view) = common::settle("");
    assert_eq!(press(&mut view, &snap, "r"), vec![Effect::Refresh]);
    assert_eq!(press(&mut view, &snap, "q"), vec![Effect::Quit]);
    press(&mut view, &snap, "5");
    assert!(view.follow);
    press(&mut view, &snap, "k");
    assert!(!view.follow, "scrolling up pauses follow");
    assert_eq!(view.log_scroll, 1);
    press(&mut view, &snap, "j");
    assert!(view.follow, "back at the bottom resumes follow");
    press(&mut view, &snap, "f");
    assert!(!view.follow);
    press(&mut view, &snap, "G");
    assert!(view.follow);
}

#[test]
fn logs_interest_follows_the_selection() {
    let (snap, mut view) = common::settle("");
    let groups = view.interest(&snap, 0).log_groups;
    assert!(groups.contains(&"/aws/kinesisfirehose/clickstream-raw".to_string()));
    assert!(groups.contains(&"/aws/events/clickstream-capture".to_string()));
    press(&mut view, &snap, "2 / o r d e r s enter");
    let groups = view.interest(&snap, 0).log_groups;
    assert_eq!(
        groups,
        vec!["/aws/kinesisfirehose/orders-to-s3".to_string()]
    );
}

#[test]
fn selection_sticks_to_its_item_when_rows_reorder() {
    let (snap, mut view) = common::settle("");
    press(&mut view, &snap, "j j j");
    let before = view.target.clone();
    // Same data, but a filter that keeps the item while removing rows above it.
    let name = before.stream.clone().unwrap();
    let ls = &mut view.lists[0];
    ls.filter = name.clone();
    let e = entries(Pane::Pipelines, &snap, &name);
    let pos = view.list(Pane::Pipelines).unwrap().position(&e);
    assert_eq!(e[pos].target, before);
}

#[test]
fn t_asks_first_with_everything_that_will_change() {
    let (snap, mut view) = common::settle("");
    press(&mut view, &snap, "3 / p a y m e n t - r enter t");
    let p = view.confirm.clone().expect("dialog open");
    assert_eq!(p.key.name, "payment-refunded");
    assert!(p.enable, "a DISABLED rule is offered ENABLED");
    assert_eq!(p.from, "DISABLED");
    assert_eq!(p.streams, vec!["payments-archive".to_string()]);
    assert_eq!(p.account, "123456789012");
    // Other keys do nothing while it is open; n cancels without an effect.
    assert_eq!(press(&mut view, &snap, "j 2 n"), vec![Effect::None; 3]);
    assert!(view.confirm.is_none());
    press(&mut view, &snap, "t");
    let effects = press(&mut view, &snap, "y");
    assert_eq!(
        effects,
        vec![Effect::ToggleRule(0, p.key.clone(), true)],
        "y hands the change to the executor"
    );
    assert!(
        view.status
            .as_ref()
            .is_some_and(|s| s.text.contains("pending"))
    );
}

#[test]
fn read_only_and_managed_rules_never_open_the_dialog() {
    let (snap, _) = common::settle("");
    let mut ro = View::new(true);
    ro.sync_target(&common::one(&snap));
    press(&mut ro, &snap, "3 t");
    assert!(ro.confirm.is_none());
    assert!(
        ro.status
            .as_ref()
            .is_some_and(|s| s.text.contains("READ-ONLY"))
    );
    let mut view = View::new(false);
    view.sync_target(&common::one(&snap));
    press(&mut view, &snap, "3 / s e c u r i t y enter t");
    assert!(view.confirm.is_none());
    assert!(
        view.status
            .as_ref()
            .is_some_and(|s| s.text.contains("managed by securityhub.amazonaws.com"))
    );
    // A stream-only pipeline row has no rule, and the footer says so.
    press(&mut view, &snap, "1 / a p p - l o g s enter t");
    assert!(view.confirm.is_none());
    assert!(
        view.status
            .as_ref()
            .is_some_and(|s| s.text.contains("no rule feeds app-logs")),
        "{:?}",
        view.status
    );
}

fn simulations(effects: &[Effect]) -> Vec<fhtop::judge::iam::SimRequest> {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Simulate(_, _, r) => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn p_simulates_the_selected_stream_or_rule_and_the_overlay_closes() {
    let (snap, mut view) = common::settle("");
    // First pipeline row: clickstream-raw.
    let reqs = simulations(&press(&mut view, &snap, "p"));
    let titles: Vec<&str> = reqs.iter().map(|r| r.title.as_str()).collect();
    assert!(
        titles[0].starts_with("Stream clickstream-raw: delivery role"),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("clickstream-capture")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("firehose_writer")),
        "{titles:?}"
    );
    assert!(
        view.overlay.as_ref().is_some_and(|p| p.lines.is_none()),
        "pending until answered"
    );
    // Keys scroll the overlay instead of moving the list; Esc closes it.
    press(&mut view, &snap, "j j");
    assert_eq!(view.overlay.as_ref().map(|p| p.scroll), Some(2));
    press(&mut view, &snap, "esc");
    assert!(view.overlay.is_none());
    // A rule on the Rules pane: its target role and the writer policy.
    let reqs = simulations(&press(&mut view, &snap, "3 / p a y m e n t - r enter p"));
    let titles: Vec<&str> = reqs.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles[0].contains("payment-refunded"), "{titles:?}");
    // An answer for an older simulation is dropped.
    let id = view.overlay.as_ref().map(|p| p.id).unwrap_or_default();
    view.finished(id - 1, vec![]);
    assert!(view.overlay.as_ref().is_some_and(|p| p.lines.is_none()));
    view.finished(id, vec![]);
    assert!(view.overlay.as_ref().is_some_and(|p| p.lines.is_some()));
}

#[test]
fn p_with_nothing_selected_says_so() {
    let (snap, mut view) = common::settle("");
    let effects = press(&mut view, &snap, "7 p");
    assert!(simulations(&effects).is_empty());
    assert!(
        view.status
            .as_ref()
            .is_some_and(|s| s.text.contains("select a stream or a rule"))
    );
    let effects = press(&mut view, &snap, "c");
    assert_eq!(effects, vec![Effect::None]);
    assert!(view.overlay.is_none());
}

#[test]
fn c_checks_the_selected_pipeline() {
    let (snap, mut view) = common::settle("");
    let effects = press(&mut view, &snap, "c");
    match &effects[..] {
        [Effect::Check(_, _, sel)] => {
            assert_eq!(sel.streams, vec!["clickstream-raw".to_string()]);
            assert!(sel.rules.is_empty());
        }
        other => panic!("expected a check run, got {other:?}"),
    }
    assert!(
        view.overlay
            .as_ref()
            .is_some_and(|o| o.title == "Checks — stream clickstream-raw")
    );
    // On the Rules pane the row is the rule.
    let effects = press(&mut view, &snap, "esc 3 / p a y m e n t - r enter c");
    match effects.last() {
        Some(Effect::Check(_, _, sel)) => {
            assert_eq!(sel.rules, vec!["orders-bus/payment-refunded".to_string()])
        }
        other => panic!("expected a check run, got {other:?}"),
    }
}

#[test]
fn custom_simulation_dialog_types_into_fields_and_runs() {
    let (snap, mut view) = common::settle("");
    press(&mut view, &snap, "2 P");
    let form = view.sim_form.clone().expect("dialog open");
    assert_eq!(form.focus, 0);
    assert!(
        form.fields[0].ends_with("role/firehose-clickstream-delivery"),
        "{form:?}"
    );
    // Enter without an action: refused with a message, dialog stays.
    press(&mut view, &snap, "enter");
    assert!(view.sim_form.as_ref().is_some_and(|f| f.error.is_some()));
    // Letters that are bindings elsewhere (q, j, p) are text here.
    let effects = press(
        &mut view,
        &snap,
        "tab s 3 : P u t O b j e c t , s 3 : G e t O b j e c t enter",
    );
    assert!(view.sim_form.is_none());
    let reqs = simulations(&effects);
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].checks[0].actions,
        vec!["s3:PutObject", "s3:GetObject"]
    );
    assert_eq!(
        reqs[0].checks[0].resources,
        vec!["arn:aws:s3:::acme-clickstream-raw-us-east-1/*"]
    );
    assert_eq!(
        reqs[0].bucket.as_deref(),
        Some("acme-clickstream-raw-us-east-1")
    );
    // Esc cancels without running anything.
    press(&mut view, &snap, "esc 2 P");
    let effects = press(&mut view, &snap, "q esc");
    assert!(simulations(&effects).is_empty());
    assert!(!effects.contains(&Effect::Quit), "q is text in the dialog");
    assert!(view.sim_form.is_none());
}

/// A warm start's rows come from the last run's cache: `t` offers no change on them.
#[test]
fn no_rule_change_is_offered_on_cached_rows() {
    let (mut snap, mut view) = common::settle("");
    snap.inventory.cached = true;
    press(
        &mut view,
        &snap,
        "3 / p a y m e n t - r e f u n d e d enter t",
    );
    assert!(view.confirm.is_none());
    assert!(
        view.status
            .as_ref()
            .is_some_and(|s| s.text.contains("from the cache of the last run")),
        "{:?}",
        view.status
    );
}

/// Issue 12: a change affects the rule's targets, so none is offered while they are being read
/// (the progressive walk) or could not be read — the confirmation would say "feeds no
/// delivery stream".
#[test]
fn no_rule_change_is_offered_before_its_targets_are_read() {
    for loading in [true, false] {
        let (mut snap, mut view) = common::settle("");
        let mut inv = snap.inventory.get().expect("inventory").inv.clone();
        let key = fhtop::model::RuleKey {
            bus: "orders-bus".into(),
            name: "payment-refunded".into(),
        };
        let i = inv
            .rules
            .iter()
            .position(|r| r.key() == key)
            .expect("the rule");
        std::sync::Arc::make_mut(&mut inv.rules[i]).targets.clear();
        inv.errors.push(if loading {
            fhtop::model::InventoryError::loading("rule", &key.to_string())
        } else {
            fhtop::model::InventoryError::new(
                "rule",
                &key.to_string(),
                &fhtop::backend::BackendError::new(
                    fhtop::backend::ErrorKind::Other,
                    "ListTargetsByRule: InternalFailure",
                ),
            )
        });
        snap.inventory.data = Some(std::sync::Arc::new(
            fhtop::fresh::store::InventoryView::new(inv),
        ));
        // A failed read is its own ✖ ERR row, first in the list; the rule's row follows it.
        let keys = if loading {
            "3 / p a y m e n t - r e f u n d e d enter t"
        } else {
            "3 / p a y m e n t - r e f u n d e d enter j t"
        };
        press(&mut view, &snap, keys);
        assert!(view.confirm.is_none(), "loading={loading}");
        assert!(
            view.status.as_ref().is_some_and(|s| s
                .text
                .contains("targets of orders-bus/payment-refunded are not known")),
            "loading={loading}: {:?}",
            view.status
        );
    }
}

/// `:` commands (issue 15): Tab completes words and names, Enter runs, a wrong command says
/// why, `:q` quits, Ctrl-C quits while typing.
#[test]
fn colon_commands_jump_complete_and_quit() {
    let (snap, mut view) = common::settle("");
    let typed = |s: &str| {
        s.chars()
            .map(|c| {
                if c == ' ' {
                    "space".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    press(&mut view, &snap, &format!(": {} enter", typed("streams")));
    assert_eq!(view.pane, Pane::Streams);
    assert_eq!(view.command, None);
    // Tab completes the word, then the name: "stream orders-t" → "stream orders-to-s3".
    press(
        &mut view,
        &snap,
        &format!(": {} tab", typed("stream orders-t")),
    );
    assert_eq!(view.command.as_deref(), Some("stream orders-to-s3"));
    press(&mut view, &snap, "enter");
    assert_eq!(view.detail, Some(Detail::Stream("orders-to-s3".into())));
    assert_eq!(view.target.stream.as_deref(), Some("orders-to-s3"));
    // A rule by its bare name, on its bus.
    press(
        &mut view,
        &snap,
        &format!(": {} enter", typed("rule order-events")),
    );
    match &view.detail {
        Some(Detail::Rule(k)) => assert_eq!(k.to_string(), "orders-bus/order-events"),
        other => panic!("expected the rule, got {other:?}"),
    }
    assert_eq!(view.pane, Pane::Rules);
    // What is wrong is said, nothing else changes.
    press(
        &mut view,
        &snap,
        &format!(": {} enter", typed("stream nope")),
    );
    assert!(
        view.status
            .as_ref()
            .unwrap()
            .text
            .contains("no stream nope")
    );
    press(&mut view, &snap, &format!(": {} enter", typed("bogus")));
    assert!(
        view.status
            .as_ref()
            .unwrap()
            .text
            .contains("no command :bogus")
    );
    // Esc closes the line; :q quits; Ctrl-C quits while typing.
    press(&mut view, &snap, ": a esc");
    assert_eq!(view.command, None);
    assert_eq!(
        press(&mut view, &snap, ": q enter").last(),
        Some(&Effect::Quit)
    );
    assert_eq!(
        press(&mut view, &snap, ": s ctrl-c").last(),
        Some(&Effect::Quit)
    );
}

/// The prod guard (issue 15): a context whose account matches `production_match` is marked in
/// the header, and the rule-change dialog says PRODUCTION with profile, account and region
/// before anything else; one that does not match is not.
#[test]
fn a_production_context_is_marked_and_named_before_a_change() {
    let (snap, _) = common::settle("");
    let theme = fhtop::ui::theme::Theme::default_theme();
    let mut view = View::with_settings(&fhtop::ui::settings::AppSettings {
        production_match: vec!["1234*".into()],
        ..fhtop::ui::settings::AppSettings::default()
    });
    assert!(view.production(&common::one(&snap).parts()[0]));
    press(&mut view, &snap, "3 / p a y m e n t - r enter t");
    let p = view.confirm.clone().expect("dialog open");
    assert!(p.production);
    let text = fhtop::ui::frame::to_text(&common::draw_with(&snap, &view, &theme, 160, 48));
    assert!(text.contains(" PRODUCTION "), "the header badge:\n{text}");
    assert!(
        text.contains("PRODUCTION · profile demo · account 123456789012 · us-east-1"),
        "{text}"
    );
    // Another pattern: not production, no marker.
    let mut view = View::with_settings(&fhtop::ui::settings::AppSettings {
        production_match: vec!["*prod*".into()],
        ..fhtop::ui::settings::AppSettings::default()
    });
    press(&mut view, &snap, "3 / p a y m e n t - r enter t");
    assert!(!view.confirm.clone().expect("dialog open").production);
    let text = fhtop::ui::frame::to_text(&common::draw_with(&snap, &view, &theme, 160, 48));
    assert!(!text.contains("PRODUCTION"), "{text}");
}

/// `:region R` asks the loop to watch R with the focused context's profile (the `:ctx` one,
/// else the selected row's); a name that is not a region is refused; the loop's answer
/// focuses the context.
#[test]
fn region_command_adds_a_region_for_the_focused_context() {
    let w = common::two_contexts();
    let km = Keymap::default();
    let mut view = View::with_settings(&common::app_settings());
    view.sync_target(&w);
    let run = |view: &mut View, line: &str| -> Vec<Effect> {
        let mut keys = vec![KeyEvent::new(KeyCode::Char(':'), KeyModifiers::NONE)];
        keys.extend(
            line.chars()
                .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
        keys.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        keys.iter().map(|k| view.on_key(k, &km, &w)).collect()
    };
    run(&mut view, "ctx dr");
    let effects = run(&mut view, "region AP-South-1");
    assert_eq!(
        effects.last(),
        Some(&Effect::AddRegion(1, "ap-south-1".into())),
        "dr's profile, the region lower-cased"
    );
    let effects = run(&mut view, "region eu west");
    assert_eq!(effects.last(), Some(&Effect::None));
    assert!(
        view.status
            .as_ref()
            .is_some_and(|s| s.text.contains("not a region name")),
        "{:?}",
        view.status
    );
    fhtop::ui::msg::update(&mut view, fhtop::ui::msg::Msg::ContextAdded(0), &km, &w);
    assert_eq!(
        view.only,
        Some(0),
        "the added (or found) context is shown alone"
    );
}

/// `read_only = true` on one context refuses changes there only, naming it; the other
/// (production) context's dialog opens, naming its context first.
#[test]
fn a_context_read_only_on_its_own_refuses_changes_there_only() {
    let mut parts = common::two_contexts().parts().to_vec();
    parts[1].read_only = true; // dr
    let w = fhtop::fresh::store::Merged::new(parts);
    let mut view = View::with_settings(&common::app_settings());
    view.sync_target(&w);
    press_in(
        &mut view,
        &w,
        ": c t x space d r enter 3 / p a y m e n t - r enter t",
    );
    assert!(view.confirm.is_none());
    assert!(
        view.status
            .as_ref()
            .is_some_and(|s| s.text.contains("READ-ONLY (context dr)")),
        "{:?}",
        view.status
    );
    press_in(&mut view, &w, ": c t x space l a k e enter 3 t");
    let p = view.confirm.clone().expect("lake's dialog opens");
    assert_eq!((p.context.as_str(), p.ctx, p.production), ("lake", 0, true));
}
