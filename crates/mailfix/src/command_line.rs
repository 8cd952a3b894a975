//! The clap command as `main` parses it: `cli.rs`'s definitions, with the global options that
//! `sim` and `demo` do not take left out of their help and refused when given.

use clap::CommandFactory as _;
use clap::parser::ValueSource;

use crate::cli::{Cli, GlobalArgs};
use crate::error::CliError;

/// Commands that bring their own tenant, and the global options each still takes.
const OWN_TENANT: [(&str, &[&str]); 2] = [
    ("sim", &[]),
    ("demo", &["quiet", "verbose", "trace", "trace_unmasked"]),
];

/// The command line, with `sim`'s and `demo`'s help showing only the global options they take:
/// each of the others gets a hidden copy of its own there, which keeps clap from adding the global
/// one, and is refused when given ([`refuse_foreign_globals`]).
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    for (name, kept) in OWN_TENANT {
        command = command.mut_subcommand(name, |sub| {
            let own = own_ids(&sub);
            global_args()
                .into_iter()
                .filter(|arg| !kept.contains(&arg.get_id().as_str()))
                .filter(|arg| !own.contains(&arg.get_id().to_string()))
                .fold(sub, |sub, arg| sub.arg(arg.global(false).hide(true)))
        });
    }
    command
}

/// The ids of the options a command defines itself (`sim --cloud`): they are its own, not the
/// global ones.
fn own_ids(command: &clap::Command) -> Vec<String> {
    command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .collect()
}

/// The global options (`GlobalArgs`'s fields).
fn global_args() -> Vec<clap::Arg> {
    use clap::Args as _;
    GlobalArgs::augment_args(clap::Command::new("globals"))
        .get_arguments()
        .cloned()
        .collect()
}

fn global_ids() -> Vec<String> {
    global_args()
        .iter()
        .map(|arg| arg.get_id().to_string())
        .collect()
}

/// Refuses a global option given to a command that does not take it (`sim --tenant`,
/// `demo -o json`): the command would silently ignore it.
pub fn refuse_foreign_globals(matches: &clap::ArgMatches) -> Result<(), CliError> {
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(());
    };
    let Some((_, kept)) = OWN_TENANT.iter().find(|(own, _)| *own == name) else {
        return Ok(());
    };
    let own = Cli::command()
        .find_subcommand(name)
        .map(own_ids)
        .unwrap_or_default();
    let given = global_ids().into_iter().find(|id| {
        !kept.contains(&id.as_str())
            && !own.contains(id)
            && sub.value_source(id) == Some(ValueSource::CommandLine)
    });
    match given {
        Some(id) => {
            let flag = format!("--{}", id.replace('_', "-"));
            Err(
                CliError::usage(format!("mailfix {name} does not take {flag}"))
                    .hint(own_tenant_hint(name)),
            )
        }
        None => Ok(()),
    }
}

fn own_tenant_hint(name: &str) -> &'static str {
    match name {
        "demo" => {
            "the demo brings its own simulator, credentials and journal, and tells its story as \
             text; leave the option out (`mailfix demo --help` lists what it takes)"
        }
        _ => {
            "the simulator serves its own tenant and prints how to connect to it; pass the \
             connection options to the commands that use it (`mailfix sim --help` lists what it \
             takes)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(args: &[&str]) -> clap::ArgMatches {
        command()
            .try_get_matches_from(args)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn sim_and_demo_refuse_the_options_they_would_ignore() {
        for args in [
            &["mailfix", "sim", "--tenant", "x"][..],
            &["mailfix", "sim", "-o", "json"],
            &["mailfix", "sim", "-q"],
            &["mailfix", "demo", "-o", "json"],
            &["mailfix", "demo", "--journal", "j.db"],
        ] {
            let error = refuse_foreign_globals(&matches(args)).expect_err("refused");
            assert!(error.headline.contains("does not take"), "{args:?}");
            assert_eq!(error.exit.code(), 2);
        }
        for args in [
            &["mailfix", "demo", "-q", "-vv"][..],
            &["mailfix", "scan", "--tenant", "x", "--all-users"],
            &["mailfix", "--tenant", "x", "scan", "--all-users"],
        ] {
            assert!(refuse_foreign_globals(&matches(args)).is_ok(), "{args:?}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        command().debug_assert();
    }
}
