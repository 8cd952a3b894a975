//! OData query builders: `$select`, `$filter` (with quotes escaped), `$top`, `$count`, `$orderby`,
//! and whether the query is an advanced one that needs `ConsistencyLevel: eventual` (docs/protocol.md §2.3).

use chrono::{DateTime, SecondsFormat, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// A `$filter` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter(String);

/// A string literal: single quotes doubled (OData's escape), wrapped in quotes.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

impl Filter {
    /// A filter written by hand (values must already be quoted with [`quote`]).
    pub fn raw(expr: impl Into<String>) -> Self {
        Self(expr.into())
    }

    /// `prop eq 'value'`.
    pub fn eq(prop: &str, value: &str) -> Self {
        Self(format!("{prop} eq {}", quote(value)))
    }

    /// `prop eq true|false`.
    pub fn eq_bool(prop: &str, value: bool) -> Self {
        Self(format!("{prop} eq {value}"))
    }

    /// `prop eq null`.
    pub fn is_null(prop: &str) -> Self {
        Self(format!("{prop} eq null"))
    }

    /// `startswith(prop, 'value')`.
    pub fn starts_with(prop: &str, value: &str) -> Self {
        Self(format!("startswith({prop}, {})", quote(value)))
    }

    /// `prop ge 2024-05-01T00:00:00Z`.
    pub fn ge_time(prop: &str, at: DateTime<Utc>) -> Self {
        Self(format!(
            "{prop} ge {}",
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ))
    }

    /// `prop le 2024-05-15T00:00:00Z`.
    pub fn le_time(prop: &str, at: DateTime<Utc>) -> Self {
        Self(format!(
            "{prop} le {}",
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ))
    }

    /// `collection/any(x:x eq 'value')`.
    pub fn any_eq(collection: &str, value: &str) -> Self {
        Self(format!("{collection}/any(x:x eq {})", quote(value)))
    }

    /// `id in ('a','b')`.
    pub fn is_in(prop: &str, values: &[&str]) -> Self {
        let list: Vec<String> = values.iter().map(|v| quote(v)).collect();
        Self(format!("{prop} in ({})", list.join(",")))
    }

    /// `(self) and (other)`.
    pub fn and(self, other: Filter) -> Self {
        Self(format!("{} and {}", self.0, other.0))
    }

    /// `(self) or (other)`.
    pub fn or(self, other: Filter) -> Self {
        Self(format!("({}) or ({})", self.0, other.0))
    }

    /// The expression.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An OData query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    select: Vec<String>,
    filter: Option<Filter>,
    top: Option<u32>,
    count: bool,
    orderby: Option<String>,
    advanced: bool,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// `$select` these properties.
    pub fn select<I, S>(mut self, props: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.select.extend(props.into_iter().map(Into::into));
        self
    }

    /// `$filter`.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// `$top` (page size, at most 999 for directory objects).
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// `$orderby`.
    pub fn orderby(mut self, expr: impl Into<String>) -> Self {
        self.orderby = Some(expr.into());
        self
    }

    /// An advanced query: adds `$count=true` and the `ConsistencyLevel: eventual` header.
    pub fn advanced(mut self) -> Self {
        self.advanced = true;
        self.count = true;
        self
    }

    /// Whether the request needs `ConsistencyLevel: eventual`.
    pub fn is_advanced(&self) -> bool {
        self.advanced
    }

    /// The page size, if set.
    pub fn page_size(&self) -> Option<u32> {
        self.top
    }

    /// The query string without `?` (empty when nothing is set). Names keep their `$`; values are
    /// percent-encoded (spaces as `%20`).
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if !self.select.is_empty() {
            parts.push(format!("$select={}", encode(&self.select.join(","))));
        }
        if let Some(f) = &self.filter {
            parts.push(format!("$filter={}", encode(f.as_str())));
        }
        if let Some(t) = self.top {
            parts.push(format!("$top={t}"));
        }
        if self.count {
            parts.push("$count=true".to_owned());
        }
        if let Some(o) = &self.orderby {
            parts.push(format!("$orderby={}", encode(o)));
        }
        parts.join("&")
    }

    /// `path` with this query appended.
    pub fn apply(&self, path: &str) -> String {
        let q = self.to_query_string();
        if q.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{q}")
        }
    }
}

/// What a query value encodes: everything but ASCII letters, digits, unreserved characters and
/// `,` `'` `(` `)` `:` `/` `@` (kept readable); spaces become `%20`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b':')
    .remove(b'/')
    .remove(b'@');

/// Percent-encodes a query value (see [`QUERY_VALUE`]).
fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_in_values_are_doubled() {
        assert_eq!(
            Filter::eq("displayName", "O'Brien's team").as_str(),
            "displayName eq 'O''Brien''s team'"
        );
        assert_eq!(quote("''"), "''''''");
    }

    #[test]
    fn builds_select_filter_top_count() {
        let q = Query::new()
            .select(["id", "mail", "proxyAddresses"])
            .filter(Filter::is_null("mail").and(Filter::eq_bool("accountEnabled", true)))
            .top(999)
            .advanced();
        assert_eq!(
            q.to_query_string(),
            "$select=id,mail,proxyAddresses&$filter=mail%20eq%20null%20and%20accountEnabled%20eq%20true&$top=999&$count=true"
        );
        assert!(q.is_advanced());
        assert_eq!(Query::new().apply("/users"), "/users");
    }

    #[test]
    fn special_characters_are_encoded_and_parse_back() {
        let q = Query::new().filter(Filter::eq("displayName", "R&D + Ops #1?"));
        let s = q.apply("/groups");
        assert_eq!(
            s,
            "/groups?$filter=displayName%20eq%20'R%26D%20%2B%20Ops%20%231%3F'"
        );
        let url = url::Url::parse(&format!("https://g.example{s}")).unwrap();
        let (k, v) = url.query_pairs().next().unwrap();
        assert_eq!(
            (k.as_ref(), v.as_ref()),
            ("$filter", "displayName eq 'R&D + Ops #1?'")
        );
    }

    #[test]
    fn other_filters() {
        let at = DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            Filter::ge_time("activityDateTime", at)
                .and(Filter::eq("loggedByService", "Authentication Methods"))
                .as_str(),
            "activityDateTime ge 2024-05-01T00:00:00Z and loggedByService eq 'Authentication Methods'"
        );
        assert_eq!(
            Filter::le_time("activityDateTime", at).as_str(),
            "activityDateTime le 2024-05-01T00:00:00Z"
        );
        assert_eq!(
            Filter::any_eq("methodsRegistered", "email").as_str(),
            "methodsRegistered/any(x:x eq 'email')"
        );
        assert_eq!(Filter::is_in("id", &["a", "b"]).as_str(), "id in ('a','b')");
        assert_eq!(
            Filter::starts_with("displayName", "A")
                .or(Filter::raw("x eq 1"))
                .as_str(),
            "(startswith(displayName, 'A')) or (x eq 1)"
        );
    }
}
