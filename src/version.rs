//! `vitals version`.

/// The version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Prints the version, the git commit (when the build knew it) and the target triple.
pub fn run() -> anyhow::Result<()> {
    println!("vitals {VERSION}");
    println!("commit: {}", option_env!("VITALS_GIT_COMMIT").unwrap_or("unknown"));
    println!("target: {}", env!("VITALS_TARGET"));
    Ok(())
}
