//! The partition-key tester (issue 14): a dynamically partitioned stream's
//! `MetadataExtractionQuery` run locally on one record with jaq (a maintained jq
//! implementation), the partition keys it yields, and the S3 prefix the record would land
//! under — or exactly why Firehose would send it to the error output instead
//! (`DynamicPartitioning.MetadataExtractionFailed`).
//!
//! What Firehose requires (Developer Guide, "Partitioning keys with inline parsing"): the
//! record is JSON; the query (jq 1.6, `JsonParsingEngine` `JQ-1.6`) yields one JSON object;
//! every key the `Prefix` names with `!{partitionKeyFromQuery:KEY}` is in it and is a scalar
//! (not null, not an object or array).
//!
//! Where jaq is not jq 1.6 (jaq's README, "Differences between jq and jaq"): jaq keeps
//! integers exact where jq 1.6 turns every number into a double (an ID above 2^53 becomes a
//! different key in Firehose than here: such a key is flagged); jaq sorts object keys when
//! printing where jq keeps insertion order (no effect on keys); a few rarely used builtins
//! differ (`limit(0; …)`, `@sh` on non-strings, `input`); division by zero is an error in
//! both, `nan` comparisons differ. A query that uses none of these gives the same keys.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::prefix::Template;

/// The error code Firehose writes for a record whose keys could not be extracted.
pub const EXTRACTION_FAILED: &str = "DynamicPartitioning.MetadataExtractionFailed";

/// Largest integer a double holds exactly (2^53): jq 1.6 rounds integers beyond it.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// What running the query on one record gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionTest {
    /// The `MetadataExtractionQuery` run.
    pub query: String,
    /// The `Prefix` template evaluated.
    pub prefix_template: String,
    /// The keys the query yielded (scalars as text: strings as they are, numbers and
    /// booleans as JSON writes them).
    pub keys: BTreeMap<String, String>,
    /// Why Firehose would not deliver the record under its prefix (empty: it would).
    pub failures: Vec<String>,
    /// What to look at although the record would be delivered (a number jq 1.6 would round).
    pub warnings: Vec<String>,
    /// The prefix the record lands under when nothing failed (`!{timestamp:…}` at the
    /// arrival time, `!{partitionKeyFromLambda:K}` as `<from Lambda: K>`).
    pub prefix: Option<String>,
    /// `DynamicPartitioning.MetadataExtractionFailed` when something failed.
    pub error_code: Option<&'static str>,
}

