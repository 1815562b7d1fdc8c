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

/// The OSC 52 sequence that puts `text` on the clipboard ("c") of the terminal the person sits
/// at: `ESC ] 52 ; c ; <base64> BEL` (xterm's "Manipulate Selection Data"; carried over SSH,
/// and by tmux with `set-clipboard on`). The text is base64: nothing in it reaches the
/// terminal as a control.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}

/// Writes [`osc52`] of `text` to the terminal and flushes it.
///
/// Errors: the terminal could not be written.
pub fn copy_to_clipboard(term: &mut Terminal<CrosstermBackend<Stdout>>, text: &str) -> Result<()> {
    let out = term.backend_mut();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_as_base64_only() {
        let s = osc52("aws events enable-rule --name x\n\x1b[2J");
        assert!(s.starts_with("\x1b]52;c;"));
        assert!(s.ends_with('\x07'));
        let body = &s["\x1b]52;c;".len()..s.len() - 1];
        // No control byte of the text reaches the terminal: the body is base64 alone.
        assert!(
            body.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        );
        use base64::Engine;
        let back = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        assert_eq!(back, b"aws events enable-rule --name x\n\x1b[2J");
    }
}
