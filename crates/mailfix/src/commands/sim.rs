//! `mailfix sim`: run the local Microsoft 365 simulator (sign-in, Graph v1.0, Exchange admin API) and
//! print what a user needs to connect to it, until Ctrl-C.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use mailfix_sim::scenario::{self, LoadError, Scenario};
use mailfix_sim::{SimInfo, SimOptions, StartError};

use super::sim_banner::{print_info, reports_window_export};

/// Flags of `mailfix sim`.
#[derive(Clone, Debug, clap::Args)]
pub struct SimArgs {
    /// Scenario: `small` (300 users), `small-gov` (the same in a government tenant, with the
    /// government Exchange plans), `enterprise` (100,000 users) or the path of a scenario JSON file.
    #[arg(
        long,
        value_name = "small|small-gov|enterprise|PATH",
        default_value = "small"
    )]
    pub scenario: String,
    /// The cloud whose resources (token audiences) sign-in issues and Graph and Exchange accept:
    /// global, usgov-high, usgov-dod, china (point mailfix's --cloud preset at the simulator).
    #[arg(long, value_name = "CLOUD", default_value = "global")]
    pub cloud: String,
    /// Seed that makes the scenario and the simulated behaviour reproducible.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    pub listen: String,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    pub http: bool,
    /// Allow --listen on an address other machines can reach (the control plane has no
    /// authentication, and the banner and info file hold the app's secret).
    #[arg(long)]
    pub allow_remote: bool,
    /// Simulated seconds per real second (60 makes a one-minute write-back take one second).
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    pub time_scale: f64,
    /// Also write the connection info as JSON to this file (mode 0600: it holds the client secret).
    #[arg(long, value_name = "PATH")]
    pub info_file: Option<PathBuf>,
    /// Share of Graph and Exchange requests answered with a random 429, 503, 504 or a reset (0..1).
    #[arg(long, value_name = "R")]
    pub fault_rate: Option<f64>,
    /// Milliseconds added to every Graph response.
    #[arg(long, value_name = "MS")]
    pub graph_latency: Option<u64>,
    /// Milliseconds added to every Exchange response.
    #[arg(long, value_name = "MS")]
    pub exo_latency: Option<u64>,
    /// Range of the delay before Exchange writes a changed mailbox back to the directory, e.g.
    /// `60s..300s` (simulated time; units s, m, h, d).
    #[arg(long, value_name = "MIN..MAX")]
    pub writeback_delay: Option<String>,
    /// Share of users with a mailbox whose write-back never happens (0..1).
    #[arg(long, value_name = "S")]
    pub stuck_share: Option<f64>,
    /// New starters hired continuously on the simulated clock, e.g. `30/h` or `200/d` (a default
    /// mix: 30% with the empty-mail defect, 10% synced, 10% unlicensed); see `POST /_sim/users/hire`.
    #[arg(long, value_name = "N/h")]
    pub hire_rate: Option<String>,
}

/// Why `mailfix sim` failed.
#[derive(Debug, thiserror::Error)]
pub enum SimCommandError {
    /// A flag has an unusable value.
    #[error("invalid {flag} '{value}': {problem}")]
    InvalidFlag {
        /// The flag, e.g. `--fault-rate`.
        flag: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        problem: String,
        /// How to fix it.
        remedy: String,
    },
    /// The scenario file cannot be used.
    #[error(transparent)]
    Scenario(#[from] LoadError),
    /// The simulator did not start.
    #[error("the simulator did not start: {0}")]
    Start(#[from] StartError),
    /// The info file could not be written.
    #[error("cannot write the info file {path}: {source}")]
    InfoFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Printing the connection info failed.
    #[error("cannot print the connection info: {0}")]
    Output(std::io::Error),
    /// Waiting for Ctrl-C failed.
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(std::io::Error),
}

impl SimCommandError {
    /// Whether the user's input is at fault (exit code 2) rather than the environment (1).
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::InvalidFlag { .. } | Self::Scenario(_))
            || matches!(
                self,
                Self::Start(StartError::Scenario(_) | StartError::Limits(_))
            )
    }

    /// What to do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::InvalidFlag { remedy, .. } => Some(remedy.clone()),
            Self::Scenario(_) => Some(
                "use --scenario small, --scenario enterprise, or fix the file (see crates/mailfix-sim/COVERAGE.md)"
                    .to_owned(),
            ),
            Self::Start(StartError::Bind { .. }) => {
                Some("choose another address with --listen, e.g. --listen 127.0.0.1:0 for a free port".to_owned())
            }
            _ => None,
        }
    }
}

