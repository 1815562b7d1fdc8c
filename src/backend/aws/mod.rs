//! The real AWS backend: the SDK for Rust behind the same [`Backend`] trait as the demo.
//!
//! Credentials and endpoints come from `aws-config`'s default chain (environment, profiles with
//! assume-role / credential_process / SSO, web identity, container, IMDS), so `AWS_PROFILE`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` behave as in the AWS CLI.
//! `--profile`, `--region` and `--endpoint-url` override them.

mod cloudwatch;
mod events;
mod firehose;
mod iam;
mod logs;
pub mod org;
mod resource;
mod s3;
pub mod stats;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_sdk_firehose::config::http::HttpResponse;
use aws_sdk_firehose::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};
use tokio::sync::RwLock;

use super::{BResult, Backend, BackendError, ErrorKind, Op};
use crate::model::{
    Alarm, Identity, Inventory, LogEvent, MetricId, MetricQuery, MetricWindow, Rule, RuleKey,
    RuleState, Series,
};
use crate::model::{NamedPolicies, SimResult};
pub use stats::{ApiStats, ApiStatsView};

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
    /// Options for this profile, region and endpoint, with the default paces ([`Pace`]):
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

struct Clients {
    firehose: aws_sdk_firehose::Client,
    events: aws_sdk_eventbridge::Client,
    cw: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    sts: aws_sdk_sts::Client,
    iam: aws_sdk_iam::Client,
    s3: aws_sdk_s3::Client,
    kms: aws_sdk_kms::Client,
    kinesis: aws_sdk_kinesis::Client,
    region: String,
}

