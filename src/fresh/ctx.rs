//! What every poller needs ([`PollCtx`]) and what the UI tells them it is looking at
//! ([`Interest`]).

use std::sync::Arc;

use crate::backend::{Backend, Clock};
use crate::fresh::store::Store;

/// What the UI is looking at, so the log poller reads only the groups that matter and the
/// chart poller only what the charts show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interest {
    /// Log groups the open panes show (e.g. the selected stream's error log); read every log poll.
    pub log_groups: Vec<String>,
    /// A chart window longer than the health metrics' window, when one is chosen.
    pub chart: Option<ChartWant>,
}

/// The charts' own fetch: their window, and the drill-in whose every metric they show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartWant {
    /// The window in minutes (one of `model::CHART_WINDOWS_MIN`).
    pub minutes: u32,
    /// The stream or rule drill-in open, if any.
    pub detail: Option<crate::model::Scope>,
}

/// What every poller needs: where to read, where to publish, and the clock.
#[derive(Clone)]
pub struct PollCtx {
    /// The backend to read (AWS or demo).
    pub backend: Arc<dyn Backend>,
    /// The store the pollers publish into.
    pub store: Arc<Store>,
    /// Where "now" comes from (fixed in `fhtop snapshot`).
    pub clock: Clock,
    /// The metrics window length in minutes (one 60-second period per point).
    pub window_minutes: u32,
    /// Where the inventory is cached between runs (the warm start); `None` keeps no cache.
    pub cache_dir: Option<std::path::PathBuf>,
}
