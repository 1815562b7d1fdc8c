use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's malloc. With glibc every thread that allocates under contention
/// gets an arena of its own, and what is freed in one is not handed back: at 5,000 streams
/// and 10,000 rules (`benches/aws-scale.sh 5000`) fhtop's heap peaked at 133 MB while its RSS
/// was 275 MB. mimalloc (Microsoft's allocator, the `mimalloc` crate) frees pages back to the
/// system as they empty. Built with `--features system-alloc`, fhtop uses the system's malloc,
/// which heap profilers such as heaptrack see (they cannot see mimalloc's allocations).
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
