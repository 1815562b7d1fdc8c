//! Command line. Global options are accepted before or after a subcommand.

pub mod check;
pub mod dlq;
pub mod errors;
pub mod losses;
pub mod out;
pub mod partition;
pub mod pattern;
pub mod perms;
pub mod policy;
pub mod recover;
pub mod replay;
pub mod rule;
pub mod run;
pub mod which;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::GlobalArgs;

#[derive(Debug, Parser)]
#[command(
    name = "fhtop",
    version = crate::VERSION,
    about = "htop for EventBridge rule → Kinesis Data Firehose → its destination",
    long_about = "A live terminal dashboard for the EventBridge rule → Firehose delivery stream → \
                  destination path. Run `fhtop --demo` to see it on a built-in simulated account."
)]
/// The parsed command line: global options and an optional subcommand (none = the TUI).
pub struct Cli {
    /// Options valid before or after any subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do; `None` opens the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands of `fhtop`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one frame after the first complete poll, to stdout.
    Snapshot(SnapshotArgs),
    /// Print the effective configuration and exit.
    Config,
    /// Enable or disable an EventBridge rule (same guarded path as the TUI's `t`).
    ///
    /// Exit codes: 0 done (or already in that state), 1 the change failed, 3 AWS unusable,
    /// 4 refused (read-only, managed rule, not confirmed, stdin not a terminal without --yes),
    /// 5 changed but the new state did not show in time.
    Rule(RuleArgs),
    /// Permission simulations (same as the TUI's `p` and `P`).
    ///
    /// Exit codes: 0 every action allowed, 1 undetermined (a Condition needs a value fhtop does
    /// not know), 2 something denied or not simulated, 3 AWS unusable.
    Perms(PermsArgs),
    /// The on-call runbook as one command: every check for every pipeline (or the ones
    /// named), with the AWS CLI command that confirms each finding.
    ///
    /// Exit codes (Nagios): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (AWS unusable, or a check
    /// could not decide).
    Check(CheckArgs),
    /// Test an event against a rule's event pattern, or find the rules of a bus that match
    /// it: the first field that failed and why, and EventBridge's own verdict
    /// (TestEventPattern) beside fhtop's when the account answers.
    ///
    /// Exit codes: 0 match (for `match`: some rule matches), 1 no match, 2 the pattern or
    /// event cannot be used, 3 AWS unusable.
    Pattern(PatternArgs),
    /// A stream's failed records, read from its S3 error output (the `ErrorOutputPrefix`, or
    /// Firehose's default, for each hour of the window): grouped by error code, newest first,
    /// each record decoded. Read only: ListObjectsV2 and GetObject (`fhtop policy --records`).
    ///
    /// Exit codes: 0 no failed record in the window, 1 failed records found, 2 the stream has
    /// no S3 error output, 3 AWS unusable.
    Errors(ErrorsArgs),
    /// The loss ledger: where each pipeline's failed events and records went over the window
    /// — dropped, refused by a dead-letter queue, waiting in one, being retried, held
    /// undelivered in the stream, kept in the S3 error output or backup — how many, whether
    /// they can be got back and from where, and by when they are gone for good. Read only:
    /// metrics, GetQueueAttributes of each dead-letter queue, ListObjectsV2 of each error
    /// output.
    ///
    /// Exit codes: 0 nothing lost or at risk, 1 at risk or recoverable, 2 something lost for
    /// good, 3 could not decide (AWS unusable, or something the ledger needs not read).
    Losses(LossesArgs),
    /// Get back what a pipeline failed to deliver, through the guarded path: read-only gate,
    /// production guard, a confirmation showing the dry run (how many, from where, to where,
    /// calls, time, billable volume), a journal that makes an interrupted run resume without
    /// sending any record twice, the audit log, and verification (every record answered with
    /// a RecordId).
    ///
    /// Exit codes: 0 all recovered and verified, 1 partial (a re-run resumes), 2 nothing to
    /// recover, 3 AWS unusable, 4 refused (read-only, not confirmed, stdin not a terminal
    /// without --yes), 5 sent but not yet verified (a call got no answer).
    Recover(RecoverArgs),
    /// Dynamic partitioning: run the stream's MetadataExtractionQuery locally (jaq) on a
    /// record, or on its failed records: the partition keys, the S3 prefix the record lands
    /// under, or exactly why extraction fails.
    ///
    /// Exit codes: 0 every record yields its keys, 1 some record fails extraction, 2 the input
    /// cannot be used (no file, no query), 3 AWS unusable.
    Partition(PartitionArgs),
    /// The IAM policy fhtop's own role needs, generated from the operations fhtop calls.
    ///
    /// Without options: the read-only policy (the dashboard, `fhtop check` without permission
    /// checks). `--permissions` adds the permission checks, `--change` rule changes.
    Policy(PolicyArgs),
    /// A shell completion script, to standard output (e.g. `fhtop completions bash >
    /// /etc/bash_completion.d/fhtop`).
    Completions {
        /// The shell: bash, zsh, fish, elvish, powershell.
        shell: clap_complete::Shell,
    },
    /// The manual pages (roff): fhtop(1), or one subcommand's page (`fhtop man check` is
    /// fhtop-check(1), `fhtop man perms stream` fhtop-perms-stream(1)) to standard output (e.g.
    /// `fhtop man check | man -l -`); with `--out-dir DIR`, every page written there as
    /// `fhtop.1`, `fhtop-check.1`, … (e.g. for /usr/local/share/man/man1).
    Man {
        /// The subcommand whose page to print (none: fhtop's own page).
        #[arg(value_name = "SUBCOMMAND")]
        command: Vec<String>,
        /// Write every page (fhtop's and each subcommand's) into this directory instead.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        out_dir: Option<std::path::PathBuf>,
    },
}

