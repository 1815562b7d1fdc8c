//! One row per operator example of the EventBridge User Guide ("Content filtering in Amazon
//! EventBridge event patterns", "Comparison operators for use in event patterns") with a
//! matching and a non-matching event, and the traps on-call meets: case, a number sent as a
//! string, arrays, null vs missing, a double-encoded detail, `$or` with nested fields.

use serde_json::json;

use super::*;

/// (pattern, event, matches, for a miss: text the explanation contains).
fn rows() -> Vec<(Value, Value, bool, &'static str)> {
    vec![
        // Exact values, AND across fields, OR within a list.
        (
            json!({"source": ["aws.ec2"]}),
            json!({"source": "aws.ec2"}),
            true,
            "",
        ),
        (
            json!({"source": ["aws.ec2"]}),
            json!({"source": "aws.s3"}),
            false,
            "source: wanted \"aws.ec2\", had \"aws.s3\"",
        ),
        (
            json!({"source": ["aws.ec2", "aws.s3"]}),
            json!({"source": "aws.s3"}),
            true,
            "",
        ),
        (
            json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}),
            json!({"source": "aws.ec2", "detail-type": "EC2 Instance Launch"}),
            false,
            "detail-type",
        ),
        (
            json!({"detail": {"state": ["running"]}}),
            json!({"detail": {"state": "running"}}),
            true,
            "",
        ),
        // Numbers compare by value; true/false.
        (
            json!({"detail": {"count": [5]}}),
            json!({"detail": {"count": 5.0}}),
            true,
            "",
        ),
        (
            json!({"detail": {"ok": [true]}}),
            json!({"detail": {"ok": true}}),
            true,
            "",
        ),
        (
            json!({"detail": {"ok": [true]}}),
            json!({"detail": {"ok": "true"}}),
            false,
            "detail.ok",
        ),
        // Arrays in the event: any element.
        (
            json!({"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}),
            json!({"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f", "other"]}),
            true,
            "",
        ),
        (
            json!({"detail": {"tags": ["prod"]}}),
            json!({"detail": {"tags": ["dev", "test"]}}),
            false,
            "\"dev\", \"test\"",
        ),
        // A field inside an array of objects.
        (
            json!({"detail": {"items": {"sku": ["A-1"]}}}),
            json!({"detail": {"items": [{"sku": "B-2"}, {"sku": "A-1"}]}}),
            true,
            "",
        ),
        (
            json!({"detail": {"items": {"sku": ["A-1"]}}}),
            json!({"detail": {"items": [{"sku": "B-2"}]}}),
            false,
            "detail.items.sku",
        ),
        // null and the empty string.
        (
            json!({"detail": {"responseElements": [null]}}),
            json!({"detail": {"responseElements": null}}),
            true,
            "",
        ),
        (
            json!({"detail": {"responseElements": [null]}}),
            json!({"detail": {}}),
            false,
            "null matches only a field present",
        ),
        (
            json!({"detail": {"eventVersion": [""]}}),
            json!({"detail": {"eventVersion": ""}}),
            true,
            "",
        ),
        (
            json!({"detail": {"eventVersion": [""]}}),
            json!({"detail": {"eventVersion": "1.0"}}),
            false,
            "detail.eventVersion",
        ),
        // prefix, with and without case.
        (
            json!({"time": [{"prefix": "2017-10-02"}]}),
            json!({"time": "2017-10-02T18:43:48Z"}),
            true,
            "",
        ),
        (
            json!({"time": [{"prefix": "2017-10-02"}]}),
            json!({"time": "2017-10-03T18:43:48Z"}),
            false,
            "prefix \"2017-10-02\"",
        ),
        (
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
            json!({"detail": {"service": "eventbridge"}}),
            true,
            "",
        ),
        (
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
            json!({"detail": {"service": "lambda"}}),
            false,
            "ignoring case",
        ),
        // suffix, with and without case.
        (
            json!({"FileName": [{"suffix": ".png"}]}),
            json!({"FileName": "image.png"}),
            true,
            "",
        ),
        (
            json!({"FileName": [{"suffix": ".png"}]}),
            json!({"FileName": "image.PNG"}),
            false,
            "suffix",
        ),
        (
            json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
            json!({"detail": {"FileName": "a.PNG"}}),
            true,
            "",
        ),
        // equals-ignore-case.
        (
            json!({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}),
            json!({"detail-type": "EC2 Instance State-change Notification"}),
            true,
            "",
        ),
        (
            json!({"detail-type": [{"equals-ignore-case": "ec2 launch"}]}),
            json!({"detail-type": "EC2 Stop"}),
            false,
            "ignoring case",
        ),
        // wildcard, with escapes.
        (
            json!({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}),
            json!({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}),
            true,
            "",
        ),
        (
            json!({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}),
            json!({"EventBusArn": "arn:aws:events:eu-west-1:123456789012:event-bus/default"}),
            false,
            "wildcard",
        ),
        (
            json!({"k": [{"wildcard": "a\\*b"}]}),
            json!({"k": "a*b"}),
            true,
            "",
        ),
        (
            json!({"k": [{"wildcard": "a\\*b"}]}),
            json!({"k": "axxb"}),
            false,
            "wildcard",
        ),
        (
            json!({"k": [{"wildcard": "*"}]}),
            json!({"k": ""}),
            true,
            "",
        ),
        // anything-but: a value, a number, a list, prefix, suffix, ignore case, wildcard.
        (
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            json!({"detail": {"state": "running"}}),
            true,
            "",
        ),
        (
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            json!({"detail": {"state": "initializing"}}),
            false,
            "anything but",
        ),
        (
            json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
            json!({"detail": {"x-limit": 456}}),
            true,
            "",
        ),
        (
            json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
            json!({"detail": {"x-limit": 123}}),
            false,
            "anything but 123",
        ),
        (
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            json!({"detail": {"state": "stopped"}}),
            false,
            "anything but",
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            json!({"detail": {"state": "running"}}),
            true,
            "",
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            json!({"detail": {"state": "initializing"}}),
            false,
            "anything but prefix",
        ),
        (
            json!({"detail": {"path": [{"anything-but": {"suffix": ".png"}}]}}),
            json!({"detail": {"path": "a.png"}}),
            false,
            "suffix",
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OVERLOADED"]}}]}}),
            json!({"detail": {"state": "overloaded"}}),
            false,
            "ignoring case",
        ),
        (
            json!({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}),
            json!({"detail": {"FilePath": "/usr/bin/x"}}),
            true,
            "",
        ),
        (
            json!({"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}),
            json!({"detail": {"FilePath": "/usr/lib/x"}}),
            false,
            "wildcard",
        ),
        // anything-but needs the field.
        (
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            json!({"detail": {}}),
            false,
            "missing",
        ),
        // numeric ranges.
        (
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}),
            json!({"detail": {"c-count": 5}}),
            true,
            "",
        ),
        (
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}),
            json!({"detail": {"c-count": 0}}),
            false,
            "a number > 0 and <= 5",
        ),
        (
            json!({"detail": {"d-count": [{"numeric": ["<", 10]}]}}),
            json!({"detail": {"d-count": 9.99}}),
            true,
            "",
        ),
        (
            json!({"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}),
            json!({"detail": {"x-limit": 301.8}}),
            true,
            "",
        ),
        (
            json!({"detail": {"c-count": [{"numeric": [">", 0]}]}}),
            json!({"detail": {"c-count": "7"}}),
            false,
            "numeric matches JSON numbers only",
        ),
        // exists.
        (
            json!({"detail": {"state": [{"exists": true}]}}),
            json!({"detail": {"state": "x"}}),
            true,
            "",
        ),
        (
            json!({"detail": {"state": [{"exists": true}]}}),
            json!({"detail": {}}),
            false,
            "the field present",
        ),
        (
            json!({"detail": {"state": [{"exists": false}]}}),
            json!({"detail": {}}),
            true,
            "",
        ),
        (
            json!({"detail": {"state": [{"exists": false}]}}),
            json!({"detail": {"state": "x"}}),
            false,
            "the field absent",
        ),
        // cidr, IPv4 and IPv6.
        (
            json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
            json!({"detail": {"sourceIPAddress": "10.0.0.255"}}),
            true,
            "",
        ),
        (
            json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
            json!({"detail": {"sourceIPAddress": "10.0.1.1"}}),
            false,
            "10.0.0.0/24",
        ),
        (
            json!({"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/64"}]}}),
            json!({"detail": {"sourceIPAddress": "2001:db8::ff"}}),
            true,
            "",
        ),
        (
            json!({"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/64"}]}}),
            json!({"detail": {"sourceIPAddress": "2001:db9::1"}}),
            false,
            "2001:db8::/64",
        ),
        // $or, with nested fields.
        (
            json!({"$or": [{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, {"detail": {"d-count": [{"numeric": ["<", 10]}]}}]}),
            json!({"detail": {"c-count": 99, "d-count": 3}}),
            true,
            "",
        ),
        (
            json!({"source": ["aws.ec2"], "$or": [{"detail": {"state": ["running"]}}, {"detail": {"zone": ["a"]}}]}),
            json!({"source": "aws.ec2", "detail": {"state": "stopped"}}),
            false,
            "detail.state",
        ),
        // exists applies to leaf values: an object is not one (the Ruler README's example).
        (
            json!({"detail": {"c-count": [{"exists": false}]}}),
            json!({"detail": {"c-count": {"c1": 100}}}),
            true,
            "",
        ),
        (
            json!({"detail": {"c-count": [{"exists": true}]}}),
            json!({"detail": {"c-count": {"c1": 100}}}),
            false,
            "the field present",
        ),
        // A missing parent: exists false below still matches; anything else misses at the leaf.
        (
            json!({"detail": {"c-count": [{"exists": false}]}}),
            json!({"source": "x"}),
            true,
            "",
        ),
        (
            json!({"detail": {"c-count": [5]}}),
            json!({"source": "x"}),
            false,
            "detail.c-count: wanted 5, had missing",
        ),
        // Fields of one array element, not mixed across elements.
        (
            json!({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}),
            json!({"employees": [{"firstName": "Anna", "lastName": "Smith"}, {"firstName": "Peter", "lastName": "Jones"}]}),
            false,
            "employees.lastName",
        ),
        (
            json!({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}),
            json!({"employees": [{"firstName": "Peter", "lastName": "Smith"}, {"firstName": "Anna", "lastName": "Jones"}]}),
            true,
            "",
        ),
        // The traps.
        (
            json!({"detail-type": ["order placed"]}),
            json!({"detail-type": "Order Placed"}),
            false,
            "differs only in case",
        ),
        (
            json!({"detail": {"code": [500]}}),
            json!({"detail": {"code": "500"}}),
            false,
            "as a string; the pattern wants the number 500",
        ),
        (
            json!({"detail": {"code": ["500"]}}),
            json!({"detail": {"code": 500}}),
            false,
            "sends the number 500",
        ),
        (
            json!({"detail": {"state": [{"exists": false}]}}),
            json!({"detail": {"state": null}}),
            false,
            "present with the value null",
        ),
        (
            json!({"detail": {"status": ["FAILED"]}}),
            json!({"detail": "{\"status\":\"FAILED\"}"}),
            false,
            "JSON-encoded string",
        ),
        (
            json!({"detail": {"status": [{"prefix": "FAIL"}]}}),
            json!({"detail": {"status": {"code": "FAILED"}}}),
            false,
            "has an object at detail.status",
        ),
        (
            json!({"detail": {"Status": ["FAILED"]}}),
            json!({"detail": {"status": "FAILED"}}),
            false,
            "field names are case-sensitive",
        ),
    ]
}

