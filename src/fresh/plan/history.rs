//! A large account's first load (issue 27): a short window first, the history after.
//!
//! GetMetricData allows 180,000 datapoints a second ("Which API should I use, GetMetricData or
//! GetMetricStatistics?", AWS Knowledge Center). At 5,000 streams and 10,000 rules the triage
//! sets are about 75,000 series: over the default 180-minute window that is 13.5 M datapoints,
//! 75 s of the quota before every row has a verdict. So when the first load would take more
//! than [`FIRST_LOAD_DATAPOINTS`] (10 s of the quota), the polls use a window of
//! [`FIRST_WINDOW_MINUTES`] until the history is in: every series the polls hold is fetched
//! once more over the whole window ([`MetricKind::History`], a batch at a time between the
//! looks, never before them), and when every one is, the two are merged
//! ([`merged`]) and published as one window. Until then everything on screen reads the short
//! window, and says so (its length is the published window's; the header counts the history
//! loaded).
//!
//! The short window is as long as every verdict reads: a stream's delivery is judged over two
//! buffering intervals of published minutes (at most 2 × 900 s, Firehose's longest
//! `IntervalInSeconds`: Amazon Data Firehose API Reference, "BufferingHints") plus the minutes
//! not published yet ([`crate::model::unpublished_points`]); a rule's over 5 minutes. What
//! reads the whole window says which window it read: "matched nothing in 40 min", a loss "in
//! 40 min", a since-when timeline of 40 minutes. The history costs a second request of each
//! series, once: about 75,000 metrics ($0.75 at list price) at 5,000 streams.

use crate::model::{Inventory, MetricKind, MetricQuery, MetricWindow, Metrics, Series};

/// The polls' window, minutes, while a large account's history loads: two of Firehose's
/// longest buffering intervals (2 × 15 min), the minutes not yet published (3) and a margin.
pub const FIRST_WINDOW_MINUTES: u32 = 40;

/// Datapoints over which the first load is split: 1,800,000, 10 s of GetMetricData's 180,000
/// datapoints a second. With about 5 triage series a row and a 180-minute window, 2,000 rows.
pub const FIRST_LOAD_DATAPOINTS: usize = 1_800_000;

/// The history of a short first window: which window the polls use, and the series fetched
/// over the whole window so far.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Datapoints over which the first load is split (`None`: [`FIRST_LOAD_DATAPOINTS`]).
    over: Option<usize>,
    /// The window the polls use, minutes; `None` until the first poll chose it.
    minutes: Option<u32>,
    /// The series over the whole window so far (while it loads).
    long: Option<Metrics>,
    /// The whole window, minutes (while it loads).
    target: u32,
}

/// How far the history is: series loaded, of how many, and the window they load, minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLoad {
    /// Series fetched over the whole window.
    pub done: usize,
    /// Series the polls hold.
    pub of: usize,
    /// The whole window, minutes.
    pub minutes: u32,
}

impl History {
    /// Splits a first load of more than `datapoints` (tests; the default is
    /// [`FIRST_LOAD_DATAPOINTS`]).
    pub fn split_over(datapoints: usize) -> Self {
        Self {
            over: Some(datapoints),
            ..Self::default()
        }
    }

    /// Never split: the one-shot fetch of every row (`fhtop snapshot`, the headless app),
    /// which has no later poll to load the history.
    pub fn whole() -> Self {
        Self::split_over(usize::MAX)
    }

    /// The window the polls use, minutes: [`FIRST_WINDOW_MINUTES`] from the first call on
    /// which the first load of `inv` over `configured` minutes would be more than the split's
    /// datapoints (and the window is longer than that) until the history is in; else
    /// `configured`, for good once the walk has listed the rules (a cold start lists the
    /// stream names first: the rules may still make the load large).
    pub fn minutes(&mut self, inv: &Inventory, configured: u32) -> u32 {
        if let Some(m) = self.minutes {
            return m;
        }
        let over = self.over.unwrap_or(FIRST_LOAD_DATAPOINTS);
        if configured > FIRST_WINDOW_MINUTES
            && first_load_series(inv).saturating_mul(configured as usize) > over
        {
            self.target = configured;
            self.minutes = Some(FIRST_WINDOW_MINUTES);
            return FIRST_WINDOW_MINUTES;
        }
        if !inv.rules_listing() {
            self.minutes = Some(configured);
        }
        configured
    }

