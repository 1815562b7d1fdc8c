//! Whole-screen render snapshots of every pane, the drill-ins and the help overlay, from the
//! demo account at a fixed seed and instant. Review changes with `cargo insta review`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use common::frame;

fn check(name: &str, keys: &str) -> String {
    let text = frame(keys, 160, 48);
    assert_eq!(
        text.lines().count(),
        48,
        "{name}: a frame is exactly 48 lines"
    );
    insta::assert_snapshot!(name, text);
    text
}

#[test]
fn pipelines() {
    let t = check("pipelines", "");
    // The running incident is at the top, worst first.
    let first_row = t.lines().nth(4).unwrap_or_default();
    assert!(
        first_row.contains("✖ FAIL") && first_row.contains("clickstream-raw"),
        "{first_row}"
    );
    assert!(t.contains("DISABLED") && t.contains("ENABLED"));
    assert!(
        t.contains("in ALARM"),
        "the why-strip names the firing alarm"
    );
}

#[test]
fn streams() {
    let t = check("streams", "2");
    assert!(t.contains("s3://acme-orders-lake"));
}

#[test]
fn rules() {
    let t = check("rules", "3");
    assert!(t.contains("schedule rate(1 hour)"));
    assert!(t.contains("securityhub.amazonaws.com") || t.contains("securityhub.a…"));
}

#[test]
fn alarms() {
    let t = check("alarms", "4");
    for state in ["✖ ALARM", "? INSUFFICIENT_DATA", "● OK"] {
        assert!(t.contains(state), "{state}");
    }
}

#[test]
fn logs_follow_the_selected_pipeline() {
    let t = check("logs", "5");
    assert!(t.contains("S3.AccessDenied"));
    // The hostile log line is shown, inert.
    assert!(
        t.contains("␛]0;owned␇␛[2J"),
        "escape sequences are made visible"
    );
}

#[test]
fn app_log() {
    check("app_log", "6");
}

#[test]
fn stream_drill_in() {
    let t = check("stream_drill_in", "enter");
    assert!(t.contains("Stream clickstream-raw"));
    assert!(t.contains("S3.AccessDenied"), "errors grouped by code");
    assert!(t.contains("DeliveryToS3.DataFreshness"));
    assert!(
        t.contains("default/clickstream-capture"),
        "the rule feeding it"
    );
    // Alarm coverage (issue 14): the demo's delivery-success alarm counts; a missing one is
    // named.
    assert!(
        t.contains("Alarm coverage 3/4 · no alarm on ThrottledRecords"),
        "{t}"
    );
}

#[test]
fn partitioned_stream_drill_in_shows_jq_and_partitions() {
    let t = check(
        "stream_drill_in_partitioned",
        "2 / o r d e r s - t o enter enter",
    );
    assert!(t.contains("Stream orders-to-s3"));
    assert!(t.contains("JQ query"));
    assert!(t.contains("PartitionCount"));
}

#[test]
fn rule_drill_in() {
    let t = check("rule_drill_in", "3 j enter");
    assert!(t.contains("Rule orders-bus/order-cancelled"));
    assert!(
        t.contains("\"detail-type\": ["),
        "pattern is pretty-printed"
    );
    assert!(
        t.contains("eventbridge-firehose-writer"),
        "target role shown"
    );
}

#[test]
fn help_overlay() {
    let t = check("help", "?");
    for k in [
        "Shift-Tab",
        "Enter",
        "Esc",
        "Ctrl-C",
        "refresh everything now",
    ] {
        assert!(t.contains(k), "{k}");
    }
}

#[test]
fn filter_narrows_the_list() {
    let t = check("filter", "/ p a y m e n t enter");
    assert!(t.contains("Pipelines (2)"), "two payment pipelines");
    assert!(t.contains("[filter: payment]"));
}

#[test]
fn tiny_terminal_gets_a_notice() {
    let t = frame("", 30, 5);
    assert!(t.starts_with("fhtop: terminal 30×5 too small"));
}