#[test]
fn every_documented_operator_and_trap() {
    for (i, (p, e, want, text)) in rows().into_iter().enumerate() {
        let pat = Pattern::from_value(&p).unwrap_or_else(|err| panic!("row {i}: {err}"));
        match pat.test(&e) {
            Verdict::Match => assert!(want, "row {i}: {p} matched {e}"),
            Verdict::NoMatch(m) => {
                assert!(!want, "row {i}: {p} did not match {e}: {}", m.line());
                assert!(
                    m.line().contains(text),
                    "row {i}: {:?} lacks {text:?}",
                    m.line()
                );
            }
        }
    }
}

#[test]
fn the_nearest_or_branch_is_reported() {
    let p = Pattern::from_value(&json!({"$or": [
        {"source": ["aws.s3"]},
        {"source": ["acme.orders"], "detail": {"state": ["PAID"]}}
    ]}))
    .expect("pattern");
    match p.test(&json!({"source": "acme.orders", "detail": {"state": "paid"}})) {
        Verdict::NoMatch(m) => {
            assert_eq!(m.path, "detail.state");
            assert_eq!(m.matched, 1, "source matched in that branch");
            assert!(m.line().contains("differs only in case"), "{}", m.line());
        }
        Verdict::Match => panic!("should not match"),
    }
}

#[test]
fn invalid_patterns_name_the_field() {
    for (p, text) in [
        (
            json!({"source": "aws.ec2"}),
            "source: a field's values must be a list",
        ),
        (
            json!({"detail": {"n": [{"numeric": [">"]}]}}),
            "detail.n: numeric",
        ),
        (
            json!({"detail": {"n": [{"regex": "x"}]}}),
            "unknown operator \"regex\"",
        ),
        (json!({"ip": [{"cidr": "10.0.0.0/33"}]}), "ip: cidr"),
        (json!(["x"]), "(root)"),
        (json!({}), "(root): an empty object"),
        (json!({"detail": {}}), "detail: an empty object"),
        (json!({"k": [{"wildcard": "a**b"}]}), "consecutive *"),
        (json!({"k": [{"wildcard": "a\\xb"}]}), "escapes only"),
        (
            json!({"k": [{"anything-but": ["a", 1]}]}),
            "only strings or only numbers",
        ),
    ] {
        let e = Pattern::from_value(&p).expect_err("invalid");
        assert!(e.to_string().contains(text), "{e} lacks {text}");
    }
}
