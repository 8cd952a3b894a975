//! Watching the simulator while a fix runs, and checking the tenant afterwards: the write-back
//! delay each user drew (read from the pending write-backs as they appear), the temporary
//! addresses in mailboxes, and whose `mail` is still not the primary address.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mailfix_sim::state::AppState;

use crate::sim::Sim;

/// How often the pending write-backs are read. A delay is read as `due - now` when the write-back
/// is first seen, so it is short by at most this much real time (times the clock's scale).
const SAMPLE: Duration = Duration::from_millis(20);

/// Samples the simulator's pending write-backs until [`WritebackWatch::finish`].
pub struct WritebackWatch {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<HashMap<u32, f64>>,
}

impl WritebackWatch {
    /// Starts sampling `sim`.
    pub fn start(sim: &Sim) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let state = sim.state().clone();
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut delays = HashMap::new();
            while !flag.load(Ordering::Relaxed) {
                sample(&state, &mut delays);
                tokio::time::sleep(SAMPLE).await;
            }
            delays
        });
        Self { stop, task }
    }

    /// Stops sampling; the delay (simulated seconds) of every write-back seen, by user.
    pub async fn finish(self) -> anyhow::Result<Delays> {
        self.stop.store(true, Ordering::Relaxed);
        Ok(Delays(self.task.await?))
    }
}

fn sample(state: &AppState, delays: &mut HashMap<u32, f64>) {
    let now = state.clock.now();
    let tenant = state.read_tenant();
    for pending in &tenant.writebacks {
        delays
            .entry(pending.user)
            .or_insert_with(|| (pending.due - now).num_milliseconds() as f64 / 1000.0);
    }
}

/// Write-back delays by user, simulated seconds.
#[derive(Debug, Default)]
pub struct Delays(HashMap<u32, f64>);

impl Delays {
    /// The slowest one.
    pub fn max_s(&self) -> f64 {
        self.0.values().copied().fold(0.0, f64::max)
    }

    /// How many were seen.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

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