/// The SDK configuration of `opts`: profile, region, endpoint, timeouts, and the assumed
/// role's credentials when `role_arn` is set.
async fn sdk_config(opts: &AwsOptions) -> aws_config::SdkConfig {
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

async fn load(opts: &AwsOptions) -> Clients {
    let conf = sdk_config(opts).await;
    Clients {
        firehose: aws_sdk_firehose::Client::new(&conf),
        events: aws_sdk_eventbridge::Client::new(&conf),
        cw: aws_sdk_cloudwatch::Client::new(&conf),
        logs: aws_sdk_cloudwatchlogs::Client::new(&conf),
        sts: aws_sdk_sts::Client::new(&conf),
        iam: aws_sdk_iam::Client::new(&conf),
        kms: aws_sdk_kms::Client::new(&conf),
        kinesis: aws_sdk_kinesis::Client::new(&conf),
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

/// A control-plane rate limit as AWS states it, "N transactions per second": at most `N` calls
/// in any one-second window, shared by every task using it — a burst of up to `N` at once, then
/// `N` a second, so a first load uses the whole quota rather than a fraction of it. A throttled
/// answer halves the limit (not below one call a window); every [`PACE_RECOVERY`] without one
/// gives one call back, up to the stated rate (additive increase, multiplicative decrease).
/// Waiters are served in arrival order.
pub struct Pace {
    state: std::sync::Mutex<PaceState>,
    /// The stated rate: calls per `window`.
    max: u32,
    /// One second, or longer for a rate below 1/s (0.5/s is one call per 2 s).
    window: Duration,
}

struct PaceState {
    /// When each of the last calls in the window was (or will be) sent, oldest first.
    sent: std::collections::VecDeque<tokio::time::Instant>,
    /// The limit now: `max`, or less after throttling.
    limit: u32,
    /// When the limit last changed (a throttle, or one step of recovery).
    changed: tokio::time::Instant,
    /// When the limit was last halved: throttles answered within one window of it are the
    /// same burst, not a reason to halve again.
    cut: Option<tokio::time::Instant>,
}

/// How long without throttling before a lowered [`Pace`] gives one call per window back.
pub const PACE_RECOVERY: Duration = Duration::from_secs(10);

impl Pace {
    /// A pace of at most `per_second` calls per second (at least 0.01): whole calls per
    /// second when `per_second` ≥ 1, else one call per `1 / per_second` seconds.
    pub fn new(per_second: f64) -> Self {
        let per_second = per_second.max(0.01);
        let max = per_second.floor().max(1.0);
        Self {
            state: std::sync::Mutex::new(PaceState {
                sent: std::collections::VecDeque::new(),
                limit: max as u32,
                changed: tokio::time::Instant::now(),
                cut: None,
            }),
            max: max as u32,
            window: Duration::from_secs_f64(max / per_second),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Waits for this caller's turn: the earliest instant at which sending keeps every window
    /// at or under the limit.
    pub async fn wait(&self) {
        let at = {
            let mut st = self.lock();
            let now = tokio::time::Instant::now();
            // Recovery: one call back per quiet PACE_RECOVERY.
            while st.limit < self.max && now.duration_since(st.changed) >= PACE_RECOVERY {
                st.limit += 1;
                st.changed += PACE_RECOVERY;
            }
            while st.sent.front().is_some_and(|t| *t + self.window <= now) {
                st.sent.pop_front();
            }
            let limit = st.limit as usize;
            // Never before a slot already handed out (arrival order).
            let last = st.sent.back().map_or(now, |b| (*b).max(now));
            let at = match st.sent.len().checked_sub(limit) {
                // The window is full: the slot after the call `limit` back leaves it.
                Some(i) => (st.sent[i] + self.window).max(last),
                None => last,
            };
            st.sent.push_back(at);
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// The calls per window allowed now (the stated rate, or less after throttling).
    pub fn limit(&self) -> u32 {
        self.lock().limit
    }

    /// Weighs an answer: a throttled one halves the limit, once per window (the calls in
    /// flight when AWS starts throttling are one signal, not several).
    pub fn observe<T>(&self, r: &BResult<T>) {
        if matches!(r, Err(e) if e.kind == ErrorKind::Throttled) {
            let mut st = self.lock();
            let now = tokio::time::Instant::now();
            if st.cut.is_some_and(|t| now.duration_since(t) < self.window) {
                return;
            }
            st.limit = (st.limit / 2).max(1);
            st.changed = now;
            st.cut = Some(now);
        }
    }
}

/// The real AWS backend: SDK clients for STS, EventBridge, Firehose, CloudWatch, CloudWatch Logs,
/// IAM, S3, KMS and Kinesis, with paces per control plane and API cost counters. Rebuilds its
/// clients after an expired-credentials or auth error (at most every 10 s).
pub struct AwsBackend {
    opts: AwsOptions,
    clients: RwLock<Arc<Clients>>,
    stats: Arc<ApiStats>,
    /// DescribeDeliveryStream (5 TPS; Amazon Data Firehose quota: each control-plane API
    /// "can provide up to 5 transactions per second").
    firehose_pace: Pace,
    /// ListDeliveryStreams (5 TPS, its own quota).
    firehose_list_pace: Pace,
    events_pace: Pace,
    logs_pace: Pace,
    /// When the clients were last rebuilt after an expired-credentials error.
    reloaded: std::sync::Mutex<Option<std::time::Instant>>,
}

impl AwsBackend {
    /// Loads the SDK configuration (profile, region, endpoint, 3 s connect / 10 s attempt / 30 s
    /// operation timeouts) and builds the clients. Never fails: bad credentials surface as
    /// `Auth` / `ExpiredCredentials` errors on the first call.
    pub async fn connect(opts: AwsOptions) -> Self {
        let clients = load(&opts).await;
        Self {
            firehose_pace: Pace::new(opts.firehose_tps),
            firehose_list_pace: Pace::new(opts.firehose_tps),
            events_pace: Pace::new(opts.events_tps),
            logs_pace: Pace::new(opts.logs_tps),
            opts,
            clients: RwLock::new(Arc::new(clients)),
            stats: Arc::new(ApiStats::default()),
            reloaded: std::sync::Mutex::new(None),
        }
    }

    async fn clients(&self) -> Arc<Clients> {
        self.clients.read().await.clone()
    }

    /// After credentials expired, rebuild the SDK configuration (at most every 10 s) so that
    /// credentials refreshed outside fhtop (`aws sso login`, a rewritten credentials file) are
    /// picked up without a restart.
    async fn after_error(&self, e: &BackendError) {
        if !matches!(e.kind, ErrorKind::ExpiredCredentials | ErrorKind::Auth) {
            return;
        }
        {
            let mut last = match self.reloaded.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(10)) {
                return;
            }
            *last = Some(std::time::Instant::now());
        }
        let fresh = load(&self.opts).await;
        *self.clients.write().await = Arc::new(fresh);
    }

    async fn guard<T>(&self, r: BResult<T>) -> BResult<T> {
        let r = r.map_err(|e| self.attributed(e));
        if let Err(e) = &r {
            // A throttled call slows its own quota's pace down.
            if let Some(p) = e.op.and_then(|op| self.pace_of(op)) {
                p.observe(&r);
            }
            self.after_error(e).await;
        }
        r
    }

    /// A member account's call (`--org-role`) that failed for want of credentials failed
    /// assuming its role: the error says so, about STS AssumeRole.
    fn attributed(&self, e: BackendError) -> BackendError {
        match &self.opts.role_arn {
            Some(arn)
                if matches!(e.kind, ErrorKind::Auth | ErrorKind::Denied) && {
                    let m = e.message.to_lowercase();
                    m.contains("credential") || m.contains("assumerole")
                } =>
            {
                BackendError {
                    message: format!("{}: assuming {arn}: {}", Op::AssumeRole, e.message),
                    op: Some(Op::AssumeRole),
                    ..e
                }
            }
            _ => e,
        }
    }

    /// The pace a call of `op` is sent under, if it has one.
    fn pace_of(&self, op: Op) -> Option<&Pace> {
        match op {
            Op::DescribeDeliveryStream => Some(&self.firehose_pace),
            Op::ListDeliveryStreams => Some(&self.firehose_list_pace),
            Op::FilterLogEvents => Some(&self.logs_pace),
            op if op.action().starts_with("events:") => Some(&self.events_pace),
            _ => None,
        }
    }

    /// The API cost counters, shared (the same instance the backend counts in).
    pub fn stats(&self) -> Arc<ApiStats> {
        self.stats.clone()
    }
}

/// Turn any SDK error into what fhtop needs to know: throttled, expired, denied, network...
pub(crate) fn classify<E>(op: Op, e: SdkError<E, HttpResponse>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = e.code().unwrap_or("").to_string();
    let msg = e.message().unwrap_or("").to_string();
    let full = format!("{}", DisplayErrorContext(&e));
    let lower = full.to_lowercase();
    let status = e.raw_response().map(|r| r.status().as_u16());
    // An answer that arrived but could not be read: a response error, or a "service error"
    // without a code on a 2xx status (the SDK could not parse a successful answer).
    let undecodable = match &e {
        SdkError::ResponseError(_) => true,
        SdkError::ServiceError(_) => {
            code.is_empty() && status.is_some_and(|s| (200..300).contains(&s))
        }
        _ => false,
    };
    let kind = match &e {
        // The server answered: only its error code says what went wrong (the text around it
        // holds response headers such as "connection: close", which mean nothing).
        SdkError::ServiceError(_) if code.is_empty() => ErrorKind::Other,
        SdkError::ServiceError(_) => kind_of_code(&code, &msg.to_lowercase()),
        SdkError::TimeoutError(_) => ErrorKind::Network,
        SdkError::DispatchFailure(d) if d.is_timeout() || d.is_io() => ErrorKind::Network,
        // The answer arrived but could not be decoded (e.g. a required field missing).
        SdkError::ResponseError(_) => ErrorKind::Other,
        _ => kind_of_code(&code, &lower),
    };
    let message = match kind {
        ErrorKind::ExpiredCredentials => format!(
            "{op}: AWS credentials expired ({}); refresh them (e.g. `aws sso login`) and fhtop picks them up",
            if code.is_empty() {
                "token expired"
            } else {
                &code
            }
        ),
        ErrorKind::Auth if code.is_empty() => {
            format!("{op}: no usable AWS credentials: {}", short(&full))
        }
        ErrorKind::Network => format!("{op}: cannot reach AWS: {}", short(&full)),
        // An answer that arrived but could not be read: say so, not "a server error".
        _ if undecodable => format!(
            "could not decode the {op} answer{}: {}",
            status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
            short(&full)
        ),
        _ if !code.is_empty() => format!("{op}: {code}: {msg}"),
        _ => match status {
            Some(s) => format!("{op}: HTTP {s} without an error code"),
            None => format!("{op}: {}", short(&full)),
        },
    };
    BackendError::new(kind, message).during(op)
}

fn kind_of_code(code: &str, lower: &str) -> ErrorKind {
    match code {
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "LimitExceededException"
        | "ProvisionedThroughputExceededException" => ErrorKind::Throttled,
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            ErrorKind::ExpiredCredentials
        }
        "AccessDenied" | "AccessDeniedException" => ErrorKind::Denied,
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "AuthFailure"
        | "MissingAuthenticationToken" => ErrorKind::Auth,
        "ResourceNotFoundException"
        | "ResourceNotFound"
        | "NoSuchEntity"
        | "NoSuchEntityException"
        | "NoSuchBucket"
        | "NotFoundException" => ErrorKind::NotFound,
        _ if lower.contains("expired") && (lower.contains("token") || lower.contains("sso")) => {
            ErrorKind::ExpiredCredentials
        }
        _ if lower.contains("credentials") || lower.contains("no credential") => ErrorKind::Auth,
        _ if lower.contains("connection") || lower.contains("dispatch failure") => {
            ErrorKind::Network
        }
        _ => ErrorKind::Other,
    }
}

/// The innermost useful part of a long error chain, on one line.
fn short(s: &str) -> String {
    let one = s.replace('\n', " ");
    // DisplayErrorContext ends with the Debug form of the error: " (DispatchFailure(..."
    let cut = one
        .match_indices(" (")
        .map(|(i, _)| i)
        .find(|&i| {
            one[i + 2..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
        })
        .unwrap_or(one.len());
    crate::text::fit(&one[..cut], 300)
}

pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

#[async_trait]
impl Backend for AwsBackend {
    async fn identity(&self) -> BResult<Identity> {
        let c = self.clients().await;
        self.stats.call(Op::GetCallerIdentity);
        let r = c
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| classify(Op::GetCallerIdentity, e));
        let r = self.guard(r).await?;
        Ok(Identity {
            account: r.account().unwrap_or("?").to_string(),
            region: c.region.clone(),
            profile: self
                .opts
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok()),
            caller_arn: r.arn().map(str::to_string),
            demo: false,
        })
    }

    async fn inventory(&self) -> BResult<Inventory> {
        let c = self.clients().await;
        // Firehose and EventBridge have separate quotas: walk both at once.
        let (streams, rules) = tokio::join!(
            firehose::streams(
                &c.firehose,
                &self.stats,
                (&self.firehose_list_pace, &self.firehose_pace)
            ),
            events::rules(&c.events, &self.stats, &self.events_pace)
        );
        let streams = self.guard(streams).await?;
        let (buses, rules, mut errors) = self.guard(rules).await?;
        let (streams, stream_errors) = streams;
        errors.extend(stream_errors);
        Ok(Inventory {
            buses,
            rules,
            streams,
            errors,
        })
    }

    async fn stream_names(&self) -> BResult<Vec<String>> {
        let c = self.clients().await;
        let r = firehose::list_names(&c.firehose, &self.stats, &self.firehose_list_pace).await;
        self.guard(r).await
    }

    async fn describe_stream(&self, name: &str) -> BResult<crate::model::Stream> {
        let c = self.clients().await;
        let r = firehose::describe(&c.firehose, &self.stats, &self.firehose_pace, name).await;
        self.guard(r).await
    }

    async fn buses_and_rules(
        &self,
    ) -> BResult<(
        Vec<crate::model::Bus>,
        Vec<Rule>,
        Vec<crate::model::InventoryError>,
    )> {
        let c = self.clients().await;
        let r = events::buses_and_rules(&c.events, &self.stats, &self.events_pace).await;
        self.guard(r).await
    }

    async fn metrics(
        &self,
        queries: &[MetricQuery],
        window: &MetricWindow,
    ) -> BResult<Vec<Series>> {
        let c = self.clients().await;
        let r = cloudwatch::metrics(&c.cw, &self.stats, queries, window).await;
        self.guard(r).await
    }

    async fn streams_reporting(&self, metric: MetricId) -> BResult<Vec<String>> {
        let c = self.clients().await;
        let r = cloudwatch::streams_reporting(&c.cw, &self.stats, metric).await;
        self.guard(r).await
    }

    async fn alarms(&self) -> BResult<Vec<Alarm>> {
        let c = self.clients().await;
        let r = cloudwatch::alarms(&c.cw, &self.stats).await;
        self.guard(r).await
    }

    async fn alarm_history(&self, since: DateTime<Utc>) -> BResult<Vec<crate::model::AlarmChange>> {
        let c = self.clients().await;
        let r = cloudwatch::alarm_history(&c.cw, &self.stats, since).await;
        self.guard(r).await
    }

    async fn log_events(
        &self,
        group: &str,
        since: DateTime<Utc>,
        limit: usize,
    ) -> BResult<Vec<LogEvent>> {
        let c = self.clients().await;
        let r = logs::events(&c.logs, &self.stats, &self.logs_pace, group, since, limit).await;
        self.guard(r).await
    }

    async fn describe_rule(&self, key: &RuleKey) -> BResult<Rule> {
        let c = self.clients().await;
        let r = events::describe_rule(&c.events, &self.stats, key).await;
        self.guard(r).await
    }

    async fn rule_targets(&self, key: &RuleKey) -> BResult<Vec<crate::model::Target>> {
        let c = self.clients().await;
        let r = events::targets(
            &c.events,
            &self.stats,
            &self.events_pace,
            &key.bus,
            &key.name,
        )
        .await;
        self.guard(r).await
    }

    async fn bus_rules(&self, bus: &str) -> BResult<Vec<Rule>> {
        let c = self.clients().await;
        let r = events::list_rules(&c.events, &self.stats, &self.events_pace, bus).await;
        self.guard(r).await
    }

    async fn test_event_pattern(&self, pattern: &str, event: &str) -> BResult<bool> {
        let c = self.clients().await;
        let r = events::test_event_pattern(&c.events, &self.stats, pattern, event).await;
        self.guard(r).await
    }

    async fn set_rule_state(&self, key: &RuleKey, state: &RuleState) -> BResult<()> {
        let c = self.clients().await;
        let r = events::set_rule_state(&c.events, &self.stats, key, state).await;
        self.guard(r).await
    }

    async fn simulate_principal_policy(
        &self,
        principal: &str,
        actions: &[String],
        resources: &[String],
        context: &BTreeMap<String, Vec<String>>,
        resource_policy: Option<&str>,
    ) -> BResult<Vec<SimResult>> {
        let c = self.clients().await;
        let r = iam::simulate(
            &c.iam,
            &self.stats,
            iam::Simulation {
                principal,
                actions,
                resources,
                context,
                resource_policy,
            },
        )
        .await;
        self.guard(r).await
    }

    async fn principal_policies(&self, principal: &str) -> BResult<NamedPolicies> {
        let c = self.clients().await;
        let r = iam::role_policies(&c.iam, &self.stats, principal).await;
        self.guard(r).await
    }

    async fn role_trust_policy(&self, role: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = iam::trust_policy(&c.iam, &self.stats, role).await;
        self.guard(r).await
    }

    async fn managed_policy(&self, name: &str) -> BResult<Option<(String, String)>> {
        let c = self.clients().await;
        let r = iam::managed_policy(&c.iam, &self.stats, name).await;
        self.guard(r).await
    }

    async fn bucket_policy(&self, bucket: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = iam::bucket_policy(&c.s3, &self.stats, bucket).await;
        self.guard(r).await
    }

    async fn resource_policy(&self, arn: &str) -> BResult<Option<String>> {
        let c = self.clients().await;
        let r = resource::resource_policy(&c.kms, &c.kinesis, &self.stats, arn).await;
        self.guard(r).await
    }

    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        continuation: Option<&str>,
    ) -> BResult<crate::model::failed::ObjectPage> {
        let c = self.clients().await;
        let r = s3::list_objects(&c.s3, &self.stats, bucket, prefix, continuation).await;
        self.guard(r).await
    }

    async fn get_object(&self, bucket: &str, key: &str, max_bytes: usize) -> BResult<Vec<u8>> {
        let c = self.clients().await;
        let r = s3::get_object(&c.s3, &self.stats, bucket, key, max_bytes).await;
        self.guard(r).await
    }

    fn api_stats(&self) -> Option<ApiStatsView> {
        Some(self.stats.view())
    }
}
