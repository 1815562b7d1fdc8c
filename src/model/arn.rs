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

/// `arn:aws:s3:::bucket` → `bucket`.
pub fn bucket_from_arn(arn: &str) -> &str {
    arn.strip_prefix("arn:aws:s3:::")
        .or_else(|| arn.rsplit(':').next())
        .unwrap_or(arn)
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
