//! Terminal setup and the promise to put it back: on normal quit, on error (the guard's Drop),
//! on panic (the hook), and on SIGTERM/SIGHUP/SIGINT (the app loop ends, the guard drops).

use std::io::{Stdout, Write, stdout};
use std::sync::Once;

use anyhow::Result;
use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Put the terminal back in cooked mode on the main screen with a visible cursor. Safe to call
/// more than once and when the tty is gone (errors are ignored: there is nobody to tell).
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen, Show);
    let _ = out.flush();
}

static HOOK: Once = Once::new();

fn install_panic_hook() {
    HOOK.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            prev(info);
        }));
    });
}

/// Raw mode and the alternate screen for as long as it lives: restores the terminal on drop and
/// on panic.
pub struct TerminalGuard {
    /// The ratatui terminal drawing to stdout.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    /// Enables raw mode, enters the alternate screen and hides the cursor (restoring on failure).
    ///
    /// Errors: the terminal cannot be put in raw mode or written to.
    pub fn enter() -> Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut out = stdout();
        // Bracketed paste: a pasted event reaches the pattern tester whole, not as keys.
        if let Err(e) = execute!(out, EnterAlternateScreen, Hide, EnableBracketedPaste) {
            restore();
            return Err(e.into());
        }
        match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(terminal) => Ok(Self { terminal }),
            Err(e) => {
                restore();
                Err(e.into())
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restore only if this process left the terminal in raw mode (so a plain CLI error does not
/// print terminal escapes to a pipe).
pub fn restore_if_raw() {
    if crossterm::terminal::is_raw_mode_enabled().unwrap_or(false) {
        restore();
    }
}
