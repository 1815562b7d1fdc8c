//! Permission simulations: "can this stream's delivery role write its bucket?", "can this
//! rule's target role put records into its stream?", "does the `firehose_writer` policy allow
//! PutRecord/PutRecordBatch?", and any custom principal × actions × resources.
//!
//! Engines, best first:
//! 1. `iam:SimulatePrincipalPolicy` (through [`Backend::simulate_principal_policy`]). The API
//!    accepts a resource policy only with a caller that is an IAM user, so for a role the bucket
//!    policy is evaluated next to it by the local evaluator (an explicit deny there wins; a
//!    grant there to the role's ARN allows).
//! 2. Where that API is unavailable (access denied, not implemented, failing), the local
//!    evaluator ([`eval`]) over the role's policies fetched with IAM read calls and the bucket
//!    policy.
//!
//! Every [`Report`] names the engine, gives the decision per action × resource with the
//! statements that decided it, and for a denial a minimal statement that would fix it.

mod bus;
mod custom;
#[cfg(test)]
mod diff;
mod engine;
pub mod eval;
mod fix;
mod reads;
mod report;
mod requests;
mod resource;

pub use bus::{BusCheck, producer_accounts, producer_requests};
pub use custom::custom_request;
use engine::*;
pub use engine::{run, run_all};
use fix::*;
use reads::Reads;
pub use report::*;
pub use requests::*;
use resource::*;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub use crate::model::policy::{Decision, Matched, NamedPolicies, PolicyKind, SimResult};

use crate::backend::{BResult, Backend, BackendError};
use crate::judge::health::Level;
use crate::model::{Inventory, Rule, Source, Stream, arn_parts};
