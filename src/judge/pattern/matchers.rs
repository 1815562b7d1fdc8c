//! The values of a pattern field's list: one [`Matcher`] each, how it reads, and the hints for a
//! miss.

use std::net::IpAddr;

use serde_json::Value;

use super::PatternError;

/// One element of a pattern field's list.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// An exact string, number, `true`, `false` or `null` (numbers compare by value).
    Exact(Value),
    /// `{"prefix": "x"}`, or with `{"equals-ignore-case": "x"}` inside.
    Prefix {
        /// The prefix.
        text: String,
        /// Ignore case.
        ignore_case: bool,
    },
    /// `{"suffix": "x"}`, or with `{"equals-ignore-case": "x"}` inside.
    Suffix {
        /// The suffix.
        text: String,
        /// Ignore case.
        ignore_case: bool,
    },
    /// `{"equals-ignore-case": "x"}`.
    EqualsIgnoreCase(String),
    /// `{"wildcard": "*.png"}`: `*` is any run of characters, `\*` a star, `\\` a backslash.
    Wildcard(String),
    /// `{"anything-but": …}`: the field is present and none of these match it.
    AnythingBut(Vec<Matcher>),
    /// `{"numeric": [">", 0, "<=", 5]}`: every comparison holds (numbers only).
    Numeric(Vec<(String, f64)>),
    /// `{"exists": true|false}`: the field is present with a leaf value (`null` included) /
    /// absent. An object is not a leaf: it does not count as present (EventBridge applies
    /// `exists` to leaf values only).
    Exists(bool),
    /// `{"cidr": "10.0.0.0/24"}` (IPv4 or IPv6): a string IP address inside the block.
    Cidr(IpAddr, u8),
}

fn text_or_ignore_case(v: &Value, op: &str, path: &str) -> Result<(String, bool), PatternError> {
    match v {
        Value::String(s) => Ok((s.clone(), false)),
        Value::Object(m) if m.len() == 1 => match m.get("equals-ignore-case") {
            Some(Value::String(s)) => Ok((s.clone(), true)),
            _ => Err(PatternError(format!(
                "{path}: {op} takes a string or {{\"equals-ignore-case\": string}}"
            ))),
        },
        _ => Err(PatternError(format!("{path}: {op} takes a string"))),
    }
}

fn strings(v: &Value, op: &str, path: &str) -> Result<Vec<String>, PatternError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| PatternError(format!("{path}: {op} takes strings")))
            })
            .collect(),
        _ => Err(PatternError(format!(
            "{path}: {op} takes a string or a list"
        ))),
    }
}

fn cidr(s: &str, path: &str) -> Result<(IpAddr, u8), PatternError> {
    let bad = || {
        PatternError(format!(
            "{path}: cidr {s:?} is not an address/prefix-length"
        ))
    };
    let (ip, len) = s.split_once('/').ok_or_else(bad)?;
    let ip: IpAddr = ip.parse().map_err(|_| bad())?;
    let len: u8 = len.parse().map_err(|_| bad())?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    if len > max {
        return Err(bad());
    }
    Ok((ip, len))
}

