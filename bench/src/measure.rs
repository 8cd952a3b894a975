//! `bench measure`: runs one program as the only child of this process, waits for it, and writes
//! its peak RSS, CPU time and wall time as JSON.
//!
//! Why a process of its own: the peak RSS comes from `getrusage(RUSAGE_CHILDREN)` after the child
//! is reaped, which is the kernel's exact high-water mark of the child (`ru_maxrss`), with no
//! sampling gap at the end of its life (reading `VmHWM` from `/proc/PID/status` only works while the
//! process lives, so a sampler misses whatever happens after its last read). Two properties of
//! that figure decide the shape:
//! - it is the maximum over *all* children the calling process has reaped, so each measured
//!   program needs a parent that reaps nothing else;
//! - Linux carries the parent's RSS into the child's figure: at `exec` the kernel records the
//!   high-water mark of the address space being replaced, which right after `fork`/`vfork` is the
//!   parent's. A child of the harness (which hosts a simulator of 100,000 users) would report the
//!   harness's size. This process is the freshly started bench binary with no async runtime, a few
//!   MiB, which is the floor of every figure (BENCHMARKS.md shows it, measured with `true`).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Context as _;
use nix::sys::resource::{UsageWho, getrusage};
use serde::{Deserialize, Serialize};

/// What `bench measure` found out about its child.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Measurement {
    /// The child's exit code, if it exited.
    pub exit_code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    /// Wall time from spawn to reaping, seconds.
    pub wall_s: f64,
    /// User CPU time, seconds.
    pub user_s: f64,
    /// System CPU time, seconds.
    pub sys_s: f64,
    /// Peak resident set size, KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
}

impl Measurement {
    /// Peak RSS in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }

    /// User plus system CPU time, seconds.
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// Runs `command` (program and arguments) with this process's stdio and environment, and writes
/// the measurement to `out`.
pub fn run(out: &Path, command: &[String]) -> anyhow::Result<()> {
    let (program, args) = command.split_first().context("no program to measure")?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    let status = child.wait().context("waiting for the child")?;
    let wall_s = started.elapsed().as_secs_f64();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage")?;
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    let measurement = Measurement {
        exit_code: status.code(),
        signal: std::os::unix::process::ExitStatusExt::signal(&status),
        wall_s,
        user_s: seconds(usage.user_time()),
        sys_s: seconds(usage.system_time()),
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
    };
    std::fs::write(out, serde_json::to_vec(&measurement)?)
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}
