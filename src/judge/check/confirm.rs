//! The AWS CLI command that confirms each finding by hand, names filled in and shell-quoted.

use super::*;

pub(super) use crate::text::shell_quote as q;

pub(super) struct Confirm<'a> {
    pub(super) region: &'a str,
    pub(super) now: DateTime<Utc>,
    pub(super) window_minutes: i64,
}

impl Confirm<'_> {
    pub(super) fn metric(
        &self,
        ns: &str,
        metric: &str,
        dims: &[(&str, &str)],
        stat: &str,
    ) -> String {
        format!(
            "aws cloudwatch get-metric-statistics --region {} --namespace {ns} --metric-name {metric} --dimensions {} --statistics {stat} --period 300 --start-time {} --end-time {}",
            self.region,
            crate::text::cli_dimensions(dims),
            (self.now - Duration::minutes(self.window_minutes)).format("%Y-%m-%dT%H:%M:%SZ"),
            self.now.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
    pub(super) fn stream_metric(&self, s: &str, metric: &str, stat: &str) -> String {
        self.metric("AWS/Firehose", metric, &[("DeliveryStreamName", s)], stat)
    }
    /// The commands that turn a stream's error logging on: the log group and its
    /// `DestinationDelivery` stream (Firehose writes to ones that exist), then
    /// UpdateDestination with `CloudWatchLoggingOptions` for the destination's kind (a stream
    /// has one destination, `destinationId-000000000001`; the version id is the one read —
    /// describe the stream again if it changed). The delivery role needs logs:PutLogEvents on
    /// the group, as the `bucket-access` simulation checks.
    pub(super) fn enable_logging(&self, s: &crate::model::Stream) -> String {
        use crate::model::DestinationKind as K;
        let group = format!("/aws/kinesisfirehose/{}", s.name);
        let update = match s.destination_kind() {
            Some(K::HttpEndpoint) => "--http-endpoint-destination-update",
            Some(K::OpenSearch) => "--amazonopensearchservice-destination-update",
            Some(K::OpenSearchServerless) => "--amazon-open-search-serverless-destination-update",
            Some(K::Elasticsearch) => "--elasticsearch-destination-update",
            Some(K::Redshift) => "--redshift-destination-update",
            Some(K::Splunk) => "--splunk-destination-update",
            Some(K::Snowflake) => "--snowflake-destination-update",
            Some(K::Iceberg) => "--iceberg-destination-update",
            Some(K::S3) | None => "--extended-s3-destination-update",
        };
        let options = serde_json::json!({"CloudWatchLoggingOptions": {
            "Enabled": true, "LogGroupName": group, "LogStreamName": "DestinationDelivery"}});
        format!(
            "aws logs create-log-group --region {r} --log-group-name {g} ; aws logs create-log-stream --region {r} --log-group-name {g} --log-stream-name DestinationDelivery ; aws firehose update-destination --region {r} --delivery-stream-name {n} --current-delivery-stream-version-id {v} --destination-id destinationId-000000000001 {update} {o}",
            r = self.region,
            g = q(&group),
            n = q(&s.name),
            v = q(s.version_id.as_deref().unwrap_or("1")),
            o = q(&options.to_string()),
        )
    }
    pub(super) fn describe_stream(&self, s: &str) -> String {
        format!(
            "aws firehose describe-delivery-stream --region {} --delivery-stream-name {} --query 'DeliveryStreamDescription.{{Status:DeliveryStreamStatus,Failure:FailureDescription,Encryption:DeliveryStreamEncryptionConfiguration}}'",
            self.region,
            q(s)
        )
    }
    pub(super) fn simulate(
        &self,
        principal: &str,
        actions: &[&str],
        resources: &[String],
    ) -> String {
        let res: Vec<String> = resources.iter().map(|r| q(r)).collect();
        format!(
            "aws iam simulate-principal-policy --policy-source-arn {} --action-names {} --resource-arns {}",
            q(principal),
            actions.join(" "),
            res.join(" ")
        )
    }
}

pub(super) fn alarm_confirm(region: &str, linked: &[&Alarm]) -> String {
    let names: Vec<String> = linked
        .iter()
        .filter(|a| a.state != AlarmState::Ok)
        .map(|a| q(&a.name))
        .collect();
    if names.is_empty() {
        format!("aws cloudwatch describe-alarms --region {region} --state-value ALARM")
    } else {
        format!(
            "aws cloudwatch describe-alarms --region {region} --alarm-names {}",
            names.join(" ")
        )
    }
}

pub(super) fn describe_targets(region: &str, r: &Rule) -> String {
    format!(
        "aws events list-targets-by-rule --region {region} --rule {} --event-bus-name {}",
        q(&r.name),
        q(&r.bus)
    )
}
