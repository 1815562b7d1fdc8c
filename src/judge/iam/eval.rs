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
//! independent simulator (`src/iam/diff_tests.rs`).

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
    /// makes); a key not in the map is taken as [`Request::missing`] says.
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

/// The principal's account: the 5th field of an ARN; empty for a service or none.
fn account_of(principal: &str) -> &str {
    if principal.starts_with("arn:") {
        principal.split(':').nth(4).unwrap_or("")
    } else {
        ""
    }
}

/// `arn:P:sts::A:assumed-role/ROLE/SESSION` → (A, ROLE).
fn session_role(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.split(':').nth(5)?;
    let mut parts = rest.split('/');
    if parts.next()? != "assumed-role" || !arn.contains(":sts::") {
        return None;
    }
    Some((account_of(arn), parts.next()?))
}

/// `arn:P:iam::A:role/PATH/ROLE` → (A, ROLE).
fn role_name(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.split(':').nth(5)?;
    let name = rest.strip_prefix("role/")?;
    Some((account_of(arn), name.rsplit('/').next().unwrap_or(name)))
}

/// How a resource-policy principal reaches the request's principal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    /// Not at all.
    No,
    /// The principal itself where it is not a role (a user, a role session, a service) or `*`
    /// (which reaches the role session making the call): not limited by an implicit deny in the
    /// permissions boundary within one account.
    Own,
    /// The role ARN: limited by the permissions boundary.
    Role,
    /// The principal's account: a Deny covers it, an Allow delegates to the account's IAM.
    Account,
    /// Whether it reaches it depends on the named fact.
    Unknown(String),
}

fn entry_reach(entry: &str, who: &str) -> Reach {
    if entry == "*" {
        return Reach::Own;
    }
    if who.is_empty() {
        return Reach::No;
    }
    if who.starts_with("Service:") {
        return if entry == who { Reach::Own } else { Reach::No };
    }
    // "You cannot use a wildcard to match part of a principal name or ARN."
    if entry.contains('*') || entry.contains('?') {
        return Reach::No;
    }
    let account = account_of(who);
    if !account.is_empty()
        && entry.starts_with("arn:")
        && entry.ends_with(&format!(":iam::{account}:root"))
    {
        return Reach::Account;
    }
    if entry == who {
        return if role_name(who).is_some() {
            Reach::Role
        } else {
            Reach::Own
        };
    }
    // A session is reached by its role's ARN (as the role: the boundary applies).
    if let (Some(s), Some(r)) = (session_role(who), role_name(entry))
        && s == r
    {
        return Reach::Role;
    }
    // fhtop simulates the role; the real caller is a session of it whose name fhtop does not
    // know.
    if let (Some(r), Some(s)) = (role_name(who), session_role(entry))
        && s == r
    {
        return Reach::Unknown(format!("the role session name ({entry} names one session)"));
    }
    Reach::No
}

fn strongest(a: Reach, b: Reach) -> Reach {
    let rank = |r: &Reach| match r {
        Reach::Own => 4,
        Reach::Role => 3,
        Reach::Account => 2,
        Reach::Unknown(_) => 1,
        Reach::No => 0,
    };
    if rank(&b) > rank(&a) { b } else { a }
}

/// How the statement's Principal / NotPrincipal reaches the request's principal.
fn principal_reach(st: &Statement, req: &Request, has_boundary: bool) -> Reach {
    let Some(ps) = &st.principals else {
        return Reach::No;
    };
    let reach = ps
        .iter()
        .map(|p| entry_reach(p, req.principal))
        .fold(Reach::No, strongest);
    if !st.not_principal {
        return reach;
    }
    // NotPrincipal. With Deny it always denies a principal that has a permissions boundary
    // (IAM User Guide, "AWS JSON policy elements: NotPrincipal").
    if !st.allow && has_boundary && !req.principal.starts_with("Service:") {
        return Reach::Account;
    }
    let excluded = match reach {
        Reach::No => Tri::No,
        Reach::Unknown(k) => Tri::Unknown(k),
        // "You must also specify the account ARN of the not-denied principal ... AWS might
        // verify the account first, then the role" (same page): excluding the role without its
        // account may not exclude it.
        Reach::Role
            if !st.allow
                && !ps
                    .iter()
                    .any(|p| entry_reach(p, req.principal) == Reach::Account) =>
        {
            Tri::Unknown("NotPrincipal names the role but not its account".into())
        }
        _ => Tri::Yes,
    };
    match excluded {
        Tri::Yes => Reach::No,
        // Allow + NotPrincipal is not a grant to the principal itself: as the role.
        Tri::No => Reach::Role,
        Tri::Unknown(k) => Reach::Unknown(k),
    }
}

