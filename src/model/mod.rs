//! Domain types shared by the backends, the store, the health rules and the panes.
//!
//! Every string in here may come from AWS and is untrusted: it is sanitized
//! (`sanitize::clean`) before it reaches the terminal.

pub mod alarms;
pub mod arn;
pub mod failed;
pub mod inventory;
pub mod logs;
pub mod metrics;
pub mod policy;
pub mod prefix;

pub use alarms::*;
pub use arn::*;
pub use inventory::*;
pub use logs::*;
pub use metrics::*;
pub use policy::*;

#[cfg(test)]
mod tests;
