//! The query options of one request, parsed and checked: `$select`, `$filter`, `$top`, `$count`,
//! `$search`, `$orderby`, and the advanced-query rules.

use axum::http::HeaderMap;

use super::filter::{self, Expr};
use super::rules::{self, Needs, Schema};
use super::schemas;
use super::search::Search;
use crate::error::GraphError;

/// One `$orderby` key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderBy {
    /// Property name as given.
    pub property: String,
    /// `desc`.
    pub descending: bool,
}

/// The query options of one request.
#[derive(Clone, Debug, Default)]
pub struct QueryOptions {
    /// Every query parameter, decoded, in request order (`$skiptoken` and `$deltatoken` included).
    pub params: Vec<(String, String)>,
    /// `$select`, split on commas.
    pub select: Option<Vec<String>>,
    /// `$filter`, parsed.
    pub filter: Option<Expr>,
    /// `$top`, unvalidated.
    pub top: Option<String>,
    /// `$count=true`.
    pub count: bool,
    /// `$search`, parsed.
    pub search: Option<Search>,
    /// `$orderby`.
    pub orderby: Vec<OrderBy>,
    /// `$skiptoken`.
    pub skiptoken: Option<String>,
    /// `$deltatoken`.
    pub deltatoken: Option<String>,
    /// `ConsistencyLevel: eventual` was sent.
    pub eventual: bool,
}

/// The text Graph gives when an operator needs advanced query parameters that are missing
/// (aad-advanced-queries.md, error handling section; `ne` keeps its older observed text).
pub fn advanced_required(operator: &str) -> GraphError {
    if operator == "ne" {
        return GraphError::unsupported_query("Filter operator 'NotEqualsMatch' is not supported.");
    }
    GraphError::unsupported_query(format!(
        "Operator '{operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
    ))
}

impl QueryOptions {
    /// Reads the query string and the `ConsistencyLevel` header.
    pub fn parse(query: Option<&str>, headers: &HeaderMap) -> Result<Self, GraphError> {
        let mut options = QueryOptions {
            eventual: headers
                .get("consistencylevel")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual")),
            ..Self::default()
        };
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in &pairs {
            if !key.starts_with('$') {
                continue;
            }
            let name = key.to_ascii_lowercase();
            if seen.contains(&name) {
                return Err(GraphError::odata_bad_request(format!(
                    "Query option '{key}' was specified more than once, but it must be specified at most once."
                )));
            }
            seen.push(name.clone());
            options.take(&name, value)?;
        }
        options.params = pairs;
        Ok(options)
    }

