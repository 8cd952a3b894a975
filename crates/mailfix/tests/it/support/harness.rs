//! The harness: a simulator in this process over HTTPS, and the binary run as a child process
//! against it, with a time limit.

use std::path::{Path, PathBuf};
use std::process::Output;

use mailfix_sim::scenario::Scenario;
use mailfix_sim::{RunningSim, SimOptions};

/// A running simulator and a scratch directory for the journal and files.
pub struct TestSim {
    /// The simulator.
    pub sim: RunningSim,
    /// Scratch space (journal, CSVs, reports).
    pub dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl TestSim {
    /// Starts `scenario` over HTTPS with the given options adjusted by `tweak`.
    pub async fn start_with(scenario: Scenario, tweak: impl FnOnce(&mut SimOptions)) -> Self {
        let mut options = SimOptions::for_test(scenario);
        options.http = false;
        tweak(&mut options);
        let sim = mailfix_sim::start(options).await.expect("simulator starts");
        let mut http = reqwest::Client::builder();
        if let Some(ca) = &sim.info.ca_file {
            let pem = std::fs::read(ca).expect("CA file");
            http = http.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("CA PEM"));
        }
        Self {
            sim,
            dir: tempfile::tempdir().expect("temp dir"),
            http: http.build().expect("client"),
        }
    }

    /// Starts `scenario` over HTTPS.
    pub async fn start(scenario: Scenario) -> Self {
        Self::start_with(scenario, |_| {}).await
    }

    /// The journal path this test's runs use.
    pub fn journal(&self) -> PathBuf {
        self.dir.path().join("journal.db")
    }

    /// A path in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A `mailfix` command with the main app's credentials and this simulator's endpoints.
    pub fn mailfix(&self) -> tokio::process::Command {
        let info = &self.sim.info;
        self.mailfix_as(&info.client_id, &info.client_secret)
    }

    /// A `mailfix` command signing in as another app.
    pub fn mailfix_as(&self, client_id: &str, secret: &str) -> tokio::process::Command {
        let info = &self.sim.info;
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailfix"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("MAILFIX_TENANT", &info.tenant_id)
            .env("MAILFIX_CLIENT_ID", client_id)
            .env("MAILFIX_CLIENT_SECRET", secret)
            .env("MAILFIX_LOGIN_URL", &info.login_url)
            .env("MAILFIX_GRAPH_URL", &info.graph_url)
            .env("MAILFIX_EXO_URL", &info.exo_url)
            .env("MAILFIX_JOURNAL", self.journal())
            .kill_on_drop(true);
        if let Some(ca) = &info.ca_file {
            cmd.env("MAILFIX_CA_FILE", ca);
        }
        cmd
    }

    /// A `mailfix` command signing in as the scenario's `limited` app (only `User.Read.All`), and
    /// that app's secret.
    pub fn mailfix_limited(&self) -> (tokio::process::Command, String) {
        let info = &self.sim.info;
        let id = info.limited_client_id.as_deref().expect("a limited app");
        let secret = info.limited_client_secret.clone().expect("its secret");
        (self.mailfix_as(id, &secret), secret)
    }

    /// `GET` a control-plane path (`/_sim/...`) as JSON.
    pub async fn control_get(&self, path: &str) -> serde_json::Value {
        let url = format!("{}{path}", self.sim.base_url);
        self.http
            .get(url)
            .send()
            .await
            .expect("control GET")
            .json()
            .await
            .expect("control JSON")
    }

    /// `POST` JSON to a control-plane path.
    pub async fn control_post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let url = format!("{}{path}", self.sim.base_url);
        let resp = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .expect("control POST");
        resp.json().await.unwrap_or(serde_json::Value::Null)
    }
}

/// The longest one `mailfix` run may take in a test (the slowest takes a few seconds): a run that
/// hangs fails its test, and is killed, instead of blocking the suite. This bounds the fault and
/// crash matrices too, whose trials are sequences of such runs.
pub const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);

/// Runs a prepared command to completion and returns its output; panics (killing the process:
/// the commands are `kill_on_drop`) if it runs longer than [`RUN_LIMIT`].
pub async fn run(cmd: &mut tokio::process::Command) -> Output {
    run_within(cmd, RUN_LIMIT).await
}

/// [`run`] with another limit.
pub async fn run_within(cmd: &mut tokio::process::Command, limit: std::time::Duration) -> Output {
    let args: Vec<_> = cmd.as_std().get_args().map(|a| a.to_owned()).collect();
    match tokio::time::timeout(limit, cmd.output()).await {
        Ok(out) => out.expect("mailfix runs"),
        Err(_) => panic!("{args:?} did not finish within {limit:?}"),
    }
}

#[tokio::test]
#[should_panic(expected = "did not finish within")]
async fn a_run_past_its_limit_fails_the_test() {
    let mut sleep = tokio::process::Command::new("sleep");
    sleep.arg("60").kill_on_drop(true);
    run_within(&mut sleep, std::time::Duration::from_millis(200)).await;
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `text` to `path`.
pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write test file");
}

/// Sends SIGINT (Ctrl-C) to a running child.
pub fn interrupt(child: &tokio::process::Child) {
    let pid = child.id().expect("the child runs").to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -INT {pid}");
}

/// Sends SIGTERM (what systemd, Kubernetes and `kill` send) to a running child.
pub fn terminate(child: &tokio::process::Child) {
    let pid = child.id().expect("the child runs").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -TERM {pid}");
}
