//! The `services` and `top_processes` collectors on fake `/proc` trees, and on this machine's.

use regex::Regex;

use super::fixture::{FakeProc, FakeProcess, BOOT_TIME};
use super::procfs::ticks_and_page_size;
use super::testing::Harness;
use super::{ServiceSpec, ServicesCollector, TopProcessesCollector};

fn spec(name: &str) -> ServiceSpec {
    ServiceSpec { name: name.into(), process_name: None, cmdline: None, pid_file: None, systemd_unit: None, cgroup: None }
}

fn re(s: &str) -> Option<Regex> {
    Some(Regex::new(s).unwrap())
}

/// The processes of a small host: nginx (master and two workers, pid file), postgres (in
/// its systemd unit), a Java app told apart by its command line, and a kernel thread.
fn host() -> FakeProc {
    let proc = FakeProc::new();
    let nginx =
        FakeProcess { comm: "nginx", cgroup: "/system.slice/nginx.service", cmdline: &["nginx: master process"], ..Default::default() };
    proc.put(&FakeProcess { pid: 200, utime: 100, stime: 50, rss_pages: 100, threads: 1, start: 500, fds: 5, ..nginx.clone() });
    proc.put(&FakeProcess { pid: 201, ppid: 200, utime: 300, stime: 20, rss_pages: 200, threads: 2, start: 600, fds: 7, ..nginx.clone() });
    proc.put(&FakeProcess {
        pid: 202,
        ppid: 200,
        utime: 10,
        stime: 0,
        rss_pages: 50,
        threads: 1,
        start: 700,
        io: Some((4096, 1024)),
        ..nginx
    });
    proc.put(&FakeProcess {
        pid: 300,
        comm: "postgres",
        cgroup: "/system.slice/postgresql.service",
        utime: 1000,
        stime: 100,
        ctx: (40, 2),
        io: Some((1 << 20, 2 << 20)),
        ..Default::default()
    });
    proc.put(&FakeProcess { pid: 400, comm: "java", cmdline: &["/usr/bin/java", "-jar", "kafka.jar"], utime: 5, ..Default::default() });
    proc.put(&FakeProcess { pid: 401, comm: "java", cmdline: &["/usr/bin/java", "-jar", "other.jar"], utime: 7, ..Default::default() });
    proc.put(&FakeProcess { pid: 2, comm: "kthreadd", ppid: 0, kernel_thread: true, rss_pages: 0, cmdline: &[], ..Default::default() });
    std::fs::write(proc.path("nginx.pid"), "200\n").unwrap();
    proc
}

