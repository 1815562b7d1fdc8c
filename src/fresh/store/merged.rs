//! Every context's snapshot in one ([`Merged`]), in the order the contexts were given, with
//! the merged rows memoized across frames.

use super::*;

/// One context's data in the merged view: its name, what the config says of it, and its
/// snapshot.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// The context's name (`[contexts.NAME]`, else `PROFILE/REGION`): the context column's
    /// text and what `:ctx NAME` takes.
    pub name: String,
    /// Marked `production = true` in the config file (patterns are matched by the view).
    pub production: bool,
    /// Rule changes are refused in this context (`read_only` of the context or the settings).
    pub read_only: bool,
    /// The context's own store's snapshot.
    pub snap: Snapshot,
}

/// Values made from every context's data (the merged list rows), kept across frames: the
/// app holds one and hands it to each [`Merged`] it makes. A value is made again once any
/// context's data changed (its diagnosis is a new one).
#[derive(Clone, Default)]
pub struct MergedMemo(Arc<Mutex<MergedValues>>);

/// What a [`MergedMemo`] keeps: the newest [`GENERATIONS`] sets of diagnoses values were
/// asked for (held, so their addresses cannot be reused), oldest first, and per key the values
/// made from them.
#[derive(Default)]
struct MergedValues {
    generations: Vec<Vec<Arc<Diagnosis>>>,
    values: HashMap<String, Vec<(usize, AnyValue)>>,
    /// The generation number of `generations[0]`.
    first: usize,
}

/// A memoized value of any type.
type AnyValue = Arc<dyn std::any::Any + Send + Sync>;

/// How many generations of the data a [`MergedMemo`] keeps values of: the one being drawn and
/// the newer one being prepared off the UI task.
const GENERATIONS: usize = 2;

impl MergedValues {
    /// The generation number of `deps`, made the newest when it is new, and what a generation
    /// that falls out held (its diagnoses and values: the caller frees them once it has
    /// released the lock, so no other thread waits on the freeing of a large account's rows).
    fn generation(&mut self, deps: &[Arc<Diagnosis>]) -> (usize, Vec<AnyValue>) {
        let same = |held: &Vec<Arc<Diagnosis>>| {
            held.len() == deps.len() && held.iter().zip(deps).all(|(a, b)| Arc::ptr_eq(a, b))
        };
        if let Some(i) = self.generations.iter().position(same) {
            return (self.first + i, Vec::new());
        }
        self.generations.push(deps.to_vec());
        let mut dropped: Vec<AnyValue> = Vec::new();
        if self.generations.len() > GENERATIONS {
            let old = self.generations.remove(0);
            dropped.extend(old.into_iter().map(|d| d as AnyValue));
            self.first += 1;
            let first = self.first;
            self.values.retain(|_, vs| {
                let (keep, out): (Vec<_>, Vec<_>) = vs.drain(..).partition(|(g, _)| *g >= first);
                dropped.extend(out.into_iter().map(|(_, v)| v));
                *vs = keep;
                !vs.is_empty()
            });
        }
        (self.first + self.generations.len() - 1, dropped)
    }
}

impl std::fmt::Debug for MergedMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MergedMemo")
    }
}

/// Every watched context's snapshot, in the order the contexts were given: what the merged
/// view (one list of every context's rows) is drawn from. Never empty.
#[derive(Debug, Clone)]
pub struct Merged {
    parts: Vec<Part>,
    memo: MergedMemo,
}

impl Merged {
    /// The merged view of these contexts; one unnamed, empty context when `parts` is empty.
    pub fn new(parts: Vec<Part>) -> Self {
        Self::with_memo(parts, MergedMemo::default())
    }

    /// [`Merged::new`] keeping its merged values in `memo` (the app's, shared by its frames).
    pub fn with_memo(mut parts: Vec<Part>, memo: MergedMemo) -> Self {
        if parts.is_empty() {
            parts.push(Part::default());
        }
        Self { parts, memo }
    }

