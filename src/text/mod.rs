//! Numbers, durations and names as text, for the screen and for reports: the core's own
//! formatting (the UI adds sparklines and layout on top, in `ui::fmt`).
//!
//! [`sanitize`] turns untrusted text (anything from AWS) into text safe for a terminal.

pub mod sanitize;

/// 950 → "950", 12_345 → "12.3k", 4_200_000 → "4.2M".
pub fn count(v: f64) -> String {
    let a = v.abs();
    if a < 1_000.0 {
        format!("{}", v.round() as i64)
    } else if a < 10_000.0 {
        format!("{:.1}k", v / 1_000.0)
    } else if a < 1_000_000.0 {
        format!("{:.0}k", v / 1_000.0)
    } else if a < 10_000_000.0 {
        format!("{:.1}M", v / 1_000_000.0)
    } else if a < 1_000_000_000.0 {
        format!("{:.0}M", v / 1_000_000.0)
    } else {
        format!("{:.1}G", v / 1_000_000_000.0)
    }
}

/// `None` (no datapoint) → "–".
pub fn opt_count(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), count)
}

/// Bytes with binary units: 512 → "512 B", 1536 → "1.5 KiB".
pub fn bytes(v: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = v.max(0.0);
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} {}", units[u])
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// A success ratio 0..1 → "99.5%"; below 100 % never rounds up to 100.
pub fn ratio_pct(v: Option<f64>) -> String {
    match v {
        None => "–".to_string(),
        Some(r) if r >= 1.0 => "100%".to_string(),
        Some(r) => format!("{:.1}%", ((r * 1000.0).floor() / 10.0).min(99.9)),
    }
}

/// A duration in seconds → "42s", "17m", "2h05m", "3d" (negative counts as 0).
pub fn fmt_duration(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match s {
        0..=99 => format!("{s}s"),
        100..=5999 => format!("{}m", s / 60),
        6000..=172_799 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d", s / 86_400),
    }
}

/// Fit a name into `w` columns by cutting its middle: "streamalert-data-ca…f3a9c1d2e5b7".
/// Generated names often share a long prefix and differ in a hash at the end, so the end is
/// kept (a little more than half the room goes to the head).
pub fn fit_middle(s: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= w {
        return s.to_string();
    }
    if w < 8 {
        return fit(s, w);
    }
    let room = w - 1;
    let tail_w = room / 2;
    let head_w = room - tail_w;
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > head_w {
            break;
        }
        used += cw;
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used_t = 0;
    for c in s.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if used_t + cw > tail_w {
            break;
        }
        used_t += cw;
        tail.push(c);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

/// Fit `s` into `w` columns like [`fit`], but cut after the last whole word that fits (then
/// "…"), so a bounded message never ends mid-word; a word longer than half of `w` is cut as
/// [`fit`] cuts.
pub fn fit_words(s: &str, w: usize) -> String {
    let cut = fit(s, w);
    if cut == s {
        return cut;
    }
    let head = cut.trim_end_matches('…');
    match head.rfind(char::is_whitespace) {
        Some(i) if i >= head.len() / 2 => format!("{}…", head[..i].trim_end()),
        _ => cut,
    }
}

/// `s` followed by spaces up to `w` display columns (wide characters count two); `s` as it is
/// when it is already as wide.
pub fn pad(s: &str, w: usize) -> String {
    let have = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(w.saturating_sub(have)))
}

/// Fit `s` into `w` columns, cutting with "…".
pub fn fit(s: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > w - 1 {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// The AWS CLI's `--dimensions` shorthand of `dims`: `Name=K,Value=V …`, values shell-quoted.
pub fn cli_dimensions(dims: &[(&str, &str)]) -> String {
    dims.iter()
        .map(|(k, v)| format!("Name={k},Value={}", shell_quote(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` quoted for a POSIX shell (as `shlex` quotes); "'?'" for a string no shell can hold (a
/// NUL byte).
pub fn shell_quote(s: &str) -> String {
    shlex::try_quote(s)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| "'?'".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sharing_a_long_prefix_stay_distinct() {
        let a = "streamalert-data-classifier-security-prod-us-east-1-ingest-9f3a1c";
        let b = "streamalert-data-classifier-security-prod-us-east-1-ingest-9f3b7e";
        let (fa, fb) = (fit_middle(a, 30), fit_middle(b, 30));
        assert_ne!(fa, fb);
        assert_eq!(fa.chars().count(), 30);
        assert!(
            fa.starts_with("streamalert-da") && fa.ends_with("9f3a1c"),
            "{fa}"
        );
        assert!(fa.contains('…'));
        assert_eq!(fit_middle("short", 30), "short");
        assert_eq!(
            fit_middle("abcdefghij", 5),
            "abcd…",
            "too narrow: cut the end"
        );
        assert_eq!(fit_middle("日本語の名前です", 9).chars().count(), 5);
    }

    #[test]
    fn fit_words_never_ends_mid_word() {
        assert_eq!(fit_words("short", 10), "short");
        assert_eq!(
            fit_words("access was denied to the bucket", 20),
            "access was denied…"
        );
        // One long word: cut as fit cuts.
        assert_eq!(
            fit_words("abcdefghijklmnopqrstuvwxyz", 10),
            fit("abcdefghijklmnopqrstuvwxyz", 10)
        );
    }
}
