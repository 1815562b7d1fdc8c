//! S3 key prefixes as Firehose writes them: the `Prefix` and `ErrorOutputPrefix` templates with
//! their `!{namespace:value}` expressions, parsed once and evaluated for an instant, an error
//! output type and a record's partition keys.
//!
//! Rules (Amazon Data Firehose Developer Guide, "Custom prefixes for Amazon S3 objects"):
//! - `!{timestamp:…}` is a Java `DateTimeFormatter` pattern evaluated at the arrival time of the
//!   oldest record of the object (UTC unless the stream sets `CustomTimeZone`); text in single
//!   quotes is literal.
//! - `!{firehose:error-output-type}` (only in `ErrorOutputPrefix`) is one of
//!   `processing-failed`, `AmazonOpenSearchService-failed`, `elasticsearch-failed`,
//!   `splunk-failed`, `http-endpoint-failed`, `format-conversion-failed`, … per the failure;
//!   `!{firehose:random-string}` is 11 random characters.
//! - `!{partitionKeyFromQuery:KEY}` / `!{partitionKeyFromLambda:KEY}`: a dynamically
//!   partitioned stream's keys.
//! - A `Prefix` without a timestamp expression gets `yyyy/MM/dd/HH/` appended; an
//!   `ErrorOutputPrefix` left unset evaluates to the `Prefix`, the error output type, then
//!   `yyyy/MM/dd/HH/`.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Timelike, Utc};

/// One piece of a prefix template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text taken as is.
    Literal(String),
    /// `!{timestamp:PATTERN}`.
    Timestamp(String),
    /// `!{firehose:error-output-type}`.
    ErrorOutputType,
    /// `!{firehose:random-string}`.
    RandomString,
    /// `!{partitionKeyFromQuery:KEY}`.
    FromQuery(String),
    /// `!{partitionKeyFromLambda:KEY}`.
    FromLambda(String),
    /// An expression Firehose would reject or fhtop does not know: `!{…}` as written.
    Unknown(String),
}

/// A parsed `Prefix` / `ErrorOutputPrefix`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    /// Its pieces, in order.
    pub parts: Vec<Part>,
}

impl Template {
    /// Parses `text`; an unterminated `!{` is literal text.
    pub fn parse(text: &str) -> Self {
        let mut parts = Vec::new();
        let mut rest = text;
        let mut literal = String::new();
        while let Some(i) = rest.find("!{") {
            let Some(end) = rest[i..].find('}') else {
                break;
            };
            literal.push_str(&rest[..i]);
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            let inner = &rest[i + 2..i + end];
            let (ns, value) = inner.split_once(':').unwrap_or((inner, ""));
            parts.push(match (ns.trim(), value) {
                ("timestamp", v) => Part::Timestamp(v.to_string()),
                ("firehose", "error-output-type") => Part::ErrorOutputType,
                ("firehose", "random-string") => Part::RandomString,
                ("partitionKeyFromQuery", k) => Part::FromQuery(k.trim().to_string()),
                ("partitionKeyFromLambda", k) => Part::FromLambda(k.trim().to_string()),
                _ => Part::Unknown(format!("!{{{inner}}}")),
            });
            rest = &rest[i + end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Self { parts }
    }

    /// Whether it has a `!{timestamp:…}` expression.
    pub fn has_timestamp(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Timestamp(_)))
    }

