//! fhtop: a terminal dashboard for the EventBridge rule → Kinesis Data Firehose → destination
//! path.
//!
//! Data flow: [`backend::Backend`] (demo or AWS) ← [`fresh`] (pollers, the walk, the metric
//! plan) → [`fresh::store::Store`] → [`judge`] (health, checks, IAM, patterns) →
//! [`ui::render::render`] (pure) ← [`ui::view::View`] ← keys; [`act`] is the one path that
//! changes AWS. [`cli::run`] is the entry of every subcommand. See ARCHITECTURE in the README.

/// The version `--version` prints: the package version, the git revision it was built from
/// ("+dirty" when the tree had uncommitted changes, "unknown" outside a git clone), the target
/// triple it was compiled for and, for the portable build, the oldest glibc it runs on
/// (`build.rs`), e.g. `0.1.0 (3a67471c2f0e, x86_64-unknown-linux-gnu, glibc 2.17+)`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("FHTOP_BUILD"), ")");

pub mod act;
pub mod backend;
pub mod cli;
pub mod config;
pub mod fresh;
pub mod judge;
pub mod model;
pub mod text;
pub mod ui;
