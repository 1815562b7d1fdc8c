//! The panes: their order, titles (full and short) and which are selectable lists.

/// The top-level panes, switched with `1`–`7` or Tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Rule → stream pipelines with health and throughput.
    Pipelines,
    /// Firehose delivery streams.
    Streams,
    /// EventBridge rules.
    Rules,
    /// CloudWatch alarms.
    Alarms,
    /// CloudWatch Logs of the selected target (stream error log, `/aws/events/...` rule log).
    Logs,
    /// fhtop's own log (tracing output).
    AppLog,
    /// API cost: calls per minute, metrics requested.
    Cost,
}

impl Pane {
    /// Every pane, in key order (`1`–`7`).
    pub const ALL: [Pane; 7] = [
        Pane::Pipelines,
        Pane::Streams,
        Pane::Rules,
        Pane::Alarms,
        Pane::Logs,
        Pane::AppLog,
        Pane::Cost,
    ];
    /// The title shown on the pane's border and tab.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Pipelines => "Pipelines",
            Pane::Streams => "Streams",
            Pane::Rules => "Rules",
            Pane::Alarms => "Alarms",
            Pane::Logs => "Logs",
            Pane::AppLog => "App log",
            Pane::Cost => "API cost",
        }
    }
    /// The title in at most 6 columns, for a tab bar too narrow for [`Pane::title`].
    pub fn short_title(self) -> &'static str {
        match self {
            Pane::Pipelines => "Pipes",
            Pane::AppLog => "App",
            Pane::Cost => "Cost",
            p => p.title(),
        }
    }
    pub(super) fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
    /// The panes that are selectable lists.
    pub(super) fn list_slot(self) -> Option<usize> {
        match self {
            Pane::Pipelines => Some(0),
            Pane::Streams => Some(1),
            Pane::Rules => Some(2),
            Pane::Alarms => Some(3),
            _ => None,
        }
    }
}
