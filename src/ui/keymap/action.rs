//! What a key can do ([`Action`]): each action's config name, help text and default keys, and
//! the table it is bound in ([`Mode`]).

/// Everything a key can do in the TUI. Each has a config name ([`Action::name`]), a help line
/// ([`Action::describe`]) and default keys; the `[keys]` table rebinds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `help` (default `?`): show / hide the help overlay.
    Help,
    /// `quit` (default `q`; Ctrl-C always quits).
    Quit,
    /// `next_pane` (default Tab).
    NextPane,
    /// `prev_pane` (default Shift-Tab).
    PrevPane,
    /// `up` (default `k`, ↑): move the selection up.
    Up,
    /// `down` (default `j`, ↓): move the selection down.
    Down,
    /// `page_up` (default PgUp, Ctrl-U).
    PageUp,
    /// `page_down` (default PgDn, Ctrl-D).
    PageDown,
    /// `top` (default `g`, Home): first row.
    Top,
    /// `bottom` (default `G`, End): last row.
    Bottom,
    /// `drill_in` (default Enter): details of the selected stream / rule / alarm.
    DrillIn,
    /// `back` (default Esc): back / close / clear filter.
    Back,
    /// `filter` (default `/`): filter the focused list.
    Filter,
    /// `refresh` (default `r`): wake every poller now.
    Refresh,
    /// `follow` (default `f`): logs pane follows the newest event on / off.
    Follow,
    /// `pane_pipelines` (default `1`).
    PanePipelines,
    /// `pane_streams` (default `2`).
    PaneStreams,
    /// `pane_rules` (default `3`).
    PaneRules,
    /// `pane_alarms` (default `4`).
    PaneAlarms,
    /// `pane_logs` (default `5`).
    PaneLogs,
    /// `pane_app_log` (default `6`): fhtop's own log.
    PaneAppLog,
    /// `pane_cost` (default `7`): API calls per minute, metrics requested.
    PaneCost,
    /// `toggle_rule` (default `t`): enable / disable the selected rule, after a confirmation.
    ToggleRule,
    /// `simulate` (default `p`): IAM simulation for the selected stream / rule.
    Simulate,
    /// `custom_simulation` (default `P`): IAM simulation of any principal, actions, resources.
    CustomSimulation,
    /// `checks` (default `c`): the runbook checks for the selected pipeline.
    Checks,
    /// `recover` (default `R`): the selected pipeline's loss ledger (what `fhtop losses`
    /// reads: dead-letter queues, the S3 error output) and the commands that recover it.
    Recover,
    /// `recover_errors` (default `E`, in the Recover overlay): re-send the stream's failed
    /// records from its S3 error output — the dry run first, then a confirmation; it sends in
    /// the background with a progress line (`fhtop recover errors`).
    RecoverErrors,
    /// `recover_dlq` (default `D`, in the Recover overlay): send the events of the rule
    /// target's dead-letter queue back to its stream, deleting each once accepted — the dry
    /// run first, then a confirmation (`fhtop recover dlq`).
    RecoverDlq,
    /// `recover_replay` (default `A`, in the Recover overlay): replay a failing rule's events
    /// of the failure's window from its bus's archive, to that rule only — the dry run first,
    /// then a confirmation; followed in the background (`fhtop recover replay`).
    RecoverReplay,
    /// `confirm` (default `y`, dialogs only): confirm the change.
    Confirm,
    /// `cancel` (default `n`, dialogs only): cancel the dialog.
    Cancel,
    /// `save_screen` (default `S`): write the screen as text and SVG for the incident ticket.
    SaveScreen,
    /// `chart_longer` (default `]`, `+`): charts and sparklines cover a longer window.
    ChartLonger,
    /// `chart_shorter` (default `[`, `-`): charts and sparklines cover a shorter window.
    ChartShorter,
    /// `pattern_test` (default `m`): test the selected rule's pattern against the events its
    /// bus logged.
    PatternTest,
    /// `failed_records` (default `e`): the selected stream's failed records, read from its S3
    /// error output.
    FailedRecords,
    /// `command` (default `:`): the command line (`:streams`, `:stream NAME`, `:q`, …; Tab
    /// completes).
    Command,
    /// `copy` (default `y`): copy to the clipboard of the terminal (OSC 52, also over SSH and
    /// through tmux with `set-clipboard on`) the open overlay's commands and fixes, else the
    /// selection's ARNs.
    Copy,
}

impl Action {
    /// Every action, in help order.
    pub const ALL: [Action; 39] = [
        Action::Help,
        Action::Quit,
        Action::NextPane,
        Action::PrevPane,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::DrillIn,
        Action::Back,
        Action::Filter,
        Action::Refresh,
        Action::Follow,
        Action::PanePipelines,
        Action::PaneStreams,
        Action::PaneRules,
        Action::PaneAlarms,
        Action::PaneLogs,
        Action::PaneAppLog,
        Action::PaneCost,
        Action::ToggleRule,
        Action::Simulate,
        Action::CustomSimulation,
        Action::Checks,
        Action::Recover,
        Action::RecoverErrors,
        Action::RecoverDlq,
        Action::RecoverReplay,
        Action::Confirm,
        Action::Cancel,
        Action::SaveScreen,
        Action::ChartLonger,
        Action::ChartShorter,
        Action::PatternTest,
        Action::FailedRecords,
        Action::Command,
        Action::Copy,
    ];

