//! Drill-ins: everything about one stream or one rule on one screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Wrap};

use super::alarms::state_span;
use super::context::target_findings;
use crate::model::{Destination, MetricId, Metrics, RuleKey, Scope, bucket_from_arn, group_errors};
use crate::store::Snapshot;
use crate::ui::chrome::{Ctx, title};
use crate::ui::fmt;
use crate::ui::view::Target;
use crate::ui::{safe_fit, safe_owned};

fn kv<'a>(ctx: &Ctx, k: &'a str, v: &str) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<15}"), ctx.theme.dim()),
        safe_owned(v, ctx.theme.text()),
    ])
}

/// Value formatting per metric kind.
fn show(m: MetricId, v: Option<f64>) -> String {
    use crate::model::Unit;
    match m.unit() {
        Unit::Ratio => fmt::ratio_pct(v),
        Unit::Seconds => fmt::secs(v),
        Unit::Bytes => v.map_or("–".into(), fmt::bytes),
        Unit::Milliseconds => v.map_or("–".into(), |x| format!("{x:.0} ms")),
        Unit::Count | Unit::PerSecond => fmt::opt_count(v),
    }
}

/// One chart per metric: a label line (name, newest, max), then a sparkline as tall as the
/// room allows, newest on the right. Zero is the lowest bar; a gap (no datapoint) is blank.
fn charts(
    f: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    m: Option<&Metrics>,
    scope: &Scope,
    ids: &[MetricId],
) {
    let t = ctx.theme;
    let Some(m) = m else {
        f.render_widget(Paragraph::new("waiting for metrics…").style(t.dim()), area);
        return;
    };
    if ids.is_empty() || area.height == 0 {
        return;
    }
    let per = (area.height / ids.len() as u16).max(1);
    let rows = Layout::vertical(ids.iter().map(|_| Constraint::Length(per))).split(area);
    for (&id, &r) in ids.iter().zip(rows.iter()) {
        if r.height == 0 {
            continue;
        }
        let series = m.series(scope, id).unwrap_or(&[]);
        let max = series
            .iter()
            .filter_map(|v| *v)
            .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))));
        let last = m.latest(scope, id);
        let label = Line::from(vec![
            Span::styled(format!("{:<27} ", id.name()), t.title()),
            Span::styled(
                format!("newest {:>9}   max {:>9}", show(id, last), show(id, max)),
                t.text(),
            ),
        ]);
        let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(r);
        f.render_widget(Paragraph::new(label), head);
        if body.height == 0 {
            continue;
        }
        let w = body.width as usize;
        let tail = &series[series.len().saturating_sub(w)..];
        let top = max.unwrap_or(0.0);
        let eighth = 1000u64.div_ceil(8 * u64::from(body.height));
        let bars: Vec<Option<u64>> = tail
            .iter()
            .map(|v| {
                v.map(|x| {
                    if x <= 0.0 || top <= 0.0 {
                        eighth
                    } else {
                        ((x / top * 1000.0) as u64).max(2 * eighth)
                    }
                })
            })
            .collect();
        let spark = Sparkline::default().data(bars).max(1000).style(t.spark());
        f.render_widget(spark, body);
    }
}

fn findings_and_alarms<'a>(
    ctx: &Ctx,
    snap: &Snapshot,
    target: &Target,
    alarm_filter: impl Fn(&crate::model::Alarm) -> bool,
) -> Vec<Line<'a>> {
    let t = ctx.theme;
    let mut lines = Vec::new();
    if let Some(h) = target_findings(snap, target) {
        if h.findings.is_empty() {
            lines.push(Line::from(Span::styled("● healthy", t.ok())));
        }
        for fd in h.findings {
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", fd.level.mark()), t.level(fd.level)),
                Span::styled(
                    crate::sanitize::clean(&fd.text).into_owned(),
                    t.level(fd.level),
                ),
            ]));
        }
    }
    let alarms: Vec<_> = snap
        .alarms
        .get()
        .map(|a| a.iter().filter(|a| alarm_filter(a)).cloned().collect())
        .unwrap_or_default();
    if !alarms.is_empty() {
        lines.push(Line::from(Span::styled("Alarms:", t.title())));
        for a in alarms {
            lines.push(Line::from(vec![
                state_span(ctx, a.state),
                Span::raw(" "),
                Span::styled(safe_fit(&a.name, 40), t.text()),
                Span::styled(format!(" {}", fmt::age(ctx.now, a.state_updated)), t.dim()),
            ]));
        }
    }
    lines
}

