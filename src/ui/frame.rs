//! One frame drawn off-screen ([`draw`]) and written out as plain text ([`to_text`]) or SVG
//! ([`to_svg`]): what `fhtop snapshot`, the `S` screen save and the render tests print.

use std::fmt::Write as _;

use anyhow::Result;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

use crate::fresh::store::Merged;
use crate::ui::render::{self, render};
use crate::ui::theme::Theme;
use crate::ui::view::View;

/// Renders one frame of every context's data `w`, `width` × `height` cells, into an
/// off-screen buffer.
///
/// Errors: the test terminal backend failed (not expected in practice).
pub fn draw(w: &Merged, view: &View, ctx: &render::Ctx, width: u16, height: u16) -> Result<Buffer> {
    let mut term = Terminal::new(TestBackend::new(width, height))?;
    term.draw(|f| render(f, w, view, ctx))?;
    Ok(term.backend().buffer().clone())
}

/// Exactly `height` lines of plain text (trailing blanks trimmed), no escape bytes.
pub fn to_text(buf: &Buffer) -> String {
    let mut out = String::new();
    let w = buf.area.width as usize;
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x as u16, y)].symbol();
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn ansi(c: Color) -> Option<(u8, u8, u8)> {
    Some(match c {
        Color::Black => (0, 0, 0),
        Color::Red => (205, 49, 49),
        Color::Green => (13, 188, 121),
        Color::Yellow => (229, 229, 16),
        Color::Blue => (36, 114, 200),
        Color::Magenta => (188, 63, 188),
        Color::Cyan => (17, 168, 205),
        Color::Gray => (204, 204, 204),
        Color::DarkGray => (102, 102, 102),
        Color::LightRed => (241, 76, 76),
        Color::LightGreen => (35, 209, 139),
        Color::LightYellow => (245, 245, 67),
        Color::LightBlue => (59, 142, 234),
        Color::LightMagenta => (214, 112, 214),
        Color::LightCyan => (41, 184, 219),
        Color::White => (229, 229, 229),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => indexed(i),
        Color::Reset => return None,
    })
}

fn indexed(i: u8) -> (u8, u8, u8) {
    const BASE: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match i {
        0..=15 => ansi(BASE[i as usize]).unwrap_or((0, 0, 0)),
        16..=231 => {
            let n = i - 16;
            let lv = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (lv(n / 36), lv((n / 6) % 6), lv(n % 6))
        }
        _ => {
            let g = 8 + (i - 232) * 10;
            (g, g, g)
        }
    }
}

fn hex(c: Color, default: Color) -> String {
    let (r, g, b) = ansi(c).or_else(|| ansi(default)).unwrap_or((0, 0, 0));
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn xml_escape(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// The frame as SVG, in the theme's colours ("reset" drawn as the theme's canvas colours).
pub fn to_svg(buf: &Buffer, theme: &Theme) -> String {
    const CW: f64 = 8.4;
    const LH: f64 = 18.0;
    let (w, h) = (buf.area.width, buf.area.height);
    let (fg0, bg0) = (theme.c.canvas_fg, theme.c.canvas_bg);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" viewBox="0 0 {:.1} {:.1}" font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="14">"#,
        f64::from(w) * CW,
        f64::from(h) * LH,
        f64::from(w) * CW,
        f64::from(h) * LH
    );
    let _ = write!(
        s,
        r#"<rect width="100%" height="100%" fill="{}"/>"#,
        hex(bg0, bg0)
    );
    for y in 0..h {
        // Background runs, then text runs of the same style.
        let mut x = 0u16;
        while x < w {
            let cell = &buf[(x, y)];
            let rev = cell.modifier.contains(Modifier::REVERSED);
            let bg = if rev {
                hex(cell.fg, fg0)
            } else {
                hex(cell.bg, bg0)
            };
            let start = x;
            while x < w {
                let c = &buf[(x, y)];
                let r = c.modifier.contains(Modifier::REVERSED);
                let b = if r { hex(c.fg, fg0) } else { hex(c.bg, bg0) };
                if b != bg {
                    break;
                }
                x += 1;
            }
            if bg != hex(bg0, bg0) {
                let _ = write!(
                    s,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{LH}" fill="{bg}"/>"#,
                    f64::from(start) * CW,
                    f64::from(y) * LH,
                    f64::from(x - start) * CW
                );
            }
        }
        let mut x = 0u16;
        while x < w {
            let cell = &buf[(x, y)];
            let key = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            let mut cols = 0u16;
            while x < w {
                let c = &buf[(x, y)];
                if (c.fg, c.bg, c.modifier) != key {
                    break;
                }
                let sym = c.symbol();
                let sw = (sym.width() as u16).max(1);
                text.push_str(sym);
                cols += sw;
                x += sw;
            }
            if text.trim().is_empty() {
                continue;
            }
            let rev = key.2.contains(Modifier::REVERSED);
            let fg = if rev {
                hex(key.1, bg0)
            } else {
                hex(key.0, fg0)
            };
            let mut attrs = String::new();
            if key.2.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if key.2.contains(Modifier::ITALIC) {
                attrs.push_str(r#" font-style="italic""#);
            }
            if key.2.contains(Modifier::DIM) {
                attrs.push_str(r#" opacity="0.6""#);
            }
            if key.2.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" fill="{fg}" textLength="{:.1}" lengthAdjust="spacingAndGlyphs" xml:space="preserve"{attrs}>"#,
                f64::from(start) * CW,
                f64::from(y) * LH + LH * 0.75,
                f64::from(cols) * CW
            );
            xml_escape(&text, &mut s);
            s.push_str("</text>");
        }
    }
    s.push_str("</svg>\n");
    s
}
