//! The whole app driven without a terminal (issue 9): keys, injected data and background
//! answers are messages through the one `update`; effects run through the same runner the TUI
//! uses. The demo account at a fixed instant.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fhtop::act::Outcome;
use fhtop::backend::{Clock, demo::DemoBackend};
use fhtop::judge::iam::Tone;
use fhtop::model::{Alarm, AlarmState, RuleKey};
use fhtop::ui::headless::Headless;
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::msg::Msg;
use fhtop::ui::settings::AppSettings;
use fhtop::ui::view::{Pane, entries};

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

async fn keys(app: &mut Headless, ks: &str) {
    for k in parse_key_sequence(ks).expect("keys parse") {
        assert!(app.send(Msg::Key(k)).await, "still running after {ks:?}");
    }
}

async fn start(settings: AppSettings) -> Headless {
    let clock = Clock::Fixed(common::at());
    let backend = Arc::new(DemoBackend::new(common::SEED, clock, None));
    Headless::start(backend, clock, settings, Keymap::default())
        .await
        .expect("demo starts")
}

/// The app's screen at 160×48 in the default theme, as text.
fn screen(app: &Headless) -> String {
    let theme = fhtop::ui::theme::Theme::default_theme();
    fhtop::ui::frame::to_text(&common::draw_with(
        &app.snapshot(),
        &app.view,
        &theme,
        160,
        48,
    ))
}

/// The footer's one-line message (the test fails when there is none).
fn footer(app: &Headless) -> String {
    app.view
        .status
        .as_ref()
        .expect("a footer line")
        .text
        .clone()
}

