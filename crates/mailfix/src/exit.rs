//! Exit codes (SPEC §12).

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
