//! `bench baseline`: its flags, the client from the environment, and the scope reads the
//! script made.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use mailfix_client::{Client, Secret};

/// Flags of `bench baseline`.
#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    command: BaselineCommand,
}

#[derive(Debug, clap::Subcommand)]
enum BaselineCommand {
    /// List the scope in pages of 100 and count the users whose `mail` is empty.
    Scan {
        /// A group (its members, nested ones included, as mailfix reads them).
        #[arg(
            long,
            conflicts_with = "all_users",
            required_unless_present = "all_users"
        )]
        group: Option<String>,
        /// Every user of the tenant.
        #[arg(long)]
        all_users: bool,
    },
    /// The original fix script.
    Fix {
        /// The group whose members (nested ones included, as mailfix reads them) are fixed.
        #[arg(long)]
        group: String,
        /// The domain of the temporary addresses (the script had it written in).
        #[arg(long)]
        domain: String,
        /// Pause between two listings of the group, milliseconds (the script's 60 s, scaled to
        /// the simulator's clock).
        #[arg(long)]
        poll_interval_ms: u64,
    },
}

/// Runs the baseline and prints its summary.
pub async fn run(args: BaselineArgs) -> anyhow::Result<()> {
    let client = client_from_env()?;
    let summary = match args.command {
        BaselineCommand::Scan { group, all_users } => {
            super::scan::run(&client, group.as_deref().filter(|_| !all_users)).await?
        }
        BaselineCommand::Fix {
            group,
            domain,
            poll_interval_ms,
        } => {
            let poll = Duration::from_millis(poll_interval_ms);
            super::fix::run(&client, &group, &domain, poll).await?
        }
    };
    crate::say::json(&summary)
}

/// A client for the endpoints and app the `MAILFIX_*` variables name (the ones the harness sets
/// for mailfix too), with the default retry policy and limits.
fn client_from_env() -> anyhow::Result<Client> {
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    crate::connect::client(&crate::connect::Connection {
        login_url: var("MAILFIX_LOGIN_URL")?,
        graph_url: var("MAILFIX_GRAPH_URL")?,
        exo_url: var("MAILFIX_EXO_URL")?,
        tenant: var("MAILFIX_TENANT")?,
        client_id: var("MAILFIX_CLIENT_ID")?,
        secret: Secret::from_env("MAILFIX_CLIENT_SECRET")?,
        ca_file: std::env::var_os("MAILFIX_CA_FILE").map(PathBuf::from),
    })
}