impl PartitionTest {
    /// Whether the record would be delivered under its prefix.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs `query` on `record` (its bytes) and evaluates `prefix_template` with the keys at
/// `arrival`.
pub fn test(
    query: &str,
    prefix_template: &str,
    record: &[u8],
    arrival: DateTime<Utc>,
) -> PartitionTest {
    let template = Template::parse(prefix_template);
    let mut t = PartitionTest {
        query: query.to_string(),
        prefix_template: prefix_template.to_string(),
        keys: BTreeMap::new(),
        failures: Vec::new(),
        warnings: Vec::new(),
        prefix: None,
        error_code: None,
    };
    let fail = |t: &mut PartitionTest, why: String| {
        t.failures.push(why);
        t.error_code = Some(EXTRACTION_FAILED);
    };
    let text = match std::str::from_utf8(record) {
        Ok(s) => s,
        Err(_) => {
            fail(&mut t, "the record is not JSON (not even UTF-8 text): Firehose says \"Non JSON record provided\"".into());
            return t;
        }
    };
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        fail(
            &mut t,
            format!("the record is not JSON ({e}): Firehose says \"Non JSON record provided\""),
        );
        return t;
    }
    let outputs = match run(query, text) {
        Ok(o) => o,
        Err(e) => {
            fail(&mut t, e);
            return t;
        }
    };
    let object = match outputs.as_slice() {
        [serde_json::Value::Object(m)] => m.clone(),
        [other] => {
            fail(
                &mut t,
                format!(
                    "the query yields {}, not an object of partition keys",
                    kind(other)
                ),
            );
            return t;
        }
        [] => {
            fail(&mut t, "the query yields nothing for this record".into());
            return t;
        }
        many => {
            fail(
                &mut t,
                format!(
                    "the query yields {} values, Firehose takes one object of partition keys",
                    many.len()
                ),
            );
            return t;
        }
    };
    for (k, v) in &object {
        match v {
            serde_json::Value::String(s) => {
                t.keys.insert(k.clone(), s.clone());
            }
            serde_json::Value::Number(n) => {
                if n.as_f64().is_some_and(|f| f.abs() > EXACT_INT) && !n.is_f64() {
                    t.warnings.push(format!(
                        "key {k} is {n}, beyond 2^53: jq 1.6 (Firehose's engine) rounds it, so the prefix Firehose writes may differ"
                    ));
                }
                // jq 1.6 holds every number as a double and prints an integral one without
                // a fraction (1.0 → "1"): the key Firehose writes.
                let text = match n.as_f64() {
                    Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e17 => {
                        format!("{}", f as i64)
                    }
                    _ => n.to_string(),
                };
                t.keys.insert(k.clone(), text);
            }
            serde_json::Value::Bool(b) => {
                t.keys.insert(k.clone(), b.to_string());
            }
            serde_json::Value::Null => fail(&mut t, format!("key {k} is null in this record")),
            other => fail(&mut t, format!("key {k} is {}, not a scalar", kind(other))),
        }
    }
    match template.render(arrival, &t.keys, None) {
        Ok(p) if t.failures.is_empty() => t.prefix = Some(p),
        Ok(_) => {}
        Err(missing) => {
            for k in missing {
                // Null keys were named already.
                if !object.contains_key(&k) {
                    fail(
                        &mut t,
                        format!("the Prefix uses key {k}, which the query does not yield"),
                    );
                }
            }
        }
    }
    t
}

fn kind(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(_) => "a boolean".into(),
        serde_json::Value::Number(_) => "a number".into(),
        serde_json::Value::String(_) => "a string".into(),
        serde_json::Value::Array(_) => "an array".into(),
        serde_json::Value::Object(_) => "an object".into(),
    }
}

/// The values `query` yields on the JSON text `input`, with jaq.
///
/// Errors: the query does not parse or names an unknown filter; it fails at run time (the
/// message names what jq would, e.g. "cannot index number with \"a\"").
pub fn run(query: &str, input: &str) -> Result<Vec<serde_json::Value>, String> {
    use jaq_core::load::{Arena, File, Loader};
    use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};

    let input = jaq_json::read::parse_single(input.as_bytes())
        .map_err(|e| format!("the record cannot be read as JSON: {e}"))?;
    let program = File {
        code: query,
        path: (),
    };
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(&arena, program)
        .map_err(|errs| format!("the query does not parse: {}", load_errors(&errs)))?;
    let filter = Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errs| {
            let names: Vec<String> = errs
                .iter()
                .flat_map(|(_, es)| {
                    es.iter()
                        .map(|(name, u)| format!("{name} ({})", u.as_str()))
                })
                .collect();
            format!(
                "the query names what jq does not have: {}",
                names.join(", ")
            )
        })?;
    let ctx = Ctx::<data::JustLut<jaq_json::Val>>::new(&filter.lut, Vars::new([]));
    let mut out = Vec::new();
    for v in filter.id.run((ctx, input)).map(unwrap_valr) {
        match v {
            Ok(v) => {
                let text = v.to_string();
                out.push(
                    serde_json::from_str(&text)
                        .map_err(|e| format!("the query yields {text}, which is not JSON: {e}"))?,
                );
            }
            Err(e) => return Err(format!("the query fails on this record: {e}")),
        }
        if out.len() > 100 {
            break;
        }
    }
    Ok(out)
}