    fn take(&mut self, name: &str, value: &str) -> Result<(), GraphError> {
        match name {
            "$select" => {
                self.select = Some(
                    value
                        .split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect(),
                );
            }
            "$filter" => {
                self.filter = Some(filter::parse(value).map_err(GraphError::odata_bad_request)?);
            }
            "$top" => self.top = Some(value.to_owned()),
            "$count" => {
                self.count = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(GraphError::odata_bad_request(format!(
                            "'{value}' is not a valid count option."
                        )));
                    }
                };
            }
            "$search" => {
                self.search = Some(Search::parse(value).map_err(GraphError::odata_bad_request)?);
            }
            "$orderby" => self.orderby = parse_orderby(value)?,
            "$skiptoken" => self.skiptoken = Some(value.to_owned()),
            "$deltatoken" => self.deltatoken = Some(value.to_owned()),
            "$skip" => {
                return Err(GraphError::bad_request(
                    "'$skip' is not supported by the service.",
                ));
            }
            other => {
                return Err(GraphError::odata_bad_request(format!(
                    "Query option '{other}' is not supported by this resource in the simulator."
                )));
            }
        }
        Ok(())
    }

    /// Both advanced query parameters are present.
    pub fn advanced(&self) -> bool {
        self.eventual && self.count
    }

    /// Whether to add `@odata.count`: `$count=true` counts only with `ConsistencyLevel: eventual`
    /// (without it Graph silently ignores `$count=true`).
    pub fn wants_count(&self) -> bool {
        self.advanced()
    }

    /// Refuses options this route does not support (e.g. `$search` on the audit log).
    pub fn refuse(&self, unsupported: &[&str]) -> Result<(), GraphError> {
        let present = |name: &str| {
            self.params
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        match unsupported.iter().find(|name| present(name)) {
            Some(name) => Err(GraphError::odata_bad_request(format!(
                "Query option '{name}' is not supported by this resource."
            ))),
            None => Ok(()),
        }
    }

    /// The page size: `$top` within `1..=max`, else `default`.
    pub fn page_size(&self, default: usize, max: usize) -> Result<usize, GraphError> {
        let Some(top) = &self.top else {
            return Ok(default);
        };
        let n: usize = top.trim().parse().map_err(|_| {
            GraphError::odata_bad_request(format!(
                "Invalid value '{top}' for $top query option found. The $top query option requires a non-negative integer value."
            ))
        })?;
        if n == 0 || n > max {
            return Err(GraphError::bad_request(format!(
                "Invalid page size specified: '{n}'. Must be between 1 and {max} inclusive."
            )));
        }
        Ok(n)
    }

    /// `$select` resolved against a type's property names (canonical spelling), or `None` for the
    /// default property set.
    pub fn selected(
        &self,
        known: &'static [&'static str],
        type_name: &str,
    ) -> Result<Option<Vec<&'static str>>, GraphError> {
        let Some(select) = &self.select else {
            return Ok(None);
        };
        let mut names = Vec::with_capacity(select.len());
        for name in select {
            let canonical = schemas::canonical(known, name).ok_or_else(|| {
                GraphError::odata_bad_request(format!(
                    "Could not find a property named '{name}' on type '{type_name}'."
                ))
            })?;
            if !names.contains(&canonical) {
                names.push(canonical);
            }
        }
        Ok(Some(names))
    }

    /// Applies the directory rules for a list: `$search` needs the header, operators that need
    /// advanced query parameters fail without them, `$filter` or `$search` with `$orderby` needs
    /// them too. `null_default` lists properties whose null filters work without them.
    pub fn check_directory(
        &mut self,
        schema: &Schema,
        null_default: &[&str],
    ) -> Result<Needs, GraphError> {
        if self.search.is_some() && !self.eventual {
            return Err(GraphError::unsupported_query(
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        let needs = match &self.filter {
            Some(expr) => {
                let (needs, canonical) = rules::check(expr, schema, null_default)?;
                self.filter = Some(canonical);
                needs
            }
            None => Needs::default(),
        };
        if let Some(operator) = needs.advanced
            && !self.advanced()
        {
            return Err(advanced_required(operator));
        }
        if !self.orderby.is_empty()
            && (self.filter.is_some() || self.search.is_some())
            && !self.advanced()
        {
            return Err(GraphError::unsupported_query(
                "Sorting not supported for current query.",
            ));
        }
        Ok(needs)
    }

    /// Applies the rules of a non-directory list (reports, audit): the filter must be supported.
    pub fn check_plain(&mut self, schema: &Schema) -> Result<(), GraphError> {
        if let Some(expr) = &self.filter {
            self.filter = Some(rules::check(expr, schema, &[])?.1);
        }
        Ok(())
    }

    /// The parameters a page token is bound to: everything but `$skiptoken` / `$deltatoken`.
    pub fn binding(&self) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| {
                !k.eq_ignore_ascii_case("$skiptoken") && !k.eq_ignore_ascii_case("$deltatoken")
            })
            .cloned()
            .collect();
        params.sort();
        params
    }
}

fn parse_orderby(value: &str) -> Result<Vec<OrderBy>, GraphError> {
    value
        .split(',')
        .map(|key| {
            let mut words = key.split_whitespace();
            let property = words.next().ok_or_else(|| {
                GraphError::odata_bad_request(format!("Invalid $orderby value '{value}'."))
            })?;
            let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(_) => {
                    return Err(GraphError::odata_bad_request(format!(
                        "Invalid $orderby value '{value}'."
                    )));
                }
            };
            Ok(OrderBy {
                property: property.to_owned(),
                descending,
            })
        })
        .collect()
}