#[test]
fn stale_metrics_are_marked_with_age_and_reason() {
    let (mut snap, view) = common::settle("");
    snap.metrics.error = Some(fhtop::fresh::store::SectionError {
        kind: fhtop::backend::ErrorKind::Throttled,
        message: "Rate exceeded".into(),
        at: common::at(),
        failures: 3,
        missing_permission: None,
    });
    snap.metrics.fetched_at = Some(common::at() - chrono::Duration::seconds(95));
    let theme = fhtop::ui::theme::Theme::default_theme();
    let t = fhtop::ui::frame::to_text(&common::draw_with(&snap, &view, &theme, 160, 48));
    let header = t.lines().next().unwrap_or_default();
    assert!(header.contains("STALE metrics: Rate exceeded"), "{header}");
    assert!(header.contains("metrics 95s"), "{header}");
    assert!(
        t.contains("metrics stale 95s · Rate exceeded"),
        "pane title says it too"
    );
    assert!(t.contains("0.0%"), "the last data stays on screen");
}

#[test]
fn narrow_ssh_terminal_keeps_essential_columns_whole() {
    let t = frame("", 80, 24);
    insta::assert_snapshot!("pipelines_80x24", t);
    // Every tab whole at 80 columns, the last one included.
    let tabs = t.lines().nth(1).unwrap_or_default();
    assert!(tabs.trim_end().ends_with("7 API cost"), "{tabs}");
    // Narrower still, the short titles: every key still there.
    let narrow = frame("", 60, 24);
    let tabs = narrow.lines().nth(1).unwrap_or_default();
    for k in ["1 Pipes", "6 App", "7 Cost"] {
        assert!(tabs.contains(k), "{k} in {tabs}");
    }
    assert!(
        t.contains("default/clickstream-capture"),
        "rule names are not squashed"
    );
    assert!(t.contains("clickstream-raw"));
    assert!(
        t.contains("OK%") && t.contains("FRESH"),
        "delivery health columns stay"
    );
    assert!(!t.contains("PARTS"), "low-priority columns make room");
}

#[test]
fn undescribable_stream_is_an_error_row_not_a_gap() {
    let (mut snap, view) = common::settle("");
    let mut inv = snap.inventory.get().expect("inventory").inv.clone();
    inv.errors.push(fhtop::model::InventoryError {
        kind: "stream",
        name: "broken-stream".into(),
        message: "DescribeDeliveryStream: could not decode the response".into(),
        missing_permission: None,
        loading: false,
        reported: None,
        idle: false,
    });
    snap.inventory.data = Some(std::sync::Arc::new(
        fhtop::fresh::store::InventoryView::new(inv),
    ));
    let theme = fhtop::ui::theme::Theme::default_theme();
    let t = fhtop::ui::frame::to_text(&common::draw_with(&snap, &view, &theme, 160, 48));
    let row = t
        .lines()
        .find(|l| l.contains("broken-stream"))
        .unwrap_or_default();
    assert!(row.contains("✖ ERR"), "{row}");
    assert!(row.contains("could not describe"), "{row}");
    assert!(
        t.contains("Pipelines (15)"),
        "the other 14 rows are still there"
    );
}

/// Issue 12, names first: a stream listed and not described yet is a row marked as being
/// read (never OK, never an error), the header says how much is described, and a rule whose
/// target is such a stream is undecided rather than "target stream not found".
#[test]
fn a_stream_being_read_is_a_row_marked_so_and_its_pipeline_is_undecided() {
    let (mut snap, view) = common::settle("");
    let mut inv = snap.inventory.get().expect("inventory").inv.clone();
    let i = inv
        .streams
        .iter()
        .position(|s| !inv.rules_feeding(&s.name).is_empty())
        .expect("a stream some rule feeds");
    let name = inv.streams[i].name.clone();
    inv.streams.remove(i);
    inv.errors
        .push(fhtop::model::InventoryError::loading("stream", &name));
    snap.inventory.data = Some(std::sync::Arc::new(
        fhtop::fresh::store::InventoryView::new(inv),
    ));
    let theme = fhtop::ui::theme::Theme::default_theme();
    let t = fhtop::ui::frame::to_text(&common::draw_with(&snap, &view, &theme, 160, 48));
    let total = snap.inventory.get().unwrap().inv.reading().0.1;
    assert!(
        t.lines()
            .next()
            .unwrap()
            .contains(&format!("described {}/{total}", total - 1)),
        "{t}"
    );
    let view_inv = snap.inventory.get().unwrap();
    let d = snap.diagnosis();
    for (i, link) in view_inv.pipelines.iter().enumerate() {
        if link.stream_name == name {
            // The stream's part is undecided; the rule's own findings still count.
            let h = d.pipeline(i);
            assert!(
                h.findings
                    .iter()
                    .any(|f| f.level == fhtop::judge::health::Level::Unknown
                        && f.text.contains("not read yet")),
                "{h:?}"
            );
            assert!(
                !h.findings.iter().any(|f| f.text.contains("not found")),
                "{h:?}"
            );
        }
    }
    let rows: Vec<&str> = t.lines().filter(|l| l.contains(&*name)).collect();
    assert!(!rows.is_empty(), "{t}");
    assert!(
        rows.iter()
            .all(|l| !l.contains("missing") && !l.contains("● OK")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|l| l.contains("… read")), "{rows:?}");
    assert!(rows.iter().any(|l| l.contains("(readi")), "{rows:?}");
}

