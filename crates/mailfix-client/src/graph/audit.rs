//! Directory audit records (`/auditLogs/directoryAudits`, PROTOCOL.md §4.2): filtered and streamed
//! at the reports/audit pace (5 requests per 10 s).

use super::Graph;
use crate::models::DirectoryAudit;
use crate::page::Items;
use crate::permission::Permission;
use crate::query::{Filter, Query};

impl Graph {
    /// Audit records matching `filter`, `top` per page (the service default when `None`).
    pub fn directory_audits(
        &self,
        filter: Option<Filter>,
        top: Option<u32>,
    ) -> Items<DirectoryAudit> {
        let mut query = Query::new();
        if let Some(f) = filter {
            query = query.filter(f);
        }
        if let Some(t) = top {
            query = query.top(t);
        }
        self.list(self.get(
            "/auditLogs/directoryAudits",
            &query,
            "audit.directoryAudits",
            Permission::AuditLogReadAll,
        ))
    }
}
