//! End to end, as a user: the real binary in a real terminal (tmux), keys typed, screen read.
//! Needs `tmux` (installed by `.ci/run`). Waits poll the screen with a generous deadline; no
//! assertion depends on how fast the machine is.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use std::process::Command;

use common::tmux::Tmux;

fn table_rows(screen: &str) -> String {
    screen
        .lines()
        .skip(4)
        .take(12)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn demo_is_live_and_every_key_in_the_help_works() {
    let t = Tmux::start("keys");
    let screens = t.dir.join("screens");
    t.launch_with(
        &format!("FHTOP_SCREENS_DIR={}", screens.display()),
        "--demo --refresh 2",
    );
    // The header's DEMO badge (waited for: a capture can land between two draws).
    let first = t.wait_text("DEMO");
    // Live: the numbers move without a key press.
    let before = table_rows(&first);
    t.wait_for("metrics to move", |s| table_rows(s) != before);

    t.literal("?");
    // The overlay's last binding, not its title: a capture can land mid-draw.
    let help = t.wait_for("the help overlay drawn", |s| {
        s.contains("Help") && s.contains("refresh everything now")
    });
    for a in [
        "next pane",
        "filter the focused list",
        "refresh everything now",
    ] {
        assert!(help.contains(a), "{a}");
    }
    t.keys(&["Escape"]);
    t.wait_for("help to close", |s| !s.contains("? or Esc closes"));

    for (key, title) in [
        ("2", "Streams ("),
        ("3", "Rules ("),
        ("4", "Alarms ("),
        ("5", "Logs —"),
        ("6", "App log"),
        ("1", "Pipelines ("),
    ] {
        t.literal(key);
        t.wait_text(title);
    }
    t.keys(&["Tab"]);
    t.wait_text("Streams (");
    t.keys(&["BTab"]);
    t.wait_text("Pipelines (");

    // Move, drill in, back.
    t.literal("j");
    t.literal("k");
    t.keys(&["Enter"]);
    t.wait_text("Stream clickstream-raw");
    t.keys(&["Escape"]);
    t.wait_text("Pipelines (");
    t.literal("G");
    t.literal("g");
    t.keys(&["PageDown", "PageUp"]);

    // Filter.
    t.literal("/payment");
    t.keys(&["Enter"]);
    t.wait_text("Pipelines (2)");
    t.keys(&["Escape"]);
    t.wait_for("filter cleared", |s| {
        !s.contains("Pipelines (2)") && s.contains("Pipelines (")
    });

    // Permission simulation of the selected pipeline, then the custom dialog.
    t.literal("p");
    t.wait_text("DENIED: s3:PutObject");
    t.keys(&["Escape"]);
    t.wait_for("overlay to close", |s| !s.contains("Permissions —"));
    t.literal("c");
    t.wait_text("Checks — stream clickstream-raw");
    t.wait_text("confirm: aws");
    // Save the screen for the ticket, overlay and all: text and SVG, the path in the footer.
    t.literal("S");
    t.wait_text("screen saved:");
    let saved: Vec<std::path::PathBuf> = std::fs::read_dir(&screens)
        .expect("the screens directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let txt = saved
        .iter()
        .find(|p| p.extension().is_some_and(|x| x == "txt"))
        .expect("a text file");
    let text = std::fs::read_to_string(txt).expect("text");
    assert!(
        text.contains("Checks — stream clickstream-raw") && !text.contains('\u{1b}'),
        "{text}"
    );
    assert_eq!(text.lines().count(), 48, "the whole 160×48 screen");
    assert!(
        saved
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "svg")),
        "{saved:?}"
    );
    t.keys(&["Escape"]);
    t.wait_for("checks to close", |s| !s.contains("Checks —"));
    t.literal("P");
    t.wait_text("Custom permission simulation");
    t.keys(&["Escape"]);
    t.wait_for("dialog to close", |s| !s.contains("Custom permission"));

    // Refresh shows up in the app log; follow toggles in the logs pane.
    t.literal("r");
    t.literal("6");
    t.wait_text("refresh requested");
    t.literal("5");
    t.wait_text("follow");
    t.literal("f");
    t.wait_text("paused");

    t.literal("q");
    t.assert_terminal_restored("q");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in ["TERM", "HUP"] {
        let t = Tmux::start(&format!("sig{sig}"));
        t.launch("");
        let pid = t.app_pid();
        assert!(!pid.is_empty(), "found fhtop's pid");
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &pid])
            .status()
            .expect("kill");
        assert!(ok.success());
        t.assert_terminal_restored(&format!("SIG{sig}"));
    }
}

