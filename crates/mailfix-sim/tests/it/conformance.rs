//! Conformance with recorded material: replays the Graph examples of
//! `tests/fixtures/graph-doc-examples/` and the docs-derived Dev Proxy mocks of
//! `tests/fixtures/recorded/graph-docs-proxy-mocks-subset.json` against a simulator seeded with
//! comparable objects, and checks status, content type, envelope, property names, JSON types and
//! `@` annotations (shapes, not values). Examples outside the simulator's coverage, or answered
//! differently on purpose, are listed with their reason in `conformance_cases.rs` and in the Graph
//! section of `COVERAGE.md` (checked below).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::conformance_cases::{Treatment, treatment};
use super::conformance_seed::{ADELE, ADELE_ID, HR_ID, set_methods, start_seeded};
use super::conformance_shape::{Rules, compare, kind};
use super::conformance_special::special;
use super::graph_support::{Resp, Sim};

/// One replayable example.
pub struct Case {
    /// File name or `mock #N`.
    pub name: String,
    /// Request method.
    pub method: String,
    /// Path and query below `/v1.0`, placeholders replaced.
    pub url: String,
    /// Request headers worth sending (`ConsistencyLevel`, `Prefer`).
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Option<Value>,
    /// Documented status (`None` when the example has none).
    pub status: Option<u16>,
    /// Documented response headers.
    pub response_headers: Vec<(String, String)>,
    /// Documented response body.
    pub expected: Option<Value>,
}

/// The vendored reference material.
pub fn reference_dir() -> PathBuf {
    crate::support::fixtures_dir()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Replaces the docs' placeholders and hosts with the seeded tenant's.
pub fn rewrite(url: &str) -> String {
    let path = url
        .strip_prefix("https://graph.microsoft.com/v1.0")
        .unwrap_or(url)
        .to_owned();
    let path = match path.strip_prefix("/me") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') => {
            format!("/users/{ADELE}{rest}")
        }
        _ => path,
    };
    path.replace("/groups/{id}", &format!("/groups/{HR_ID}"))
        .replace("/groups/{group-id}", &format!("/groups/{HR_ID}"))
        .replace("/users/{id}", &format!("/users/{ADELE_ID}"))
        .replace("/users/{usersId}", &format!("/users/{ADELE_ID}"))
        .replace("00000000-0000-0000-0000-000000000000", ADELE_ID)
}

