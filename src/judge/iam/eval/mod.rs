//! A small, separate IAM policy evaluator: the fallback engine when
//! `iam:SimulatePrincipalPolicy` is not available (access denied to it, or an endpoint that
//! does not implement it), and the judge of every resource-side policy (bucket, Kinesis stream,
//! KMS key, trust policy) next to either engine.
//!
//! It implements the AWS evaluation logic for the policies fhtop reads (IAM User Guide,
//! "Policy evaluation logic",
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! - Allow/Deny, Action/NotAction and Resource/NotResource with `*`/`?` wildcards,
//!   case-insensitive actions and case-sensitive resources; an explicit deny wins.
//! - The permissions boundary intersects identity grants and resource-policy grants to the role
//!   ARN; a same-account resource-policy grant to the role *session* (or to `*`, which reaches
//!   the session) is not limited by an implicit deny in the boundary ("The effect of permissions
//!   boundaries" in the evaluation logic page, and "Permissions boundaries for IAM entities").
//! - A resource-policy Deny naming the account (`arn:aws:iam::ACCOUNT:root`, bare id) covers
//!   every principal of the account; an Allow naming it only delegates to the account's IAM.
//! - A Principal with a partial wildcard (`role/fh-*`) matches nothing: `*` is accepted only
//!   alone ("AWS JSON policy elements: Principal" — "You cannot use a wildcard to match part of
//!   a principal name or ARN").
//! - NotPrincipal + Deny always denies a principal with a permissions boundary
//!   ("AWS JSON policy elements: NotPrincipal").
//! - Across accounts both the principal's side (identity ∧ boundary) and the resource policy
//!   must allow ("Cross-account policy evaluation logic"); an owner not known is undetermined
//!   when the answer depends on it.
//! - KMS keys: the key policy must allow the principal, or the account (then IAM decides) —
//!   KMS developer guide, "Key policies in AWS KMS".
//! - Conditions with every documented operator (String, Arn, Numeric, Date, Bool, IpAddress,
//!   Null, …IfExists) and the set operators ForAnyValue/ForAllValues ("Condition operators",
//!   "Set operators for multivalued context keys"). A key the request is known not to carry is
//!   absent (with [`Missing::Absent`], as SimulatePrincipalPolicy treats keys not given); a key
//!   whose value fhtop cannot know makes the answer "undetermined: needs `<key>`", never
//!   "allowed".
//! - A request resource with `*` (the default of `perms custom`) asks "on some resource it
//!   covers": statements are matched by overlap, not compared literally.
//!
//! No crate on crates.io evaluates IAM policies and is maintained (the few there are parsers
//! or abandoned), so this stays small, table-tested (`tests/eval.rs`) and checked against an
//! independent simulator (`src/judge/iam/diff/`).

use std::collections::BTreeMap;

use serde_json::Value;

pub use crate::model::policy::{Decision, Matched, PolicyKind};

/// One policy document with the name to report when one of its statements decides.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The name reported when one of its statements decides (the policy's name).
    pub name: String,
    /// How the policy takes part: identity, boundary, resource or trust.
    pub kind: PolicyKind,
    /// The policy's statements, in document order.
    pub statements: Vec<Statement>,
}

/// One parsed policy statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The statement's `Sid`, when it has one.
    pub sid: Option<String>,
    /// `Effect`: true for Allow, false for Deny.
    pub allow: bool,
    /// `Action` patterns, or `NotAction` patterns when `not_action`.
    pub actions: Vec<String>,
    /// The patterns in `actions` are `NotAction` (the statement applies to every other action).
    pub not_action: bool,
    /// `Resource` patterns (with `*`/`?` wildcards), or `NotResource` patterns when `not_resource`.
    pub resources: Vec<String>,
    /// The patterns in `resources` are `NotResource`.
    pub not_resource: bool,
    /// Resource policies only: `Principal` / `NotPrincipal` AWS entries (`*` for everyone).
    pub principals: Option<Vec<String>>,
    /// The entries in `principals` are `NotPrincipal`.
    pub not_principal: bool,
    /// operator → key → values.
    pub conditions: Vec<Condition>,
}

/// One `Condition` test: operator, key and the values it accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The condition operator as written, e.g. "StringEquals", "ArnLike", "Bool".
    pub operator: String,
    /// The condition key as written, e.g. "aws:SourceArn" (compared case-insensitively).
    pub key: String,
    /// The values the key is compared with (a single string in the document becomes one value).
    pub values: Vec<String>,
}

/// A policy document that could not be parsed. Displays as "policy `name`: `reason`".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy {name}: {reason}")]
pub struct ParseError {
    /// The policy's name.
    pub name: String,
    /// What is wrong with it (invalid JSON, a field of the wrong type, ...).
    pub reason: String,
}

