//! The rows of a list pane: filtered, sorted worst first (health from the snapshot's
//! diagnosis), and the selection that stays on its row when rows re-sort.

use super::*;
use std::sync::Arc;

/// One row of a list pane, in display order.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A stable id the selection follows: stream name, `bus/rule`, alarm name, `name#i` for
    /// pipelines,
    /// `error:kind:name` for error rows.
    pub id: String,
    /// The row's health (sort key: worst first).
    pub level: Level,
    /// What the row is about (the Logs pane and actions follow it).
    pub target: Focus,
    /// Index into the pane's source list (pipelines, streams, rules, alarms).
    pub index: usize,
    /// Set for a stream or rule the backend could not describe: index into
    /// `Inventory::errors`.
    pub error: Option<usize>,
    /// What the row sorts by after its level (rule and stream, stream, rule, alarm name).
    pub name: String,
}

/// The selection and filter of one list pane.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    /// The selected position, used when `selected_id` is no longer in the rows.
    pub selected: usize,
    /// The selected row's id, so the selection stays on the same item when rows re-sort.
    pub selected_id: Option<String>,
    /// The filter text (case-insensitive substring); empty shows every row.
    pub filter: String,
}

impl ListState {
    /// The selected position among `entries`: where the selected row is, looked up at its
    /// last position first (O(1)); when new data moved it, searched for (O(rows)) until the
    /// next key moves the selection.
    pub fn position(&self, entries: &[Entry]) -> usize {
        if let Some(id) = &self.selected_id {
            if entries.get(self.selected).is_some_and(|e| &e.id == id) {
                return self.selected;
            }
            if let Some(i) = entries.iter().position(|e| &e.id == id) {
                return i;
            }
        }
        self.selected.min(entries.len().saturating_sub(1))
    }
}

fn matches(filter: &str, hay: &[&str]) -> bool {
    if filter.is_empty() {
        return true;
    }
    let f = filter.to_lowercase();
    hay.iter().any(|h| h.to_lowercase().contains(&f))
}

/// The rows of a list pane of one context's snapshot (context 0), filtered and sorted (worst
/// health first, then by name): made once per change of the data and per filter
/// ([`Snapshot::memo`]), shared by every frame until then.
pub fn entries(pane: Pane, snap: &Snapshot, filter: &str) -> Arc<Vec<Entry>> {
    part_entries(pane, snap, filter, 0, "")
}

/// [`entries`] of context `ctx` named `name`: the rows' targets carry `ctx`, and (a name given:
/// several contexts) a filter that matches the context's name, account or region keeps every
/// row of it.
fn part_entries(
    pane: Pane,
    snap: &Snapshot,
    filter: &str,
    ctx: usize,
    name: &str,
) -> Arc<Vec<Entry>> {
    let id = snap.identity.get();
    snap.memo(&entries_key(pane, snap, filter, ctx, name), || {
        // With several contexts (a name is given) a filter matching the context keeps all its
        // rows; with one it filters the rows only, as it always did.
        let whole = !filter.is_empty()
            && !name.is_empty()
            && matches(
                filter,
                &[
                    name,
                    id.map_or("", |i| i.account.as_str()),
                    id.map_or("", |i| i.region.as_str()),
                ],
            );
        let mut e = make_entries(pane, snap, if whole { "" } else { filter });
        for en in &mut e {
            en.target.ctx = ctx;
        }
        e
    })
}

/// The key of [`Snapshot::memo`] under which the rows of `pane` of context `ctx` named `name`
/// are kept. The identity is not among what starts a new generation of memos: its account
/// and region are in the key.
pub fn entries_key(pane: Pane, snap: &Snapshot, filter: &str, ctx: usize, name: &str) -> String {
    let id = snap.identity.get();
    format!(
        "entries {pane:?} {ctx} {name} {} {} {filter}",
        id.map_or("", |i| i.account.as_str()),
        id.map_or("", |i| i.region.as_str())
    )
}

