//! `fhtop perms custom`: a question the asker writes, with the context the asker gives.

use super::*;

/// A simulation of `principal` for these actions on these resources (`fhtop perms` custom
/// question); the S3 bucket among the resources, if any, brings its bucket policy in.
///
/// `context`: the condition keys the asker gives (`--context-entry KEY=VALUE[,VALUE…]`), keys
/// lower-cased; every other key is taken as absent, as SimulatePrincipalPolicy takes it, and
/// the report lists the ones that decided something.
pub fn custom_request(
    principal: &str,
    actions: Vec<String>,
    resources: Vec<String>,
    context: BTreeMap<String, Vec<String>>,
) -> SimRequest {
    let bucket = resources
        .iter()
        .find_map(|r| crate::model::arn::s3_bucket_of(r).map(str::to_string));
    SimRequest {
        title: format!("Custom: {principal}"),
        subject: Subject::Principal(principal.to_string()),
        checks: vec![Check { actions, resources }],
        bucket,
        problem: None,
        trust: None,
        context: context
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
        not_evaluated: None,
        keys_not_given_absent: true,
        dead_letter: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A China or GovCloud bucket brings its policy in as any other does (its Deny is never
    /// left out).
    #[test]
    fn the_bucket_among_the_resources_is_found_in_every_partition() {
        for (resource, bucket) in [
            ("arn:aws:s3:::lake/x", Some("lake")),
            ("arn:aws-cn:s3:::lake/x", Some("lake")),
            ("arn:aws-us-gov:s3:::lake", Some("lake")),
            ("arn:aws-cn:kinesis:cn-north-1:111122223333:stream/s", None),
        ] {
            let r = custom_request(
                "arn:aws-cn:iam::111122223333:role/r",
                vec!["s3:PutObject".into()],
                vec![resource.into()],
                BTreeMap::new(),
            );
            assert_eq!(r.bucket.as_deref(), bucket, "{resource}");
        }
    }
}
