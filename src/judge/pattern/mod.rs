//! EventBridge event patterns: does this event match this rule's pattern, and if not, why not.
//!
//! A local evaluator of every operator the EventBridge User Guide documents ("Content filtering
//! in Amazon EventBridge event patterns", "Comparison operators for use in event patterns"):
//! exact strings, numbers, `true` / `false` / `null` and the empty string; arrays in the event
//! (any element matches); `prefix`, `suffix` (both also with `equals-ignore-case`),
//! `equals-ignore-case`, `wildcard`, `anything-but` (values, lists, `prefix`, `suffix`,
//! `equals-ignore-case`, `wildcard`), `numeric` ranges, `exists`, `cidr` (IPv4 and IPv6) and
//! `$or`. Fields are matched as EventBridge matches them: every field of the pattern must match
//! (AND), any value of a field's list may (OR), and arrays in the event are looked through: a
//! leaf array matches when any element does, and an array of objects when one element matches
//! the nested fields on its own (fields are not mixed across elements). `exists` looks at leaf
//! values only.
//!
//! A miss names the first field that failed, what the pattern wanted and what the event had,
//! with a hint for the usual traps (case, a number sent as a string, `null` vs missing, a
//! `detail` that arrives JSON-encoded, an operator on an object). Among `$or` branches the
//! nearest miss (the branch with the most fields matched) is reported.
//!
//! No crate does this: quamina (and its Rust port) answers which patterns match, fast, but
//! cannot say why one did not, and lacks `cidr`; the explanation is what fhtop is for.

mod matchers;
pub mod samples;

use serde::Serialize;
use serde_json::Value;

pub use matchers::Matcher;
pub use samples::{Sample, SampleReport, sample_groups, test_samples};

/// A pattern that cannot be used: not JSON, not an object, a field whose value is not a list,
/// an unknown operator. The message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid event pattern: {0}")]
pub struct PatternError(pub String);

/// Why an event does not match: the first field that failed (of the nearest `$or` branch).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// The field, as a dotted path from the event's root (e.g. "detail.status").
    pub path: String,
    /// What the pattern wants there, e.g. `"Order Placed"` or `prefix "us-"`.
    pub wanted: String,
    /// What the event has there: its value(s), or "missing".
    pub had: String,
    /// The likely trap, when one is recognised (e.g. "differs only in case").
    pub hint: Option<String>,
    /// Fields of the pattern that did match before this one (how near the miss is).
    pub matched: usize,
}

impl Miss {
    /// One line: `detail-type: wanted "order placed", had "Order Placed" (differs only in
    /// case…)`.
    pub fn line(&self) -> String {
        let mut s = format!("{}: wanted {}, had {}", self.path, self.wanted, self.had);
        if let Some(h) = &self.hint {
            s.push_str(&format!(" ({h})"));
        }
        s
    }
}

/// The verdict of one event against one pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Verdict {
    /// Every field of the pattern matched.
    Match,
    /// The first field that did not.
    NoMatch(Miss),
}

impl Verdict {
    /// Whether the event matched.
    pub fn is_match(&self) -> bool {
        matches!(self, Verdict::Match)
    }
}

/// A parsed, validated event pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    root: Node,
}

/// One level of a pattern: its fields in order, each a nested level or a list of matchers, and
/// `$or` alternatives.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Fields(Vec<(String, Field)>),
}

#[derive(Debug, Clone, PartialEq)]
enum Field {
    Nested(Node),
    Leaf(Vec<Matcher>),
    Or(Vec<Node>),
}

impl Pattern {
    /// Parses a pattern (the rule's `EventPattern` JSON).
    ///
    /// Errors: [`PatternError`] naming what is wrong and where.
    pub fn parse(json: &str) -> Result<Self, PatternError> {
        let v: Value =
            serde_json::from_str(json).map_err(|e| PatternError(format!("not JSON: {e}")))?;
        Self::from_value(&v)
    }

    /// A pattern from a JSON value (an object).
    ///
    /// Errors: [`PatternError`] naming what is wrong and where.
    pub fn from_value(v: &Value) -> Result<Self, PatternError> {
        Ok(Self { root: node(v, "")? })
    }

