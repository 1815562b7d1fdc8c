//! What keeps the store fresh: the pollers ([`poll`]: one task per data kind, backoff), what
//! each reads ([`metrics`], [`logs`], the progressive inventory [`walk`]), the metric [`plan`]
//! (which rows' series one poll asks for), the on-disk inventory [`cache`] (the warm start) and
//! the [`store`] every pane renders from. [`ctx`] is what every poller is handed.
//!
//! Arrows point down: `fresh` reads AWS through [`crate::backend`] into [`crate::model`] types
//! and publishes them in the [`store::Store`]; nothing here imports the UI.

pub mod cache;
pub mod ctx;
pub mod logs;
pub mod metrics;
pub mod plan;
pub mod poll;
pub mod store;
pub mod walk;
