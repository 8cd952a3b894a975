//! The `mailbox_plans` setting: service plan ids that give a mailbox beyond mailfix's table, each
//! checked to be a GUID when the settings are resolved.

use mailfix_engine::mailbox_plans::MailboxPlans;

use super::resolution::{Settings, Sourced};
use crate::error::CliError;

impl Settings {
    /// The service plans that give a mailbox: mailfix's table and the configured ids.
    pub fn mailbox_plans(&self) -> MailboxPlans {
        let extra = self.mailbox_plans.as_ref().map(|p| p.value.as_slice());
        // The ids were checked when the settings were resolved.
        MailboxPlans::with_ids(extra.unwrap_or_default()).unwrap_or_default()
    }
}

/// `MAILFIX_MAILBOX_PLANS` (comma-separated) / `mailbox_plans` (a list): service plan ids, each a
/// GUID.
pub(super) fn mailbox_plans(
    raw: Option<Sourced<Vec<String>>>,
) -> Result<Option<Sourced<Vec<String>>>, CliError> {
    let Some(plans) = raw else {
        return Ok(None);
    };
    if let Err(e) = MailboxPlans::with_ids(&plans.value) {
        return Err(CliError::usage(format!(
            "mailbox_plans (from {}): {e}",
            plans.source
        ))
        .hint(
            "list the servicePlanId of each Exchange plan that gives a mailbox, e.g. mailbox_plans \
             = [\"9aaf7827-d63c-4b61-89c3-182f06f82e5c\"] (Microsoft's \"Product names and service \
             plan identifiers for licensing\" lists them)",
        ));
    }
    Ok(Some(plans))
}
