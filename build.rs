//! Records the git revision fhtop is built from, for `fhtop --version` (FHTOP_GIT_REVISION):
//! the short commit hash, "+dirty" when tracked files differ from it, "unknown" when this is
//! not a git clone or git is missing.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let rev = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(h) if !h.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty { format!("{h}+dirty") } else { h }
        }
        _ => "unknown".to_string(),
    };
    println!("cargo:rustc-env=FHTOP_GIT_REVISION={rev}");
    // Rebuild the string when HEAD moves (a commit, a checkout) or the index changes.
    for f in [".git/HEAD", ".git/index"] {
        if Path::new(f).exists() {
            println!("cargo:rerun-if-changed={f}");
        }
    }
    if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
        let p = format!(".git/{r}");
        if Path::new(&p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
