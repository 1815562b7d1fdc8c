//! `:` commands (k9s style): a command line opened with `:`, completed with Tab, run with
//! Enter. Pure: parsing and completion here; the view carries them out.

use crate::ui::view::Pane;

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Show this pane (`:pipelines`, `:streams`, `:rules`, `:alarms`, `:logs`, `:applog`,
    /// `:cost`).
    Pane(Pane),
    /// Drill into this stream (`:stream NAME`).
    Stream(String),
    /// Drill into this rule (`:rule NAME` or `:rule BUS/NAME`).
    Rule(String),
    /// Say which contexts are watched, or show only one (`:ctx NAME`) or all again
    /// (`:ctx all`).
    Context(Option<String>),
    /// Watch region R with the focused context's profile (added if new) and show only it
    /// (`:region R`).
    Region(String),
    /// The help overlay (`:help`).
    Help,
    /// Leave (`:q`, `:quit`).
    Quit,
}

/// Every command with its argument and what it does, in help order.
pub const COMMANDS: &[(&str, &str)] = &[
    ("pipelines", "Pipelines pane"),
    ("streams", "Streams pane"),
    ("rules", "Rules pane"),
    ("alarms", "Alarms pane"),
    ("logs", "Logs pane"),
    ("applog", "App log pane"),
    ("cost", "API cost pane"),
    ("stream NAME", "drill into a delivery stream"),
    ("rule NAME", "drill into a rule (NAME or BUS/NAME)"),
    (
        "ctx NAME|all",
        "show only context NAME's rows, or every context's (no name: which are watched)",
    ),
    (
        "region R",
        "watch region R with the focused context's profile, and show only it",
    ),
    ("help", "this help"),
    ("q", "quit"),
];

/// The command words, for completion.
fn words() -> impl Iterator<Item = &'static str> {
    COMMANDS
        .iter()
        .map(|(c, _)| c.split(' ').next().unwrap_or(c))
        .chain(["quit"])
}

/// Parses a command line (without the `:`). A unique prefix of a command word is that word
/// (`:str` is `:streams`... only when no other word starts so: `:stream` needs its name).
///
/// Errors: an empty line, an unknown or ambiguous word (the message lists the candidates), a
/// missing argument.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (word, arg) = match line.split_once(char::is_whitespace) {
        Some((w, a)) => (w, Some(a.trim()).filter(|a| !a.is_empty())),
        None => (line, None),
    };
    if word.is_empty() {
        return Err("type a command: Tab completes, :help lists them".into());
    }
    let word = resolve(word)?;
    let need = |what: &str| -> Result<String, String> {
        arg.map(str::to_string)
            .ok_or_else(|| format!(":{word} needs {what} (Tab completes it)"))
    };
    Ok(match word {
        "pipelines" => Command::Pane(Pane::Pipelines),
        "streams" => Command::Pane(Pane::Streams),
        "rules" => Command::Pane(Pane::Rules),
        "alarms" => Command::Pane(Pane::Alarms),
        "logs" => Command::Pane(Pane::Logs),
        "applog" => Command::Pane(Pane::AppLog),
        "cost" => Command::Pane(Pane::Cost),
        "stream" => Command::Stream(need("a stream name")?),
        "rule" => Command::Rule(need("a rule name")?),
        "ctx" => Command::Context(arg.map(str::to_string)),
        "region" => Command::Region(need("a region (e.g. eu-west-1)")?),
        "help" => Command::Help,
        _ => Command::Quit,
    })
}

/// The command word `w` stands for: itself, or the one word it is a prefix of.
fn resolve(w: &str) -> Result<&'static str, String> {
    if let Some(exact) = words().find(|c| *c == w) {
        return Ok(exact);
    }
    if w == "q!" {
        return Ok("q");
    }
    let mut hits: Vec<&str> = words().filter(|c| c.starts_with(w)).collect();
    hits.sort_unstable();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no command :{w} (:help lists them)")),
        many => Err(format!(":{w} is one of {}", many.join(", "))),
    }
}

