use std::process::ExitCode;

use clap::Parser;

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
