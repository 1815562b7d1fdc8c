//! The header line: the account and region of each context, the sections' ages, the walk's
//! and the metrics' progress, the API rate, what fhtop's role lacks, and the badges.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::fresh::store::Merged;
use crate::ui::chrome::Ctx;
use crate::ui::fmt;
use crate::ui::view::View;

/// The header with several contexts: per context its name (a production context's in the
/// production colours, marked ⚑), then its state — connecting, STALE / OFF with what, or
/// the age of its oldest data — then the API call rate over all, the `:ctx` focus and
/// READ-ONLY; shorter forms until it fits next to the clock.
pub(crate) fn render_header_many(f: &mut Frame, area: Rect, w: &Merged, view: &View, ctx: &Ctx) {
    let t = ctx.theme;
    let base = t.header();
    let clock = ctx.now.format(" %H:%M:%S UTC ").to_string();
    let width = area.width as usize;
    let mut spans = Vec::new();
    for compact in 0..3u8 {
        spans = vec![Span::styled(
            " fhtop ",
            base.add_modifier(ratatui::style::Modifier::BOLD),
        )];
        for (i, p) in w.parts().iter().enumerate() {
            let snap = &p.snap;
            let dim = view.only.is_some_and(|o| o != i);
            spans.push(Span::styled(" ", base));
            let name = crate::ui::safe_fit(&p.name, if compact == 2 { 12 } else { 24 });
            let prod = view.production(p);
            spans.push(Span::styled(
                if prod { format!("⚑{name}") } else { name },
                if prod {
                    t.production()
                } else if dim {
                    base
                } else {
                    base.add_modifier(ratatui::style::Modifier::BOLD)
                },
            ));
            if p.read_only && !view.read_only {
                // Changes refused in this context only.
                spans.push(Span::styled(" ", base));
                spans.push(Span::styled("RO", t.badge()));
            }
            spans.push(Span::styled(" ", base));
            let off = snap.features_off();
            let stale = snap.stale_sections();
            let bad = t
                .stale()
                .patch(base.remove_modifier(ratatui::style::Modifier::BOLD));
            if let Some((section, e)) = stale.first() {
                let text = match compact {
                    0 => format!(" STALE {section}: {} ", crate::ui::safe_fit(&e.message, 24)),
                    1 => format!(" STALE {section} "),
                    _ => " STALE ".to_string(),
                };
                spans.push(Span::styled(text, bad));
            } else if let Some((perm, _)) = off.first() {
                let text = if compact == 0 {
                    format!(" OFF: add {perm} ")
                } else {
                    " OFF ".to_string()
                };
                spans.push(Span::styled(text, bad));
            } else if let Some(oldest) = snap.oldest_fetch() {
                let mut age = fmt::age(ctx.now, oldest);
                if snap.inventory.cached {
                    age.push_str(" cached");
                }
                spans.push(Span::styled(
                    if compact == 0 {
                        format!("age {age}")
                    } else {
                        age
                    },
                    base,
                ));
                // The progressive walk of this context, while it reads.
                if let Some(inv) = snap.inventory.get().filter(|_| compact < 2) {
                    let ((s, st), (r, rt)) = inv.inv.reading();
                    if s + r > 0 {
                        spans.push(Span::styled(
                            format!(" described {}/{}", (st + rt).saturating_sub(s + r), st + rt),
                            base,
                        ));
                    }
                }
            } else {
                spans.push(Span::styled("connecting…", base));
            }
            spans.push(Span::styled(" ·", base));
        }
        spans.pop();
        let per_min: u64 = w
            .parts()
            .iter()
            .filter_map(|p| p.snap.api.get())
            .map(|api| api.ops.iter().map(|o| o.1).sum::<u64>())
            .sum();
        if w.parts().iter().any(|p| p.snap.api.get().is_some()) {
            spans.push(Span::styled(format!("  API {per_min}/min"), base));
        }
        if let Some(o) = view.only {
            spans.push(Span::styled(
                format!("  [:ctx {}]", crate::ui::safe_fit(&w.part(o).name, 24)),
                t.badge(),
            ));
        }
        if view.read_only {
            spans.push(Span::styled("  ", base));
            spans.push(Span::styled(" READ-ONLY ", t.badge()));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if used + clock.len() <= width {
            break;
        }
    }
    clock_right(f, area, spans, clock, base);
}

/// Draws the header row: `spans`, then `clock` against the right edge.
fn clock_right(
    f: &mut Frame,
    area: Rect,
    mut spans: Vec<Span>,
    clock: String,
    base: ratatui::style::Style,
) {
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::styled(
        " ".repeat(usize::from(area.width).saturating_sub(used + clock.len())),
        base,
    ));
    spans.push(Span::styled(clock, base));
    f.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

pub(crate) fn render_header(
    f: &mut Frame,
    area: Rect,
    part: &crate::fresh::store::Part,
    view: &View,
    ctx: &Ctx,
) {
    let snap = &part.snap;
    let base = ctx.theme.header();
    let clock = ctx.now.format(" %H:%M:%S UTC ").to_string();
    let width = area.width as usize;
    // Shorter forms until it fits next to the clock: full, short ages, no profile.
    let mut spans = Vec::new();
    for compact in 0..3 {
        spans = header_spans(part, view, ctx, compact);
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if used + clock.len() <= width {
            break;
        }
    }
    // The caller ARN goes after the account when the row has room for it.
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if let Some(arn) = snap.identity.get().and_then(|i| i.caller_arn.as_deref()) {
        let arn = crate::ui::safe_fit(arn, 60);
        if width.saturating_sub(used + clock.len()) > arn.chars().count() + 6 {
            let at = spans.len().min(ARN_SLOT);
            spans.insert(at, Span::styled(format!(" · {arn}"), base));
        }
    }
    clock_right(f, area, spans, clock, base);
}

/// Where the caller ARN is inserted: after the nine identity spans (name, badge, gap, account
/// label and value, separator, region, profile label and value).
const ARN_SLOT: usize = 9;

fn header_spans<'a>(
    part: &'a crate::fresh::store::Part,
    view: &View,
    ctx: &Ctx,
    compact: u8,
) -> Vec<Span<'a>> {
    let snap = &part.snap;
    let t = ctx.theme;
    let base = t.header();
    let mut spans = vec![Span::styled(
        " fhtop ",
        base.add_modifier(ratatui::style::Modifier::BOLD),
    )];
    match snap.identity.get() {
        Some(id) => {
            spans.push(Span::styled(if id.demo { " DEMO " } else { "" }, t.badge()));
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                if compact < 2 { "account " } else { "" },
                base,
            ));
            spans.push(crate::ui::safe(&id.account, base));
            spans.push(Span::styled(" · ", base));
            spans.push(crate::ui::safe(&id.region, base));
            if let (Some(p), true) = (&id.profile, compact < 2) {
                spans.push(Span::styled(" · profile ", base));
                spans.push(crate::ui::safe(p, base));
            } else {
                spans.push(Span::styled("", base));
                spans.push(Span::styled("", base));
            }
        }
        None => spans.push(Span::styled("connecting…", base)),
    }
    spans.push(Span::styled("  ", base));
    if snap.oldest_fetch().is_none() {
        spans.push(Span::styled("waiting for first poll", base));
    } else {
        let ages: Vec<String> = [
            ("metrics", snap.metrics.fetched_at),
            ("alarms", snap.alarms.fetched_at),
            ("inventory", snap.inventory.fetched_at),
        ]
        .into_iter()
        .map(|(n, t0)| {
            let mut age = t0.map_or("–".into(), |t0| fmt::age(ctx.now, t0));
            // A warm start's inventory is marked until the fresh walk replaces it.
            if n == "inventory" && snap.inventory.cached {
                age.push_str(" cached");
            }
            if compact == 0 {
                format!("{n} {age}")
            } else {
                age
            }
        })
        .collect();
        spans.push(Span::styled(
            if compact == 0 {
                format!("age: {}", ages.join(" · "))
            } else {
                format!("age m/a/i {}", ages.join("/"))
            },
            base,
        ));
    }
    // The progressive walk: how much of the inventory is still being read.
    if let Some(inv) = snap.inventory.get() {
        let ((s, st), (r, rt)) = inv.inv.reading();
        if s + r > 0 {
            let rules = match inv.inv.rules_listing() {
                true => "rules being listed".to_string(),
                false => format!("{}/{rt} rules", rt.saturating_sub(r)),
            };
            let text = match compact {
                0 => format!(
                    "  described {}/{st} streams · {rules}",
                    st.saturating_sub(s)
                ),
                _ => format!("  described {}/{st}", st.saturating_sub(s)),
            };
            spans.push(Span::styled(text, base));
        }
        // Rows still without their triage metrics (health needs them; the walk's ListMetrics
        // lets rows not described yet have them too).
        let (with, of) = snap.triage_fetched();
        if with < of {
            spans.push(Span::styled(
                if compact == 0 {
                    format!("  triage metrics {with}/{of} rows")
                } else {
                    format!("  triage {with}/{of}")
                },
                base,
            ));
        }
        // A large account's short first window, while its history loads.
        if let (Some(h), Some(m)) = (snap.history, snap.metrics.get()) {
            let short = crate::model::window_label(m.window.minutes());
            let whole = crate::model::window_label(h.minutes);
            let (done, of) = (fmt::count(h.done as f64), fmt::count(h.of as f64));
            spans.push(Span::styled(
                if compact == 0 {
                    format!("  metrics: last {short}, {whole} history {done}/{of}")
                } else {
                    format!("  {short}; {whole} {done}/{of}")
                },
                base,
            ));
        }
    }
    let off = snap.features_off();
    // On a narrow screen a missing permission matters more than the call rate.
    if let Some(api) = snap.api.get().filter(|_| compact < 2 || off.is_empty()) {
        let per_min: u64 = api.ops.iter().map(|o| o.1).sum();
        spans.push(Span::styled(format!("  API {per_min}/min"), base));
    }
    if let Some((perm, feature)) = off.first() {
        // A permission fhtop's role lacks: which feature is off and what turns it on.
        spans.push(Span::styled("  ", base));
        let more = if off.len() > 1 {
            format!(" +{} more (API cost pane)", off.len() - 1)
        } else {
            String::new()
        };
        let text = if compact == 0 {
            format!(" OFF {}: add {perm}{more} ", crate::text::fit(feature, 40))
        } else {
            format!(" OFF: add {perm} ")
        };
        spans.push(Span::styled(
            text,
            t.stale()
                .patch(base.remove_modifier(ratatui::style::Modifier::BOLD)),
        ));
    } else if let Some((name, e)) = snap.stale_sections().first() {
        spans.push(Span::styled("  ", base));
        spans.push(Span::styled(
            format!(" STALE {name}: {} ", crate::ui::safe_fit(&e.message, 40)),
            t.stale()
                .patch(base.remove_modifier(ratatui::style::Modifier::BOLD)),
        ));
    }
    if view.production(part) {
        spans.push(Span::styled("  ", base));
        spans.push(Span::styled(" PRODUCTION ", t.production()));
    }
    if view.read_only {
        spans.push(Span::styled("  ", base));
        spans.push(Span::styled(" READ-ONLY ", t.badge()));
    }
    spans
}
