//! Enter on a rule: its pattern pretty-printed or schedule, its targets with their roles, DLQs
//! and stream health, its metrics.

use super::*;

/// Draws the drill-in of the rule `key` (a notice when it is no longer in the inventory).
pub fn rule(f: &mut Frame, area: Rect, snap: &Snapshot, view: &View, key: &RuleKey, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(inv) = snap.inventory.get() else {
        return;
    };
    let Some(r) = inv.inv.rule(key) else {
        not_found(f, area, ctx, "Rule", &key.to_string());
        return;
    };
    let target = Focus {
        rule: Some(r.key()),
        stream: None,
        unread: None,
        ctx: view.ctx,
    };
    let level = target_findings(snap, &target)
        .map(|h| h.level)
        .unwrap_or(crate::judge::health::Level::Unknown);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);

    let state_style = if r.state.is_enabled() {
        t.ok()
    } else {
        t.disabled()
    };
    let mut lines = vec![
        kv(ctx, "Bus", &r.bus),
        kv(ctx, "ARN", &r.arn),
        Line::from(vec![
            Span::styled(format!("{:<15}", "State"), t.dim()),
            Span::styled(r.state.as_str().to_string(), state_style),
        ]),
    ];
    if let Some(d) = &r.description {
        lines.push(kv(ctx, "Description", d));
    }
    if let Some(m) = &r.managed_by {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<15}", "Managed by"), t.dim()),
            Span::styled(
                format!(
                    "{} (fhtop will not change it)",
                    crate::text::sanitize::clean(m)
                ),
                t.warn(),
            ),
        ]));
    }
    if let Some(role) = &r.role_arn {
        lines.push(kv(ctx, "Role", role));
    }
    match (&r.schedule, &r.event_pattern) {
        (Some(s), _) => lines.push(kv(ctx, "Schedule", s)),
        (None, Some(p)) => {
            lines.push(Line::from(Span::styled("Event pattern:", t.title())));
            let pretty = serde_json::from_str::<serde_json::Value>(p)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| format!("(not valid JSON) {p}"));
            for l in crate::text::sanitize::clean_lines(&pretty) {
                lines.push(Line::from(Span::styled(format!("  {l}"), t.info())));
            }
        }
        (None, None) => lines.push(kv(ctx, "Pattern", "none")),
    }
    lines.push(Line::default());
    lines.extend(findings_and_alarms(
        ctx,
        snap,
        &target,
        |a| a.is_for_rule(key),
        loss_lines(ctx, snap, Some(r), None),
    ));
    if let Some(inputs) = snap.health_inputs() {
        let (minutes, covers) = crate::ui::view::timeline_window(snap, view);
        let since = ctx.now - chrono::Duration::minutes(i64::from(minutes));
        let history = snap.alarm_history.get().map(Vec::as_slice).unwrap_or(&[]);
        let events = crate::judge::health::timeline::rule(&inputs, r, history, since);
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("Since when · {covers}, newest first"),
            t.title(),
        )));
        lines.extend(timeline_lines(
            ctx,
            snap,
            &events,
            left.width.saturating_sub(2),
        ));
    }
    let block = ctx.block(
        title(
            ctx,
            format!("Rule {}", safe_fit_name(&key.to_string(), 50)),
            format!("{} {}", level.mark(), level.word()),
        ),
        true,
    );
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        left,
    );

    let tall = (r.targets.len() as u16 * 7 + 2)
        .max(7)
        .min(right.height / 2);
    let [targets_area, charts_area] =
        Layout::vertical([Constraint::Length(tall), Constraint::Min(6)]).areas(right);
    let mut lines = Vec::new();
    for tg in &r.targets {
        lines.push(Line::from(vec![
            Span::styled("● ", t.info()),
            safe_owned(&tg.id, t.title()),
        ]));
        lines.push(kv(ctx, "  ARN", &tg.arn));
        lines.push(kv(
            ctx,
            "  Role",
            tg.role_arn.as_deref().unwrap_or("– (none)"),
        ));
        lines.push(kv(
            ctx,
            "  DLQ",
            tg.dead_letter_arn
                .as_deref()
                .unwrap_or("– (none: events that fail for good are dropped)"),
        ));
        // What decides the outcome: what the target receives, and how long it is retried.
        lines.push(kv(ctx, "  Input", &tg.input_shape()));
        let (age, attempts) = tg.retry();
        let default = tg.max_event_age_seconds.is_none() && tg.max_retry_attempts.is_none();
        lines.push(kv(
            ctx,
            "  Retry",
            &format!(
                "{} or {attempts} attempts{}",
                crate::text::fmt_duration(age as f64),
                if default {
                    " (EventBridge's default)"
                } else {
                    ""
                }
            ),
        ));
        if let Some((account, region, sname)) = r.foreign_stream(tg) {
            lines.push(Line::from(vec![
                Span::styled(format!("{:<15}", "  Stream"), t.dim()),
                Span::styled(
                    format!(
                        "? {} is in account {}, region {}: not read from here",
                        crate::text::sanitize::clean(sname),
                        crate::text::sanitize::clean(account),
                        crate::text::sanitize::clean(region)
                    ),
                    t.level(crate::judge::health::Level::Unknown),
                ),
            ]));
        } else if let Some(sname) = r.local_stream(tg) {
            let st = inv.inv.stream(sname);
            let (txt, style) = match st {
                Some(s) => {
                    let h = snap.diagnosis().stream(&s.name);
                    (
                        format!("{} {} · {}", h.level.mark(), h.level.word(), s.status),
                        t.level(h.level),
                    )
                }
                None => match inv.inv.unread_stream(sname) {
                    Some(e) => (
                        format!(
                            "? stream not read: {}",
                            crate::text::sanitize::clean(&e.explained())
                        ),
                        t.level(crate::judge::health::Level::Unknown),
                    ),
                    None => (
                        "✖ stream not found in this account/region".to_string(),
                        t.fail(),
                    ),
                },
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<15}", "  Stream"), t.dim()),
                Span::styled(txt, style),
            ]));
        }
    }
    let block = ctx.block(
        title(ctx, format!("Targets ({})", r.targets.len()), String::new()),
        false,
    );
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        targets_area,
    );

    let block = ctx.block(
        title(
            ctx,
            "Metrics".into(),
            format!(
                "{} · missing EventBridge datapoints are 0",
                chart_note(view, charts_area.width.saturating_sub(2))
            ),
        ),
        false,
    );
    let inner = block.inner(charts_area);
    f.render_widget(block, charts_area);
    charts(
        f,
        inner,
        ctx,
        (snap, view),
        &Scope::Rule(r.key()),
        &MetricId::for_rule(r),
    );
}
