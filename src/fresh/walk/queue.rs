//! The walk's bookkeeping: what is known of a name and since when ([`Known`]), and the queue
//! of names still to read, the wanted ones first ([`Queue`]).

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Utc};

/// A value the walk has read, and when.
pub(super) struct Known<T> {
    pub(super) value: T,
    /// When it was read (for a cached one, when the cache was written).
    pub(super) at: DateTime<Utc>,
    /// Read from the cache of an earlier run: described again by the first walk.
    pub(super) from_cache: bool,
}

impl<T> Known<T> {
    pub(super) fn new(value: T, at: DateTime<Utc>, from_cache: bool) -> Self {
        Self {
            value,
            at,
            from_cache,
        }
    }
}

/// What a walk still has to read, in order, with the rows on screen taken first; and what it
/// reads only if it comes on screen ([`Queue::on_demand`]).
pub(super) struct Queue<T> {
    pub(super) order: VecDeque<T>,
    pub(super) todo: HashSet<T>,
    /// Read only when wanted (on screen): a cold start's idle rules beyond the walk's share.
    pub(super) on_demand: HashSet<T>,
}

impl<T: Clone + Eq + std::hash::Hash> Queue<T> {
    pub(super) fn new(items: impl IntoIterator<Item = T>) -> Self {
        let order: VecDeque<T> = items.into_iter().collect();
        let todo = order.iter().cloned().collect();
        Self {
            order,
            todo,
            on_demand: HashSet::new(),
        }
    }

    /// These are read only when they are wanted.
    pub(super) fn on_demand(mut self, items: impl IntoIterator<Item = T>) -> Self {
        self.on_demand.extend(items);
        self
    }

    /// Puts `x` back, to be read next (after the wanted ones).
    pub(super) fn retry(&mut self, x: T) {
        self.todo.insert(x.clone());
        self.order.push_front(x);
    }

    /// The next item to read: the first wanted one still to do (or on demand), else the
    /// queue's next.
    pub(super) fn pick(&mut self, wanted: &[T]) -> Option<T> {
        if let Some(w) = wanted
            .iter()
            .find(|w| self.todo.contains(*w) || self.on_demand.contains(*w))
        {
            self.todo.remove(w);
            self.on_demand.remove(w);
            return Some(w.clone());
        }
        while let Some(x) = self.order.pop_front() {
            if self.todo.remove(&x) {
                return Some(x);
            }
        }
        None
    }
}
