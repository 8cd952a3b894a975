//! OData query options as Graph v1.0 applies them to directory resources: `$select`, `$filter`
//! (parse, rules, evaluation), `$top`, `$count`, `$search`, `$orderby`, `$skiptoken`/`$deltatoken`,
//! and the advanced-query rules tied to the `ConsistencyLevel: eventual` header (docs/protocol.md §2.3).

pub mod eval;
pub mod filter;
pub mod lexer;
mod query_options;
pub mod rules;
pub mod schemas;
pub mod search;

pub use query_options::{OrderBy, QueryOptions, advanced_required};