/// Parse a policy document as IAM returns it: JSON, or URL-encoded JSON (the IAM query API
/// returns documents percent-encoded).
pub fn parse(name: &str, kind: PolicyKind, document: &str) -> Result<Policy, ParseError> {
    let err = |reason: String| ParseError {
        name: name.to_string(),
        reason,
    };
    let v: Value = match serde_json::from_str(document) {
        Ok(v) => v,
        Err(first) => {
            let decoded = percent_encoding::percent_decode_str(document)
                .decode_utf8()
                .map_err(|e| err(format!("not UTF-8 after URL-decoding: {e}")))?;
            serde_json::from_str(&decoded).map_err(|_| err(format!("not JSON: {first}")))?
        }
    };
    let statements = match v.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return Err(err("no Statement".into())),
    };
    let statements = statements
        .into_iter()
        .map(|s| statement(s).map_err(err))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Policy {
        name: name.to_string(),
        kind,
        statements,
    })
}

fn strings(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.clone()),
                Value::Bool(b) => Ok(b.to_string()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(format!("unexpected value {x}")),
            })
            .collect(),
        Value::Bool(b) => Ok(vec![b.to_string()]),
        Value::Number(n) => Ok(vec![n.to_string()]),
        _ => Err(format!("unexpected value {v}")),
    }
}

fn statement(s: &Value) -> Result<Statement, String> {
    let effect = s.get("Effect").and_then(Value::as_str).unwrap_or("");
    let allow = match effect {
        "Allow" => true,
        "Deny" => false,
        e => return Err(format!("Effect {e:?} is neither Allow nor Deny")),
    };
    let pick = |a: &str, na: &str| -> Result<(Vec<String>, bool), String> {
        match (s.get(a), s.get(na)) {
            (Some(v), None) => Ok((strings(v)?, false)),
            (None, Some(v)) => Ok((strings(v)?, true)),
            (None, None) => Err(format!("statement has neither {a} nor {na}")),
            (Some(_), Some(_)) => Err(format!("statement has both {a} and {na}")),
        }
    };
    let (actions, not_action) = pick("Action", "NotAction")?;
    // A resource policy may omit Resource only in odd cases; treat a missing one as "*".
    let (resources, not_resource) = match pick("Resource", "NotResource") {
        Ok(x) => x,
        Err(_) if s.get("Resource").is_none() && s.get("NotResource").is_none() => {
            (vec!["*".to_string()], false)
        }
        Err(e) => return Err(e),
    };
    let (principals, not_principal) = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => (Some(principal_entries(p)?), false),
        (None, Some(p)) => (Some(principal_entries(p)?), true),
        (None, None) => (None, false),
    };
    let mut conditions = Vec::new();
    if let Some(Value::Object(ops)) = s.get("Condition") {
        for (op, keys) in ops {
            let Value::Object(keys) = keys else {
                return Err(format!("Condition {op} is not an object"));
            };
            for (key, values) in keys {
                conditions.push(Condition {
                    operator: op.clone(),
                    key: key.clone(),
                    values: strings(values)?,
                });
            }
        }
    }
    Ok(Statement {
        sid: s.get("Sid").and_then(Value::as_str).map(str::to_string),
        allow,
        actions,
        not_action,
        resources,
        not_resource,
        principals,
        not_principal,
        conditions,
    })
}

/// `"*"`, `{"AWS": ...}`, `{"Service": ...}`: only the AWS entries can name a role; other
/// kinds are kept with their kind so they never match one.
fn principal_entries(p: &Value) -> Result<Vec<String>, String> {
    match p {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Object(m) => {
            let mut out = Vec::new();
            for (kind, v) in m {
                for s in strings(v)? {
                    if kind == "AWS" {
                        // A bare account id means the account's root: "123456789012" →
                        // "arn:aws:iam::123456789012:root".
                        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
                            out.push(format!("arn:aws:iam::{s}:root"));
                        } else {
                            out.push(s);
                        }
                    } else {
                        out.push(format!("{kind}:{s}"));
                    }
                }
            }
            Ok(out)
        }
        _ => Err(format!("unexpected Principal {p}")),
    }
}

/// `*` matches any run of characters, `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether two patterns (`*` any run, `?` one character) match some string in common.
pub fn overlap(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    // reach[i][j]: a[..i] and b[..j] can both produce one common string.
    let mut reach = vec![vec![false; m + 1]; n + 1];
    reach[0][0] = true;
    for i in 0..=n {
        for j in 0..=m {
            if !reach[i][j] {
                continue;
            }
            // A '*' may produce nothing more.
            if i < n && a[i] == '*' {
                reach[i + 1][j] = true;
            }
            if j < m && b[j] == '*' {
                reach[i][j + 1] = true;
            }
            if i < n && j < m {
                let (x, y) = (a[i], b[j]);
                let any = |c: char| c == '*' || c == '?';
                if any(x) || any(y) || x == y {
                    // Both produce one same character; a '*' stays where it is.
                    let ni = if x == '*' { i } else { i + 1 };
                    let nj = if y == '*' { j } else { j + 1 };
                    if (ni, nj) != (i, j) {
                        reach[ni][nj] = true;
                    }
                }
            }
        }
    }
    // '*' against '*' stays at (i, j): it is covered by the epsilon moves above.
    reach[n][m]
}

