//! The HTTP listen address: `host:port` with an IP address, or `localhost`.

use std::net::{Ipv4Addr, SocketAddr};

use crate::scalar::Kind;

/// Parses a listen address such as `127.0.0.1:7464`, `0.0.0.0:7464` or `[::1]:7464`.
///
/// `localhost:PORT` stands for `127.0.0.1:PORT`; other host names are not looked up, so
/// reading a config never waits on DNS.
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(address) = text.parse() {
        return Ok(address);
    }
    let localhost_port =
        text.rsplit_once(':').filter(|(host, _)| host.eq_ignore_ascii_case("localhost")).and_then(|(_, port)| port.parse::<u16>().ok());
    localhost_port.map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port))).ok_or_else(|| {
        format!(
            "invalid listen address {text:?}; expected IP:PORT like 127.0.0.1:7464, \
                 0.0.0.0:7464 or [::1]:7464, or localhost:PORT"
        )
    })
}

/// Reads a YAML scalar as a listen address.
pub(crate) struct AsListen;

impl Kind for AsListen {
    type Value = SocketAddr;
    const EXPECTING: &'static str = "an address like 127.0.0.1:7464";

    fn parse(text: &str) -> Result<SocketAddr, String> {
        parse_listen(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ip_addresses_and_localhost() {
        let cases = [
            ("127.0.0.1:7464", "127.0.0.1:7464"),
            ("0.0.0.0:80", "0.0.0.0:80"),
            ("[::1]:7464", "[::1]:7464"),
            ("localhost:9000", "127.0.0.1:9000"),
            ("LocalHost:9000", "127.0.0.1:9000"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_listen(text).map(|a| a.to_string()), Ok(expected.to_owned()));
        }
    }

    #[test]
    fn rejects_names_missing_ports_and_bad_ports() {
        for text in ["example.com:80", "127.0.0.1", "localhost", "localhost:99999", ":7464"] {
            assert_eq!(
                parse_listen(text).unwrap_err(),
                format!(
                    "invalid listen address {text:?}; expected IP:PORT like 127.0.0.1:7464, \
                     0.0.0.0:7464 or [::1]:7464, or localhost:PORT"
                )
            );
        }
    }
}
