//! What to check: streams and rules named on the command line (or every pipeline), resolved in
//! the inventory, with the names that do not exist.

use super::*;

/// What to check: streams and rules by name (`bus/name` or a name on any bus). Empty = every
/// pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Stream names given on the command line.
    pub streams: Vec<String>,
    /// Rule names given on the command line: `bus/name`, or a bare name matching on any bus.
    pub rules: Vec<String>,
}

/// The resolved selection: streams (existing) and rules (with a Firehose target) to check, and
/// names asked for that do not exist.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Delivery stream names to check.
    pub streams: BTreeSet<String>,
    /// Rules to check (only rules feeding a delivery stream when the selection is empty).
    pub rules: BTreeSet<RuleKey>,
    /// Names asked for that are not in the inventory: ("stream" or "rule", the name as given).
    pub missing: Vec<(&'static str, String)>,
    /// Streams and rules in scope that could not be read (index into `Inventory::errors`):
    /// each an UNKNOWN finding, never silently left out.
    pub unread: Vec<usize>,
}

/// Whether `name` (`bus/name`, or a bare name on any bus) names `r`.
pub(super) fn rule_matches(r: &Rule, name: &str) -> bool {
    r.name == name || format!("{}/{}", r.bus, r.name) == name
}

/// The delivery streams a rule feeds: its Firehose targets, and the streams reading its
/// Kinesis targets.
pub(super) fn streams_fed<'a>(inv: &'a Inventory, r: &Rule) -> Vec<&'a Stream> {
    let mut v = Vec::new();
    for t in &r.targets {
        match r.local_stream(t) {
            Some(n) => v.extend(inv.stream(n)),
            None => v.extend(inv.streams_reading(&t.arn)),
        }
    }
    v
}

fn feeds_firehose(inv: &Inventory, r: &Rule) -> bool {
    r.targets.iter().any(|t| t.firehose_stream_name().is_some()) || !streams_fed(inv, r).is_empty()
}

impl Selection {
    /// Whether no stream or rule was named (check every pipeline).
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty() && self.rules.is_empty()
    }

    /// Looks the names up in the inventory: everything when empty (every stream, every rule feeding
    /// one), else the named streams and rules, the rest in `missing`.
    pub fn resolve(&self, inv: &Inventory) -> Resolved {
        let mut sc = Resolved::default();
        if self.is_empty() {
            sc.streams = inv.streams.iter().map(|s| s.name.clone()).collect();
            sc.rules = inv
                .rules
                .iter()
                .filter(|r| feeds_firehose(inv, r))
                .map(|r| r.key())
                .collect();
            sc.unread = (0..inv.errors.len()).collect();
            return sc;
        }
        for name in &self.streams {
            match inv.stream(name) {
                Some(s) => {
                    sc.streams.insert(s.name.clone());
                    sc.rules
                        .extend(inv.rules_feeding(&s.name).into_iter().map(|r| r.key()));
                    // A bus or a rule's targets that could not be read may hide a rule
                    // feeding it: checked as unread, never left out.
                    for (i, e) in inv.errors.iter().enumerate() {
                        if matches!(e.kind, "bus" | "buses" | "rule") && !sc.unread.contains(&i) {
                            sc.unread.push(i);
                        }
                    }
                }
                // Not described, or not even listed: unread, never "does not exist".
                None => match inv
                    .errors
                    .iter()
                    .position(|e| e.kind == "stream" && &e.name == name)
                    .or_else(|| inv.errors.iter().position(|e| e.kind == "streams"))
                {
                    Some(i) => sc.unread.push(i),
                    None => sc.missing.push(("stream", name.clone())),
                },
            }
        }
        for name in &self.rules {
            let found: Vec<&Rule> = inv
                .rules
                .iter()
                .filter(|r| rule_matches(r, name))
                .map(|r| &**r)
                .collect();
            if found.is_empty() {
                // Its targets unread, or a bus it may be on unread: never "does not exist".
                let unread = inv
                    .errors
                    .iter()
                    .position(|e| {
                        e.kind == "rule"
                            && (&e.name == name || e.name.ends_with(&format!("/{name}")))
                    })
                    .or_else(|| {
                        inv.errors.iter().position(|e| {
                            e.kind == "buses"
                                || (e.kind == "bus"
                                    && name.rsplit_once('/').is_none_or(|(b, _)| b == e.name))
                        })
                    });
                match unread {
                    Some(i) => sc.unread.push(i),
                    None => sc.missing.push(("rule", name.clone())),
                }
            }
            for r in found {
                sc.rules.insert(r.key());
                for s in streams_fed(inv, r) {
                    sc.streams.insert(s.name.clone());
                }
                // A target stream that could not be read is checked as unread, not skipped.
                for t in r.targets.iter().filter_map(|t| r.local_stream(t)) {
                    if inv.stream(t).is_none()
                        && let Some(e) = inv.unread_stream(t)
                        && let Some(i) = inv.errors.iter().position(|x| x == e)
                        && !sc.unread.contains(&i)
                    {
                        sc.unread.push(i);
                    }
                }
            }
        }
        sc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{BackendError, ErrorKind};
    use crate::judge::losses::tests::{rule, stream};
    use std::sync::Arc;

    /// A stream named on its own is checked with what could not be read: a bus or a rule's
    /// targets not read may hide a rule feeding it (unread, UNKNOWN), never left out.
    #[test]
    fn a_named_stream_is_unread_where_a_rule_feeding_it_may_hide() {
        let denied = BackendError::new(ErrorKind::Denied, "AccessDeniedException");
        let mut inv = Inventory::default();
        inv.streams.push(Arc::new(stream("s")));
        inv.rules.push(Arc::new(rule("feeds", "s", None)));
        let sel = Selection {
            streams: vec!["s".into()],
            rules: Vec::new(),
        };
        let sc = sel.resolve(&inv);
        assert!(sc.unread.is_empty());
        assert_eq!(sc.rules.len(), 1);
        inv.errors
            .push(InventoryError::new("rule", "default/other", &denied));
        inv.errors
            .push(InventoryError::new("bus", "orders", &denied));
        inv.errors.push(InventoryError::new("stream", "t", &denied));
        let sc = sel.resolve(&inv);
        assert_eq!(
            sc.unread,
            vec![0, 1],
            "the rule and the bus, not another stream"
        );
    }
}