    /// The prefix a record arriving at `at` lands under: partition keys from `keys`
    /// (`!{partitionKeyFromQuery:K}` → `keys[K]`), `!{partitionKeyFromLambda:K}` shown as
    /// `<from Lambda: K>`, the random string as `<random>`, the error output type as `error_type`
    /// (or `<error-output-type>`). A `Prefix` without a timestamp expression gets
    /// `yyyy/MM/dd/HH/` appended, as Firehose does.
    ///
    /// Errors: the partition keys the template names and `keys` lacks.
    pub fn render(
        &self,
        at: DateTime<Utc>,
        keys: &BTreeMap<String, String>,
        error_type: Option<&str>,
    ) -> Result<String, Vec<String>> {
        let mut out = String::new();
        let mut missing = Vec::new();
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Timestamp(f) => out.push_str(&format_time(f, at).text),
                Part::ErrorOutputType => out.push_str(error_type.unwrap_or("<error-output-type>")),
                Part::RandomString => out.push_str("<random>"),
                Part::FromQuery(k) => match keys.get(k) {
                    Some(v) => out.push_str(v),
                    None => missing.push(k.clone()),
                },
                Part::FromLambda(k) => out.push_str(&format!("<from Lambda: {k}>")),
                Part::Unknown(s) => out.push_str(s),
            }
        }
        if !self.has_timestamp() {
            out.push_str(&format_time("yyyy/MM/dd/HH/", at).text);
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(missing)
        }
    }

    /// The S3 prefixes to list for objects written in the hour starting at `hour`: the
    /// template evaluated up to its first part that is not known for the whole hour (a
    /// minute or second field, a random string, a partition key), so that listing each
    /// finds every object of that hour. The error output type is expanded over `error_types`
    /// when a timestamp follows it (listing the head would list every day ever written);
    /// otherwise the listing stops at it and finds every type.
    pub fn hour_prefixes(&self, hour: DateTime<Utc>, error_types: &[&str]) -> Vec<String> {
        let mut heads = vec![String::new()];
        for (i, p) in self.parts.iter().enumerate() {
            match p {
                Part::Literal(s) => heads.iter_mut().for_each(|h| h.push_str(s)),
                Part::Timestamp(f) => {
                    let t = format_time(f, hour);
                    heads.iter_mut().for_each(|h| h.push_str(&t.text));
                    if !t.complete {
                        break;
                    }
                }
                Part::ErrorOutputType => {
                    let time_follows = self.parts[i + 1..]
                        .iter()
                        .any(|p| matches!(p, Part::Timestamp(_)));
                    if !time_follows || error_types.is_empty() {
                        break;
                    }
                    heads = heads
                        .iter()
                        .flat_map(|h| error_types.iter().map(move |t| format!("{h}{t}")))
                        .collect();
                }
                _ => break,
            }
        }
        heads
    }
}

/// A timestamp pattern evaluated at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// The text, up to the first field fhtop does not evaluate.
    pub text: String,
    /// Whether the whole pattern was evaluated: false at a field finer than an hour (`m`, `s`,
    /// `S`, …), a text field (`MMM`, `E`, `a`) or an optional section (`[`), where `text` stops.
    pub complete: bool,
}

