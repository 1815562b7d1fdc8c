//! `y`: what to put on the clipboard — the open overlay's commands and fixes (a check's confirm
//! command, a simulation's fix), else the selection's ARNs (the stream's, the rule's) — and the
//! footer line that says what was copied. The loop writes it (OSC 52, [`Effect::Copy`]).

use super::*;

/// Longest text copied, in bytes: many terminals drop OSC 52 payloads past ~100 kB (tmux's
/// default limit on a sequence is 1 MB), and a fix is a few lines; longer is refused, never cut.
pub const COPY_MAX_BYTES: usize = 64 * 1024;

impl View {
    /// The copy of what is open or selected, with a footer status naming it; a status saying
    /// why nothing was copied when there is nothing to copy.
    pub(super) fn copy(&mut self, w: &Merged) -> Effect {
        let overlay = self.overlay.as_ref().map(|o| o.lines.as_ref());
        let (what, text) = match overlay {
            // Still running: its commands are not there yet (never the selection instead).
            Some(None) => return self.nothing_to_copy("the overlay is still running"),
            Some(Some(lines)) => match overlay_commands(lines) {
                Some(t) => ("the overlay's commands", t),
                None => return self.nothing_to_copy("this overlay has no command or fix"),
            },
            None => {
                let target = self.acted_on(w);
                let snap = w.snap(target.ctx);
                let arns = selection_arns(&target, snap);
                if arns.is_empty() {
                    return self.nothing_to_copy("select a stream or a rule first");
                }
                let what = match (arns.len(), target.stream.is_some()) {
                    (2, _) => "the rule's and the stream's ARNs",
                    (_, true) => "the stream's ARN",
                    _ => "the rule's ARN",
                };
                (what, arns.join("\n"))
            }
        };
        if text.len() > COPY_MAX_BYTES {
            // Half a command pasted into a shell is worse than none.
            return self.nothing_to_copy(&format!(
                "{what} are {} bytes, more than a terminal takes at once ({COPY_MAX_BYTES}); save the screen (S) instead",
                text.len()
            ));
        }
        let first = text.lines().next().unwrap_or_default().to_string();
        let lines = text.lines().count();
        self.status = Some(Status {
            level: Level::Ok,
            // Short enough for 80 columns; the help and the README say how tmux passes it on.
            text: format!(
                "copied {what}{}: {}",
                if lines > 1 {
                    format!(" ({lines} lines)")
                } else {
                    String::new()
                },
                crate::text::fit_middle(&first, 44)
            ),
        });
        Effect::Copy(text)
    }

    fn nothing_to_copy(&mut self, why: &str) -> Effect {
        self.status = Some(Status {
            level: Level::Warn,
            text: format!("nothing copied: {why}"),
        });
        Effect::None
    }
}

/// The commands and fixes of an overlay's lines ([`Tone::Code`]): a check's `confirm:` command
/// without its label, a fix's lines with their common indent removed; `None` when there are none.
pub fn overlay_commands(lines: &[(Tone, String)]) -> Option<String> {
    let code: Vec<&str> = lines
        .iter()
        .filter(|(t, _)| *t == Tone::Code)
        .map(|(_, l)| l.as_str())
        .collect();
    let indent = code
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()?;
    let out: Vec<&str> = code
        .iter()
        .map(|l| {
            let l = l.get(indent..).unwrap_or("").trim_end();
            l.strip_prefix("confirm: ").unwrap_or(l)
        })
        .collect();
    Some(out.join("\n"))
}

/// The ARNs of what `target` is about in `snap`: the rule's, then the stream's (those known).
pub fn selection_arns(target: &Focus, snap: &Snapshot) -> Vec<String> {
    let Some(inv) = snap.inventory.get() else {
        return Vec::new();
    };
    let rule = target.rule.as_ref().and_then(|k| inv.inv.rule(k));
    let stream = target.stream.as_deref().and_then(|s| inv.inv.stream(s));
    rule.map(|r| r.arn.clone())
        .into_iter()
        .chain(stream.map(|s| s.arn.clone()))
        .filter(|a| !a.is_empty())
        .collect()
}