/// The rows of a list pane over every context of `w` (or only context `only`, `:ctx NAME`),
/// filtered and sorted worst first then by name, each row's target naming its context. One
/// context: its memoized rows as they are; several: their rows merged (a row's id is
/// prefixed with its context index, so equal names in two contexts are two rows).
pub fn merged_entries(
    pane: Pane,
    w: &Merged,
    filter: &str,
    only: Option<usize>,
) -> Arc<Vec<Entry>> {
    if !w.is_several() {
        return part_entries(pane, w.snap(0), filter, 0, "");
    }
    w.memo(&format!("entries {pane:?} {only:?} {filter}"), || {
        merge(pane, w, filter, only)
    })
}

/// The id of context `ctx`'s row `id` in the rows of `w`: prefixed with the context index when
/// several contexts are watched (so equal names in two contexts are two rows), as it is
/// otherwise.
pub fn row_id(w: &Merged, ctx: usize, id: &str) -> String {
    if w.is_several() {
        format!("{ctx}:{id}")
    } else {
        id.to_string()
    }
}

/// Every context's rows of `pane` (or context `only`'s), merged worst first.
fn merge(pane: Pane, w: &Merged, filter: &str, only: Option<usize>) -> Vec<Entry> {
    let mut all: Vec<Entry> = Vec::new();
    for (i, p) in w.parts().iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        all.extend(
            part_entries(pane, &p.snap, filter, i, &p.name)
                .iter()
                .map(|e| Entry {
                    id: row_id(w, i, &e.id),
                    ..e.clone()
                }),
        );
    }
    // Stable: within a level, names in order and a name's contexts in the order given.
    all.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.name.cmp(&b.name)));
    all
}

/// The first `height` rows of a list of `len`, or the `height` ending at the selection `pos`
/// once it no longer fits from the top: the rows a table draws when given every row and a
/// fresh selection state (ratatui keeps the selection on the last line). A pane that builds
/// only these rows, selecting `pos - start`, draws the same frame at a cost independent of
/// `len`.
pub fn visible_rows(len: usize, pos: usize, height: usize) -> std::ops::Range<usize> {
    let height = height.max(1);
    let (top, end) = if pos < height {
        (0, height)
    } else {
        (pos + 1 - height, pos + 1)
    };
    top.min(len)..end.min(len)
}

