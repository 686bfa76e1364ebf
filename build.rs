//! Passes the target triple and, when built from a git checkout, the commit to the
//! binary for `vitals version`.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=VITALS_TARGET={}", std::env::var("TARGET").unwrap_or_default());
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else { return };
    println!("cargo:rustc-env=VITALS_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself, the branch it points to, packed refs.
    let (Some(git_dir), Some(common)) = (git(&["rev-parse", "--git-dir"]), git(&["rev-parse", "--git-common-dir"])) else { return };
    let mut watch = vec![PathBuf::from(&git_dir).join("HEAD"), PathBuf::from(&common).join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(PathBuf::from(&common).join(branch));
    }
    for path in watch.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// The trimmed output of a successful git command.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok().filter(|o| o.status.success())?;
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned()).filter(|s| !s.is_empty())
}
