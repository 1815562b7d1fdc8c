//! ARNs: the names inside them.

/// `arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME` → `NAME`.
pub fn firehose_name_from_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, _, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service != "firehose" {
        return None;
    }
    resource
        .strip_prefix("deliverystream/")
        .filter(|n| !n.is_empty())
}

/// `arn:aws:s3:::bucket` → `bucket` (any partition: `arn:aws-cn:s3:::bucket` too).
pub fn bucket_from_arn(arn: &str) -> &str {
    s3_bucket_of(arn)
        .or_else(|| arn.rsplit(':').next())
        .unwrap_or(arn)
}

/// The bucket an S3 ARN names, of the bucket or of an object in it, in any partition
/// (`arn:aws:s3:::b/k`, `arn:aws-cn:s3:::b`, `arn:aws-us-gov:s3:::b/*` → `b`); `None` for
/// any other ARN.
pub fn s3_bucket_of(arn: &str) -> Option<&str> {
    let (_, service, region, account, resource) = arn_parts(arn)?;
    (service == "s3" && region.is_empty() && account.is_empty())
        .then(|| resource.split('/').next().unwrap_or(resource))
        .filter(|b| !b.is_empty())
}

/// The name at the end of an ARN's resource part: `…:stream/clicks` → `clicks`,
/// `…:function:f` → `f`, `…:cluster/c/uuid` → `c`.
pub fn resource_name(arn: &str) -> Option<&str> {
    let (_, service, _, _, resource) = arn_parts(arn)?;
    let mut parts = resource.split(['/', ':']);
    let first = parts.next()?;
    let name = match service {
        // kafka: cluster/NAME/UUID
        "kafka" => parts.next(),
        _ => resource.rsplit(['/', ':']).next(),
    };
    name.filter(|n| !n.is_empty()).or(Some(first))
}

/// Parts of an ARN: (partition, service, region, account, resource).
pub fn arn_parts(arn: &str) -> Option<(&str, &str, &str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    let (_, p, s, r, a, res) = (
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    );
    Some((p, s, r, a, res))
}

/// `arn:aws:kinesis:REGION:ACCOUNT:stream/NAME` → `NAME`.
pub fn kinesis_name_from_arn(arn: &str) -> Option<&str> {
    let (_, service, _, _, resource) = arn_parts(arn)?;
    (service == "kinesis")
        .then(|| resource.strip_prefix("stream/"))
        .flatten()
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_s3_arn_names_its_bucket_in_every_partition() {
        for (arn, bucket) in [
            ("arn:aws:s3:::lake", Some("lake")),
            ("arn:aws:s3:::lake/errors/x.gz", Some("lake")),
            ("arn:aws-cn:s3:::lake/*", Some("lake")),
            ("arn:aws-us-gov:s3:::lake", Some("lake")),
            ("arn:aws:kinesis:us-east-1:111122223333:stream/lake", None),
            ("arn:aws:s3:::", None),
            ("*", None),
        ] {
            assert_eq!(s3_bucket_of(arn), bucket, "{arn}");
        }
        assert_eq!(bucket_from_arn("arn:aws-cn:s3:::lake"), "lake");
    }
}
