//! A small, separate IAM policy evaluator: the fallback engine when
//! `iam:SimulatePrincipalPolicy` is not available (access denied to it, or an endpoint that
//! does not implement it).
//!
//! It implements the parts of the AWS evaluation logic that decide "may this role write
//! there": Allow/Deny, Action/NotAction and Resource/NotResource with `*`/`?` wildcards,
//! case-insensitive actions and case-sensitive resources, explicit deny wins, the permissions
//! boundary intersects identity (and role-ARN resource-policy) grants, and a same-account
//! resource policy (a bucket policy) can grant to the role by ARN. Conditions are decided only
//! for keys given in the request context with the common operators; any other Condition makes
//! the answer "undetermined: needs `<key>`", never "allowed".
//!
//! No crate on crates.io evaluates IAM policies and is maintained (the few there are parsers
//! or abandoned), so this stays small and table-tested (`tests/eval.rs`).

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

/// Three-valued: a Condition on a key the request does not carry is Unknown, never true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    /// True.
    Yes,
    /// False.
    No,
    /// Cannot be decided: the named condition key's value is not known.
    Unknown(String),
}

impl Tri {
    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Unknown(k), _) | (_, Tri::Unknown(k)) => Tri::Unknown(k),
            _ => Tri::No,
        }
    }
    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown(k), _) | (_, Tri::Unknown(k)) => Tri::Unknown(k),
            _ => Tri::Yes,
        }
    }
}

/// One request to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// The role (or user) ARN making the call.
    pub principal: &'a str,
    /// The account that owns the resource: a resource-policy grant is enough on its own only
    /// in the same account as the principal (empty = the principal's).
    pub account: &'a str,
    /// The IAM action, e.g. "firehose:PutRecordBatch" (matched case-insensitively).
    pub action: &'a str,
    /// The resource ARN (matched case-sensitively).
    pub resource: &'a str,
    /// Condition keys known for this request (lower-cased key → values). A key with no values
    /// is known to be absent from the request (for example `aws:SourceVpce` on a write Firehose
    /// makes); a key not in the map is unknown.
    pub context: &'a BTreeMap<String, Vec<String>>,
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
}

fn action_matches(st: &Statement, action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    let hit = st.actions.iter().any(|p| glob(&p.to_ascii_lowercase(), &a));
    hit != st.not_action
}

fn resource_matches(st: &Statement, resource: &str) -> bool {
    let hit = st.resources.iter().any(|p| glob(p, resource));
    hit != st.not_resource
}

fn principal_matches(st: &Statement, req: &Request) -> bool {
    let Some(ps) = &st.principals else {
        return true;
    };
    let hit = ps.iter().any(|p| {
        p == "*" || p == req.principal || (p.contains('*') && glob(p, req.principal))
        // A grant to the account ("123…" or ":root") delegates to IAM: it does not grant
        // the role anything by itself, so it does not match here.
    });
    hit != st.not_principal
}

fn condition_holds(c: &Condition, req: &Request) -> Tri {
    let mut op = c.operator.as_str();
    let if_exists = op.ends_with("IfExists");
    if if_exists {
        op = &op[..op.len() - "IfExists".len()];
    }
    // Set operators over multi-valued keys are not decided here.
    if op.starts_with("ForAllValues:") || op.starts_with("ForAnyValue:") {
        return Tri::Unknown(c.key.clone());
    }
    let Some(have) = req.context.get(&c.key.to_ascii_lowercase()) else {
        // Not in the context: fhtop does not know whether the real request carries it, so not
        // even …IfExists can be decided.
        return Tri::Unknown(c.key.clone());
    };
    if have.is_empty() {
        // Known to be absent from the request. AWS: a missing key makes every operator false,
        // except the negated ones (StringNotEquals, ArnNotLike, …), which are true, and
        // …IfExists and Null, which test presence (IAM user guide, "Condition operators").
        if if_exists {
            return Tri::Yes;
        }
        let r = match op {
            "Null" => c.values.iter().any(|v| v.eq_ignore_ascii_case("true")),
            _ if op.contains("Not") => true,
            _ => false,
        };
        return if r { Tri::Yes } else { Tri::No };
    }
    let any = |f: &dyn Fn(&str, &str) -> bool| {
        have.iter()
            .any(|h| c.values.iter().any(|v| f(v.as_str(), h.as_str())))
    };
    let r = match op {
        "StringEquals" | "ArnEquals" => any(&|v, h| v == h),
        "StringNotEquals" | "ArnNotEquals" => !any(&|v, h| v == h),
        "StringEqualsIgnoreCase" => any(&|v, h| v.eq_ignore_ascii_case(h)),
        "StringNotEqualsIgnoreCase" => !any(&|v, h| v.eq_ignore_ascii_case(h)),
        "StringLike" | "ArnLike" => any(&|v, h| glob(v, h)),
        "StringNotLike" | "ArnNotLike" => !any(&|v, h| glob(v, h)),
        "Bool" => any(&|v, h| v.eq_ignore_ascii_case(h)),
        "Null" => c.values.iter().any(|v| v.eq_ignore_ascii_case("false")),
        _ => return Tri::Unknown(c.key.clone()),
    };
    if r { Tri::Yes } else { Tri::No }
}