/// Tab on `line`: the line completed as far as every candidate agrees, and the candidates
/// (more than one: the user picks). Completes the command word, then a stream name after
/// `stream `, a rule (`NAME` or `BUS/NAME`) after `rule `, a context after `ctx `.
pub fn complete(
    line: &str,
    streams: &[&str],
    rules: &[String],
    contexts: &[String],
) -> (String, Vec<String>) {
    let (word, arg) = match line.split_once(' ') {
        Some((w, a)) => (w, Some(a)),
        None => (line, None),
    };
    let Some(arg) = arg else {
        let hits: Vec<String> = words()
            .filter(|c| c.starts_with(word))
            .map(str::to_string)
            .collect();
        let done = extend(word, &hits);
        // One candidate that takes an argument: ready for it.
        return match hits.as_slice() {
            [one] if matches!(one.as_str(), "stream" | "rule" | "ctx" | "region") => {
                (format!("{one} "), hits)
            }
            _ => (done, hits),
        };
    };
    let pool: Vec<String> = match resolve(word) {
        Ok("stream") => streams.iter().map(|s| s.to_string()).collect(),
        Ok("rule") => rules.to_vec(),
        Ok("ctx") => contexts
            .iter()
            .cloned()
            .chain(["all".to_string()])
            .collect(),
        _ => Vec::new(),
    };
    let mut hits: Vec<String> = pool.into_iter().filter(|c| c.starts_with(arg)).collect();
    hits.sort();
    hits.dedup();
    (format!("{word} {}", extend(arg, &hits)), hits)
}

/// `typed` extended by what every one of `hits` shares after it.
fn extend(typed: &str, hits: &[String]) -> String {
    let Some(first) = hits.first() else {
        return typed.to_string();
    };
    let mut common = first.clone();
    for h in &hits[1..] {
        let n = common
            .char_indices()
            .zip(h.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8());
        common.truncate(n);
    }
    if common.len() > typed.len() {
        common
    } else {
        typed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_prefixes_and_arguments() {
        assert_eq!(parse("streams"), Ok(Command::Pane(Pane::Streams)));
        assert_eq!(parse("al"), Ok(Command::Pane(Pane::Alarms)));
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(parse("quit"), Ok(Command::Quit));
        assert_eq!(
            parse("stream  orders-to-s3 "),
            Ok(Command::Stream("orders-to-s3".into()))
        );
        assert_eq!(
            parse("rule orders-bus/order-events"),
            Ok(Command::Rule("orders-bus/order-events".into()))
        );
        assert_eq!(parse("ctx"), Ok(Command::Context(None)));
        assert!(parse("stream").unwrap_err().contains("needs a stream name"));
        // "st" is stream or streams: which one is not guessed.
        let e = parse("st").unwrap_err();
        assert!(e.contains("streams") && e.contains("stream,"), "{e}");
        assert!(parse("bogus").unwrap_err().contains("no command :bogus"));
        assert!(parse("").is_err());
    }

    #[test]
    fn tab_completes_words_then_names() {
        let streams = ["orders-to-s3", "orders-archive", "app-logs"];
        let rules = vec![
            "orders-bus/order-events".to_string(),
            "default/signups".to_string(),
        ];
        assert_eq!(complete("pip", &streams, &rules, &[]).0, "pipelines");
        // Ready for the argument.
        assert_eq!(complete("ru", &streams, &rules, &[]).0, "rule");
        assert_eq!(complete("rule", &streams, &rules, &[]).0, "rule");
        assert_eq!(complete("rul", &streams, &rules, &[]).0, "rule");
        let (line, hits) = complete("stream ord", &streams, &rules, &[]);
        assert_eq!(line, "stream orders-");
        assert_eq!(
            hits,
            vec!["orders-archive".to_string(), "orders-to-s3".to_string()]
        );
        assert_eq!(
            complete("stream app", &streams, &rules, &[]).0,
            "stream app-logs"
        );
        assert_eq!(
            complete("rule orders", &streams, &rules, &[]).0,
            "rule orders-bus/order-events"
        );
        assert_eq!(
            complete("ctx", &streams, &rules, &["lake".into()]).0,
            "ctx "
        );
    }
}
