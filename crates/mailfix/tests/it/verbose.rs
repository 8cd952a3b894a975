//! `-v`, `-vv` and `-vvv` add the detail the help promises (requests; connections; HTTP/2 frames),
//! none of it a secret, and no colour codes when stderr is not a terminal.

use mailfix_sim::scenario::small;

use crate::support::{TestSim, run, stderr};
use crate::tenant::first_labelled;

#[tokio::test(flavor = "multi_thread")]
async fn each_v_adds_detail_and_none_of_it_is_secret() {
    let scenario = small(91);
    let sim = TestSim::start(scenario.clone()).await;
    let upn = &first_labelled(&scenario, "healthy");
    let mut logs = Vec::new();
    for v in ["-v", "-vv", "-vvv"] {
        let out = run(sim.mailfix().args(["scan", "--user", upn, "-o", "json", v])).await;
        assert_eq!(out.status.code(), Some(0), "{v}: {}", stderr(&out));
        logs.push(stderr(&out));
    }
    let has = |log: &str, what: &str| log.contains(what);
    let (one, two, three) = (&logs[0], &logs[1], &logs[2]);
    assert!(
        has(one, "request service=graph operation=batch method=POST"),
        "{one}"
    );
    assert!(!has(one, "connecting to") && !has(one, "frame="), "{one}");
    assert!(has(two, "connecting to 127.0.0.1"), "{two}");
    assert!(has(two, "reuse idle connection"), "{two}");
    assert!(!has(two, "frame="), "{two}");
    assert!(has(three, "send frame=Headers"), "{three}");
    assert!(has(three, "received frame=Data"), "{three}");
    assert!(one.lines().count() < two.lines().count(), "-vv adds lines");
    assert!(
        two.lines().count() < three.lines().count(),
        "-vvv adds lines"
    );
    let secret = &sim.sim.info.client_secret;
    for log in &logs {
        assert!(
            !log.contains(secret.as_str()),
            "the client secret is never logged"
        );
        assert!(!log.contains("eyJ"), "no token is logged: {log}");
        assert!(
            !log.contains('\x1b'),
            "no colour codes off a terminal: {log:?}"
        );
    }
}
