//! The command line's layer of the settings: the options every subcommand accepts (clap), which
//! [`super::Settings`] lays over the config file and the environment.

use std::path::PathBuf;

use clap::Args;

/// Options every subcommand accepts; layered over the config file by [`super::Settings`].
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Use the built-in simulated account (no AWS credentials needed).
    #[arg(long, global = true, env = "FHTOP_DEMO")]
    pub demo: bool,
    /// Seed of the demo account's simulation (deterministic output).
    #[arg(long, global = true, value_name = "N")]
    pub seed: Option<u64>,
    /// AWS named profile (as in the AWS CLI; `AWS_PROFILE` when neither this nor the config
    /// file names one). Repeatable: every profile given × every region given is a context
    /// (`fhtop check` checks them all).
    #[arg(long, global = true, value_name = "P")]
    pub profile: Vec<String>,
    /// AWS region (as in the AWS CLI; `AWS_REGION` below the config file). Repeatable, as
    /// `--profile`.
    #[arg(long, global = true, value_name = "R")]
    pub region: Vec<String>,
    /// A context of the config file (`[contexts.NAME]`), or `all`. Repeatable. Without it and
    /// without `--profile` / `--region`, every context of the config file is used.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Vec<String>,
    /// Watch every ACTIVE account of the AWS Organization the context's credentials can list
    /// (organizations:ListAccounts: the management account or a delegated administrator),
    /// reading each member account as this role (STS AssumeRole; e.g.
    /// OrganizationAccountAccessRole). Each account is a context named after it.
    #[arg(long, global = true, value_name = "ROLE")]
    pub org_role: Option<String>,
    /// Endpoint of an AWS-compatible server (LocalStack, moto) for every service.
    /// (`AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` are read as in the AWS CLI.)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Refuse every mutating action.
    #[arg(long, global = true, env = "FHTOP_READ_ONLY")]
    pub read_only: bool,
    /// Theme name (default, light, ansi16) or path to a theme TOML file.
    #[arg(long, global = true, env = "FHTOP_THEME", value_name = "T")]
    pub theme: Option<String>,
    /// Seconds between metric and alarm polls.
    #[arg(long, global = true, env = "FHTOP_REFRESH", value_name = "SECS")]
    pub refresh: Option<u64>,
    /// Metrics window in minutes (default 180).
    #[arg(long, global = true, value_name = "MIN")]
    pub window: Option<u32>,
    /// Config file (default: $XDG_CONFIG_HOME/fhtop/config.toml).
    #[arg(long, global = true, env = "FHTOP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Customer-managed policy the runbook expects to allow Firehose writes
    /// (default firehose_writer).
    #[arg(long, global = true, env = "FHTOP_WRITER_POLICY", value_name = "NAME")]
    pub writer_policy: Option<String>,
    /// Print the effective configuration (defaults → file → env → flags) and exit.
    #[arg(long)]
    pub print_config: bool,
}