    /// Whether the history is loading (the polls use the short window).
    pub fn loading(&self) -> bool {
        self.minutes.is_some_and(|m| m < self.target)
    }

    /// The next `n` series of `have` (the published short window) not fetched over the whole
    /// window yet, as queries (`MetricKind::History`) to fetch into [`History::long_mut`]: the
    /// whole window ending at `have`'s end when the first batch was asked for, the same for
    /// every batch.
    pub fn next(&mut self, have: &Metrics, n: usize) -> Option<Vec<MetricQuery>> {
        if !self.loading() {
            return None;
        }
        let target = self.target;
        let long = self.long.get_or_insert_with(|| {
            let points = usize::try_from(target).unwrap_or(usize::MAX) * 60
                / usize::try_from(have.window.period_seconds.max(1)).unwrap_or(60);
            let start = have.window.end()
                - chrono::Duration::seconds(i64::from(have.window.period_seconds) * points as i64);
            Metrics::new(MetricWindow {
                start,
                period_seconds: have.window.period_seconds,
                points,
            })
        });
        Some(
            have.keys()
                .filter(|(s, m)| long.series(s, *m).is_none())
                .take(n)
                .map(|(scope, metric)| MetricQuery {
                    scope: scope.clone(),
                    metric,
                    kind: MetricKind::History,
                })
                .collect(),
        )
    }

    /// The series over the whole window so far, to fetch the next batch into.
    pub fn long_mut(&mut self) -> Option<&mut Metrics> {
        self.long.as_mut()
    }

    /// How far it is against `have` (the published short window); `None` when not loading.
    pub fn progress(&self, have: &Metrics) -> Option<HistoryLoad> {
        if !self.loading() {
            return None;
        }
        let done = self.long.as_ref().map_or(0, |l| {
            have.keys()
                .filter(|(s, m)| l.series(s, *m).is_some())
                .count()
        });
        Some(HistoryLoad {
            done,
            of: have.len(),
            minutes: self.target,
        })
    }

    /// When every series of `have` is loaded over the whole window: the two merged
    /// ([`merged`]), and the polls use the whole window from now on. `None` (nothing changed)
    /// while some are not.
    pub fn finish(&mut self, have: &Metrics) -> Option<Metrics> {
        let long = self.long.as_ref()?;
        if have.keys().any(|(s, m)| long.series(s, m).is_none()) {
            return None;
        }
        let out = merged(long, have);
        self.long = None;
        self.minutes = Some(self.target);
        Some(out)
    }
}

/// Series the first load of `inv` asks for: its triage sets, and four for each stream listed
/// whose metrics are not known yet (a stream delivering has four).
fn first_load_series(inv: &Inventory) -> usize {
    let mut n = 0;
    crate::model::each_query(inv, &[], |_| true, |_, _, _| n += 1);
    let unknown = inv
        .errors
        .iter()
        .filter(|e| e.kind == "stream" && e.reported.is_none())
        .count();
    n + 4 * unknown
}