fn header_pairs(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        Value::Array(list) => list
            .iter()
            .map(|h| {
                (
                    h["name"].as_str().unwrap_or_default().to_owned(),
                    h["value"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn sendable(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    let skip = ["authorization", "host", "content-type"];
    headers
        .into_iter()
        .filter(|(k, _)| !skip.contains(&k.to_ascii_lowercase().as_str()))
        .collect()
}

fn doc_cases(dir: &Path) -> Vec<Case> {
    let index = read_json(&dir.join("graph-doc-examples").join("index.json"));
    let files = index.as_array().expect("index.json lists the examples");
    files
        .iter()
        .map(|entry| {
            let name = entry["file"].as_str().expect("a file name").to_owned();
            let example = read_json(&dir.join("graph-doc-examples").join(&name));
            let (request, response) = (&example["request"], &example["response"]);
            Case {
                method: request["method"].as_str().unwrap_or("GET").to_owned(),
                url: rewrite(request["url"].as_str().unwrap_or_default()),
                headers: sendable(header_pairs(&request["headers"])),
                body: Some(request["body"].clone()).filter(|b| !b.is_null()),
                status: response["status"].as_u64().map(|s| s as u16),
                response_headers: header_pairs(&response["headers"]),
                expected: Some(response["body"].clone()).filter(|b| !b.is_null()),
                name,
            }
        })
        .collect()
}

fn mock_cases(dir: &Path) -> Vec<Case> {
    let mocks = read_json(
        &dir.join("recorded")
            .join("graph-docs-proxy-mocks-subset.json"),
    );
    let list = mocks["mocks"].as_array().expect("a mocks list");
    list.iter()
        .enumerate()
        .map(|(i, mock)| {
            let url = mock["request"]["exampleUrl"].as_str().unwrap_or_default();
            // Mocks record no request headers; advanced queries need theirs.
            let advanced = url.contains("$count") || url.contains("$search");
            let headers = if advanced {
                vec![("ConsistencyLevel".to_owned(), "eventual".to_owned())]
            } else {
                Vec::new()
            };
            Case {
                name: format!("mock #{i}"),
                method: mock["request"]["method"]
                    .as_str()
                    .unwrap_or("GET")
                    .to_owned(),
                url: rewrite(url),
                headers,
                body: None,
                status: mock["response"]["statusCode"].as_u64().map(|s| s as u16),
                response_headers: header_pairs(&mock["response"]["headers"]),
                expected: Some(mock["response"]["body"].clone()).filter(|b| !b.is_null()),
            }
        })
        .collect()
}

/// Sends a case's request.
pub async fn send(sim: &Sim, case: &Case) -> Resp {
    let headers: Vec<(&str, &str)> = case
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sim.send(&case.method, &case.url, &headers, case.body.clone())
        .await
}

/// Checks status, content type, headers and body shape; gives the differences.
pub fn check(case: &Case, r: &Resp, rules: &Rules<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(status) = case.status
        && status != r.status
    {
        out.push(format!(
            "status {} where the example has {status}: {}",
            r.status, r.text
        ));
        return out;
    }
    let content_type = r
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for (name, value) in &case.response_headers {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "content-length" | "date" => {}
            "content-type" => {
                let family = value
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let exact = value.contains(';') && !content_type.eq_ignore_ascii_case(value);
                if !content_type.starts_with(&family) || exact {
                    out.push(format!(
                        "content type '{content_type}' where the example has '{value}'"
                    ));
                }
            }
            _ if r.header(&lower).is_none() => out.push(format!("missing header '{name}'")),
            _ => {}
        }
    }
    match &case.expected {
        None if !r.text.is_empty() && case.status == Some(204) => {
            out.push(format!("a body on 204: {}", r.text))
        }
        None => {}
        Some(Value::String(count))
            if count.parse::<u64>().is_ok() && r.text.trim().parse::<u64>().is_err() =>
        {
            out.push(format!(
                "a count body where the simulator sent '{}'",
                r.text
            ));
        }
        Some(Value::String(count)) if count.parse::<u64>().is_ok() => {}
        Some(expected) => match serde_json::from_str::<Value>(&r.text) {
            Ok(actual) => compare(expected, &actual, rules, "", &mut out),
            Err(_) => out.push(format!(
                "a {} body where the simulator sent '{}'",
                kind(expected),
                r.text
            )),
        },
    }
    out
}

#[tokio::test]
async fn graph_examples_and_mocks_replay_with_the_documented_shapes() {
    let dir = reference_dir();
    let sim = start_seeded().await;
    let mut cases = doc_cases(&dir);
    cases.extend(mock_cases(&dir));
    let mut failures = Vec::new();
    let mut replayed = 0;
    for mut case in cases {
        let adjust = match treatment(&case.name) {
            Treatment::Skip(_) => continue,
            Treatment::Special(which) => {
                failures.extend(
                    special(&sim, &case, which)
                        .await
                        .into_iter()
                        .map(|f| format!("{}: {f}", case.name)),
                );
                replayed += 1;
                continue;
            }
            Treatment::Replay(adjust) => adjust,
        };
        set_methods(&sim, ADELE, true);
        if let Some(full) = adjust.kim_methods {
            set_methods(&sim, "kim@contoso.com", full);
        }
        if let Some(url) = adjust.url {
            case.url = url.to_owned();
        }
        if let Some(body) = adjust.body {
            case.body = Some(body);
        }
        let r = send(&sim, &case).await;
        let found = check(&case, &r, &adjust.rules);
        failures.extend(
            found
                .into_iter()
                .map(|f| format!("{} ({} {}): {f}", case.name, case.method, case.url)),
        );
        replayed += 1;
    }
    assert!(replayed >= 60, "only {replayed} examples replayed");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_skipped_example_is_listed_in_coverage_md() {
    let dir = reference_dir();
    let coverage =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("COVERAGE.md"))
            .expect("COVERAGE.md");
    let graph = coverage
        .split("\n## ")
        .find(|s| s.starts_with("Graph"))
        .expect("a Graph section");
    let mut names: Vec<String> = doc_cases(&dir).into_iter().map(|c| c.name).collect();
    names.extend(mock_cases(&dir).into_iter().map(|c| c.name));
    let mut missing = Vec::new();
    for name in names {
        let listed = match treatment(&name) {
            Treatment::Skip(reason) => !reason.is_empty() && graph.contains(&format!("`{name}`")),
            Treatment::Replay(a) if a.partial => graph.contains(&format!("`{name}`")),
            _ => true,
        };
        if !listed {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "not explained in COVERAGE.md: {missing:?}"
    );
}