fn invalid(flag: &'static str, value: &str, problem: &str, remedy: &str) -> SimCommandError {
    SimCommandError::InvalidFlag {
        flag,
        value: value.to_owned(),
        problem: problem.to_owned(),
        remedy: remedy.to_owned(),
    }
}

/// Parses `90s`, `5m`, `2h`, `14d` or a bare number of seconds.
fn seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let factor = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return None,
    };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value * factor)
}

fn share(flag: &'static str, value: Option<f64>) -> Result<Option<f64>, SimCommandError> {
    match value {
        Some(v) if !(0.0..=1.0).contains(&v) => Err(invalid(
            flag,
            &v.to_string(),
            "it is a share and must be between 0 and 1",
            &format!("pass e.g. {flag} 0.05 for 5%"),
        )),
        other => Ok(other),
    }
}

fn writeback_delay(text: &str) -> Result<(f64, f64), SimCommandError> {
    let remedy = "write it as MIN..MAX with units s, m, h or d, e.g. --writeback-delay 60s..300s";
    let (min, max) = text
        .split_once("..")
        .ok_or_else(|| invalid("--writeback-delay", text, "it is not a range", remedy))?;
    let parse = |part: &str| {
        seconds(part).ok_or_else(|| {
            invalid(
                "--writeback-delay",
                text,
                &format!("'{part}' is not a duration"),
                remedy,
            )
        })
    };
    let (min, max) = (parse(min)?, parse(max)?);
    if min > max {
        return Err(invalid(
            "--writeback-delay",
            text,
            "the minimum is larger than the maximum",
            remedy,
        ));
    }
    Ok((min, max))
}

/// `--hire-rate N/h` (or `N/d`) as hires per simulated hour.
fn hire_rate(text: &str) -> Result<f64, SimCommandError> {
    let remedy =
        "write it as a number per hour or per day, e.g. --hire-rate 30/h or --hire-rate 200/d";
    let (number, per) = text
        .split_once('/')
        .ok_or_else(|| invalid("--hire-rate", text, "it has no unit", remedy))?;
    let hours = match per.trim() {
        "h" => 1.0,
        "d" => 24.0,
        _ => {
            return Err(invalid(
                "--hire-rate",
                text,
                "the unit is not h or d",
                remedy,
            ));
        }
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n / hours),
        _ => Err(invalid(
            "--hire-rate",
            text,
            "it is not a number of hires",
            remedy,
        )),
    }
}

/// The scenario `--scenario` names.
fn load_scenario(name: &str, seed: u64) -> Result<Scenario, SimCommandError> {
    match name {
        "small" => Ok(scenario::small(seed)),
        "small-gov" => Ok(scenario::small_gov(seed)),
        "enterprise" => Ok(scenario::enterprise(seed)),
        path => Ok(scenario::load(Path::new(path))?),
    }
}

/// Checks the flags and turns them into simulator options.
pub fn options(args: &SimArgs) -> Result<SimOptions, SimCommandError> {
    let listen: SocketAddr = args.listen.parse().map_err(|_| {
        invalid(
            "--listen",
            &args.listen,
            "it is not an IP address and port",
            "pass e.g. --listen 127.0.0.1:8443",
        )
    })?;
    if !listen.ip().is_loopback() && !args.allow_remote {
        return Err(invalid(
            "--listen",
            &args.listen,
            "it is not a loopback address: other machines could reach the control plane, which \
             has no authentication, and read the app's secret",
            "listen on 127.0.0.1 (or [::1]), or add --allow-remote to serve other machines \
             knowingly",
        ));
    }
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        return Err(invalid(
            "--time-scale",
            &args.time_scale.to_string(),
            "it must be a number above 0",
            "pass e.g. --time-scale 60 to run simulated time 60 times faster",
        ));
    }
    let cloud: mailfix_sim::identity::SimCloud = args.cloud.parse().map_err(|e| {
        invalid(
            "--cloud",
            &args.cloud,
            &format!("{e}"),
            "pass one of global, usgov-high, usgov-dod, china",
        )
    })?;
    let fault_rate = share("--fault-rate", args.fault_rate)?;
    let stuck_share = share("--stuck-share", args.stuck_share)?;
    let writeback_delay_s = args
        .writeback_delay
        .as_deref()
        .map(writeback_delay)
        .transpose()?;
    let hire_rate = args.hire_rate.as_deref().map(hire_rate).transpose()?;
    Ok(SimOptions {
        seed: args.seed,
        listen,
        http: args.http,
        time_scale: args.time_scale,
        state_dir: None,
        fault_rate,
        graph_latency_ms: args.graph_latency,
        exo_latency_ms: args.exo_latency,
        writeback_delay_s,
        stuck_share,
        cloud,
        hire_rate,
        ..SimOptions::new(load_scenario(&args.scenario, args.seed)?)
    })
}

