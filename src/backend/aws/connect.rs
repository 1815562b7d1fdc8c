//! Where and as whom to connect ([`AwsOptions`]: profile, region, endpoint, the role to
//! assume, the paces) and the SDK clients built from it.

use std::time::Duration;

use aws_config::BehaviorVersion;

/// Where and as whom to connect.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// AWS named profile (`--profile` / `AWS_PROFILE`), `None` for the default credential chain.
    pub profile: Option<String>,
    /// AWS region; `None` takes it from the profile or `AWS_REGION`.
    pub region: Option<String>,
    /// One endpoint for every service (LocalStack, moto). Per-service endpoints come from
    /// `AWS_ENDPOINT_URL_<SERVICE>` as in the AWS CLI.
    pub endpoint_url: Option<String>,
    /// Firehose control-plane calls per second, for each of DescribeDeliveryStream and
    /// ListDeliveryStreams.
    pub firehose_tps: f64,
    /// EventBridge control-plane calls per second (ListRules, ListTargetsByRule, ...).
    pub events_tps: f64,
    /// CloudWatch Logs FilterLogEvents calls per second, account-wide.
    pub logs_tps: f64,
    /// A shared-credentials file to read instead of ~/.aws/credentials (as
    /// AWS_SHARED_CREDENTIALS_FILE does; used by the tests).
    pub credentials_file: Option<std::path::PathBuf>,
    /// A role to assume with the profile's credentials (STS AssumeRole, session name
    /// "fhtop", refreshed before it expires): a member account of `--org-role`.
    pub role_arn: Option<String>,
}

impl AwsOptions {
    /// Options for this profile, region and endpoint, with the default paces ([`super::Pace`]):
    /// Firehose 5 calls/s for each of ListDeliveryStreams and DescribeDeliveryStream (the Amazon
    /// Data Firehose quota: each control-plane API "can provide up to 5 transactions per
    /// second"); EventBridge 20 calls/s across its control plane (its non-PutEvents APIs share
    /// 50 TPS per account and region; fhtop leaves the rest to deploy tools); CloudWatch Logs
    /// 4 calls/s; no credentials file override.
    pub fn new(
        profile: Option<String>,
        region: Option<String>,
        endpoint_url: Option<String>,
    ) -> Self {
        Self {
            profile,
            region,
            endpoint_url,
            firehose_tps: 5.0,
            events_tps: 20.0,
            logs_tps: 4.0,
            credentials_file: None,
            role_arn: None,
        }
    }
}

/// One SDK client per service fhtop calls, and the region they were built for.
pub(super) struct Clients {
    pub(super) firehose: aws_sdk_firehose::Client,
    /// Firehose without the SDK's retries: PutRecordBatch is not idempotent, so a recovery
    /// retries only what an answer says was not taken (`fhtop recover`).
    pub(super) firehose_once: aws_sdk_firehose::Client,
    pub(super) events: aws_sdk_eventbridge::Client,
    pub(super) cw: aws_sdk_cloudwatch::Client,
    pub(super) logs: aws_sdk_cloudwatchlogs::Client,
    pub(super) sts: aws_sdk_sts::Client,
    pub(super) iam: aws_sdk_iam::Client,
    pub(super) s3: aws_sdk_s3::Client,
    pub(super) kms: aws_sdk_kms::Client,
    pub(super) kinesis: aws_sdk_kinesis::Client,
    pub(super) sqs: aws_sdk_sqs::Client,
    pub(super) region: String,
}

/// The SDK configuration of `opts`: profile, region, endpoint, timeouts, and the assumed
/// role's credentials when `role_arn` is set.
pub(super) async fn sdk_config(opts: &AwsOptions) -> aws_config::SdkConfig {
    // A hanging AWS must turn into a stale section with a reason, not a poller stuck forever:
    // each attempt gets 10 s (an 8 s stall still succeeds), a call with its retries 30 s.
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts);
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(e) = &opts.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    if let Some(f) = &opts.credentials_file {
        use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
        loader = loader.profile_files(
            EnvConfigFiles::builder()
                .with_file(EnvConfigFileKind::Credentials, f)
                .build(),
        );
    }
    let conf = loader.load().await;
    match &opts.role_arn {
        // aws-config's provider: AssumeRole with the profile's credentials, cached and
        // refreshed before expiry (as the AWS CLI's role_arn profiles are).
        Some(arn) => {
            let provider = aws_config::sts::AssumeRoleProvider::builder(arn.clone())
                .session_name("fhtop")
                .configure(&conf)
                .build()
                .await;
            conf.to_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build()
        }
        None => conf,
    }
}

pub(super) async fn load(opts: &AwsOptions) -> Clients {
    let conf = sdk_config(opts).await;
    Clients {
        firehose: aws_sdk_firehose::Client::new(&conf),
        firehose_once: aws_sdk_firehose::Client::from_conf(
            aws_sdk_firehose::config::Builder::from(&conf)
                .retry_config(aws_sdk_firehose::config::retry::RetryConfig::disabled())
                .build(),
        ),
        events: aws_sdk_eventbridge::Client::new(&conf),
        cw: aws_sdk_cloudwatch::Client::new(&conf),
        logs: aws_sdk_cloudwatchlogs::Client::new(&conf),
        sts: aws_sdk_sts::Client::new(&conf),
        iam: aws_sdk_iam::Client::new(&conf),
        kms: aws_sdk_kms::Client::new(&conf),
        kinesis: aws_sdk_kinesis::Client::new(&conf),
        sqs: aws_sdk_sqs::Client::new(&conf),
        s3: aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&conf)
                // An AWS-compatible server on a custom endpoint has no per-bucket DNS names.
                // (also one set by the profile's `endpoint_url`).
                .force_path_style(custom_endpoint(opts, "S3") || conf.endpoint_url().is_some())
                .build(),
        ),
        region: conf
            .region()
            .map(|r| r.as_ref().to_string())
            .unwrap_or_default(),
    }
}

/// Whether `service` is sent somewhere other than AWS (flag, AWS_ENDPOINT_URL or
/// AWS_ENDPOINT_URL_<SERVICE>).
fn custom_endpoint(opts: &AwsOptions, service: &str) -> bool {
    opts.endpoint_url.is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os(format!("AWS_ENDPOINT_URL_{service}")).is_some()
}
