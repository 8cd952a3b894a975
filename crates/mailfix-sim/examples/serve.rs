//! Serves the simulator with a small hand-written scenario until SIGINT/SIGTERM, for the conformance
//! check with Microsoft's Python clients (`.ci/conformance`) until `mailfix sim` exists.
//!
//! ```text
//! cargo run -p mailfix-sim --example serve -- [--info-file PATH] [--listen ADDR] [--http] [--state-dir DIR]
//! ```
//!
//! With `--info-file` the connection info (`SimInfo`) is written there as JSON once the simulator
//! listens (atomically, so a script may poll for the file).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use mailfix_sim::scenario::{
    AppSpec, GroupSpec, MailboxSpec, MemberSpec, OtherSpec, Scenario, TenantSpec, UserSpec,
};
use mailfix_sim::{SimOptions, start};

#[derive(Debug, Default)]
struct Args {
    info_file: Option<PathBuf>,
    listen: Option<SocketAddr>,
    http: bool,
    state_dir: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--info-file" => args.info_file = Some(value()?.into()),
            "--state-dir" => args.state_dir = Some(value()?.into()),
            "--listen" => {
                let v = value()?;
                args.listen = Some(v.parse().map_err(|e| format!("--listen {v}: {e}"))?);
            }
            "--http" => args.http = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

const ALL_PERMISSIONS: [&str; 4] = [
    "User.Read.All",
    "GroupMember.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "AuditLog.Read.All",
];

fn app(role: &str, name: &str, graph: &[&str], exchange: &[&str]) -> AppSpec {
    AppSpec {
        role: role.to_owned(),
        display_name: name.to_owned(),
        secret_credential: role != "cert",
        certificate_credential: role == "cert",
        public_client: role == "device",
        graph_roles: graph.iter().map(|s| s.to_string()).collect(),
        exchange_roles: exchange.iter().map(|s| s.to_string()).collect(),
        directory_roles: if exchange.is_empty() {
            Vec::new()
        } else {
            vec!["Exchange Administrator".to_owned()]
        },
        ..AppSpec::default()
    }
}

fn user(i: usize, domain: &str) -> UserSpec {
    let upn = format!("user{i:02}@{domain}");
    UserSpec {
        upn: upn.clone(),
        display_name: format!("User {i:02}"),
        // Every fifth user has the empty-mail defect.
        mail: (!i.is_multiple_of(5)).then(|| upn.clone()),
        guest: i == 27,
        mailbox: Some(MailboxSpec::default()),
        label: if i.is_multiple_of(5) {
            "empty-mail"
        } else {
            "healthy"
        }
        .to_owned(),
        ..UserSpec::default()
    }
}

fn users(domain: &str, range: std::ops::Range<usize>) -> Vec<MemberSpec> {
    range
        .map(|i| MemberSpec::User(format!("user{i:02}@{domain}")))
        .collect()
}

fn group(name: &str, mut members: Vec<MemberSpec>, nested: &[&str]) -> GroupSpec {
    members.extend(nested.iter().map(|g| MemberSpec::Group(g.to_string())));
    GroupSpec {
        display_name: name.to_owned(),
        members,
        ..GroupSpec::default()
    }
}

/// 30 users; "All Staff" holds 10 directly, the rest through nested groups with a cycle
/// (Engineering → Platform → Engineering), a duplicate and a device; five users are in no group.
fn scenario() -> Scenario {
    let domain = "contoso-sim.onmicrosoft.com";
    let mut all_staff = group("All Staff", users(domain, 0..10), &["Engineering", "Sales"]);
    all_staff
        .members
        .push(MemberSpec::Other("LAPTOP-0001".to_owned()));
    let mut platform = group("Platform", users(domain, 18..22), &["Engineering"]);
    platform
        .members
        .push(MemberSpec::User(format!("user00@{domain}")));
    Scenario {
        name: "conformance".to_owned(),
        tenant: TenantSpec {
            initial_domain: domain.to_owned(),
            ..TenantSpec::default()
        },
        apps: vec![
            app(
                "main",
                "mailfix",
                &ALL_PERMISSIONS,
                &["Exchange.ManageAsApp"],
            ),
            app(
                "cert",
                "mailfix (certificate)",
                &ALL_PERMISSIONS,
                &["Exchange.ManageAsApp"],
            ),
            app("limited", "mailfix (limited)", &["User.Read.All"], &[]),
            app(
                "device",
                "mailfix (device code)",
                &ALL_PERMISSIONS,
                &["Exchange.Manage"],
            ),
        ],
        users: (0..30).map(|i| user(i, domain)).collect(),
        groups: vec![
            all_staff,
            group("Engineering", users(domain, 10..18), &["Platform"]),
            platform,
            group("Sales", users(domain, 22..25), &[]),
        ],
        others: vec![OtherSpec {
            kind: "device".to_owned(),
            display_name: "LAPTOP-0001".to_owned(),
        }],
        ..Scenario::default()
    }
}

fn write_info(path: &PathBuf, info: &mailfix_sim::SimInfo) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(info).map_err(std::io::Error::other)?;
    let partial = path.with_extension("partial");
    std::fs::write(&partial, json)?;
    std::fs::rename(&partial, path)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let mut options = SimOptions::for_test(scenario());
    options.http = args.http;
    options.state_dir = args.state_dir;
    if let Some(listen) = args.listen {
        options.listen = listen;
    }
    let sim = start(options).await?;
    if let Some(path) = &args.info_file {
        write_info(path, &sim.info)?;
    }
    writeln!(std::io::stderr(), "simulator listening on {}", sim.base_url)?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    sim.shutdown().await;
    Ok(())
}
