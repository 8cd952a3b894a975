//! Graph v1.0: the route table. Every request under `/v1.0` goes through [`dispatch`], which
//! normalizes the URL and runs it through the inner router built here (also used for `$batch`
//! items); `/beta` answers with a Graph-shaped error.

pub mod audit;
pub mod auth;
pub mod batch;
pub mod batch_item;
pub mod check_member;
pub mod delta;
pub mod dispatch;
pub mod groups;
pub mod listing;
pub mod members;
pub mod methods;
pub mod methods_scope;
pub mod object_view;
pub mod reports;
pub mod respond;
mod route_table;
pub mod user_view;
pub mod users;

pub use route_table::router;
pub(crate) use route_table::{inner, patterns};