fn parse_time(s: &str) -> Option<f64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp() as f64 + f64::from(t.timestamp_subsec_millis()) / 1000.0);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp() as f64);
    }
    s.parse::<f64>().ok()
}

fn ip_in(cidr: &str, ip: &str) -> Option<bool> {
    let ip: std::net::IpAddr = ip.parse().ok()?;
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n.parse::<std::net::IpAddr>().ok()?, b.parse::<u32>().ok()?),
        None => {
            let n: std::net::IpAddr = cidr.parse().ok()?;
            (n, if n.is_ipv4() { 32 } else { 128 })
        }
    };
    let (a, b, width) = match (net, ip) {
        (std::net::IpAddr::V4(n), std::net::IpAddr::V4(i)) => {
            (u128::from(u32::from(n)), u128::from(u32::from(i)), 32)
        }
        (std::net::IpAddr::V6(n), std::net::IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
        _ => return Some(false),
    };
    if bits > width {
        return None;
    }
    let shift = width - bits;
    Some(shift >= 128 || (a >> shift) == (b >> shift))
}

/// ARN patterns compare field by field: `*` does not run across a `:`.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == a.len() && p.iter().zip(&a).all(|(p, a)| glob(p, a))
}

/// One condition value against one request value by the base operator (without "Not"), or
/// None when the operator is not known.
fn base_matches(base: &str, value: &str, have: &str) -> Option<bool> {
    let num = |s: &str| s.trim().parse::<f64>().ok();
    Some(match base {
        "StringEquals" => value == have,
        "StringEqualsIgnoreCase" => value.eq_ignore_ascii_case(have),
        "StringLike" => glob(value, have),
        "ArnEquals" | "ArnLike" => arn_like(value, have),
        "Bool" => value.eq_ignore_ascii_case(have),
        "BinaryEquals" => value == have,
        "NumericEquals" => num(have)? == num(value)?,
        "NumericLessThan" => num(have)? < num(value)?,
        "NumericLessThanEquals" => num(have)? <= num(value)?,
        "NumericGreaterThan" => num(have)? > num(value)?,
        "NumericGreaterThanEquals" => num(have)? >= num(value)?,
        "DateEquals" => parse_time(have)? == parse_time(value)?,
        "DateLessThan" => parse_time(have)? < parse_time(value)?,
        "DateLessThanEquals" => parse_time(have)? <= parse_time(value)?,
        "DateGreaterThan" => parse_time(have)? > parse_time(value)?,
        "DateGreaterThanEquals" => parse_time(have)? >= parse_time(value)?,
        "IpAddress" => ip_in(value, have)?,
        _ => return None,
    })
}

/// The base operator and whether it is negated: "StringNotLike" → ("StringLike", true).
fn split_not(op: &str) -> (String, bool) {
    for (neg, base) in [
        ("StringNotEqualsIgnoreCase", "StringEqualsIgnoreCase"),
        ("StringNotEquals", "StringEquals"),
        ("StringNotLike", "StringLike"),
        ("ArnNotEquals", "ArnEquals"),
        ("ArnNotLike", "ArnLike"),
        ("NumericNotEquals", "NumericEquals"),
        ("DateNotEquals", "DateEquals"),
        ("NotIpAddress", "IpAddress"),
    ] {
        if op == neg {
            return (base.to_string(), true);
        }
    }
    (op.to_string(), false)
}