/// Runs the simulator until Ctrl-C or SIGTERM, printing the connection info to stdout. Either
/// way it stops the same: the temporary directory with its CA and keys is removed.
pub async fn run(args: SimArgs) -> Result<(), SimCommandError> {
    // The handlers are installed before anything is printed: a signal that arrives right after the
    // banner must stop the simulator cleanly, not kill it with its keys left behind.
    let stop = stop_signals()?;
    serve(args, &mut std::io::stdout(), stop).await
}

/// Completes on SIGTERM (`kill`, `timeout`, a service manager stopping it) or SIGINT (Ctrl-C).
/// Both are registered when this is called, not when the future is first polled.
#[cfg(unix)]
fn stop_signals() -> Result<impl Future<Output = Result<(), SimCommandError>>, SimCommandError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(SimCommandError::Signal)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(SimCommandError::Signal)?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
        Ok(())
    })
}

/// Windows has no SIGTERM; Ctrl-C (and Ctrl-Break's default) remain.
#[cfg(not(unix))]
fn stop_signals() -> Result<impl Future<Output = Result<(), SimCommandError>>, SimCommandError> {
    Ok(async {
        tokio::signal::ctrl_c()
            .await
            .map_err(SimCommandError::Signal)
    })
}

/// Runs the simulator until `stop` completes, printing the connection info to `out`.
pub async fn serve(
    args: SimArgs,
    out: &mut impl Write,
    stop: impl Future<Output = Result<(), SimCommandError>>,
) -> Result<(), SimCommandError> {
    let options = options(&args)?;
    let name = options.scenario.name.clone();
    let sim = mailfix_sim::start(options).await?;
    if let Some(path) = &args.info_file {
        write_info(path, &sim.info)?;
    }
    let users = sim.state.read_tenant().users.len();
    if !options_listen_is_loopback(&args.listen) {
        remote_warning(out, &sim.base_url).map_err(SimCommandError::Output)?;
    }
    print_info(
        out,
        &sim.info,
        &sim.base_url,
        (&name, args.seed, users),
        &[reports_window_export(args.time_scale)],
    )
    .map_err(SimCommandError::Output)?;
    let stopped = stop.await;
    sim.shutdown().await;
    stopped
}

fn options_listen_is_loopback(listen: &str) -> bool {
    listen
        .parse::<SocketAddr>()
        .is_ok_and(|addr| addr.ip().is_loopback())
}

/// The warning for a simulator other machines can reach.
fn remote_warning(out: &mut impl Write, base_url: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "WARNING: serving {base_url} beyond this machine (--allow-remote). The control plane \
         ({base_url}/_sim/) has no authentication: anyone who reaches it can change the \
         simulated tenant, and this banner's client secret is no secret to them."
    )
}

