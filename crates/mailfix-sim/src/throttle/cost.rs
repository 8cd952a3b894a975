//! What a Graph request costs in the identity-and-access token bucket (docs/protocol.md §2.7): base
//! resource units by operation, adjusted by `$select` (-1), `$expand` (+1) and `$top` < 20 (-1),
//! never below 1; writes also count against the write quota.

/// Which Graph bucket family a request draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFamily {
    /// Identity and access (users, groups, members, methods, ...): resource units.
    Directory,
    /// Identity and access reports and logs (`/reports/`, `/auditLogs/`): 5 requests per 10 s.
    Reports,
}

/// The cost of one Graph request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    /// Bucket family.
    pub family: GraphFamily,
    /// Resource units (directory) or 1 (reports).
    pub units: u32,
    /// Whether the request is a write (POST, PATCH, PUT, DELETE).
    pub write: bool,
}

/// The cost of `method path?query` (`path` with or without the `/v1.0` or `/beta` prefix).
pub fn cost(method: &http::Method, path_and_query: &str) -> Cost {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let segments = match segments.first() {
        Some(&"v1.0") | Some(&"beta") => &segments[1..],
        _ => &segments[..],
    };
    let write = !matches!(*method, http::Method::GET | http::Method::HEAD);
    let first = segments.first().map(|s| s.to_ascii_lowercase());
    if matches!(first.as_deref(), Some("reports") | Some("auditlogs")) {
        return Cost {
            family: GraphFamily::Reports,
            units: 1,
            write,
        };
    }
    let units = if write {
        1
    } else {
        (base_units(segments) + modifiers(query)).max(1)
    };
    Cost {
        family: GraphFamily::Directory,
        units: units as u32,
        write,
    }
}

fn base_units(segments: &[&str]) -> i64 {
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match lower.as_slice() {
        ["users"] | ["users", "delta" | "delta()", ..] => 2,
        ["groups", _, "members", ..] => 3,
        ["groups", _, "transitivemembers", ..] => 5,
        _ => 1,
    }
}

fn modifiers(query: &str) -> i64 {
    let mut delta = 0;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.trim_start_matches('$').to_ascii_lowercase().as_str() {
            "select" => delta -= 1,
            "expand" => delta += 1,
            "top" if value.parse::<u32>().is_ok_and(|top| top < 20) => delta -= 1,
            _ => {}
        }
    }
    delta
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[test]
    fn documented_costs() {
        let get = |p: &str| cost(&Method::GET, p).units;
        assert_eq!(get("/v1.0/users"), 2);
        assert_eq!(get("/v1.0/users?$select=id,mail"), 1);
        assert_eq!(get("/v1.0/users?%24select=id&%24top=5"), 1);
        assert_eq!(get("/v1.0/groups/g/members"), 3);
        assert_eq!(
            get("/v1.0/groups/g/transitiveMembers/microsoft.graph.user?$select=id"),
            4
        );
        assert_eq!(get("/v1.0/groups/g/transitiveMembers?$expand=x"), 6);
        assert_eq!(get("/v1.0/users/u"), 1);
        let patch = cost(&Method::PATCH, "/v1.0/users/u");
        assert_eq!((patch.units, patch.write), (1, true));
        let report = cost(&Method::GET, "/v1.0/auditLogs/directoryAudits");
        assert_eq!(report.family, GraphFamily::Reports);
    }
}