/// One Condition test. AWS: IAM User Guide, "IAM JSON policy elements: Condition operators"
/// and "Set operators for multivalued context keys".
fn condition_holds(c: &Condition, req: &Request, absent: &mut Vec<String>) -> Tri {
    let mut op = c.operator.as_str();
    let (set, rest) = match op.split_once(':') {
        Some((s @ ("ForAllValues" | "ForAnyValue"), r)) => (Some(s), r),
        _ => (None, op),
    };
    op = rest;
    let if_exists = op.ends_with("IfExists");
    if if_exists {
        op = &op[..op.len() - "IfExists".len()];
    }
    let key = c.key.to_ascii_lowercase();
    let unknown = || Tri::Unknown(c.key.clone());
    // A policy variable in a value is not resolved here.
    if c.values.iter().any(|v| v.contains("${")) {
        return unknown();
    }
    let have = match req.context.get(&key) {
        Some(v) => v.as_slice(),
        None => match req.missing {
            Missing::Unknown => return unknown(),
            Missing::Absent => {
                if !absent.contains(&key) {
                    absent.push(key.clone());
                }
                &[]
            }
        },
    };
    let (base, negated) = split_not(op);
    if op == "Null" {
        let want = if have.is_empty() { "true" } else { "false" };
        return Tri::of(c.values.iter().any(|v| v.eq_ignore_ascii_case(want)));
    }
    if have.is_empty() {
        // A missing key: ForAllValues is true, ForAnyValue false, …IfExists and the negated
        // operators true, every other operator false.
        return Tri::of(match set {
            Some("ForAllValues") => true,
            Some(_) => false,
            None => if_exists || negated,
        });
    }
    // One request value against the condition's values: a positive operator needs one
    // matching value, a negated one none.
    let one = |h: &str| -> Option<bool> {
        let mut any = false;
        for v in &c.values {
            any |= base_matches(&base, v, h)?;
        }
        Some(any != negated)
    };
    let results: Option<Vec<bool>> = have.iter().map(|h| one(h)).collect();
    let Some(results) = results else {
        return Tri::Unknown(format!("{} (operator {})", c.key, c.operator));
    };
    Tri::of(match set {
        Some("ForAllValues") => results.iter().all(|r| *r),
        Some(_) => results.iter().any(|r| *r),
        // A single-valued operator on a key with several values does not match.
        None => results.len() == 1 && results[0],
    })
}

/// Action, Resource and Condition (not Principal) of one statement.
fn applies(st: &Statement, req: &Request, absent: &mut Vec<String>) -> Tri {
    if !action_matches(st, req.action) || !resource_matches(st, req.resource) {
        return Tri::No;
    }
    st.conditions
        .iter()
        .fold(Tri::Yes, |acc, c| acc.and(condition_holds(c, req, absent)))
}

/// What the principal's own policies decide for one request: identity ∧ permissions
/// boundary, the boundary alone and the explicit denies. Built from the policies
/// ([`principal_side`]) or from `iam:SimulatePrincipalPolicy`'s answer
/// ([`PrincipalSide::from_decision`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalSide {
    /// A Deny in an identity policy or the boundary applies.
    pub deny: Tri,
    /// The denies that apply.
    pub denies: Vec<Matched>,
    /// Identity policies allow it and the boundary (if any) does too.
    pub granted: Tri,
    /// The identity allows that apply.
    pub allows: Vec<Matched>,
    /// The boundary allows it (Yes when there is no boundary).
    pub boundary: Tri,
    /// The boundary's name, when the principal has one.
    pub boundary_name: Option<String>,
    /// Statements a condition could not decide.
    pub unknowns: Vec<Matched>,
    /// Identity policies allow it but the boundary does not.
    pub blocked_by_boundary: Option<String>,
    /// Keys taken as absent.
    pub assumed_absent: Vec<String>,
}

impl PrincipalSide {
    /// From an engine's decision on identity ∧ boundary (`iam:SimulatePrincipalPolicy`), with
    /// the boundary alone as fhtop evaluated it (`Tri::Yes` and no name when there is none).
    pub fn from_decision(
        d: &Decision,
        matched: &[Matched],
        boundary: Tri,
        boundary_name: Option<String>,
    ) -> Self {
        let (deny, granted) = match d {
            Decision::ExplicitDeny => (Tri::Yes, Tri::No),
            Decision::Allowed => (Tri::No, Tri::Yes),
            Decision::ImplicitDeny => (Tri::No, Tri::No),
            Decision::Undetermined(k) => (Tri::No, Tri::Unknown(k.clone())),
        };
        let denies = if deny == Tri::Yes {
            matched.to_vec()
        } else {
            vec![]
        };
        let allows = if granted == Tri::Yes {
            matched.to_vec()
        } else {
            vec![]
        };
        let unknowns = if matches!(d, Decision::Undetermined(_)) {
            matched.to_vec()
        } else {
            vec![]
        };
        Self {
            deny,
            denies,
            granted,
            allows,
            boundary,
            boundary_name,
            unknowns,
            blocked_by_boundary: None,
            assumed_absent: vec![],
        }
    }
}