/// Arguments of `fhtop errors`.
#[derive(Debug, Args)]
pub struct ErrorsArgs {
    /// The delivery stream.
    #[arg(long, value_name = "NAME")]
    pub stream: String,
    /// How far back (e.g. 30m, 6h, 2d; at most 31 days).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = since)]
    pub since: std::time::Duration,
    /// Most records shown (reading stops once this many are parsed; at most 20 objects are
    /// read).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub limit: usize,
    /// `{"stream","bucket","prefixes","objects_found","records":[…],"groups":[…],
    /// "list_calls","get_calls","bytes_read","problems","truncated"}`.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `fhtop losses`.
#[derive(Debug, Args)]
pub struct LossesArgs {
    /// The pipelines (every one when none is named).
    #[command(flatten)]
    pub pipelines: PipelineArgs,
    /// How far back failures are counted (e.g. 30m, 6h, 2d; at most 31 days).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = since)]
    pub since: std::time::Duration,
    /// `{"account","region","now","window_minutes","lines":[{"target","place","fate","count",
    /// "unit","deadline","summary","location","evidence"}],"cannot_know":[…],"missing":[…]}`.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `fhtop recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// What to recover.
    #[command(subcommand)]
    pub what: RecoverWhat,
}

/// What `fhtop recover` sends back.
#[derive(Debug, Subcommand)]
pub enum RecoverWhat {
    /// Re-send the failed records of a stream's S3 error output (and a service destination's
    /// S3 backup of failed data) into the stream with PutRecordBatch (500 records, 4 MiB a
    /// call, paced). Records that would fail the same way again (dynamic partitioning's query)
    /// are held back unless --force. Objects are never deleted.
    Errors(RecoverErrorsArgs),
    /// Send the events of a rule target's dead-letter queue to the target (a Firehose stream)
    /// as EventBridge would have (the event, its InputPath, or the constant Input; an input
    /// transformer is refused), deleting each message only after its record is accepted.
    /// Messages of another rule or target are left as they are.
    Dlq(RecoverDlqArgs),
    /// Replay an archive's events of a time window to one rule (StartReplay with FilterArns:
    /// no other rule sees them again), followed to its end (DescribeReplay). Refused when no
    /// archive of the bus covers the window and keeps the rule's events, or while the rule
    /// still fails (unless --force). Every event of the window is replayed, the ones delivered
    /// the first time too: give the failure's window.
    Replay(RecoverReplayArgs),
}

/// Arguments of `fhtop recover replay`.
#[derive(Debug, Args)]
pub struct RecoverReplayArgs {
    /// The rule: BUS/NAME, or NAME on the default bus.
    #[arg(long, value_name = "BUS/NAME")]
    pub rule: String,
    /// The window's start: RFC 3339 (2026-12-06T09:00:00Z) or a duration ago (2h).
    #[arg(long, value_name = "TIME", value_parser = when)]
    pub from: chrono::DateTime<chrono::Utc>,
    /// The window's end: RFC 3339 or a duration ago. Required: the replay is named after the
    /// window, so the same command finds the same replay.
    #[arg(long, value_name = "TIME", value_parser = when)]
    pub to: chrono::DateTime<chrono::Utc>,
    /// Show the archive and the window, start nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Start without asking (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Replay although the rule still fails (its replayed events may fail again).
    #[arg(long)]
    pub force: bool,
    /// How long to follow the replay before answering "started, not verified" (exit 5).
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = since)]
    pub timeout: std::time::Duration,
    /// `{"rule","archive","window","replay":{…},"outcome"}`.
    #[arg(long)]
    pub json: bool,
}

