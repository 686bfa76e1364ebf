//! Running `vitals serve` as a child process and talking HTTP to it.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The binary under test.
pub fn vitals() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vitals"))
}

/// Runs `vitals ARGS` to completion.
pub fn run(args: &[&str]) -> Output {
    vitals().args(args).stdin(Stdio::null()).output().unwrap()
}

/// Runs `vitals ARGS` to completion with `input` on its standard input.
pub fn run_with_input(args: &[&str], input: &[u8]) -> Output {
    let mut child = vitals().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread so that a child that stops reading cannot block the test.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Milliseconds since the epoch, for sample timestamps near now.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A `vitals serve` child process; killed if still running when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    stderr: PathBuf,
    agent: ureq::Agent,
}

impl Server {
    /// Starts `vitals serve --data-dir DIR --listen 127.0.0.1:0` and waits until it is ready.
    pub fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, "127.0.0.1:0", &[])
    }

    /// As [`Server::start`], with `--config FILE`.
    pub fn start_with_config(data_dir: &Path, config: &Path) -> Server {
        Server::start_with(data_dir, "127.0.0.1:0", &[OsStr::new("--config"), config.as_os_str()])
    }

    /// As [`Server::start_with_config`], listening on `listen` (`127.0.0.1:PORT`): a restart
    /// on the same address keeps the series' `instance` label.
    pub fn start_listening(data_dir: &Path, listen: &str, config: &Path) -> Server {
        Server::start_with(data_dir, listen, &[OsStr::new("--config"), config.as_os_str()])
    }

    /// As [`Server::start`], listening on `listen`, with more arguments.
    fn start_with(data_dir: &Path, listen: &str, more: &[&OsStr]) -> Server {
        let stderr = data_dir.with_extension(format!("stderr-{}.log", now_ms()));
        let mut child = vitals()
            .args(["serve", "--listen", listen])
            .args(more)
            .arg("--data-dir")
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Keep reading whatever else the server prints, so that it never writes to a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(|url| url.trim_end_matches('/'))
            .unwrap_or_else(|| panic!("no listen URL in {line:?}; stderr: {}", std::fs::read_to_string(&stderr).unwrap_or_default()))
            .to_owned();
        let agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(20))).build().into();
        let server = Server { child, addr, stderr, agent };
        server.wait_until(Duration::from_secs(10), "ready", || server.get("/-/ready").0 == 200);
        server
    }

    /// Polls `check` every 50 ms until it holds, or fails the test after `limit`.
    pub fn wait_until(&self, limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
        let start = Instant::now();
        while !check() {
            assert!(start.elapsed() < limit, "not {what} after {limit:?}; stderr:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the server logged so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// GET `path` (with `query` pairs, encoded); status and body.
    pub fn get_with(&self, path: &str, query: &[(&str, &str)]) -> (u16, String) {
        let mut req = self.agent.get(format!("http://{}{path}", self.addr));
        for (k, v) in query {
            req = req.query(*k, *v);
        }
        let mut resp = req.call().unwrap();
        (resp.status().as_u16(), resp.body_mut().read_to_string().unwrap())
    }

    /// GET `path`.
    pub fn get(&self, path: &str) -> (u16, String) {
        self.get_with(path, &[])
    }

    /// POST `body` to `path`; an error if the connection fails (e.g. the server died).
    pub fn try_post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<(u16, String), ureq::Error> {
        let mut req = self.agent.post(format!("http://{}{path}", self.addr));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = req.send(body)?;
        Ok((resp.status().as_u16(), resp.body_mut().read_to_string()?))
    }

    /// POST a text exposition to the import endpoint.
    pub fn import(&self, body: &str) -> (u16, String) {
        self.try_post("/api/v1/import/prometheus", &[], body.as_bytes()).unwrap()
    }

    /// `/api/v1/export` of `selector`: series labels (as JSON text) to (timestamp, value bits).
    pub fn export(&self, selector: &str) -> Vec<(String, Vec<(i64, u64)>)> {
        let (status, body) = self.get_with("/api/v1/export", &[("match[]", selector)]);
        assert_eq!(status, 200, "{body}");
        body.lines().map(parse_export_line).collect()
    }

    /// Sends `signal` (a libc signal number).
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill with our own child's pid.
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, signal) }, 0);
    }

    /// SIGKILL, and reap the process.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed() < limit, "still running after {limit:?}; stderr:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One export line: its `metric` object as JSON text and its samples, values as f64
/// bits. Values are parsed from the text with Rust's exact parser, so the comparison is
/// bit for bit.
pub fn parse_export_line(line: &str) -> (String, Vec<(i64, u64)>) {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let between = |key: &str| {
        let start = line.find(key).unwrap() + key.len();
        let end = line[start..].find(']').unwrap() + start;
        line[start..end].to_owned()
    };
    let values: Vec<u64> = between("\"values\":[")
        .split(',')
        .map(|t| match t {
            "\"NaN\"" => f64::NAN.to_bits(),
            "\"Inf\"" => f64::INFINITY.to_bits(),
            "\"-Inf\"" => f64::NEG_INFINITY.to_bits(),
            t => t.parse::<f64>().unwrap_or_else(|_| panic!("value {t:?} in {line}")).to_bits(),
        })
        .collect();
    let timestamps: Vec<i64> = between("\"timestamps\":[").split(',').map(|t| t.parse().unwrap()).collect();
    assert_eq!(values.len(), timestamps.len(), "{line}");
    (v["metric"].to_string(), timestamps.into_iter().zip(values).collect())
}

/// Gzip-compresses `text`.
pub fn gzip(text: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}