/// The drill-in's subject is gone from the inventory (deleted while you looked).
fn not_found(f: &mut Frame, area: Rect, ctx: &Ctx, what: &str, name: &str) {
    let block = ctx.block(
        title(
            ctx,
            format!("{what} {}", safe_fit(name, 60)),
            "not found".into(),
        ),
        true,
    );
    f.render_widget(
        Paragraph::new(format!(
            "This {} is not in the inventory any more.",
            what.to_lowercase()
        ))
        .block(block),
        area,
    );
}

pub fn stream(f: &mut Frame, area: Rect, snap: &Snapshot, name: &str, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(inv) = snap.inventory.get() else {
        return;
    };
    let Some(s) = inv.inv.stream(name) else {
        not_found(f, area, ctx, "Stream", name);
        return;
    };
    let target = Target {
        rule: None,
        stream: Some(s.name.clone()),
    };
    let level = target_findings(snap, &target)
        .map(|h| h.level)
        .unwrap_or(crate::health::Level::Unknown);
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
        lines.push(Line::from(Span::styled(
            "  none (direct PUT or another producer)",
            t.dim(),
        )));
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
            Span::styled(safe_fit(&format!("{}/{}", r.bus, r.name), 60), t.text()),
        ]));
    }
    let block = ctx.block(
        title(
            ctx,
            format!("Stream {}", safe_fit(&s.name, 50)),
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
                "last {} min · 1 column = 1 min · blank = no datapoint",
                chart_area.width.saturating_sub(2)
            ),
        ),
        false,
    );
    let inner = block.inner(chart_area);
    f.render_widget(block, chart_area);
    let scope = Scope::Stream(s.name.clone());
    charts(f, inner, ctx, snap.metrics.get(), &scope, &ids);

    // Findings, alarms, errors by code.
    let [why_area, err_area] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(bottom);
    let why = findings_and_alarms(ctx, snap, &target, |a| a.is_for_stream(&s.name));
    let block = ctx.block(title(ctx, "Findings & alarms".into(), String::new()), false);
    f.render_widget(Paragraph::new(why).block(block), why_area);

    let groups = target.log_groups(snap);
    let events = super::logs::merged(snap, &groups);
    let grouped = group_errors(events.iter().copied());
    let mut lines = Vec::new();
    if grouped.is_empty() {
        lines.push(Line::from(Span::styled(
            if groups.is_empty() {
                "error logging is not enabled for this stream"
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
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        err_area,
    );
}

pub fn rule(f: &mut Frame, area: Rect, snap: &Snapshot, key: &RuleKey, ctx: &Ctx) {
    let t = ctx.theme;
    let Some(inv) = snap.inventory.get() else {
        return;
    };
    let Some(r) = inv.inv.rule(key) else {
        not_found(f, area, ctx, "Rule", &key.to_string());
        return;
    };
    let target = Target {
        rule: Some(r.key()),
        stream: None,
    };
    let level = target_findings(snap, &target)
        .map(|h| h.level)
        .unwrap_or(crate::health::Level::Unknown);
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
                format!("{} (fhtop will not change it)", crate::sanitize::clean(m)),
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
            for l in crate::sanitize::clean_lines(&pretty) {
                lines.push(Line::from(Span::styled(format!("  {l}"), t.info())));
            }
        }
        (None, None) => lines.push(kv(ctx, "Pattern", "none")),
    }
    lines.push(Line::default());
    lines.extend(findings_and_alarms(ctx, snap, &target, |a| {
        a.is_for_rule(key)
    }));
    let block = ctx.block(
        title(
            ctx,
            format!("Rule {}", safe_fit(&key.to_string(), 50)),
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

    let tall = (r.targets.len() as u16 * 5 + 2)
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
            tg.dead_letter_arn.as_deref().unwrap_or("– (none)"),
        ));
        if let Some(sname) = tg.firehose_stream_name() {
            let st = inv.inv.stream(sname);
            let (txt, style) = match st {
                Some(s) => {
                    let h = snap.diagnosis().stream(&s.name);
                    (
                        format!("{} {} · {}", h.level.mark(), h.level.word(), s.status),
                        t.level(h.level),
                    )
                }
                None => (
                    "✖ stream not found in this account/region".to_string(),
                    t.fail(),
                ),
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
            "1 char = 1 min · missing EventBridge datapoints are 0".into(),
        ),
        false,
    );
    let inner = block.inner(charts_area);
    f.render_widget(block, charts_area);
    charts(
        f,
        inner,
        ctx,
        snap.metrics.get(),
        &Scope::Rule(r.key()),
        &MetricId::RULE,
    );
}