impl Matcher {
    /// Parses one element of the list at `path`.
    ///
    /// Errors: [`PatternError`] for an unknown operator or a malformed operand.
    pub fn parse(v: &Value, path: &str) -> Result<Self, PatternError> {
        let Value::Object(m) = v else {
            return match v {
                Value::Array(_) => Err(PatternError(format!(
                    "{path}: a list inside a field's list is not allowed"
                ))),
                other => Ok(Matcher::Exact(other.clone())),
            };
        };
        let Some((op, arg)) = m.iter().next().filter(|_| m.len() == 1) else {
            return Err(PatternError(format!(
                "{path}: an operator object has exactly one key"
            )));
        };
        Ok(match op.as_str() {
            "prefix" => {
                let (text, ignore_case) = text_or_ignore_case(arg, op, path)?;
                Matcher::Prefix { text, ignore_case }
            }
            "suffix" => {
                let (text, ignore_case) = text_or_ignore_case(arg, op, path)?;
                Matcher::Suffix { text, ignore_case }
            }
            "equals-ignore-case" => match arg {
                Value::String(s) => Matcher::EqualsIgnoreCase(s.clone()),
                _ => return Err(PatternError(format!("{path}: {op} takes a string"))),
            },
            "wildcard" => match arg {
                Value::String(s) => Matcher::Wildcard(valid_wildcard(s, path)?),
                _ => return Err(PatternError(format!("{path}: {op} takes a string"))),
            },
            "anything-but" => Matcher::AnythingBut(match arg {
                Value::String(_) | Value::Number(_) => vec![Matcher::Exact(arg.clone())],
                Value::Array(items)
                    if items.iter().all(Value::is_string) || items.iter().all(Value::is_number) =>
                {
                    items.iter().map(|i| Matcher::Exact(i.clone())).collect()
                }
                Value::Array(_) => {
                    return Err(PatternError(format!(
                        "{path}: an anything-but list holds only strings or only numbers"
                    )));
                }
                Value::Object(inner) if inner.len() == 1 => {
                    let (iop, iarg) = inner.iter().next().ok_or_else(|| {
                        PatternError(format!("{path}: anything-but needs an operand"))
                    })?;
                    match iop.as_str() {
                        "prefix" | "suffix" => {
                            let (text, ignore_case) = text_or_ignore_case(iarg, iop, path)?;
                            vec![if iop == "prefix" {
                                Matcher::Prefix { text, ignore_case }
                            } else {
                                Matcher::Suffix { text, ignore_case }
                            }]
                        }
                        "equals-ignore-case" => strings(iarg, iop, path)?
                            .into_iter()
                            .map(Matcher::EqualsIgnoreCase)
                            .collect(),
                        "wildcard" => strings(iarg, iop, path)?
                            .into_iter()
                            .map(|w| valid_wildcard(&w, path).map(Matcher::Wildcard))
                            .collect::<Result<_, _>>()?,
                        other => {
                            return Err(PatternError(format!(
                                "{path}: anything-but does not take {other:?}"
                            )));
                        }
                    }
                }
                _ => {
                    return Err(PatternError(format!(
                        "{path}: anything-but takes a value, a list or an operator"
                    )));
                }
            }),
            "numeric" => {
                let Value::Array(a) = arg else {
                    return Err(PatternError(format!("{path}: numeric takes a list")));
                };
                if a.is_empty() || a.len() % 2 != 0 || a.len() > 4 {
                    return Err(PatternError(format!(
                        "{path}: numeric takes one or two (operator, number) pairs"
                    )));
                }
                let mut cmp = Vec::new();
                for pair in a.chunks(2) {
                    match (pair[0].as_str(), pair[1].as_f64()) {
                        (Some(o @ ("=" | "<" | "<=" | ">" | ">=")), Some(n)) => {
                            cmp.push((o.to_string(), n))
                        }
                        _ => {
                            return Err(PatternError(format!(
                                "{path}: numeric comparisons are =, <, <=, >, >= and a number"
                            )));
                        }
                    }
                }
                Matcher::Numeric(cmp)
            }
            "exists" => match arg {
                Value::Bool(b) => Matcher::Exists(*b),
                _ => return Err(PatternError(format!("{path}: exists takes true or false"))),
            },
            "cidr" => match arg {
                Value::String(s) => {
                    let (ip, len) = cidr(s, path)?;
                    Matcher::Cidr(ip, len)
                }
                _ => return Err(PatternError(format!("{path}: cidr takes a string"))),
            },
            other => {
                return Err(PatternError(format!("{path}: unknown operator {other:?}")));
            }
        })
    }

    /// Whether the field, with these values (empty: absent), matches.
    pub fn accepts(&self, values: &[&Value]) -> bool {
        match self {
            Matcher::Exists(want) => values.iter().all(|v| v.is_object()) != *want,
            Matcher::AnythingBut(inner) => {
                !values.is_empty()
                    && values
                        .iter()
                        .any(|v| !v.is_object() && !inner.iter().any(|m| m.one(v)))
            }
            m => values.iter().any(|v| m.one(v)),
        }
    }

