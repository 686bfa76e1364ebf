//! The `cgroup` collector on fake cgroup v2 trees, and on this machine's.

use std::path::Path;

use super::CgroupCollector;
use crate::services::testing::{wait_for_cpu, Harness};

const ID: &str = "4f2a9c1b7d3e0123456789abcdef0123456789abcdef0123456789abcdef0123";

fn write(root: &Path, file: &str, content: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// A unified host with nginx (every file), a Docker container (limit, I/O on two devices,
/// one unknown to /sys/dev/block), and a session scope that is not watched.
fn unified() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sys = dir.path();
    write(sys, "dev/block/254:0/uevent", "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n");
    let cg = sys.join("fs/cgroup");
    write(&cg, "cgroup.controllers", "cpuset cpu io memory pids\n");
    write(&cg, "cpu.stat", "usage_usec 999\nuser_usec 900\nsystem_usec 99\n");
    let nginx = "system.slice/nginx.service";
    write(
        &cg,
        &format!("{nginx}/cpu.stat"),
        "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 1500000\nnr_bursts 0\n",
    );
    write(&cg, &format!("{nginx}/memory.current"), "104857600\n");
    write(&cg, &format!("{nginx}/memory.max"), "max\n");
    write(&cg, &format!("{nginx}/memory.swap.current"), "0\n");
    write(
        &cg,
        &format!("{nginx}/memory.stat"),
        "anon 50000000\nfile 40000000\nkernel 4000000\nkernel_stack 100000\nshmem 1000\nsock 0\nslab 3000000\nfile_mapped 2000\n\
         file_dirty 0\nfile_writeback 0\nactive_anon 1\npgfault 12345\npgmajfault 12\n",
    );
    write(&cg, &format!("{nginx}/memory.events"), "low 0\nhigh 3\nmax 2\noom 1\noom_kill 1\noom_group_kill 0\n");
    write(
        &cg,
        &format!("{nginx}/cpu.pressure"),
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=250000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=100000\n",
    );
    write(
        &cg,
        &format!("{nginx}/memory.pressure"),
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
    );
    write(
        &cg,
        &format!("{nginx}/io.pressure"),
        "some avg10=0.00 avg60=0.00 avg300=0.00 total=3000000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=2000000\n",
    );
    write(&cg, &format!("{nginx}/io.stat"), "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
    let docker = format!("system.slice/docker-{ID}.scope");
    write(&cg, &format!("{docker}/cpu.stat"), "usage_usec 1000000\nuser_usec 1000000\nsystem_usec 0\n");
    write(&cg, &format!("{docker}/memory.current"), "2048\n");
    write(&cg, &format!("{docker}/memory.max"), "536870912\n");
    write(&cg, &format!("{docker}/io.stat"), "254:0 rbytes=1 wbytes=2 rios=3 wios=4\n8:0 rbytes=5 wbytes=6 rios=7 wios=8\n");
    write(&cg, "user.slice/user-1000.slice/session-1.scope/cpu.stat", "usage_usec 5\nuser_usec 5\nsystem_usec 0\n");
    dir
}

#[test]
fn services_and_containers_with_their_files() {
    let dir = unified();
    let mut c = CgroupCollector::detect(dir.path()).unwrap();
    let run = Harness::new().run(&mut c);
    assert_eq!(run.degraded, None);
    let nginx = r#"cgroup="/system.slice/nginx.service",unit="nginx.service""#;
    let get = |name: &str, extra: &str| run.get(&format!("{name}{{{nginx}{extra}}}"));
    assert_eq!(get("vitals_cgroup_cpu_seconds_total", r#",mode="user""#), 2.0);
    assert_eq!(get("vitals_cgroup_cpu_seconds_total", r#",mode="system""#), 0.5);
    assert_eq!(get("vitals_cgroup_cpu_periods_total", ""), 10.0);
    assert_eq!(get("vitals_cgroup_cpu_throttled_periods_total", ""), 4.0);
    assert_eq!(get("vitals_cgroup_cpu_throttled_seconds_total", ""), 1.5);
    assert_eq!(get("vitals_cgroup_memory_usage_bytes", ""), 104857600.0);
    assert_eq!(get("vitals_cgroup_memory_swap_usage_bytes", ""), 0.0);
    assert_eq!(get("vitals_cgroup_memory_stat_bytes", r#",type="anon""#), 50000000.0);
    assert_eq!(get("vitals_cgroup_memory_stat_bytes", r#",type="kernel""#), 4000000.0);
    assert_eq!(run.family("vitals_cgroup_memory_stat_bytes").len(), 9, "the chosen types only");
    assert_eq!(get("vitals_cgroup_memory_pgfault_total", ""), 12345.0);
    assert_eq!(get("vitals_cgroup_memory_pgmajfault_total", ""), 12.0);
    assert_eq!(get("vitals_cgroup_memory_events_total", r#",event="oom_kill""#), 1.0);
    assert_eq!(get("vitals_cgroup_memory_events_total", r#",event="high""#), 3.0);
    assert_eq!(run.family("vitals_cgroup_memory_events_total").len(), 4);
    assert_eq!(get("vitals_cgroup_pressure_waiting_seconds_total", r#",resource="cpu""#), 0.25);
    assert_eq!(get("vitals_cgroup_pressure_stalled_seconds_total", r#",resource="io""#), 2.0);
    assert_eq!(get("vitals_cgroup_io_read_bytes_total", r#",device="vda""#), 4096.0);
    assert_eq!(get("vitals_cgroup_io_writes_total", r#",device="vda""#), 2.0);
    assert!(
        !run.values.keys().any(|k| k.starts_with("vitals_cgroup_memory_limit_bytes{cgroup=\"/system.slice/nginx")),
        "no limit, no series"
    );

    let docker = format!(r#"cgroup="/system.slice/docker-{ID}.scope",container_id="4f2a9c1b7d3e""#);
    assert_eq!(run.get(&format!("vitals_cgroup_memory_limit_bytes{{{docker}}}")), 536870912.0);
    assert_eq!(run.get(&format!(r#"vitals_cgroup_io_written_bytes_total{{{docker},device="8:0"}}"#)), 6.0, "unknown device: its numbers");
    assert_eq!(run.get(&format!(r#"vitals_cgroup_cpu_seconds_total{{{docker},mode="user"}}"#)), 1.0);
    assert!(!run.values.keys().any(|k| k.contains("session-1.scope") || k.contains(r#"cgroup="""#)), "{:#?}", run.values);
}

#[test]
fn a_malformed_file_degrades_the_run_and_a_vanished_group_is_skipped() {
    let dir = unified();
    let cg = dir.path().join("fs/cgroup");
    write(&cg, "system.slice/nginx.service/memory.stat", "anon lots\n");
    // A service stopped during the walk: its directory is there, its files are not.
    std::fs::create_dir_all(cg.join("system.slice/gone.service")).unwrap();
    let mut c = CgroupCollector::detect(dir.path()).unwrap();
    let run = Harness::new().run(&mut c);
    let expected = format!("{}: line 1: anon is \"lots\", not a whole number", cg.join("system.slice/nginx.service/memory.stat").display());
    assert_eq!(run.degraded, Some(expected));
    assert_eq!(run.family("vitals_cgroup_memory_stat_bytes").len(), 0);
    assert_eq!(run.get(r#"vitals_cgroup_memory_usage_bytes{cgroup="/system.slice/nginx.service",unit="nginx.service"}"#), 104857600.0);
    assert!(!run.values.keys().any(|k| k.contains("gone.service")));
}

#[test]
fn a_hybrid_host_gives_what_its_unified_part_has() {
    let dir = tempfile::tempdir().unwrap();
    let cg = dir.path().join("fs/cgroup/unified");
    write(&cg, "cgroup.controllers", "");
    write(&cg, "system.slice/cron.service/cpu.stat", "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\n");
    write(&cg, "system.slice/cron.service/cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n");
    let mut c = CgroupCollector::detect(dir.path()).unwrap();
    let run = Harness::new().run(&mut c);
    assert_eq!(run.degraded, None);
    let labels = r#"cgroup="/system.slice/cron.service",unit="cron.service""#;
    assert_eq!(run.get(&format!(r#"vitals_cgroup_cpu_seconds_total{{{labels},mode="system"}}"#)), 1.0);
    assert_eq!(run.get(&format!(r#"vitals_cgroup_pressure_waiting_seconds_total{{{labels},resource="cpu"}}"#)), 7e-6);
    assert_eq!(run.values.len(), 3, "{:#?}", run.values);
}

#[test]
fn without_cgroup_v2_the_collector_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("fs/cgroup/memory")).unwrap();
    let err = CgroupCollector::detect(dir.path()).err().unwrap();
    assert_eq!(
        err,
        format!(
            "no cgroup v2 hierarchy: neither {} nor {} holds cgroup.controllers",
            dir.path().join("fs/cgroup").display(),
            dir.path().join("fs/cgroup/unified").display()
        )
    );
}

/// Removes the test's cgroup and ends its process, even when an assertion fails.
struct TestGroup {
    dir: std::path::PathBuf,
    child: std::process::Child,
}

impl Drop for TestGroup {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The group empties once the killed process is reaped; give the kernel a moment.
        for _ in 0..50 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

#[test]
fn this_machine() {
    let sys = Path::new("/sys");
    let Ok(mut c) = CgroupCollector::detect(sys) else {
        // Possible on a host without cgroup v2: detection then explains itself (tested above).
        eprintln!("no cgroup v2 on this machine: {}", CgroupCollector::detect(sys).err().unwrap_or_default());
        return;
    };
    let mut h = Harness::new();
    assert_eq!(h.run(&mut c).degraded, None);

    // Where allowed (root), a service of our own with a busy process in it.
    let root = super::layout::find_root(sys).unwrap();
    let name = format!("vitals-test-{}.service", std::process::id());
    if let Err(e) = std::fs::create_dir(root.join(&name)) {
        eprintln!("cannot create a cgroup under {} ({e}): only the walk was checked", root.display());
        return;
    }
    // The shell moves itself into the group before it starts burning CPU, so all the CPU
    // it uses is the group's.
    let dir = root.join(&name);
    let script = r#"echo $$ > "$1/cgroup.procs" || exit 1; exec sh -c 'while :; do :; done'"#;
    let child = std::process::Command::new("sh").args(["-c", script, "sh"]).arg(&dir).spawn().unwrap();
    let group = TestGroup { dir, child };
    // Wait until the busy loop has had some CPU by its own account (however loaded the
    // machine is), then the group must show at least that much.
    let child_cpu = wait_for_cpu(group.child.id(), 0.1);
    let in_group = std::fs::read_to_string(format!("/proc/{}/cgroup", group.child.id())).unwrap_or_default();
    assert!(in_group.contains(&name), "the busy loop is in {in_group:?}, not in {name}");
    let run = h.run(&mut c);
    let labels = format!(r#"cgroup="/{name}",unit="{name}""#);
    let user = run.get(&format!(r#"vitals_cgroup_cpu_seconds_total{{{labels},mode="user"}}"#));
    let system = run.get(&format!(r#"vitals_cgroup_cpu_seconds_total{{{labels},mode="system"}}"#));
    // The process' own figure is in clock ticks (10 ms), the group's in microseconds.
    assert!(user + system >= child_cpu - 0.02, "the busy loop used {child_cpu} s: the group shows user {user} s, system {system} s");
    assert!(run.values.contains_key(&format!(r#"vitals_cgroup_pressure_waiting_seconds_total{{{labels},resource="cpu"}}"#)));
    assert_eq!(run.degraded, None);
    drop(group);
}
