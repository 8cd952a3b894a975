//! Server-driven paging: opaque `$skiptoken` / `$deltatoken` values bound to the query that produced
//! them (a token replayed with another path or other query options is refused with 400), the
//! `@odata.nextLink` URL, and the scan that fills one page.
//!
//! A token is the base64url form of a small JSON document holding a fingerprint of the request
//! (path and every query option but the token itself) and the position to resume from.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Digest as _;

use crate::error::GraphError;

/// A fingerprint of a request: its path (case-insensitive) and its bound query options.
pub fn fingerprint(path: &str, binding: &[(String, String)]) -> u64 {
    let mut hasher = sha2::Sha256::new();
    hasher.update(path.to_ascii_lowercase().as_bytes());
    for (key, value) in binding {
        hasher.update([0]);
        hasher.update(key.to_ascii_lowercase().as_bytes());
        hasher.update([1]);
        hasher.update(value.as_bytes());
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

#[derive(Serialize, serde::Deserialize)]
struct Sealed<T> {
    f: u64,
    b: T,
}

/// Seals `body` into an opaque token bound to `fingerprint`.
pub fn seal<T: Serialize>(fingerprint: u64, body: T) -> String {
    let json = serde_json::to_vec(&Sealed {
        f: fingerprint,
        b: body,
    })
    .unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Opens a token sealed by [`seal`] for the same fingerprint.
pub fn open<T: DeserializeOwned>(token: &str, fingerprint: u64) -> Result<T, GraphError> {
    let invalid = || {
        GraphError::bad_request("The page token is invalid or was issued for a different query.")
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| invalid())?;
    let sealed: Sealed<T> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if sealed.f != fingerprint {
        return Err(invalid());
    }
    Ok(sealed.b)
}

/// An absolute link `{base}{path}?{params}&{token_name}={token}`, keeping the original options (the
/// way Graph's nextLinks carry them) and dropping any earlier token.
pub fn link(
    base: &str,
    path: &str,
    params: &[(String, String)],
    token_name: &str,
    token: &str,
) -> String {
    let mut query = String::new();
    let kept = params.iter().filter(|(k, _)| {
        !k.eq_ignore_ascii_case("$skiptoken") && !k.eq_ignore_ascii_case("$deltatoken")
    });
    for (key, value) in kept.chain(std::iter::once(&(token_name.to_owned(), token.to_owned()))) {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&encode(key).replace("%24", "$"));
        query.push('=');
        query.push_str(&encode(value));
    }
    format!("{base}{path}?{query}")
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Fills one page of at most `size` items from positions `start..len`, taking the positions where
/// `keep` holds and turning each into an item with `build`. Returns the items and, when more items
/// follow, the position of the next one (the next page starts there, so nothing is scanned twice).
pub fn fill<T>(
    len: usize,
    start: usize,
    size: usize,
    mut keep: impl FnMut(usize) -> bool,
    mut build: impl FnMut(usize) -> T,
) -> (Vec<T>, Option<usize>) {
    let mut items = Vec::with_capacity(size.min(len.saturating_sub(start)));
    for position in start..len {
        if !keep(position) {
            continue;
        }
        if items.len() == size {
            return (items, Some(position));
        }
        items.push(build(position));
    }
    (items, None)
}

/// [`fill`] that examines at most `scan_limit` positions (when given): if the limit is reached
/// first, the page ends there (possibly empty) and the next one starts at the first position not
/// examined, as a service answers when it scans a bounded slice of an index per page.
pub fn fill_scanning<T>(
    len: usize,
    start: usize,
    size: usize,
    scan_limit: Option<usize>,
    keep: impl FnMut(usize) -> bool,
    build: impl FnMut(usize) -> T,
) -> (Vec<T>, Option<usize>) {
    let Some(limit) = scan_limit.filter(|l| *l > 0) else {
        return fill(len, start, size, keep, build);
    };
    let end = start.saturating_add(limit).min(len);
    let (items, next) = fill(end, start, size, keep, build);
    (items, next.or((end < len).then_some(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_open_only_for_their_query() {
        let a = fingerprint("/users", &[("$top".into(), "5".into())]);
        let b = fingerprint("/users", &[("$top".into(), "6".into())]);
        let token = seal(a, 42u64);
        assert_eq!(open::<u64>(&token, a).unwrap(), 42);
        assert!(open::<u64>(&token, b).is_err());
        assert!(open::<u64>("not-a-token", a).is_err());
    }

    #[test]
    fn fill_resumes_at_the_next_match() {
        let (page, next) = fill(10, 0, 2, |i| i % 3 == 0, |i| i);
        assert_eq!((page, next), (vec![0, 3], Some(6)));
        let (page, next) = fill(10, 6, 2, |i| i % 3 == 0, |i| i);
        assert_eq!((page, next), (vec![6, 9], None));
    }

    #[test]
    fn a_scan_limit_ends_pages_early_even_empty() {
        let keep = |i: usize| i == 7;
        assert_eq!(
            fill_scanning(10, 0, 5, Some(3), keep, |i| i),
            (vec![], Some(3))
        );
        assert_eq!(
            fill_scanning(10, 6, 5, Some(3), keep, |i| i),
            (vec![7], Some(9))
        );
        assert_eq!(
            fill_scanning(10, 9, 5, Some(3), keep, |i| i),
            (vec![], None)
        );
        assert_eq!(fill_scanning(10, 0, 5, None, keep, |i| i), (vec![7], None));
    }

    #[test]
    fn links_keep_the_options_and_replace_the_token() {
        let params = vec![
            ("$top".to_owned(), "5".to_owned()),
            ("$filter".to_owned(), "mail eq null".to_owned()),
            ("$skiptoken".to_owned(), "old".to_owned()),
        ];
        let link = link("http://h/v1.0", "/users", &params, "$skiptoken", "new");
        assert_eq!(
            link,
            "http://h/v1.0/users?$top=5&$filter=mail+eq+null&$skiptoken=new"
        );
    }
}