#[test]
fn rule_change_confirmation_dialog() {
    let t = check("confirm_rule_change", "3 / p a y m e n t - r enter t");
    for want in [
        "Enable rule orders-bus/payment-refunded?",
        "123456789012",
        "us-east-1",
        "DISABLED → ENABLED",
        "payments-archive",
    ] {
        assert!(t.contains(want), "{want}");
    }
}

#[test]
fn permission_simulation_overlay() {
    let t = check("perms_stream", "p");
    for want in [
        "Permissions — stream clickstream-raw",
        "3 simulations: 1 denied, 2 allowed",
        "DENIED: s3:PutObject",
        "implicitDeny  s3:PutObject",
        "engine     local evaluator",
        "fix: add to an identity policy of firehose-clickstream-delivery",
        "\"s3:PutObject\"",
    ] {
        assert!(t.contains(want), "{want}\n{t}");
    }
}

#[test]
fn custom_simulation_dialog_prefilled_from_the_selection() {
    let t = check("perms_custom_dialog", "2 P");
    for want in [
        "Custom permission simulation",
        "arn:aws:iam::123456789012:role/firehose-clickstream-delivery",
        "arn:aws:s3:::acme-clickstream-raw-us-east-1/*",
    ] {
        assert!(t.contains(want), "{want}\n{t}");
    }
}

#[test]
fn checks_overlay_for_the_selected_pipeline() {
    let t = check("checks_stream", "c");
    for want in [
        "Checks — stream clickstream-raw",
        "FAIL clickstream-raw",
        "bucket-access",
        "DENIED: s3:PutObject",
        "delivery-errors",
        "S3.AccessDenied",
        "confirm: aws",
    ] {
        assert!(t.contains(want), "{want}\n{t}");
    }
}

/// Issue 26: `R` on the failing pipeline: its ledger as `fhtop losses` reads it — the records
/// held undelivered with their deadline — and what it cannot know.
#[test]
fn recover_overlay_for_the_selected_pipeline() {
    let t = check("recover_stream", "R");
    for want in [
        "Recover — stream clickstream-raw",
        "AT RISK · last 24 h",
        "records undelivered",
        "unless delivery resumes",
        "What this ledger cannot know",
    ] {
        assert!(t.contains(want), "{want}\n{t}");
    }
    // On the partitioned stream: what its error output holds, and the command to get it back.
    let t = frame("j j R", 160, 48);
    assert!(t.contains("Recover — stream orders-to-s3"), "{t}");
    assert!(
        t.contains("fhtop recover errors --stream orders-to-s3"),
        "{t}"
    );
    assert!(
        t.contains("fhtop recover dlq --rule orders-bus/order-cancelled"),
        "{t}"
    );
}

