//! Starting a measured program from the harness: always through `bench measure` (see measure.rs),
//! with a clean environment, stdout and stderr in files, and stdin either closed or held open
//! (a `sim-host` runs until the harness closes it).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context as _;
use tokio::process::{Child, ChildStdin, Command};

use crate::measure::Measurement;

/// A program to run and measure.
#[derive(Clone, Debug)]
pub struct Launch {
    /// Short name for files and messages (`mailfix-scan-small`).
    pub name: String,
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its whole environment (nothing else is inherited).
    pub env: Vec<(String, String)>,
    /// Its working directory (the harness's when `None`).
    pub cwd: Option<PathBuf>,
}

impl Launch {
    /// A launch of `program` with `args` and an empty environment but `PATH`.
    pub fn new(name: &str, program: &Path, args: &[&str]) -> Self {
        let path = std::env::var("PATH").unwrap_or_default();
        Self {
            name: name.to_owned(),
            program: program.to_owned(),
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            env: vec![("PATH".to_owned(), path)],
            cwd: None,
        }
    }

    /// Runs it in `dir` (so that file arguments can be short).
    pub fn cwd(mut self, dir: &Path) -> Self {
        self.cwd = Some(dir.to_owned());
        self
    }

    /// Adds environment variables.
    pub fn envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// The command line as a reader would type it (environment left out).
    pub fn display(&self) -> String {
        let name = self
            .program
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let mut words = vec![name];
        words.extend(self.args.iter().map(|a| quote(a)));
        words.join(" ")
    }
}

fn quote(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain && !word.is_empty() {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A measured program that is running.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    files: Files,
}

/// The files of one measured run.
#[derive(Clone, Debug)]
struct Files {
    out: PathBuf,
    err: PathBuf,
    measurement: PathBuf,
}

/// What a finished program left.
#[derive(Debug)]
pub struct Finished {
    /// Its measurement.
    pub measurement: Measurement,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Finished {
    /// Whether it exited with `code`.
    pub fn exited_with(&self, code: i32) -> bool {
        self.measurement.exit_code == Some(code)
    }

    /// stdout as JSON.
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_str(&self.stdout).with_context(|| {
            format!(
                "the program's output is not JSON; stderr:\n{}",
                tail(&self.stderr)
            )
        })
    }
}

/// The last lines of a text, for error messages.
pub fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Starts `launch` under `bench measure`, with its files in `dir`; `hold_stdin` keeps a pipe to its
/// stdin open until [`Running::close_stdin`].
pub fn start(launch: &Launch, dir: &Path, hold_stdin: bool) -> anyhow::Result<Running> {
    let files = Files {
        out: dir.join(format!("{}.out", launch.name)),
        err: dir.join(format!("{}.err", launch.name)),
        measurement: dir.join(format!("{}.measure.json", launch.name)),
    };
    let me = std::env::current_exe().context("the bench executable")?;
    let stdout = std::fs::File::create(&files.out)?;
    let stderr = std::fs::File::create(&files.err)?;
    let mut cmd = Command::new(me);
    cmd.arg("measure")
        .arg("--out")
        .arg(&files.measurement)
        .arg("--")
        .arg(&launch.program)
        .args(&launch.args)
        .env_clear()
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .stdout(stdout)
        .stderr(stderr)
        .stdin(if hold_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true);
    if let Some(dir) = &launch.cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", launch.display()))?;
    let stdin = child.stdin.take();
    Ok(Running {
        child,
        stdin,
        files,
    })
}

/// Starts `launch` and waits for it.
pub async fn run(launch: &Launch, dir: &Path) -> anyhow::Result<Finished> {
    start(launch, dir, false)?.wait().await
}

impl Running {
    /// Closes the program's stdin (a `sim-host` then stops).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the program and reads what it left.
    pub async fn wait(mut self) -> anyhow::Result<Finished> {
        self.close_stdin();
        let status = self.child.wait().await?;
        anyhow::ensure!(status.success(), "bench measure failed: {status}");
        let measurement: Measurement =
            serde_json::from_slice(&std::fs::read(&self.files.measurement)?)?;
        Ok(Finished {
            measurement,
            stdout: std::fs::read_to_string(&self.files.out).unwrap_or_default(),
            stderr: std::fs::read_to_string(&self.files.err).unwrap_or_default(),
        })
    }
}
