//! Themes: TOML files with colour slots named by meaning (ok, warn, fail, stale, selection, ...).
//! The built-in ones are embedded; `--theme PATH` loads any file with the same slots.

use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result, anyhow};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::judge::health::Level;

/// The embedded themes as (name, TOML text): "default", "light", "ansi16" (from `themes/`).
pub const BUILTIN: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("ansi16", include_str!("../../themes/ansi16.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    colors: Slots<String>,
}

/// The colour slots of a theme, named by meaning: `String` as written in the file's `[colors]`
/// table, `Color` once parsed. Every slot is required.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slots<T> {
    /// Ordinary text.
    pub text: T,
    /// Secondary text (also the UNKNOWN level).
    pub dim: T,
    /// Pane borders.
    pub border: T,
    /// The border of the focused pane (drawn bold).
    pub border_focus: T,
    /// Pane titles (drawn bold).
    pub title: T,
    /// Table header text.
    pub header_fg: T,
    /// Table header background.
    pub header_bg: T,
    /// Selected row text.
    pub selection_fg: T,
    /// Selected row background.
    pub selection_bg: T,
    /// The OK level.
    pub ok: T,
    /// The WARN level (drawn bold).
    pub warn: T,
    /// The FAIL level (drawn bold).
    pub fail: T,
    /// Stale data: a section whose last poll failed (drawn italic).
    pub stale: T,
    /// Informational accents (log sources, rule details).
    pub info: T,
    /// Disabled rules.
    pub disabled: T,
    /// Sparklines.
    pub spark: T,
    /// Badge text (DEMO, READ-ONLY).
    pub badge_fg: T,
    /// Badge background.
    pub badge_bg: T,
    /// The production marker's text (header badge, rule-change dialog); optional in a theme
    /// file: the FAIL colour on the badge background when left out.
    #[serde(default)]
    pub production_fg: T,
    /// The production marker's background; optional: the FAIL colour when left out.
    #[serde(default)]
    pub production_bg: T,
    /// What the terminal's default foreground is drawn as in `fhtop snapshot --format svg`.
    pub canvas_fg: T,
    /// What the terminal's default background is drawn as in `fhtop snapshot --format svg`.
    pub canvas_bg: T,
}

/// A loaded theme: its colours, or monochrome when `NO_COLOR` is set.
#[derive(Debug, Clone)]
pub struct Theme {
    /// The theme's `name` field (e.g. "default").
    pub name: String,
    /// The parsed colour slots (ignored when `mono`).
    pub c: Slots<Color>,
    /// NO_COLOR: every slot is the terminal default; state is carried by words, symbols and
    /// bold/reverse only.
    pub mono: bool,
}

fn color(slot: &str, s: &str) -> Result<Color> {
    Color::from_str(s.trim()).map_err(|_| anyhow!("theme slot {slot}: not a colour: {s:?}"))
}

impl Theme {
    /// Parses a theme TOML file (`name`, optional `description`, a `[colors]` table with every
    /// slot).
    ///
    /// Errors: invalid TOML, an unknown or missing slot, or a value that is not a colour.
    pub fn parse(text: &str) -> Result<Self> {
        let f: ThemeFile = toml::from_str(text).context("parsing theme")?;
        let s = &f.colors;
        let c = Slots {
            text: color("text", &s.text)?,
            dim: color("dim", &s.dim)?,
            border: color("border", &s.border)?,
            border_focus: color("border_focus", &s.border_focus)?,
            title: color("title", &s.title)?,
            header_fg: color("header_fg", &s.header_fg)?,
            header_bg: color("header_bg", &s.header_bg)?,
            selection_fg: color("selection_fg", &s.selection_fg)?,
            selection_bg: color("selection_bg", &s.selection_bg)?,
            ok: color("ok", &s.ok)?,
            warn: color("warn", &s.warn)?,
            fail: color("fail", &s.fail)?,
            stale: color("stale", &s.stale)?,
            info: color("info", &s.info)?,
            disabled: color("disabled", &s.disabled)?,
            spark: color("spark", &s.spark)?,
            badge_fg: color("badge_fg", &s.badge_fg)?,
            badge_bg: color("badge_bg", &s.badge_bg)?,
            production_fg: match s.production_fg.as_str() {
                "" => color("badge_fg", &s.badge_fg)?,
                v => color("production_fg", v)?,
            },
            production_bg: match s.production_bg.as_str() {
                "" => color("fail", &s.fail)?,
                v => color("production_bg", v)?,
            },
            canvas_fg: color("canvas_fg", &s.canvas_fg)?,
            canvas_bg: color("canvas_bg", &s.canvas_bg)?,
        };
        Ok(Self {
            name: f.name,
            c,
            mono: false,
        })
    }