/// A point in time: RFC 3339, or a duration ago ("2h", "90m").
///
/// Errors: neither.
fn when(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let d = since(s)?;
    chrono::Duration::from_std(d)
        .map(|d| chrono::Utc::now() - d)
        .map_err(|e| format!("{s}: {e}"))
}

/// Arguments of `fhtop recover dlq`.
#[derive(Debug, Args)]
pub struct RecoverDlqArgs {
    /// The rule: BUS/NAME, or NAME on the default bus.
    #[arg(long, value_name = "BUS/NAME")]
    pub rule: String,
    /// The target (its Id); needed when several of the rule's targets have a dead-letter
    /// queue.
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,
    /// Show what would be sent, send nothing, receive nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send without asking (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Seconds a received message stays hidden from every other consumer (and run) while its
    /// record is sent.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub visibility_timeout: i32,
    /// Also send messages whose record's call got no answer (they may be duplicated).
    #[arg(long)]
    pub resend_in_doubt: bool,
    /// The journal file (default: `recover/dlq-ACCOUNT-REGION-BUS_RULE_TARGET.jsonl` in the
    /// state directory).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<std::path::PathBuf>,
    /// `{"queue","stream","depth","redrive":{…},"outcome"}`.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `fhtop recover errors`.
#[derive(Debug, Args)]
pub struct RecoverErrorsArgs {
    /// The delivery stream.
    #[arg(long, value_name = "NAME")]
    pub stream: String,
    /// Objects written this far back (e.g. 30m, 6h, 2d; at most 31 days).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = since)]
    pub since: std::time::Duration,
    /// Show what would be sent, send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send without asking (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Also send the records that would fail the same way again.
    #[arg(long)]
    pub force: bool,
    /// Also send again the records of calls that got no answer (Firehose may already have
    /// them: they may be duplicated).
    #[arg(long)]
    pub resend_in_doubt: bool,
    /// Records a PutRecordBatch call (1–500).
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub batch_records: u16,
    /// Bytes a second sent at most: the recovery shares the stream's quota with its
    /// producers (1 MiB/s is the smallest regional default).
    #[arg(long, value_name = "BYTES", default_value_t = 1_048_576)]
    pub rate: u64,
    /// The journal file (default: `$FHTOP_STATE_DIR` or `$XDG_STATE_HOME/fhtop`,
    /// `recover/errors-ACCOUNT-REGION-STREAM.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<std::path::PathBuf>,
    /// `{"plan":{…},"sent":{…},"journal":…,"outcome":…}`.
    #[arg(long)]
    pub json: bool,
}

/// A `--since` duration: humantime's syntax ("90m", "6h", "2d"), at most 31 days.
///
/// Errors: not a duration, or longer than 31 days.
fn since(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("not a duration: {s} ({e})"))?;
    if d > std::time::Duration::from_secs(31 * 86_400) {
        return Err(format!("{s} is longer than 31 days"));
    }
    Ok(d)
}

