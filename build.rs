//! Records what `fhtop --version` names (FHTOP_BUILD): the git revision fhtop is built from —
//! the short commit hash, "+dirty" when tracked files differ from it, "unknown" when this is
//! not a git clone or git is missing — the target triple it was compiled for, and, for the
//! portable build (`scripts/portable.sh` sets FHTOP_GLIBC_FLOOR), the oldest glibc it runs on.

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
    // Cargo sets TARGET for every build script; the glibc suffix (".2.17") cargo-zigbuild
    // accepts is not part of it, so the portable build names its floor separately.
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown-target".to_string());
    let mut build = format!("{rev}, {target}");
    if let Ok(floor) = std::env::var("FHTOP_GLIBC_FLOOR")
        && !floor.trim().is_empty()
    {
        build.push_str(&format!(", glibc {}+", floor.trim()));
    }
    println!("cargo:rustc-env=FHTOP_BUILD={build}");
    println!("cargo:rerun-if-env-changed=FHTOP_GLIBC_FLOOR");
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
