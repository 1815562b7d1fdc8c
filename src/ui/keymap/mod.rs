//! Keys → [`Action`]s. Defaults follow the interface contract; every binding can be replaced in
//! the `[keys]` table of the config file. Ctrl-C always quits.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, anyhow, bail};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod action;
pub use action::{Action, Mode};

/// A key with the modifiers that matter (Shift is folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key code (Shift already folded into the character, Shift-Tab as BackTab).
    pub code: KeyCode,
    /// Ctrl held.
    pub ctrl: bool,
    /// Alt held.
    pub alt: bool,
}

impl Key {
    /// The key of a terminal key event (Shift-Tab reported as Tab+Shift becomes BackTab).
    pub fn from_event(e: &KeyEvent) -> Self {
        let code = match e.code {
            // Some terminals report Shift-Tab as Tab + SHIFT.
            KeyCode::Tab if e.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        Self {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses a config-file key spec: optional `ctrl-`/`alt-` prefixes, then one character or a
    /// name ("tab", "shift-tab", "enter", "esc", "space", "pgup", "f5", ...).
    ///
    /// Errors: an unknown key name.
    pub fn parse(spec: &str) -> Result<Self> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = spec;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            s => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => bail!("unknown key {spec:?}"),
                }
            }
        };
        Ok(Self { code, ctrl, alt })
    }

    /// How help shows the key: "Ctrl-D", "Shift-Tab", "↑", "g".
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("Ctrl-");
        }
        if self.alt {
            s.push_str("Alt-");
        }
        s + &base
    }

    /// The spelling the config file uses.
    pub fn spec(&self) -> String {
        let base = match self.code {
            KeyCode::Tab => "tab".to_string(),
            KeyCode::BackTab => "shift-tab".to_string(),
            KeyCode::Enter => "enter".to_string(),
            KeyCode::Esc => "esc".to_string(),
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Backspace => "backspace".to_string(),
            KeyCode::Up => "up".to_string(),
            KeyCode::Down => "down".to_string(),
            KeyCode::Left => "left".to_string(),
            KeyCode::Right => "right".to_string(),
            KeyCode::PageUp => "pgup".to_string(),
            KeyCode::PageDown => "pgdn".to_string(),
            KeyCode::Home => "home".to_string(),
            KeyCode::End => "end".to_string(),
            KeyCode::F(n) => format!("f{n}"),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("ctrl-");
        }
        if self.alt {
            s.push_str("alt-");
        }
        s + &base
    }

    /// A key event for this key (for `--keys` and tests).
    pub fn to_event(self) -> KeyEvent {
        let mut m = KeyModifiers::NONE;
        if self.ctrl {
            m |= KeyModifiers::CONTROL;
        }
        if self.alt {
            m |= KeyModifiers::ALT;
        }
        KeyEvent::new(self.code, m)
    }
}

/// Every action's keys, and the reverse lookup per [`Mode`]. Defaults, with the config file's
/// `[keys]` rebindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Action, Vec<Key>>,
    lookup: HashMap<(Mode, Key), Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        // The defaults are valid by construction (tested).
        Self::with_overrides(&BTreeMap::new()).unwrap_or_else(|_| Self {
            bindings: BTreeMap::new(),
            lookup: HashMap::new(),
        })
    }
}

impl Keymap {
    /// Defaults, with the actions named in `overrides` rebound.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self> {
        let mut bindings = BTreeMap::new();
        for a in Action::ALL {
            let keys = a
                .default_keys()
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>>>()?;
            bindings.insert(a, keys);
        }
        for (name, keys) in overrides {
            let a = Action::ALL
                .into_iter()
                .find(|a| a.name() == name)
                .ok_or_else(|| anyhow!("[keys]: unknown action {name:?}"))?;
            let keys = keys
                .iter()
                .map(|k| Key::parse(k).map_err(|e| anyhow!("[keys] {name}: {e}")))
                .collect::<Result<Vec<_>>>()?;
            bindings.insert(a, keys);
        }
        let mut lookup = HashMap::new();
        for (a, keys) in &bindings {
            for k in keys {
                // A key may mean one thing per mode (y confirms in a dialog and is free
                // elsewhere), never two in the same one.
                if let Some(prev) = lookup.insert((a.mode(), *k), *a) {
                    bail!(
                        "[keys]: {} is bound to both {} and {}",
                        k.spec(),
                        prev.name(),
                        a.name()
                    );
                }
            }
        }
        Ok(Self { bindings, lookup })
    }

    /// The action of a key in the normal table (Ctrl-C always quits).
    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        self.action_in(Mode::Normal, e)
    }

    /// The action of a key in `mode`'s table; a dialog falls back to the normal table for keys
    /// it does not bind (Esc, q).
    pub fn action_in(&self, mode: Mode, e: &KeyEvent) -> Option<Action> {
        let k = Key::from_event(e);
        if k.ctrl && k.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        self.lookup
            .get(&(mode, k))
            .or_else(|| self.lookup.get(&(Mode::Normal, k)))
            .copied()
    }

    /// The keys bound to an action (empty if none).
    pub fn keys(&self, a: Action) -> &[Key] {
        self.bindings.get(&a).map(Vec::as_slice).unwrap_or(&[])
    }

    /// "j/↓" style label of an action's keys.
    pub fn label(&self, a: Action) -> String {
        let v: Vec<String> = self.keys(a).iter().map(Key::label).collect();
        v.join("/")
    }

    /// The label of an action's first key ("" if unbound), for hints.
    pub fn first_label(&self, a: Action) -> String {
        self.keys(a).first().map(Key::label).unwrap_or_default()
    }

    /// The bindings as the config file spells them: action name → key specs (`--print-config`).
    pub fn to_config(&self) -> BTreeMap<String, Vec<String>> {
        self.bindings
            .iter()
            .map(|(a, keys)| (a.name().to_string(), keys.iter().map(Key::spec).collect()))
            .collect()
    }
}