/// Issue 12: a stream not described yet whose metrics ListMetrics listed shows the same
/// IN/5m, OUT/5m, OK% and FRESH figures as when it is described (its health stays "… read");
/// one whose metrics are not known yet is counted in the header's "triage metrics n/N rows".
#[test]
fn a_stream_not_described_shows_the_figures_its_metrics_report() {
    use fhtop::model::{DestinationKind, MetricId, Reported, Source};
    let (mut snap, view) = common::settle("2");
    let theme = fhtop::ui::theme::Theme::default_theme();
    let draw = |snap: &fhtop::fresh::store::Snapshot| {
        fhtop::ui::frame::to_text(&common::draw_with(snap, &view, &theme, 160, 48))
    };
    let mut inv = snap.inventory.get().expect("inventory").inv.clone();
    let i = inv
        .streams
        .iter()
        .position(|s| {
            matches!(s.source, Source::DirectPut)
                && s.destination_kind() == Some(DestinationKind::S3)
                && MetricId::triage(s).len() == 5
        })
        .expect("a Direct PUT → S3 stream");
    let name = inv.streams[i].name.clone();
    // The figure columns of `name`'s row, by the header's column positions.
    let figures = |t: &str| -> String {
        let lines: Vec<Vec<char>> = t.lines().map(|l| l.chars().collect()).collect();
        let header = lines
            .iter()
            .find(|l| l.iter().collect::<String>().contains("IN/5m"))
            .expect("header");
        let at = |w: &str| {
            let h: String = header.iter().collect();
            h[..h.find(w).expect(w)].chars().count()
        };
        let row = lines
            .iter()
            .find(|l| l.iter().collect::<String>().contains(&*name))
            .expect("row");
        row[at("IN/5m") - 3..at("ALARMS")].iter().collect()
    };
    let described = figures(&draw(&snap));
    assert!(described.chars().any(|c| c.is_ascii_digit()), "{described}");

    inv.streams.remove(i);
    let reported = Reported {
        incoming: Some(MetricId::IncomingRecords),
        destination: Some(DestinationKind::S3),
        s3_backup: false,
    };
    let mut listed = inv.clone();
    listed
        .errors
        .push(fhtop::model::InventoryError::loading("stream", &name).with_reported(Some(reported)));
    snap.inventory.data = Some(std::sync::Arc::new(
        fhtop::fresh::store::InventoryView::new(listed),
    ));
    let t = draw(&snap);
    assert_eq!(figures(&t), described, "{t}");
    assert!(!t.contains("triage metrics"), "every row has them: {t}");
    let row = t.lines().find(|l| l.contains(&*name)).unwrap_or_default();
    assert!(row.contains("… read") && !row.contains("OK"), "{row}");

    // Before ListMetrics answered: no figures, and the header counts the row as missing.
    inv.errors
        .push(fhtop::model::InventoryError::loading("stream", &name));
    snap.inventory.data = Some(std::sync::Arc::new(
        fhtop::fresh::store::InventoryView::new(inv),
    ));
    let t = draw(&snap);
    let (with, of) = snap.triage_fetched();
    assert_eq!(with + 1, of);
    // Whole, or compact when the header is full.
    let header = t.lines().next().unwrap();
    assert!(
        header.contains(&format!("triage metrics {with}/{of} rows"))
            || header.contains(&format!("triage {with}/{of}")),
        "{t}"
    );
    assert!(!figures(&t).chars().any(|c| c.is_ascii_digit()), "{t}");
}

