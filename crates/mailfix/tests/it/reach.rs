//! Endpoints that cannot be reached: what no retry can cure fails at once with the host and the
//! cause (nothing listening on a loopback port, the wrong scheme for the server); a connection
//! that may come back is retried, and each retry is said on stderr.
//!
//! The runs are guarded by a limit far below the old two minutes of silent retries; the checks are
//! on the exit code, the message and the simulator's request log, not on time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mailfix_sim::scenario;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};

use crate::support::{TestSim, run_within, stderr};

/// Far longer than a run that fails at once, far shorter than the retry budget it replaces.
const GUARD: Duration = Duration::from_secs(60);

async fn sim() -> TestSim {
    TestSim::start(scenario::small(3)).await
}

/// A port on loopback where nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The simulator's requests to Graph so far.
async fn graph_requests(sim: &TestSim) -> usize {
    let log = sim.control_get("/_sim/requests").await;
    let entries = log.as_array().cloned().unwrap_or_default();
    entries
        .iter()
        .filter(|e| e["service"].as_str() == Some("graph"))
        .count()
}

#[tokio::test]
async fn a_refused_loopback_endpoint_fails_at_once_naming_host_and_cause() {
    let sim = sim().await;
    let mut cmd = sim.mailfix();
    cmd.args(["scan", "--all-users", "--graph-url", "https://127.0.0.1:1"]);
    let out = run_within(&mut cmd, GUARD).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: Graph users.list: cannot reach 127.0.0.1:1: connection refused"),
        "{err}"
    );
    assert!(
        err.contains("hint: check the address (--graph-url"),
        "{err}"
    );
    assert!(
        !err.contains("retrying"),
        "no retry for a refusal on loopback: {err}"
    );
}

#[tokio::test]
async fn plain_http_to_an_https_server_fails_at_once_suggesting_https() {
    let sim = sim().await;
    let plain = sim.sim.base_url.replace("https://", "http://");
    let mut cmd = sim.mailfix();
    cmd.env("MAILFIX_LOGIN_URL", &plain)
        .args(["scan", "--all-users"]);
    let out = run_within(&mut cmd, GUARD).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let host = plain.trim_start_matches("http://");
    assert!(
        err.contains(&format!(
            "cannot reach {host}: the server did not answer in plain HTTP"
        )),
        "{err}"
    );
    assert!(err.contains("use https://"), "{err}");
    assert!(err.contains("--login-url"), "{err}");
    assert!(!err.contains("retrying"), "{err}");
    assert_eq!(graph_requests(&sim).await, 0);
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_at_once_naming_the_scheme() {
    let sim = sim().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let _ = conn
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let mut cmd = sim.mailfix();
    cmd.args([
        "scan",
        "--all-users",
        "--graph-url",
        &format!("https://{addr}"),
    ]);
    let out = run_within(&mut cmd, GUARD).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "cannot reach {addr}: the server did not answer in TLS"
        )),
        "{err}"
    );
    assert!(!err.contains("retrying"), "{err}");
}

/// A forwarder to the simulator that closes the first `drop` connections as soon as they open.
async fn flaky_forwarder(to: String, drop: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let opened = Arc::new(AtomicUsize::new(0));
    let counter = opened.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            if counter.fetch_add(1, Ordering::SeqCst) < drop {
                continue; // dropped: the connection closes during the TLS handshake
            }
            let to = to.clone();
            tokio::spawn(async move {
                if let Ok(mut upstream) = TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut conn, &mut upstream).await;
                }
            });
        }
    });
    (url, opened)
}

#[tokio::test]
async fn a_connection_that_may_come_back_is_retried_and_each_retry_is_said() {
    let sim = sim().await;
    let upstream = sim.sim.base_url.trim_start_matches("https://").to_owned();
    let (graph, opened) = flaky_forwarder(upstream, 2).await;
    let host = graph.trim_start_matches("https://").to_owned();
    let mut cmd = sim.mailfix();
    cmd.args(["scan", "--all-users", "--graph-url", &graph]);
    let out = run_within(&mut cmd, GUARD).await;
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the scan ran and found problems: {err}"
    );
    for n in [1, 2] {
        let line =
            format!("cannot reach {host}: the connection was closed or reset; retrying ({n}/9)");
        assert!(err.contains(&line), "{line} in {err}");
    }
    assert!(!err.contains("retrying (3/"), "{err}");
    assert!(opened.load(Ordering::SeqCst) >= 3);
    assert!(graph_requests(&sim).await > 0);
}

#[tokio::test]
async fn retry_max_elapsed_is_a_flag_and_bounds_the_retries() {
    let sim = sim().await;
    let upstream = sim.sim.base_url.trim_start_matches("https://").to_owned();
    let (graph, _) = flaky_forwarder(upstream, usize::MAX).await;
    let mut cmd = sim.mailfix();
    cmd.args([
        "scan",
        "--all-users",
        "--graph-url",
        &graph,
        "--retry-max-elapsed",
        "1s",
    ]);
    let out = run_within(&mut cmd, GUARD).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("retrying (1/9)"), "{err}");
    assert!(
        err.contains("error: Graph users.list: cannot reach"),
        "{err}"
    );
    let bad = run_within(
        sim.mailfix()
            .args(["scan", "--all-users", "--retry-max-elapsed", "soon"]),
        GUARD,
    )
    .await;
    let bad_err = stderr(&bad);
    assert_eq!(bad.status.code(), Some(2), "{bad_err}");
    assert!(
        bad_err.contains("retry_max_elapsed 'soon' (from flag) is not a duration"),
        "{bad_err}"
    );
}