/// "j j enter ?" → key events (for `fhtop snapshot --keys` and tests).
pub fn parse_key_sequence(s: &str) -> Result<Vec<KeyEvent>> {
    s.split_whitespace()
        .map(|k| Key::parse(k).map(Key::to_event))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_contract() {
        let km = Keymap::default();
        let act = |s: &str| km.action(&Key::parse(s).unwrap().to_event());
        assert_eq!(act("?"), Some(Action::Help));
        assert_eq!(act("q"), Some(Action::Quit));
        assert_eq!(act("tab"), Some(Action::NextPane));
        assert_eq!(act("shift-tab"), Some(Action::PrevPane));
        assert_eq!(act("j"), Some(Action::Down));
        assert_eq!(act("down"), Some(Action::Down));
        assert_eq!(act("k"), Some(Action::Up));
        assert_eq!(act("enter"), Some(Action::DrillIn));
        assert_eq!(act("esc"), Some(Action::Back));
        assert_eq!(act("/"), Some(Action::Filter));
        assert_eq!(act("r"), Some(Action::Refresh));
        assert_eq!(act("ctrl-c"), Some(Action::Quit));
        assert_eq!(act("x"), None);
    }

    #[test]
    fn shift_tab_reported_as_tab_with_shift() {
        let km = Keymap::default();
        let e = KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(km.action(&e), Some(Action::PrevPane));
    }

    #[test]
    fn rebinding_replaces_and_conflicts_are_refused() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["x".to_string()]);
        let km = Keymap::with_overrides(&o).unwrap();
        let e = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(km.action(&e('x')), Some(Action::Quit));
        assert_eq!(km.action(&e('q')), None);
        o.insert("refresh".to_string(), vec!["x".to_string()]);
        assert!(Keymap::with_overrides(&o).is_err());
        let mut bad = BTreeMap::new();
        bad.insert("fly".to_string(), vec!["z".to_string()]);
        assert!(Keymap::with_overrides(&bad).is_err());
    }

    #[test]
    fn dialog_keys_mean_something_only_in_a_dialog() {
        let km = Keymap::default();
        let e = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        // Outside a dialog y copies (OSC 52); in one it confirms.
        assert_eq!(km.action(&e('y')), Some(Action::Copy));
        assert_eq!(km.action(&e('n')), None);
        assert_eq!(km.action_in(Mode::Dialog, &e('y')), Some(Action::Confirm));
        assert_eq!(km.action_in(Mode::Dialog, &e('n')), Some(Action::Cancel));
        // A dialog falls back to the normal table for what it does not bind.
        assert_eq!(km.action_in(Mode::Dialog, &e('q')), Some(Action::Quit));
        // y can mean something else outside dialogs without a conflict.
        let mut o = BTreeMap::new();
        o.insert("copy".to_string(), vec!["Y".to_string()]);
        o.insert("refresh".to_string(), vec!["y".to_string()]);
        let km = Keymap::with_overrides(&o).unwrap();
        assert_eq!(km.action(&e('y')), Some(Action::Refresh));
        assert_eq!(km.action_in(Mode::Dialog, &e('y')), Some(Action::Confirm));
        // Within one mode a key still means one thing.
        o.insert("cancel".to_string(), vec!["y".to_string()]);
        assert!(Keymap::with_overrides(&o).is_err());
    }

    #[test]
    fn config_round_trip() {
        let km = Keymap::default();
        let again = Keymap::with_overrides(&km.to_config()).unwrap();
        assert_eq!(km.to_config(), again.to_config());
    }
}
