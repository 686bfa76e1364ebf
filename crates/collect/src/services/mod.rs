//! Process monitoring: the `services` collector (configured services, each a set of
//! processes picked by name, command line, pid file, systemd unit or cgroup) and the
//! `top_processes` collector (the busiest and largest process names, without configuration).
//!
//! Both read `/proc/<pid>/*` directly with reused buffers (`procfs.rs`). A process that
//! exits while being read is skipped silently; a file that cannot be read or parsed is a
//! problem that makes the run degraded (`Emitter::degrade`), never a failure of the whole run.

mod collector;
#[cfg(test)]
mod fixture;
mod ledger;
mod matching;
mod procfs;
mod spec;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
mod top;

pub use collector::ServicesCollector;
pub(crate) use procfs::{parse_stat, read_whole, ticks_and_page_size, At, Got, ProcFiles, Stat};
pub use spec::ServiceSpec;
pub use top::TopProcessesCollector;
