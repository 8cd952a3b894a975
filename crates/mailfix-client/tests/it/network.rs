//! Connection failures the simulator cannot produce (its `reset` fault breaks a response off; here
//! the connection closes with no response at all, or is refused): a request left unanswered is
//! retried for reads and not for creates (outcome unknown); a refused connection is retried for
//! both (never reached the service).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mailfix_client::{Client, ErrorKind, Service, UserKey};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::support;

/// A raw HTTP/1.1 server that drops the connection instead of answering the first `drop` requests.
async fn dropping_server(drop: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        loop {
            let (conn, _) = listener.accept().await.unwrap();
            tokio::spawn(serve_conn(conn, counter.clone(), drop));
        }
    });
    (url, seen)
}

async fn serve_conn(mut conn: TcpStream, seen: Arc<AtomicUsize>, drop: usize) {
    loop {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            match conn.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match conn.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        if seen.fetch_add(1, Ordering::SeqCst) < drop {
            return; // the connection closes with the request unanswered
        }
        let body = br#"{"id":"u1","emailAddress":"kim@fabrikam.com"}"#;
        let resp = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if conn.write_all(resp.as_bytes()).await.is_err() || conn.write_all(body).await.is_err() {
            return;
        }
    }
}

async fn client_with_graph_at(graph: &str) -> (Client, support::Server) {
    let login = support::serve(support::token_endpoint(3599)).await;
    let mut config = support::config(&login.url);
    config.endpoints = config.endpoints.with_graph(graph);
    (Client::new(config).unwrap(), login)
}

async fn add_email_method(client: &Client) -> Result<(), mailfix_client::Error> {
    let user = UserKey::parse("u1");
    client
        .graph()
        .add_email_method(&user, "kim@fabrikam.com")
        .await
        .map(drop)
}

#[tokio::test]
async fn a_read_cut_off_mid_request_is_retried() {
    let (graph, seen) = dropping_server(1).await;
    let (client, _login) = client_with_graph_at(&graph).await;
    client
        .graph()
        .get_user(&UserKey::parse("u1"), &["id"])
        .await
        .unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    assert_eq!(client.counters().retries, 1);
}

#[tokio::test]
async fn a_create_cut_off_mid_request_is_not_repeated() {
    let (graph, seen) = dropping_server(1).await;
    let (client, _login) = client_with_graph_at(&graph).await;
    let err = add_email_method(&client).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Network);
    assert!(
        err.hint()
            .unwrap()
            .contains("may or may not have been applied")
    );
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_loopback_connection_fails_at_once_naming_host_and_cause() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    let graph = format!("http://{addr}");
    drop(closed);
    let (client, _login) = client_with_graph_at(&graph).await;
    let err = client
        .graph()
        .get_user(&UserKey::parse("u1"), &["id"])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Network);
    assert!(
        err.message()
            .starts_with(&format!("cannot reach {addr}: connection refused")),
        "{err}"
    );
    assert_eq!(
        client.counters().requests_for(Service::Graph, "users.get"),
        1
    );
    assert_eq!(client.counters().retries, 0);
}

/// A forwarder to `to` that closes the first `drop` connections as soon as they open (over
/// HTTPS that is during the TLS handshake: the connection never opened).
async fn closing_forwarder(to: String, drop: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let opened = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            if opened.fetch_add(1, Ordering::SeqCst) < drop {
                continue;
            }
            let to = to.clone();
            tokio::spawn(async move {
                if let Ok(mut upstream) = TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut conn, &mut upstream).await;
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn each_retry_of_a_connection_is_reported_with_host_cause_and_count() {
    let sim = crate::sim_support::Sim::start(mailfix_sim::scenario::small(1)).await;
    let upstream = sim.sim.base_url.trim_start_matches("https://").to_owned();
    let graph = closing_forwarder(upstream, 2).await;
    let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = reports.clone();
    let client = sim.client_with(|config| {
        config.endpoints = config.endpoints.clone().with_graph(&graph);
        config.on_connect_retry = Some(mailfix_client::OnConnectRetry(Arc::new(move |r| {
            seen.lock().unwrap().push(r.clone())
        })));
    });
    let user = mailfix_sim::scenario::small(1).users[0].upn.clone();
    client
        .graph()
        .get_user(&UserKey::parse(&user), &["id"])
        .await
        .unwrap();
    let reports = reports.lock().unwrap().clone();
    let host = graph.trim_start_matches("https://");
    let lines: Vec<String> = reports.iter().map(ToString::to_string).collect();
    assert_eq!(reports.len(), 2, "{lines:?}");
    for (n, report) in reports.iter().enumerate() {
        assert_eq!(report.service, Service::Graph);
        assert_eq!((report.retry, report.max_retries), (n as u32 + 1, 9));
        assert_eq!(
            lines[n],
            format!(
                "cannot reach {host}: the connection was closed or reset; retrying ({}/9)",
                n + 1
            )
        );
    }
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_fails_with_its_size() {
    let big = axum::Router::new().route(
        "/v1.0/users/{id}",
        axum::routing::get(|| async {
            let chunk = bytes::Bytes::from(vec![b' '; 64 * 1024]);
            let chunks =
                futures::stream::iter(std::iter::repeat_n(chunk, 40).map(Ok::<_, std::io::Error>));
            axum::body::Body::from_stream(chunks)
        }),
    );
    let graph = support::serve(big).await;
    let login = support::serve(support::token_endpoint(3599)).await;
    let mut config = support::config(&login.url);
    config.endpoints = config.endpoints.with_graph(&graph.url);
    config.limits.max_answer_bytes = 1 << 20;
    let client = Client::new(config).unwrap();
    let err = client
        .graph()
        .get_user(&UserKey::parse("u1"), &["id"])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);
    assert!(
        err.to_string()
            .contains("the answer is larger than 1 MiB, the most mailfix reads"),
        "{err}"
    );
    assert!(err.hint().is_some_and(|h| h.contains("proxy")));
    assert_eq!(client.counters().retries, 0);
}
