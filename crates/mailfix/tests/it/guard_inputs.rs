//! Bad input to `mailfix guard` is refused with exit 2 before any request reaches the simulator,
//! with the cause and the remedy, and never prints the webhook URL's secret part.

use std::process::Stdio;

use mailfix_sim::scenario::small;

use crate::support::guard::WEBHOOK_SECRET;
use crate::support::{TestSim, run, stderr, stdout};

/// Arguments, environment, the headline and the hint expected.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str, &'a str);

#[tokio::test]
async fn bad_flags_and_settings_are_refused_before_any_request() {
    let sim = TestSim::start(small(9)).await;
    let secret_url = format!("http://hooks.example.com/services/T0/B0/{WEBHOOK_SECRET}");
    let cases: &[Case<'_>] = &[
        (
            &["guard"],
            &[],
            "guard needs to know whom to watch",
            "--group, --all-users",
        ),
        (
            &["guard", "--all-users", "--interval", "soon"],
            &[],
            "invalid --interval",
            "5m",
        ),
        (
            &["guard", "--all-users", "--interval", "0s"],
            &[],
            "--interval must be longer than 0s",
            "",
        ),
        (
            &["guard", "--all-users", "--max-changes-per-cycle", "0"],
            &[],
            "--max-changes-per-cycle must be at least 1",
            "--mode alert",
        ),
        (
            &["guard", "--all-users", "--listen", "0.0.0.0:9464"],
            &[],
            "not a loopback address",
            "--listen-allow-remote",
        ),
        (
            &["guard", "--all-users", "--listen", "my-host:80"],
            &[],
            "invalid --listen",
            "127.0.0.1:9464",
        ),
        (
            &["guard", "--all-users", "--once", "--interval", "5m"],
            &[],
            "cannot be used with",
            "",
        ),
        (
            &["guard", "--all-users", "--mode", "alert"],
            &[("MAILFIX_WEBHOOK_URL", &secret_url)],
            "must use HTTPS (host hooks.example.com)",
            "https://",
        ),
        (
            &["guard", "--all-users", "--mode", "alert"],
            &[("MAILFIX_WEBHOOK_URL", "hooks dot slack")],
            "is not a valid URL",
            "starting with https://",
        ),
        (
            &["guard", "--all-users", "--mode", "alert"],
            &[("MAILFIX_WEBHOOK_FORMAT", "pigeon")],
            "unknown webhook format 'pigeon' (from env)",
            "teams, slack, json",
        ),
        (
            &["guard", "--all-users", "--mode", "remediate"],
            &[],
            "refusing to start without confirmation",
            "--yes",
        ),
    ];
    for (args, env, headline, hint) in cases {
        let seq = sim.sim.state.log.len() as u64;
        let mut cmd = sim.mailfix();
        cmd.args(*args).stdin(Stdio::null());
        for (name, value) in *env {
            cmd.env(name, value);
        }
        let out = run(&mut cmd).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(headline), "{args:?}: '{headline}' in {err}");
        assert!(err.contains(hint), "{args:?}: hint '{hint}' in {err}");
        let all = format!("{}{err}", stdout(&out));
        assert!(
            !all.contains(WEBHOOK_SECRET),
            "{args:?}: the URL leaked: {all}"
        );
        assert!(!all.contains(&sim.sim.info.client_secret));
        let sent: Vec<_> = sim
            .sim
            .state
            .log
            .since(seq)
            .into_iter()
            .filter(|e| e.service != mailfix_sim::log::Service::Control)
            .collect();
        assert!(sent.is_empty(), "{args:?}: nothing sent: {sent:#?}");
    }
}