    /// A value made from every context's data and `key` (the merged rows of a pane, filter
    /// and focus): made once per change of any context's data, then shared by every frame
    /// until the next. `make` must depend only on the parts' data and `key`.
    pub fn memo<T: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let deps: Vec<Arc<Diagnosis>> = self.parts.iter().map(|p| p.snap.diagnosis()).collect();
        let (generation, held, dropped) = {
            let mut m = self.memo.0.lock().unwrap_or_else(|p| p.into_inner());
            let (g, dropped) = m.generation(&deps);
            let held = m
                .values
                .get(key)
                .and_then(|vs| vs.iter().find(|(at, _)| *at == g))
                .and_then(|(_, v)| v.clone().downcast::<T>().ok());
            (g, held, dropped)
        };
        // Freed outside the lock.
        drop(dropped);
        if let Some(v) = held {
            return v;
        }
        let v = Arc::new(make());
        let mut m = self.memo.0.lock().unwrap_or_else(|p| p.into_inner());
        // Kept only while its generation is among the newest.
        if generation >= m.first {
            m.values
                .entry(key.to_string())
                .or_default()
                .push((generation, v.clone()));
        }
        v
    }

    /// One context: `snap`, unnamed, not production, changes allowed (the view's own
    /// read-only flag still applies).
    pub fn one(snap: Snapshot) -> Self {
        Self::new(vec![Part {
            snap,
            ..Part::default()
        }])
    }

    /// Every context, in order (at least one).
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Context `i`; the first when there is no `i` (a view index outliving a context list is
    /// never a panic).
    pub fn part(&self, i: usize) -> &Part {
        // Contexts are only ever added: an index from the view is always one of them.
        debug_assert!(i < self.parts.len(), "context {i} of {}", self.parts.len());
        self.parts.get(i).unwrap_or(&self.parts[0])
    }

    /// Context `i`'s snapshot (the first's when there is no `i`).
    pub fn snap(&self, i: usize) -> &Snapshot {
        &self.part(i).snap
    }

    /// More than one context is watched: rows carry a context column, the header a state per
    /// context.
    pub fn is_several(&self) -> bool {
        self.parts.len() > 1
    }

    /// The index of the context named `name` (exact, then case-insensitive).
    pub fn find(&self, name: &str) -> Option<usize> {
        self.parts.iter().position(|p| p.name == name).or_else(|| {
            self.parts
                .iter()
                .position(|p| p.name.eq_ignore_ascii_case(name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fresh::store::{OnDrop, Store};
    use crate::model::Inventory;
    use std::sync::atomic::{AtomicU8, Ordering};

    /// The values of a generation that falls out (a large account's rows: milliseconds to
    /// free) are freed once the lock is released, never while the UI thread may wait on it.
    #[test]
    fn a_generation_that_falls_out_is_freed_outside_the_lock() {
        let st = Store::new();
        let memo = MergedMemo::default();
        let freed = Arc::new(AtomicU8::new(0));
        // New data each time: a new diagnosis, so a new generation.
        let frame = || {
            st.set_inventory(Inventory::default(), chrono::Utc::now());
            Merged::with_memo(
                vec![Part {
                    snap: st.snapshot(),
                    ..Part::default()
                }],
                memo.clone(),
            )
        };
        // Notes, when freed, whether the memo's lock was free then (1) or held (2).
        let (held, note) = (memo.clone(), freed.clone());
        let _ = frame().memo("probe", move || {
            OnDrop(move || {
                let free = held.0.try_lock().is_ok();
                note.store(if free { 1 } else { 2 }, Ordering::SeqCst);
            })
        });
        for _ in 0..GENERATIONS - 1 {
            let _ = frame().memo("other", || 0u8);
            assert_eq!(
                freed.load(Ordering::SeqCst),
                0,
                "kept while among the newest"
            );
        }
        let _ = frame().memo("other", || 0u8);
        assert_eq!(freed.load(Ordering::SeqCst), 1, "freed, with the lock free");
    }
}
