//! Why a connection failed, in a few words, and whether trying again can help.
//!
//! | failure                                              | retried                      |
//! |------------------------------------------------------|------------------------------|
//! | connection refused by a loopback address             | no: nothing listens there    |
//! | the server answers TLS to plain HTTP, or the reverse | no: the URL's scheme is wrong|
//! | a TLS handshake the server refuses outright          | no                           |
//! | the host name does not resolve                       | once (a resolver may hiccup) |
//! | anything else (refused elsewhere, timeout, reset)    | yes, each retry reported     |
//!
//! Each retry of a connection that could not be opened is reported through
//! [`ClientConfig::on_connect_retry`](crate::ClientConfig::on_connect_retry), so that a person
//! sees why nothing happens while the client waits.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use crate::error::Service;

/// How often a failed connection may be tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cure {
    /// Trying again cannot help: fail now.
    None,
    /// Worth one more try, no more.
    OneRetry,
    /// May pass: the retry policy decides.
    Retry,
}

impl Cure {
    /// Whether attempt number `attempt` (1 = the first send) may be followed by another.
    pub(crate) fn allows(self, attempt: u32) -> bool {
        match self {
            Cure::None => false,
            Cure::OneRetry => attempt < 2,
            Cure::Retry => true,
        }
    }

    /// The most retries, given the policy's `max_attempts` (sends, the first included).
    pub(crate) fn max_retries(self, max_attempts: u32) -> u32 {
        let policy = max_attempts.saturating_sub(1);
        match self {
            Cure::None => 0,
            Cure::OneRetry => policy.min(1),
            Cure::Retry => policy,
        }
    }
}

/// What went wrong with a connection, in words, and whether trying again can help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diagnosis {
    /// The cause, e.g. "connection refused".
    pub(crate) cause: String,
    /// Whether to try again.
    pub(crate) cure: Cure,
}

/// What the client reports before it retries a request whose connection could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectRetry {
    /// The service the request is for.
    pub service: Service,
    /// `host` or `host:port` as the URL names it.
    pub host: String,
    /// Why the connection failed, e.g. "connection refused".
    pub cause: String,
    /// This retry's number (1 = the first retry).
    pub retry: u32,
    /// The most retries the policy allows.
    pub max_retries: u32,
    /// How long the client waits before it.
    pub delay: Duration,
}

impl fmt::Display for ConnectRetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot reach {}: {}; retrying ({}/{})",
            self.host, self.cause, self.retry, self.max_retries
        )
    }
}

/// Receives [`ConnectRetry`] reports (the client itself never prints).
#[derive(Clone)]
pub struct OnConnectRetry(pub Arc<dyn Fn(&ConnectRetry) + Send + Sync>);

impl fmt::Debug for OnConnectRetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnConnectRetry(..)")
    }
}

/// `host` or `host:port` of a URL, as a person would type it.
pub(crate) fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Whether a URL's host is this machine.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => {
            let name = name.to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

/// What the error chain of a failed send says, reduced to the facts that decide the diagnosis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Signs {
    /// An `io::Error` of kind `ConnectionRefused`.
    pub(crate) refused: bool,
    /// The resolver failed (`dns error`, `failed to lookup address`).
    pub(crate) dns: bool,
    /// hyper could not parse the answer as HTTP (a TLS server answered plain HTTP).
    pub(crate) not_http: bool,
    /// rustls received something that is not TLS (a plain HTTP server answered a handshake).
    pub(crate) not_tls: bool,
    /// The server refused the TLS handshake with an alert.
    pub(crate) tls_refused: bool,
    /// The request or connection timed out.
    pub(crate) timeout: bool,
    /// The other side closed or reset the connection.
    pub(crate) closed: bool,
}

impl Signs {
    /// Reads the signs from a reqwest error's source chain.
    pub(crate) fn of(error: &reqwest::Error) -> Self {
        let mut signs = Signs {
            timeout: error.is_timeout(),
            ..Signs::default()
        };
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = next {
            signs.read(e);
            next = e.source();
        }
        signs
    }

