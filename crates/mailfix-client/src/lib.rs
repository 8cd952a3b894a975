//! Typed async client for Microsoft identity sign-in, Graph v1.0 and the Exchange Online admin API.
#![warn(missing_docs)]

pub mod models;
