//! Talking to a running Vitals over its HTTP API, for the CLI commands that ask one
//! (`vitals query`, `vitals analyze ...`): which server, POSTing a form, reading the
//! Prometheus-shaped JSON answer, and the time flags they share.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use vitals_config::Config;

/// How long to wait for the server; the server's own query timeout is usually shorter.
const HTTP_TIMEOUT: Duration = Duration::from_secs(300);

/// A running Vitals, by its base URL such as `http://127.0.0.1:7464`.
pub struct Client {
    base: String,
}

impl Client {
    /// `url` when given, else the configuration's listen address (a wildcard address is
    /// reached on loopback), from `config` or the defaults.
    pub fn new(url: Option<&str>, config: Option<&Path>) -> anyhow::Result<Client> {
        if let Some(url) = url {
            return Ok(Client { base: url.trim_end_matches('/').to_owned() });
        }
        let config = match config {
            Some(path) => Config::load(path)?,
            None => Config::default(),
        };
        Ok(Client { base: format!("http://{}", browsable(config.listen)) })
    }

    /// POSTs the form to `path`; the body whatever the status (errors come as JSON), or an
    /// error naming the server when it cannot be reached.
    pub fn post(&self, path: &str, form: &[(&str, String)]) -> anyhow::Result<String> {
        let url = format!("{}{path}", self.base);
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(HTTP_TIMEOUT)).build().into();
        let pairs = form.iter().map(|(k, v)| (*k, v.as_str()));
        let mut resp = agent.post(&url).send_form(pairs).map_err(|e| match e {
            ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                anyhow!("cannot reach Vitals at {}: {e} (is `vitals serve` running there? --url or --config choose the server)", self.base)
            }
            e => anyhow!("asking {url}: {e}"),
        })?;
        resp.body_mut().read_to_string().with_context(|| format!("reading the answer of {url}"))
    }

    /// POSTs the form to `path` and returns the answer's JSON when its `status` is
    /// `success`, or the server's `errorType: error` as the error. The raw body comes too.
    pub fn post_json(&self, path: &str, form: &[(&str, String)]) -> anyhow::Result<(Value, String)> {
        let body = self.post(path, form)?;
        let answer: Value =
            serde_json::from_str(&body).with_context(|| format!("{}{path} did not answer with JSON: {}", self.base, excerpt(&body)))?;
        if answer["status"] != "success" {
            let kind = answer["errorType"].as_str().unwrap_or("error");
            let message = answer["error"].as_str().map_or_else(|| excerpt(&body), str::to_owned);
            bail!("{kind}: {message}");
        }
        Ok((answer, body))
    }
}

/// The address to reach a server listening on `addr` at: for a wildcard listen address
/// (`0.0.0.0`, `[::]`), the loopback one with the same port.
pub fn browsable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port()),
        _ => addr,
    }
}

/// A time flag: Unix seconds, RFC 3339, or `now`; in ms.
pub fn parse_time(flag: &str, text: &str, now: i64) -> anyhow::Result<i64> {
    let text = text.trim();
    if text == "now" {
        return Ok(now);
    }
    if let Ok(s) = text.parse::<f64>() {
        if s.is_finite() {
            return Ok((s * 1000.0).round() as i64);
        }
    }
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Ok(t.timestamp_millis()),
        Err(_) => bail!("{flag} {text:?} is not a time: give Unix seconds (1700000000.5), RFC 3339 (2023-11-14T22:13:20Z) or now"),
    }
}

/// Milliseconds as the API's seconds, exactly.
pub fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    format!("{sign}{}.{:03}", ms / 1000, ms % 1000)
}

/// Milliseconds as RFC 3339 UTC with milliseconds.
pub fn show_time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// The start of a body, for error messages.
pub fn excerpt(body: &str) -> String {
    let mut end = body.len().min(200);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_and_out() {
        assert_eq!(parse_time("--time", "now", 5).unwrap(), 5);
        assert_eq!(parse_time("--time", "1700000000.5", 0).unwrap(), 1_700_000_000_500);
        assert_eq!(parse_time("--time", "2023-11-14T22:13:20Z", 0).unwrap(), 1_700_000_000_000);
        let err = parse_time("--end", "yesterday", 0).unwrap_err().to_string();
        assert!(err.contains("--end \"yesterday\" is not a time"), "{err}");
        assert_eq!(seconds(1_500), "1.500");
        assert_eq!(seconds(-1_500), "-1.500");
        assert_eq!(show_time(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
    }
}