fn load_errors<P>(errs: &jaq_core::load::Errors<&str, P>) -> String {
    use jaq_core::load::Error;
    // Lex and parse errors: what was expected, and where.
    let expected = |v: &mut dyn Iterator<Item = (&str, &str)>| {
        v.map(|(expect, at)| format!("expected {expect} at {:?}", crate::text::fit(at, 20)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    errs.iter()
        .map(|(_, e)| match e {
            Error::Io(v) => v
                .iter()
                .map(|(_, m)| m.clone())
                .collect::<Vec<_>>()
                .join("; "),
            Error::Lex(v) => expected(&mut v.iter().map(|(e, at)| (e.as_str(), *at))),
            Error::Parse(v) => expected(&mut v.iter().map(|(e, at)| (e.as_str(), *at))),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const Q: &str = "{region: .detail.region, tier: .detail.customer.tier}";
    const P: &str = "orders/!{partitionKeyFromQuery:region}/!{partitionKeyFromQuery:tier}/dt=!{timestamp:yyyy-MM-dd}/";

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 1, 2, 3).unwrap()
    }

    #[test]
    fn keys_and_the_prefix_of_a_good_record() {
        let t = test(
            Q,
            P,
            br#"{"detail":{"region":"eu-west-1","customer":{"tier":"gold"}}}"#,
            at(),
        );
        assert!(t.ok(), "{t:?}");
        assert_eq!(t.keys.get("region").map(String::as_str), Some("eu-west-1"));
        assert_eq!(
            t.prefix.as_deref(),
            Some("orders/eu-west-1/gold/dt=2026-11-30/")
        );
        assert_eq!(t.error_code, None);
    }

    #[test]
    fn every_way_extraction_fails_is_named() {
        let not_json = test(Q, P, b"order_id=1,region=eu", at());
        assert!(
            not_json.failures[0].contains("Non JSON record provided"),
            "{not_json:?}"
        );
        assert_eq!(not_json.error_code, Some(EXTRACTION_FAILED));
        let binary = test(Q, P, &[0xff, 0xfe, 0], at());
        assert!(binary.failures[0].contains("not even UTF-8"));
        let missing = test(
            Q,
            P,
            br#"{"detail":{"region":"eu-west-1","customer":{}}}"#,
            at(),
        );
        assert_eq!(
            missing.failures,
            vec!["key tier is null in this record".to_string()]
        );
        assert_eq!(missing.prefix, None);
        let nested = test(
            Q,
            P,
            br#"{"detail":{"region":{"a":1},"customer":{"tier":"g"}}}"#,
            at(),
        );
        assert_eq!(
            nested.failures,
            vec!["key region is an object, not a scalar".to_string()]
        );
        let unnamed = test(
            "{region: .detail.region}",
            P,
            br#"{"detail":{"region":"x"}}"#,
            at(),
        );
        assert_eq!(
            unnamed.failures,
            vec!["the Prefix uses key tier, which the query does not yield".to_string()]
        );
        let runtime = test(".detail.region.x", P, br#"{"detail":{"region":"x"}}"#, at());
        assert!(
            runtime.failures[0].starts_with("the query fails on this record"),
            "{runtime:?}"
        );
        let bad = test("{region: .detail.region", P, b"{}", at());
        assert!(
            bad.failures[0].starts_with("the query does not parse"),
            "{bad:?}"
        );
        let unknown = test("{region: nosuchfilter}", P, b"{}", at());
        assert!(unknown.failures[0].contains("nosuchfilter"), "{unknown:?}");
        let many = test(".[]", P, br#"{"a":{},"b":{}}"#, at());
        assert!(many.failures[0].contains("2 values"), "{many:?}");
    }

    #[test]
    fn numbers_are_keys_and_big_integers_are_flagged() {
        let t = test(
            "{region: .r, tier: .t}",
            P,
            br#"{"r": 12345678901234567890, "t": 1.5}"#,
            at(),
        );
        assert!(t.ok(), "{t:?}");
        assert_eq!(t.keys.get("tier").map(String::as_str), Some("1.5"));
        assert_eq!(t.warnings.len(), 1, "{t:?}");
        // An integral double is written as jq 1.6 writes it.
        let t = test(
            "{region: .r, tier: .t}",
            P,
            br#"{"r": 2.0, "t": "x"}"#,
            at(),
        );
        assert_eq!(t.keys.get("region").map(String::as_str), Some("2"));
        assert!(t.warnings.is_empty(), "{t:?}");
    }
}
