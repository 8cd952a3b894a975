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
    /// The commit of the worktree, when available.
    pub commit: Option<Commit>,
}

/// The commit the figures were measured at.
#[derive(Clone, Debug)]
pub struct Commit {
    /// Its full hash.
    pub hash: String,
    /// Whether the worktree held changes not committed (tracked or untracked files).
    pub dirty: bool,
}

impl Commit {
    /// The worktree's `HEAD`, and whether `git status` shows changes.
    pub fn of_worktree() -> Option<Self> {
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        };
        Some(Self {
            hash: git(&["rev-parse", "HEAD"])?,
            dirty: !git(&["status", "--porcelain"])?.is_empty(),
        })
    }
}

impl std::fmt::Display for Commit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short = self.hash.get(..12).unwrap_or(&self.hash);
        write!(f, "{short}{}", if self.dirty { "-dirty" } else { "" })
    }
}

/// The file system a path lives on: its type and device (`ext4 /dev/vda`), from
/// `/proc/self/mountinfo` (the mount point that is the longest prefix of the path).
pub fn filesystem_of(path: &std::path::Path) -> Option<(String, String)> {
    let path = std::fs::canonicalize(path).ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    mounts
        .lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let mount_point = left.split_whitespace().nth(4)?;
            let mut fields = right.split_whitespace();
            let (kind, source) = (fields.next()?, fields.next()?);
            path.starts_with(mount_point)
                .then(|| (mount_point.len(), kind.to_owned(), source.to_owned()))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, kind, source)| (kind, source))
}

/// Whether a file system type keeps its files in memory (an fsync there costs nothing).
pub fn in_memory(kind: &str) -> bool {
    matches!(kind, "tmpfs" | "ramfs")
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
        Self {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            memory_gib: memory_kib / 1024.0 / 1024.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".to_owned(), |s| s.trim().to_owned()),
            started: Utc::now(),
            commit: Commit::of_worktree(),
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
