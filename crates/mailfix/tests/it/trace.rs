//! `--trace`: a whole `fix` run written as a HAR 1.2 file (parsed here with the shapes of the HAR
//! spec), with an entry for every request the simulator logged, private to its owner, without any
//! secret of the simulator or any token; and phone numbers masked unless `--trace-unmasked`.

use std::collections::BTreeMap;

use mailfix_sim::log::Service;
use mailfix_sim::scenario::small;
use serde::Deserialize;

use crate::support::{TestSim, run, stderr};
use crate::tenant::compressed;

#[derive(Deserialize)]
struct Har {
    log: Log,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    version: String,
    creator: Creator,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Creator {
    name: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: String,
    time: f64,
    request: Request,
    response: Response,
    #[allow(dead_code, reason = "required by HAR; its content is not checked")]
    cache: serde_json::Map<String, serde_json::Value>,
    timings: Timings,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: String,
    headers: Vec<NameValue>,
    query_string: Vec<NameValue>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    headers: Vec<NameValue>,
    content: Content,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: i64,
    mime_type: String,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Deserialize)]
struct Timings {
    wait: f64,
}

/// `(method, path, query)` of a URL.
fn key(method: &str, url: &str) -> (String, String, Option<String>) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path_and_query = rest.find('/').map_or("/", |i| &rest[i..]);
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (path_and_query, None),
    };
    (method.to_owned(), path.to_owned(), query)
}

fn parse(path: &std::path::Path) -> (String, Har) {
    let text = std::fs::read_to_string(path).unwrap();
    let har: Har = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not HAR: {e}"));
    (text, har)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_traced_fix_run_is_valid_har_with_every_request_and_no_secret() {
    let scenario = small(12);
    let sim = compressed(&scenario, 60.0, (60.0, 120.0)).await;
    sim.control_post("/_sim/unstick", serde_json::json!({}))
        .await;
    let trace = sim.path("fix.har");
    let out = run(sim.mailfix().arg("--trace").arg(&trace).args([
        "fix",
        "--group",
        "All Staff",
        "--yes",
        "--poll-interval",
        "1s",
        "-o",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&trace).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let (text, har) = parse(&trace);
    assert_eq!(har.log.version, "1.2");
    assert_eq!(har.log.creator.name, "mailfix");
    assert!(!har.log.creator.version.is_empty());
    let mut traced: BTreeMap<_, usize> = BTreeMap::new();
    for e in &har.log.entries {
        assert!(e.started_date_time.ends_with('Z') && e.time >= 0.0 && e.timings.wait >= 0.0);
        assert_eq!(e.request.http_version, "HTTP/1.1");
        assert!(e.request.headers_size == -1 && e.request.body_size >= 0);
        assert!(e.response.status >= 100, "every request was answered");
        assert!(e.response.content.size >= 0);
        let _ = (
            &e.request.query_string,
            &e.response.headers,
            &e.response.content.mime_type,
        );
        for h in &e.request.headers {
            if h.name.eq_ignore_ascii_case("authorization") {
                assert_eq!(h.value, "[redacted]");
            }
        }
        *traced
            .entry(key(&e.request.method, &e.request.url))
            .or_default() += 1;
    }
    let mut logged: BTreeMap<_, usize> = BTreeMap::new();
    for e in sim.sim.state.log.since(0) {
        if e.service == Service::Control {
            continue;
        }
        *logged
            .entry((e.method.clone(), e.path.clone(), e.query.clone()))
            .or_default() += 1;
    }
    assert!(logged.values().sum::<usize>() > 10);
    assert_eq!(traced, logged, "one entry per request the simulator saw");
    let info = &sim.sim.info;
    let secrets = [
        Some(info.client_secret.as_str()),
        info.limited_client_secret.as_deref(),
    ];
    for secret in secrets.into_iter().flatten() {
        assert!(!text.contains(secret), "a client secret is in the trace");
    }
    assert!(!text.contains("eyJ"), "a token is in the trace");
    assert!(text.contains("client_secret=%5Bredacted%5D"));
}

#[tokio::test]
async fn phone_numbers_are_masked_unless_asked_for() {
    let scenario = small(13);
    let numbers: Vec<String> = scenario
        .users
        .iter()
        .filter(|u| u.enabled && !u.guest)
        .filter_map(|u| u.methods.mobile.clone())
        .collect();
    assert!(!numbers.is_empty());
    let sim = TestSim::start(scenario).await;
    let masked = sim.path("masked.har");
    let plain = sim.path("plain.har");
    for (path, unmasked) in [(&masked, false), (&plain, true)] {
        let mut cmd = sim.mailfix();
        cmd.arg("--trace").arg(path);
        if unmasked {
            cmd.arg("--trace-unmasked");
        }
        let out = run(cmd.args(["scan", "--all-users", "--methods", "-o", "json"])).await;
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    }
    let (masked, _) = parse(&masked);
    let (plain, _) = parse(&plain);
    let shown = |text: &str| numbers.iter().filter(|n| text.contains(n.as_str())).count();
    assert_eq!(shown(&masked), 0, "phone numbers are masked");
    assert_eq!(shown(&plain), numbers.len(), "--trace-unmasked keeps them");
}
