//! Whether a statement's Condition holds for a request: every documented operator, the set
//! operators, keys absent or unknown.

use super::*;

pub(super) fn parse_time(s: &str) -> Option<f64> {
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

pub(super) fn ip_in(cidr: &str, ip: &str) -> Option<bool> {
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
pub(super) fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == a.len() && p.iter().zip(&a).all(|(p, a)| glob(p, a))
}

/// One condition value against one request value by the base operator (without "Not"), or
/// None when the operator is not known.
pub(super) fn base_matches(base: &str, value: &str, have: &str) -> Option<bool> {
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
pub(super) fn split_not(op: &str) -> (String, bool) {
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
pub(super) fn condition_holds(c: &Condition, req: &Request, absent: &mut Vec<String>) -> Tri {
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
        None if super::known_absent(req.context, &key) => &[],
        None => match req.missing {
            Missing::Unknown => return unknown(),
            Missing::Absent => {
                // Named as the policy writes it.
                if !absent.iter().any(|a| a.eq_ignore_ascii_case(&c.key)) {
                    absent.push(c.key.clone());
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
pub(super) fn applies(st: &Statement, req: &Request, absent: &mut Vec<String>) -> Tri {
    if !action_matches(st, req.action) || !resource_matches(st, req.resource) {
        return Tri::No;
    }
    st.conditions
        .iter()
        .fold(Tri::Yes, |acc, c| acc.and(condition_holds(c, req, absent)))
}
