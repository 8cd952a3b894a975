//! The numeric knobs of throttling and Exchange paging, read from `BehaviourSpec.limits` (a map of
//! key → number). Every key has a documented default (PROTOCOL.md §2.7 for Graph; the Exchange
//! numbers are UNCONFIRMED); an unknown key is an error so that a typo is not silently ignored.

use std::collections::BTreeMap;

/// One knob: its key, default and meaning.
#[derive(Clone, Copy, Debug)]
pub struct LimitKey {
    /// The key in `BehaviourSpec.limits`.
    pub key: &'static str,
    /// The value when the key is absent.
    pub default: f64,
    /// What it controls.
    pub doc: &'static str,
}

/// Every key the simulator reads, with its default (also listed in COVERAGE.md).
pub const LIMIT_KEYS: &[LimitKey] = &[
    LimitKey {
        key: "graph.ru_quota",
        default: 0.0,
        doc: "Graph resource units per window for each app (0 = by tenant size)",
    },
    LimitKey {
        key: "graph.ru_quota_small",
        default: 3500.0,
        doc: "RU quota of a tenant with fewer than 50 users",
    },
    LimitKey {
        key: "graph.ru_quota_medium",
        default: 5000.0,
        doc: "RU quota of a tenant with 50 to 500 users",
    },
    LimitKey {
        key: "graph.ru_quota_large",
        default: 8000.0,
        doc: "RU quota of a tenant with more than 500 users",
    },
    LimitKey {
        key: "graph.ru_window_s",
        default: 10.0,
        doc: "RU window (simulated seconds)",
    },
    LimitKey {
        key: "graph.write_quota",
        default: 3000.0,
        doc: "Graph writes per window for each app",
    },
    LimitKey {
        key: "graph.write_window_s",
        default: 150.0,
        doc: "write window (simulated seconds)",
    },
    LimitKey {
        key: "graph.tenant_write_quota",
        default: 18000.0,
        doc: "Graph writes per window for all apps",
    },
    LimitKey {
        key: "graph.tenant_write_window_s",
        default: 300.0,
        doc: "tenant write window (simulated seconds)",
    },
    LimitKey {
        key: "graph.reports_quota",
        default: 5.0,
        doc: "requests to /reports/ and /auditLogs/ per window for each app",
    },
    LimitKey {
        key: "graph.reports_window_s",
        default: 10.0,
        doc: "reports window (simulated seconds)",
    },
    LimitKey {
        key: "exo.concurrency",
        default: 3.0,
        doc: "Exchange requests in flight per app (0 = unlimited)",
    },
    LimitKey {
        key: "exo.concurrency_plain_text",
        default: 1.0,
        doc: "1: a concurrency overflow answers 429 with Exchange's plain-text message; 0: with a JSON error",
    },
    LimitKey {
        key: "exo.concurrency_retry_after_s",
        default: 2.0,
        doc: "Retry-After of a concurrency overflow (simulated seconds)",
    },
    LimitKey {
        key: "exo.rate_quota",
        default: 30000.0,
        doc: "Exchange requests per window for each app (Rate-Limit-Limit)",
    },
    LimitKey {
        key: "exo.rate_window_s",
        default: 60.0,
        doc: "Exchange rate window (simulated seconds; Rate-Limit-Reset is its end)",
    },
    LimitKey {
        key: "exo.default_page_size",
        default: 1000.0,
        doc: "InvokeCommand page size without a Prefer: odata.maxpagesize header",
    },
    LimitKey {
        key: "exo.error_shape",
        default: 0.0,
        doc: "shape of InvokeCommand errors (PROTOCOL.md §1.6): 0 = A (JSON detail), 1 = B (ErrorId|Type|Message detail), 2 = C (innererror.internalException), 3 = plain text",
    },
    LimitKey {
        key: "graph.page_scan_limit",
        default: 0.0,
        doc: "objects a Graph list page examines at most (0 = no limit); a page whose examined objects all fail the filter is empty and still has a nextLink",
    },
    LimitKey {
        key: "graph_mail_eq_null_without_advanced",
        default: 0.0,
        doc: "above 0: `mail eq null` works without advanced query parameters",
    },
    LimitKey {
        key: "graph.methods_page_size",
        default: 0.0,
        doc: "authentication methods per page of /users/{id}/authentication/methods (0 = all in one page, as the service answers in practice); above 0 the rest follows through @odata.nextLink",
    },
    LimitKey {
        key: "exo.default_result_size",
        default: 1000.0,
        doc: "Get-Mailbox/Get-User results without ResultSize (0 = unlimited)",
    },
    // Switches that play a real service's behaviour (COVERAGE.md, "Real-tenant switches").
    LimitKey {
        key: "exo.redirect",
        default: 0.0,
        doc: "1: the Exchange front door redirects EXOModuleFile and InvokeCommand to the tenant host {prefix}.localhost",
    },
    LimitKey {
        key: "exo.check_anchor",
        default: 0.0,
        doc: "1: InvokeCommand refuses an X-AnchorMailbox that is not the caller's (UPN:{user} delegated, the system mailbox app-only)",
    },
    LimitKey {
        key: "exo.resolve_object_ids",
        default: 1.0,
        doc: "0: Exchange does not resolve a user's Entra object id as -Identity (couldn't be found)",
    },
    LimitKey {
        key: "exo.dual_write_conflict_s",
        default: 0.0,
        doc: "above 0: the first address added to each mailbox fails with the DualWrite ObjectConflict error for this many simulated seconds",
    },
    LimitKey {
        key: "exo.warnings_null",
        default: 0.0,
        doc: "1: InvokeCommand answers @adminapi.warnings: null instead of []",
    },
    LimitKey {
        key: "graph.audit_needs_directory_read",
        default: 1.0,
        doc: "1: directoryAudits needs AuditLog.Read.All and Directory.Read.All (as documented); 0: AuditLog.Read.All alone",
    },
    LimitKey {
        key: "graph.entra_premium",
        default: 1.0,
        doc: "0: the tenant has no Entra ID P1/P2: userRegistrationDetails answers 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant",
    },
    LimitKey {
        key: "graph.mask_phones_for_auth_admin",
        default: 1.0,
        doc: "1: a delegated Authentication Administrator reads masked phone numbers",
    },
    LimitKey {
        key: "graph.auth_admin_scope",
        default: 1.0,
        doc: "1: a delegated Authentication Administrator is refused (403) the methods of users who hold an admin role",
    },
    LimitKey {
        key: "graph.methods_reports_limit",
        default: 0.0,
        doc: "1: /users/{id}/authentication/* draws from the reports bucket (5 per 10 s) instead of resource units",
    },
    LimitKey {
        key: "graph.unknown_enum_values",
        default: 0.0,
        doc: "1: answers carry enum values a client may not know (a phone method of type unknownFutureValue, unknownFutureValue in registration and audit records)",
    },
    LimitKey {
        key: "graph.audit_max_top",
        default: 1000.0,
        doc: "largest $top directoryAudits accepts (the default page size is the smaller of this and 1000)",
    },
];