    /// Reads one error, and the error an `io::Error` wraps (its `source()` skips the wrapped
    /// error itself, and a TLS failure or the OS error of a connection sits there).
    fn read(&mut self, e: &(dyn std::error::Error + 'static)) {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            self.refused |= io.kind() == K::ConnectionRefused;
            self.timeout |= io.kind() == K::TimedOut;
            self.closed |= matches!(
                io.kind(),
                K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe
            );
            if let Some(inner) = io.get_ref() {
                self.read(inner);
            }
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            self.not_http |= h.is_parse();
            self.timeout |= h.is_timeout();
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            self.not_tls |= matches!(tls, rustls::Error::InvalidMessage(_));
            self.tls_refused |= matches!(
                tls,
                rustls::Error::AlertReceived(_) | rustls::Error::PeerIncompatible(_)
            );
        }
        let text = e.to_string().to_ascii_lowercase();
        self.dns |= text.contains("dns error")
            || text.contains("failed to lookup address")
            || text.contains("name or service not known");
    }
}

/// The diagnosis of a failed send to `url`.
pub(crate) fn diagnose(url: &Url, signs: Signs) -> Diagnosis {
    let https = url.scheme() == "https";
    let (cause, cure) = if signs.not_http && !https {
        (
            "the server did not answer in plain HTTP (it may speak HTTPS: use https://)",
            Cure::None,
        )
    } else if signs.not_tls && https {
        (
            "the server did not answer in TLS (it may speak plain HTTP, which mailfix uses \
             only for a loopback simulator started with --http: check the URL's scheme and port)",
            Cure::None,
        )
    } else if signs.tls_refused {
        ("the server refused the TLS handshake", Cure::None)
    } else if signs.not_http {
        ("the answer is not HTTP", Cure::None)
    } else if signs.refused && is_loopback(url) {
        (
            "connection refused (nothing listens on that port of this machine)",
            Cure::None,
        )
    } else if signs.refused {
        ("connection refused", Cure::Retry)
    } else if signs.dns {
        ("the host name does not resolve", Cure::OneRetry)
    } else if signs.timeout {
        ("no answer in time", Cure::Retry)
    } else if signs.closed {
        ("the connection was closed or reset", Cure::Retry)
    } else {
        ("the connection failed", Cure::Retry)
    };
    Diagnosis {
        cause: cause.to_owned(),
        cure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn each_failure_has_its_cause_and_cure() {
        let refused = Signs {
            refused: true,
            ..Signs::default()
        };
        let table = [
            (
                "https://127.0.0.1:1",
                refused,
                Cure::None,
                "connection refused",
            ),
            ("https://[::1]:1", refused, Cure::None, "connection refused"),
            (
                "https://localhost:1",
                refused,
                Cure::None,
                "connection refused",
            ),
            (
                "https://graph.example.com",
                refused,
                Cure::Retry,
                "connection refused",
            ),
            (
                "http://127.0.0.1:8443",
                Signs {
                    not_http: true,
                    ..Signs::default()
                },
                Cure::None,
                "use https://",
            ),
            (
                "https://127.0.0.1:8443",
                Signs {
                    not_tls: true,
                    ..Signs::default()
                },
                Cure::None,
                "did not answer in TLS",
            ),
            (
                "https://nosuch.example",
                Signs {
                    dns: true,
                    ..Signs::default()
                },
                Cure::OneRetry,
                "does not resolve",
            ),
            (
                "https://graph.example.com",
                Signs {
                    timeout: true,
                    ..Signs::default()
                },
                Cure::Retry,
                "no answer in time",
            ),
            (
                "https://graph.example.com",
                Signs::default(),
                Cure::Retry,
                "failed",
            ),
        ];
        for (at, signs, cure, cause) in table {
            let d = diagnose(&url(at), signs);
            assert_eq!(d.cure, cure, "{at} {signs:?}");
            // With 10 sends at most, attempts 1 to 9 may be followed by a retry.
            let retries = (1..10).filter(|&a| d.cure.allows(a)).count();
            assert_eq!(d.cure.max_retries(10) as usize, retries, "{at}");
            assert!(d.cause.contains(cause), "{at}: {}", d.cause);
        }
    }

    #[test]
    fn the_report_names_host_cause_and_count() {
        let report = ConnectRetry {
            service: Service::Graph,
            host: host_of(&url("https://graph.example.com/v1.0/users")),
            cause: "connection refused".into(),
            retry: 2,
            max_retries: 9,
            delay: Duration::from_secs(1),
        };
        assert_eq!(
            report.to_string(),
            "cannot reach graph.example.com: connection refused; retrying (2/9)"
        );
        assert_eq!(host_of(&url("https://127.0.0.1:1/x")), "127.0.0.1:1");
    }
}
