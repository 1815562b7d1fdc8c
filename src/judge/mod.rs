//! What decides: health verdicts ([`health`]), the runbook's checks ([`check`]), IAM
//! simulations and the local evaluator ([`iam`]), event patterns ([`pattern`]), dynamic
//! partitioning keys ([`partition`]), failed records read from the S3 error output
//! ([`records`]) and the loss ledger ([`losses`]).
//!
//! Every verdict is a pure function of store snapshots (or of what an on-demand read returned);
//! nothing here imports the UI or changes AWS.

pub mod check;
pub mod health;
pub mod iam;
pub mod losses;
pub mod partition;
pub mod pattern;
pub mod records;
