//! The whole app driven without a terminal (issue 9): keys, injected data and background
//! answers are messages through the one `update`; effects run through the same runner the TUI
//! uses. The demo account at a fixed instant.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed test

mod common;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fhtop::action::Outcome;
use fhtop::backend::{Clock, demo::DemoBackend};
use fhtop::iam::Tone;
use fhtop::model::{Alarm, AlarmState, RuleKey};
use fhtop::ui::effects::AppSettings;
use fhtop::ui::headless::Headless;
use fhtop::ui::keymap::{Keymap, parse_key_sequence};
use fhtop::ui::msg::Msg;
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
    assert_eq!(rows[0].level, fhtop::health::Level::Fail);
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
    app.send(Msg::RuleChanged(key, Outcome::Confirmed)).await;
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
