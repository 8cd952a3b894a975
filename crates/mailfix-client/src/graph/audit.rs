//! Directory audit records (`/auditLogs/directoryAudits`, PROTOCOL.md §4.2): filtered and streamed
//! at the reports/audit pace (5 requests per 10 s, [`crate::Limits::reports_window`]). They need
//! `AuditLog.Read.All` and `Directory.Read.All` (microsoft-graph-docs-contrib
//! `api-reference/v1.0/includes/permissions/directoryaudit-list-permissions.md`).

use futures::stream;

use super::Graph;
use crate::models::DirectoryAudit;
use crate::page::{Items, Page, Pages};
use crate::permission::Permission;
use crate::query::{Filter, Query};

const PATH: &str = "/auditLogs/directoryAudits";
const OPERATION: &str = "audit.directoryAudits";

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
        self.list(
            self.get(PATH, &query, OPERATION, Permission::AuditLogReadAll)
                .map(|r| r.permission(Permission::DirectoryReadAll)),
        )
    }

    /// The pages of audit records for any query (`$filter`, `$select`, `$top`, `$orderby`), for
    /// callers that report progress per page. Each page is one request of the reports lane.
    pub fn directory_audit_pages(&self, query: &Query) -> Pages<Page<DirectoryAudit>> {
        let req = self
            .get(PATH, query, OPERATION, Permission::AuditLogReadAll)
            .map(|r| r.permission(Permission::DirectoryReadAll));
        match req {
            Ok(req) => self.pages(req),
            Err(e) => Box::pin(stream::once(async { Err(e) })),
        }
    }
}