    /// Whether one value matches (for every matcher but `exists` and `anything-but`).
    fn one(&self, v: &Value) -> bool {
        match self {
            Matcher::Exact(want) => match (want, v) {
                (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                (a, b) => a == b,
            },
            Matcher::Prefix { text, ignore_case } => v.as_str().is_some_and(|s| {
                if *ignore_case {
                    s.to_lowercase().starts_with(&text.to_lowercase())
                } else {
                    s.starts_with(text.as_str())
                }
            }),
            Matcher::Suffix { text, ignore_case } => v.as_str().is_some_and(|s| {
                if *ignore_case {
                    s.to_lowercase().ends_with(&text.to_lowercase())
                } else {
                    s.ends_with(text.as_str())
                }
            }),
            Matcher::EqualsIgnoreCase(t) => v
                .as_str()
                .is_some_and(|s| s.to_lowercase() == t.to_lowercase()),
            Matcher::Wildcard(p) => v.as_str().is_some_and(|s| wildcard(p, s)),
            Matcher::Numeric(cmp) => v.as_f64().filter(|_| v.is_number()).is_some_and(|x| {
                cmp.iter().all(|(o, n)| match o.as_str() {
                    "=" => x == *n,
                    "<" => x < *n,
                    "<=" => x <= *n,
                    ">" => x > *n,
                    _ => x >= *n,
                })
            }),
            Matcher::Cidr(net, len) => v
                .as_str()
                .and_then(|s| s.parse::<IpAddr>().ok())
                .is_some_and(|ip| in_block(ip, *net, *len)),
            Matcher::AnythingBut(_) | Matcher::Exists(_) => self.accepts(&[v]),
        }
    }

    /// How the pattern reads: `"Order Placed"`, `prefix "us-"`, `numeric > 0, <= 5`, ….
    pub fn describe(&self) -> String {
        let ic = |b: &bool| if *b { " (ignoring case)" } else { "" };
        match self {
            Matcher::Exact(v) => v.to_string(),
            Matcher::Prefix { text, ignore_case } => format!("prefix {text:?}{}", ic(ignore_case)),
            Matcher::Suffix { text, ignore_case } => format!("suffix {text:?}{}", ic(ignore_case)),
            Matcher::EqualsIgnoreCase(t) => format!("{t:?} ignoring case"),
            Matcher::Wildcard(p) => format!("wildcard {p:?}"),
            Matcher::AnythingBut(inner) => format!(
                "anything but {}",
                inner
                    .iter()
                    .map(Matcher::describe)
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Matcher::Numeric(c) => format!(
                "a number {}",
                c.iter()
                    .map(|(o, n)| format!("{o} {n}"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Matcher::Exists(true) => "the field present".into(),
            Matcher::Exists(false) => "the field absent".into(),
            Matcher::Cidr(ip, len) => format!("an address in {ip}/{len}"),
        }
    }
}

/// A wildcard operand as EventBridge accepts it: no `**`, and `\` escapes only `*` and `\`.
fn valid_wildcard(w: &str, path: &str) -> Result<String, PatternError> {
    let mut prev_star = false;
    let mut it = w.chars();
    while let Some(c) = it.next() {
        match c {
            '*' if prev_star => {
                return Err(PatternError(format!(
                    "{path}: wildcard {w:?} has consecutive *"
                )));
            }
            '*' => prev_star = true,
            '\\' => {
                if !matches!(it.next(), Some('*' | '\\')) {
                    return Err(PatternError(format!(
                        "{path}: wildcard {w:?}: \\ escapes only * and \\"
                    )));
                }
                prev_star = false;
            }
            _ => prev_star = false,
        }
    }
    Ok(w.to_string())
}

/// `*` any run of characters (none included); `\*` a literal star, `\\` a literal backslash.
fn wildcard(pattern: &str, s: &str) -> bool {
    // Tokens: Some(c) a literal character, None a star.
    let mut toks: Vec<Option<char>> = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => toks.push(Some(it.next().unwrap_or('\\'))),
            '*' => toks.push(None),
            c => toks.push(Some(c)),
        }
    }
    let text: Vec<char> = s.chars().collect();
    // Classic two-pointer glob match with backtracking to the last star.
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Some(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            Some(None) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[p..].iter().all(Option::is_none)
}

fn in_block(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len))
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// The list as it reads: `"A" or prefix "b"`.
pub(super) fn describe(ms: &[Matcher]) -> String {
    if ms.is_empty() {
        return "nothing (an empty list matches no value)".into();
    }
    ms.iter()
        .map(Matcher::describe)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The event's values as JSON, at most three, long ones cut.
pub(super) fn show_values(vs: &[&Value]) -> String {
    let mut shown: Vec<String> = vs
        .iter()
        .take(3)
        .map(|v| crate::text::fit(&v.to_string(), 80))
        .collect();
    if vs.len() > 3 {
        shown.push(format!("… ({} values)", vs.len()));
    }
    shown.join(", ")
}

/// The hint for a field whose event value is a string where the pattern wants an object.
pub(super) fn encoded_json_hint(vs: &[&Value], path: &str) -> Option<String> {
    vs.iter().find_map(|v| {
        v.as_str()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .filter(Value::is_object)
            .map(|_| {
                format!(
                    "{path} arrives as a JSON-encoded string: EventBridge does not parse it, so no \
                     field inside it can match; the producer must send {path} as an object"
                )
            })
    })
}

/// The likely trap behind a miss of `ms` against `values` at `path`.
pub(super) fn hint(
    ms: &[Matcher],
    values: &[&Value],
    path: &str,
    parents: &[&Value],
    key: &str,
) -> Option<String> {
    let strings: Vec<&str> = values.iter().filter_map(|v| v.as_str()).collect();
    for m in ms {
        match m {
            Matcher::Exact(Value::String(w)) => {
                if let Some(s) = strings
                    .iter()
                    .find(|s| s.to_lowercase() == w.to_lowercase())
                {
                    return Some(format!(
                        "differs only in case: the event has {s:?}; matching is case-sensitive \
                         ({{\"equals-ignore-case\": {w:?}}} would match)"
                    ));
                }
                if let Some(n) = values.iter().find(|v| v.is_number() && v.to_string() == *w) {
                    return Some(format!(
                        "the event sends the number {n}; the pattern wants the string {w:?}"
                    ));
                }
            }
            Matcher::Exact(Value::Number(w)) => {
                if let Some(s) = strings
                    .iter()
                    .find(|s| s.trim().parse::<f64>().ok() == w.as_f64())
                {
                    return Some(format!(
                        "the event sends {s:?} as a string; the pattern wants the number {w}"
                    ));
                }
            }
            Matcher::Exact(Value::Null) if values.is_empty() => {
                return Some(
                    "the field is absent; null matches only a field present with the value null \
                     ({\"exists\": false} matches an absent field)"
                        .into(),
                );
            }
            Matcher::Exists(false) if values.iter().any(|v| v.is_null()) => {
                return Some(
                    "the field is present with the value null: exists false matches only when \
                     the field is absent (null matches null)"
                        .into(),
                );
            }
            Matcher::Numeric(_) if !strings.is_empty() => {
                return Some(format!(
                    "numeric matches JSON numbers only; the event sends {:?} as a string",
                    strings[0]
                ));
            }
            _ => {}
        }
    }
    if values.iter().any(|v| v.is_object()) {
        return Some(format!(
            "the event has an object at {path}: these operators apply to a value; move them to \
             the field inside it"
        ));
    }
    if values.is_empty() {
        // The key is absent: is it one level up or down, or named with another case?
        let near: Option<String> = parents.iter().find_map(|p| {
            p.as_object().and_then(|m| {
                m.keys()
                    .find(|k| k.to_lowercase() == key.to_lowercase() && k.as_str() != key)
                    .cloned()
            })
        });
        if let Some(k) = near {
            return Some(format!(
                "the event has {k:?} here: field names are case-sensitive"
            ));
        }
    }
    None
}