/// Arguments of `fhtop partition`.
#[derive(Debug, Args)]
pub struct PartitionArgs {
    /// What to do.
    #[command(subcommand)]
    pub what: PartitionWhat,
}

/// The questions `fhtop partition` answers.
#[derive(Debug, Subcommand)]
pub enum PartitionWhat {
    /// Run the stream's query on a record (a file, `-` for standard input) or on its failed
    /// records (`--failed`).
    Test(PartitionTestArgs),
}

/// Arguments of `fhtop partition test`.
#[derive(Debug, Args)]
pub struct PartitionTestArgs {
    /// The dynamically partitioned delivery stream.
    #[arg(long, value_name = "NAME")]
    pub stream: String,
    /// The record: a file holding it, or `-` for standard input (one record: a trailing
    /// newline is dropped).
    #[arg(long, value_name = "FILE|-", conflicts_with = "failed")]
    pub record: Option<String>,
    /// Test the stream's partitioning failures of the last 24 hours (its S3 error output)
    /// instead: would the current query still fail them?
    #[arg(long)]
    pub failed: bool,
    /// With --failed: most records tested.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// `{"stream","query","prefix","engine","results":[{"record","was","keys","failures",
    /// "warnings","prefix","error_code"}],"not_tested","problems"}`.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `fhtop pattern`.
#[derive(Debug, Args)]
pub struct PatternArgs {
    /// What to test.
    #[command(subcommand)]
    pub what: PatternWhat,
    /// `{"results":[{"rule","match","decided_by","miss","test_event_pattern",…}]}`.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The questions `fhtop pattern` answers.
#[derive(Debug, Subcommand)]
pub enum PatternWhat {
    /// Does the event match this rule's pattern (or a pattern file)?
    Test {
        /// The rule, `[BUS/]NAME` (read with DescribeRule).
        #[arg(long, conflicts_with = "pattern", required_unless_present = "pattern")]
        rule: Option<String>,
        /// A pattern file instead (not deployed yet): needs no AWS account.
        #[arg(long, value_name = "FILE")]
        pattern: Option<String>,
        /// The event: a JSON file, or - for standard input.
        #[arg(long, value_name = "FILE")]
        event: String,
    },
    /// Which rules of the bus match the event?
    Match {
        /// The event bus.
        #[arg(long, default_value = "default")]
        bus: String,
        /// The event: a JSON file, or - for standard input.
        #[arg(long, value_name = "FILE")]
        event: String,
    },
}

/// Arguments of `fhtop policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Add what permission checks need (`fhtop perms`, the `*-access` checks, `p` / `P`).
    #[arg(long)]
    pub permissions: bool,
    /// Add what rule changes need (`t`, `fhtop rule enable|disable`).
    #[arg(long)]
    pub change: bool,
    /// Add what reading failed records needs (`fhtop errors`, the failed-records view):
    /// s3:ListBucket and s3:GetObject. They read record payloads.
    #[arg(long)]
    pub records: bool,
    /// Add what recovery needs (`fhtop recover`): reading the error output (the `--records`
    /// actions), firehose:PutRecordBatch (which sends data), sqs:ReceiveMessage and
    /// sqs:DeleteMessage (a dead-letter queue's redrive).
    #[arg(long)]
    pub recover: bool,
    /// Add what `--org-role` needs in the management account: organizations:ListAccounts and
    /// sts:AssumeRole (each member account's role needs the other groups).
    #[arg(long)]
    pub org: bool,
    /// List each operation with its IAM action, group and what stops working without it,
    /// instead of the policy document.
    #[arg(long)]
    pub list: bool,
}

/// The pipelines a command is about (`fhtop check`, `fhtop losses`): named streams and rules,
/// every pipeline when none is.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// Only this delivery stream (and the rules feeding it); repeatable.
    #[arg(long = "stream", value_name = "NAME")]
    pub streams: Vec<String>,
    /// Only this rule (NAME or BUS/NAME; and the stream it feeds); repeatable.
    #[arg(long = "rule", value_name = "NAME")]
    pub rules: Vec<String>,
}

