//! Enter on a stream: its configuration (destination, source, processors, buffering,
//! encryption, partitioning, error output, logging), the metrics of its shape as charts, its
//! findings and alarms, and its delivery errors grouped by code.

use super::*;

/// Draws the drill-in of the stream `name` (a notice when it is no longer in the inventory).
pub fn stream(f: &mut Frame, area: Rect, snap: &Snapshot, view: &View, name: &str, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(inv) = snap.inventory.get() else {
        return;
    };
    let Some(s) = inv.inv.stream(name) else {
        not_found(f, area, ctx, "Stream", name);
        return;
    };
    let target = Focus {
        rule: None,
        stream: Some(s.name.clone()),
        unread: None,
        ctx: view.ctx,
    };
    let level = target_findings(snap, &target)
        .map(|h| h.level)
        .unwrap_or(crate::judge::health::Level::Unknown);
    let [top, bottom] = Layout::vertical([Constraint::Min(10), Constraint::Length(12)]).areas(area);
    let [cfg_area, chart_area] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(top);

    // Configuration.
    let mut lines = vec![
        kv(
            ctx,
            "Status",
            &format!("{} · source {}", s.status, s.source),
        ),
        kv(ctx, "ARN", &s.arn),
    ];
    if let Some(c) = s.created {
        lines.push(kv(
            ctx,
            "Created",
            &c.format("%Y-%m-%d %H:%M UTC").to_string(),
        ));
    }
    if let Some(fl) = &s.failure {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<15}", "Failure"), t.fail()),
            safe_owned(fl, t.fail()),
        ]));
    }
    match &s.destination {
        Destination::S3(d) => {
            lines.push(kv(
                ctx,
                "Destination",
                &format!("s3://{}", bucket_from_arn(&d.bucket_arn)),
            ));
            lines.push(kv(ctx, "Prefix", d.prefix.as_deref().unwrap_or("–")));
            lines.push(kv(
                ctx,
                "Error prefix",
                d.error_output_prefix.as_deref().unwrap_or("–"),
            ));
            lines.push(kv(ctx, "Delivery role", &d.role_arn));
            lines.push(kv(
                ctx,
                "Buffering",
                &format!(
                    "{} MiB or {} s · compression {}",
                    d.buffering_mb, d.buffering_seconds, d.compression
                ),
            ));
            lines.push(kv(
                ctx,
                "Encryption",
                &match (&s.encryption, &d.kms_key_arn) {
                    (Some(e), Some(k)) => format!("{e} · S3 KMS {k}"),
                    (Some(e), None) => e.clone(),
                    (None, Some(k)) => format!("S3 KMS {k}"),
                    (None, None) => "none".into(),
                },
            ));
            match &d.dynamic_partitioning {
                Some(p) if p.enabled => {
                    lines.push(kv(
                        ctx,
                        "Dyn. partition",
                        &format!("enabled · retry {} s", p.retry_seconds.unwrap_or(300)),
                    ));
                    if let Some(q) = &p.jq_query {
                        lines.push(kv(ctx, "  JQ query", q));
                    }
                }
                _ => lines.push(kv(ctx, "Dyn. partition", "disabled")),
            }
            lines.push(kv(
                ctx,
                "Error log",
                &match (&d.log_group, &d.log_stream) {
                    (Some(g), Some(st)) => format!("{g} / {st}"),
                    (Some(g), None) => g.clone(),
                    _ => "logging disabled".into(),
                },
            ));
        }
        Destination::Service(d) => {
            lines.push(kv(
                ctx,
                "Destination",
                &format!(
                    "{} {}",
                    d.kind.label(),
                    d.endpoint_name.as_deref().unwrap_or("")
                ),
            ));
            lines.push(kv(ctx, "Endpoint", &d.endpoint));
            lines.push(kv(
                ctx,
                "Delivery role",
                d.role_arn.as_deref().unwrap_or("– (none)"),
            ));
            if let Some(b) = d.buffering_seconds {
                lines.push(kv(ctx, "Buffering", &format!("{b} s")));
            }
            lines.push(kv(
                ctx,
                "S3 backup",
                &match &d.backup {
                    Some(b) => format!(
                        "s3://{}/{} · {}",
                        bucket_from_arn(&b.bucket_arn),
                        b.prefix.as_deref().unwrap_or(""),
                        d.backup_mode.as_deref().unwrap_or("mode not reported")
                    ),
                    None => "none".into(),
                },
            ));
            lines.push(kv(
                ctx,
                "Error log",
                &match (s.log_group(), &d.log_stream) {
                    (Some(g), Some(st)) => format!("{g} / {st}"),
                    (Some(g), None) => g.to_string(),
                    _ => "logging disabled".into(),
                },
            ));
        }
        Destination::Unknown(o) => lines.push(kv(
            ctx,
            "Destination",
            &format!("{o} — not evaluated by fhtop"),
        )),
    }
    for p in &s.processors {
        lines.push(kv(
            ctx,
            "Processor",
            &match &p.lambda_arn {
                Some(a) => format!("{} {a}", p.kind),
                None => p.kind.clone(),
            },
        ));
    }
    if s.format_conversion {
        lines.push(kv(ctx, "Conversion", "record format conversion on"));
    }
    let rules = inv.inv.rules_feeding(&s.name);
    lines.push(Line::from(Span::styled(
        format!("Fed by {} rule(s):", rules.len()),
        t.title(),
    )));
    if rules.is_empty() {
        // "None" is only known once every rule's targets are read, on every bus.
        let none = if inv.inv.active_rules_unread() > 0 {
            "  not known yet: the rules' targets are still being read".to_string()
        } else if !inv.inv.unread_buses().is_empty() {
            format!(
                "  none read; the rules of {} could not be read",
                inv.inv.unread_buses().join(", ")
            )
        } else if inv.inv.reading().1.0 > 0 {
            format!(
                "  none active; {} idle rules (no MatchedEvents in 3 h) not read yet may target it",
                inv.inv.reading().1.0
            )
        } else {
            "  none (direct PUT or another producer)".to_string()
        };
        lines.push(Line::from(safe_owned(&none, t.dim())));
    }
    for r in rules {
        let style = if r.state.is_enabled() {
            t.ok()
        } else {
            t.disabled()
        };
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{:<9}", r.state.as_str()), style),
            Span::styled(
                safe_fit_name(&format!("{}/{}", r.bus, r.name), 60),
                t.text(),
            ),
        ]));
    }
    let block = ctx.block(
        title(
            ctx,
            format!("Stream {}", safe_fit_name(&s.name, 50)),
            format!("{} {}", level.mark(), level.word()),
        ),
        true,
    );
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        cfg_area,
    );

    // Charts.
    let mut ids = match &s.source {
        crate::model::Source::KinesisStream { .. } => vec![
            MetricId::KinesisReadRecords,
            MetricId::KinesisReadBytes,
            MetricId::KinesisMillisBehindLatest,
        ],
        crate::model::Source::Msk { .. } => {
            vec![MetricId::SourceReadRecords, MetricId::KafkaOffsetLag]
        }
        _ => vec![MetricId::IncomingRecords, MetricId::IncomingBytes],
    };
    if let Some(k) = s.destination_kind() {
        ids.extend([
            MetricId::DeliveryRecords(k),
            MetricId::DeliverySuccess(k),
            MetricId::DataFreshness(k),
        ]);
        if k != crate::model::DestinationKind::S3 && s.bucket().is_some() {
            // The backup of a service destination: failed records (or all), not delivery.
            ids.push(MetricId::DeliveryRecords(crate::model::DestinationKind::S3));
        }
    }
    if !s.lambda_arns().is_empty() {
        ids.push(MetricId::ExecuteProcessingSuccess);
    }
    ids.push(MetricId::ThrottledRecords);
    if s.dynamic_partitioning_enabled() {
        ids.extend([
            MetricId::PartitionCount,
            MetricId::ActivePartitionsLimit,
            MetricId::JqDuration,
        ]);
    }
    let block = ctx.block(
        title(
            ctx,
            "Metrics".into(),
            format!(
                "{} · blank = no datapoint",
                chart_note(view, chart_area.width.saturating_sub(2))
            ),
        ),
        false,
    );
    let inner = block.inner(chart_area);
    f.render_widget(block, chart_area);
    let scope = Scope::Stream(s.name.clone());
    charts(f, inner, ctx, (snap, view), &scope, &ids);

    // Findings, alarms, errors by code.
    let [why_area, err_area] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(bottom);
    let mut coverage = match (snap.inventory.get(), snap.alarms.get()) {
        (Some(inv), Some(alarms)) => {
            coverage_lines(ctx, &inv.inv, alarms, s, why_area.width.saturating_sub(2))
        }
        _ => Vec::new(),
    };
    coverage.extend(loss_lines(ctx, snap, None, Some(s)));
    let why = findings_and_alarms(ctx, snap, &target, |a| a.is_for_stream(&s.name), coverage);
    let block = ctx.block(title(ctx, "Findings & alarms".into(), String::new()), false);
    f.render_widget(
        Paragraph::new(why).block(block).wrap(Wrap { trim: false }),
        why_area,
    );

    let groups = target.log_groups(snap);
    let events = crate::ui::panes::logs::merged(snap, &groups);
    let grouped = group_errors(events.iter().copied());
    let mut lines = Vec::new();
    if grouped.is_empty() {
        lines.push(Line::from(Span::styled(
            if groups.is_empty() {
                "no evidence: error logging is off for this stream (c: the checks give the command that turns it on)"
            } else {
                "no delivery errors in the last 15 minutes"
            },
            t.dim(),
        )));
    }
    for (code, n, at, msg) in &grouped {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>6}× ", n), t.fail()),
            Span::styled(safe_fit(code, 48), t.fail()),
            Span::styled(format!("  newest {} ago", fmt::age(ctx.now, *at)), t.dim()),
        ]));
        lines.push(Line::from(vec![
            Span::raw("        "),
            safe_owned(msg, t.text()),
        ]));
    }
    let block = ctx.block(
        title(
            ctx,
            "Delivery errors by code".into(),
            format!("{} events", events.len()),
        ),
        false,
    );
    // Since when: the timeline under the errors.
    let (minutes, covers) = crate::ui::view::timeline_window(snap, view);
    let timeline = snap
        .health_inputs()
        .map(|inputs| {
            let since = ctx.now - chrono::Duration::minutes(i64::from(minutes));
            let history = snap.alarm_history.get().map(Vec::as_slice).unwrap_or(&[]);
            crate::judge::health::timeline::stream(&inputs, s, history, since)
        })
        .unwrap_or_default();
    let tl = timeline_lines(ctx, snap, &timeline, err_area.width.saturating_sub(2));
    // The timeline gets what it needs; the errors keep at least 4 rows.
    let tl_h = u16::try_from(tl.len() + 2)
        .unwrap_or(u16::MAX)
        .min(err_area.height.saturating_sub(4).max(err_area.height / 2));
    let [err_area, tl_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(tl_h)]).areas(err_area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        err_area,
    );
    let block = ctx.block(
        title(ctx, "Since when".into(), format!("{covers}, newest first")),
        false,
    );
    f.render_widget(Paragraph::new(tl).block(block), tl_area);
}

