//! One row's series by metric ([`RowSeries`]): what [`super::Metrics`] keeps per stream or rule.

use super::metric::MetricId;

/// One row's series, by metric: sorted by [`MetricId`], without spare room (a row has 1 to
/// about 15; at 15,000 rows a hash map each held room for twice as many).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RowSeries<T>(Vec<(MetricId, T)>);

impl<T> RowSeries<T> {
    /// The series of metric `m`, if stored.
    pub(super) fn get(&self, m: &MetricId) -> Option<&T> {
        self.0
            .binary_search_by_key(m, |(k, _)| *k)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, s)| s)
    }
    /// Stores `st` as the series of `m`, replacing the one there was.
    pub(super) fn insert(&mut self, m: MetricId, st: T) {
        match self.0.binary_search_by_key(&m, |(k, _)| *k) {
            Ok(i) => self.0[i].1 = st,
            Err(i) => {
                self.0.reserve_exact(1);
                self.0.insert(i, (m, st));
            }
        }
    }
    /// Keeps the series whose metric `keep` says yes to.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(MetricId) -> bool) {
        self.0.retain(|(m, _)| keep(*m));
        self.0.shrink_to_fit();
    }
    /// The metrics stored, in [`MetricId`] order.
    pub(super) fn keys(&self) -> impl Iterator<Item = MetricId> + '_ {
        self.0.iter().map(|(m, _)| *m)
    }
    /// Number of series.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there is none.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> Default for RowSeries<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}