fn matched_of(p: &Policy, st: &Statement) -> Matched {
    Matched {
        policy: p.name.clone(),
        sid: st.sid.clone(),
    }
}

/// Identity policies and the permissions boundary among `policies` (others are ignored) for
/// one request.
pub fn principal_side(policies: &[Policy], req: &Request) -> PrincipalSide {
    let boundary_name = policies
        .iter()
        .find(|p| p.kind == PolicyKind::Boundary)
        .map(|p| p.name.clone());
    let mut side = PrincipalSide {
        deny: Tri::No,
        denies: vec![],
        granted: Tri::No,
        allows: vec![],
        boundary: if boundary_name.is_some() {
            Tri::No
        } else {
            Tri::Yes
        },
        boundary_name,
        unknowns: vec![],
        blocked_by_boundary: None,
        assumed_absent: vec![],
    };
    let mut identity = Tri::No;
    for p in policies {
        if !matches!(p.kind, PolicyKind::Identity | PolicyKind::Boundary) {
            continue;
        }
        for st in &p.statements {
            let t = applies(st, req, &mut side.assumed_absent);
            if t == Tri::No {
                continue;
            }
            let m = matched_of(p, st);
            if let Tri::Unknown(_) = t {
                side.unknowns.push(m.clone());
            }
            if !st.allow {
                if t == Tri::Yes {
                    side.denies.push(m);
                }
                side.deny = side.deny.clone().or(t);
            } else if p.kind == PolicyKind::Identity {
                if t == Tri::Yes {
                    side.allows.push(m);
                }
                identity = identity.or(t);
            } else {
                side.boundary = side.boundary.clone().or(t);
            }
        }
    }
    side.granted = identity.clone().and(side.boundary.clone());
    if identity == Tri::Yes && side.boundary == Tri::No {
        side.blocked_by_boundary = side.boundary_name.clone();
    }
    side
}

/// Is the resource a KMS key (where the key policy decides whether IAM policies count)?
fn is_kms_key(resource: &str) -> bool {
    let f: Vec<&str> = resource.splitn(6, ':').collect();
    f.len() == 6 && f[2] == "kms" && f[5].starts_with("key/")
}

/// The principal's side with the resource policy (if any) of the resource: the full decision
/// for one request whose resource has no `*`.
pub fn decide(side: &PrincipalSide, rp: Option<&Policy>, req: &Request) -> Evaluation {
    let mut absent = side.assumed_absent.clone();
    let has_boundary = side.boundary_name.is_some();
    let (mut deny, mut own, mut role, mut account) = (Tri::No, Tri::No, Tri::No, Tri::No);
    let (mut denies, mut allows, mut unknowns) =
        (side.denies.clone(), vec![], side.unknowns.clone());
    if let Some(p) = rp {
        for st in &p.statements {
            let reach = principal_reach(st, req, has_boundary);
            if reach == Reach::No {
                continue;
            }
            let t = applies(st, req, &mut absent);
            if t == Tri::No {
                continue;
            }
            let m = matched_of(p, st);
            let t = match &reach {
                Reach::Unknown(k) => t.and(Tri::Unknown(k.clone())),
                _ => t,
            };
            if let Tri::Unknown(_) = t {
                unknowns.push(m.clone());
            }
            if !st.allow {
                if t == Tri::Yes {
                    denies.push(m);
                }
                deny = deny.or(t);
                continue;
            }
            if t == Tri::Yes {
                allows.push(m);
            }
            match reach {
                // A grant that only may reach the session would reach it as itself.
                Reach::Own | Reach::Unknown(_) => own = own.or(t),
                Reach::Role => role = role.or(t),
                Reach::Account => account = account.or(t),
                Reach::No => {}
            }
        }
    }
    let deny = side.deny.clone().or(deny);
    let g = side.granted.clone();
    let pb = side.boundary.clone();
    let service = req.principal.starts_with("Service:");
    let same = if service {
        own.clone()
    } else if rp.is_some() && is_kms_key(req.resource) {
        // The key policy must trust the account for IAM policies to count.
        account
            .clone()
            .and(g.clone())
            .or(role.clone().and(pb.clone()))
            .or(own.clone())
    } else {
        g.clone().or(role.clone().and(pb.clone())).or(own.clone())
    };
    let cross = g.clone().and(own.or(role).or(account));
    let principal_account = account_of(req.principal);
    let allowed = if req.account.is_empty() || req.account == principal_account || service {
        same
    } else if req.account == OWNER_UNKNOWN {
        if same == cross {
            same
        } else {
            Tri::Unknown("the resource's owner account".into())
        }
    } else {
        cross
    };
    let decision = match (&deny, &allowed) {
        (Tri::Yes, _) => Decision::ExplicitDeny,
        (_, Tri::No) => Decision::ImplicitDeny,
        (Tri::Unknown(k), _) | (_, Tri::Unknown(k)) => Decision::Undetermined(k.clone()),
        _ => Decision::Allowed,
    };
    let matched = match decision {
        Decision::ExplicitDeny => denies,
        Decision::Allowed => {
            let mut v = side.allows.clone();
            v.extend(allows);
            v
        }
        Decision::Undetermined(_) => unknowns,
        Decision::ImplicitDeny => vec![],
    };
    let blocked_by_boundary = if decision == Decision::Allowed {
        None
    } else {
        side.blocked_by_boundary.clone()
    };
    Evaluation {
        decision,
        matched,
        blocked_by_boundary,
        assumed_absent: absent,
    }
}

