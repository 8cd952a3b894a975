//! What a fix left in the tenant, checked by the harness after the run: the temporary addresses
//! in mailboxes, and whose `mail` is still not the primary address.

use crate::sim::Sim;

/// Temporary addresses in all mailboxes: mailfix's `.mailfix-` marker and the script's
/// `.forcemailwriteback@`.
pub fn temp_addresses(sim: &Sim) -> usize {
    let tenant = sim.state().read_tenant();
    tenant
        .mailboxes
        .values()
        .flat_map(|m| m.email_addresses.iter())
        .filter(|a| {
            let a = a.to_ascii_lowercase();
            a.contains(".mailfix-") || a.contains(".forcemailwriteback@")
        })
        .count()
}

/// Of `upns`, how many have a `mail` that is not their mailbox's primary SMTP address (empty
/// included): the users a fix did not fix.
pub fn not_fixed(sim: &Sim, upns: &[String]) -> usize {
    let tenant = sim.state().read_tenant();
    upns.iter()
        .filter(|upn| {
            let Some(idx) = tenant.user_by_upn(upn) else {
                return true;
            };
            let primary = tenant.mailboxes.get(&idx).and_then(|m| m.primary_smtp());
            let mail = tenant.users[idx as usize].mail.as_deref();
            primary.is_none() || mail.is_none_or(|m| Some(m) != primary)
        })
        .count()
}

/// The UPNs listed under `key` (`fixed`, ...) in a `mailfix fix -o json` document.
pub fn upns(doc: &serde_json::Value, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["upn"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
