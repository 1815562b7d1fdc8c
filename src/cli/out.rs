//! Standard output that a closed pipe cannot crash: `fhtop check --all | head -1` ends output
//! quietly and the command still exits with its documented code (Nagios 0–3 for `check`).
//! `println!` panics on a write error ("failed printing to stdout: Broken pipe", exit 101).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `args` to standard output. Once a write fails (the reader went away, the disk is
/// full), nothing more is written and [`closed`] says so; the caller's exit code stands.
pub fn write(args: std::fmt::Arguments<'_>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if out.write_fmt(args).and_then(|_| out.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Whether standard output was closed under us (e.g. by `head`).
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// `print!` that ends output quietly when standard output is closed.
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::out::write(format_args!($($t)*)) };
}

/// `println!` that ends output quietly when standard output is closed.
#[macro_export]
macro_rules! outln {
    () => { $crate::cli::out::write(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::out::write(format_args!("{}\n", format_args!($($t)*))) };
}
