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

fn main() -> ExitCode {
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
