//! Which permissions each command needs (SPEC §13), and the verdict for a set of granted ones:
//! runs, runs only without `--group`, or does not run until something is granted.

use mailfix_client::Permission;
use serde::Serialize;

use crate::cli::CheckedCommand;
use crate::error::CliError;

/// What one command (or command with a flag) needs.
#[derive(Debug)]
pub struct Need {
    /// As typed: `scan`, `scan --methods`, ...
    pub command: &'static str,
    /// Needed whatever the scope.
    pub always: &'static [Permission],
    /// Whether the command takes `--group` (which needs `GroupMember.Read.All`).
    pub takes_groups: bool,
}

use Permission as P;

/// Every command that talks to the tenant, in the order `auth check` lists them.
pub const NEEDS: &[Need] = &[
    Need {
        command: "scan",
        always: &[P::UserReadAll],
        takes_groups: true,
    },
    Need {
        command: "scan --methods",
        always: &[P::UserReadAll, P::AuthMethodReadAll],
        takes_groups: true,
    },
    Need {
        command: "scan --registration",
        always: &[P::UserReadAll, P::AuditLogReadAll],
        takes_groups: true,
    },
    Need {
        command: "fix",
        always: &[P::UserReadAll, P::ExchangeManageAsApp],
        takes_groups: true,
    },
    Need {
        command: "cleanup",
        always: &[P::UserReadAll, P::ExchangeManageAsApp],
        takes_groups: true,
    },
    Need {
        command: "seed",
        always: &[P::UserReadAll, P::AuthMethodReadWriteAll],
        takes_groups: false,
    },
    Need {
        command: "audit",
        always: &[P::UserReadAll, P::AuditLogReadAll, P::DirectoryReadAll],
        takes_groups: true,
    },
];

/// Whether a command can run with the granted permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CanRun {
    /// Everything it needs is granted.
    Yes,
    /// It runs with `--all-users`, `--user` and `--users-file`, not with `--group`.
    Partly,
    /// Something it always needs is missing.
    No,
}

/// A command's verdict and what is missing for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The command.
    pub command: &'static str,
    /// Whether it runs.
    pub can_run: CanRun,
    /// The missing permissions, by name (`GroupMember.Read.All` last, when only `--group` needs it).
    pub missing: Vec<&'static str>,
    /// One line for people: what works and what to grant.
    pub note: String,
}

impl Need {
    /// The verdict for this command given what `granted` says about each permission.
    pub fn verdict(&self, granted: impl Fn(Permission) -> bool) -> Verdict {
        let mut missing: Vec<&'static str> = self
            .always
            .iter()
            .filter(|p| !granted(**p))
            .map(|p| p.name())
            .collect();
        let groups_missing = self.takes_groups && !granted(P::GroupMemberReadAll);
        let can_run = match (missing.is_empty(), groups_missing) {
            (false, _) => CanRun::No,
            (true, true) => CanRun::Partly,
            (true, false) => CanRun::Yes,
        };
        let note = match can_run {
            CanRun::Yes => "ok".to_owned(),
            CanRun::Partly => format!(
                "only without --group; --group needs {}",
                P::GroupMemberReadAll.name()
            ),
            CanRun::No => format!("grant {}", missing.join(", ")),
        };
        if groups_missing {
            missing.push(P::GroupMemberReadAll.name());
        }
        Verdict {
            command: self.command,
            can_run,
            missing,
            note,
        }
    }
}

/// The line of [`NEEDS`] that `auth check --for` names.
fn need_of(command: CheckedCommand) -> &'static str {
    match command {
        CheckedCommand::Scan => "scan",
        CheckedCommand::ScanMethods => "scan --methods",
        CheckedCommand::ScanRegistration => "scan --registration",
        CheckedCommand::Fix => "fix",
        CheckedCommand::Cleanup => "cleanup",
        CheckedCommand::Seed => "seed",
        CheckedCommand::Audit => "audit",
    }
}

/// The error for the commands asked about (`auth check --for`) that cannot run, if any. A
/// command that runs only without `--group` can run.
pub fn unmet(verdicts: &[Verdict], asked: &[CheckedCommand]) -> Option<CliError> {
    let blocked: Vec<&Verdict> = asked
        .iter()
        .filter_map(|&c| verdicts.iter().find(|v| v.command == need_of(c)))
        .filter(|v| v.can_run == CanRun::No)
        .collect();
    let (names, grants): (Vec<&str>, Vec<String>) = blocked
        .iter()
        .map(|v| (v.command, format!("{}: {}", v.command, v.note)))
        .unzip();
    (!blocked.is_empty()).then(|| {
        CliError::runtime(format!(
            "{} cannot run with the permissions this app has",
            names.join(", ")
        ))
        .hint(format!(
            "{}; see \"Missing permissions\" in `mailfix auth check` for where to grant them",
            grants.join("; ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(command: &str, granted: &[Permission]) -> Verdict {
        NEEDS
            .iter()
            .find(|n| n.command == command)
            .unwrap()
            .verdict(|p| granted.contains(&p))
    }

    #[test]
    fn user_read_only_runs_scan_without_groups_and_nothing_that_writes() {
        let only_users = [P::UserReadAll];
        let scan = verdict("scan", &only_users);
        assert_eq!(scan.can_run, CanRun::Partly);
        assert_eq!(scan.missing, ["GroupMember.Read.All"]);
        let fix = verdict("fix", &only_users);
        assert_eq!(fix.can_run, CanRun::No);
        assert_eq!(
            fix.missing,
            ["Exchange.ManageAsApp", "GroupMember.Read.All"]
        );
        assert_eq!(fix.note, "grant Exchange.ManageAsApp");
        assert_eq!(verdict("seed", &only_users).can_run, CanRun::No);
    }

    #[test]
    fn only_the_commands_asked_about_decide_and_partly_is_enough() {
        let only_users = [P::UserReadAll];
        let verdicts: Vec<Verdict> = NEEDS
            .iter()
            .map(|n| n.verdict(|p| only_users.contains(&p)))
            .collect();
        assert!(unmet(&verdicts, &[]).is_none());
        assert!(unmet(&verdicts, &[CheckedCommand::Scan]).is_none());
        let err = unmet(
            &verdicts,
            &[
                CheckedCommand::Scan,
                CheckedCommand::Fix,
                CheckedCommand::Seed,
            ],
        )
        .unwrap();
        assert_eq!(
            err.headline,
            "fix, seed cannot run with the permissions this app has"
        );
        assert!(
            err.hint
                .unwrap()
                .contains("fix: grant Exchange.ManageAsApp")
        );
        assert_eq!(err.exit.code(), 1);
    }

    #[test]
    fn everything_granted_runs_everything() {
        for need in NEEDS {
            let v = need.verdict(|_| true);
            assert_eq!(v.can_run, CanRun::Yes, "{}", need.command);
            assert!(v.missing.is_empty());
        }
    }
}