fn overlay_text(app: &Headless) -> String {
    app.view
        .overlay
        .as_ref()
        .and_then(|o| o.lines.as_ref())
        .map(|ls| {
            ls.iter()
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn keys_new_data_and_background_answers_flow_through_one_update() {
    let mut app = start(common::app_settings()).await;

    // Keys: the Streams pane, a healthy stream selected.
    keys(&mut app, "2 / a p p - l o g s enter").await;
    assert_eq!(app.view.pane, Pane::Streams);
    assert_eq!(app.view.target.stream.as_deref(), Some("app-logs"));

    // Injected data: an alarm on that stream fires; once the view hears of it, the row is
    // FAIL and the selection stays on it.
    let snap = app.snapshot();
    let mut alarms = snap.alarms.get().cloned().unwrap_or_default();
    alarms.push(Alarm {
        name: "app-logs-freshness".into(),
        state: AlarmState::Alarm,
        reason: "injected".into(),
        namespace: Some("AWS/Firehose".into()),
        metric: Some("DeliveryToS3.DataFreshness".into()),
        dimensions: vec![("DeliveryStreamName".into(), "app-logs".into())],
        state_updated: common::at(),
        threshold: Some(900.0),
        comparison: Some("GreaterThanThreshold".into()),
    });
    app.store.set_alarms(alarms, common::at());
    assert!(app.send(Msg::DataChanged).await);
    let snap = app.snapshot();
    let rows = entries(Pane::Streams, &snap, "app-logs");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].level, fhtop::judge::health::Level::Fail);
    assert_eq!(app.view.target.stream.as_deref(), Some("app-logs"));

    // A background answer: `p` runs its simulations through the runner and the overlay shows
    // the answer; an answer for an older overlay id is dropped.
    keys(&mut app, "p").await;
    let id = app
        .view
        .overlay
        .as_ref()
        .map(|o| o.id)
        .expect("overlay open");
    assert!(
        overlay_text(&app).contains("delivery role"),
        "{}",
        overlay_text(&app)
    );
    app.send(Msg::Answer(id - 1, vec![(Tone::Note, "stale".into())]))
        .await;
    assert!(!overlay_text(&app).contains("stale"));
    app.send(Msg::Answer(id, vec![(Tone::Note, "fresh answer".into())]))
        .await;
    assert_eq!(overlay_text(&app), "fresh answer");
    keys(&mut app, "esc").await;

    // A rule change finishing elsewhere: the footer says so.
    let key = RuleKey {
        bus: "orders-bus".into(),
        name: "payment-refunded".into(),
    };
    app.send(Msg::RuleChanged(0, key, Outcome::Confirmed)).await;
    let status = app.view.status.as_ref().expect("status");
    assert!(
        status.text.contains("orders-bus/payment-refunded"),
        "{}",
        status.text
    );

    // A signal stops the app; later messages are ignored.
    assert!(!app.send(Msg::Stop).await);
    assert!(!app.send(key_q()).await);
}

fn key_q() -> Msg {
    key('q')
}

/// `--writer-policy NAME` reaches the simulations `p` runs (it used to be dropped on the way
/// into `fhtop snapshot`, which then simulated `firehose_writer`).
#[tokio::test]
async fn the_writer_policy_setting_reaches_the_simulations() {
    let mut settings = common::app_settings();
    settings.writer_policy = "acme_firehose_producer".into();
    let mut app = start(settings).await;
    keys(&mut app, "3 / p a y m e n t - s enter p").await;
    let text = overlay_text(&app);
    assert!(text.contains("Policy acme_firehose_producer"), "{text}");
    assert!(!text.contains("Policy firehose_writer"), "{text}");
}

/// Enter on the Logs pane opens the event at the cursor whole (issue 11): fields, the Firehose
/// error code and message, the JSON pretty-printed; the frame wraps it instead of cutting it.
#[tokio::test]
async fn enter_on_a_log_line_opens_the_event_whole() {
    let mut app = start(common::app_settings()).await;
    // The failing pipeline (its error log has events), then the Logs pane.
    keys(&mut app, "1 / c l i c k s t r e a m enter 5").await;
    app.poll_logs().await;
    assert_eq!(app.view.pane, Pane::Logs);
    keys(&mut app, "k k enter").await;
    assert!(app.view.detail.is_none(), "no drill-in into the stream");
    let overlay = app.view.overlay.as_ref().expect("the event opened");
    assert!(
        overlay
            .title
            .starts_with("Log event — /aws/kinesisfirehose/"),
        "{}",
        overlay.title
    );
    let text = overlay_text(&app);
    assert!(text.contains("group      /aws/kinesisfirehose/"), "{text}");
    assert!(text.contains("\n{\n  \""), "JSON pretty-printed: {text}");
    assert!(text.contains("S3.AccessDenied:"), "{text}");
    // Two up from the newest: the third-newest event, not the newest.
    let snap = app.snapshot();
    let events = fhtop::ui::panes::logs::merged(&snap, &app.view.target.log_groups(&snap));
    let third = events[events.len() - 3];
    assert!(text.contains(&third.event_id), "{text}");
    // Drawn whole: the long message wraps inside the overlay at 80 columns.
    let theme = fhtop::ui::theme::Theme::default_theme();
    let frame = fhtop::ui::frame::to_text(&common::draw_with(&snap, &app.view, &theme, 80, 24));
    assert!(frame.contains("Log event"), "{frame}");
    assert!(frame.contains("\"errorCode\""), "{frame}");
    // Esc closes it; the Logs pane is where it was.
    keys(&mut app, "esc").await;
    assert!(app.view.overlay.is_none());
    assert_eq!(app.view.pane, Pane::Logs);
}

/// `S` saves the screen as text and SVG wherever the screens directory is, overlays included;
/// the footer names the files.
#[tokio::test]
async fn the_screen_is_saved_as_text_and_svg() {
    let app = start(common::app_settings()).await;
    let dir = std::env::temp_dir().join(format!("fhtop-screens-{}", std::process::id()));
    let theme = fhtop::ui::theme::Theme::default_theme();
    let ctx = fhtop::ui::render::Ctx {
        theme: &theme,
        keymap: &app.keymap,
        now: common::at(),
    };
    let paths = fhtop::ui::screen::save(
        &app.merged(),
        &app.view,
        &ctx,
        (100, 30),
        &dir,
        common::at(),
    )
    .expect("saved");
    assert_eq!(paths.len(), 2);
    let text = std::fs::read_to_string(&paths[0]).expect("text");
    assert_eq!(text.lines().count(), 30);
    assert!(text.contains("Pipelines ("));
    let svg = std::fs::read_to_string(&paths[1]).expect("svg");
    assert!(
        svg.starts_with("<svg") || svg.contains("<svg"),
        "{svg:.100}"
    );
    assert!(paths[0].to_string_lossy().contains("fhtop-123456789012-"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `]` / `[` step the chart window (issue 11): within the health metrics' 3 h the charts are cut
/// from them (no fetch); 12 h is fetched on its own at 3-minute periods (CloudWatch keeps 1-minute
/// data 15 days; at most 288 points) for the trends and the open drill-in only.
#[tokio::test]
async fn the_chart_window_widens_and_narrows() {
    let mut app = start(common::app_settings()).await;
    assert_eq!(app.view.chart_minutes, 180);
    let snap = app.snapshot();
    assert_eq!(
        app.view.interest(&snap, 0).chart,
        None,
        "3 h: no extra fetch"
    );

    keys(&mut app, "]").await;
    assert_eq!(app.view.chart_minutes, 720);
    let status = app.view.status.clone().expect("says what it costs").text;
    assert!(
        status.contains("last 12h at 3-min periods") && status.contains("fetched on its own"),
        "{status}"
    );
    let want = app
        .view
        .interest(&app.snapshot(), 0)
        .chart
        .expect("12 h fetched");
    assert_eq!(want.minutes, 720);
    app.poll_logs().await;
    let snap = app.snapshot();
    let chart = snap.chart.get().expect("the chart series");
    assert_eq!(chart.window.period_seconds, 180);
    assert_eq!(chart.window.points, 240);
    // Only the trends (one series per stream) when no drill-in is open.
    let streams = snap.inventory.get().expect("inventory").inv.streams.len();
    assert_eq!(chart.len(), streams);
    let frame = common::draw_with(
        &snap,
        &app.view,
        &fhtop::ui::theme::Theme::default_theme(),
        160,
        48,
    );
    let text = fhtop::ui::frame::to_text(&frame);
    assert!(text.contains("trend 12h"), "{text}");

    // A drill-in adds its own metrics; its charts say what a column is.
    keys(&mut app, "enter").await;
    let want = app.view.interest(&app.snapshot(), 0).chart.expect("12 h");
    assert!(want.detail.is_some());
    app.poll_logs().await;
    let snap = app.snapshot();
    let text = fhtop::ui::frame::to_text(&common::draw_with(
        &snap,
        &app.view,
        &fhtop::ui::theme::Theme::default_theme(),
        160,
        48,
    ));
    assert!(
        text.contains("Metrics last 12h · 1 column ≈ 8 min"),
        "the whole 12 h, squeezed: {text}"
    );
    assert!(!text.contains("loading the longer window"), "{text}");

    keys(&mut app, "esc [ [").await;
    assert_eq!(app.view.chart_minutes, 60);
    assert_eq!(
        app.view.interest(&app.snapshot(), 0).chart,
        None,
        "1 h is cut from 3 h"
    );
    keys(&mut app, "[").await;
    assert_eq!(app.view.chart_minutes, 60, "1 h is the shortest");
    keys(&mut app, "] ] ] ] ]").await;
    assert_eq!(app.view.chart_minutes, 4320, "3 d is the longest");
    assert_eq!(fhtop::model::chart_period(4320), 900);
}

/// `m` on a rule opens the pattern tester (issue 13): the demo's trap rule ("ordercancelled")
/// against the events its bus logged — none match, the nearest miss (picked first) names
/// detail-type and the case trap, and the rules that do take the event are listed; j/k picks
/// another sample, a pasted event is tested instead.
#[tokio::test]
async fn the_pattern_tester_explains_the_demo_trap() {
    let mut app = start(common::app_settings()).await;
    keys(&mut app, "3 / c a n c e l l a t i o n enter m").await;
    let tester = app.view.tester.clone().expect("the tester opened");
    assert_eq!(tester.rule.to_string(), "orders-bus/cancellation-audit");
    let rep = tester.report.clone().expect("answered").expect("tested");
    assert_eq!(rep.matched, 0);
    assert!(rep.tested > 0);
    assert!(
        rep.summary().contains("differs only in case"),
        "{}",
        rep.summary()
    );
    let text = screen(&app);
    assert!(
        text.contains("Pattern test — rule orders-bus/cancellation-audit"),
        "{text}"
    );
    assert!(
        text.contains("NO MATCH — sample")
            && text.contains("detail-type: wanted \"ordercancelled\", had \"OrderCancelled\""),
        "{text}"
    );
    assert!(
        text.contains("rules on bus orders-bus that match this event"),
        "{text}"
    );
    // Pick another sample: the verdict follows the pick.
    keys(&mut app, "g j").await;
    assert_eq!(app.view.tester.as_ref().map(|t| t.selected), Some(1));
    // Paste an event that matches: tested instead of the pick.
    app.send(Msg::Paste(
        r#"{"source":"acme.orders","detail-type":"ordercancelled","detail":{}}"#.into(),
    ))
    .await;
    let text = screen(&app);
    assert!(text.contains("MATCH — the pasted event"), "{text}");
    app.send(Msg::Paste("not json".into())).await;
    assert!(
        app.view
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("not JSON")),
        "{:?}",
        app.view.status
    );
    // Esc closes; a schedule rule has no pattern to test.
    keys(&mut app, "esc").await;
    assert!(app.view.tester.is_none());
    keys(&mut app, "esc / h o u r l y enter m").await;
    assert!(app.view.tester.is_none());
    assert!(
        app.view
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("has no event pattern")),
        "{:?}",
        app.view.status
    );
}

/// A paused Logs cursor stays on its event while new ones arrive (Enter opens what the user
/// chose, not whatever slid under the cursor).
#[tokio::test]
async fn a_paused_log_cursor_stays_on_its_event() {
    let mut app = start(common::app_settings()).await;
    keys(&mut app, "1 / c l i c k s t r e a m enter 5").await;
    app.poll_logs().await;
    keys(&mut app, "k k").await;
    let snap = app.snapshot();
    let groups = app.view.target.log_groups(&snap);
    let events = fhtop::ui::panes::logs::merged(&snap, &groups);
    let at = fhtop::ui::view::log_cursor(&events, &app.view).expect("a cursor");
    let chosen = events[at].event_id.clone();
    // Three newer events arrive.
    let mut logs = snap.logs.get().cloned().expect("logs");
    let g = groups.first().cloned().expect("a group");
    let buf = std::sync::Arc::make_mut(logs.groups.get_mut(&g).expect("buffer"));
    let newest = buf.events.back().cloned().expect("an event");
    buf.push(
        (1..=3)
            .map(|i| fhtop::model::LogEvent {
                event_id: format!("new-{i}"),
                timestamp: newest.timestamp + chrono::Duration::seconds(i),
                ..(*newest).clone()
            })
            .collect(),
    );
    app.store.set_logs(logs, common::at());
    app.send(Msg::DataChanged).await;
    let snap = app.snapshot();
    let events = fhtop::ui::panes::logs::merged(&snap, &app.view.target.log_groups(&snap));
    let at = fhtop::ui::view::log_cursor(&events, &app.view).expect("a cursor");
    assert_eq!(events[at].event_id, chosen, "the cursor did not slide");
    keys(&mut app, "enter").await;
    assert!(overlay_text(&app).contains(&chosen));
}

/// Issue 12's metric plan, as the view asks for it: the selection's stream and rule get every
/// metric (their drill-in opens with its charts filled), the open drill-in too; every other
/// row only its triage set.
#[tokio::test]
async fn the_selection_and_the_drill_in_get_every_metric() {
    use fhtop::model::Scope;
    let mut app = start(common::app_settings()).await;
    keys(&mut app, "2 / a p p - l o g s enter").await;
    let w = app.view.wanted(&app.merged(), 0);
    assert_eq!(w.metrics.full, vec![Scope::Stream("app-logs".into())]);
    keys(&mut app, "enter").await;
    assert!(app.view.detail.is_some(), "the drill-in is open");
    let w = app.view.wanted(&app.merged(), 0);
    assert_eq!(
        w.metrics.full.first(),
        Some(&Scope::Stream("app-logs".into())),
        "the drill-in first"
    );
    keys(&mut app, "esc 1").await;
    let snap = app.snapshot();
    let w = app.view.wanted(&common::one(&snap), 0);
    let sel = &entries(Pane::Pipelines, &snap, "")[0].target;
    let mut want = Vec::new();
    want.extend(sel.stream.iter().map(|s| Scope::Stream(s.clone())));
    want.extend(sel.rule.iter().map(|r| Scope::Rule(r.clone())));
    assert!(!want.is_empty());
    assert_eq!(
        w.metrics.full, want,
        "the selected pipeline's stream and rule"
    );
    assert!(
        w.metrics.screen.len() > w.metrics.full.len(),
        "more rows are on screen"
    );
    assert!(want.iter().all(|s| w.metrics.screen.contains(s)));
}

/// `e` on the demo's dynamically partitioned stream (issue 14): its failed records read from
/// the S3 error output, grouped (two reasons under one code), newest first; Enter opens one
/// whole with its data pretty-printed; Esc goes back to the list, then closes. On a stream
/// without failed records the view says so.
#[tokio::test]
async fn failed_records_open_from_a_stream_and_show_one_record_whole() {
    let mut app = start(common::app_settings()).await;
    keys(&mut app, "2 / o r d e r s - t o enter e").await;
    let fv = app.view.failed.clone().expect("the failed records opened");
    assert_eq!(fv.stream, "orders-to-s3");
    let r = fv.report.clone().expect("answered").expect("read");
    assert!(!r.records.is_empty());
    assert_eq!(r.groups.len(), 1);
    assert_eq!(
        r.groups[0].code,
        "DynamicPartitioning.MetadataExtractionFailed"
    );
    assert_eq!(r.groups[0].messages.len(), 2, "{:?}", r.groups[0].messages);
    // Newest first.
    assert!(
        r.records
            .windows(2)
            .all(|w| w[0].arrival.map(|a| a.timestamp() / 60)
                >= w[1].arrival.map(|a| a.timestamp() / 60))
    );
    let text = screen(&app);
    assert!(
        text.contains("Failed records — stream orders-to-s3"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} failed records since", r.records.len())),
        "{text}"
    );
    assert!(text.contains("s3://acme-orders-lake"), "{text}");

    // The first record whole: error, object, the record's JSON pretty-printed.
    keys(&mut app, "enter").await;
    let text = screen(&app);
    assert!(text.contains("record data (JSON)"), "{text}");
    assert!(text.contains("\"customer\": {"), "{text}");
    assert!(
        text.contains(&format!("s3://acme-orders-lake/{}", r.records[0].key)),
        "{text}"
    );
    // Back to the list, then closed.
    keys(&mut app, "esc").await;
    assert!(app.view.failed.as_ref().is_some_and(|f| !f.open));
    keys(&mut app, "esc").await;
    assert!(app.view.failed.is_none());

    // A stream without failed records.
    keys(&mut app, "esc / a p p - l o g s enter e").await;
    let text = screen(&app);
    assert!(text.contains("no failed records in the window"), "{text}");
}

/// Since when (issue 14), on the demo: the failing stream's drill-in shows the configuration
/// change (version 7) three minutes before delivery failed, the alarms that went to ALARM and
/// the minute DeliveryToS3.Success turned to 0, newest first.
#[tokio::test]
async fn the_failing_streams_drill_in_says_since_when() {
    let mut app = start(common::app_settings()).await;
    keys(&mut app, "2 / c l i c k s t r e a m enter enter").await;
    let text = screen(&app);
    assert!(text.contains("Since when last 3h, newest first"), "{text}");
    assert!(
        text.contains("configuration changed to version 7"),
        "{text}"
    );
    assert!(text.contains("→ ALARM"), "{text}");
    assert!(
        text.contains("DeliveryToS3.Success: failing from this minute"),
        "{text}"
    );
    // The configuration change is older than the failure: listed below it.
    let config = text.find("configuration changed").unwrap();
    let metric = text.find("DeliveryToS3.Success: failing").unwrap();
    assert!(metric < config, "newest first:\n{text}");
}

#[tokio::test]
async fn y_copies_the_selections_arn_or_the_overlays_commands() {
    let mut app = start(common::app_settings()).await;

    // A stream row: its ARN, said in the footer.
    keys(&mut app, "2 / a p p - l o g s enter y").await;
    let arn = app.copied.last().cloned().expect("something copied");
    assert!(
        arn.starts_with("arn:aws:firehose:") && arn.ends_with("deliverystream/app-logs"),
        "{arn}"
    );
    let status = footer(&app);
    assert!(status.starts_with("copied the stream's ARN"), "{status}");
    assert!(status.ends_with("/app-logs"), "{status}");

    // The checks overlay of a failing stream: its confirm commands, without their label,
    // one a line; the overlay stays open.
    keys(&mut app, "esc / c l i c k s t r e a m - r a w enter c").await;
    assert!(
        overlay_text(&app).contains("confirm: "),
        "{}",
        overlay_text(&app)
    );
    keys(&mut app, "y").await;
    assert!(app.view.overlay.is_some(), "copying closes nothing");
    let copied = app.copied.last().cloned().expect("the overlay's commands");
    assert!(copied.lines().count() >= 1);
    for l in copied.lines() {
        assert!(!l.starts_with("confirm:") && !l.starts_with(' '), "{l:?}");
    }
    assert!(copied.lines().any(|l| l.starts_with("aws ")), "{copied}");
    let status = footer(&app);
    assert!(
        status.starts_with("copied the overlay's commands"),
        "{status}"
    );

    // Nothing selected: nothing copied, and the footer says why.
    let before = app.copied.len();
    keys(&mut app, "esc esc / z z z - n o - s u c h enter y").await;
    assert_eq!(app.copied.len(), before);
    let status = footer(&app);
    assert!(status.starts_with("nothing copied"), "{status}");
}