    /// The name used in the config file.
    pub fn name(self) -> &'static str {
        use Action::*;
        match self {
            Help => "help",
            Quit => "quit",
            NextPane => "next_pane",
            PrevPane => "prev_pane",
            Up => "up",
            Down => "down",
            PageUp => "page_up",
            PageDown => "page_down",
            Top => "top",
            Bottom => "bottom",
            DrillIn => "drill_in",
            Back => "back",
            Filter => "filter",
            Refresh => "refresh",
            Follow => "follow",
            PanePipelines => "pane_pipelines",
            PaneStreams => "pane_streams",
            PaneRules => "pane_rules",
            PaneAlarms => "pane_alarms",
            PaneLogs => "pane_logs",
            PaneAppLog => "pane_app_log",
            PaneCost => "pane_cost",
            ToggleRule => "toggle_rule",
            Simulate => "simulate",
            CustomSimulation => "custom_simulation",
            Checks => "checks",
            Recover => "recover",
            RecoverErrors => "recover_errors",
            RecoverDlq => "recover_dlq",
            RecoverReplay => "recover_replay",
            Confirm => "confirm",
            Cancel => "cancel",
            SaveScreen => "save_screen",
            ChartLonger => "chart_longer",
            ChartShorter => "chart_shorter",
            PatternTest => "pattern_test",
            FailedRecords => "failed_records",
            Command => "command",
            Copy => "copy",
        }
    }

    /// The one-line description the help overlay shows.
    pub fn describe(self) -> &'static str {
        use Action::*;
        match self {
            Help => "show / hide this help",
            Quit => "quit (Ctrl-C always quits)",
            NextPane => "next pane",
            PrevPane => "previous pane",
            Up => "move up",
            Down => "move down",
            PageUp => "page up",
            PageDown => "page down",
            Top => "first row",
            Bottom => "last row",
            DrillIn => "details of the selected stream / rule / alarm",
            Back => "back / close / clear filter",
            Filter => "filter the focused list",
            Refresh => "refresh everything now",
            Follow => "logs: follow newest on / off",
            PanePipelines => "Pipelines pane",
            PaneStreams => "Streams pane",
            PaneRules => "Rules pane",
            PaneAlarms => "Alarms pane",
            PaneLogs => "Logs pane",
            PaneAppLog => "App log pane",
            PaneCost => "API cost pane: calls per minute, metrics requested",
            ToggleRule => "enable / disable the selected rule (asks first)",
            Simulate => "simulate IAM: may the selected stream / rule write its target",
            CustomSimulation => "custom IAM simulation: principal, actions, resources",
            Checks => "run the runbook checks (fhtop check) for the selected pipeline",
            Recover => {
                "what the selected pipeline lost, by when, and how to get it back (fhtop losses)"
            }
            RecoverErrors => "in R: re-send the stream's failed records (dry run first)",
            RecoverDlq => "in R: redrive the rule's dead-letter queue (dry run first)",
            RecoverReplay => "in R: replay the failed window from the archive (dry run)",
            Confirm => "confirm the change in the dialog",
            Cancel => "cancel the dialog",
            SaveScreen => "save the screen as text + SVG (path shown) for the ticket",
            ChartLonger => "charts: longer window (1h 3h 12h 24h 3d)",
            ChartShorter => "charts: shorter window",
            PatternTest => "test the rule's pattern against events its bus logged",
            FailedRecords => "failed records of the selected stream (its S3 error output)",
            Command => "command line: :streams :stream NAME :rule NAME :ctx :q … (Tab completes)",
            Copy => {
                "copy the overlay's commands, else the selection's ARN (OSC 52; tmux: set-clipboard on)"
            }
        }
    }

    pub(super) fn default_keys(self) -> &'static [&'static str] {
        use Action::*;
        match self {
            Help => &["?"],
            Quit => &["q"],
            NextPane => &["tab"],
            PrevPane => &["shift-tab"],
            Up => &["k", "up"],
            Down => &["j", "down"],
            PageUp => &["pgup", "ctrl-u"],
            PageDown => &["pgdn", "ctrl-d"],
            Top => &["g", "home"],
            Bottom => &["G", "end"],
            DrillIn => &["enter"],
            Back => &["esc"],
            Filter => &["/"],
            Refresh => &["r"],
            Follow => &["f"],
            PanePipelines => &["1"],
            PaneStreams => &["2"],
            PaneRules => &["3"],
            PaneAlarms => &["4"],
            PaneLogs => &["5"],
            PaneAppLog => &["6"],
            PaneCost => &["7"],
            ToggleRule => &["t"],
            Simulate => &["p"],
            CustomSimulation => &["P"],
            Checks => &["c"],
            Recover => &["R"],
            RecoverErrors => &["E"],
            RecoverDlq => &["D"],
            RecoverReplay => &["A"],
            Confirm => &["y"],
            Cancel => &["n"],
            SaveScreen => &["S"],
            ChartLonger => &["]", "+"],
            ChartShorter => &["[", "-"],
            PatternTest => &["m"],
            FailedRecords => &["e"],
            Command => &[":"],
            Copy => &["y"],
        }
    }
}

/// Which key table applies. Typing a filter or into the simulation form takes keys as text
/// (only Ctrl-C keeps its meaning there), so those modes have no table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// Panes, drill-ins and overlays.
    Normal,
    /// A confirmation dialog: its own keys (confirm, cancel) first, then the normal ones.
    Dialog,
}

impl Action {
    /// The table an action is bound in: confirm and cancel mean something only in a dialog.
    pub fn mode(self) -> Mode {
        match self {
            Action::Confirm | Action::Cancel => Mode::Dialog,
            _ => Mode::Normal,
        }
    }
}
