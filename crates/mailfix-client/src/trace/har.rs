//! The HAR 1.2 shapes (http://www.softwareishard.com/blog/har-12-spec/) of one traced exchange,
//! built from a request and what came back, with `redact.rs` applied to every header and body.

use http::HeaderMap;
use serde::Serialize;

use super::redact::{self, Personal};
use crate::request::Request;

/// A `{name, value}` pair.
#[derive(Serialize)]
pub(crate) struct NameValue {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostData {
    mime_type: String,
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HarRequest {
    method: String,
    url: String,
    http_version: &'static str,
    cookies: [(); 0],
    headers: Vec<NameValue>,
    query_string: Vec<NameValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Content {
    size: i64,
    mime_type: String,
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HarResponse {
    status: u16,
    status_text: String,
    http_version: &'static str,
    cookies: [(); 0],
    headers: Vec<NameValue>,
    content: Content,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
pub(crate) struct Timings {
    send: f64,
    wait: f64,
    receive: f64,
}

/// One entry of `log.entries`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    started_date_time: String,
    time: f64,
    request: HarRequest,
    response: HarResponse,
    cache: serde_json::Map<String, serde_json::Value>,
    timings: Timings,
    /// mailfix's name of the operation (`users.list`, `Set-Mailbox`, `token`, ...).
    #[serde(rename = "_operation")]
    operation: String,
    /// Why no response came back, when none did.
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// What came back for a traced request.
pub(crate) enum Answer<'a> {
    /// A response.
    Response {
        status: u16,
        headers: &'a HeaderMap,
        body: &'a [u8],
    },
    /// No response: why.
    Failed(String),
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn headers(map: &HeaderMap) -> Vec<NameValue> {
    map.iter()
        .map(|(k, v)| NameValue {
            name: k.as_str().to_owned(),
            value: redact::header(k.as_str(), &String::from_utf8_lossy(v.as_bytes())),
        })
        .collect()
}

fn request(req: &Request, bearer: bool, personal: Personal) -> HarRequest {
    let mut list = headers(&req.headers);
    if bearer {
        list.push(NameValue {
            name: "authorization".to_owned(),
            value: redact::REDACTED.to_owned(),
        });
    }
    let query_string = req
        .url
        .query_pairs()
        .map(|(k, v)| NameValue {
            name: k.into_owned(),
            value: redact::scrub_jwts(&v),
        })
        .collect();
    let post_data = req.body.as_ref().map(|b| {
        let mime_type = content_type(&req.headers);
        PostData {
            text: redact::body(&String::from_utf8_lossy(b), &mime_type, personal),
            mime_type,
        }
    });
    HarRequest {
        method: req.method.to_string(),
        url: req.url.to_string(),
        http_version: "HTTP/1.1",
        cookies: [],
        headers: list,
        query_string,
        body_size: req.body.as_ref().map_or(0, |b| b.len() as i64),
        post_data,
        headers_size: -1,
    }
}

fn response(answer: &Answer<'_>, personal: Personal) -> HarResponse {
    let (status, map, body) = match answer {
        Answer::Response {
            status,
            headers,
            body,
        } => (*status, Some(*headers), *body),
        Answer::Failed(_) => (0, None, &[][..]),
    };
    let mime_type = map.map(content_type).unwrap_or_default();
    let redirect_url = map
        .and_then(|m| m.get(http::header::LOCATION))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    HarResponse {
        status,
        status_text: http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or_default()
            .to_owned(),
        http_version: "HTTP/1.1",
        cookies: [],
        headers: map.map(headers).unwrap_or_default(),
        content: Content {
            size: body.len() as i64,
            text: redact::body(&String::from_utf8_lossy(body), &mime_type, personal),
            mime_type,
        },
        redirect_url,
        headers_size: -1,
        body_size: body.len() as i64,
    }
}

impl Entry {
    /// The entry for `req` (sent with a bearer token when `bearer`), started at `started`, that
    /// took `took_ms`, and what came back.
    pub(crate) fn new(
        req: &Request,
        bearer: bool,
        answer: &Answer<'_>,
        started: chrono::DateTime<chrono::Utc>,
        took_ms: f64,
        personal: Personal,
    ) -> Self {
        Self {
            started_date_time: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            time: took_ms,
            request: request(req, bearer, personal),
            response: response(answer, personal),
            cache: serde_json::Map::new(),
            timings: Timings {
                send: 0.0,
                wait: took_ms,
                receive: 0.0,
            },
            operation: req.operation.to_string(),
            error: match answer {
                Answer::Failed(why) => Some(why.clone()),
                Answer::Response { .. } => None,
            },
        }
    }
}