/// Issue 15: two contexts in one view — the rows of both, worst first, with a CONTEXT column
/// (the production one marked), a header slot per context, `:ctx` narrowing to one; at 80×24
/// the context column stays.
#[test]
fn two_contexts_in_one_view() {
    use fhtop::ui::keymap::{Keymap, parse_key_sequence};
    let w = common::two_contexts();
    let theme = fhtop::ui::theme::Theme::default_theme();
    let keymap = Keymap::default();
    let ctx = fhtop::ui::render::Ctx {
        theme: &theme,
        keymap: &keymap,
        now: common::at(),
    };
    let draw = |view: &fhtop::ui::view::View, width: u16, height: u16| {
        fhtop::ui::frame::to_text(&fhtop::ui::frame::draw(&w, view, &ctx, width, height).unwrap())
    };
    let mut view = fhtop::ui::view::View::with_settings(&common::app_settings());
    view.sync_target(&w);
    let t = draw(&view, 160, 48);
    insta::assert_snapshot!("two_contexts", t);
    let header = t.lines().next().unwrap();
    assert!(
        header.contains("⚑lake") && header.contains("dr age"),
        "{header}"
    );
    assert!(t.contains("CONTEXT"));
    let rows: Vec<&str> = t.lines().filter(|l| l.starts_with("│✖ FAIL")).collect();
    // The incident is in both regions: its row twice, once per context.
    let incident: Vec<&&str> = rows
        .iter()
        .filter(|l| l.contains("clickstream-raw"))
        .collect();
    assert_eq!(incident.len(), 2, "{t}");
    assert!(incident.iter().any(|l| l.contains("⚑ lake")), "{t}");
    assert!(incident.iter().any(|l| l.contains(" dr ")), "{t}");

    // `:ctx dr`: only dr's rows, and the header says so.
    for k in parse_key_sequence(": c t x space d r enter").unwrap() {
        view.on_key(&k, &keymap, &w);
    }
    assert_eq!(view.only, Some(1));
    let t = draw(&view, 160, 48);
    assert!(t.lines().next().unwrap().contains("[:ctx dr]"), "{t}");
    assert!(
        !t.lines()
            .any(|l| l.starts_with('│') && l.contains("⚑ lake")),
        "{t}"
    );
    assert!(
        t.lines()
            .any(|l| l.starts_with("│✖ FAIL") && l.contains(" dr ")),
        "{t}"
    );

    // Every context again, at 80×24: the context column is kept.
    for k in parse_key_sequence(": c t x space a l l enter").unwrap() {
        view.on_key(&k, &keymap, &w);
    }
    let t = draw(&view, 80, 24);
    insta::assert_snapshot!("two_contexts_80x24", t);
    assert!(t.contains("CONTEXT"), "{t}");
    assert!(
        t.lines()
            .any(|l| l.starts_with("│✖ FAIL") && l.contains(" dr ")),
        "{t}"
    );
}

/// Issue 27: against AWS the API cost pane's text column wraps at 80 columns (its METRIC PLAN
/// and per-kind lines were cut at the edge), and a large account's history is counted once,
/// not as an hourly rate; the header says what the metrics cover while it loads.
#[test]
fn the_api_cost_pane_wraps_at_80_columns_and_counts_the_history_once() {
    use fhtop::model::MetricKind;
    let (mut snap, view) = common::settle("7");
    snap.api.data = Some(std::sync::Arc::new(fhtop::backend::aws::ApiStatsView {
        ops: vec![
            ("cloudwatch:DescribeAlarmHistory".into(), 1, 2),
            ("cloudwatch:GetMetricData".into(), 151, 302),
        ],
        metrics_last_hour: 150_020,
        metrics_total: 150_020,
        metrics_by_kind: vec![
            (MetricKind::Triage, 75_010, 75_010),
            (MetricKind::History, 75_010, 75_010),
        ],
        bytes_read: Vec::new(),
    }));
    snap.api.fetched_at = Some(common::at());
    snap.history = Some(fhtop::fresh::plan::HistoryLoad {
        done: 19_000,
        of: 75_010,
        minutes: 180,
    });
    let theme = fhtop::ui::theme::Theme::default_theme();
    let t = fhtop::ui::frame::to_text(&common::draw_with(&snap, &view, &theme, 80, 24));
    // Every word of the per-kind text is on screen, over several lines of the last column.
    // The last column starts after the border, 32 + 8 + 8 columns and three spaces.
    let column: Vec<String> = t
        .lines()
        .map(|l| {
            l.chars()
                .skip(52)
                .collect::<String>()
                .trim_end_matches('│')
                .trim()
                .to_string()
        })
        .collect();
    let text = column.join(" ");
    for words in [
        "once: the history behind a short first window",
        "every row: what health and the list columns read",
    ] {
        assert!(text.contains(words), "{words}\n{t}");
    }
    // The hourly rate is the triage's alone, the history said apart.
    let wide = fhtop::ui::frame::to_text(&common::draw_with(&snap, &view, &theme, 160, 48));
    assert!(wide.contains("≈ $0.75/hour"), "{wide}");
    assert!(wide.contains("(+$0.75 once: the history)"), "{wide}");
    assert!(
        wide.lines()
            .next()
            .is_some_and(|h| h.contains("3h 19k/75k")),
        "{wide}"
    );
}
