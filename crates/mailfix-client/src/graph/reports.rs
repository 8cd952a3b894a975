//! The authentication methods registration report (`userRegistrationDetails`, docs/protocol.md §4.1):
//! filtered and streamed. Reports and audit logs share a limit of 5 requests per 10 s, which the
//! client's reports lane enforces.

use super::Graph;
use crate::models::RegistrationDetails;
use crate::page::Items;
use crate::permission::Permission;
use crate::query::{Filter, Query};

impl Graph {
    /// Rows of the registration report, optionally filtered (`$filter` and `$orderby` only).
    pub fn registration_details(&self, filter: Option<Filter>) -> Items<RegistrationDetails> {
        let query = match filter {
            Some(f) => Query::new().filter(f),
            None => Query::new(),
        };
        self.list(self.get(
            "/reports/authenticationMethods/userRegistrationDetails",
            &query,
            "reports.userRegistrationDetails",
            Permission::AuditLogReadAll,
        ))
    }
}
