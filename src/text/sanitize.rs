//! Untrusted text (anything that came from AWS) → text that is safe to put on a terminal.
//!
//! Control characters never reach the tty: C0 controls become their visible Unicode "control
//! picture" (ESC → `␛`, BEL → `␇`), DEL becomes `␡`, C1 controls (which some terminals treat as
//! CSI/OSC introducers) and bidirectional overrides (which can make text read differently from
//! what it is) become `�`. Newlines and tabs fold to a visible `⏎` / a space so one event stays on
//! one row. Overlong text is cut at [`MAX_CHARS`] with `…`, so a 1 MB log line costs no more than
//! a short one.

use std::borrow::Cow;

/// Longest text kept from one field, in characters.
pub const MAX_CHARS: usize = 4096;

fn replacement(c: char) -> Option<char> {
    match c {
        '\t' => Some(' '),
        '\n' | '\r' => Some('⏎'),
        // C0 controls → U+2400 + code ("control pictures").
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('␡'),
        // C1 controls (0x9b is a one-byte CSI, 0x9d a one-byte OSC on some terminals).
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        // Bidi embeddings/overrides/isolates and line/paragraph separators.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' => {
            Some('\u{fffd}')
        }
        _ => None,
    }
}

fn is_clean(s: &str) -> bool {
    s.chars().count() <= MAX_CHARS && s.chars().all(|c| replacement(c).is_none())
}

/// Make `s` safe for one terminal row. Borrows when nothing needed changing.
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_CHARS && is_clean(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(MAX_CHARS * 4) + 3);
    for (n, c) in s.chars().enumerate() {
        if n == MAX_CHARS {
            out.push('…');
            break;
        }
        out.push(replacement(c).unwrap_or(c));
    }
    Cow::Owned(out)
}

/// Bytes of unknown encoding (a log payload, an HTTP body) → clean text. Invalid UTF-8 becomes
/// `�`.
pub fn clean_bytes(b: &[u8]) -> String {
    let cut = &b[..b.len().min(MAX_CHARS * 4)];
    clean(&String::from_utf8_lossy(cut)).into_owned()
}

/// A JSON document (serde_json's output) made inert for a terminal without changing what it
/// says: serde_json escapes C0 controls but writes DEL, C1 controls and bidirectional
/// overrides as they are; each becomes a `\uXXXX` escape (they can only occur inside strings).
pub fn json_inert(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    for c in doc.chars() {
        if c != '\n' && c != '\t' && replacement(c).is_some() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Multi-line text (a pretty-printed event pattern): each line cleaned on its own.
pub fn clean_lines(s: &str) -> Vec<String> {
    s.lines().map(|l| clean(l).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_stays_the_same_json_but_inert() {
        let v = serde_json::json!({"data": "a\u{1b}[2J\u{9b}31m\u{202e}b\u{7f}"});
        let doc = json_inert(&serde_json::to_string_pretty(&v).unwrap());
        assert_inert(&doc.replace(['\n', ' '], ""));
        let back: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(back, v);
    }

    fn assert_inert(s: &str) {
        for c in s.chars() {
            assert!(
                !c.is_control() && !('\u{202a}'..='\u{202e}').contains(&c),
                "control char {:?} survived in {s:?}",
                c
            );
        }
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(clean("orders-to-s3 ✓ ünïcode"), Cow::Borrowed(_)));
    }

    #[test]
    fn osc_title_and_clipboard_are_made_visible() {
        let osc0 = "\x1b]0;pwned\x07rule";
        let osc52 = "\x1b]52;c;ZWNobyBoaQ==\x07";
        assert_eq!(clean(osc0), "␛]0;pwned␇rule");
        assert_eq!(clean(osc52), "␛]52;c;ZWNobyBoaQ==␇");
        assert_inert(&clean(osc0));
    }

    #[test]
    fn csi_clear_screen_and_bell() {
        assert_eq!(clean("a\x1b[2Jb\x07"), "a␛[2Jb␇");
    }

    #[test]
    fn c1_controls_and_bidi_are_replaced() {
        let s = "x\u{9b}31mred\u{9d}0;t\u{9c}\u{85}\u{202e}gnp.exe";
        let c = clean(s);
        assert_inert(&c);
        assert!(c.contains("red"));
        assert!(!c.contains('\u{9b}'));
    }

    #[test]
    fn newlines_tabs_and_del() {
        assert_eq!(clean("a\nb\r\tc\x7f"), "a⏎b⏎ c␡");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_char() {
        let s = clean_bytes(b"ok \xff\xfe \x1b[31m");
        assert_eq!(s, "ok \u{fffd}\u{fffd} ␛[31m");
    }

    #[test]
    fn megabyte_line_is_cut() {
        let big = "A".repeat(1 << 20);
        let c = clean(&big);
        assert_eq!(c.chars().count(), MAX_CHARS + 1);
        assert!(c.ends_with('…'));
        let big_bytes = vec![b'\x1b'; 1 << 20];
        let c = clean_bytes(&big_bytes);
        assert!(c.chars().count() <= MAX_CHARS + 1);
        assert_inert(&c);
    }

    #[test]
    fn multibyte_near_the_limit_does_not_split() {
        let s = "é".repeat(MAX_CHARS + 10);
        let c = clean(&s);
        assert_eq!(c.chars().count(), MAX_CHARS + 1);
    }
}