    /// A built-in theme by name, or a theme file by path.
    pub fn load(name_or_path: &str, no_color: bool) -> Result<Self> {
        let mut t = match BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            Some((_, text)) => Self::parse(text)?,
            None => {
                let p = Path::new(name_or_path);
                if !p.exists() {
                    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    return Err(anyhow!(
                        "unknown theme {name_or_path:?}: use one of {} or a path to a theme file",
                        names.join(", ")
                    ));
                }
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading theme {}", p.display()))?;
                Self::parse(&text).with_context(|| format!("in theme {}", p.display()))?
            }
        };
        if no_color {
            t.mono = true;
        }
        Ok(t)
    }

    /// The embedded "default" theme (monochrome if it ever failed to parse).
    pub fn default_theme() -> Self {
        // The embedded default is covered by a test; fall back to mono rather than panic.
        Self::parse(BUILTIN[0].1).unwrap_or_else(|_| Self::mono_theme())
    }

    fn mono_theme() -> Self {
        let r = Color::Reset;
        Self {
            name: "mono".into(),
            c: Slots {
                text: r,
                dim: r,
                border: r,
                border_focus: r,
                title: r,
                header_fg: r,
                header_bg: r,
                selection_fg: r,
                selection_bg: r,
                ok: r,
                warn: r,
                fail: r,
                stale: r,
                info: r,
                disabled: r,
                spark: r,
                badge_fg: r,
                badge_bg: r,
                production_fg: r,
                production_bg: r,
                canvas_fg: Color::Rgb(0xc0, 0xc0, 0xc0),
                canvas_bg: Color::Rgb(0, 0, 0),
            },
            mono: true,
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.mono {
            Style::new()
        } else {
            Style::new().fg(c)
        }
    }

    /// Ordinary text.
    pub fn text(&self) -> Style {
        self.fg(self.c.text)
    }
    /// Secondary text (DIM in monochrome).
    pub fn dim(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::DIM)
        } else {
            self.fg(self.c.dim)
        }
    }
    /// A pane border; bold in the focus colour when `focused`.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.c.border_focus).add_modifier(Modifier::BOLD)
        } else {
            self.fg(self.c.border)
        }
    }
    /// A pane title (bold).
    pub fn title(&self) -> Style {
        self.fg(self.c.title).add_modifier(Modifier::BOLD)
    }
    /// A table header (reversed in monochrome).
    pub fn header(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().fg(self.c.header_fg).bg(self.c.header_bg)
        }
    }
    /// The selected row (bold; reversed in monochrome).
    pub fn selection(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
                .fg(self.c.selection_fg)
                .bg(self.c.selection_bg)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// The production marker (header badge, rule-change dialog): its own slot, bold; reversed
    /// and underlined without colour.
    pub fn production(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::new()
                .fg(self.c.production_fg)
                .bg(self.c.production_bg)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// A badge such as DEMO or READ-ONLY (bold; reversed in monochrome).
    pub fn badge(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
                .fg(self.c.badge_fg)
                .bg(self.c.badge_bg)
                .add_modifier(Modifier::BOLD)
        }
    }
    /// The OK level.
    pub fn ok(&self) -> Style {
        self.fg(self.c.ok)
    }
    /// The WARN level (bold).
    pub fn warn(&self) -> Style {
        self.fg(self.c.warn).add_modifier(Modifier::BOLD)
    }
    /// The FAIL level (bold).
    pub fn fail(&self) -> Style {
        self.fg(self.c.fail).add_modifier(Modifier::BOLD)
    }
    /// Stale data (italic).
    pub fn stale(&self) -> Style {
        self.fg(self.c.stale).add_modifier(Modifier::ITALIC)
    }
    /// Informational accents.
    pub fn info(&self) -> Style {
        self.fg(self.c.info)
    }
    /// A disabled rule (DIM in monochrome).
    pub fn disabled(&self) -> Style {
        if self.mono {
            Style::new().add_modifier(Modifier::DIM)
        } else {
            self.fg(self.c.disabled)
        }
    }
    /// Sparklines.
    pub fn spark(&self) -> Style {
        self.fg(self.c.spark)
    }
    /// The style of a health level: ok, dim for UNKNOWN, warn, fail.
    pub fn level(&self, l: Level) -> Style {
        match l {
            Level::Ok => self.ok(),
            Level::Unknown => self.dim(),
            Level::Warn => self.warn(),
            Level::Fail => self.fail(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse_and_differ() {
        let themes: Vec<Theme> = BUILTIN
            .iter()
            .map(|(n, t)| Theme::parse(t).unwrap_or_else(|e| panic!("{n}: {e:#}")))
            .collect();
        assert_eq!(themes[0].name, "default");
        assert_ne!(themes[0].c.ok, themes[1].c.ok);
    }

    #[test]
    fn ansi16_uses_only_named_colours() {
        let t = Theme::load("ansi16", false).unwrap();
        for c in [
            t.c.ok,
            t.c.warn,
            t.c.fail,
            t.c.border,
            t.c.selection_bg,
            t.c.stale,
        ] {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "{c:?} is not one of the 16 colours"
            );
        }
    }

    #[test]
    fn no_color_strips_colour_but_keeps_selection_visible() {
        let t = Theme::load("default", true).unwrap();
        assert_eq!(t.fail().fg, None);
        assert!(t.selection().add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn unknown_theme_and_bad_colour_are_errors() {
        assert!(Theme::load("no-such-theme", false).is_err());
        let bad = BUILTIN[0].1.replace("#9ece6a", "not-a-colour");
        assert!(Theme::parse(&bad).is_err());
    }
}