fn make_entries(pane: Pane, snap: &Snapshot, filter: &str) -> Vec<Entry> {
    let Some(inv) = snap.inventory.get() else {
        return Vec::new();
    };
    let diagnosis = snap.diagnosis();
    let alarms = snap.alarms.get().map(Vec::as_slice).unwrap_or(&[]);
    let mut out: Vec<Entry> = Vec::new();
    match pane {
        Pane::Pipelines => {
            for (i, link) in inv.pipelines.iter().enumerate() {
                let rule = link.rule.and_then(|r| inv.inv.rules.get(r));
                let rk = rule.map(|r| r.key());
                let name = format!(
                    "{} {}",
                    rk.as_ref().map(|k| k.to_string()).unwrap_or_default(),
                    link.stream_name
                );
                if !matches(filter, &[&name]) {
                    continue;
                }
                let level = diagnosis.pipeline_level(i);
                out.push(Entry {
                    id: format!("{name}#{i}"),
                    level,
                    target: Focus {
                        rule: rk,
                        // Another account's stream is not the one of that name here.
                        stream: link.foreign.is_none().then(|| link.stream_name.clone()),
                        unread: None,
                        ctx: 0,
                    },
                    index: i,
                    error: None,
                    name,
                });
            }
        }
        Pane::Streams => {
            for (i, s) in inv.inv.streams.iter().enumerate() {
                let bucket = s.bucket().map(|d| d.bucket_arn.as_str()).unwrap_or("");
                if !matches(filter, &[&s.name, &s.status, bucket]) {
                    continue;
                }
                out.push(Entry {
                    id: s.name.clone(),
                    level: diagnosis.stream_level(&s.name),
                    target: Focus {
                        rule: None,
                        stream: Some(s.name.clone()),
                        unread: None,
                        ctx: 0,
                    },
                    index: i,
                    error: None,
                    name: s.name.clone(),
                });
            }
        }
        Pane::Rules => {
            for (i, r) in inv.inv.rules.iter().enumerate() {
                let key = r.key().to_string();
                if !matches(filter, &[&key, r.state.as_str()]) {
                    continue;
                }
                let stream = r
                    .targets
                    .iter()
                    .find_map(|t| r.local_stream(t))
                    .map(str::to_string);
                out.push(Entry {
                    id: key.clone(),
                    level: diagnosis.rule_level(&r.key()),
                    target: Focus {
                        rule: Some(r.key()),
                        stream,
                        unread: None,
                        ctx: 0,
                    },
                    index: i,
                    error: None,
                    name: key,
                });
            }
        }
        Pane::Alarms => {
            for (i, a) in alarms.iter().enumerate() {
                if !matches(filter, &[&a.name, a.state.as_str()]) {
                    continue;
                }
                let level = match a.state {
                    AlarmState::Alarm => Level::Fail,
                    AlarmState::InsufficientData => Level::Warn,
                    AlarmState::Ok => Level::Ok,
                };
                let rule = a.rule().map(|n| RuleKey {
                    bus: a.bus().to_string(),
                    name: n.to_string(),
                });
                out.push(Entry {
                    id: a.name.clone(),
                    level,
                    target: Focus {
                        rule,
                        stream: a.stream().map(str::to_string),
                        unread: None,
                        ctx: 0,
                    },
                    index: i,
                    error: None,
                    name: a.name.clone(),
                });
            }
        }
        Pane::Logs | Pane::AppLog | Pane::Cost => {}
    }
    // Streams and rules that could not be described are rows too, so nothing silently vanishes.
    for (i, err) in inv.inv.errors.iter().enumerate() {
        let wanted = match pane {
            // A bus or listing that could not be read hides pipelines too (a ListMetrics that
            // failed hides nothing: it is in the header's OFF list when denied).
            Pane::Pipelines => err.hides_streams() || err.hides_rules(),
            Pane::Streams => err.hides_streams(),
            // A rule whose targets are being read has its own row, which says so.
            Pane::Rules => err.hides_rules() && !(err.loading && err.kind == "rule"),
            _ => false,
        };
        if !wanted || !matches(filter, &[&err.name]) {
            continue;
        }
        let stream = (err.kind == "stream").then(|| err.name.clone());
        out.push(Entry {
            id: format!("error:{}:{}", err.kind, err.name),
            level: if err.is_one_resource() {
                Level::Fail
            } else {
                Level::Unknown
            },
            target: Focus {
                rule: None,
                stream,
                unread: Some((err.kind, err.name.clone())),
                ctx: 0,
            },
            index: usize::MAX,
            error: Some(i),
            name: err.name.clone(),
        });
    }
    out.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.name.cmp(&b.name)));
    // Kept until the data changes (one per pane shown): no room for more.
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::visible_rows;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Constraint;
    use ratatui::widgets::{Block, Borders, Row, Table, TableState};

    fn draw(rows: Vec<Row<'static>>, selected: usize, height: u16) -> ratatui::buffer::Buffer {
        let mut term =
            Terminal::new(TestBackend::new(20, height)).unwrap_or_else(|e| panic!("{e}"));
        term.draw(|f| {
            let t = Table::new(rows, [Constraint::Min(1)])
                .header(Row::new(["NAME"]))
                .block(Block::default().borders(Borders::ALL))
                .row_highlight_style(ratatui::style::Style::new().reversed());
            let mut st = TableState::default().with_selected(Some(selected));
            f.render_stateful_widget(t, f.area(), &mut st);
        })
        .unwrap_or_else(|e| panic!("{e}"));
        term.backend().buffer().clone()
    }

    /// What the list panes rely on to build only the rows on screen: a table given the
    /// visible rows (for any height at least the area's) draws exactly what it draws given
    /// every row.
    #[test]
    fn the_visible_rows_draw_the_same_frame_as_every_row() {
        let row = |i: usize| Row::new([format!("row {i}")]);
        for len in [1usize, 5, 12, 40] {
            for height in [6u16, 10, 17] {
                for pos in [0, len / 2, len.saturating_sub(1)] {
                    let all = draw((0..len).map(row).collect(), pos, height);
                    for over in [0usize, 3] {
                        let vis = visible_rows(len, pos, usize::from(height) + over);
                        let some = draw(vis.clone().map(row).collect(), pos - vis.start, height);
                        assert_eq!(all, some, "len {len} pos {pos} height {height} +{over}");
                    }
                }
            }
        }
    }
}