#[test]
fn each_service_sums_its_processes() {
    let proc = host();
    let specs = vec![
        ServiceSpec { pid_file: Some(proc.path("nginx.pid")), ..spec("web") },
        ServiceSpec { systemd_unit: Some("postgresql.service".into()), ..spec("db") },
        ServiceSpec { process_name: re("^java$"), cmdline: re(r"kafka\.jar"), ..spec("kafka") },
        ServiceSpec { cgroup: Some("/system.slice/redis.service".into()), ..spec("cache") },
    ];
    let mut c = ServicesCollector::new(proc.root(), specs);
    let run = Harness::new().run(&mut c);
    let (hz, page) = ticks_and_page_size();

    assert_eq!(run.degraded, None);
    assert_eq!(run.get(r#"vitals_service_processes{service="web"}"#), 3.0);
    assert_eq!(run.get(r#"vitals_service_cpu_seconds_total{service="web",mode="user"}"#), 410.0 / hz);
    assert_eq!(run.get(r#"vitals_service_cpu_seconds_total{service="web",mode="system"}"#), 70.0 / hz);
    assert_eq!(run.get(r#"vitals_service_resident_memory_bytes{service="web"}"#), 350.0 * page);
    assert_eq!(run.get(r#"vitals_service_virtual_memory_bytes{service="web"}"#), 3.0 * f64::from(1 << 20));
    assert_eq!(run.get(r#"vitals_service_threads{service="web"}"#), 4.0);
    assert_eq!(run.get(r#"vitals_service_open_fds{service="web"}"#), 15.0);
    assert_eq!(run.get(r#"vitals_service_read_bytes_total{service="web"}"#), 4096.0);
    assert_eq!(run.get(r#"vitals_service_write_bytes_total{service="web"}"#), 1024.0);
    assert_eq!(run.get(r#"vitals_service_oldest_start_time_seconds{service="web"}"#), BOOT_TIME as f64 + 500.0 / hz);
    assert_eq!(run.get(r#"vitals_service_up{service="web"}"#), 1.0);

    assert_eq!(run.get(r#"vitals_service_processes{service="db"}"#), 1.0);
    assert_eq!(run.get(r#"vitals_service_context_switches_total{service="db",ctxswitch="voluntary"}"#), 40.0);
    assert_eq!(run.get(r#"vitals_service_context_switches_total{service="db",ctxswitch="nonvoluntary"}"#), 2.0);
    assert_eq!(run.get(r#"vitals_service_read_bytes_total{service="db"}"#), f64::from(1 << 20));

    assert_eq!(run.get(r#"vitals_service_processes{service="kafka"}"#), 1.0, "the other java process has another command line");
    assert_eq!(run.get(r#"vitals_service_cpu_seconds_total{service="kafka",mode="user"}"#), 5.0 / hz);

    assert_eq!(run.get(r#"vitals_service_up{service="cache"}"#), 0.0);
    assert_eq!(run.get(r#"vitals_service_processes{service="cache"}"#), 0.0);
    assert_eq!(run.get(r#"vitals_service_resident_memory_bytes{service="cache"}"#), 0.0);
    assert!(!run.values.contains_key(r#"vitals_service_oldest_start_time_seconds{service="cache"}"#));
    // 13 series a service; none for cache's I/O (never read) and start time (no process).
    assert_eq!(run.values.len(), 4 * 13 - 3, "{:#?}", run.values);
}

#[test]
fn a_process_counts_in_the_first_matching_service_only() {
    let proc = host();
    let specs = vec![
        ServiceSpec { process_name: re("^nginx$"), cmdline: re("master"), ..spec("master") },
        ServiceSpec { process_name: re("nginx"), ..spec("all-nginx") },
        ServiceSpec { cgroup: Some("/system.slice".into()), ..spec("system") },
    ];
    let mut c = ServicesCollector::new(proc.root(), specs);
    let run = Harness::new().run(&mut c);
    // Every nginx process has the master's command line in this fixture: all three are "master".
    assert_eq!(run.get(r#"vitals_service_processes{service="master"}"#), 3.0);
    assert_eq!(run.get(r#"vitals_service_processes{service="all-nginx"}"#), 0.0);
    assert_eq!(run.get(r#"vitals_service_processes{service="system"}"#), 1.0, "postgres only: nginx went to the first service");
}

#[test]
fn counters_keep_what_exited_processes_used() {
    let proc = host();
    let mut c = ServicesCollector::new(proc.root(), vec![ServiceSpec { process_name: re("^nginx$"), ..spec("web") }]);
    let mut h = Harness::new();
    let (hz, _) = ticks_and_page_size();
    let user = r#"vitals_service_cpu_seconds_total{service="web",mode="user"}"#;
    let read = r#"vitals_service_read_bytes_total{service="web"}"#;
    assert_eq!(h.run(&mut c).get(user), 410.0 / hz);

    // A worker exits, the other works on; a new worker starts.
    proc.remove(202);
    proc.put(&FakeProcess { pid: 201, ppid: 200, comm: "nginx", utime: 310, stime: 20, start: 600, ..Default::default() });
    proc.put(&FakeProcess { pid: 203, ppid: 200, comm: "nginx", utime: 2, start: 900, io: Some((100, 0)), ..Default::default() });
    let run = h.run(&mut c);
    assert_eq!(run.get(user), (100.0 + 310.0 + 10.0 + 2.0) / hz);
    assert_eq!(run.get(read), 4096.0 + 100.0);
    assert_eq!(run.get(r#"vitals_service_processes{service="web"}"#), 3.0);

    // A reused pid is another process: the old one's share stays, the new one adds its own.
    proc.put(&FakeProcess { pid: 203, ppid: 200, comm: "nginx", utime: 1, start: 950, ..Default::default() });
    let run = h.run(&mut c);
    assert_eq!(run.get(user), (100.0 + 310.0 + 10.0 + 2.0 + 1.0) / hz);

    // Everything stops: the counters stay where they were.
    for pid in [200, 201, 203] {
        proc.remove(pid);
    }
    let run = h.run(&mut c);
    assert_eq!(run.get(user), (100.0 + 310.0 + 10.0 + 2.0 + 1.0) / hz);
    assert_eq!(run.get(read), 4196.0);
    assert_eq!(run.get(r#"vitals_service_up{service="web"}"#), 0.0);
}

#[test]
fn a_process_joining_late_does_not_bring_its_past() {
    let proc = host();
    let mut c = ServicesCollector::new(proc.root(), vec![ServiceSpec { cmdline: re("kafka"), ..spec("kafka") }]);
    let mut h = Harness::new();
    let (hz, _) = ticks_and_page_size();
    let user = r#"vitals_service_cpu_seconds_total{service="kafka",mode="user"}"#;
    assert_eq!(h.run(&mut c).get(user), 5.0 / hz);
    // The other java process, running for long, now runs kafka too (it re-executed itself).
    proc.put(&FakeProcess { pid: 401, comm: "java", cmdline: &["/usr/bin/java", "kafka"], utime: 7000, ..Default::default() });
    assert_eq!(h.run(&mut c).get(user), 5.0 / hz);
    proc.put(&FakeProcess { pid: 401, comm: "java", cmdline: &["/usr/bin/java", "kafka"], utime: 7003, ..Default::default() });
    assert_eq!(h.run(&mut c).get(user), 8.0 / hz);
}

#[test]
fn unreadable_or_malformed_files_degrade_the_run_and_vanished_processes_do_not() {
    let proc = host();
    // Another user's process: its io cannot be read.
    proc.put(&FakeProcess { pid: 500, comm: "nginx", io: None, utime: 1, ..Default::default() });
    // A process that exited between the listing and the reads: its directory is empty.
    std::fs::create_dir(proc.pid_dir(600)).unwrap();
    let mut c = ServicesCollector::new(proc.root(), vec![ServiceSpec { process_name: re("nginx"), ..spec("web") }]);
    let mut h = Harness::new();
    let run = h.run(&mut c);
    let reason = run.degraded.clone().unwrap();
    assert!(reason.starts_with(&format!("reading {}: ", proc.pid_dir(500).join("io").display())), "{reason}");
    assert_eq!(run.get(r#"vitals_service_processes{service="web"}"#), 4.0, "its other values count");
    assert_eq!(run.get(r#"vitals_service_read_bytes_total{service="web"}"#), 4096.0);

    proc.remove(500);
    proc.write(201, "stat", "201 (nginx) S 200 garbage");
    let run = h.run(&mut c);
    assert_eq!(
        run.degraded.as_deref(),
        Some(format!("{}: only 5 fields, expected at least 24", proc.pid_dir(201).join("stat").display()).as_str())
    );
    assert_eq!(run.get(r#"vitals_service_processes{service="web"}"#), 2.0);

    proc.remove(201);
    assert_eq!(h.run(&mut c).degraded, None, "a process that is gone is no problem");
}

#[test]
fn a_bad_or_missing_pid_file() {
    let proc = host();
    let pid_file = proc.path("web.pid");
    let mut c = ServicesCollector::new(proc.root(), vec![ServiceSpec { pid_file: Some(pid_file.clone()), ..spec("web") }]);
    let mut h = Harness::new();
    let run = h.run(&mut c);
    assert_eq!(run.degraded, None, "no pid file: the service is down, nothing is wrong with Vitals");
    assert_eq!(run.get(r#"vitals_service_up{service="web"}"#), 0.0);
    std::fs::write(&pid_file, "nginx\n").unwrap();
    let run = h.run(&mut c);
    assert_eq!(run.degraded, Some(format!("pid file {}: \"nginx\" is not a process id", pid_file.display())));
    std::fs::write(&pid_file, "201").unwrap();
    let run = h.run(&mut c);
    assert_eq!(run.get(r#"vitals_service_processes{service="web"}"#), 1.0, "a worker without children");
}

#[test]
fn top_processes_groups_by_name_and_keeps_the_top() {
    let proc = host();
    let mut c = TopProcessesCollector::new(proc.root(), 2);
    let mut h = Harness::new();
    let (hz, page) = ticks_and_page_size();
    // Before the first scan: the interval between the two scans is shorter than this.
    let before = std::time::Instant::now();
    let run = h.run(&mut c);
    // First run: no interval yet, so memory only: nginx (350 pages) and java (20).
    assert_eq!(run.family("vitals_top_process_cpu_usage_ratio"), []);
    assert_eq!(run.get(r#"vitals_top_process_resident_memory_bytes{name="nginx"}"#), 350.0 * page);
    assert_eq!(run.get(r#"vitals_top_process_count{name="nginx"}"#), 3.0);
    assert_eq!(run.get(r#"vitals_top_process_resident_memory_bytes{name="java"}"#), 20.0 * page);
    assert_eq!(run.values.len(), 4, "{:#?}", run.values);

    // Postgres uses 50 ticks, java 10 (across its two processes), a new process 5; nginx none.
    proc.put(&FakeProcess { pid: 300, comm: "postgres", utime: 1050, stime: 100, ..Default::default() });
    proc.put(&FakeProcess { pid: 400, comm: "java", utime: 9, ..Default::default() });
    proc.put(&FakeProcess { pid: 401, comm: "java", utime: 13, ..Default::default() });
    proc.put(&FakeProcess { pid: 700, comm: "cron", utime: 5, start: 5000, ..Default::default() });
    std::thread::sleep(std::time::Duration::from_millis(50));
    let run = h.run(&mut c);
    let slowest = before.elapsed().as_secs_f64();
    let postgres = run.get(r#"vitals_top_process_cpu_usage_ratio{name="postgres"}"#);
    assert!(postgres > 50.0 / hz / slowest && postgres <= 50.0 / hz / 0.05, "{postgres}");
    let java = run.get(r#"vitals_top_process_cpu_usage_ratio{name="java"}"#);
    assert!((java / postgres - 0.2).abs() < 1e-9, "{java} vs {postgres}");
    assert!(!run.values.contains_key(r#"vitals_top_process_cpu_usage_ratio{name="cron"}"#), "third by CPU");
    assert!(run.values.contains_key(r#"vitals_top_process_cpu_usage_ratio{name="nginx"}"#), "in the memory top");
    assert_eq!(run.family("vitals_top_process_count").len(), 3, "java and postgres by CPU, nginx and java by memory");
    assert!(!run.values.keys().any(|k| k.contains("kthreadd")), "kernel threads are left out");
}

#[test]
fn an_unreadable_proc_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    let mut h = Harness::new();
    let mut c = TopProcessesCollector::new(missing.clone(), 10);
    let err = crate::Collector::collect(&mut c, h.emitter()).unwrap_err();
    assert!(err.to_string().starts_with(&format!("reading {}: ", missing.display())), "{err}");
}

/// Children of the test, killed and reaped even when an assertion fails.
struct Children(Vec<std::process::Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
fn this_machine() {
    use std::process::Command;
    // A mark only our children carry: sleep adds up its arguments, so `30 0.000<pid>` is
    // still about 30 s.
    let mark = format!("vitals-test-{}", std::process::id());
    let sleep_arg = format!("0.000{}", std::process::id());
    let busy = Command::new("sh").args(["-c", "while :; do :; done", &mark]).spawn().unwrap();
    let mut children = Children(vec![busy]);
    for _ in 0..2 {
        children.0.push(Command::new("sleep").args(["30", &sleep_arg]).spawn().unwrap());
    }
    let pattern = format!(r"{mark}$|^sleep 30 {}$", regex::escape(&sleep_arg));
    let specs = vec![ServiceSpec { cmdline: re(&pattern), ..spec("test") }];
    let mut c = ServicesCollector::new("/proc".into(), specs);
    let mut top = TopProcessesCollector::new("/proc".into(), 10);
    let mut h = Harness::new();
    let mut h_top = Harness::new();
    let cpu = |run: &super::testing::Run| {
        run.get(r#"vitals_service_cpu_seconds_total{service="test",mode="user"}"#)
            + run.get(r#"vitals_service_cpu_seconds_total{service="test",mode="system"}"#)
    };
    h_top.run(&mut top);
    // However loaded the machine is, wait until the busy loop has had some CPU by its own
    // account; the service must then show at least that much (ticks are 10 ms).
    let child_cpu = super::testing::wait_for_cpu(children.0[0].id(), 0.1);

    let run = h.run(&mut c);
    assert_eq!(run.degraded, None, "every file of our own children is readable");
    assert_eq!(run.get(r#"vitals_service_processes{service="test"}"#), 3.0);
    assert_eq!(run.get(r#"vitals_service_up{service="test"}"#), 1.0);
    assert!(run.get(r#"vitals_service_resident_memory_bytes{service="test"}"#) > 0.0);
    assert!(run.get(r#"vitals_service_threads{service="test"}"#) >= 3.0);
    assert!(run.get(r#"vitals_service_open_fds{service="test"}"#) >= 3.0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let start = run.get(r#"vitals_service_oldest_start_time_seconds{service="test"}"#);
    assert!(start > now - 10.0 && start <= now + 1.0, "started at {start}, now {now}");
    let before = cpu(&run);
    assert!(before >= child_cpu - 0.02, "the busy loop used {child_cpu} s, the service shows {before} s");
    let run_top = h_top.run(&mut top);
    let sh = run_top.get(r#"vitals_top_process_cpu_usage_ratio{name="sh"}"#);
    assert!(sh > 0.0 && sh <= 1.05 * std::thread::available_parallelism().unwrap().get() as f64, "the busy loop used {sh} cores");

    // The busy process exits: its CPU time stays in the counter.
    children.0[0].kill().unwrap();
    children.0[0].wait().unwrap();
    let run = h.run(&mut c);
    assert_eq!(run.get(r#"vitals_service_processes{service="test"}"#), 2.0);
    assert!(cpu(&run) >= before, "{} went back from {before}", cpu(&run));

    drop(children);
    let run = h.run(&mut c);
    assert_eq!(run.get(r#"vitals_service_up{service="test"}"#), 0.0);
    assert!(cpu(&run) >= before);
}