#[test]
fn ctrl_c_quits() {
    let t = Tmux::start("ctrlc");
    t.launch("");
    t.keys(&["C-c"]);
    t.assert_terminal_restored("Ctrl-C");
}

/// The pattern tester in a real terminal (issue 13): `m` on the demo's trap rule names the field
/// and the case trap.
#[test]
fn the_pattern_tester_shows_why_a_rule_matches_nothing() {
    let t = Tmux::start("pattern");
    t.launch("");
    t.literal("3");
    t.wait_text("Rules (");
    t.literal("/cancellation");
    t.keys(&["Enter"]);
    t.wait_text("cancellation-audit");
    t.literal("m");
    t.wait_text("Pattern test — rule orders-bus/cancellation-audit");
    let s = t.wait_text("differs only in case");
    assert!(s.contains("recent events on bus orders-bus match"), "{s}");
    // A pasted event (bracketed paste, as a terminal delivers a paste) is tested instead.
    t.tmux(&[
        "set-buffer",
        r#"{"source":"acme.orders","detail-type":"ordercancelled","detail":{"orderId":"o-1"}}"#,
    ]);
    t.tmux(&["paste-buffer", "-p", "-t", "t"]);
    t.wait_text("MATCH — the pasted event");
    t.keys(&["Escape"]);
    t.wait_for("tester to close", |s| !s.contains("Pattern test —"));
    t.literal("q");
    t.assert_terminal_restored("q");
}

/// The dashboard's runtime threads (pollers, merges, frame preparation) run at a lower CPU
/// priority than its UI thread, so a loaded machine runs the UI first (issue 27: keys within
/// 100 ms at 5,000 streams). Read from /proc: each thread's name and nice value.
#[cfg(target_os = "linux")]
#[test]
fn the_dashboards_background_threads_yield_the_cpu_to_its_ui_thread() {
    let t = Tmux::start("nice");
    t.launch("");
    t.wait_text("DEMO");
    let pid = t.app_pid();
    assert!(!pid.is_empty(), "found fhtop's pid");
    // (name, nice) of each of the process's threads; nice is stat's 19th field, the 17th
    // after the parenthesized name.
    let threads: Vec<(String, String, i32)> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("the process's threads")
        .map(|e| {
            let tid = e
                .expect("a thread")
                .file_name()
                .to_string_lossy()
                .to_string();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).unwrap();
            let comm = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm")).unwrap();
            let after = &stat[stat.rfind(')').unwrap() + 1..];
            let nice = after.split_whitespace().nth(16).unwrap().parse().unwrap();
            (tid, comm.trim().to_string(), nice)
        })
        .collect();
    let ui = threads
        .iter()
        .find(|(tid, ..)| *tid == pid)
        .expect("the main thread");
    assert_eq!(ui.2, 0, "the UI thread keeps its priority: {threads:?}");
    let workers: Vec<_> = threads
        .iter()
        .filter(|(_, n, _)| n == "tokio-rt-worker")
        .collect();
    assert!(!workers.is_empty(), "runtime threads: {threads:?}");
    assert!(
        workers
            .iter()
            .all(|(.., nice)| *nice == fhtop::cli::run::BACKGROUND_NICE),
        "every runtime thread at nice {}: {threads:?}",
        fhtop::cli::run::BACKGROUND_NICE
    );
    t.literal("q");
    t.assert_terminal_restored("q");
}
