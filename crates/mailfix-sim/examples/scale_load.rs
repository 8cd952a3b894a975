//! Measures generating and building a large scenario: `cargo run --release -p mailfix-sim --example
//! scale_load -- 1000000` prints the time of each step and the peak resident set size (the
//! acceptance bound is 2 GiB for a million users). Not a test: it takes seconds and a lot of memory.

use std::io::Write as _;
use std::time::Instant;

use mailfix_sim::scenario::build::build_tenant;
use mailfix_sim::scenario::scale;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    let scenario = scale(n, 1);
    let generated = started.elapsed();
    writeln!(
        out,
        "generated {n} users in {:.2} s (peak RSS so far {:.0} MiB)",
        generated.as_secs_f64(),
        peak_rss_mib().unwrap_or(0.0)
    )?;
    let tenant = build_tenant(&scenario, 1, chrono::Utc::now())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let built = started.elapsed() - generated;
    writeln!(
        out,
        "built the tenant ({} users, {} mailboxes, {} groups, {} audit events) in {:.2} s",
        tenant.users.len(),
        tenant.mailboxes.len(),
        tenant.groups.len(),
        tenant.audits.len(),
        built.as_secs_f64()
    )?;
    match peak_rss_mib() {
        Some(mib) => writeln!(out, "peak RSS {mib:.0} MiB (bound: 2048 MiB)")?,
        None => writeln!(out, "peak RSS unknown (no /proc/self/status)")?,
    }
    Ok(())
}
