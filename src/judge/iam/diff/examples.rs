//! The cases issue 25 handed in, each with its healthy twin.

use super::generate::*;
use super::*;

pub(super) fn example(
    id: &str,
    identity: Vec<Value>,
    boundary: Option<Value>,
    resource_policy: Option<Value>,
    action: &str,
    resource: &str,
    account: &str,
) -> Case {
    Case {
        id: id.to_string(),
        kind: "issue 25 examples",
        identity,
        boundary,
        resource_policy,
        principal: ROLE.to_string(),
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: account.to_string(),
        context: BTreeMap::new(),
        missing: Missing::Absent,
    }
}

/// The examples of issue 25, each with its healthy twin.
pub(super) fn examples() -> Vec<Case> {
    let all = |a: &str| doc(vec![stmt(true, json!(a), json!("*"))]);
    let to = |p: Value, allow: bool, a: &str, r: &str| {
        doc(vec![
            json!({"Effect": if allow {"Allow"} else {"Deny"}, "Principal": p, "Action": a, "Resource": r}),
        ])
    };
    vec![
        // (a) key policy naming the role, boundary only s3:*.
        example(
            "a-key-policy-boundary",
            vec![all("kms:*")],
            Some(all("s3:*")),
            Some(to(json!({"AWS": ROLE}), true, "kms:*", "*")),
            "kms:GenerateDataKey",
            KEY,
            ACCT,
        ),
        example(
            "a-key-policy-boundary-twin",
            vec![all("kms:*")],
            Some(all("kms:*")),
            Some(to(json!({"AWS": ROLE}), true, "kms:*", "*")),
            "kms:GenerateDataKey",
            KEY,
            ACCT,
        ),
        // (b) a Deny naming the account.
        example(
            "b-deny-account-root",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": format!("arn:aws:iam::{ACCT}:root")}),
                false,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "b-deny-account-id",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": ACCT}),
                false,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "b-deny-other-account-twin",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": OTHER}),
                false,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (c) a partial wildcard in Principal.
        example(
            "c-partial-wildcard",
            vec![],
            None,
            Some(to(
                json!({"AWS": "arn:aws:iam::111122223333:role/fh-*"}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "c-partial-wildcard-twin",
            vec![],
            None,
            Some(to(
                json!({"AWS": ROLE}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (d) a bucket in another account.
        example(
            "d-cross-account-bucket",
            vec![all("s3:*")],
            None,
            None,
            "s3:PutObject",
            OBJECT,
            OTHER,
        ),
        example(
            "d-cross-account-bucket-twin",
            vec![all("s3:*")],
            None,
            Some(to(
                json!({"AWS": ROLE}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            OTHER,
        ),
        // (e) NotPrincipal + Deny with a boundary.
        example(
            "e-notprincipal-boundary",
            vec![all("s3:*")],
            Some(all("s3:*")),
            Some(doc(vec![
                json!({"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE, format!("arn:aws:iam::{ACCT}:root")]}, "Action": "s3:*", "Resource": "arn:aws:s3:::acme-lake/*"}),
            ])),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "e-notprincipal-boundary-twin",
            vec![all("s3:*")],
            None,
            Some(doc(vec![
                json!({"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE, format!("arn:aws:iam::{ACCT}:root")]}, "Action": "s3:*", "Resource": "arn:aws:s3:::acme-lake/*"}),
            ])),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (f) a grant to '*' where the boundary omits the action: not limited within the account.
        example(
            "f-grant-star-boundary",
            vec![],
            Some(all("kinesis:*")),
            Some(to(
                json!("*"),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        example(
            "f-grant-role-boundary",
            vec![],
            Some(all("kinesis:*")),
            Some(to(
                json!({"AWS": ROLE}),
                true,
                "s3:PutObject",
                "arn:aws:s3:::acme-lake/*",
            )),
            "s3:PutObject",
            OBJECT,
            ACCT,
        ),
        // (g) a request resource of '*'.
        example(
            "g-star-request",
            vec![doc(vec![stmt(
                true,
                json!("firehose:PutRecordBatch"),
                json!(DELIVERY),
            )])],
            None,
            None,
            "firehose:PutRecordBatch",
            "*",
            ACCT,
        ),
        example(
            "g-star-request-denied-twin",
            vec![doc(vec![stmt(
                true,
                json!("firehose:PutRecord"),
                json!(DELIVERY),
            )])],
            None,
            None,
            "firehose:PutRecordBatch",
            "*",
            ACCT,
        ),
    ]
}
