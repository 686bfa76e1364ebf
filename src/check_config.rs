//! `vitals check-config FILE`: read and check a configuration file, then print
//! `FILE: OK` and the effective configuration.

use vitals_config::Config;

use crate::cli::CheckConfigArgs;

/// Prints `FILE: OK` and the configuration, or fails with the error naming line and key.
pub fn run(args: &CheckConfigArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.file)?;
    println!("{}: OK", args.file.display());
    print!("{}", config.to_yaml());
    Ok(())
}