/// Decide one request over every policy that takes part: identity, boundary and the resource's
/// policy (kind Resource; several are read as one). A request resource with `*` asks about
/// some resource it covers, as the reference simulator does: the pattern itself first (a deny
/// there decides), then each Resource pattern of the allows that overlaps it.
pub fn evaluate(policies: &[Policy], req: &Request) -> Evaluation {
    let resource_statements: Vec<Statement> = policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Resource)
        .flat_map(|p| p.statements.iter().cloned())
        .collect();
    let rp = policies
        .iter()
        .find(|p| p.kind == PolicyKind::Resource)
        .map(|p| Policy {
            name: p.name.clone(),
            kind: PolicyKind::Resource,
            statements: resource_statements,
        });
    let one = |resource: &str| {
        let r = Request {
            resource,
            ..req.clone()
        };
        decide(&principal_side(policies, &r), rp.as_ref(), &r)
    };
    let exact = one(req.resource);
    if !req.resource.contains('*')
        || matches!(
            exact.decision,
            Decision::ExplicitDeny | Decision::ImplicitDeny
        )
    {
        return exact;
    }
    let mut candidates: Vec<String> = Vec::new();
    for p in policies
        .iter()
        .filter(|p| matches!(p.kind, PolicyKind::Identity | PolicyKind::Resource))
    {
        for st in p
            .statements
            .iter()
            .filter(|s| s.allow && action_matches(s, req.action))
        {
            let found: Vec<String> = if st.not_resource {
                vec!["*".to_string()]
            } else {
                st.resources
                    .iter()
                    .filter(|r| overlap(r, req.resource))
                    .cloned()
                    .collect()
            };
            for f in found {
                if !candidates.contains(&f) {
                    candidates.push(f);
                }
            }
        }
    }
    let results: Vec<Evaluation> = candidates.iter().map(|c| one(c)).collect();
    if let Some(a) = results.iter().find(|e| e.decision == Decision::Allowed) {
        return a.clone();
    }
    if let Some(u) = results
        .iter()
        .find(|e| matches!(e.decision, Decision::Undetermined(_)))
    {
        return u.clone();
    }
    if !results.is_empty() && results.iter().all(|e| e.decision == Decision::ExplicitDeny) {
        return results[0].clone();
    }
    Evaluation {
        decision: Decision::ImplicitDeny,
        matched: vec![],
        blocked_by_boundary: exact.blocked_by_boundary,
        assumed_absent: exact.assumed_absent,
    }
}

#[cfg(test)]
mod tests {
    //! Each wrong kind of issue 25 as a named test, with a healthy twin that stays allowed.
    use super::*;

    const ACCT: &str = "111122223333";
    const ROLE: &str = "arn:aws:iam::111122223333:role/fh-delivery";
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";
    const OBJECT: &str = "arn:aws:s3:::acme-lake/data/x.gz";

    fn pol(kind: PolicyKind, statements: &str) -> Policy {
        let doc = format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#);
        parse("p", kind, &doc).expect("test policy")
    }

