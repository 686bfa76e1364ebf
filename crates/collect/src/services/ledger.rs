//! A service's counters, kept from going backwards when its processes exit.
//!
//! A service's CPU time, I/O bytes and context switches are sums over its processes; when a
//! process exits, its share would vanish from the sum and the counter would drop. So, as
//! process-exporter does, the ledger remembers each process' last values and, once the
//! process is gone (or no longer belongs to the service), adds what it contributed to the
//! service's totals of exited processes. A process counts from zero when it started after
//! the previous scan (or at the first scan); one that existed before but only now joins the
//! service (its command changed, its pid file appeared late) counts from its values when it
//! joined, so the service's counters do not jump by that process' whole past.

use std::collections::HashMap;

/// Per-process counters, as read from `/proc/<pid>/{stat,io,status}`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counters {
    /// User CPU time, in clock ticks.
    pub user_ticks: u64,
    /// System CPU time, in clock ticks.
    pub system_ticks: u64,
    /// Bytes read from storage.
    pub read_bytes: u64,
    /// Bytes written to storage.
    pub write_bytes: u64,
    /// Voluntary context switches (of the main thread).
    pub voluntary: u64,
    /// Involuntary context switches (of the main thread).
    pub nonvoluntary: u64,
}

impl Counters {
    /// Field by field sum.
    fn plus(self, o: Counters) -> Counters {
        Counters {
            user_ticks: self.user_ticks.saturating_add(o.user_ticks),
            system_ticks: self.system_ticks.saturating_add(o.system_ticks),
            read_bytes: self.read_bytes.saturating_add(o.read_bytes),
            write_bytes: self.write_bytes.saturating_add(o.write_bytes),
            voluntary: self.voluntary.saturating_add(o.voluntary),
            nonvoluntary: self.nonvoluntary.saturating_add(o.nonvoluntary),
        }
    }

    /// Field by field difference, never below zero.
    fn minus(self, o: Counters) -> Counters {
        Counters {
            user_ticks: self.user_ticks.saturating_sub(o.user_ticks),
            system_ticks: self.system_ticks.saturating_sub(o.system_ticks),
            read_bytes: self.read_bytes.saturating_sub(o.read_bytes),
            write_bytes: self.write_bytes.saturating_sub(o.write_bytes),
            voluntary: self.voluntary.saturating_sub(o.voluntary),
            nonvoluntary: self.nonvoluntary.saturating_sub(o.nonvoluntary),
        }
    }
}

/// One process of the service.
#[derive(Debug)]
struct Tracked {
    /// Start time in ticks after boot: tells a reused pid from the process that had it.
    start: u64,
    /// Values when it joined (zero for a process started since the previous scan).
    baseline: Counters,
    /// Values at the last scan that saw it.
    last: Counters,
    /// Seen in the current scan.
    seen: bool,
}

impl Tracked {
    fn contribution(&self) -> Counters {
        self.last.minus(self.baseline)
    }
}

/// The counters of one service across scans.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    live: HashMap<u32, Tracked>,
    exited: Counters,
}

impl Ledger {
    /// Records a process of the service seen in this scan. `new` says it started since the
    /// previous scan (or this is the first one), so all its counts belong to the service.
    /// `io_known` is false when its I/O counts could not be read: they then stay as they were
    /// (zero for a process met for the first time).
    pub(crate) fn observe(&mut self, pid: u32, start: u64, mut now: Counters, io_known: bool, mut new: bool) {
        if let Some(t) = self.live.get_mut(&pid) {
            if t.start == start {
                if !io_known {
                    now.read_bytes = t.last.read_bytes;
                    now.write_bytes = t.last.write_bytes;
                }
                t.last = now;
                t.seen = true;
                return;
            }
            // The pid was reused: the process that had it is gone, and this one is new.
            self.exited = self.exited.plus(t.contribution());
            new = true;
        }
        if !io_known {
            now.read_bytes = 0;
            now.write_bytes = 0;
        }
        let baseline = if new { Counters::default() } else { now };
        self.live.insert(pid, Tracked { start, baseline, last: now, seen: true });
    }

    /// Ends a scan: processes not seen in it have exited or left the service; what they
    /// contributed moves to the exited totals.
    pub(crate) fn settle(&mut self) {
        let exited = &mut self.exited;
        self.live.retain(|_, t| {
            if !t.seen {
                *exited = exited.plus(t.contribution());
            }
            std::mem::replace(&mut t.seen, false)
        });
    }

    /// The service's counters: exited processes' contributions plus the live ones'.
    pub(crate) fn totals(&self) -> Counters {
        self.live.values().fold(self.exited, |sum, t| sum.plus(t.contribution()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(user: u64, system: u64) -> Counters {
        Counters { user_ticks: user, system_ticks: system, ..Counters::default() }
    }

    #[test]
    fn an_exited_process_keeps_its_share() {
        let mut l = Ledger::default();
        l.observe(10, 1, cpu(100, 10), true, true);
        l.observe(11, 2, cpu(50, 5), true, true);
        l.settle();
        assert_eq!(l.totals(), cpu(150, 15));
        // 11 exits; 10 goes on.
        l.observe(10, 1, cpu(120, 12), true, false);
        l.settle();
        assert_eq!(l.totals(), cpu(170, 17));
        l.settle();
        assert_eq!(l.totals(), cpu(170, 17), "10 exited too: nothing is lost");
    }

    #[test]
    fn a_reused_pid_is_a_new_process() {
        let mut l = Ledger::default();
        l.observe(10, 1, cpu(100, 0), true, true);
        l.settle();
        l.observe(10, 99, cpu(3, 0), true, false);
        l.settle();
        assert_eq!(l.totals(), cpu(103, 0));
    }

    #[test]
    fn a_process_joining_late_counts_from_when_it_joined() {
        let mut l = Ledger::default();
        l.observe(10, 1, cpu(100, 0), true, true);
        l.settle();
        l.observe(10, 1, cpu(110, 0), true, false);
        l.observe(20, 5, cpu(5000, 0), true, false);
        l.settle();
        assert_eq!(l.totals(), cpu(110, 0));
        l.observe(10, 1, cpu(110, 0), true, false);
        l.observe(20, 5, cpu(5007, 0), true, false);
        l.settle();
        assert_eq!(l.totals(), cpu(117, 0));
    }

    #[test]
    fn unreadable_io_keeps_the_last_known_bytes() {
        let mut l = Ledger::default();
        let io = |r, w| Counters { read_bytes: r, write_bytes: w, ..Counters::default() };
        l.observe(10, 1, io(4096, 8192), true, true);
        l.settle();
        l.observe(10, 1, io(0, 0), false, false);
        l.settle();
        assert_eq!(l.totals(), io(4096, 8192));
        l.observe(11, 2, io(777, 777), false, true);
        l.settle();
        assert_eq!(l.totals(), io(4096, 8192), "a process whose I/O was never read adds nothing");
    }
}