    /// Tests `event` (any JSON value; an EventBridge event is an object).
    pub fn test(&self, event: &Value) -> Verdict {
        match eval(&self.root, &[event], "") {
            Ok(_) => Verdict::Match,
            Err(m) => Verdict::NoMatch(m),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn node(v: &Value, path: &str) -> Result<Node, PatternError> {
    let Value::Object(map) = v else {
        return Err(PatternError(format!(
            "{}: a pattern level must be an object",
            if path.is_empty() { "(root)" } else { path }
        )));
    };
    if map.is_empty() {
        return Err(PatternError(format!(
            "{}: an empty object matches nothing EventBridge accepts",
            if path.is_empty() { "(root)" } else { path }
        )));
    }
    let mut fields = Vec::with_capacity(map.len());
    for (k, v) in map {
        let here = join(path, k);
        let f = if k == "$or" {
            let Value::Array(alts) = v else {
                return Err(PatternError(format!(
                    "{here}: $or takes a list of patterns"
                )));
            };
            if alts.len() < 2 {
                return Err(PatternError(format!(
                    "{here}: $or needs at least two patterns"
                )));
            }
            Field::Or(
                alts.iter()
                    .map(|a| node(a, path))
                    .collect::<Result<_, _>>()?,
            )
        } else {
            match v {
                Value::Object(_) => Field::Nested(node(v, &here)?),
                Value::Array(items) => Field::Leaf(
                    items
                        .iter()
                        .map(|m| Matcher::parse(m, &here))
                        .collect::<Result<_, _>>()?,
                ),
                _ => {
                    return Err(PatternError(format!(
                        "{here}: a field's values must be a list, e.g. [{v}]"
                    )));
                }
            }
        };
        fields.push((k.clone(), f));
    }
    Ok(Node::Fields(fields))
}

/// The values under `key` of every object in `nodes`, arrays looked through at every level.
fn children<'a>(nodes: &[&'a Value], key: &str) -> Vec<&'a Value> {
    fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
            other => out.push(other),
        }
    }
    let mut out = Vec::new();
    for n in nodes {
        if let Value::Object(m) = n
            && let Some(v) = m.get(key)
        {
            flatten(v, &mut out);
        }
    }
    out
}

/// The first alternative that matches (tried lazily, in order), else the nearest miss: the one
/// with the most fields matched. No alternatives at all match trivially.
fn any_of(alts: impl Iterator<Item = Result<usize, Miss>>) -> Result<usize, Miss> {
    let mut nearest: Option<Miss> = None;
    for r in alts {
        match r {
            Ok(k) => return Ok(k),
            Err(m) => {
                if nearest.as_ref().is_none_or(|b| m.matched > b.matched) {
                    nearest = Some(m);
                }
            }
        }
    }
    nearest.map_or(Ok(0), Err)
}

/// Matches one level; the number of leaf fields matched, or the first miss.
fn eval(n: &Node, nodes: &[&Value], path: &str) -> Result<usize, Miss> {
    let Node::Fields(fields) = n;
    let mut matched = 0;
    for (key, f) in fields {
        let r = match f {
            Field::Or(alts) => any_of(alts.iter().map(|a| eval(a, nodes, path))),
            Field::Nested(inner) => {
                let here = join(path, key);
                let kids = children(nodes, key);
                let objects: Vec<&Value> = kids.iter().copied().filter(|k| k.is_object()).collect();
                if objects.is_empty() {
                    // Nothing to look inside: only `exists: false` below can still match.
                    eval(inner, &[], &here).map_err(|mut m| {
                        if !kids.is_empty() {
                            m.hint = m.hint.or_else(|| {
                                matchers::encoded_json_hint(&kids, &here).or_else(|| {
                                    Some(format!(
                                        "{here} is {}, not an object with fields",
                                        matchers::show_values(&kids)
                                    ))
                                })
                            });
                        }
                        m
                    })
                } else {
                    // Each element of an array of objects is matched on its own (fields of
                    // one element, not mixed across elements); the nearest element's miss.
                    any_of(objects.iter().map(|o| eval(inner, &[*o], &here)))
                }
            }
            Field::Leaf(ms) => {
                let here = join(path, key);
                let kids = children(nodes, key);
                if ms.iter().any(|m| m.accepts(&kids)) {
                    Ok(1)
                } else {
                    Err(Miss {
                        wanted: matchers::describe(ms),
                        had: if kids.is_empty() {
                            "missing".into()
                        } else {
                            matchers::show_values(&kids)
                        },
                        hint: matchers::hint(ms, &kids, &here, nodes, key),
                        path: here,
                        matched: 0,
                    })
                }
            }
        };
        match r {
            Ok(k) => matched += k,
            Err(mut m) => {
                m.matched += matched;
                return Err(m);
            }
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests;