/// Three-valued: a Condition on a key the request does not carry is Unknown, never true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    /// True.
    Yes,
    /// False.
    No,
    /// Cannot be decided: the named condition key's value (or the named fact) is not known.
    Unknown(String),
}

impl Tri {
    /// Either is true (Unknown unless one is true or both are false).
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Unknown(k), _) | (_, Tri::Unknown(k)) => Tri::Unknown(k),
            _ => Tri::No,
        }
    }
    /// Both are true (Unknown unless one is false or both are true).
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown(k), _) | (_, Tri::Unknown(k)) => Tri::Unknown(k),
            _ => Tri::Yes,
        }
    }
    fn of(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }
}

/// `Request::account` when the resource's owner is not known (S3 ARNs carry no account): an
/// answer that differs between "same account" and "another account" is undetermined.
pub const OWNER_UNKNOWN: &str = "?";

/// `Request::account` when the resource is known to be another account's, which one not known
/// (an S3 bucket not among the account's own): evaluated across accounts.
pub const OWNER_OTHER: &str = "another account";

pub use crate::model::{PRINCIPAL_TAGS_LISTED, RESOURCE_TAGS_LISTED, known_absent};

/// How a condition key that is not in [`Request::context`] is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Missing {
    /// Its value in the real request is not known: a condition on it is undetermined.
    #[default]
    Unknown,
    /// It is absent from the request, as `iam:SimulatePrincipalPolicy` takes a key not given as
    /// a context entry (`fhtop perms` custom questions); the keys so assumed are listed in
    /// [`Evaluation::assumed_absent`].
    Absent,
}

/// One request to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// The role, user or role session ARN making the call (`Service:NAME` for a service; empty
    /// for a policy evaluated on its own).
    pub principal: &'a str,
    /// The account that owns the resource: empty = the principal's, [`OWNER_UNKNOWN`] = not
    /// known. A resource-policy grant is enough on its own only in the principal's account.
    pub account: &'a str,
    /// The IAM action, e.g. "firehose:PutRecordBatch" (matched case-insensitively).
    pub action: &'a str,
    /// The resource ARN (matched case-sensitively). With a `*` in it, the question is "on some
    /// resource it covers".
    pub resource: &'a str,
    /// Condition keys known for this request (lower-cased key → values). A key with no values
    /// is known to be absent from the request (for example `aws:SourceVpce` on a write Firehose
    /// makes); a key not in the map is taken as [`Request::missing`] says — except under a
    /// prefix listed whole: with the entry [`PRINCIPAL_TAGS_LISTED`], every principal tag is
    /// in the map and an `aws:principaltag/…` key not there is absent (an untagged key); the
    /// same for [`RESOURCE_TAGS_LISTED`] ([`known_absent`]).
    pub context: &'a BTreeMap<String, Vec<String>>,
    /// How keys not in `context` are taken.
    pub missing: Missing,
}

/// The local evaluator's answer for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Allowed, implicitly or explicitly denied, or undetermined (a condition key unknown).
    pub decision: Decision,
    /// The deciding statements: the matching denies (explicit deny), the allows (allowed), or the
    /// undecided ones (undetermined); empty for an implicit deny.
    pub matched: Vec<Matched>,
    /// Identity policies allow it but the permissions boundary does not.
    pub blocked_by_boundary: Option<String>,
    /// Condition keys not given that were taken as absent ([`Missing::Absent`]), lower-cased.
    pub assumed_absent: Vec<String>,
}

fn action_matches(st: &Statement, action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    let hit = st.actions.iter().any(|p| glob(&p.to_ascii_lowercase(), &a));
    hit != st.not_action
}

/// Does the statement's Resource / NotResource cover the request's resource? For a request
/// resource with `*` (some resource it covers): an Allow needs an overlap, a Deny must cover
/// all of it (the policy pattern matches the request's pattern as text).
fn resource_matches(st: &Statement, resource: &str) -> bool {
    if !resource.contains('*') {
        let hit = st.resources.iter().any(|p| glob(p, resource));
        return hit != st.not_resource;
    }
    let covers = |p: &String| glob(p, resource);
    let meets = |p: &String| overlap(p, resource);
    match (st.allow, st.not_resource) {
        (true, false) => st.resources.iter().any(meets),
        (false, false) => st.resources.iter().any(covers),
        (true, true) => !st.resources.iter().any(covers),
        (false, true) => !st.resources.iter().any(meets),
    }
}

mod condition;
mod decide;
mod principal;
#[cfg(test)]
mod tests;

pub use decide::{PrincipalSide, decide, evaluate, principal_side};