    fn allow_all(kind: PolicyKind, action: &str) -> Policy {
        pol(
            kind,
            &format!(r#"[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]"#),
        )
    }

    fn run(policies: &[Policy], account: &str, action: &str, resource: &str) -> Decision {
        run_ctx(
            policies,
            account,
            action,
            resource,
            &BTreeMap::new(),
            Missing::Absent,
        )
    }

    fn run_ctx(
        policies: &[Policy],
        account: &str,
        action: &str,
        resource: &str,
        context: &BTreeMap<String, Vec<String>>,
        missing: Missing,
    ) -> Decision {
        evaluate(
            policies,
            &Request {
                principal: ROLE,
                account,
                action,
                resource,
                context,
                missing,
            },
        )
        .decision
    }

    fn grant(principal: &str, allow: bool, action: &str) -> Policy {
        let effect = if allow { "Allow" } else { "Deny" };
        pol(
            PolicyKind::Resource,
            &format!(
                r#"[{{"Effect":"{effect}","Principal":{principal},"Action":"{action}","Resource":"*"}}]"#
            ),
        )
    }

    #[test]
    fn a_key_policy_grant_to_the_role_is_limited_by_its_boundary() {
        let key_policy = grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "kms:*");
        let identity = allow_all(PolicyKind::Identity, "kms:*");
        let s3_only = allow_all(PolicyKind::Boundary, "s3:*");
        let p = [identity.clone(), s3_only, key_policy.clone()];
        assert_eq!(
            run(&p, "", "kms:GenerateDataKey", KEY),
            Decision::ImplicitDeny
        );
        let twin = [
            identity,
            allow_all(PolicyKind::Boundary, "kms:*"),
            key_policy,
        ];
        assert_eq!(
            run(&twin, "", "kms:GenerateDataKey", KEY),
            Decision::Allowed
        );
        // The same through an engine's answer (SimulatePrincipalPolicy said allowed or not).
        let req = Request {
            principal: ROLE,
            account: "",
            action: "kms:Decrypt",
            resource: KEY,
            context: &BTreeMap::new(),
            missing: Missing::Absent,
        };
        let kp = grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "kms:*");
        let side =
            PrincipalSide::from_decision(&Decision::ImplicitDeny, &[], Tri::No, Some("b".into()));
        assert_eq!(
            decide(&side, Some(&kp), &req).decision,
            Decision::ImplicitDeny
        );
        let side = PrincipalSide::from_decision(&Decision::ImplicitDeny, &[], Tri::Yes, None);
        assert_eq!(decide(&side, Some(&kp), &req).decision, Decision::Allowed);
    }

    #[test]
    fn a_resource_policy_deny_naming_the_account_covers_the_role() {
        let identity = allow_all(PolicyKind::Identity, "s3:*");
        for who in [
            format!(r#"{{"AWS":"arn:aws:iam::{ACCT}:root"}}"#),
            format!(r#"{{"AWS":"{ACCT}"}}"#),
        ] {
            let p = [identity.clone(), grant(&who, false, "s3:PutObject")];
            assert_eq!(
                run(&p, "", "s3:PutObject", OBJECT),
                Decision::ExplicitDeny,
                "{who}"
            );
        }
        let twin = [
            identity,
            grant(r#"{"AWS":"444455556666"}"#, false, "s3:PutObject"),
        ];
        assert_eq!(run(&twin, "", "s3:PutObject", OBJECT), Decision::Allowed);
    }

    #[test]
    fn a_partial_wildcard_principal_matches_nothing() {
        let p = [grant(
            r#"{"AWS":"arn:aws:iam::111122223333:role/fh-*"}"#,
            true,
            "s3:PutObject",
        )];
        assert_eq!(run(&p, "", "s3:PutObject", OBJECT), Decision::ImplicitDeny);
        let twin = [grant(
            &format!(r#"{{"AWS":"{ROLE}"}}"#),
            true,
            "s3:PutObject",
        )];
        assert_eq!(run(&twin, "", "s3:PutObject", OBJECT), Decision::Allowed);
    }

    #[test]
    fn across_accounts_both_sides_must_allow_and_an_unknown_owner_is_undetermined() {
        let identity = allow_all(PolicyKind::Identity, "s3:*");
        let other = "444455556666";
        assert_eq!(
            run(
                std::slice::from_ref(&identity),
                other,
                "s3:PutObject",
                OBJECT
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(
            run(
                std::slice::from_ref(&identity),
                OWNER_UNKNOWN,
                "s3:PutObject",
                OBJECT
            ),
            Decision::Undetermined("the resource's owner account".into())
        );
        let bucket = grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "s3:PutObject");
        let twin = [identity, bucket];
        assert_eq!(run(&twin, other, "s3:PutObject", OBJECT), Decision::Allowed);
        assert_eq!(
            run(&twin, OWNER_UNKNOWN, "s3:PutObject", OBJECT),
            Decision::Allowed
        );
    }

    #[test]
    fn not_principal_deny_always_denies_a_role_with_a_boundary() {
        let np = pol(
            PolicyKind::Resource,
            &format!(
                r#"[{{"Effect":"Deny","NotPrincipal":{{"AWS":["{ROLE}","arn:aws:iam::{ACCT}:root"]}},"Action":"s3:*","Resource":"*"}}]"#
            ),
        );
        let identity = allow_all(PolicyKind::Identity, "s3:*");
        let p = [
            identity.clone(),
            allow_all(PolicyKind::Boundary, "s3:*"),
            np.clone(),
        ];
        assert_eq!(run(&p, "", "s3:PutObject", OBJECT), Decision::ExplicitDeny);
        let twin = [identity, np];
        assert_eq!(run(&twin, "", "s3:PutObject", OBJECT), Decision::Allowed);
    }

    #[test]
    fn a_same_account_grant_to_star_is_not_limited_by_the_boundary_one_to_the_role_is() {
        let boundary = allow_all(PolicyKind::Boundary, "kinesis:*");
        let star = [boundary.clone(), grant(r#""*""#, true, "s3:PutObject")];
        assert_eq!(run(&star, "", "s3:PutObject", OBJECT), Decision::Allowed);
        let role = [
            boundary,
            grant(&format!(r#"{{"AWS":"{ROLE}"}}"#), true, "s3:PutObject"),
        ];
        assert_eq!(
            run(&role, "", "s3:PutObject", OBJECT),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn a_star_request_resource_asks_about_some_resource() {
        let stream = "arn:aws:firehose:us-east-1:111122223333:deliverystream/orders";
        let p = [pol(
            PolicyKind::Identity,
            &format!(
                r#"[{{"Effect":"Allow","Action":"firehose:PutRecordBatch","Resource":"{stream}"}}]"#
            ),
        )];
        assert_eq!(
            run(&p, "", "firehose:PutRecordBatch", "*"),
            Decision::Allowed
        );
        assert_eq!(
            run(&p, "", "firehose:PutRecord", "*"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn set_operators_and_keys_assumed_absent() {
        let p = [pol(
            PolicyKind::Identity,
            r#"[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["team*"]},"ForAnyValue:StringEquals":{"aws:PrincipalTag/team":"data"}}}]"#,
        )];
        let mut ctx = BTreeMap::new();
        ctx.insert(
            "aws:principaltag/team".to_string(),
            vec!["data".to_string()],
        );
        // aws:TagKeys absent: ForAllValues is true.
        let e = evaluate(
            &p,
            &Request {
                principal: ROLE,
                account: "",
                action: "s3:PutObject",
                resource: OBJECT,
                context: &ctx,
                missing: Missing::Absent,
            },
        );
        assert_eq!(e.decision, Decision::Allowed);
        assert_eq!(e.assumed_absent, vec!["aws:tagkeys".to_string()]);
        // Unknown instead of absent: undetermined, naming the key.
        assert_eq!(
            run_ctx(&p, "", "s3:PutObject", OBJECT, &ctx, Missing::Unknown),
            Decision::Undetermined("aws:TagKeys".into())
        );
        ctx.insert(
            "aws:tagkeys".to_string(),
            vec!["team-a".to_string(), "owner".to_string()],
        );
        assert_eq!(
            run_ctx(&p, "", "s3:PutObject", OBJECT, &ctx, Missing::Absent),
            Decision::ImplicitDeny
        );
        ctx.insert("aws:tagkeys".to_string(), vec!["team-a".to_string()]);
        assert_eq!(
            run_ctx(&p, "", "s3:PutObject", OBJECT, &ctx, Missing::Absent),
            Decision::Allowed
        );
    }

    #[test]
    fn patterns_overlap() {
        assert!(overlap("arn:aws:s3:::b/*", "*"));
        assert!(overlap("arn:aws:s3:::b/data/*", "arn:aws:s3:::b/*/x"));
        assert!(!overlap("arn:aws:s3:::b/errors/*", "arn:aws:s3:::b/data/*"));
        assert!(overlap("a?c", "abc"));
        assert!(!overlap("a?c", "ac"));
    }
}
