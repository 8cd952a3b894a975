//! Exit codes (the table in `exit.rs`).

/// How mailfix ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: success, nothing left to do.
    Success,
    /// 1: runtime error (network, service, auth).
    Runtime,
    /// 2: usage or configuration error.
    Usage,
    /// 3: `scan` found problems at or above `--fail-on`.
    Findings,
    /// 4: `fix`/`seed`/`cleanup` finished with items not done.
    Incomplete,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Runtime => 1,
            Exit::Usage => 2,
            Exit::Findings => 3,
            Exit::Incomplete => 4,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// The exit codes as each command's `--help` lists them (its `after_help`).
pub mod help {
    /// `mailfix --help`.
    pub const GENERAL: &str = "\
Exit codes:
  0    success
  1    runtime error (network, service, sign-in)
  2    usage or configuration error, or \"no\" at a confirmation prompt
  3    scan: findings at or above --fail-on
  4    fix, cleanup, seed: finished with items not done, or a named user does not exist
  130  interrupted (Ctrl-C)";

    /// `mailfix scan --help`.
    pub const SCAN: &str = "\
Exit codes:
  0    no finding at or above --fail-on
  1    runtime error (network, service, sign-in)
  2    usage or configuration error
  3    findings at or above --fail-on
  130  interrupted (Ctrl-C)";

    /// `mailfix fix --help`.
    pub const FIX: &str = "\
Exit codes:
  0    every target fixed, or nothing to fix
  1    runtime error (network, service, sign-in)
  2    usage or configuration error, or \"no\" at the prompt (nothing changed)
  4    some targets not fixed (failed or stuck), or a named user does not exist
  130  interrupted (Ctrl-C); `mailfix fix --resume` continues";

    /// `mailfix cleanup --help`.
    pub const CLEANUP: &str = "\
Exit codes:
  0    every planned alias removed, or nothing to clean up
  1    runtime error (network, service, sign-in)
  2    usage or configuration error, or \"no\" at the prompt (nothing changed)
  4    some aliases not removed, or a user named for --sweep does not exist
  130  interrupted (Ctrl-C); run cleanup again to finish";

    /// `mailfix runs --help`.
    pub const RUNS: &str = "\
Exit codes:
  0    success
  1    the journal cannot be read
  2    usage error (no such run, not a run id)";

    /// `mailfix seed --help`.
    pub const SEED: &str = "\
Exit codes:
  0    every row done (or already registered)
  1    runtime error (network, service, sign-in)
  2    usage error (file, flags), or \"no\" at the prompt (nothing written)
  4    some rows not done (invalid, unknown user, conflict, failed)
  130  interrupted (Ctrl-C); `mailfix seed --resume` continues";

    /// `mailfix audit --help`.
    pub const AUDIT: &str = "\
Exit codes:
  0    the audit was read and explained, whatever it shows
  1    runtime error (network, service, sign-in)
  2    usage or configuration error (period, file, scope)";

    /// `mailfix auth --help`.
    pub const AUTH: &str = "\
Exit codes:
  0    success
  1    sign-in failed
  2    configuration error";

    /// `mailfix auth check --help`.
    pub const AUTH_CHECK: &str = "\
Exit codes:
  0    success
  1    sign-in failed, or a command named with --for cannot run with the app's permissions
  2    configuration error";

    /// `mailfix sim --help`.
    pub const SIM: &str = "\
Exit codes:
  0    stopped with Ctrl-C
  1    the simulator could not start (address in use, files)
  2    usage error (flag, scenario file)";

    /// `mailfix demo --help`.
    pub const DEMO: &str = "\
Exit codes:
  0    the story ended as expected
  1    a step ended otherwise (the step is named)
  2    usage error
  130  interrupted (Ctrl-C)";
}