impl PipelineArgs {
    /// As the checks' and the ledger's selection.
    pub fn selection(&self) -> crate::judge::check::Selection {
        crate::judge::check::Selection {
            streams: self.streams.clone(),
            rules: self.rules.clone(),
        }
    }
}

/// Arguments of `fhtop check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The pipelines (every one when none is named).
    #[command(flatten)]
    pub pipelines: PipelineArgs,
    /// `{"checks":[{"check","target","status","summary","details","confirm","context"}],
    /// "timelines":[{"context","target","events":[{"at","kind","text"}]}],"contexts":[…]}`.
    #[arg(long)]
    pub json: bool,
    /// Also list the checks that passed.
    #[arg(long)]
    pub all: bool,
    /// Leave out this check (its id, e.g. alarm-coverage): neither reported nor counted in the
    /// exit code; repeatable.
    #[arg(long = "skip", value_name = "CHECK", value_parser = check_id)]
    pub skip: Vec<String>,
}

/// A check id of `fhtop check --skip`.
///
/// Errors: not one of [`crate::judge::health::CheckId::ALL`]'s ids (the message lists them).
fn check_id(s: &str) -> Result<String, String> {
    let ids: Vec<&str> = crate::judge::health::CheckId::ALL
        .iter()
        .map(|c| c.id())
        .collect();
    if ids.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!("not a check: {s} (one of {})", ids.join(", ")))
    }
}

/// Arguments of `fhtop perms`.
#[derive(Debug, Args)]
pub struct PermsArgs {
    /// What to simulate.
    #[command(subcommand)]
    pub what: PermsWhat,
    /// Print the reports as JSON.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The simulations `fhtop perms` can run.
#[derive(Debug, Subcommand)]
pub enum PermsWhat {
    /// The stream's delivery role on its bucket (bucket policy included), KMS key, error log
    /// group; and each rule feeding it.
    Stream { name: String },
    /// Each Firehose target's role on its stream, the bus policy for the other accounts the
    /// rule's pattern names, and the writer policy.
    Rule {
        /// The rule: NAME (with --bus), or BUS/NAME as the other commands take it.
        name: String,
        #[arg(long, default_value = "default")]
        bus: String,
    },
    /// The customer-managed writer policy (default from --writer-policy) on every stream.
    Policy { name: Option<String> },
    /// Any principal, actions, resources.
    Custom {
        /// Role or user ARN.
        #[arg(long)]
        principal: String,
        /// Action names, comma separated or repeated (e.g. s3:PutObject).
        #[arg(long = "action", value_delimiter = ',', required = true)]
        actions: Vec<String>,
        /// Resource ARNs, comma separated or repeated (default *).
        #[arg(long = "resource", value_delimiter = ',')]
        resources: Vec<String>,
        /// A condition key and its values, repeatable, as the AWS CLI's
        /// `simulate-principal-policy --context-entries` (named apart from the global
        /// `--context`, which picks an account): e.g. `--context-entry aws:SourceIp=10.0.0.1`.
        /// Keys not given are taken as absent, as SimulatePrincipalPolicy takes them; the
        /// report lists those that decided something.
        #[arg(long = "context-entry", value_name = "KEY=VALUE[,VALUE…]")]
        context_entries: Vec<String>,
    },
}

/// The change `fhtop rule` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleVerb {
    Enable,
    Disable,
}

/// Arguments of `fhtop rule enable|disable`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    pub verb: RuleVerb,
    /// Rule name.
    pub name: String,
    /// Event bus of the rule.
    #[arg(long, default_value = "default")]
    pub bus: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
}

/// Output format of `fhtop snapshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Svg,
}

/// Arguments of `fhtop snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[arg(long, default_value_t = 160)]
    pub width: u16,
    #[arg(long, default_value_t = 48)]
    pub height: u16,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Keys to press before the frame is taken, space separated (e.g. "j j enter", "?").
    #[arg(long, value_name = "KEYS", allow_hyphen_values = true)]
    pub keys: Option<String>,
    /// Freeze the clock at this instant (RFC 3339) for reproducible frames.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}
