//! Domain types shared by the backends, the store, the health rules and the panes.
//!
//! Every string in here may come from AWS and is untrusted: it is sanitized
//! (`sanitize::clean`) before it reaches the terminal.

pub mod alarms;
pub mod archive;
pub mod arn;
pub mod failed;
pub mod inventory;
pub mod logs;
pub mod metric;
pub mod metrics;
pub mod policy;
pub mod prefix;
pub mod queue;
pub mod reported;
mod row_series;
pub mod rule;
pub mod stream;

pub use alarms::*;
pub use arn::*;
pub use inventory::*;
pub use logs::*;
pub use metric::*;
pub use metrics::*;
pub use policy::*;
pub use queue::QueueState;
pub use reported::*;
pub use rule::*;
pub use stream::*;

#[cfg(test)]
mod tests;