/// Evaluates a Java `DateTimeFormatter` pattern at `t` (UTC): years `yyyy`/`uuuu`/`yy`, months
/// `MM`/`M`, days `dd`/`d`, hours `HH`/`H`; `'…'` literal, `''` a quote; other characters that
/// are not letters literal. Stops at anything else (see [`Formatted::complete`]).
pub fn format_time(pattern: &str, t: DateTime<Utc>) -> Formatted {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // '' is one quote; otherwise literal up to the closing quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            while j < chars.len() {
                if chars[j] == '\'' {
                    if chars.get(j + 1) == Some(&'\'') {
                        out.push('\'');
                        j += 2;
                        continue;
                    }
                    break;
                }
                out.push(chars[j]);
                j += 1;
            }
            i = j + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            if c == '[' || c == ']' || c == '{' || c == '}' || c == '#' {
                return Formatted {
                    text: out,
                    complete: false,
                };
            }
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let field = match (c, n) {
            ('y' | 'u', 2) => Some(format!("{:02}", t.year().rem_euclid(100))),
            ('y' | 'u', _) => Some(format!("{:0n$}", t.year())),
            ('M', 1 | 2) => Some(format!("{:0n$}", t.month())),
            ('d', 1 | 2) => Some(format!("{:0n$}", t.day())),
            ('H', 1 | 2) => Some(format!("{:0n$}", t.hour())),
            _ => None,
        };
        match field {
            Some(f) => out.push_str(&f),
            None => {
                return Formatted {
                    text: out,
                    complete: false,
                };
            }
        }
        i += n;
    }
    Formatted {
        text: out,
        complete: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2018, 7, 6, 23, 30, 0).unwrap()
    }

    #[test]
    fn java_patterns_and_quotes() {
        let f = |p| format_time(p, at());
        assert_eq!(f("yyyy/MM/dd/HH/").text, "2018/07/06/23/");
        assert_eq!(f("'year='yyyy'/month='MM").text, "year=2018/month=07");
        assert_eq!(f("yyyy-MM-dd").text, "2018-07-06");
        assert_eq!(f("yy''M").text, "18'7");
        let partial = f("yyyy/MM/dd/HH/mm");
        assert_eq!(
            (partial.text.as_str(), partial.complete),
            ("2018/07/06/23/", false)
        );
    }

    #[test]
    fn parses_every_namespace() {
        let t = Template::parse(
            "a/!{partitionKeyFromQuery:region}/!{partitionKeyFromLambda:x}/!{firehose:random-string}/!{timestamp:yyyy}/!{firehose:error-output-type}!{bogus}",
        );
        assert_eq!(
            t.parts,
            vec![
                Part::Literal("a/".into()),
                Part::FromQuery("region".into()),
                Part::Literal("/".into()),
                Part::FromLambda("x".into()),
                Part::Literal("/".into()),
                Part::RandomString,
                Part::Literal("/".into()),
                Part::Timestamp("yyyy".into()),
                Part::Literal("/".into()),
                Part::ErrorOutputType,
                Part::Unknown("!{bogus}".into()),
            ]
        );
        assert_eq!(
            Template::parse("plain/!{open").parts,
            vec![Part::Literal("plain/!{open".into())]
        );
    }

    /// The Developer Guide's examples, evaluated at 23:30 on 2018-07-06.
    #[test]
    fn hour_prefixes_follow_the_guide() {
        let types = ["processing-failed", "format-conversion-failed"];
        let t = Template::parse(
            "myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}",
        );
        // The type is last: one listing finds every type.
        assert_eq!(
            t.hour_prefixes(at(), &types),
            vec!["myErrorPrefix/year=2018/month=07/day=06/hour=23/"]
        );
        // The type first: one listing per type, bounded by the day.
        let t = Template::parse("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/");
        assert_eq!(
            t.hour_prefixes(at(), &types),
            vec![
                "errors/processing-failed/2018/07/06/",
                "errors/format-conversion-failed/2018/07/06/"
            ]
        );
        // A random string ends what can be listed.
        let t = Template::parse("x/!{timestamp:yyyy}/!{firehose:random-string}/y");
        assert_eq!(t.hour_prefixes(at(), &types), vec!["x/2018/"]);
    }

    #[test]
    fn render_expands_keys_and_names_the_missing() {
        let t = Template::parse(
            "orders/!{partitionKeyFromQuery:region}/!{partitionKeyFromQuery:tier}/dt=!{timestamp:yyyy-MM-dd}/",
        );
        let mut keys = BTreeMap::new();
        keys.insert("region".to_string(), "eu".to_string());
        assert_eq!(t.render(at(), &keys, None), Err(vec!["tier".to_string()]));
        keys.insert("tier".to_string(), "gold".to_string());
        assert_eq!(
            t.render(at(), &keys, None).as_deref(),
            Ok("orders/eu/gold/dt=2018-07-06/")
        );
        // No timestamp expression: Firehose appends yyyy/MM/dd/HH/.
        assert_eq!(
            Template::parse("audit/")
                .render(at(), &keys, None)
                .as_deref(),
            Ok("audit/2018/07/06/23/")
        );
    }
}