/// A key in `limits` that the simulator does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown limit key '{key}' in the scenario's behaviour.limits (known keys: {known})")]
pub struct UnknownLimit {
    /// The unknown key.
    pub key: String,
    /// The known keys, comma-separated.
    pub known: String,
}

/// Resolved limits: the defaults with a scenario's overrides applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    values: BTreeMap<&'static str, f64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            values: LIMIT_KEYS.iter().map(|k| (k.key, k.default)).collect(),
        }
    }
}

impl Limits {
    /// The defaults overridden by `overrides`; unknown keys are refused.
    pub fn from_map(overrides: &BTreeMap<String, f64>) -> Result<Self, UnknownLimit> {
        let mut limits = Self::default();
        for (key, &value) in overrides {
            let known = LIMIT_KEYS
                .iter()
                .find(|k| k.key == key)
                .ok_or_else(|| UnknownLimit {
                    key: key.clone(),
                    known: LIMIT_KEYS
                        .iter()
                        .map(|k| k.key)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            limits.values.insert(known.key, value);
        }
        Ok(limits)
    }

    /// The value of `key` (its default when the key is not one of [`LIMIT_KEYS`]: 0).
    pub fn get(&self, key: &str) -> f64 {
        self.values.get(key).copied().unwrap_or(0.0)
    }

    /// The Graph RU quota per window for a tenant of `users` users.
    pub fn ru_quota(&self, users: usize) -> f64 {
        let fixed = self.get("graph.ru_quota");
        if fixed > 0.0 {
            return fixed;
        }
        match users {
            0..50 => self.get("graph.ru_quota_small"),
            50..=500 => self.get("graph.ru_quota_medium"),
            _ => self.get("graph.ru_quota_large"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_unknown_keys_are_refused() {
        let mut map = BTreeMap::from([("graph.ru_quota".to_owned(), 10.0)]);
        let limits = Limits::from_map(&map).unwrap();
        assert_eq!(limits.ru_quota(10_000), 10.0);
        assert_eq!(Limits::default().ru_quota(49), 3500.0);
        assert_eq!(Limits::default().ru_quota(300), 5000.0);
        assert_eq!(Limits::default().ru_quota(501), 8000.0);
        for knob in [
            "graph_mail_eq_null_without_advanced",
            "graph.page_scan_limit",
            "exo.error_shape",
        ] {
            let one = BTreeMap::from([(knob.to_owned(), 1.0)]);
            assert_eq!(Limits::from_map(&one).unwrap().get(knob), 1.0, "{knob}");
        }
        map.insert("graph.ru_qouta".to_owned(), 1.0);
        let err = Limits::from_map(&map).unwrap_err();
        assert_eq!(err.key, "graph.ru_qouta");
        assert!(err.to_string().contains("graph.ru_quota,"));
    }
}