/// The stream's alarm coverage ([`crate::judge::health::coverage`]), wrapped to `width`
/// columns: how many of the expected alarms exist, and which metrics have none (`fhtop
/// check`'s `alarm-coverage` gives the commands that create them). Empty when the destination
/// kind is not known (its delivery alarms cannot be named).
fn coverage_lines(
    ctx: &Ctx,
    inv: &crate::model::Inventory,
    alarms: &[crate::model::Alarm],
    s: &crate::model::Stream,
    width: u16,
) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let cov = crate::judge::health::coverage::coverage(inv, alarms, s);
    // Without a destination kind the delivery alarms cannot be named: nothing to count.
    if cov.is_empty() || s.destination_kind().is_none() {
        return Vec::new();
    }
    let missing: Vec<String> = cov
        .iter()
        .filter(|c| c.alarms.is_empty())
        .map(|c| c.expected.label())
        .collect();
    let count = format!("{}/{}", cov.len() - missing.len(), cov.len());
    let mut spans = vec![Span::styled("Alarm coverage ", t.title())];
    if missing.is_empty() {
        spans.push(Span::styled(count, t.ok()));
    } else {
        spans.push(Span::styled(format!("{count} · "), t.warn()));
        // Every metric without an alarm, wrapped under the list: none is cut off.
        return crate::ui::chrome::hanging(
            spans,
            &format!("no alarm on {}", missing.join(", ")),
            t.warn(),
            width,
        );
    }
    vec![Line::from(spans)]
}