fn write_info(path: &Path, info: &SimInfo) -> Result<(), SimCommandError> {
    let error = |source| SimCommandError::InfoFile {
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_vec_pretty(info).map_err(|e| error(std::io::Error::other(e)))?;
    // It holds the app's secret: a private file, replaced atomically.
    mailfix_client::private_file::replace(path, &json).map_err(error)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SimArgs,
    }

    fn args(extra: &[&str]) -> SimArgs {
        let mut argv = vec!["sim", "--listen", "127.0.0.1:0", "--http"];
        argv.extend_from_slice(extra);
        Cli::parse_from(argv).args
    }

    #[test]
    fn durations_and_ranges_parse() {
        assert_eq!(seconds("90s"), Some(90.0));
        assert_eq!(seconds("5m"), Some(300.0));
        assert_eq!(seconds("2h"), Some(7200.0));
        assert_eq!(seconds("14d"), Some(1_209_600.0));
        assert_eq!(seconds("30"), Some(30.0));
        assert_eq!(seconds("5x"), None);
        assert_eq!(writeback_delay("60s..5m").unwrap(), (60.0, 300.0));
        let options = options(&args(&[
            "--writeback-delay",
            "1m..2m",
            "--stuck-share",
            "0.1",
        ]))
        .unwrap();
        assert_eq!(options.writeback_delay_s, Some((60.0, 120.0)));
        assert_eq!(options.stuck_share, Some(0.1));
        let hiring = options_for(&["--hire-rate", "48/d"]);
        assert_eq!(hiring.hire_rate, Some(2.0));
        assert_eq!(options_for(&["--hire-rate", "30/h"]).hire_rate, Some(30.0));
    }

    fn options_for(extra: &[&str]) -> SimOptions {
        options(&args(extra)).unwrap()
    }

    #[test]
    fn bad_flags_name_the_cause_and_the_remedy() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["--writeback-delay", "5m..1m"],
                "the minimum is larger than the maximum",
            ),
            (&["--writeback-delay", "60s"], "it is not a range"),
            (&["--fault-rate", "1.5"], "between 0 and 1"),
            (&["--time-scale", "0"], "above 0"),
            (&["--hire-rate", "30"], "it has no unit"),
            (&["--hire-rate", "lots/h"], "not a number of hires"),
            (
                &["--scenario", "/nonexistent/scenario.json"],
                "cannot read the scenario file",
            ),
        ];
        for (extra, expected) in cases {
            let err = options(&args(extra)).unwrap_err();
            assert!(err.to_string().contains(expected), "{extra:?}: {err}");
            assert!(err.is_usage() && err.hint().is_some(), "{extra:?}");
        }
        let err = options(&SimArgs {
            listen: "localhost".into(),
            ..args(&[])
        })
        .unwrap_err();
        assert!(err.hint().unwrap().contains("--listen 127.0.0.1:8443"));
        for remote in ["0.0.0.0:8443", "[::]:8443", "192.0.2.10:8443"] {
            let err = options(&SimArgs {
                listen: remote.into(),
                ..args(&[])
            })
            .unwrap_err();
            assert!(err.to_string().contains("not a loopback address"), "{err}");
            assert!(err.hint().unwrap().contains("--allow-remote"), "{remote}");
            assert!(err.is_usage());
        }
        let allowed = options(&SimArgs {
            listen: "0.0.0.0:8443".into(),
            allow_remote: true,
            ..args(&[])
        });
        assert!(allowed.is_ok());
    }

    #[test]
    fn serving_beyond_this_machine_warns_that_the_control_plane_is_open() {
        assert!(options_listen_is_loopback("127.0.0.1:0"));
        assert!(options_listen_is_loopback("[::1]:8443"));
        assert!(!options_listen_is_loopback("0.0.0.0:8443"));
        let mut out = Vec::new();
        remote_warning(&mut out, "https://0.0.0.0:8443").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("WARNING: serving https://0.0.0.0:8443 beyond this machine"));
        assert!(
            text.contains("(https://0.0.0.0:8443/_sim/) has no authentication"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn serving_prints_the_connection_info_and_writes_the_info_file() {
        let dir = tempfile::tempdir().unwrap();
        let info_file = dir.path().join("info.json");
        let mut sim_args = args(&["--seed", "3"]);
        sim_args.info_file = Some(info_file.clone());
        let mut out = Vec::new();
        serve(sim_args, &mut out, async { Ok(()) }).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        let info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&info_file).unwrap()).unwrap();
        for key in [
            "tenant_id",
            "tenant_domain",
            "client_id",
            "client_secret",
            "login_url",
            "graph_url",
            "exo_url",
            "groups",
        ] {
            assert!(info.get(key).is_some(), "{key}");
        }
        let secret = info["client_secret"].as_str().unwrap();
        assert!(text.contains(&format!("export MAILFIX_CLIENT_SECRET='{secret}'")));
        assert!(text.contains("export MAILFIX_TENANT="));
        assert!(text.contains("All Staff"));
        assert!(text.contains("scenario small (seed 3), 300 users"));
        let graph = info["graph_url"].as_str().unwrap();
        assert!(
            text.contains(&format!("Graph URL          {graph}\n")),
            "{text}"
        );
        assert!(text.contains(&format!("export MAILFIX_GRAPH_URL='{graph}'")));
        assert!(
            !text.contains("/v1.0"),
            "the banner and the exports agree: {text}"
        );
        assert!(
            text.contains("export MAILFIX_REPORTS_WINDOW='10000ms'"),
            "{text}"
        );
        let device = info["device_client_id"].as_str().unwrap();
        assert!(text.contains(&format!("device client id   {device} (public client")));
        for group in info["group_list"].as_array().unwrap() {
            let name = group["name"].as_str().unwrap();
            if name == "Contractors" {
                let line = format!(
                    "{name:<30} {}  (2 groups share this name",
                    group["id"].as_str().unwrap()
                );
                assert!(text.contains(&line), "{line} in {text}");
            }
        }
        assert!(!text.contains("WARNING"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&info_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