/// `long` (series over the whole window) and `recent` (the short window's, of the same
/// period) as one: on a window as long as `long`'s, ending where the later of the two ends;
/// each series of `recent` is `long`'s before `recent`'s start, `recent`'s over its span, and
/// `long`'s after it if `long`'s reaches further. A series only `long` has is kept as it is.
pub fn merged(long: &Metrics, recent: &Metrics) -> Metrics {
    let period = i64::from(long.window.period_seconds.max(1));
    let end = long.window.end().max(recent.window.end());
    let window = MetricWindow {
        start: end - chrono::Duration::seconds(period * long.window.points as i64),
        period_seconds: long.window.period_seconds,
        points: long.window.points,
    };
    let mut out = long
        .moved_to(window)
        .unwrap_or_else(|| Metrics::new(window));
    let off =
        usize::try_from((recent.window.start - window.start).num_seconds() / period).unwrap_or(0);
    for (scope, metric) in recent.keys() {
        let Some(r) = recent.series(scope, metric) else {
            continue;
        };
        let mut raw: Series = r.to_vec();
        if let Some(l) = out.series(scope, metric) {
            raw.extend((off + raw.len()..l.len()).map(|i| l.get(i)));
        }
        out.put(scope.clone(), metric, off, raw);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MetricId, Scope};
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(2026, 12, 7, h, m, 0)
            .single()
            .unwrap_or_else(|| panic!("a time"))
    }

    #[test]
    fn the_merge_keeps_the_history_before_the_short_window_and_the_newest_points() {
        let scope = Scope::Stream("s".into());
        let id = MetricId::IncomingRecords;
        // The whole window: 180 one-minute periods ending 12:00 (the last is 11:59).
        let mut long = Metrics::new(MetricWindow::ending_at(at(11, 59), 180, 60));
        let mut all: Series = (0..180).map(|i| Some(f64::from(i))).collect();
        all[179] = None; // not published yet when the history was read
        long.put(scope.clone(), id, 0, all);
        // The short window: 40 periods ending 12:01, newer data than the history's.
        let mut recent = Metrics::new(MetricWindow::ending_at(at(12, 1), 40, 60));
        recent.put(
            scope.clone(),
            id,
            0,
            (0..40).map(|_| Some(1000.0)).collect(),
        );
        let only_recent = Scope::Stream("new".into());
        recent.put(only_recent.clone(), id, 0, vec![Some(7.0); 40]);
        let m = merged(&long, &recent);
        assert_eq!(m.window.points, 180);
        assert_eq!(m.window.end(), at(12, 2), "ends where the newer ends");
        let s = m
            .series(&scope, id)
            .unwrap_or_else(|| panic!("kept"))
            .to_vec();
        assert_eq!(s.len(), 180);
        // Moved by two periods: the history's period 2 is the first; 138 history periods, then
        // the 40 of the short window.
        assert_eq!(s[0], Some(2.0));
        assert_eq!(s[139], Some(141.0));
        assert_eq!(s[140], Some(1000.0));
        assert_eq!(s[179], Some(1000.0));
        // A series the history did not load has gaps before the short window, never zeros.
        let n = m
            .series(&only_recent, id)
            .unwrap_or_else(|| panic!("kept"))
            .to_vec();
        assert_eq!(n[139], None);
        assert_eq!(n[140], Some(7.0));
    }

    #[test]
    fn a_recent_series_shorter_than_the_history_keeps_the_historys_newer_points() {
        let scope = Scope::Stream("s".into());
        let id = MetricId::IncomingRecords;
        let mut recent = Metrics::new(MetricWindow::ending_at(at(12, 0), 40, 60));
        recent.put(scope.clone(), id, 0, vec![Some(1.0); 40]);
        // The history was read a minute later: it ends at 12:02.
        let mut long = Metrics::new(MetricWindow::ending_at(at(12, 1), 180, 60));
        long.put(scope.clone(), id, 0, vec![Some(5.0); 180]);
        let m = merged(&long, &recent);
        let s = m
            .series(&scope, id)
            .unwrap_or_else(|| panic!("kept"))
            .to_vec();
        assert_eq!(s.len(), 180);
        assert_eq!(s[138], Some(5.0), "history before the short window");
        assert_eq!(s[139], Some(1.0), "the short window's");
        assert_eq!(s[178], Some(1.0));
        assert_eq!(s[179], Some(5.0), "the history's newer minute");
    }

    /// A stream buffering 900 s (Firehose's longest interval) whose records arrived 20 to 30
    /// minutes ago and were never delivered, judged on the whole window and on the short one.
    fn judged(minutes: u32) -> crate::judge::health::Health {
        let mut s = crate::judge::losses::tests::stream("slow");
        if let crate::model::Destination::S3(d) = &mut s.destination {
            d.buffering_seconds = 900;
        }
        let now = at(12, 0);
        let w = MetricWindow::ending_at(now, minutes, 60);
        let mut m = Metrics::new(w);
        let sc = Scope::Stream("slow".into());
        let n = w.points;
        let mut incoming = vec![None; n];
        for v in &mut incoming[n - 30..n - 20] {
            *v = Some(100.0);
        }
        m.put(sc.clone(), MetricId::IncomingRecords, 0, incoming);
        let kind = crate::model::DestinationKind::S3;
        // Delivered once, 35 minutes ago (before the records came), nothing since.
        let mut delivered = vec![Some(0.0); n];
        if let Some(i) = n.checked_sub(36) {
            delivered[i] = Some(50.0);
        }
        m.put(sc.clone(), MetricId::DeliveryRecords(kind), 0, delivered);
        m.put(
            sc.clone(),
            MetricId::DeliverySuccess(kind),
            0,
            vec![Some(1.0); n],
        );
        let mut inv = Inventory::default();
        inv.streams.push(std::sync::Arc::new(s.clone()));
        let inp = crate::judge::health::Inputs {
            inv: &inv,
            metrics: Some(&m),
            metrics_error: None,
            alarms: &[],
            logs: None,
            now,
        };
        crate::judge::health::stream_health(&inp, &s)
    }

    #[test]
    fn the_short_window_holds_what_a_streams_delivery_verdict_reads() {
        let whole = judged(180);
        let short = judged(FIRST_WINDOW_MINUTES);
        assert_eq!(whole.level, crate::judge::health::Level::Fail, "{whole:?}");
        assert_eq!(short.level, whole.level, "{short:?}");
        let text = |h: &crate::judge::health::Health| {
            h.findings
                .iter()
                .map(|f| f.text.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(text(&short), text(&whole));
        // One minute shorter than the verdict reads, and the same stream is not judged.
        assert_ne!(
            judged(32).level,
            crate::judge::health::Level::Fail,
            "the margin is real: a shorter window loses the verdict"
        );
    }

    #[test]
    fn the_history_loads_every_series_the_polls_hold_then_ends() {
        let inv = Inventory::default();
        let mut h = History::split_over(0);
        // Nothing to fetch: no split.
        assert_eq!(h.minutes(&inv, 180), 180);
        assert!(!h.loading());
        let mut inv = Inventory::default();
        inv.streams
            .push(std::sync::Arc::new(crate::judge::losses::tests::stream(
                "s",
            )));
        let mut h = History::split_over(0);
        assert_eq!(h.minutes(&inv, 180), FIRST_WINDOW_MINUTES);
        assert_eq!(h.minutes(&inv, 180), FIRST_WINDOW_MINUTES, "chosen once");
        assert!(
            History::split_over(0).minutes(&inv, 30) == 30,
            "short already"
        );
        let mut have = Metrics::new(MetricWindow::ending_at(at(12, 0), 40, 60));
        let a = Scope::Stream("a".into());
        let b = Scope::Stream("b".into());
        have.put(a.clone(), MetricId::IncomingRecords, 0, vec![Some(1.0); 40]);
        have.put(b.clone(), MetricId::IncomingRecords, 0, vec![Some(2.0); 40]);
        let q = h.next(&have, 1).unwrap_or_else(|| panic!("loading"));
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].kind, MetricKind::History);
        let window = h.long_mut().unwrap_or_else(|| panic!("made")).window;
        assert_eq!(window.points, 180);
        assert_eq!(window.end(), have.window.end());
        assert_eq!(h.finish(&have), None, "nothing loaded yet");
        let long = h.long_mut().unwrap_or_else(|| panic!("made"));
        long.put(q[0].scope.clone(), q[0].metric, 0, vec![Some(9.0); 180]);
        assert_eq!(
            h.progress(&have),
            Some(HistoryLoad {
                done: 1,
                of: 2,
                minutes: 180
            })
        );
        assert_eq!(h.finish(&have), None, "one of two");
        let q = h.next(&have, 10).unwrap_or_else(|| panic!("loading"));
        assert_eq!(q.len(), 1, "only the one not loaded");
        let long = h.long_mut().unwrap_or_else(|| panic!("made"));
        long.put(q[0].scope.clone(), q[0].metric, 0, vec![Some(9.0); 180]);
        let m = h.finish(&have).unwrap_or_else(|| panic!("complete"));
        assert_eq!(m.window.points, 180);
        assert!(!h.loading());
        assert_eq!(h.minutes(&inv, 180), 180, "the whole window from now on");
        assert_eq!(h.next(&have, 10), None);
    }
}
