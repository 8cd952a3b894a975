//! What `mailfix sim` (and `mailfix demo --keep`) print to connect to the simulator: its tenant
//! and apps, its groups, and `export MAILFIX_...` lines that agree with what is listed above them.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use mailfix_sim::SimInfo;

/// Groups listed on the terminal; the info file has all of them.
const GROUPS_SHOWN: usize = 12;

/// The service's reports and audit-log window (5 requests per 10 s), in simulated time.
const REPORTS_WINDOW: Duration = Duration::from_secs(10);

/// The client's pacing window for the reports lane against a clock `time_scale` times faster than
/// real time: the service's 10 s in real time, rounded up to a whole millisecond (never shorter
/// than the simulator's window).
pub fn reports_window(time_scale: f64) -> Duration {
    let millis = (REPORTS_WINDOW.as_secs_f64() * 1000.0 / time_scale).ceil();
    Duration::from_millis(millis as u64)
}

/// The `MAILFIX_REPORTS_WINDOW` export line's name and value for a clock `time_scale` times faster.
pub fn reports_window_export(time_scale: f64) -> (&'static str, String) {
    let window = reports_window(time_scale).as_millis();
    ("MAILFIX_REPORTS_WINDOW", format!("{window}ms"))
}

/// Writes the connection info: the simulator, its tenant and apps, the groups, and the `export
/// MAILFIX_...` lines a shell needs (then `extra` ones, e.g. the reports window and `mailfix
/// demo`'s journal).
pub fn print_info(
    out: &mut impl Write,
    info: &SimInfo,
    base_url: &str,
    (scenario, seed, users): (&str, u64, usize),
    extra: &[(&str, String)],
) -> std::io::Result<()> {
    let ca = info.ca_file.as_ref().map(|p| p.display().to_string());
    // The cloud played, when it is not the global one mailfix assumes.
    let cloud = (info.cloud != "global" && !info.cloud.is_empty()).then(|| info.cloud.clone());
    writeln!(
        out,
        "mailfix sim: scenario {scenario} (seed {seed}), {users} users, serving {base_url}"
    )?;
    let rows = [
        ("tenant id", Some(info.tenant_id.clone())),
        ("tenant domain", Some(info.tenant_domain.clone())),
        ("client id", Some(info.client_id.clone())),
        ("client secret", Some(info.client_secret.clone())),
        ("cert client id", info.cert_client_id.clone()),
        ("limited client id", info.limited_client_id.clone()),
        (
            "device client id",
            (info.device_client_id.as_ref()).map(|id| format!("{id} (public client: auth login)")),
        ),
        ("CA file", ca.clone()),
        ("login URL", Some(info.login_url.clone())),
        ("Graph URL", Some(info.graph_url.clone())),
        ("Exchange URL", Some(info.exo_url.clone())),
        ("cloud", cloud.clone()),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            writeln!(out, "  {label:<18} {value}")?;
        }
    }
    groups(out, info)?;
    writeln!(out)?;
    let exports = [
        ("MAILFIX_TENANT", Some(info.tenant_id.clone())),
        ("MAILFIX_CLIENT_ID", Some(info.client_id.clone())),
        ("MAILFIX_CLIENT_SECRET", Some(info.client_secret.clone())),
        ("MAILFIX_LOGIN_URL", Some(info.login_url.clone())),
        ("MAILFIX_GRAPH_URL", Some(info.graph_url.clone())),
        ("MAILFIX_EXO_URL", Some(info.exo_url.clone())),
        ("MAILFIX_CA_FILE", ca),
        ("MAILFIX_CLOUD", cloud),
    ];
    for (name, value) in exports {
        if let Some(value) = value {
            writeln!(out, "export {name}='{value}'")?;
        }
    }
    for (name, value) in extra {
        writeln!(out, "export {name}='{value}'")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Control plane: {base_url}/_sim/state. Press Ctrl-C to stop."
    )?;
    out.flush()
}

/// The groups by name, each with its id; groups that share a name are each listed and marked.
fn groups(out: &mut impl Write, info: &SimInfo) -> std::io::Result<()> {
    let mut sharing: BTreeMap<&str, usize> = BTreeMap::new();
    for group in &info.group_list {
        *sharing.entry(group.name.as_str()).or_default() += 1;
    }
    let mut listed: Vec<_> = info.group_list.iter().collect();
    listed.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    writeln!(out, "groups:")?;
    for group in listed.iter().take(GROUPS_SHOWN) {
        let shared = sharing.get(group.name.as_str()).copied().unwrap_or(1);
        let note = match shared {
            1 => String::new(),
            n => format!("  ({n} groups share this name: pass the id to --group)"),
        };
        writeln!(out, "  {:<30} {}{note}", group.name, group.id)?;
    }
    if listed.len() > GROUPS_SHOWN {
        writeln!(
            out,
            "  ... and {} more (all in --info-file)",
            listed.len() - GROUPS_SHOWN
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_the_services_ten_seconds_in_real_time() {
        assert_eq!(reports_window(1.0), Duration::from_secs(10));
        assert_eq!(reports_window(60.0), Duration::from_millis(167));
        assert_eq!(reports_window_export(100.0).1, "100ms");
    }
}
