//! What the figures were measured on: cores, CPU model, memory, kernel, load average, date, and
//! the commit of the code measured.

use chrono::{DateTime, Utc};

/// The machine and the moment of a run.
#[derive(Clone, Debug)]
pub struct Machine {
    /// Logical cores this process may use.
    pub cores: usize,
    /// CPU model name.
    pub cpu: String,
    /// Total memory, GiB.
    pub memory_gib: f64,
    /// Kernel release.
    pub kernel: String,
    /// When the run started.
    pub started: DateTime<Utc>,
    /// `git describe` of the worktree, when available.
    pub commit: Option<String>,
}

impl Machine {
    /// Reads the machine's description now.
    pub fn describe() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: f64 = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        let commit = std::process::Command::new("git")
            .args(["describe", "--always", "--dirty"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        Self {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            memory_gib: memory_kib / 1024.0 / 1024.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".to_owned(), |s| s.trim().to_owned()),
            started: Utc::now(),
            commit,
        }
    }
}

/// The 1-, 5- and 15-minute load averages now.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadAvg(pub [f64; 3]);

impl LoadAvg {
    /// Reads `/proc/loadavg`.
    pub fn now() -> Self {
        let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let mut values = text.split_whitespace().map(|v| v.parse().unwrap_or(0.0));
        Self([
            values.next().unwrap_or(0.0),
            values.next().unwrap_or(0.0),
            values.next().unwrap_or(0.0),
        ])
    }
}

impl std::fmt::Display for LoadAvg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c] = self.0;
        write!(f, "{a:.2} {b:.2} {c:.2}")
    }
}