fn applies(st: &Statement, req: &Request) -> Tri {
    if !action_matches(st, req.action)
        || !resource_matches(st, req.resource)
        || !principal_matches(st, req)
    {
        return Tri::No;
    }
    st.conditions
        .iter()
        .fold(Tri::Yes, |acc, c| acc.and(condition_holds(c, req)))
}

/// Decide one request over every policy that takes part (identity, boundary, resource).
pub fn evaluate(policies: &[Policy], req: &Request) -> Evaluation {
    let mut deny = Tri::No;
    let mut identity = Tri::No;
    let mut resource = Tri::No;
    let has_boundary = policies.iter().any(|p| p.kind == PolicyKind::Boundary);
    let mut boundary = if has_boundary { Tri::No } else { Tri::Yes };
    let boundary_name = policies
        .iter()
        .find(|p| p.kind == PolicyKind::Boundary)
        .map(|p| p.name.clone());
    let (mut denies, mut allows, mut unknowns) = (vec![], vec![], vec![]);
    for p in policies.iter().filter(|p| p.kind != PolicyKind::Trust) {
        for st in &p.statements {
            // A resource policy only speaks for resources it is attached to: same account.
            if p.kind == PolicyKind::Resource && st.principals.is_none() {
                continue;
            }
            let t = applies(st, req);
            if t == Tri::No {
                continue;
            }
            let m = Matched {
                policy: p.name.clone(),
                sid: st.sid.clone(),
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
            if t == Tri::Yes && p.kind != PolicyKind::Boundary {
                allows.push(m);
            }
            match p.kind {
                PolicyKind::Identity => identity = identity.or(t),
                PolicyKind::Resource => resource = resource.or(t),
                PolicyKind::Boundary => boundary = boundary.or(t),
                PolicyKind::Trust => {}
            }
        }
    }
    if deny == Tri::Yes {
        return Evaluation {
            decision: Decision::ExplicitDeny,
            matched: denies,
            blocked_by_boundary: None,
        };
    }
    // In the resource's own account either grant is enough; across accounts both sides must
    // allow it.
    let principal_account = req.principal.split(':').nth(4).unwrap_or("");
    let granted = if req.account.is_empty() || req.account == principal_account {
        identity.clone().or(resource)
    } else {
        identity.clone().and(resource)
    };
    let allowed = granted.clone().and(boundary.clone());
    let blocked_by_boundary = (granted == Tri::Yes && boundary == Tri::No)
        .then_some(boundary_name)
        .flatten();
    let decision = match (deny, allowed) {
        (_, Tri::No) => Decision::ImplicitDeny,
        (Tri::Unknown(k), _) | (_, Tri::Unknown(k)) => Decision::Undetermined(k),
        _ => Decision::Allowed,
    };
    let matched = match decision {
        Decision::Allowed => allows,
        Decision::Undetermined(_) => unknowns,
        _ => vec![],
    };
    Evaluation {
        decision,
        matched,
        blocked_by_boundary,
    }
}
