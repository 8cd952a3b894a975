//! Answers that are not what the service sends: an HTML page from a gateway or proxy, text, an
//! empty body, JSON cut short. Described in one line for error messages (an HTML page by its
//! title, never the whole page), with a hint saying what to check.

use http::HeaderMap;

/// What to check when an answer is not the service's JSON.
pub(crate) const NOT_THE_SERVICE: &str = "the answer did not come from the service as expected: a \
    proxy, web filter or gateway between mailfix and the service may have answered or cut it \
    short. Check the endpoint (--graph-url / --exo-url / --login-url or their MAILFIX_ variables) \
    and any HTTPS proxy; if it happened once, run the command again";

/// What to do when the service failed without saying why.
pub(crate) const NO_DETAILS: &str = "the service failed without saying why, even after retries; \
    this is usually temporary: try again later";

/// The hint for an error answer whose body says nothing useful: an HTML page (something in
/// between answered) or nothing at all from a failing service.
pub(crate) fn error_hint(headers: &HeaderMap, body: &[u8], status: u16) -> Option<String> {
    if is_html(headers, body) {
        Some(NOT_THE_SERVICE.to_owned())
    } else if body.iter().all(u8::is_ascii_whitespace) && status >= 500 {
        Some(NO_DETAILS.to_owned())
    } else {
        None
    }
}

/// An answer larger than the most the client reads (`Limits::max_answer_bytes`).
pub(crate) fn too_large(cap: usize) -> crate::error::Error {
    let size = match cap {
        c if c >= 1 << 20 && c % (1 << 20) == 0 => format!("{} MiB", c >> 20),
        c => format!("{c} bytes"),
    };
    crate::error::Error::decode(format!(
        "the answer is larger than {size}, the most mailfix reads of one answer"
    ))
    .with_hint(NOT_THE_SERVICE)
}

/// Most characters of a text body kept in a message.
const EXCERPT: usize = 300;

/// Whether a body is an HTML page (by its content type, or by how it starts).
pub(crate) fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let typed = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    let head = String::from_utf8_lossy(&body[..body.len().min(64)]).to_ascii_lowercase();
    typed
        || head.trim_start().starts_with("<!doctype html")
        || head.trim_start().starts_with("<html")
}

/// The text of an HTML page's `<title>`, if it has one.
fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    let title = squeeze(&text[start..end]);
    (!title.is_empty()).then_some(title)
}

/// Whitespace runs as one space, at most [`EXCERPT`] characters.
fn squeeze(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(EXCERPT).collect()
}

/// The message of an error answer whose body is not JSON: an HTML page by its title, an empty
/// body as such, other text (Exchange's plain-text errors) as a short single line.
pub(crate) fn error_text(headers: &HeaderMap, body: &[u8]) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "no details (the answer was empty)".to_owned();
    }
    if is_html(headers, body) {
        return html_page(body);
    }
    squeeze(&String::from_utf8_lossy(body))
}

fn html_page(body: &[u8]) -> String {
    match html_title(body) {
        Some(title) => format!("an HTML page (\"{title}\") instead of the service's answer"),
        None => "an HTML page instead of the service's answer".to_owned(),
    }
}

/// Why a body that should have been JSON could not be read, in one line. `excerpt` allows a
/// short excerpt of a text body (never for sign-in answers, which may hold a token).
pub(crate) fn unreadable(headers: &HeaderMap, body: &[u8], excerpt: bool) -> String {
    let error = match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) => return "the answer has an unexpected shape".to_owned(),
        Err(e) => e,
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return "the answer was empty".to_owned();
    }
    if is_html(headers, body) {
        return format!("the answer is {}", html_page(body));
    }
    if error.is_eof() {
        return format!(
            "the answer ends early, after {} bytes: it was cut short on the way",
            body.len()
        );
    }
    let kind = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type");
    if excerpt {
        let text = squeeze(&String::from_utf8_lossy(body));
        format!("the answer is not JSON ({kind}): \"{text}\"")
    } else {
        format!("the answer is not JSON ({kind}, {} bytes)", body.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::CONTENT_TYPE, content_type.parse().unwrap());
        h
    }

    #[test]
    fn error_bodies_are_described_in_a_line() {
        let page = b"<!DOCTYPE html>\n<html><head><title>502  Bad\n Gateway</title></head>\n<body>..</body></html>";
        let none = HeaderMap::new();
        assert_eq!(
            error_text(&none, page),
            "an HTML page (\"502 Bad Gateway\") instead of the service's answer"
        );
        assert_eq!(
            error_text(&none, b" \n"),
            "no details (the answer was empty)"
        );
        assert_eq!(
            error_text(&none, b"Too many\n  requests"),
            "Too many requests"
        );
        let untitled = error_text(&typed("text/html"), b"<p>gone</p>");
        assert_eq!(untitled, "an HTML page instead of the service's answer");
    }

    #[test]
    fn unreadable_bodies_say_why_and_excerpts_only_when_allowed() {
        let text = typed("text/plain");
        assert_eq!(
            unreadable(&text, b"blocked by policy", true),
            "the answer is not JSON (text/plain): \"blocked by policy\""
        );
        assert_eq!(
            unreadable(&text, b"blocked by policy", false),
            "the answer is not JSON (text/plain, 17 bytes)"
        );
        let json = typed("application/json");
        let cut = unreadable(&json, br#"{"value":[{"id":"a"#, false);
        assert!(cut.contains("ends early, after 18 bytes"), "{cut}");
        assert!(!cut.contains("\"a"), "no excerpt: {cut}");
        assert_eq!(unreadable(&json, b"", true), "the answer was empty");
        assert_eq!(
            unreadable(&json, br#"{"value":1}"#, true),
            "the answer has an unexpected shape"
        );
    }
}
