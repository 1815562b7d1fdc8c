use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's malloc. With glibc every thread that allocates under contention
/// gets an arena of its own, and what is freed in one is not handed back: at 5,000 streams
/// and 10,000 rules (`benches/aws-scale.sh 5000`) fhtop's heap peaked at 133 MB while its RSS
/// was 275 MB. mimalloc (Microsoft's allocator, the `mimalloc` crate) frees pages back to the
/// system as they empty. Its v2 line (the crate's `v2` feature), not v3, the crate's default:
/// v3 hands freed memory back after 1 s, v2 after 10 ms. At 5,000 streams (moto, a cold start,
/// RSS every 2 s) v3 held 173 MB on average over the first 240 s and 206 MB at most, v2 156 MB
/// and 177 MB; run v3, v2, v3 for 75 s each, every row's triage metrics came at 20 s in all
/// three, and the highest RSS was 177, 168 and 185 MB. Built with `--features system-alloc`,
/// fhtop uses the system's malloc, which heap profilers such as heaptrack see (they cannot see
/// mimalloc's allocations).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its `mi_option_e` in mimalloc.h of the v2 line; the
/// `libmimalloc-sys` crate names the options around it, 14 and 16, not this one).
#[cfg(not(feature = "system-alloc"))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once (mimalloc's purge delay 0 ms instead of its
/// 10 ms). fhtop frees in bursts: every publish of a large account replaces an inventory, a
/// diagnosis and the list rows of 15,000 rows, and within 10 ms the next ones are being made,
/// so the freed pages were held while new ones were taken. At 5,000 streams (moto, a cold start,
/// RSS every 2 s over 200 s) RSS was 114 MB on average and 131 MB at most with it, 150 and 176
/// MB without; every row's triage metrics came at 19 s and 17 s. `benches/aws-scale.sh 5000`:
/// at most 149 MB until its steady window ends (194 MB before), triage 20.6 s (24.2 s before).
#[cfg(not(feature = "system-alloc"))]
#[allow(unsafe_code)]
fn purge_at_once() {
    // SAFETY: mi_option_set takes any option and value (an unknown option is ignored); it is
    // called before any thread but this one exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

fn main() -> ExitCode {
    #[cfg(not(feature = "system-alloc"))]
    purge_at_once();
    let cli = fhtop::cli::Cli::parse();
    match fhtop::cli::run::run(cli) {
        Ok(code) => code,
        Err(e) => {
            fhtop::ui::terminal::restore_if_raw();
            eprintln!("fhtop: {e:#}");
            ExitCode::from(1)
        }
    }
}
