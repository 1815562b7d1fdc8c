//! What a simulation answers: a [`Report`] per request (engine, decision per action ×
//! resource, the deciding statements, fixes, notes), its [`Verdict`], and its lines for the
//! TUI overlay and the CLI.

use super::*;

/// One action on one resource in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The IAM action, e.g. "s3:PutObject".
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// [`Decision::word`]: "allowed", "implicitDeny", "explicitDeny" or "undetermined".
    pub decision: String,
    /// For `undetermined`: the condition key whose value decides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    /// The deciding statements as "policy (Sid ...)" strings; empty when none matched.
    pub matched: Vec<String>,
}

/// The answer to one [`SimRequest`]: a row per action × resource, fixes and notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What was asked, e.g. "Stream orders: delivery role".
    pub title: String,
    /// The role, user or policy simulated.
    pub principal: String,
    /// How it was decided: "iam:SimulatePrincipalPolicy", "local evaluator (...)", "none", ...
    pub engine: String,
    /// One row per action × resource, in request order.
    pub rows: Vec<Row>,
    /// Ready-to-paste fixes, one per denied resource group.
    pub fixes: Vec<String>,
    /// Extra remarks (trust policy, missing context, assumptions made).
    pub notes: Vec<String>,
    /// Why the simulation could not run or is incomplete (e.g. policies unreadable), when it could
    /// not.
    pub error: Option<String>,
}

/// Worst first: what a report means for a health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Every action is allowed on every resource.
    Allowed,
    /// Nothing denied, but some row depends on a condition key fhtop does not know.
    Undetermined,
    /// Nothing denied, but the simulation failed (see [`Report::error`]).
    Error,
    /// Some row is an implicit or explicit deny.
    Denied,
}

impl Report {
    /// What the report means: Denied when any row is denied, then Error, Undetermined, Allowed.
    pub fn verdict(&self) -> Verdict {
        if self.rows.iter().any(|r| r.decision.ends_with("Deny")) {
            Verdict::Denied
        } else if self.error.is_some() {
            Verdict::Error
        } else if self.rows.iter().any(|r| r.decision == "undetermined") {
            Verdict::Undetermined
        } else {
            Verdict::Allowed
        }
    }
    /// The actions of denied rows (adjacent duplicates removed).
    pub fn denied_actions(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| r.decision.ends_with("Deny"))
            .map(|r| r.action.as_str())
            .collect();
        v.dedup();
        v
    }
    /// One line: "allowed (8/8)", "DENIED: s3:PutObject", ...
    pub fn summary(&self) -> String {
        match self.verdict() {
            Verdict::Allowed => format!("allowed ({}/{})", self.rows.len(), self.rows.len()),
            Verdict::Denied => format!("DENIED: {}", self.denied_actions().join(", ")),
            Verdict::Undetermined => {
                let mut keys: Vec<&str> = Vec::new();
                for k in self.rows.iter().filter_map(|r| r.needs.as_deref()) {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                format!("undetermined: needs {}", keys.join(", "))
            }
            Verdict::Error => format!(
                "not simulated: {}",
                self.error.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

pub(super) fn row(action: &str, resource: &str, decision: &Decision, matched: &[Matched]) -> Row {
    Row {
        action: action.to_string(),
        resource: resource.to_string(),
        decision: decision.word().to_string(),
        needs: match decision {
            Decision::Undetermined(k) => Some(k.clone()),
            _ => None,
        },
        matched: matched
            .iter()
            .map(|m| match &m.sid {
                Some(s) => format!("{} (Sid {s})", m.policy),
                None => m.policy.clone(),
            })
            .collect(),
    }
}

pub(super) fn finish(
    mut report: Report,
    results: &[(SimResult, Option<String>)],
    fix_target: &str,
) -> Report {
    report.rows = results
        .iter()
        .map(|(r, _)| row(&r.action, &r.resource, &r.decision, &r.matched))
        .collect();
    report.fixes = fixes(results, fix_target);
    report
}

/// "3 simulations: 1 denied, 2 allowed".
pub fn tally(reports: &[Report]) -> String {
    let count = |v: Verdict| reports.iter().filter(|r| r.verdict() == v).count();
    let parts: Vec<String> = [
        (Verdict::Denied, "denied"),
        (Verdict::Error, "not simulated"),
        (Verdict::Undetermined, "undetermined"),
        (Verdict::Allowed, "allowed"),
    ]
    .iter()
    .filter(|(v, _)| count(*v) > 0)
    .map(|(v, w)| format!("{} {w}", count(*v)))
    .collect();
    format!(
        "{} simulation{}: {}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// Several reports as lines: the tally, then each report.
pub fn reports_lines(reports: &[Report]) -> Vec<(Tone, String)> {
    let mut lines = vec![(Tone::Field, tally(reports))];
    for r in reports {
        lines.push((Tone::Note, String::new()));
        lines.extend(report_lines(r));
    }
    lines
}

/// How a line of a report is shown: the TUI styles it, the CLI prints it plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The report's title line, coloured by its verdict's level.
    Heading(Level),
    /// A `name  value` field (principal, engine, fix).
    Field,
    /// One action × resource row, coloured by its decision's level.
    Row(Level),
    /// A line of a ready-to-paste fix (policy JSON or CLI command).
    Code,
    /// A note or "by ..." line of matched statements (dimmed).
    Note,
}

impl Verdict {
    /// The health level of this verdict: Allowed OK, Undetermined WARN, Error and Denied FAIL.
    pub fn level(self) -> Level {
        match self {
            Verdict::Allowed => Level::Ok,
            Verdict::Undetermined => Level::Warn,
            Verdict::Error | Verdict::Denied => Level::Fail,
        }
    }
}

fn decision_level(decision: &str) -> Level {
    match decision {
        "allowed" => Level::Ok,
        "undetermined" => Level::Warn,
        _ => Level::Fail,
    }
}

/// A report as lines of text (untrusted: sanitize before they reach a terminal).
pub fn report_lines(r: &Report) -> Vec<(Tone, String)> {
    let v = r.verdict();
    let mut out = vec![(
        Tone::Heading(v.level()),
        format!("{} {} — {}", v.level().mark(), r.title, r.summary()),
    )];
    out.push((Tone::Field, format!("  principal  {}", r.principal)));
    out.push((Tone::Field, format!("  engine     {}", r.engine)));
    let aw = r.rows.iter().map(|x| x.action.len()).max().unwrap_or(0);
    for row in &r.rows {
        let l = decision_level(&row.decision);
        let decision = match &row.needs {
            Some(k) => format!("undetermined: needs {k}"),
            None => row.decision.clone(),
        };
        out.push((
            Tone::Row(l),
            format!(
                "  {} {:<13} {:<aw$}  {}",
                l.mark(),
                decision,
                row.action,
                row.resource
            ),
        ));
        if !row.matched.is_empty() {
            out.push((Tone::Note, format!("      by {}", row.matched.join("; "))));
        }
    }
    for f in &r.fixes {
        let mut it = f.lines();
        if let Some(first) = it.next() {
            out.push((Tone::Field, format!("  fix: {first}")));
        }
        for l in it {
            out.push((Tone::Code, format!("    {l}")));
        }
    }
    for n in &r.notes {
        out.push((Tone::Note, format!("  note: {n}")));
    }
    out
}
